//! Greedy and beam-search decoding with the semantics of Hugging Face `generate()`
//! (transformers 4.57's vectorised beam search: length_penalty, early_stopping=False,
//! max_length counting the decoder start token), returning the N best sequences with
//! HF's `sequences_scores`.
//!
//! The loop owns the decoder state (self-attention caches reordered when beams change
//! parents) and calls back once per step so a worker can report progress or cancel. It runs
//! any encoder-decoder behind `Seq2Seq`: the CPU `T5Model` and the GPU `GpuT5Model`.

use anyhow::{Result, bail};
use std::ops::ControlFlow;

/// The source row of each row after every row is repeated `n` times (row r becomes rows
/// r*n..r*n+n): one row per beam. Both backends' `repeat_rows` gather by this.
pub fn repeated_rows(rows: usize, n: usize) -> Vec<u32> {
    (0..rows as u32)
        .flat_map(|r| std::iter::repeat_n(r, n))
        .collect()
}

/// Whether a beam reordering keeps every row in place (beams often keep their own parents, and
/// copying the caches then would be wasted).
pub fn is_identity(parents: &[u32]) -> bool {
    parents.iter().enumerate().all(|(i, &p)| p as usize == i)
}

/// What generation needs from an encoder-decoder, whatever device it runs on.
pub trait Seq2Seq {
    /// The encoder output of one input.
    type Encoded;
    /// The decoder caches of a batch of rows (one per beam).
    type State;

    /// Encodes one input (token ids ending with `</s>`).
    fn encode_input(&self, input: &[u32]) -> Result<Self::Encoded>;
    /// A decoder state with one row for the input, before any token.
    fn start_decoder(&self, encoded: &Self::Encoded) -> Result<Self::State>;
    /// Repeats every row `n` times (row r becomes rows r*n..r*n+n): one row per beam.
    fn repeat_rows(&self, state: &mut Self::State, n: usize) -> Result<()>;
    /// Feeds one token per row; returns each row's next-token logits.
    fn next_logits(&self, state: &mut Self::State, last: &[u32]) -> Result<Vec<Vec<f32>>>;
    /// Row i takes the caches of row `parents[i]` (beam search).
    fn reorder_rows(&self, state: &mut Self::State, parents: &[u32]) -> Result<()>;

    /// Feeds one token per row and ranks each row's continuations: the `k` best as
    /// (token, `running[row]` + the token's log-probability under log-softmax over the whole
    /// vocabulary), best first, ties to the lower token id. `banned` (`</s>` before
    /// `min_new_tokens`) counts in the normalisation but is never offered. Greedy decoding
    /// asks for one per row, beam search for twice the beams. Devices that can rank on
    /// their own override this, so the logits never leave them (the GPU).
    fn next_candidates(
        &self,
        state: &mut Self::State,
        last: &[u32],
        running: &[f32],
        k: usize,
        banned: Option<u32>,
    ) -> Result<Vec<Vec<Candidate>>> {
        let rows = self.next_logits(state, last)?;
        if rows.len() != running.len() {
            bail!("{} running scores for {} rows", running.len(), rows.len());
        }
        Ok(rows
            .into_iter()
            .zip(running)
            .map(|(logits, &score)| best_continuations(logits, score, k, banned))
            .collect())
    }
}

/// One way to extend a row: the next token and the row's score with it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub token: u32,
    pub score: f32,
}

/// The `k` best continuations of one row from its logits, as `Seq2Seq::next_candidates`
/// defines them (the reference the GPU's ranking kernel is tested against).
pub fn best_continuations(
    logits: Vec<f32>,
    running: f32,
    k: usize,
    banned: Option<u32>,
) -> Vec<Candidate> {
    rank_row(&logits, running, k, banned)
}

/// `best_continuations` in one pass after the normaliser: each score is computed as
/// log-softmax would (`(x - max) - log Σ exp(x - max)`, then `+ running`) and kept only if it
/// enters the running top `k` (score descending, ties to the lower token id), so no vocabulary-
/// sized score or index vectors are built.
pub fn rank_row(logits: &[f32], running: f32, k: usize, banned: Option<u32>) -> Vec<Candidate> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    // f32 like torch's log_softmax; differences stay far below the 1e-4 score tolerance.
    let sum: f32 = logits.iter().map(|&x| (x - max).exp()).sum();
    let log_sum = sum.ln();
    let mut best: Vec<Candidate> = Vec::with_capacity(k + 1);
    if k == 0 {
        return best;
    }
    for (i, &x) in logits.iter().enumerate() {
        let score = (x - max - log_sum) + running;
        // Scanning ids upwards, an equal score never displaces an earlier one.
        if best.len() == k && score.total_cmp(&best[k - 1].score).is_le() {
            continue;
        }
        if Some(i as u32) == banned {
            continue;
        }
        let at = best.partition_point(|c| c.score.total_cmp(&score).is_ge());
        best.insert(
            at,
            Candidate {
                token: i as u32,
                score,
            },
        );
        best.truncate(k);
    }
    best
}

#[derive(Debug, Clone, PartialEq)]
pub struct GenerateConfig {
    pub num_beams: usize,
    pub num_return_sequences: usize,
    /// Maximum decoder length including the start token (HF `max_length`).
    pub max_length: usize,
    pub length_penalty: f32,
    /// HF's `min_new_tokens`: `</s>` is forbidden until this many tokens were generated.
    pub min_new_tokens: usize,
    pub decoder_start_token_id: u32,
    pub eos_token_id: u32,
}

impl Default for GenerateConfig {
    /// The Text+Chem T5 authors' decoding: 10 beams, max length 512.
    fn default() -> Self {
        GenerateConfig {
            num_beams: 10,
            num_return_sequences: 10,
            max_length: 512,
            length_penalty: 1.0,
            min_new_tokens: 0,
            decoder_start_token_id: 0,
            eos_token_id: 1,
        }
    }
}

impl GenerateConfig {
    pub fn greedy(max_length: usize) -> Self {
        GenerateConfig {
            num_beams: 1,
            num_return_sequences: 1,
            max_length,
            ..Default::default()
        }
    }

    pub fn beam(num_beams: usize, max_length: usize) -> Self {
        GenerateConfig {
            num_beams,
            num_return_sequences: num_beams,
            max_length,
            ..Default::default()
        }
    }

    /// HF's `max_new_tokens`: the decoder prompt is the start token alone.
    pub fn with_max_new_tokens(mut self, n: usize) -> Self {
        self.max_length = n + 1;
        self
    }
}

/// One output sequence: token ids starting with the decoder start token (as HF's
/// `sequences`, without padding) and its score (HF's `sequences_scores` for beam search;
/// the sum of the chosen tokens' log-probabilities for greedy decoding).
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    pub tokens: Vec<u32>,
    pub score: f32,
}

/// Reported after every decoding step.
pub struct Progress<'a> {
    /// Tokens generated so far (steps run).
    pub step: usize,
    /// The currently best running sequence.
    pub best: &'a [u32],
}

/// Returned when the step callback asked to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("generation cancelled")
    }
}

impl std::error::Error for Cancelled {}

pub type StepCallback<'a> = dyn FnMut(&Progress) -> ControlFlow<()> + Send + 'a;

/// Generates from one input (token ids ending with `</s>`).
///
/// Runs on a rayon worker thread (the caller's, when it is one), so that each matrix
/// multiply's parallel split starts on this thread while the other workers steal from it.
/// From an outside thread every split would instead wake the pool and put the caller to
/// sleep until it is done: t5-base q4k greedy decoding went from 84 to 124 tokens/s on two
/// cores (docs/model-runtime.md).
pub fn generate<M: Seq2Seq + ?Sized + Sync>(
    model: &M,
    input: &[u32],
    cfg: &GenerateConfig,
    on_step: &mut StepCallback,
) -> Result<Vec<Generated>> {
    rayon::scope(|_| generate_on_this_thread(model, input, cfg, on_step))
}

fn generate_on_this_thread<M: Seq2Seq + ?Sized>(
    model: &M,
    input: &[u32],
    cfg: &GenerateConfig,
    on_step: &mut StepCallback,
) -> Result<Vec<Generated>> {
    if input.is_empty() {
        bail!("the input has no tokens");
    }
    if cfg.num_beams == 0
        || cfg.num_return_sequences == 0
        || cfg.num_return_sequences > cfg.num_beams
    {
        bail!(
            "num_return_sequences ({}) must be between 1 and num_beams ({})",
            cfg.num_return_sequences,
            cfg.num_beams
        );
    }
    if cfg.max_length < 2 {
        bail!(
            "max_length {} leaves no room for a generated token",
            cfg.max_length
        );
    }
    let encoded = model.encode_input(input)?;
    let mut state = model.start_decoder(&encoded)?;
    drop(encoded);
    if cfg.num_beams == 1 {
        greedy(model, &mut state, cfg, on_step).map(|g| vec![g])
    } else {
        model.repeat_rows(&mut state, cfg.num_beams)?;
        beam_search(model, &mut state, cfg, on_step)
    }
}

fn greedy<M: Seq2Seq + ?Sized>(
    model: &M,
    state: &mut M::State,
    cfg: &GenerateConfig,
    on_step: &mut StepCallback,
) -> Result<Generated> {
    let mut tokens = vec![cfg.decoder_start_token_id];
    let mut score = 0f32;
    while tokens.len() < cfg.max_length {
        let banned = (tokens.len() - 1 < cfg.min_new_tokens).then_some(cfg.eos_token_id);
        let last = tokens[tokens.len() - 1];
        let Some(&best) = model.next_candidates(state, &[last], &[score], 1, banned)?[0].first()
        else {
            bail!("the model offered no next token");
        };
        tokens.push(best.token);
        score = best.score;
        if on_step(&Progress {
            step: tokens.len() - 1,
            best: &tokens,
        })
        .is_break()
        {
            bail!(Cancelled);
        }
        if best.token == cfg.eos_token_id {
            break;
        }
    }
    Ok(Generated { tokens, score })
}

/// HF's "-1e9" that marks impossible beams; added in f32 like the reference.
const NEG: f32 = -1.0e9;

struct Slot {
    tokens: Vec<u32>,
    score: f32,
    finished: bool,
}

/// Indices of the `k` largest values, largest first, never `excluded`; ties keep the lower
/// index first.
fn top_k(values: &[f32], k: usize, excluded: Option<usize>) -> Vec<usize> {
    let cmp = |a: &usize, b: &usize| values[*b].total_cmp(&values[*a]).then(a.cmp(b));
    let mut idx: Vec<usize> = (0..values.len()).filter(|&i| Some(i) != excluded).collect();
    if k < idx.len() {
        idx.select_nth_unstable_by(k, cmp);
        idx.truncate(k);
    }
    idx.sort_by(cmp);
    idx
}

fn beam_search<M: Seq2Seq + ?Sized>(
    model: &M,
    state: &mut M::State,
    cfg: &GenerateConfig,
    on_step: &mut StepCallback,
) -> Result<Vec<Generated>> {
    let n = cfg.num_beams;
    let mut running: Vec<Vec<u32>> = vec![vec![cfg.decoder_start_token_id]; n];
    // Only the first beam is live at the start, so the first step does not pick n copies.
    let mut running_scores: Vec<f32> = (0..n).map(|b| if b == 0 { 0.0 } else { NEG }).collect();
    let mut finished: Vec<Slot> = (0..n)
        .map(|_| Slot {
            tokens: vec![],
            score: NEG,
            finished: false,
        })
        .collect();
    let mut improvement_possible = true;
    let mut cur_len = 1usize;
    let penalty = |len: usize| (len as f32).powf(cfg.length_penalty);
    loop {
        let last: Vec<u32> = running.iter().map(|s| s[s.len() - 1]).collect();
        let banned = (cur_len - 1 < cfg.min_new_tokens).then_some(cfg.eos_token_id);
        let per_row = model.next_candidates(state, &last, &running_scores, 2 * n, banned)?;
        // Each row's best 2n hold the best 2n overall; ranked as one (beam, token)-ordered
        // list, as HF ranks the flattened scores.
        let mut pool: Vec<(usize, Candidate)> = per_row
            .into_iter()
            .enumerate()
            .flat_map(|(beam, row)| row.into_iter().map(move |c| (beam, c)))
            .collect();
        pool.sort_by(|(ba, a), (bb, b)| {
            b.score
                .total_cmp(&a.score)
                .then((ba, a.token).cmp(&(bb, b.token)))
        });
        pool.truncate(2 * n);
        if pool.len() < 2 * n {
            bail!("the vocabulary is too small for {n} beams");
        }
        let cand_beam: Vec<usize> = pool.iter().map(|(b, _)| *b).collect();
        let cand_tok: Vec<u32> = pool.iter().map(|(_, c)| c.token).collect();
        let cand_score: Vec<f32> = pool.iter().map(|(_, c)| c.score).collect();
        let hits: Vec<bool> = cand_tok
            .iter()
            .map(|&t| t == cfg.eos_token_id || cur_len + 1 >= cfg.max_length)
            .collect();
        let cand_seq = |k: usize| {
            let mut s = running[cand_beam[k]].clone();
            s.push(cand_tok[k]);
            s
        };

        // Running beams: the best candidates that did not stop.
        let run_scores: Vec<f32> = (0..2 * n)
            .map(|k| cand_score[k] + if hits[k] { NEG } else { 0.0 })
            .collect();
        let next = top_k(&run_scores, n, None);

        // Finished hypotheses: stopping candidates ranked within the first n, scored by
        // length, merged with the previous best n.
        let fin_scores: Vec<f32> = (0..2 * n)
            .map(|k| {
                let mut s = cand_score[k] / penalty(cur_len);
                if !improvement_possible {
                    s += NEG;
                }
                if !(hits[k] && k < n) {
                    s += NEG;
                }
                s
            })
            .collect();
        let merged: Vec<f32> = finished
            .iter()
            .map(|s| s.score)
            .chain(fin_scores.iter().copied())
            .collect();
        let keep = top_k(&merged, n, None);
        finished = keep
            .iter()
            .map(|&i| {
                if i < n {
                    Slot {
                        tokens: std::mem::take(&mut finished[i].tokens),
                        score: finished[i].score,
                        finished: finished[i].finished,
                    }
                } else {
                    let k = i - n;
                    Slot {
                        tokens: cand_seq(k),
                        score: fin_scores[k],
                        finished: hits[k] && k < n,
                    }
                }
            })
            .collect();

        let parents: Vec<u32> = next.iter().map(|&k| cand_beam[k] as u32).collect();
        model.reorder_rows(state, &parents)?;
        running = next.iter().map(|&k| cand_seq(k)).collect();
        running_scores = next.iter().map(|&k| run_scores[k]).collect();
        cur_len += 1;

        // Stop once no running beam can beat the worst finished one (HF's heuristic for
        // early_stopping=False uses the current length).
        let best_possible = running_scores[0] / penalty(cur_len - 1);
        let worst = finished
            .iter()
            .map(|s| s.score)
            .fold(f32::INFINITY, f32::min);
        let beatable = finished
            .iter()
            .any(|s| best_possible > if s.finished { worst } else { NEG });
        improvement_possible &= beatable;

        if on_step(&Progress {
            step: cur_len - 1,
            best: &running[0],
        })
        .is_break()
        {
            bail!(Cancelled);
        }
        if !improvement_possible || hits.iter().all(|&h| h) {
            break;
        }
    }
    Ok(finished
        .into_iter()
        .take(cfg.num_return_sequences)
        .map(|s| Generated {
            tokens: s.tokens,
            score: s.score,
        })
        .collect())
}

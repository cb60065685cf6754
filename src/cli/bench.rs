//! `textchem bench`: generation speed of T5 in f32 and the quantized formats, in the shape of
//! the torch comparison in docs/model-runtime.md (input 64 tokens, 128 forced output tokens,
//! greedy and beam 5), and the quantized formats' teacher-forced top-1 agreement with f32.
//!
//! `scripts/bench_model.sh` runs it beside `scripts/bench_torch.py` (HF transformers on the
//! same random models' shapes) so both are measured on the same machine at the same time.

use crate::gpu::{GpuContext, GpuT5Model};
use crate::model::config::T5Config;
use crate::model::generate::{GenerateConfig, Seq2Seq, generate};
use crate::model::quantize::{QuantFormat, quantize_in_memory, top1_agreement};
use crate::model::random::{random_store, shape_config};
use crate::model::t5::T5Model;
use crate::model::weights::{TensorStore, WeightFormat, find_weights};
use crate::runtime::{Device, Selected};
use anyhow::{Result, bail};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Random model shape: t5-small or t5-base (ignored with --model).
    #[arg(long, default_value = "t5-small")]
    shape: String,
    /// A checkpoint folder to measure instead of a random model (its float weights).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Write the random model as a checkpoint folder (config.json + model.safetensors) and stop.
    #[arg(long)]
    save: Option<PathBuf>,
    /// Weight formats, comma-separated: f32, f16, q8_0, q4k (converted in memory from the float
    /// weights), or `file`: the --model folder loaded as the app loads it (its GGUF when
    /// there is one), so peak memory is the app's.
    #[arg(long, value_delimiter = ',', default_value = "f32,q8_0,q4k")]
    formats: Vec<String>,
    /// Beam counts, comma-separated (1 is greedy).
    #[arg(long, value_delimiter = ',', default_value = "1,5")]
    beams: Vec<usize>,
    #[arg(long, default_value_t = 64)]
    input_len: usize,
    /// Output tokens, forced (HF min_new_tokens = max_new_tokens).
    #[arg(long, default_value_t = 128)]
    output_len: usize,
    /// Timed runs per configuration (the median is reported).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Also report each quantized format's top-1 agreement with f32 over this many
    /// teacher-forced sequences (decoder tokens: the f32 model's greedy output).
    #[arg(long, default_value_t = 0)]
    agreement: usize,
    /// Where generation runs: cpu, gpu (any wgpu adapter, software ones included) or auto
    /// (a hardware GPU when there is one).
    #[arg(long, default_value = "cpu")]
    device: Device,
    /// On the GPU: also time each kernel of one decode step per --beams count (timestamp
    /// queries, after 8 untimed steps), to see where a step's time goes.
    #[arg(long)]
    profile: bool,
}

/// The GPU context to measure on, or None for the CPU (with the reason printed).
fn open_device(device: Device) -> Result<Option<GpuContext>> {
    Ok(match device.select()? {
        Selected::Gpu(ctx) => {
            println!("device: GPU {}", ctx.adapter);
            Some(ctx)
        }
        Selected::Cpu { reason } => {
            match reason {
                Some(r) => println!("device: CPU ({r})"),
                None => println!("device: CPU"),
            }
            None
        }
    })
}

fn parse_format(s: &str) -> Result<Option<QuantFormat>> {
    if s == "f32" {
        return Ok(None);
    }
    match <QuantFormat as clap::ValueEnum>::from_str(s, false) {
        Ok(format) => Ok(Some(format)),
        Err(_) => bail!("unknown format {s:?} (f32, f16, q8_0, q4k or file)"),
    }
}

fn save_random(args: &BenchArgs, dir: &std::path::Path) -> Result<()> {
    let cfg = shape_config(&args.shape)?;
    let store = random_store(&cfg, args.seed)?;
    std::fs::create_dir_all(dir)?;
    let tensors: std::collections::HashMap<String, candle_core::Tensor> = store
        .names()
        .map(|n| Ok((n.clone(), store.float_any_shape(n)?)))
        .collect::<Result<_>>()?;
    candle_core::safetensors::save(&tensors, dir.join("model.safetensors"))?;
    let c = &cfg;
    let json = format!(
        r#"{{"model_type": "t5", "vocab_size": {}, "d_model": {}, "d_kv": {}, "d_ff": {}, "num_layers": {}, "num_heads": {}, "feed_forward_proj": "relu", "tie_word_embeddings": true, "decoder_start_token_id": 0, "eos_token_id": 1, "pad_token_id": 0}}"#,
        c.vocab_size, c.d_model, c.d_kv, c.d_ff, c.num_layers, c.num_heads
    );
    std::fs::write(dir.join("config.json"), json)?;
    println!(
        "wrote random {} (seed {}) to {}",
        args.shape,
        args.seed,
        dir.display()
    );
    Ok(())
}

/// Times the app's own loading path on a checkpoint folder (GGUF preferred).
fn bench_file(args: &BenchArgs, dir: &std::path::Path) -> Result<()> {
    let gpu = open_device(args.device)?;
    let t = Instant::now();
    let (path, _) = find_weights(dir, None)?;
    if let Some(ctx) = gpu {
        let model = GpuT5Model::load_dir(ctx, dir)?;
        println!(
            "loaded {} in {:.1}s",
            path.display(),
            t.elapsed().as_secs_f64()
        );
        let input = input_ids(args.input_len, args.seed, model.config().vocab_size);
        for &beams in &args.beams {
            time_generation(&model, &input, beams, args, "file")?;
        }
        return Ok(());
    }
    let model = T5Model::load_dir(dir)?;
    println!(
        "loaded {} in {:.1}s",
        path.display(),
        t.elapsed().as_secs_f64()
    );
    let input = input_ids(args.input_len, args.seed, model.config().vocab_size);
    for &beams in &args.beams {
        time_generation(&model, &input, beams, args, "file")?;
    }
    if let Some(mib) = peak_rss_mib() {
        println!("peak resident memory {mib:.0} MiB");
    }
    Ok(())
}

/// Deterministic token ids in [3, 700) ending with `</s>`; low ids exist in every vocab.
fn input_ids(len: usize, seed: u64, vocab: usize) -> Vec<u32> {
    let hi = vocab.min(700) as u64;
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut ids: Vec<u32> = (1..len)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (3 + (x >> 33) % (hi - 3)) as u32
        })
        .collect();
    ids.push(1);
    ids
}

/// CPU seconds (user + system) this process has used, all threads (Linux; 0 elsewhere).
/// On a shared machine wall-clock speed depends on the neighbours; CPU time much less.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse().ok())
        .collect();
    f.iter().sum::<f64>() / 100.0
}

/// Peak resident memory of this process so far (Linux; None elsewhere).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn load_float(args: &BenchArgs) -> Result<(T5Config, TensorStore, String)> {
    match &args.model {
        Some(dir) => {
            let cfg = T5Config::from_file(&dir.join("config.json"))?;
            let (path, format) = find_weights(dir, Some(WeightFormat::Safetensors))
                .or_else(|_| find_weights(dir, Some(WeightFormat::PytorchBin)))?;
            Ok((
                cfg,
                TensorStore::load(&path, format)?,
                dir.display().to_string(),
            ))
        }
        None => {
            let cfg = shape_config(&args.shape)?;
            let store = random_store(&cfg, args.seed)?;
            Ok((
                cfg,
                store,
                format!("random {} (seed {})", args.shape, args.seed),
            ))
        }
    }
}

pub fn run(args: BenchArgs) -> Result<()> {
    if let Some(dir) = &args.save {
        return save_random(&args, dir);
    }
    if args.formats == ["file"] {
        let Some(dir) = &args.model else {
            bail!("--formats file measures a --model folder");
        };
        return bench_file(&args, dir);
    }
    let formats: Vec<Option<QuantFormat>> = args
        .formats
        .iter()
        .map(|f| parse_format(f))
        .collect::<Result<_>>()?;
    let (cfg, float_store, name) = load_float(&args)?;
    let gpu = open_device(args.device)?;
    let input = input_ids(args.input_len, args.seed, cfg.vocab_size);
    println!(
        "model {name}; input {} tokens, {} forced output tokens; kernels {:?}; {} threads",
        args.input_len,
        args.output_len,
        crate::model::quantize::kernels::detected_isa(),
        rayon::current_num_threads()
    );
    if let Some(ctx) = gpu {
        return bench_gpu(&args, &ctx, &cfg, &float_store, &formats, &input);
    }
    let needs_float = formats.contains(&None) || args.agreement > 0;
    let float_model = if needs_float {
        Some(T5Model::load(cfg.clone(), &float_store)?)
    } else {
        None
    };
    for format in &formats {
        let quantized;
        let model = match format {
            None => float_model.as_ref().expect("loaded above"),
            Some(q) => {
                quantized =
                    T5Model::load(cfg.clone(), &quantize_in_memory(&float_store, &cfg, *q)?)?;
                &quantized
            }
        };
        let label = format_label(*format);
        for &beams in &args.beams {
            time_generation(model, &input, beams, &args, label)?;
        }
        if let (Some(_), Some(float)) = (format, &float_model)
            && args.agreement > 0
        {
            let cases = agreement_cases(float, &args, cfg.vocab_size)?;
            let (agree, total) = top1_agreement(float, model, &cases)?;
            println!(
                "{label:5} top-1 agreement with f32: {agree}/{total} = {:.2}%",
                100.0 * agree as f64 / total as f64
            );
        }
    }
    if let Some(mib) = peak_rss_mib() {
        println!("peak resident memory {mib:.0} MiB");
    }
    Ok(())
}

fn format_label(format: Option<QuantFormat>) -> &'static str {
    format.map_or("f32", QuantFormat::name)
}

/// The same measurements with the weights uploaded to the GPU; a format that does not load
/// there is reported and skipped.
fn bench_gpu(
    args: &BenchArgs,
    ctx: &GpuContext,
    cfg: &T5Config,
    float_store: &TensorStore,
    formats: &[Option<QuantFormat>],
    input: &[u32],
) -> Result<()> {
    for format in formats {
        let label = format_label(*format);
        let quantized;
        let store = match format {
            None => float_store,
            Some(q) => {
                quantized = quantize_in_memory(float_store, cfg, *q)?;
                &quantized
            }
        };
        let t = Instant::now();
        let model = match GpuT5Model::load(ctx.clone(), cfg.clone(), store) {
            Ok(m) => m,
            Err(e) => {
                println!("{label:5} not run on the GPU: {e:#}");
                continue;
            }
        };
        println!("{label:5} uploaded in {:.1}s", t.elapsed().as_secs_f64());
        let mut state = model.start(&model.encode(input, 1, None)?)?;
        model.decode_ranked(&mut state, &[cfg.decoder_start_token_id], &[0.0], 1, None)?;
        if let Some(kernels) = state.kernels_per_step() {
            println!("{label:5} {kernels} kernels per greedy decode step");
        }
        if args.profile {
            for &beams in &args.beams {
                profile_decode_step(&model, input, beams, label)?;
            }
        }
        for &beams in &args.beams {
            time_generation(&model, input, beams, args, label)?;
        }
    }
    if let Some(mib) = peak_rss_mib() {
        println!("peak resident memory {mib:.0} MiB");
    }
    Ok(())
}

/// Prints the GPU time of each kernel in one decode step with `beams` rows, beside the wall
/// time of a step (submission, GPU work and read-back of the ranked candidates).
fn profile_decode_step(model: &GpuT5Model, input: &[u32], beams: usize, label: &str) -> Result<()> {
    let mut state = model.start(&model.encode(input, 1, None)?)?;
    if beams > 1 {
        model.repeat(&mut state, beams)?;
    }
    let tokens: Vec<u32> = (0..beams as u32).map(|b| 5 + b).collect();
    let running = vec![0.0; beams];
    let k = if beams > 1 { 2 * beams } else { 1 };
    let mut walls: Vec<f64> = (0..8)
        .map(|_| {
            let t = Instant::now();
            model.decode_ranked(&mut state, &tokens, &running, k, None)?;
            Ok(t.elapsed().as_secs_f64())
        })
        .collect::<Result<_>>()?;
    walls.sort_by(f64::total_cmp);
    let Some(profile) = model.profile_step(&mut state, &tokens, &running, k)? else {
        println!("{label:5} this GPU cannot time kernels (no timestamp queries)");
        return Ok(());
    };
    let us = |s: f64| s * 1e6;
    let total = profile.total_seconds();
    println!(
        "{label:5} beams {beams:2}: a decode step takes {:.0} µs (median of 8); its kernels, \
         timed one by one at position 9, {:.0} µs:",
        us(walls[walls.len() / 2]),
        us(total)
    );
    for (name, launches, seconds) in &profile.kernels {
        println!(
            "      {name:12} x{launches:<4} {:9.0} µs {:5.1}%",
            us(*seconds),
            100.0 * seconds / total.max(f64::MIN_POSITIVE)
        );
    }
    Ok(())
}

/// Times `args.runs` forced-length generations after one warm-up and prints tokens/s.
fn time_generation<M: Seq2Seq + ?Sized + Sync>(
    model: &M,
    input: &[u32],
    beams: usize,
    args: &BenchArgs,
    label: &str,
) -> Result<()> {
    let mut gen_cfg = GenerateConfig::beam(beams, 0).with_max_new_tokens(args.output_len);
    gen_cfg.num_return_sequences = 1;
    gen_cfg.min_new_tokens = args.output_len;
    // One untimed run warms caches and the thread pool.
    generate(model, input, &gen_cfg, &mut |_| ControlFlow::Continue(()))?;
    let cpu_start = cpu_seconds();
    let mut times: Vec<f64> = (0..args.runs.max(1))
        .map(|_| {
            let t = Instant::now();
            generate(model, input, &gen_cfg, &mut |_| ControlFlow::Continue(()))
                .map(|_| t.elapsed().as_secs_f64())
        })
        .collect::<Result<_>>()?;
    let cpu_per_run = (cpu_seconds() - cpu_start) / times.len() as f64;
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "{label:5} beams {beams:2}: {:7.1} tok/s  ({:.3} s per {}-token generation, median of {}; {:.3} CPU s each, {:.1} tok per CPU s)",
        args.output_len as f64 / median,
        median,
        args.output_len,
        times.len(),
        cpu_per_run,
        args.output_len as f64 / cpu_per_run,
    );
    Ok(())
}

/// Decoder tokens for the agreement check: the f32 model's greedy continuation of
/// `args.agreement` different inputs, 64 tokens each.
fn agreement_cases(
    float: &T5Model,
    args: &BenchArgs,
    vocab: usize,
) -> Result<Vec<(Vec<u32>, Vec<u32>)>> {
    (0..args.agreement as u64)
        .map(|i| {
            let input = input_ids(args.input_len, args.seed + 1000 + i, vocab);
            // Forced to full length: a briefly trained or random model may end early.
            let mut cfg = GenerateConfig::greedy(65);
            cfg.min_new_tokens = 64;
            let out = generate(float, &input, &cfg, &mut |_| ControlFlow::Continue(()))?;
            let mut tokens = out[0].tokens.clone();
            if tokens.len() > 1 {
                tokens.pop();
            }
            Ok((input, tokens))
        })
        .collect()
}

// Each row's k best continuations, as the CPU's `best_continuations` ranks them: the score
// of token j is (x_j - max - log(Σ exp(x - max))) + running[row] (log-softmax, then the
// row's running score, in that order of f32 operations), best first, ties to the lower
// token id, never the banned token (</s> before min_new_tokens), which still counts in the
// normalisation. Greedy decoding asks for k = 1, beam search for twice the beams.
//
// k rounds of selection: every thread keeps its own best among its strided share that
// ranks after the last pick; a round reduces those to the workgroup's best, and only the
// thread that owned it searches its share again. Out of candidates: NONE.

struct Params { vocab: u32, k: u32, pad0: u32, pad1: u32 }
// The banned token changes per step (0xffffffff: none), so it lives in the step uniform.
struct Step { pos: u32, banned: u32, pad0: u32, pad1: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<uniform> st: Step;
@group(0) @binding(2) var<storage, read> logits: array<f32>;
@group(0) @binding(3) var<storage, read> running: array<f32>;
// Per row, k (token, score bits) pairs.
@group(0) @binding(4) var<storage, read_write> out: array<u32>;

const NONE: u32 = 0xffffffffu;
const LOWEST: f32 = -3.40282347e38;
var<workgroup> sums: array<f32, 256>;
var<workgroup> best_v: array<f32, 256>;
var<workgroup> best_i: array<u32, 256>;

// Whether (v, i) ranks before (w, j): higher score, then lower token id; NONE ranks last.
fn before(v: f32, i: u32, w: f32, j: u32) -> bool {
    return i != NONE && (j == NONE || v > w || (v == w && i < j));
}

// The best entry of this thread's share that ranks after (after_v, after_i).
fn share_best(base: u32, t: u32, mx: f32, log_sum: f32, s: f32, after_v: f32, after_i: u32) -> vec2<u32> {
    var bv = LOWEST;
    var bi = NONE;
    for (var j = t; j < p.vocab; j += 256u) {
        let v = (logits[base + j] - mx - log_sum) + s;
        if (j != st.banned && before(after_v, after_i, v, j) && before(v, j, bv, bi)) {
            bv = v;
            bi = j;
        }
    }
    return vec2<u32>(bitcast<u32>(bv), bi);
}

@compute @workgroup_size(256)
fn rank(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {
    let t = l.x;
    let base = wg.x * p.vocab;
    var mx = LOWEST;
    for (var j = t; j < p.vocab; j += 256u) {
        mx = max(mx, logits[base + j]);
    }
    sums[t] = mx;
    workgroupBarrier();
    for (var s = 128u; s > 0u; s >>= 1u) {
        if (t < s) {
            sums[t] = max(sums[t], sums[t + s]);
        }
        workgroupBarrier();
    }
    mx = sums[0];
    // Everyone has read the maximum before `sums` is reused.
    workgroupBarrier();
    var sum = 0.0;
    for (var j = t; j < p.vocab; j += 256u) {
        sum += exp(logits[base + j] - mx);
    }
    sums[t] = sum;
    workgroupBarrier();
    for (var s = 128u; s > 0u; s >>= 1u) {
        if (t < s) {
            sums[t] += sums[t + s];
        }
        workgroupBarrier();
    }
    let log_sum = log(sums[0]);
    let run = running[wg.x];

    // The first search starts after (f32 max, token 0), which every finite score ranks after.
    var mine = share_best(base, t, mx, log_sum, run, 3.40282347e38, 0u);
    for (var r = 0u; r < p.k; r++) {
        best_v[t] = bitcast<f32>(mine.x);
        best_i[t] = mine.y;
        workgroupBarrier();
        for (var s = 128u; s > 0u; s >>= 1u) {
            if (t < s && before(best_v[t + s], best_i[t + s], best_v[t], best_i[t])) {
                best_v[t] = best_v[t + s];
                best_i[t] = best_i[t + s];
            }
            workgroupBarrier();
        }
        let pick_v = best_v[0];
        let pick_i = best_i[0];
        if (t == 0u) {
            out[(wg.x * p.k + r) * 2u] = pick_i;
            out[(wg.x * p.k + r) * 2u + 1u] = bitcast<u32>(pick_v);
        }
        // Everyone has read the pick before the arrays are refilled.
        workgroupBarrier();
        if (pick_i != NONE && mine.y == pick_i) {
            mine = share_best(base, t, mx, log_sum, run, pick_v, pick_i);
        }
    }
}

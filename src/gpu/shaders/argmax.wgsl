// Greedy decoding's choice per row: the first largest logit (as torch.argmax), skipping a
// banned token (</s> before min_new_tokens), and its log-probability under log-softmax
// over the whole row: x - max - log(Σ exp(x - max)), as the CPU path computes it.

struct Params { vocab: u32, pad0: u32, pad1: u32, pad2: u32 }
// The banned token changes per step (0xffffffff: none), so it lives in the step uniform.
struct Step { pos: u32, banned: u32, pad0: u32, pad1: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<uniform> st: Step;
@group(0) @binding(2) var<storage, read> logits: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;

const LOWEST: f32 = -3.40282347e38;
var<workgroup> top: array<f32, 256>;
var<workgroup> best_v: array<f32, 256>;
var<workgroup> best_i: array<u32, 256>;

@compute @workgroup_size(256)
fn argmax(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {
    let base = wg.x * p.vocab;
    var mx = LOWEST;
    var bv = LOWEST;
    var bi = 0xffffffffu;
    for (var j = l.x; j < p.vocab; j += 256u) {
        let x = logits[base + j];
        mx = max(mx, x);
        if (j != st.banned && (x > bv || bi == 0xffffffffu)) {
            bv = x;
            bi = j;
        }
    }
    top[l.x] = mx;
    best_v[l.x] = bv;
    best_i[l.x] = bi;
    workgroupBarrier();
    for (var s = 128u; s > 0u; s >>= 1u) {
        if (l.x < s) {
            top[l.x] = max(top[l.x], top[l.x + s]);
            let ov = best_v[l.x + s];
            let oi = best_i[l.x + s];
            let mine = best_i[l.x];
            if (oi != 0xffffffffu && (mine == 0xffffffffu || ov > best_v[l.x] || (ov == best_v[l.x] && oi < mine))) {
                best_v[l.x] = ov;
                best_i[l.x] = oi;
            }
        }
        workgroupBarrier();
    }
    mx = top[0];
    // Everyone has read the maximum before `top` is reused for the sums.
    workgroupBarrier();
    var sum = 0.0;
    for (var j = l.x; j < p.vocab; j += 256u) {
        sum += exp(logits[base + j] - mx);
    }
    top[l.x] = sum;
    workgroupBarrier();
    for (var s = 128u; s > 0u; s >>= 1u) {
        if (l.x < s) {
            top[l.x] += top[l.x + s];
        }
        workgroupBarrier();
    }
    if (l.x == 0u) {
        out[wg.x * 2u] = best_i[0];
        out[wg.x * 2u + 1u] = bitcast<u32>(best_v[0] - mx - log(top[0]));
    }
}

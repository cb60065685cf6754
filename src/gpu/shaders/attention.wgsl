// T5 attention for one (query, head) per workgroup: scores q·k (no 1/sqrt(d) scaling in T5)
// plus the relative-position bias, softmax over the visible keys, weighted sum of values.
// Keys a query must not see (later decoder positions, padded encoder positions) are skipped:
// the CPU path adds f32::MIN there, which gives them exactly zero weight too.

struct Params {
    heads: u32, dkv: u32, inner: u32, lq: u32,
    // Key/value row of query row r: r / kv_row_div (beams share their input's encoder K/V).
    kv_row_div: u32, kv_row_stride: u32,
    // Number of keys when fixed (encoder output); 0: the decoder cache, pos + lq keys.
    static_keys: u32, causal: u32,
    use_bias: u32, bucket_center: u32, use_mask: u32, mask_row_stride: u32,
    scores_stride: u32, pad0: u32, pad1: u32, pad2: u32,
}
struct Step { pos: u32, banned: u32, pad0: u32, pad1: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<uniform> st: Step;
@group(0) @binding(2) var<storage, read> q: array<f32>;
@group(0) @binding(3) var<storage, read> k: array<f32>;
@group(0) @binding(4) var<storage, read> v: array<f32>;
// (buckets, heads) bias table and the bucket of each clamped relative position.
@group(0) @binding(5) var<storage, read> bias: array<f32>;
@group(0) @binding(6) var<storage, read> buckets: array<u32>;
@group(0) @binding(7) var<storage, read> mask: array<u32>;
@group(0) @binding(8) var<storage, read_write> scores: array<f32>;
@group(0) @binding(9) var<storage, read_write> out: array<f32>;

const LOWEST: f32 = -3.40282347e38;
var<workgroup> red: array<f32, 64>;

fn visible(kr: u32, j: u32) -> bool {
    return p.use_mask == 0u || mask[kr * p.mask_row_stride + j] != 0u;
}

@compute @workgroup_size(64)
fn attention(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {
    let qi = wg.x;
    let h = wg.y;
    let r = qi / p.lq;
    let qpos = st.pos + qi % p.lq;
    var keys = p.static_keys;
    if (keys == 0u) {
        keys = st.pos + p.lq;
    }
    if (p.causal == 1u) {
        keys = min(keys, qpos + 1u);
    }
    let kr = r / p.kv_row_div;
    let kbase = kr * p.kv_row_stride + h * p.dkv;
    let qbase = qi * p.inner + h * p.dkv;
    let sbase = (qi * p.heads + h) * p.scores_stride;

    var mx = LOWEST;
    for (var j = l.x; j < keys; j += 64u) {
        var s = LOWEST;
        if (visible(kr, j)) {
            s = 0.0;
            for (var d = 0u; d < p.dkv; d++) {
                s += q[qbase + d] * k[kbase + j * p.inner + d];
            }
            if (p.use_bias == 1u) {
                let rel = clamp(i32(j) - i32(qpos), -i32(p.bucket_center), i32(p.bucket_center));
                s += bias[buckets[u32(rel + i32(p.bucket_center))] * p.heads + h];
            }
            mx = max(mx, s);
        }
        scores[sbase + j] = s;
    }
    red[l.x] = mx;
    workgroupBarrier();
    for (var t = 32u; t > 0u; t >>= 1u) {
        if (l.x < t) {
            red[l.x] = max(red[l.x], red[l.x + t]);
        }
        workgroupBarrier();
    }
    mx = red[0];
    workgroupBarrier();

    var sum = 0.0;
    for (var j = l.x; j < keys; j += 64u) {
        var e = 0.0;
        if (visible(kr, j)) {
            e = exp(scores[sbase + j] - mx);
        }
        scores[sbase + j] = e;
        sum += e;
    }
    red[l.x] = sum;
    workgroupBarrier();
    for (var t = 32u; t > 0u; t >>= 1u) {
        if (l.x < t) {
            red[l.x] += red[l.x + t];
        }
        workgroupBarrier();
    }
    sum = red[0];
    storageBarrier();
    workgroupBarrier();

    for (var d = l.x; d < p.dkv; d += 64u) {
        var acc = 0.0;
        for (var j = 0u; j < keys; j++) {
            acc += (scores[sbase + j] / sum) * v[kbase + j * p.inner + d];
        }
        out[qbase + d] = acc;
    }
}

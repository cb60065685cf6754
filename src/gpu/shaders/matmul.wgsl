// y = x Wᵀ for W stored (n, k) row-major like PyTorch: f32, f16 (two per word), q8_0, or q4k repacked per
// sub-block of 32 (eight 4-bit values per word, scale d·sc and min dmin·m as f32).
// A workgroup owns 32 outputs × 4 activation rows; 8 lanes split each dot product
// (consecutive lanes read consecutive weights or blocks) and reduce in workgroup memory.
// Few lanes per output keep every lane busy on short rows (q8_0 rows of 512 values are 16
// blocks) and need one barrier to reduce: on lavapipe the q8_0 matmuls of a t5-small decode
// step took 47 ms this way, 191 ms with 32 lanes per output and a five-level tree.
// mode 0 writes y, 1 writes relu(y), 2 adds y to the output (residual connections).

struct Params { m: u32, n: u32, k: u32, mode: u32, x_scale: f32, pad0: u32, pad1: u32, pad2: u32 }

@group(0) @binding(0) var<uniform> p: Params;
// f32: x values; q8_0: x quantized to i8 (4 per word) with one scale per 32 values.
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> xq: array<u32>;
@group(0) @binding(3) var<storage, read> xd: array<f32>;
// f32: weights; f16: two per word; q8_0: i8 weights (4 per word) with one scale per 32.
@group(0) @binding(4) var<storage, read> w: array<f32>;
@group(0) @binding(5) var<storage, read> wq: array<u32>;
@group(0) @binding(6) var<storage, read> wd: array<f32>;
@group(0) @binding(7) var<storage, read_write> y: array<f32>;
// q4k: per sub-block min (dmin·m), and the activation blocks' Σq.
@group(0) @binding(8) var<storage, read> wm: array<f32>;
@group(0) @binding(9) var<storage, read> xs: array<i32>;

const MR: u32 = 4u;
const LANES: u32 = 8u;
const OUTS: u32 = 32u;
var<workgroup> part: array<f32, 1024>;

fn finish(wg: vec3<u32>, l: vec3<u32>, acc: vec4<f32>) {
    let n = wg.x * OUTS + l.y;
    for (var i = 0u; i < MR; i++) {
        part[(l.y * MR + i) * LANES + l.x] = acc[i];
    }
    workgroupBarrier();
    if (l.x < MR && n < p.n) {
        let m = wg.y * MR + l.x;
        if (m < p.m) {
            let base = (l.y * MR + l.x) * LANES;
            var v = 0.0;
            for (var j = 0u; j < LANES; j++) {
                v += part[base + j];
            }
            let at = m * p.n + n;
            if (p.mode == 1u) {
                y[at] = max(v, 0.0);
            } else if (p.mode == 2u) {
                y[at] = y[at] + v;
            } else {
                y[at] = v;
            }
        }
    }
}

@compute @workgroup_size(8, 32)
fn matmul_f32(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {
    let n = wg.x * OUTS + l.y;
    let m0 = wg.y * MR;
    var acc = vec4<f32>(0.0);
    if (n < p.n) {
        let rows = min(MR, p.m - m0);
        for (var c = l.x; c < p.k; c += LANES) {
            let wv = w[n * p.k + c];
            for (var i = 0u; i < rows; i++) {
                acc[i] += (x[(m0 + i) * p.k + c] * p.x_scale) * wv;
            }
        }
    }
    finish(wg, l, acc);
}

// Each lane reads whole words (two halves), consecutive lanes consecutive words; k is even.
@compute @workgroup_size(8, 32)
fn matmul_f16(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {
    let n = wg.x * OUTS + l.y;
    let m0 = wg.y * MR;
    var acc = vec4<f32>(0.0);
    let words = p.k / 2u;
    if (n < p.n) {
        let rows = min(MR, p.m - m0);
        for (var c = l.x; c < words; c += LANES) {
            let wv = unpack2x16float(wq[n * words + c]);
            for (var i = 0u; i < rows; i++) {
                let at = (m0 + i) * p.k + 2u * c;
                acc[i] += (x[at] * p.x_scale) * wv.x + (x[at + 1u] * p.x_scale) * wv.y;
            }
        }
    }
    finish(wg, l, acc);
}

fn dot_block(wi: u32, xi: u32) -> i32 {
    var s = 0;
    for (var j = 0u; j < 8u; j++) {
        let a = bitcast<i32>(wq[wi + j]);
        let b = bitcast<i32>(xq[xi + j]);
        s += extractBits(a, 0u, 8u) * extractBits(b, 0u, 8u)
            + extractBits(a, 8u, 8u) * extractBits(b, 8u, 8u)
            + extractBits(a, 16u, 8u) * extractBits(b, 16u, 8u)
            + extractBits(a, 24u, 8u) * extractBits(b, 24u, 8u);
    }
    return s;
}

// Integer dot products per block of 32, scaled as the CPU kernels do: Σ_b (d_w·d_x)·isum_b.
@compute @workgroup_size(8, 32)
fn matmul_q8(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {
    let n = wg.x * OUTS + l.y;
    let m0 = wg.y * MR;
    var acc = vec4<f32>(0.0);
    let blocks = p.k / 32u;
    if (n < p.n) {
        let rows = min(MR, p.m - m0);
        for (var b = l.x; b < blocks; b += LANES) {
            let wb = n * blocks + b;
            let scale = wd[wb];
            for (var i = 0u; i < rows; i++) {
                let xb = (m0 + i) * blocks + b;
                acc[i] += scale * xd[xb] * f32(dot_block(wb * 8u, xb * 8u));
            }
        }
    }
    finish(wg, l, acc);
}

fn dot_nibbles(wi: u32, xi: u32) -> i32 {
    var s = 0;
    for (var j = 0u; j < 4u; j++) {
        let a = wq[wi + j];
        let lo = bitcast<i32>(xq[xi + 2u * j]);
        let hi = bitcast<i32>(xq[xi + 2u * j + 1u]);
        s += i32(a & 0xfu) * extractBits(lo, 0u, 8u)
            + i32((a >> 4u) & 0xfu) * extractBits(lo, 8u, 8u)
            + i32((a >> 8u) & 0xfu) * extractBits(lo, 16u, 8u)
            + i32((a >> 12u) & 0xfu) * extractBits(lo, 24u, 8u)
            + i32((a >> 16u) & 0xfu) * extractBits(hi, 0u, 8u)
            + i32((a >> 20u) & 0xfu) * extractBits(hi, 8u, 8u)
            + i32((a >> 24u) & 0xfu) * extractBits(hi, 16u, 8u)
            + i32(a >> 28u) * extractBits(hi, 24u, 8u);
    }
    return s;
}

// q4k as the CPU kernels compute it: Σ_sub d_x·((d·sc)·isum − (dmin·m)·Σq_x).
@compute @workgroup_size(8, 32)
fn matmul_q4k(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {
    let n = wg.x * OUTS + l.y;
    let m0 = wg.y * MR;
    var acc = vec4<f32>(0.0);
    let subs = p.k / 32u;
    if (n < p.n) {
        let rows = min(MR, p.m - m0);
        for (var b = l.x; b < subs; b += LANES) {
            let wb = n * subs + b;
            let scale = wd[wb];
            let mn = wm[wb];
            for (var i = 0u; i < rows; i++) {
                let xb = (m0 + i) * subs + b;
                acc[i] += xd[xb] * (scale * f32(dot_nibbles(wb * 4u, xb * 8u)) - mn * f32(xs[xb]));
            }
        }
    }
    finish(wg, l, acc);
}

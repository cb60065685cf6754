// y = x Wᵀ for W stored (n, k) row-major like PyTorch: f32, f16 (two per word), q8_0, or q4k repacked per
// sub-block of 32 (eight 4-bit values per word, scale d·sc and min dmin·m as f32).
// A workgroup owns 32 outputs × 4 activation rows; 8 lanes split each dot product
// (consecutive lanes read consecutive weights or blocks) and reduce in workgroup memory.
// Few lanes per output keep every lane busy on short rows (q8_0 rows of 512 values are 16
// blocks) and need one barrier to reduce: on lavapipe the q8_0 matmuls of a t5-small decode
// step took 47 ms this way, 191 ms with 32 lanes per output and a five-level tree.
//
// Prologue, so that a decoder layer needs no separate kernels before its matmuls: with
// `use_norm` the input rows are T5's RMS norm of x (x / sqrt(mean(x²) + eps) · norm_w, the
// reduction ordered as rms_norm.wgsl orders it, so the values are bit for bit the same), and
// the quantized matmuls quantize their 4 rows to i8 blocks in workgroup memory, 64 blocks at
// a time, exactly as the CPU kernels quantize; the float ones stage 512 normalized values
// per row at a time (a division per product would cost more than the product). A decode step has 1–20 rows, so recomputing a
// row's norm and blocks in every workgroup costs little next to a dispatch.
//
// Epilogue (`mode`): 0 writes y, 1 writes relu(y), 2 adds y to the output (residual
// connections), 3 splits the columns of a fused q/k/v projection: global column
// c = n + col0 of width 3·split goes to q (c < split), else straight into the key or value
// cache at the step's position (rows of `lq` tokens in caches of `cap` positions).

struct Params {
    m: u32, n: u32, k: u32, mode: u32,
    x_scale: f32, eps: f32, use_norm: u32, col0: u32,
    split: u32, lq: u32, cap: u32, pad0: u32,
}
struct Step { pos: u32, banned: u32, pad0: u32, pad1: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<uniform> st: Step;
@group(0) @binding(2) var<storage, read> x: array<f32>;
// The RMS norm's weights (with use_norm).
@group(0) @binding(3) var<storage, read> norm_w: array<f32>;
// f32: weights; f16: two per word; q8_0: i8 weights (4 per word) with one scale per 32;
// q4k: nibbles, the scale and (wm) the min per sub-block.
@group(0) @binding(4) var<storage, read> w: array<f32>;
@group(0) @binding(5) var<storage, read> wq: array<u32>;
@group(0) @binding(6) var<storage, read> wd: array<f32>;
@group(0) @binding(7) var<storage, read> wm: array<f32>;
@group(0) @binding(8) var<storage, read_write> y: array<f32>;
// Mode 3's key and value caches.
@group(0) @binding(9) var<storage, read_write> yk: array<f32>;
@group(0) @binding(10) var<storage, read_write> yv: array<f32>;

const MR: u32 = 4u;
const LANES: u32 = 8u;
const OUTS: u32 = 32u;
// Activation blocks quantized per tile and row (a multiple of LANES, so every lane visits
// its blocks in the order of one pass over the whole row).
const TILE: u32 = 64u;
// Input values per row and tile of the float matmuls (a multiple of 2·LANES, likewise).
const XT: u32 = 512u;
var<workgroup> part: array<f32, 1024>;
var<workgroup> denom: array<f32, 4>;
var<workgroup> xq: array<u32, 2048>;
var<workgroup> xd: array<f32, 256>;
var<workgroup> xs: array<i32, 256>;

// Every thread of the workgroup: the RMS norm's denominator of each of its rows, 64
// threads per row, partial sums and tree as rms_norm.wgsl.
fn prologue(wg: vec3<u32>, l: vec3<u32>) {
    if (p.use_norm == 0u) {
        return;
    }
    let t = l.y * LANES + l.x;
    let i = t / 64u;
    let j = t % 64u;
    let m = wg.y * MR + i;
    var s = 0.0;
    if (m < p.m) {
        for (var c = j; c < p.k; c += 64u) {
            let v = x[m * p.k + c];
            s += v * v;
        }
    }
    part[t] = s;
    workgroupBarrier();
    for (var h = 32u; h > 0u; h >>= 1u) {
        if (j < h) {
            part[t] += part[t + h];
        }
        workgroupBarrier();
    }
    if (j == 0u) {
        denom[i] = sqrt(part[t] * (1.0 / f32(p.k)) + p.eps);
    }
    workgroupBarrier();
}

// Input value c of the workgroup's row i, normalized if asked, then scaled.
fn xval(row0: u32, i: u32, c: u32) -> f32 {
    var v = x[(row0 + i) * p.k + c];
    if (p.use_norm == 1u) {
        v = v / denom[i] * norm_w[c];
    }
    return v * p.x_scale;
}

// Rust's f32::round: halves go away from zero (WGSL's round() goes to even).
fn round_away(v: f32) -> f32 {
    let t = trunc(v);
    if (abs(v - t) >= 0.5) {
        return t + sign(v);
    }
    return t;
}

// Every thread of the workgroup: blocks tile0.. of the workgroup's rows to i8 (one block
// per thread), as the CPU kernels quantize: d = amax / 127, q = round(x / d), and Σq.
fn quantize_tile(wg: vec3<u32>, l: vec3<u32>, tile0: u32) {
    let t = l.y * LANES + l.x;
    let i = t / TILE;
    let b = tile0 + t % TILE;
    let row0 = wg.y * MR;
    workgroupBarrier();
    if (row0 + i < p.m && b < p.k / 32u) {
        var amax = 0.0;
        for (var j = 0u; j < 32u; j++) {
            amax = max(amax, abs(xval(row0, i, b * 32u + j)));
        }
        let d = amax / 127.0;
        var id = 0.0;
        if (d > 0.0) {
            id = 1.0 / d;
        }
        var sum = 0;
        for (var v = 0u; v < 8u; v++) {
            var word = 0u;
            for (var j = 0u; j < 4u; j++) {
                let q = clamp(round_away(xval(row0, i, b * 32u + v * 4u + j) * id), -128.0, 127.0);
                word |= (bitcast<u32>(i32(q)) & 0xffu) << (8u * j);
                sum += i32(q);
            }
            xq[t * 8u + v] = word;
        }
        xd[t] = d;
        xs[t] = sum;
    }
    workgroupBarrier();
}

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
            } else if (p.mode == 3u) {
                let c = n + p.col0;
                let which = c / p.split;
                let col = c % p.split;
                if (which == 0u) {
                    y[m * p.split + col] = v;
                } else {
                    let dst = ((m / p.lq) * p.cap + st.pos + m % p.lq) * p.split + col;
                    if (which == 1u) {
                        yk[dst] = v;
                    } else {
                        yv[dst] = v;
                    }
                }
            } else {
                y[at] = v;
            }
        }
    }
}

// Every thread of the workgroup: input values c0..c0 + XT of the workgroup's rows, normalized
// and scaled once, into workgroup memory (xq, as f32 bits) for the float matmuls.
fn stage_tile(wg: vec3<u32>, l: vec3<u32>, c0: u32) {
    let row0 = wg.y * MR;
    workgroupBarrier();
    for (var e = l.y * LANES + l.x; e < MR * XT; e += MR * 64u) {
        let i = e / XT;
        let c = c0 + e % XT;
        if (row0 + i < p.m && c < p.k) {
            xq[e] = bitcast<u32>(xval(row0, i, c));
        }
    }
    workgroupBarrier();
}

@compute @workgroup_size(8, 32)
fn matmul_f32(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {
    prologue(wg, l);
    let n = wg.x * OUTS + l.y;
    let m0 = wg.y * MR;
    var acc = vec4<f32>(0.0);
    let rows = min(MR, p.m - m0);
    for (var c0 = 0u; c0 < p.k; c0 += XT) {
        stage_tile(wg, l, c0);
        if (n < p.n) {
            for (var c = l.x; c < min(XT, p.k - c0); c += LANES) {
                let wv = w[n * p.k + c0 + c];
                for (var i = 0u; i < rows; i++) {
                    acc[i] += bitcast<f32>(xq[i * XT + c]) * wv;
                }
            }
        }
    }
    finish(wg, l, acc);
}

// Each lane reads whole words (two halves), consecutive lanes consecutive words; k is even.
@compute @workgroup_size(8, 32)
fn matmul_f16(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {
    prologue(wg, l);
    let n = wg.x * OUTS + l.y;
    let m0 = wg.y * MR;
    var acc = vec4<f32>(0.0);
    let words = p.k / 2u;
    let rows = min(MR, p.m - m0);
    for (var c0 = 0u; c0 < p.k; c0 += XT) {
        stage_tile(wg, l, c0);
        if (n < p.n) {
            for (var c = l.x; c < min(XT, p.k - c0) / 2u; c += LANES) {
                let wv = unpack2x16float(wq[n * words + c0 / 2u + c]);
                for (var i = 0u; i < rows; i++) {
                    let at = i * XT + 2u * c;
                    acc[i] += bitcast<f32>(xq[at]) * wv.x + bitcast<f32>(xq[at + 1u]) * wv.y;
                }
            }
        }
    }
    finish(wg, l, acc);
}

// Block xb of the tile (xq words from 8·xb) against the weight words from wi.
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
    prologue(wg, l);
    let n = wg.x * OUTS + l.y;
    let m0 = wg.y * MR;
    var acc = vec4<f32>(0.0);
    let blocks = p.k / 32u;
    let rows = min(MR, p.m - m0);
    for (var tile0 = 0u; tile0 < blocks; tile0 += TILE) {
        quantize_tile(wg, l, tile0);
        if (n < p.n) {
            for (var b = l.x; b < min(TILE, blocks - tile0); b += LANES) {
                let wb = n * blocks + tile0 + b;
                let scale = wd[wb];
                for (var i = 0u; i < rows; i++) {
                    let xb = i * TILE + b;
                    acc[i] += scale * xd[xb] * f32(dot_block(wb * 8u, xb * 8u));
                }
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
    prologue(wg, l);
    let n = wg.x * OUTS + l.y;
    let m0 = wg.y * MR;
    var acc = vec4<f32>(0.0);
    let subs = p.k / 32u;
    let rows = min(MR, p.m - m0);
    for (var tile0 = 0u; tile0 < subs; tile0 += TILE) {
        quantize_tile(wg, l, tile0);
        if (n < p.n) {
            for (var b = l.x; b < min(TILE, subs - tile0); b += LANES) {
                let wb = n * subs + tile0 + b;
                let scale = wd[wb];
                let mn = wm[wb];
                for (var i = 0u; i < rows; i++) {
                    let xb = i * TILE + b;
                    acc[i] += xd[xb] * (scale * f32(dot_nibbles(wb * 4u, xb * 8u)) - mn * f32(xs[xb]));
                }
            }
        }
    }
    finish(wg, l, acc);
}

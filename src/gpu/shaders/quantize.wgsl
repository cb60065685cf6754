// Activations to q8 blocks for the quantized matmuls, exactly as the CPU kernels quantize
// them: per 32 values d = amax / 127, q = round(x / d) (halves away from zero), after scaling
// by x_scale; plus each block's Σq (q4k's min term).

struct Params { blocks: u32, x_scale: f32, pad0: u32, pad1: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> xq: array<u32>;
@group(0) @binding(3) var<storage, read_write> xd: array<f32>;
@group(0) @binding(4) var<storage, read_write> xs: array<i32>;

// Rust's f32::round: halves go away from zero (WGSL's round() goes to even).
fn round_away(v: f32) -> f32 {
    let t = trunc(v);
    if (abs(v - t) >= 0.5) {
        return t + sign(v);
    }
    return t;
}

@compute @workgroup_size(64)
fn quantize_q8(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
    for (var b = g.x; b < p.blocks; b += nw.x * 64u) {
        var amax = 0.0;
        for (var j = 0u; j < 32u; j++) {
            amax = max(amax, abs(x[b * 32u + j] * p.x_scale));
        }
        let d = amax / 127.0;
        var id = 0.0;
        if (d > 0.0) {
            id = 1.0 / d;
        }
        var sum = 0;
        for (var w = 0u; w < 8u; w++) {
            var word = 0u;
            for (var j = 0u; j < 4u; j++) {
                let v = clamp(round_away(x[b * 32u + w * 4u + j] * p.x_scale * id), -128.0, 127.0);
                word |= (bitcast<u32>(i32(v)) & 0xffu) << (8u * j);
                sum += i32(v);
            }
            xq[b * 8u + w] = word;
        }
        xd[b] = d;
        xs[b] = sum;
    }
}

// T5's layer norm (RMS, no mean, no bias), one workgroup per row:
// out = x / sqrt(mean(x²) + eps) * w, in the CPU path's order of operations.

struct Params { rows: u32, d: u32, eps: f32, pad: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

var<workgroup> part: array<f32, 64>;

@compute @workgroup_size(64)
fn rms_norm(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {
    let base = wg.x * p.d;
    var s = 0.0;
    for (var c = l.x; c < p.d; c += 64u) {
        let v = x[base + c];
        s += v * v;
    }
    part[l.x] = s;
    workgroupBarrier();
    for (var k = 32u; k > 0u; k >>= 1u) {
        if (l.x < k) {
            part[l.x] += part[l.x + k];
        }
        workgroupBarrier();
    }
    let denom = sqrt(part[0] * (1.0 / f32(p.d)) + p.eps);
    for (var c = l.x; c < p.d; c += 64u) {
        out[base + c] = x[base + c] / denom * w[c];
    }
}

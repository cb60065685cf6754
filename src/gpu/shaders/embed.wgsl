// Embedding gather: out[r, :] = table[ids[r], :], from f32 or f16 rows, q8_0 blocks or q4k
// sub-blocks (value = scale·q − min, as the CPU dequantizes).

struct Params { rows: u32, d: u32, vocab: u32, pad: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read> table: array<u32>;
@group(0) @binding(3) var<storage, read> scales: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<storage, read> mins: array<f32>;

// Ids are checked on the CPU before upload; the clamp only keeps a bad id inside the buffer.
fn row_of(i: u32) -> u32 {
    return min(ids[i / p.d], p.vocab - 1u);
}

@compute @workgroup_size(64)
fn embed_f32(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
    for (var i = g.x; i < p.rows * p.d; i += nw.x * 64u) {
        out[i] = bitcast<f32>(table[row_of(i) * p.d + i % p.d]);
    }
}

@compute @workgroup_size(64)
fn embed_f16(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
    for (var i = g.x; i < p.rows * p.d; i += nw.x * 64u) {
        let e = row_of(i) * p.d + i % p.d;
        out[i] = unpack2x16float(table[e / 2u])[e % 2u];
    }
}

@compute @workgroup_size(64)
fn embed_q8(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
    for (var i = g.x; i < p.rows * p.d; i += nw.x * 64u) {
        let e = row_of(i) * p.d + i % p.d;
        let q = extractBits(bitcast<i32>(table[e / 4u]), (e % 4u) * 8u, 8u);
        out[i] = scales[e / 32u] * f32(q);
    }
}

@compute @workgroup_size(64)
fn embed_q4k(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
    for (var i = g.x; i < p.rows * p.d; i += nw.x * 64u) {
        let e = row_of(i) * p.d + i % p.d;
        let q = (table[e / 8u] >> ((e % 8u) * 4u)) & 0xfu;
        out[i] = scales[e / 32u] * f32(q) - mins[e / 32u];
    }
}

// Cache bookkeeping: gathering whole rows of decoder caches laid out (row, capacity, inner)
// for beam reordering and repetition. (The step's keys and values are written into the
// caches by the fused q/k/v matmul.)

// capacity: positions per row of the cache read; dst_capacity: of the one written.
struct Params { rows: u32, lq: u32, inner: u32, capacity: u32, dst_capacity: u32, pad0: u32, pad1: u32, pad2: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(2) var<storage, read> src: array<f32>;
@group(0) @binding(3) var<storage, read> parents: array<u32>;
@group(0) @binding(4) var<storage, read_write> dst: array<f32>;

// dst row r = src row parents[r], for the first `lq` positions (rows may change capacity).
@compute @workgroup_size(64)
fn gather_rows(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
    let used = p.lq * p.inner;
    for (var e = g.x; e < p.rows * used; e += nw.x * 64u) {
        let r = e / used;
        let rest = e % used;
        dst[r * p.dst_capacity * p.inner + rest] = src[parents[r] * p.capacity * p.inner + rest];
    }
}

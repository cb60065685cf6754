//! T5's relative position buckets, as in Hugging Face's `T5Attention._relative_position_bucket`.
//!
//! The encoder sees both directions (half the buckets for keys after the query); the decoder
//! is causal and spends all buckets on keys at or before the query. candle-transformers 0.11
//! used the bidirectional formula in the decoder too, which differs from HF from distance 9 on.

/// Bucket of `relative = key_position - query_position`.
pub fn bucket(relative: i64, bidirectional: bool, num_buckets: usize, max_distance: usize) -> u32 {
    let mut num_buckets = num_buckets as i64;
    let mut offset = 0;
    let distance = if bidirectional {
        num_buckets /= 2;
        if relative > 0 {
            offset = num_buckets;
        }
        relative.abs()
    } else {
        (-relative).max(0)
    };
    let max_exact = num_buckets / 2;
    let b = if distance < max_exact {
        distance
    } else {
        // Same f32 arithmetic as the PyTorch reference so boundary distances round alike.
        let ratio = (distance as f32 / max_exact as f32).ln()
            / ((max_distance as f64 / max_exact as f64).ln() as f32);
        let large = max_exact + (ratio * (num_buckets - max_exact) as f32) as i64;
        // The cap keeps distances past `max_distance` (>128 tokens) in the last bucket.
        large.min(num_buckets - 1)
    };
    (offset + b) as u32
}

/// Buckets for queries at `q_start..q_start+q_len` against keys `0..k_len`, row-major.
pub fn bucket_grid(
    q_start: usize,
    q_len: usize,
    k_len: usize,
    bidirectional: bool,
    num_buckets: usize,
    max_distance: usize,
) -> Vec<u32> {
    let mut out = Vec::with_capacity(q_len * k_len);
    for q in q_start..q_start + q_len {
        for k in 0..k_len {
            out.push(bucket(
                k as i64 - q as i64,
                bidirectional,
                num_buckets,
                max_distance,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causal_buckets_match_hf_values() {
        // Values of HF `_relative_position_bucket(-d, bidirectional=False, 32, 128)`.
        let expect = [
            (0, 0),
            (1, 1),
            (15, 15),
            (16, 16),
            (20, 17),
            (31, 21),
            (32, 21),
            (64, 26),
            (100, 30),
            (127, 31),
            (500, 31),
        ];
        for (d, b) in expect {
            assert_eq!(bucket(-d, false, 32, 128), b, "distance {d}");
        }
        // Keys after the query never happen causally; they share bucket 0.
        assert_eq!(bucket(5, false, 32, 128), 0);
    }

    #[test]
    fn bidirectional_buckets_match_hf_values() {
        let expect = [
            (0, 0),
            (-1, 1),
            (1, 17),
            (-7, 7),
            (-8, 8),
            (-12, 9),
            (-16, 10),
            (-32, 12),
            (-64, 14),
            (-200, 15),
            (200, 31),
            (9, 24),
        ];
        for (r, b) in expect {
            assert_eq!(bucket(r, true, 32, 128), b, "relative {r}");
        }
    }
}

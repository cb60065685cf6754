//! Tanimoto and Dice similarity on bit vectors and on count vectors, with RDKit's conventions:
//! on counts the intersection is the sum of the smaller counts and the union the sum of the
//! larger ones; two empty fingerprints have similarity 0.

use super::bits::{FingerprintBits, SparseCounts};

/// |A ∩ B| / |A ∪ B| on the on bits.
pub fn tanimoto_bits(a: &FingerprintBits, b: &FingerprintBits) -> f64 {
    let common = f64::from(a.count_common(b));
    let union = f64::from(a.count_ones()) + f64::from(b.count_ones()) - common;
    ratio(common, union)
}

/// 2 |A ∩ B| / (|A| + |B|) on the on bits.
pub fn dice_bits(a: &FingerprintBits, b: &FingerprintBits) -> f64 {
    let common = f64::from(a.count_common(b));
    ratio(
        2.0 * common,
        f64::from(a.count_ones()) + f64::from(b.count_ones()),
    )
}

/// Σ min(a, b) / Σ max(a, b) over all feature ids (RDKit's `TanimotoSimilarity` on count
/// vectors, as MolT5's Morgan metric computes it).
pub fn tanimoto_counts(a: &SparseCounts, b: &SparseCounts) -> f64 {
    let common = min_sum(a, b) as f64;
    ratio(common, a.total() as f64 + b.total() as f64 - common)
}

/// 2 Σ min(a, b) / (Σ a + Σ b).
pub fn dice_counts(a: &SparseCounts, b: &SparseCounts) -> f64 {
    let common = min_sum(a, b) as f64;
    ratio(2.0 * common, a.total() as f64 + b.total() as f64)
}

fn ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 { 0.0 } else { num / den }
}

/// Σ min(a[id], b[id]) by a merge of the two sorted entry lists.
fn min_sum(a: &SparseCounts, b: &SparseCounts) -> u64 {
    let (x, y) = (a.entries(), b.entries());
    let (mut i, mut j, mut sum) = (0, 0, 0u64);
    while i < x.len() && j < y.len() {
        match x[i].0.cmp(&y[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += u64::from(x[i].1.min(y[j].1));
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_similarities() {
        let a = FingerprintBits::from_on_bits(64, [1, 2, 3, 4]).unwrap();
        let b = FingerprintBits::from_on_bits(64, [3, 4, 5]).unwrap();
        assert!((tanimoto_bits(&a, &b) - 2.0 / 5.0).abs() < 1e-15);
        assert!((dice_bits(&a, &b) - 4.0 / 7.0).abs() < 1e-15);
        assert_eq!(tanimoto_bits(&a, &a), 1.0);
        let empty = FingerprintBits::new(64);
        assert_eq!(tanimoto_bits(&empty, &empty), 0.0);
        assert_eq!(dice_bits(&empty, &empty), 0.0);
    }

    #[test]
    fn count_similarities_use_min_over_max() {
        let a = SparseCounts::from_ids([1, 1, 1, 2]);
        let b = SparseCounts::from_ids([1, 2, 2, 9]);
        // min: 1 (id 1) + 1 (id 2) = 2; max: 3 + 2 + 1 = 6.
        assert!((tanimoto_counts(&a, &b) - 2.0 / 6.0).abs() < 1e-15);
        assert!((dice_counts(&a, &b) - 4.0 / 8.0).abs() < 1e-15);
        assert_eq!(
            tanimoto_counts(&SparseCounts::default(), &SparseCounts::default()),
            0.0
        );
    }
}

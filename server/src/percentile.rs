//! Percentiles of whole days from a histogram: what learnt estimates and the seller's insights
//! both read from the `deliveries` table, counted per number of days.

/// The `p`th percentile (0–100) by nearest rank of a histogram of `(days, parcels)` pairs in any
/// order; `None` when it holds no parcel.
///
/// Nearest rank (the smallest value with at least `p`% of the parcels at or below it) always
/// answers a day some parcel really took, never an interpolated fraction.
pub fn of_histogram(histogram: &[(u32, u64)], p: u8) -> Option<u32> {
    let total: u64 = histogram.iter().map(|(_, parcels)| parcels).sum();
    if total == 0 {
        return None;
    }
    let p = u64::from(p.min(100));
    // ceil(p/100 · total), at least the first parcel.
    let rank = (p * total).div_ceil(100).max(1);
    let mut sorted: Vec<(u32, u64)> = histogram.to_vec();
    sorted.sort_unstable_by_key(|(days, _)| *days);
    let mut seen = 0;
    for (days, parcels) in sorted {
        seen += parcels;
        if seen >= rank {
            return Some(days);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn nearest_rank_answers_a_day_some_parcel_took() {
        // Ten parcels: 3, 4, 4, 5, 5, 5, 6, 6, 7, 12 days.
        let histogram = [(5, 3), (3, 1), (12, 1), (4, 2), (6, 2), (7, 1)];
        let table = [
            (0, 3),
            (10, 3),
            (20, 4),
            (50, 5),
            (80, 6),
            (90, 7),
            (91, 12),
            (100, 12),
        ];
        for (p, days) in table {
            assert_eq!(of_histogram(&histogram, p), Some(days), "p{p}");
        }
    }

    #[test]
    fn an_empty_histogram_has_no_percentile() {
        assert_eq!(of_histogram(&[], 50), None);
        assert_eq!(of_histogram(&[(4, 0)], 50), None);
    }

    proptest! {
        #[test]
        fn percentiles_never_fall_as_p_rises(
            histogram in proptest::collection::vec((0u32..60, 0u64..50), 0..20),
            p in 0u8..100,
        ) {
            let lower = of_histogram(&histogram, p);
            let higher = of_histogram(&histogram, p + 1);
            prop_assert!(lower <= higher || lower.is_none());
            if let Some(days) = lower {
                prop_assert!(histogram.iter().any(|(d, n)| *d == days && *n > 0));
            }
        }
    }
}

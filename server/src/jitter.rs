//! The random fraction that spreads a retry's wait (`trackline_core::retry::Backoff`), so that
//! what failed together, on one instance or many, does not come back together.

/// A fraction in `[0, 1)` from the system's randomness; the middle, 0.5, if it has none.
pub fn random() -> f64 {
    let mut byte = [0u8; 1];
    getrandom::fill(&mut byte).map_or(0.5, |()| f64::from(byte[0]) / 256.0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_fraction_is_within_zero_and_one() {
        for _ in 0..1_000 {
            let random = super::random();
            assert!((0.0..1.0).contains(&random), "{random}");
        }
    }
}

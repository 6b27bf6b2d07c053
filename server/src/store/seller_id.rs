//! The key of everything a seller owns.

/// A seller's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SellerId(pub i64);

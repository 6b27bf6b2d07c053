//! How long a parcel waits at a pickup point before it goes back.

use crate::time::parse_date;

/// The storage deadline against the buyer's today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageLeft {
    /// Whole days after today that it is still kept, at least 1.
    DaysLeft(i64),
    /// Today is the last day.
    LastDay,
    /// The deadline has passed: the parcel may already be on its way back.
    Expired,
}

/// Counts the days left until the storage deadline (ISO date); `None` if it does not parse.
pub fn storage_left(until: &str, today: i64) -> Option<StorageLeft> {
    let last = parse_date(until)?;
    Some(match last - today {
        days if days > 0 => StorageLeft::DaysLeft(days),
        0 => StorageLeft::LastDay,
        _ => StorageLeft::Expired,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_left_count_from_the_buyers_today() {
        let today = parse_date("2026-11-23").unwrap();
        assert_eq!(
            storage_left("2026-11-26", today),
            Some(StorageLeft::DaysLeft(3))
        );
        assert_eq!(
            storage_left("2026-11-24", today),
            Some(StorageLeft::DaysLeft(1))
        );
        assert_eq!(
            storage_left("2026-11-23", today),
            Some(StorageLeft::LastDay)
        );
        assert_eq!(
            storage_left("2026-11-20", today),
            Some(StorageLeft::Expired)
        );
        assert_eq!(storage_left("Friday", today), None);
    }
}

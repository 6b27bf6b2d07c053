//! Wrong passwords at the console's sign-in, counted per key (a login, a client address) in one
//! row each, shared by every instance over one store: `lockouts`' conditional upsert, over a
//! table that names no seller (a sign-in names none until it succeeds).

use super::lockouts::{Counted, Tally};
use super::{duration_ms, Store, StoreError};
use std::time::Duration;

impl Store {
    /// Checks that every tally has room at `now` and, when the password was `wrong`, counts it
    /// against all of them, in one transaction, as `count_reply` does for second factors: each
    /// row is upserted only while it has room and held until the end, so that passwords tried
    /// at the same moment are counted one after another.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn count_sign_in(
        &self,
        tallies: &[Tally],
        wrong: bool,
        now: i64,
    ) -> Result<Counted, StoreError> {
        let mut order: Vec<usize> = (0..tallies.len()).collect();
        order.sort_by(|a, b| {
            let (a, b) = (&tallies[*a], &tallies[*b]);
            (a.against, &a.subject).cmp(&(b.against, &b.subject))
        });
        let mut tx = self.begin_write().await?;
        for index in order {
            let tally = &tallies[index];
            let counted: Option<i64> = sqlx::query_scalar(
                "INSERT INTO sign_in_failures (against, subject, wrong, ends_ms)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (against, subject) DO UPDATE SET
                     wrong = CASE WHEN sign_in_failures.ends_ms <= $5 THEN excluded.wrong
                                  ELSE sign_in_failures.wrong + excluded.wrong END,
                     ends_ms = CASE WHEN sign_in_failures.ends_ms <= $5 THEN excluded.ends_ms
                                    ELSE sign_in_failures.ends_ms END
                 WHERE sign_in_failures.ends_ms <= $5 OR sign_in_failures.wrong < $6
                 RETURNING wrong",
            )
            .bind(tally.against)
            .bind(&tally.subject)
            .bind(i64::from(wrong))
            .bind(now.saturating_add(duration_ms(tally.window)))
            .bind(now)
            .bind(tally.max)
            .fetch_optional(&mut *tx)
            .await?;
            if counted.is_none() {
                let ends_ms: i64 = sqlx::query_scalar(
                    "SELECT ends_ms FROM sign_in_failures WHERE against = $1 AND subject = $2",
                )
                .bind(tally.against)
                .bind(&tally.subject)
                .fetch_one(&mut *tx)
                .await?;
                tx.rollback().await?;
                let wait = u64::try_from(ends_ms.saturating_sub(now)).unwrap_or(0);
                return Ok(Counted::Full {
                    tally: index,
                    wait: Duration::from_millis(wait.max(1)),
                });
            }
        }
        tx.commit().await?;
        Ok(Counted::Room)
    }
}

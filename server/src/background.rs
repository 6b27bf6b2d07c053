//! The loops every instance runs beside its requests (webhook deliveries, notifications, carrier
//! polls, forgetting what has outlived its use): how often they turn, and what a failing store
//! does to them. What a turn does is its own: the delivery loops' turns start sends that go on
//! in tasks of their own (`in_flight`), a poll's turn does its work itself.

use crate::store::{Store, StoreError};
use std::future::Future;
use std::time::Duration;
// tokio's, so that a paused test clock moves it too.
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Runs `turn` until `stop` is cancelled: again at once after a turn that did or started
/// something (the queue may hold more), after `idle` after one that found nothing to do, and
/// after at least a second when the store failed, which is logged as `what`'s and waited out,
/// never fatal. `stop` is heard between turns, so a turn ends first.
pub async fn keep_turning<Turn, Turned>(
    stop: &CancellationToken,
    idle: Duration,
    what: &'static str,
    mut turn: Turn,
) where
    Turn: FnMut() -> Turned,
    Turned: Future<Output = Result<usize, StoreError>>,
{
    loop {
        let wait = match turn().await {
            Ok(0) => idle,
            Ok(_) => Duration::ZERO,
            Err(error) => {
                tracing::warn!(%error, "{what}: the store failed; trying again");
                idle.max(Duration::from_secs(1))
            }
        };
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// As `keep_turning`, with `sweep` done before the first turn and then before the first turn
/// after every `period` (ending what is old, queuing reminders); a sweep logs its own failures.
pub async fn keep_turning_and_sweeping<Sweep, Swept, Turn, Turned>(
    stop: &CancellationToken,
    idle: Duration,
    what: &'static str,
    period: Duration,
    mut sweep: Sweep,
    mut turn: Turn,
) where
    Sweep: FnMut() -> Swept,
    Swept: Future<Output = ()>,
    Turn: FnMut() -> Turned,
    Turned: Future<Output = Result<usize, StoreError>>,
{
    let mut sweeps = Every::new(period);
    keep_turning(stop, idle, what, || {
        let swept = sweeps.due().then(&mut sweep);
        let turned = turn();
        async move {
            if let Some(swept) = swept {
                swept.await;
            }
            turned.await
        }
    })
    .await;
}

/// How often an instance looks for rows that have outlived their use.
const FORGET_EVERY: Duration = Duration::from_secs(600);

/// Forgets what has outlived its use (`Store::forget_expired`, `Store::forget_console`) until `stop` is cancelled:
/// batch after batch while there is any, then every ten minutes.
pub async fn keep_forgetting(store: Store, stop: CancellationToken) {
    let store = &store;
    keep_turning(
        &stop,
        FORGET_EVERY,
        "forgetting expired rows",
        || async move {
            let now = crate::store::now_ms();
            let forgotten = store.forget_expired(now).await?;
            let console = store
                .forget_console(now, crate::console_auth::console_ages())
                .await?;
            if forgotten.total() + console.total() > 0 {
                tracing::debug!(?forgotten, ?console, "forgot expired rows");
            }
            // Imports expire within the hour (or the day, applied): swept here too, not only
            // when the next preview comes.
            let imports = store.forget_expired_imports(now).await?;
            let total = (forgotten.total() + console.total()).saturating_add(imports);
            Ok(usize::try_from(total).unwrap_or(usize::MAX))
        },
    )
    .await;
}

/// A chore done now and then between turns: due on the first, then once every `period`.
#[derive(Debug)]
struct Every {
    period: Duration,
    last: Option<Instant>,
}

impl Every {
    /// A chore due at once, then every `period`.
    fn new(period: Duration) -> Every {
        Every { period, last: None }
    }

    /// Whether the chore is due now; if it is, the next is a `period` from now.
    fn due(&mut self) -> bool {
        let due = self.last.is_none_or(|last| last.elapsed() >= self.period);
        if due {
            self.last = Some(Instant::now());
        }
        due
    }
}

/// Gives the rows stored before migrations 0024 and 0027 their list columns, once, in the
/// background (`Store::fill_list_columns`), until `stop`: a large table no longer holds the
/// server from listening. Meanwhile a seller's list fills that seller's own on demand.
pub async fn fill_list_columns(store: Store, stop: CancellationToken) {
    match stop.run_until_cancelled(store.fill_list_columns()).await {
        Some(Ok(filled)) if filled > 0 => {
            tracing::info!(
                filled,
                "gave shipments stored by an older version their list columns"
            );
        }
        Some(Err(error)) => {
            tracing::warn!(%error, "giving older shipments their list columns failed; each seller's list fills its own");
        }
        _ => {}
    }
}

/// Gives the shipments delivered before migration 0029 their row in `deliveries`, once, in the
/// background (`updates::fill_deliveries`), until `stop`: learnt estimates and the insights
/// count them from then on.
pub async fn fill_deliveries(store: Store, stop: CancellationToken) {
    match stop
        .run_until_cancelled(crate::updates::fill_deliveries(&store))
        .await
    {
        Some(Ok(kept)) if kept > 0 => {
            tracing::info!(kept, "kept the parcels delivered before 0029 in deliveries");
        }
        Some(Err(error)) => {
            tracing::warn!(%error, "keeping older deliveries failed; they count from the next start");
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chore_is_due_first_and_then_once_a_period() {
        let mut hourly = Every::new(Duration::from_secs(3600));
        assert!(hourly.due());
        assert!(!hourly.due());
        let mut always = Every::new(Duration::ZERO);
        assert!(always.due());
        assert!(always.due());
    }

    /// A token cancelled `after` from now (on the test's paused clock).
    fn cancelled_after(after: Duration) -> CancellationToken {
        let stop = CancellationToken::new();
        let cancel = stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            cancel.cancel();
        });
        stop
    }

    #[tokio::test(start_paused = true)]
    async fn a_busy_queue_turns_at_once_an_idle_one_waits_and_a_failing_store_never_stops_it() {
        let turns = std::sync::Mutex::new(Vec::new());
        let answers = [Ok(2), Ok(0), Err(()), Ok(0)];
        let started = tokio::time::Instant::now();
        keep_turning(
            &cancelled_after(Duration::from_secs(30)),
            Duration::from_millis(100),
            "test",
            || {
                let mut turns = turns
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                let answer = answers.get(turns.len()).copied().unwrap_or(Ok(0));
                turns.push(started.elapsed());
                async move { answer.map_err(|()| StoreError::Database(sqlx::Error::PoolTimedOut)) }
            },
        )
        .await;
        let turns = turns.into_inner().unwrap_or_default();
        assert_eq!(
            turns[..5],
            [0, 0, 100, 1100, 1200].map(Duration::from_millis),
            "a busy queue at once, an idle one after 100 ms, a failed store after a second"
        );
        // It returned when told to stop, not before.
        assert!(turns.last() >= Some(&Duration::from_millis(29_900)));
        assert!(turns.last() <= Some(&Duration::from_secs(30)));
    }

    #[tokio::test(start_paused = true)]
    async fn a_sweep_comes_before_the_first_turn_and_then_once_a_period() {
        let swept = std::sync::Mutex::new(Vec::new());
        let started = tokio::time::Instant::now();
        keep_turning_and_sweeping(
            &cancelled_after(Duration::from_millis(2_500)),
            Duration::from_millis(400),
            "test",
            Duration::from_secs(1),
            || {
                swept
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .push(started.elapsed());
                async {}
            },
            || async { Ok(0) },
        )
        .await;
        // Turns at 0, 400, 800, 1200…: the first sweep with the first, the next with the first
        // turn a second or more after it.
        assert_eq!(
            swept.into_inner().unwrap_or_default(),
            [0, 1200, 2400].map(Duration::from_millis)
        );
    }
}

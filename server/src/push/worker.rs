//! The loop that sends buyers' notifications, run by every instance: takes what is due (leased,
//! so no two instances send one message), sends it, and records what the push service said; and
//! every few minutes ends old subscriptions and queues the last-day reminders.

use super::sender::{self, Sent};
use super::vapid::Vapid;
use crate::background::keep_turning_and_sweeping;
use crate::store::push::{DuePush, PushNext};
use crate::store::{Store, StoreError};
use std::time::Duration;

/// How often subscriptions are looked over (past their end, a pickup deadline tomorrow).
const SWEEP_EVERY: Duration = Duration::from_secs(300);

/// The tries a message gets before it is given up on.
const MOST_TRIES: u32 = 6;

/// The push loop and what it needs.
#[derive(Debug, Clone)]
pub struct Worker {
    store: Store,
    vapid: Vapid,
    client: reqwest::Client,
    /// How long to wait, when nothing is due, before looking again.
    idle: Duration,
    /// Whether push services on private networks are reached.
    private_allowed: bool,
}

impl Worker {
    /// A worker over `store` signing with `vapid`; push services on private networks are reached
    /// only if `private_allowed` (tests, with a local push service).
    pub fn new(store: Store, vapid: Vapid, idle: Duration, private_allowed: bool) -> Worker {
        Worker {
            store,
            vapid,
            client: sender::client(private_allowed),
            idle,
            private_allowed,
        }
    }

    /// Sends until `stop` resolves; a failing store is logged and waited out, never fatal.
    pub async fn run(self, stop: impl std::future::Future<Output = ()>) {
        let sweep = || async {
            let now = crate::store::now_ms();
            if let Err(error) = self.store.sweep_push(now, &tomorrow(now)).await {
                tracing::warn!(%error, "push: looking over subscriptions failed");
            }
        };
        keep_turning_and_sweeping(stop, self.idle, "push", SWEEP_EVERY, sweep, || {
            self.send_due()
        })
        .await;
    }

    /// Sends every message due now, one after another; returns how many were tried.
    ///
    /// # Errors
    /// `StoreError` if the store fails.
    pub async fn send_due(&self) -> Result<usize, StoreError> {
        let mut tried = 0;
        let lease_ms = 60_000;
        while let Some(due) = self
            .store
            .claim_push(crate::store::now_ms(), lease_ms)
            .await?
        {
            let next = self.send(&due).await;
            crate::metrics::push_message(match next {
                PushNext::Sent => "sent",
                PushNext::RetryAt(_) => "retried",
                PushNext::Failed => "failed",
                PushNext::Gone => "gone",
            });
            self.store.record_push(&due, next).await?;
            tried += 1;
        }
        Ok(tried)
    }

    async fn send(&self, due: &DuePush) -> PushNext {
        // An address written in the URL meets no resolver, so `PublicOnly` never sees it: a
        // subscription stored before the filter knew its form (NAT64, 6to4…) ends here.
        if !self.private_allowed
            && crate::webhooks::destination::refused_literal(&due.subscription.endpoint)
        {
            tracing::warn!("push: a subscription names a private address; it ends");
            return PushNext::Gone;
        }
        let sent = sender::send(
            &self.client,
            &self.vapid,
            &due.subscription,
            due.body.as_bytes(),
            &due.topic,
        )
        .await;
        let now = crate::store::now_ms();
        let later = |wait: Option<Duration>| {
            let expired = now - due.queued_ms > crate::store::duration_ms(sender::TIME_TO_LIVE);
            if due.attempts >= MOST_TRIES || expired {
                return PushNext::Failed;
            }
            // A minute, doubled each try, or what the service asked for if longer.
            let backoff = 60_000_i64 << due.attempts.min(10);
            let asked = wait.map_or(0, crate::store::duration_ms);
            PushNext::RetryAt(now.saturating_add(backoff.max(asked)))
        };
        match sent {
            Ok(Sent::Accepted) => PushNext::Sent,
            Ok(Sent::Gone) => PushNext::Gone,
            Ok(Sent::Later(wait)) => later(wait),
            Ok(Sent::Refused(status)) => {
                tracing::warn!(status, "push: the push service refused a message");
                PushNext::Failed
            }
            Err(error) => {
                tracing::warn!(%error, "push: a message could not be sent");
                match error {
                    sender::PushError::Network(_) => later(None),
                    _ => PushNext::Failed,
                }
            }
        }
    }
}

/// Tomorrow's calendar date (ISO) in Moscow, where most pickup points are: a deadline is a
/// day at the point, and the reminder goes the day before, by its clock.
pub fn tomorrow(now_ms: i64) -> String {
    const MOSCOW_MS: i64 = 3 * 60 * 60 * 1000;
    let day = (now_ms + MOSCOW_MS).div_euclid(86_400_000) + 1;
    trackline_core::time::format_date(day)
}

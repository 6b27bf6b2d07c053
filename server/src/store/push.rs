//! Buyers' push subscriptions and the messages queued for them: subscribed against the shipments
//! a lookup showed, queued in the transaction of the change they tell of, leased to one instance
//! at a time, dropped when the push service says the subscription ended.

use super::lease::{self, Listing, Place, Queue, Waiting};
use super::{new_id, now_ms, Store, StoreError};
use crate::caps::Cap;
use crate::change::tells::{Subscriber, AFTER_DELIVERY_MS};
use sqlx::Row;
use std::net::IpAddr;

/// A browser's subscription as its `PushSubscription.toJSON()` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The push service's URL for this browser.
    pub endpoint: String,
    /// The browser's P-256 public key, base64url.
    pub p256dh: String,
    /// The browser's 16-byte authentication secret, base64url.
    pub auth: String,
}

/// The messages waiting to be sent: a browser's go one at a time, in the order they were queued.
const MESSAGES: Queue = Queue {
    find: "SELECT id FROM push_messages m
           WHERE state = 'pending' AND next_attempt_ms <= $1
             AND (leased_until_ms IS NULL OR leased_until_ms < $1)
             AND NOT EXISTS (SELECT 1 FROM push_messages e
                             WHERE e.subscription_id = m.subscription_id
                               AND e.state = 'pending' AND e.seq < m.seq)
           ORDER BY next_attempt_ms, id LIMIT 1",
    take: "UPDATE push_messages SET leased_until_ms = $1, attempts = attempts + 1
           WHERE id = $2 AND state = 'pending'
             AND (leased_until_ms IS NULL OR leased_until_ms < $3)
           RETURNING id, subscription_id, body, topic, attempts, queued_ms, seller_id",
};

/// A message `MESSAGES` could take at `$1`: due, free, and the first pending of its browser's.
macro_rules! takeable {
    ($m:literal) => {
        concat!(
            $m,
            ".state = 'pending' AND ",
            $m,
            ".next_attempt_ms <= $1
             AND (",
            $m,
            ".leased_until_ms IS NULL OR ",
            $m,
            ".leased_until_ms < $1)
             AND NOT EXISTS (SELECT 1 FROM push_messages e
                             WHERE e.subscription_id = ",
            $m,
            ".subscription_id
                               AND e.state = 'pending' AND e.seq < ",
            $m,
            ".seq)"
        )
    };
}

/// The messages `MESSAGES` would take, where each goes, in queue order (`lease::waiting`): the
/// first due, and at most `$5` of each seller's, each seller's next one found from its last one
/// through `push_messages_seller_due` (the sellers with none cost one probe each).
const WAITING: Listing = Listing {
    first: concat!(
        "SELECT m.id, s.endpoint AS destination, m.seller_id, m.next_attempt_ms AS due_ms
         FROM push_messages m JOIN push_subscriptions s ON s.id = m.subscription_id
         WHERE ",
        takeable!("m"),
        " AND (m.next_attempt_ms > $2 OR (m.next_attempt_ms = $2 AND m.id > $3))
         ORDER BY m.next_attempt_ms, m.id LIMIT $4"
    ),
    fair: concat!(
        "WITH RECURSIVE listed (seller_id, id, nth) AS (
             SELECT r.id,
                    (SELECT m.id FROM push_messages m
                     WHERE m.seller_id = r.id AND ",
        takeable!("m"),
        "      AND m.next_attempt_ms >= $2 AND (m.next_attempt_ms > $2 OR m.id > $3)
                     ORDER BY m.next_attempt_ms, m.id LIMIT 1),
                    1
             FROM (SELECT id FROM sellers UNION ALL SELECT 0) r
           UNION ALL
             SELECT l.seller_id,
                    (SELECT m.id FROM push_messages m
                     WHERE m.seller_id = l.seller_id AND ",
        takeable!("m"),
        "      AND m.next_attempt_ms >= p.next_attempt_ms
                       AND (m.next_attempt_ms > p.next_attempt_ms OR m.id > p.id)
                     ORDER BY m.next_attempt_ms, m.id LIMIT 1),
                    l.nth + 1
             FROM listed l JOIN push_messages p ON p.id = l.id
             WHERE l.nth < $5
         )
         SELECT m.id, s.endpoint AS destination, m.seller_id, m.next_attempt_ms AS due_ms
         FROM listed l JOIN push_messages m ON m.id = l.id
         JOIN push_subscriptions s ON s.id = m.subscription_id
         ORDER BY m.next_attempt_ms, m.id LIMIT $4"
    ),
};

/// A message taken to be sent: to whom, what, and how many tries so far (this one included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuePush {
    /// The message's id.
    pub id: i64,
    /// The seller whose buyer subscribed (0 for a message older than migration 0022 that had none).
    pub seller: super::seller_id::SellerId,
    /// Its subscription's id.
    pub subscription_id: i64,
    /// The browser's subscription, its keys opened.
    pub subscription: Subscription,
    /// The notification, JSON.
    pub body: String,
    /// The parcel's topic.
    pub topic: String,
    /// Tries so far, this one included.
    pub attempts: u32,
    /// When it was queued (ms).
    pub queued_ms: i64,
}

/// What becomes of a message after a try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushNext {
    /// The push service took it.
    Sent,
    /// Tried again at this time (ms).
    RetryAt(i64),
    /// Given up on.
    Failed,
    /// The subscription ended: it and its messages go.
    Gone,
}

/// What a subscription's keys are sealed to: keys moved to another row do not open.
fn keys_context(subscription: i64) -> String {
    format!("push {subscription}")
}

/// A parcel a browser subscribes to, as its lookup showed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subscribed {
    /// The shipment's row.
    pub shipment: i64,
    /// It is delivered: the subscription ends a week from now.
    pub delivered: bool,
    /// The lookup showed where it waits (its pickup point): its notifications may say so.
    pub shows_pickup: bool,
}

/// What stands for a subscriber's address in the store: an HMAC under a key derived from the
/// server's, so that the table holds no buyer's address (a digest of a bare address would be
/// reversed by trying all four billion) and still counts one address's subscriptions.
fn client_digest(key: &crate::secrets::SecretKey, client: IpAddr) -> Option<String> {
    use hmac::{Hmac, Mac};
    // HMAC takes a key of any length: this is never `None`.
    let mut mac =
        Hmac::<sha2::Sha256>::new_from_slice(&key.derive("trackline push client")).ok()?;
    mac.update(client.to_string().as_bytes());
    let digest = mac.finalize().into_bytes();
    Some(
        digest[..16]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect(),
    )
}

impl Store {
    /// Subscribes a browser to the shipments a lookup showed, for `client` (its address, kept
    /// only as a keyed digest); subscribing again replaces the earlier subscription of the same
    /// browser and shipment. A delivered parcel's subscription ends a week after now.
    ///
    /// # Errors
    /// `Full(PushPerShipment)` or `Full(PushPerClient)` past a cap, and then nothing is
    /// subscribed; `SecretKeyMissing` on a server without a secret key; `StoreError` if the
    /// database fails.
    pub async fn subscribe_push(
        &self,
        shipments: &[Subscribed],
        subscription: &Subscription,
        subscriber: &Subscriber,
        client: Option<IpAddr>,
    ) -> Result<(), StoreError> {
        let key = self.secret_key()?;
        let keys = serde_json::json!({ "p256dh": subscription.p256dh, "auth": subscription.auth })
            .to_string();
        let client = client.and_then(|client| client_digest(key, client));
        let mut tx = self.begin_write().await?;
        // The parcels' rows first, in one order, before any subscription row: a seller's write
        // takes its shipment's row and then its subscriptions', so the other order could deadlock.
        let mut held_rows: Vec<i64> = shipments.iter().map(|parcel| parcel.shipment).collect();
        held_rows.sort_unstable();
        for shipment in held_rows {
            self.hold_row(&mut tx, "shipments", shipment).await?;
        }
        for parcel in shipments {
            sqlx::query("DELETE FROM push_subscriptions WHERE shipment_id = $1 AND endpoint = $2")
                .bind(parcel.shipment)
                .bind(&subscription.endpoint)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(client) = &client {
            // Not held: no row stands for an address. Parallel requests from one address may
            // pass it by a few, as many as its rate limit lets through at once.
            let held: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM push_subscriptions WHERE client = $1")
                    .bind(client)
                    .fetch_one(&mut *tx)
                    .await?;
            if held + shipments.len() as i64 > Cap::PushPerClient.limit() {
                return Err(StoreError::Full(Cap::PushPerClient));
            }
        }
        for parcel in shipments {
            let held: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM push_subscriptions WHERE shipment_id = $1",
            )
            .bind(parcel.shipment)
            .fetch_one(&mut *tx)
            .await?;
            if held >= Cap::PushPerShipment.limit() {
                return Err(StoreError::Full(Cap::PushPerShipment));
            }
            let id = new_id()?;
            let sealed = key
                .seal(&keys, &keys_context(id))
                .map_err(StoreError::Secret)?;
            let now = now_ms();
            sqlx::query(
                "INSERT INTO push_subscriptions
                 (id, shipment_id, endpoint, keys, lang, page, api, number, created_ms, ends_ms, client,
                  shows_pickup)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(id)
            .bind(parcel.shipment)
            .bind(&subscription.endpoint)
            .bind(sealed)
            .bind(&subscriber.lang)
            .bind(&subscriber.page)
            .bind(&subscriber.api)
            .bind(&subscriber.number)
            .bind(now)
            .bind(parcel.delivered.then_some(now + AFTER_DELIVERY_MS))
            .bind(&client)
            .bind(i64::from(parcel.shows_pickup))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Ends a browser's subscriptions to these shipments; returns how many there were.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn unsubscribe_push(
        &self,
        shipments: &[i64],
        endpoint: &str,
    ) -> Result<u64, StoreError> {
        let mut ended = 0;
        for shipment in shipments {
            ended += sqlx::query(
                "DELETE FROM push_subscriptions WHERE shipment_id = $1 AND endpoint = $2",
            )
            .bind(shipment)
            .bind(endpoint)
            .execute(&self.pool)
            .await?
            .rows_affected();
        }
        Ok(ended)
    }

    /// Moves every parcel of a browser's ended subscription (`old`, its push service URL) to the
    /// subscription that replaced it, with the messages still queued for them; gives how many
    /// moved. Where the browser has already subscribed a parcel with the new one, the old row
    /// takes its place.
    ///
    /// # Errors
    /// `SecretKeyMissing` on a server without a secret key; `StoreError` if the database fails.
    pub async fn renew_push(&self, old: &str, renewed: &Subscription) -> Result<u64, StoreError> {
        let key = self.secret_key()?;
        let keys =
            serde_json::json!({ "p256dh": renewed.p256dh, "auth": renewed.auth }).to_string();
        let mut tx = self.begin_write().await?;
        let rows =
            sqlx::query("SELECT id, shipment_id FROM push_subscriptions WHERE endpoint = $1")
                .bind(old)
                .fetch_all(&mut *tx)
                .await?;
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let shipment: i64 = row.try_get("shipment_id")?;
            sqlx::query("DELETE FROM push_subscriptions WHERE shipment_id = $1 AND endpoint = $2")
                .bind(shipment)
                .bind(&renewed.endpoint)
                .execute(&mut *tx)
                .await?;
            // Sealed again to the same row: the keys are bound to it.
            let sealed = key
                .seal(&keys, &keys_context(id))
                .map_err(StoreError::Secret)?;
            sqlx::query("UPDATE push_subscriptions SET endpoint = $1, keys = $2 WHERE id = $3")
                .bind(&renewed.endpoint)
                .bind(sealed)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(rows.len() as u64)
    }

    /// Takes the next message due now for this instance until `now + lease_ms`; `None` when
    /// nothing is due. A browser's messages go one at a time, in the order they were queued: one
    /// waits while an earlier one to the same browser is in flight or waiting for a retry.
    ///
    /// # Errors
    /// `StoreError` if the database fails, or a subscription's keys do not open.
    pub async fn claim_push(&self, now: i64, lease_ms: i64) -> Result<Option<DuePush>, StoreError> {
        match MESSAGES.lease(&self.pool, now, lease_ms).await? {
            Some(row) => Ok(Some(self.due_push_of(&row).await?)),
            None => Ok(None),
        }
    }

    /// Up to `limit` messages due at `now` that `claim_push` could take, after `after` in queue
    /// order, at most `per_seller` of one seller's buyers'; none is taken (`take_push` takes one).
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn waiting_pushes(
        &self,
        now: i64,
        after: Option<Place>,
        limit: i64,
        per_seller: i64,
    ) -> Result<Vec<Waiting>, StoreError> {
        Ok(lease::waiting(&self.pool, &WAITING, now, after, limit, per_seller).await?)
    }

    /// Takes the message `id` for this instance until `now + lease_ms` if it is still due and
    /// free, as `claim_push` takes the next; `None` when another instance took it first.
    ///
    /// # Errors
    /// `StoreError` if the database fails, or a subscription's keys do not open.
    pub async fn take_push(
        &self,
        id: i64,
        now: i64,
        lease_ms: i64,
    ) -> Result<Option<DuePush>, StoreError> {
        match MESSAGES.lease_row(&self.pool, id, now, lease_ms).await? {
            Some(row) => Ok(Some(self.due_push_of(&row).await?)),
            None => Ok(None),
        }
    }

    /// A leased message's row with what it needs to be sent: the browser's subscription.
    async fn due_push_of(&self, row: &sqlx::any::AnyRow) -> Result<DuePush, StoreError> {
        let subscription_id: i64 = row.try_get("subscription_id")?;
        let stored = sqlx::query("SELECT endpoint, keys FROM push_subscriptions WHERE id = $1")
            .bind(subscription_id)
            .fetch_one(&self.pool)
            .await?;
        let keys = self
            .secret_key()?
            .open(
                &stored.try_get::<String, _>("keys")?,
                &keys_context(subscription_id),
            )
            .map_err(StoreError::Secret)?;
        let keys: serde_json::Value = serde_json::from_str(&keys)?;
        let key = |name: &str| keys[name].as_str().unwrap_or_default().to_owned();
        Ok(DuePush {
            id: row.try_get("id")?,
            seller: super::seller_id::SellerId(row.try_get("seller_id")?),
            subscription_id,
            subscription: Subscription {
                endpoint: stored.try_get("endpoint")?,
                p256dh: key("p256dh"),
                auth: key("auth"),
            },
            body: row.try_get("body")?,
            topic: row.try_get("topic")?,
            attempts: u32::try_from(row.try_get::<i32, _>("attempts")?).unwrap_or(0),
            queued_ms: row.try_get("queued_ms")?,
        })
    }

    /// Records how a try went: sent, tried again later, given up on, or the subscription gone.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn record_push(&self, due: &DuePush, next: PushNext) -> Result<(), StoreError> {
        let (state, next_attempt) = match next {
            PushNext::Gone => {
                // Its messages first: the schema's cascade holds on SQLite only with foreign keys on.
                sqlx::query("DELETE FROM push_messages WHERE subscription_id = $1")
                    .bind(due.subscription_id)
                    .execute(&self.pool)
                    .await?;
                sqlx::query("DELETE FROM push_subscriptions WHERE id = $1")
                    .bind(due.subscription_id)
                    .execute(&self.pool)
                    .await?;
                return Ok(());
            }
            PushNext::Sent => ("sent", None),
            PushNext::RetryAt(at) => ("pending", Some(at)),
            PushNext::Failed => ("failed", None),
        };
        sqlx::query(
            "UPDATE push_messages
             SET state = $1, next_attempt_ms = COALESCE($2, next_attempt_ms), leased_until_ms = NULL
             WHERE id = $3 AND state = 'pending'",
        )
        .bind(state)
        .bind(next_attempt)
        .bind(due.id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Ends the subscriptions past their end (a week after delivery), with their messages.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn end_expired_subscriptions(&self, now: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM push_messages WHERE subscription_id IN (SELECT id FROM push_subscriptions WHERE ends_ms < $1)")
            .bind(now)
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM push_subscriptions WHERE ends_ms < $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The subscriptions to a parcel waiting at a pickup point not yet reminded of the last day
    /// `until` (an ISO date), each with its shipment: whether each is due the reminder is
    /// decided by the caller.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn reminder_candidates(&self, until: &str) -> Result<Vec<(i64, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.id, p.shipment_id FROM push_subscriptions p
             JOIN shipments s ON s.id = p.shipment_id
             WHERE s.stage = 'ready_for_pickup'
               AND (p.reminded_until IS NULL OR p.reminded_until <> $1)",
        )
        .bind(until)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("id")?, row.try_get("shipment_id")?)))
            .collect()
    }
}

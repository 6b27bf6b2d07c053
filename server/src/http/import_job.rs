//! The job that writes a previewed import's rows, on the server whatever becomes of the
//! seller's session: each row compared again with what is stored then and written only if it
//! changes something, through `updates` as a `PUT` would be (webhooks and notifications
//! follow), `ROWS_AT_ONCE` rows to a transaction (`updates::write_many`), its progress recorded
//! after each for `GET …/imports/{id}`.

use crate::import::{self, Plan};
use crate::store::imports::StoredShipment;
use crate::store::lookup_rules::second_factor_hash;
use crate::store::sellers::SellerId;
use crate::store::shipment_write::Batch;
use crate::store::{Backend, Store, StoreError};
use crate::updates;
use futures_util::stream::{FuturesOrdered, StreamExt};
use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use trackline_core::second_factor::{SecondFactor, SecondFactors};
use trackline_core::Shipment;

/// Rows written in one transaction, between two records of progress.
const ROWS_AT_ONCE: usize = updates::ROWS_A_TRANSACTION;
/// Transactions written at once, on a database that writes side by side.
const TRANSACTIONS_IN_FLIGHT: usize = 8;
/// Import transactions open at once on this instance, every seller's jobs together: half the
/// store's connections (`Store::open`), so that buyers' lookups and sellers' pages still find
/// one while imports are applied.
static WRITING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(8);
/// Transactions between two counts of the seller's messages waiting to be sent (1 000 rows).
const CHECK_ROOM_EVERY: usize = 10;
/// How long a job waits between two counts while too many of them wait.
const PAUSE_STEP: std::time::Duration = std::time::Duration::from_secs(5);
/// Counts a paused job makes before it gives up: 30 minutes.
const PAUSE_CHECKS: u32 = 360;

/// Why a job stopped before its last row.
#[derive(Debug, thiserror::Error)]
enum JobError {
    /// The database failed, or refused a row.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The seller's messages did not drain while the job waited for them.
    #[error("100 000 webhook deliveries and notifications of the seller waited to be sent for 30 minutes: apply the import again once they are")]
    MessagesWaiting,
}

/// A row the preview will write: the shipment as the file gives it, and the buyer's check as
/// the hash takes it (the phone's last four digits).
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Planned {
    pub(super) reference: String,
    pub(super) shipment: Shipment,
    pub(super) phone: Option<String>,
    pub(super) postcode: Option<String>,
}

impl Planned {
    fn factors(&self) -> SecondFactors {
        SecondFactors {
            phone: self.phone.clone(),
            postcode: self.postcode.clone(),
        }
    }
}

/// Whether the buyer's check `factors` (given by a row) differs from the one kept for `stored`.
pub(super) fn checks_differ(
    store: &Store,
    stored: &StoredShipment,
    factors: &SecondFactors,
) -> bool {
    if factors.phone.is_none() && factors.postcode.is_none() {
        // A row with no check leaves the kept one as it is.
        return false;
    }
    let key = store.secret_key().ok();
    [
        (SecondFactor::PhoneLast4, &stored.phone_hash),
        (SecondFactor::Postcode, &stored.postcode_hash),
    ]
    .into_iter()
    .any(|(factor, kept)| {
        let given = factors
            .given(factor)
            .and_then(|value| second_factor_hash(key, stored.id, factor, value));
        given != *kept
    })
}

/// The check as kept: the phone's last four digits, the postcode in its normal form.
pub(super) fn kept_factor(factors: &SecondFactors, factor: SecondFactor) -> Option<String> {
    factors
        .given(factor)
        .and_then(|value| factor.normalise(value))
}

/// Starts the job writing `planned`, the rows of the seller's import `id`, and recording how
/// it ended.
pub(super) fn spawn(store: Store, seller: SellerId, id: i64, planned: Vec<Planned>) {
    tokio::spawn(async move {
        let failure = apply_rows(&store, seller, id, &planned)
            .await
            .err()
            .map(|error| {
                tracing::error!(%error, import = id, "applying an import failed");
                error.to_string()
            });
        if let Err(error) = store.end_applying(id, failure.as_deref()).await {
            tracing::error!(%error, import = id, "cannot record how an import ended");
        }
    });
}

/// Writes the rows that change what is stored, `ROWS_AT_ONCE` to a transaction, recording
/// progress after each. A job taken up again starts from the first row: those its predecessor
/// wrote are found unchanged (a read of a hundred rows at once), so no row is written twice and
/// none skipped. A row that fails fails alone: the others of its transaction are written, and
/// then the job stops on its error, as it stopped before rows were written together.
async fn apply_rows(
    store: &Store,
    seller: SellerId,
    id: i64,
    planned: &[Planned],
) -> Result<(), JobError> {
    // A row's references are its own (a file's repeats were refused or left out), so
    // transactions hold no row in common and go side by side where the database writes side
    // by side; SQLite writes one transaction at a time whatever is asked.
    let in_flight = match store.backend() {
        Backend::Postgres => TRANSACTIONS_IN_FLIGHT,
        Backend::Sqlite => 1,
    };
    // Most sellers poll no provider: asking for each row which one would take it is then
    // two statements a row for nothing.
    let attach = !store.providers_with_keys(seller).await?.is_empty();
    let mut chunks = planned.chunks(ROWS_AT_ONCE);
    let mut flying = FuturesOrdered::new();
    let mut done = 0;
    let mut failure = None;
    let mut started = 0;
    let mut room_checked = 0;
    loop {
        // Once a row failed, the transactions under way end as they would (none is dropped
        // half written), and no other starts.
        while failure.is_none() && flying.len() < in_flight {
            // As the bulk PUT's 429: a file of 100 000 rows could queue millions of messages.
            // While too many wait, the job pauses with none of its transactions open.
            if started > 0 && started % CHECK_ROOM_EVERY == 0 && room_checked != started {
                if chunks.len() > 0
                    && store.waiting_to_tell(seller).await? >= super::seller_list::MAX_WAITING
                {
                    if !flying.is_empty() {
                        break;
                    }
                    wait_for_room(store, seller, id, done).await?;
                }
                room_checked = started;
            }
            let Some(chunk) = chunks.next() else { break };
            started += 1;
            flying.push_back(write_chunk(store, seller, chunk));
        }
        let Some(written) = flying.next().await else {
            break;
        };
        let (chunk, outcomes) = match written {
            Ok(written) => written,
            Err(error) => {
                failure.get_or_insert(error);
                continue;
            }
        };
        for (row, outcome) in chunk.iter().zip(outcomes) {
            match outcome {
                Ok(Some(created)) if attach => {
                    super::providers::attach_by_number(store, seller, &row.reference, &created)
                        .await?;
                }
                Ok(_) => {}
                Err(error) => {
                    failure.get_or_insert(error);
                }
            }
        }
        if failure.is_some() {
            continue;
        }
        done += chunk.len();
        store
            .import_progress(id, i64::try_from(done).unwrap_or(i64::MAX))
            .await?;
    }
    failure.map_or(Ok(()), |error| Err(error.into()))
}

/// Waits, counting every `PAUSE_STEP`, until fewer than `MAX_WAITING` of the seller's messages
/// wait to be sent; the job's beat goes on meanwhile, so no other instance takes it up.
async fn wait_for_room(
    store: &Store,
    seller: SellerId,
    id: i64,
    done: usize,
) -> Result<(), JobError> {
    for _ in 0..PAUSE_CHECKS {
        store
            .import_progress(id, i64::try_from(done).unwrap_or(i64::MAX))
            .await?;
        tokio::time::sleep(PAUSE_STEP).await;
        if store.waiting_to_tell(seller).await? < super::seller_list::MAX_WAITING {
            return Ok(());
        }
    }
    Err(JobError::MessagesWaiting)
}

/// The outcome of each row of `chunk`, written in one transaction.
type Written<'a> = (&'a [Planned], Vec<Result<Option<Shipment>, StoreError>>);

/// Writes the rows of `chunk` that change what is stored then, in one transaction.
async fn write_chunk<'a>(
    store: &Store,
    seller: SellerId,
    chunk: &'a [Planned],
) -> Result<Written<'a>, StoreError> {
    let _turn = WRITING.acquire().await.map_err(|_| StoreError::TimedOut)?;
    let references: Vec<&str> = chunk.iter().map(|row| row.reference.as_str()).collect();
    let stored = store.shipments_by_reference(seller, &references).await?;
    let rows: Vec<ImportRow> = chunk
        .iter()
        .map(|row| ImportRow {
            store,
            row,
            kept: stored.get(&row.reference),
        })
        .collect();
    Ok((chunk, updates::write_many(store, seller, &rows).await?))
}

/// One row of the import, with the shipment stored under its reference when the chunk was read.
struct ImportRow<'a> {
    store: &'a Store,
    row: &'a Planned,
    kept: Option<&'a StoredShipment>,
}

impl updates::OneOfMany for ImportRow<'_> {
    /// The shipment as written whole (made anew), for a provider to be attached to it.
    type Done = Option<Shipment>;

    fn reference(&self) -> &str {
        &self.row.reference
    }

    /// Writes the row, if it changes what is stored.
    async fn write(&self, batch: Batch) -> Result<(Batch, Option<Shipment>), StoreError> {
        let row = self.row;
        let factors = row.factors();
        let differ = self
            .kept
            .is_some_and(|k| checks_differ(self.store, k, &factors));
        let given =
            (factors.phone.is_some() || factors.postcode.is_some()).then(|| factors.clone());
        let batch = match import::plan(self.kept.map(|k| &k.shipment), &row.shipment, differ) {
            Plan::Unchanged => return Ok((batch, None)),
            Plan::Change { .. } => {
                // Laid over the shipment as the write holds it, not as it was read a moment ago.
                let (batch, patched) = updates::patch_in(batch, &row.reference, |current| {
                    let changed = match import::plan(Some(&current), &row.shipment, differ) {
                        Plan::Change { shipment, .. } => *shipment,
                        _ => current,
                    };
                    Ok::<_, Infallible>((changed, given))
                })
                .await?;
                if patched.is_some() {
                    return Ok((batch, None));
                }
                // Deleted meanwhile: the row makes it anew.
                batch
            }
            Plan::Create => batch,
        };
        let (batch, _, stored) =
            updates::put_in(batch, &row.reference, &row.shipment, &factors).await?;
        Ok((batch, Some(stored)))
    }
}

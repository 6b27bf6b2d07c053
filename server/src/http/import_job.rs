//! The job that writes a previewed import's rows, on the server whatever becomes of the
//! seller's session: each row compared again with what is stored then and written only if it
//! changes something, through `updates` as a `PUT` would be (webhooks and notifications
//! follow), its progress recorded every `ROWS_AT_ONCE` rows for `GET …/imports/{id}`.

use crate::import::{self, Plan};
use crate::store::imports::StoredShipment;
use crate::store::lookup_rules::second_factor_hash;
use crate::store::sellers::SellerId;
use crate::store::{Backend, Store, StoreError};
use crate::updates;
use futures_util::future::try_join_all;
use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use trackline_core::second_factor::{SecondFactor, SecondFactors};
use trackline_core::Shipment;

/// Rows written between two records of progress.
const ROWS_AT_ONCE: usize = 100;
/// Rows written at once, on a database that writes side by side.
const ROWS_IN_FLIGHT: usize = 8;

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

/// Writes the rows that change what is stored, recording progress every `ROWS_AT_ONCE` rows.
/// A job taken up again starts from the first row: those its predecessor wrote are found
/// unchanged (a read of a hundred rows at once), so no row is written twice and none skipped.
async fn apply_rows(
    store: &Store,
    seller: SellerId,
    id: i64,
    planned: &[Planned],
) -> Result<(), StoreError> {
    // A row's references are its own (a file's repeats were refused or left out), so rows
    // are written side by side where the database writes side by side; SQLite writes one
    // transaction at a time whatever is asked.
    let in_flight = match store.backend() {
        Backend::Postgres => ROWS_IN_FLIGHT,
        Backend::Sqlite => 1,
    };
    // Most sellers poll no provider: asking for each row which one would take it is then
    // two statements a row for nothing.
    let attach = !store.providers_with_keys(seller).await?.is_empty();
    let mut done = 0;
    for chunk in planned.chunks(ROWS_AT_ONCE) {
        let references: Vec<&str> = chunk.iter().map(|row| row.reference.as_str()).collect();
        let stored = store.shipments_by_reference(seller, &references).await?;
        for group in chunk.chunks(in_flight) {
            let mut writes = Vec::with_capacity(group.len());
            for row in group {
                writes.push(apply_row(
                    store,
                    seller,
                    row,
                    stored.get(&row.reference),
                    attach,
                ));
            }
            try_join_all(writes).await?;
        }
        done += chunk.len();
        store
            .import_progress(id, i64::try_from(done).unwrap_or(i64::MAX))
            .await?;
    }
    Ok(())
}

/// Writes one row, if it changes what is stored.
async fn apply_row(
    store: &Store,
    seller: SellerId,
    row: &Planned,
    kept: Option<&StoredShipment>,
    attach: bool,
) -> Result<(), StoreError> {
    let factors = row.factors();
    let differ = kept.is_some_and(|k| checks_differ(store, k, &factors));
    let given = (factors.phone.is_some() || factors.postcode.is_some()).then(|| factors.clone());
    match import::plan(kept.map(|k| &k.shipment), &row.shipment, differ) {
        Plan::Unchanged => return Ok(()),
        Plan::Change { .. } => {
            // Laid over the shipment as the write holds it, not as it was read a moment ago.
            let patched = updates::patch(store, seller, &row.reference, |current| {
                let changed = match import::plan(Some(&current), &row.shipment, differ) {
                    Plan::Change { shipment, .. } => *shipment,
                    _ => current,
                };
                Ok::<_, Infallible>((changed, given))
            })
            .await?;
            if patched.is_some() {
                return Ok(());
            }
            // Deleted meanwhile: the row makes it anew.
        }
        Plan::Create => {}
    }
    let (_, stored) = updates::put(store, seller, &row.reference, &row.shipment, &factors).await?;
    if attach {
        super::providers::attach_by_number(store, seller, &row.reference, &stored).await?;
    }
    Ok(())
}

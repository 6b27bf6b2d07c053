//! What the store knows of its own writes, for what is kept in memory beside it (the public
//! lookup cache): every write bumps its seller's version once committed, here, and, on
//! PostgreSQL, in every other instance over the same database through `NOTIFY`, sent inside
//! the write's own transaction so that a committed write is never left unannounced.
//!
//! A copy kept in memory is good only while the versions it was read under are current, and
//! only while this instance hears the others: `version` answers `None` while it does not.

use super::seller_id::SellerId;
use super::{Backend, StoreError};
use sqlx::postgres::PgListener;
use sqlx::AnyConnection;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// The channel instances announce their writes on.
const CHANNEL: &str = "trackline_changes";

/// How long a lost listener waits before connecting again.
const RECONNECT_WAIT: Duration = Duration::from_secs(1);

/// What a write changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Touched {
    /// One seller's shipments, rules or keys.
    Seller(SellerId),
    /// The set of sellers (one added): which seller a short lookup path means may differ.
    Sellers,
}

impl Touched {
    fn payload(self, instance: u64) -> String {
        match self {
            Touched::Seller(seller) => format!("{instance} shop {}", seller.0),
            Touched::Sellers => format!("{instance} shops"),
        }
    }

    /// Reads another instance's announcement; `None` for one of this instance's own, or one it
    /// cannot read (then everything is taken as changed).
    fn from_payload(payload: &str, instance: u64) -> Option<Result<Touched, ()>> {
        let mut words = payload.split(' ');
        let from = words.next().and_then(|word| word.parse::<u64>().ok());
        if from == Some(instance) {
            return None;
        }
        Some(match (from, words.next(), words.next()) {
            (Some(_), Some("shop"), Some(id)) => id
                .parse::<i64>()
                .map(|id| Touched::Seller(SellerId(id)))
                .map_err(|_| ()),
            (Some(_), Some("shops"), None) => Ok(Touched::Sellers),
            _ => Err(()),
        })
    }
}

/// The versions a copy was read under; it is current while they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    /// Bumped when the sellers change, or when this instance may have missed announcements.
    epoch: u64,
    /// Bumped when this seller changes.
    seller: u64,
}

/// The versions of the store's data, shared by every clone of the store.
#[derive(Debug, Clone)]
pub struct Versions {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// Tells this instance's announcements from the others'.
    instance: u64,
    backend: Backend,
    epoch: AtomicU64,
    sellers: RwLock<HashMap<SellerId, u64>>,
    /// Whether this instance hears every write: always on SQLite (one instance); on PostgreSQL
    /// only while the listener is connected.
    hearing: AtomicBool,
}

impl Versions {
    /// The versions of a store on `backend`; on PostgreSQL, deaf until `listen` connects.
    pub(super) fn new(backend: Backend) -> Result<Versions, StoreError> {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes)?;
        Ok(Versions {
            inner: Arc::new(Inner {
                instance: u64::from_le_bytes(bytes),
                backend,
                epoch: AtomicU64::new(0),
                sellers: RwLock::new(HashMap::new()),
                hearing: AtomicBool::new(backend == Backend::Sqlite),
            }),
        })
    }

    /// The epoch, read before the seller a lookup means is decided.
    pub fn epoch(&self) -> u64 {
        self.inner.epoch.load(Ordering::Acquire)
    }

    /// The versions to keep a copy of `seller`'s data under, with the epoch read before the seller
    /// was decided; `None` while this instance may not hear every write (keep nothing then).
    pub fn version(&self, epoch: u64, seller: SellerId) -> Option<Version> {
        if !self.inner.hearing.load(Ordering::Acquire) {
            return None;
        }
        let sellers = self
            .inner
            .sellers
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Some(Version {
            epoch,
            seller: sellers.get(&seller).copied().unwrap_or(0),
        })
    }

    /// Whether a copy read under `version` is still current for `seller`.
    pub fn is_current(&self, version: Version, seller: SellerId) -> bool {
        self.version(self.epoch(), seller) == Some(version)
    }

    /// Takes a committed write into account in this instance.
    pub(super) fn changed(&self, touched: Touched) {
        match touched {
            Touched::Seller(seller) => {
                let mut sellers = self
                    .inner
                    .sellers
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                *sellers.entry(seller).or_insert(0) += 1;
            }
            Touched::Sellers => self.everything_changed(),
        }
    }

    fn everything_changed(&self) {
        self.inner.epoch.fetch_add(1, Ordering::AcqRel);
    }

    /// Announces a write to the other instances, inside its transaction: PostgreSQL delivers
    /// the notification when, and only if, the transaction commits.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub(super) async fn announce(
        &self,
        connection: &mut AnyConnection,
        touched: Touched,
    ) -> Result<(), StoreError> {
        if self.inner.backend == Backend::Postgres {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(touched.payload(self.inner.instance))
                .execute(connection)
                .await?;
        }
        Ok(())
    }

    /// Listens to the other instances' announcements over its own connection to `url`, from
    /// now on: returns once listening, and keeps listening (connecting again when the
    /// connection is lost, and counting everything as changed then, as announcements may have
    /// been missed) until the process ends.
    ///
    /// # Errors
    /// `StoreError` if the first connection fails.
    pub(super) async fn listen(&self, url: &str) -> Result<(), StoreError> {
        let mut listener = PgListener::connect(url).await?;
        listener.listen(CHANNEL).await?;
        self.everything_changed();
        self.inner.hearing.store(true, Ordering::Release);
        let changes = self.clone();
        tokio::spawn(async move { changes.hear(listener).await });
        Ok(())
    }

    async fn hear(&self, mut listener: PgListener) {
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => {
                    match Touched::from_payload(notification.payload(), self.inner.instance) {
                        Some(Ok(change)) => self.changed(change),
                        Some(Err(())) => self.everything_changed(),
                        None => {}
                    }
                }
                // The connection was lost and is back (the listener connects again at once):
                // what was announced in between is unknown.
                Ok(None) => {
                    tracing::warn!("the connection to PostgreSQL was lost and is back: the lookup cache is emptied");
                    self.everything_changed();
                }
                Err(error) => {
                    self.inner.hearing.store(false, Ordering::Release);
                    tracing::warn!(%error, "not hearing other instances' writes: nothing is cached meanwhile");
                    self.reconnect(&mut listener).await;
                }
            }
        }
    }

    /// Tries to listen again, once a second, until it does; then everything counts as changed,
    /// as what was announced meanwhile is unknown.
    async fn reconnect(&self, listener: &mut PgListener) {
        loop {
            tokio::time::sleep(RECONNECT_WAIT).await;
            if listener.listen(CHANNEL).await.is_ok() {
                self.everything_changed();
                self.inner.hearing.store(true, Ordering::Release);
                tracing::info!("hearing other instances' writes again");
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announcements_read_back_and_an_instance_ignores_its_own() {
        let seller = Touched::Seller(SellerId(42));
        assert_eq!(
            Touched::from_payload(&seller.payload(7), 9),
            Some(Ok(seller))
        );
        assert_eq!(
            Touched::from_payload(&Touched::Sellers.payload(7), 9),
            Some(Ok(Touched::Sellers))
        );
        assert_eq!(Touched::from_payload(&seller.payload(9), 9), None);
        assert_eq!(Touched::from_payload("7 shop x", 9), Some(Err(())));
        assert_eq!(Touched::from_payload("garbage", 9), Some(Err(())));
    }

    #[test]
    fn a_copy_is_current_until_its_shop_or_the_shops_change() {
        let changes = Versions::new(Backend::Sqlite).unwrap();
        let (a, b) = (SellerId(1), SellerId(2));
        let read = changes.version(changes.epoch(), a).unwrap();
        assert!(changes.is_current(read, a));
        changes.changed(Touched::Seller(b));
        assert!(changes.is_current(read, a), "another shop's write");
        changes.changed(Touched::Seller(a));
        assert!(!changes.is_current(read, a));
        let read = changes.version(changes.epoch(), a).unwrap();
        changes.changed(Touched::Sellers);
        assert!(!changes.is_current(read, a));
    }

    #[test]
    fn on_postgres_nothing_is_current_until_the_listener_hears() {
        let changes = Versions::new(Backend::Postgres).unwrap();
        assert_eq!(changes.version(changes.epoch(), SellerId(1)), None);
    }
}

//! Deliveries to hosts somebody else named (sellers' webhook receivers, browsers' push services)
//! sent several at once, each in its own task, with a bound on all of them and smaller ones per
//! destination host and per seller: a receiver that accepts the connection and never answers
//! holds its own host's few places until the request times out, and every other host's
//! deliveries go on; a seller whose receivers are many such hosts (one machine on many ports, a
//! wildcard name) holds its own share of the places, not all of them.
//!
//! A row whose host is already at its bound is not taken (`Outbox::waiting` lists rows without
//! leasing them), so it costs neither a place nor a write and stays for any instance to take;
//! the lease of a row taken (`Outbox::take`) outlasts its request, so no other instance sends it
//! while it is in flight.

use crate::store::{Place, StoreError, Waiting};
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::task::JoinSet;

/// How many rows one look at the queue reads, and how many such pages a turn reads at most
/// before it leaves the rest to the next turn: a queue whose first rows all go to busy hosts
/// is read past them, not forever.
const PAGE: i64 = 64;
const PAGES: usize = 8;

/// A queue of deliveries to other hosts, as the loop that sends them sees it.
pub trait Outbox: Clone + Send + Sync + 'static {
    /// A row taken to be sent.
    type Due: Send + 'static;

    /// Up to `limit` rows due at `now` and free, after `after` in queue order, at most
    /// `per_seller` of one seller's, not taken: a seller with more due than that ahead of the
    /// others fills no more of a page than it may have in flight.
    fn waiting(
        &self,
        now: i64,
        after: Option<Place>,
        limit: i64,
        per_seller: i64,
    ) -> impl Future<Output = Result<Vec<Waiting>, StoreError>> + Send;

    /// Leases the row `id` for longer than its request may take, if it is still due and free
    /// at `now`; `None` when another instance took it first.
    fn take(
        &self,
        id: i64,
        now: i64,
    ) -> impl Future<Output = Result<Option<Self::Due>, StoreError>> + Send;

    /// Sends a row taken and records how it went; logs its own failures.
    fn deliver(&self, due: Self::Due) -> impl Future<Output = ()> + Send;
}

/// How many deliveries may be in flight at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// In all.
    pub most: usize,
    /// To one host (its name and port).
    pub per_host: usize,
    /// For one seller (its receivers, its buyers' browsers).
    pub per_seller: usize,
}

/// The deliveries one instance has in flight.
#[derive(Debug)]
pub struct InFlight {
    bounds: Bounds,
    // Locked by the one loop that turns (a turn, then `finish`), never by two at once; a lock
    // only so that a turn is `&self` and `keep_turning` can call it again and again.
    tasks: tokio::sync::Mutex<JoinSet<()>>,
    hosts: Counts<String>,
    sellers: Counts<i64>,
}

impl InFlight {
    /// Nothing in flight yet, to be sent within `bounds`.
    pub fn new(bounds: Bounds) -> InFlight {
        InFlight {
            bounds,
            tasks: tokio::sync::Mutex::new(JoinSet::new()),
            hosts: Counts::default(),
            sellers: Counts::default(),
        }
    }

    /// Starts what is due in `outbox` as far as the bounds allow, each in its own task, and
    /// returns how many it started: when every place is taken it first waits for one to free
    /// (at most a request's timeout); rows to a host or of a seller at its bound are left where
    /// they are.
    ///
    /// # Errors
    /// `StoreError` if the store fails; what was started until then goes on.
    pub async fn turn<O: Outbox>(&self, outbox: &O) -> Result<usize, StoreError> {
        let mut tasks = self.tasks.lock().await;
        while let Some(ended) = tasks.try_join_next() {
            log_panic(ended);
        }
        if tasks.len() >= self.bounds.most {
            if let Some(ended) = tasks.join_next().await {
                log_panic(ended);
            }
        }
        let mut started = 0;
        let mut after = None;
        for _ in 0..PAGES {
            let per_seller = i64::try_from(self.bounds.per_seller).unwrap_or(i64::MAX);
            let page = outbox
                .waiting(crate::store::now_ms(), after, PAGE, per_seller)
                .await?;
            for row in &page {
                if tasks.len() >= self.bounds.most {
                    return Ok(started);
                }
                let Some(host) = self
                    .hosts
                    .enter(host_of(&row.destination), self.bounds.per_host)
                else {
                    continue;
                };
                let Some(seller) = self.sellers.enter(row.seller, self.bounds.per_seller) else {
                    continue;
                };
                let Some(due) = outbox.take(row.id, crate::store::now_ms()).await? else {
                    continue;
                };
                let outbox = outbox.clone();
                tasks.spawn(async move {
                    outbox.deliver(due).await;
                    drop((host, seller));
                });
                started += 1;
            }
            match page.last() {
                Some(last) if page.len() == usize::try_from(PAGE).unwrap_or(usize::MAX) => {
                    after = Some(last.place);
                }
                _ => break,
            }
        }
        Ok(started)
    }

    /// Waits for every delivery in flight to end (each within its request's timeout).
    pub async fn finish(&self) {
        let mut tasks = self.tasks.lock().await;
        while let Some(ended) = tasks.join_next().await {
            log_panic(ended);
        }
    }

    /// Sends everything due in `outbox` now and what falls due meanwhile, within the bounds, and
    /// returns when nothing due is left and nothing is in flight; returns how many were sent.
    ///
    /// # Errors
    /// `StoreError` if the store fails; what was started until then ends first.
    pub async fn send_all<O: Outbox>(&self, outbox: &O) -> Result<usize, StoreError> {
        let mut sent = 0;
        loop {
            let started = match self.turn(outbox).await {
                Ok(started) => started,
                Err(error) => {
                    self.finish().await;
                    return Err(error);
                }
            };
            sent += started;
            if started == 0 {
                // What is left waits for a host's place: one delivery ending may free it.
                match self.tasks.lock().await.join_next().await {
                    Some(ended) => log_panic(ended),
                    None => return Ok(sent),
                }
            }
        }
    }
}

fn log_panic(ended: Result<(), tokio::task::JoinError>) {
    if let Err(error) = ended {
        tracing::error!(%error, "a delivery's task ended without finishing");
    }
}

/// The host a delivery goes to, as bounded: its name (or address) and port; the destination
/// itself when it is not a URL (it then fails on its own).
fn host_of(destination: &str) -> String {
    match reqwest::Url::parse(destination) {
        Ok(url) => format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or(0)
        ),
        Err(_) => destination.to_owned(),
    }
}

/// How many deliveries are in flight to each host, or for each seller; one with none is
/// forgotten.
#[derive(Debug, Clone)]
struct Counts<K>(Arc<Mutex<HashMap<K, usize>>>);

impl<K> Default for Counts<K> {
    fn default() -> Self {
        Counts(Arc::default())
    }
}

impl<K: Hash + Eq + Clone> Counts<K> {
    /// A place for one more delivery to (or for) `key`, if it has fewer than `most` in flight.
    fn enter(&self, key: K, most: usize) -> Option<Visit<K>> {
        let mut counts = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if counts.get(&key).copied().unwrap_or(0) >= most {
            return None;
        }
        *counts.entry(key.clone()).or_insert(0) += 1;
        Some(Visit {
            counts: self.clone(),
            key,
        })
    }
}

/// One delivery's place, given back when it ends (or its task is dropped).
#[derive(Debug)]
struct Visit<K: Hash + Eq> {
    counts: Counts<K>,
    key: K,
}

impl<K: Hash + Eq> Drop for Visit<K> {
    fn drop(&mut self) {
        let mut counts = self.counts.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = counts.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_takes_its_bound_and_is_forgotten_when_idle() {
        let hosts = Counts::<String>::default();
        let first = hosts.enter("a:443".into(), 2);
        let second = hosts.enter("a:443".into(), 2);
        assert!(first.is_some() && second.is_some());
        assert!(hosts.enter("a:443".into(), 2).is_none(), "a third to a");
        assert!(hosts.enter("b:443".into(), 2).is_some(), "b is not a");
        drop(first);
        let third = hosts.enter("a:443".into(), 2);
        assert!(third.is_some(), "a place freed is taken again");
        drop((second, third));
        assert!(
            hosts.0.lock().unwrap().is_empty(),
            "no host is remembered once nothing is in flight to it"
        );
    }

    /// A queue in memory whose deliveries never end until the test lets them.
    #[derive(Clone)]
    struct Held {
        rows: Arc<Mutex<Vec<Waiting>>>,
        taken: Arc<Mutex<Vec<i64>>>,
        release: Arc<tokio::sync::Semaphore>,
    }

    impl Held {
        /// Rows 0, 1, … to `http://{host}/` for the seller `seller` of each pair.
        fn new(rows: &[(&str, i64)]) -> Held {
            let rows = rows
                .iter()
                .zip(0..)
                .map(|(&(host, seller), id)| Waiting {
                    id,
                    destination: format!("http://{host}/"),
                    seller,
                    place: Place { due_ms: 0, id },
                })
                .collect();
            Held {
                rows: Arc::new(Mutex::new(rows)),
                taken: Arc::default(),
                release: Arc::new(tokio::sync::Semaphore::new(0)),
            }
        }

        fn taken(&self) -> Vec<i64> {
            self.taken.lock().unwrap().clone()
        }
    }

    impl Outbox for Held {
        type Due = i64;

        async fn waiting(
            &self,
            _now: i64,
            after: Option<Place>,
            limit: i64,
            per_seller: i64,
        ) -> Result<Vec<Waiting>, StoreError> {
            let taken = self.taken();
            let after = after.map_or(-1, |place| place.id);
            let rows = self.rows.lock().unwrap();
            let mut listed = HashMap::<i64, i64>::new();
            Ok(rows
                .iter()
                .filter(|row| row.id > after && !taken.contains(&row.id))
                .filter(|row| {
                    let count = listed.entry(row.seller).or_default();
                    *count += 1;
                    *count <= per_seller
                })
                .take(usize::try_from(limit).unwrap())
                .cloned()
                .collect())
        }

        async fn take(&self, id: i64, _now: i64) -> Result<Option<i64>, StoreError> {
            self.taken.lock().unwrap().push(id);
            Ok(Some(id))
        }

        async fn deliver(&self, _due: i64) {
            let _ = self.release.acquire().await.map(|permit| permit.forget());
        }
    }

    #[tokio::test]
    async fn a_turn_starts_what_the_bounds_allow_and_takes_nothing_else() {
        let bounds = Bounds {
            most: 16,
            per_host: 2,
            per_seller: 4,
        };
        // Per host: five rows to one host, two taken; the row after them still is.
        let one_host = Held::new(&[("a", 1), ("a", 1), ("a", 1), ("a", 1), ("a", 1), ("b", 2)]);
        assert_eq!(InFlight::new(bounds).turn(&one_host).await.unwrap(), 3);
        assert_eq!(one_host.taken(), [0, 1, 5]);
        // Per seller: one seller's rows to six hosts, four taken; another seller's still is.
        let one_seller = Held::new(&[
            ("a", 1),
            ("b", 1),
            ("c", 1),
            ("d", 1),
            ("e", 1),
            ("f", 1),
            ("g", 2),
        ]);
        assert_eq!(InFlight::new(bounds).turn(&one_seller).await.unwrap(), 5);
        assert_eq!(one_seller.taken(), [0, 1, 2, 3, 6]);
        // In all: twenty sellers' rows to twenty hosts, sixteen taken, and no more until one ends.
        let names: Vec<String> = (0..20).map(|n| format!("h{n}")).collect();
        let rows: Vec<(&str, i64)> = names.iter().map(String::as_str).zip(0..).collect();
        let many = Held::new(&rows);
        let in_flight = InFlight::new(bounds);
        assert_eq!(in_flight.turn(&many).await.unwrap(), 16);
        assert_eq!(many.taken().len(), 16);
        many.release.add_permits(1);
        assert_eq!(in_flight.turn(&many).await.unwrap(), 1, "one place freed");
        assert_eq!(many.taken().len(), 17);
    }

    #[tokio::test]
    async fn a_queue_whose_first_pages_all_wait_for_a_busy_host_is_read_past_them() {
        // More rows to one busy host than a page holds, and one to another host after them.
        let mut rows = vec![("busy", 1); usize::try_from(PAGE).unwrap() * 2];
        rows.push(("free", 2));
        let queue = Held::new(&rows);
        let bounds = Bounds {
            most: 16,
            per_host: 2,
            per_seller: 16,
        };
        assert_eq!(InFlight::new(bounds).turn(&queue).await.unwrap(), 3);
        assert_eq!(queue.taken(), [0, 1, 2 * PAGE]);
    }

    #[test]
    fn a_host_is_its_name_and_port() {
        assert_eq!(host_of("https://hooks.example/a"), "hooks.example:443");
        assert_eq!(
            host_of("https://hooks.example:8443/b"),
            "hooks.example:8443"
        );
        assert_eq!(host_of("http://127.0.0.1:9000/push/x"), "127.0.0.1:9000");
        assert_eq!(host_of("http://[::1]:9000/"), "[::1]:9000");
    }
}

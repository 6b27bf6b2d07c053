//! A receiver that takes the connection and never answers, on a loopback port: it reads what it
//! is sent and says nothing until the sender gives up and closes. It counts the connections
//! open to it, now and at most at once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;

/// The tarpit.
#[derive(Clone)]
pub struct Tarpit {
    /// Its origin (`http://127.0.0.1:PORT`).
    pub origin: String,
    open: Arc<AtomicUsize>,
    most: Arc<AtomicUsize>,
    accepted: Arc<AtomicUsize>,
}

impl Tarpit {
    /// Starts it on a free loopback port.
    pub async fn start() -> Tarpit {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let tarpit = Tarpit {
            origin: format!("http://{}", listener.local_addr().unwrap()),
            open: Arc::default(),
            most: Arc::default(),
            accepted: Arc::default(),
        };
        let counts = tarpit.clone();
        tokio::spawn(async move {
            while let Ok((mut connection, _)) = listener.accept().await {
                counts.accepted.fetch_add(1, Ordering::SeqCst);
                let now_open = counts.open.fetch_add(1, Ordering::SeqCst) + 1;
                counts.most.fetch_max(now_open, Ordering::SeqCst);
                let open = counts.open.clone();
                tokio::spawn(async move {
                    let mut sink = [0u8; 4096];
                    while matches!(connection.read(&mut sink).await, Ok(read) if read > 0) {}
                    open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        tarpit
    }

    /// How many connections are open to it now.
    pub fn open(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }

    /// The most connections that were ever open to it at once.
    pub fn most_open(&self) -> usize {
        self.most.load(Ordering::SeqCst)
    }

    /// How many connections it took in all.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// Waits until `count` connections are open to it, failing after `deadline`.
    pub async fn wait_open(&self, count: usize, deadline: Duration) {
        let started = Instant::now();
        while self.open() < count {
            assert!(
                started.elapsed() < deadline,
                "{} connections open, not {count}, after {deadline:?}",
                self.open()
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

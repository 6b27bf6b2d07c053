//! What the server's test files share: a fresh, empty database under test.
//!
//! `TRACKLINE_TEST_DATABASE` picks the database: unset, SQLite (in memory, or a file
//! when a directory is given); a `postgres://` URL (scripts/test sets it from
//! scripts/with-postgres), a new database on that server every time, so that tests
//! never see each other's rows.
#![allow(dead_code)]

pub mod fake_ozon;

use sqlx::Connection;
use trackline_server::store::new_id;
use trackline_server::Store;

/// A new empty store on the database under test.
pub async fn fresh_store() -> Store {
    let url = fresh_url(None).await;
    Store::open(&url).await.expect("the store opens")
}

/// The URL of a new, empty database under test: a PostgreSQL database, or a SQLite file
/// in `dir` (in memory without one).
pub async fn fresh_url(dir: Option<&std::path::Path>) -> String {
    match std::env::var("TRACKLINE_TEST_DATABASE") {
        Ok(admin) if !admin.is_empty() => {
            let name = format!("trackline_test_{:x}", new_id().unwrap());
            let mut connection = sqlx::postgres::PgConnection::connect(&admin)
                .await
                .expect("the test PostgreSQL server accepts a connection");
            sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
                .execute(&mut connection)
                .await
                .expect("a test database is created");
            let (base, _) = admin.rsplit_once('/').expect("a database URL");
            format!("{base}/{name}")
        }
        _ => match dir {
            Some(dir) => format!("sqlite://{}", dir.join("trackline.db").display()),
            None => "sqlite::memory:".to_owned(),
        },
    }
}

/// The store's pool, for tests that look at rows directly.
pub fn pool(store: &Store) -> sqlx::AnyPool {
    store.pool().clone()
}

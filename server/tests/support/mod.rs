//! What the server's test files share: a fresh, empty store on the database under test.
//!
//! `TRACKLINE_TEST_DATABASE` picks the database: unset, an in-memory SQLite; a
//! `postgres://` URL (scripts/test sets it from scripts/with-postgres), a new database
//! on that server for every store, so that tests never see each other's rows.

use sqlx::Connection;
use trackline_server::store::new_id;
use trackline_server::Store;

/// A new empty store on the database under test.
pub async fn fresh_store() -> Store {
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
            Store::open(&format!("{base}/{name}"))
                .await
                .expect("the store opens")
        }
        _ => Store::open("sqlite::memory:")
            .await
            .expect("the store opens"),
    }
}

/// The store's pool, for tests that look at rows directly.
#[allow(dead_code)]
pub fn pool(store: &Store) -> sqlx::AnyPool {
    store.pool().clone()
}

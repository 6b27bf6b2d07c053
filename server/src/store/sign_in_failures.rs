//! Wrong passwords at the console's sign-in, counted per key (a login, a client address, a
//! device) in one row each, shared by every instance over one store: `lockouts`' counter, over a
//! table that names no seller (a sign-in names none until it succeeds).

use super::lockouts::{Counted, Counter, Tally};
use super::{Store, StoreError};

impl Store {
    /// Checks that every tally has room at `now` and, when the password was `wrong`, counts it
    /// against all of them, in one transaction, as `count_reply` does for second factors.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn count_sign_in(
        &self,
        tallies: &[Tally],
        wrong: bool,
        now: i64,
    ) -> Result<Counted, StoreError> {
        self.count_against(Counter::SignIn, tallies, wrong, now)
            .await
    }
}

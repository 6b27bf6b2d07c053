//! The people who sign in to a seller's console (members), the invitations that make them, what
//! each signs in with (a password's hash, passkeys) and their sessions: rows only. How long an
//! invitation or a session lasts, and what a role may do, is decided above (`console_auth`);
//! these functions take the moments and digests they are given.

use super::seller_id::SellerId;
use super::tokens::{maker_present, TokenMaker};
use super::versions::Touched;
use super::{new_id, Store, StoreError};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// What a member may do: an owner everything, staff the shipments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything the seller API does, members and keys included.
    Owner,
    /// Shipments, imports and exports; no keys, webhooks, tokens, settings, members or audit.
    Staff,
}

impl Role {
    /// The role as stored and as the API names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Staff => "staff",
        }
    }

    /// The role a stored name is; staff for anything else, which can do the least.
    pub fn from_stored(text: &str) -> Role {
        match text {
            "owner" => Role::Owner,
            _ => Role::Staff,
        }
    }
}

/// A member, as a session or a sign-in finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Its id.
    pub id: i64,
    /// The seller it signs in for.
    pub seller: SellerId,
    /// The seller's name.
    pub seller_name: String,
    /// The seller's public handle (what the widget's `shop` names).
    pub seller_handle: String,
    /// Its name, as its colleagues know it.
    pub name: String,
    /// What it may do.
    pub role: Role,
}

/// A member as its seller's owners list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedMember {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// Its password's login, if it has one.
    pub login: Option<String>,
    /// How many passkeys it has.
    pub passkeys: i64,
    /// When it joined (ms since the epoch).
    pub created_ms: i64,
    /// The seller's tokens made on its behalf, which its removal revokes.
    pub tokens_made: i64,
    /// The invitations it made that are still open, which its removal revokes.
    pub invitations_made: i64,
}

/// The member something is made on behalf of: the member signed in, or the member who made the
/// token in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Maker {
    /// Its id.
    pub id: i64,
    /// Its name then.
    pub name: String,
}

/// An invitation not yet used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    /// Its id.
    pub id: i64,
    /// The seller it joins.
    pub seller: SellerId,
    /// The seller's name.
    pub seller_name: String,
    /// The role the member it makes has.
    pub role: Role,
    /// When it stops being accepted (ms since the epoch).
    pub expires_ms: i64,
    /// The name of the member who made it; `None` when the operator did.
    pub made_by_name: Option<String>,
}

/// A session as its cookie finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Its id.
    pub id: i64,
    /// Whose it is.
    pub member: Member,
    /// The token every write made in it echoes.
    pub csrf: String,
    /// When it began (ms since the epoch).
    pub created_ms: i64,
    /// When it was last marked used (ms since the epoch).
    pub seen_ms: i64,
}

/// A new session's secrets, as kept: its cookie's digest and its CSRF token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// SHA-256 of the cookie's value, hex.
    pub token_hash: String,
    /// The token its writes echo.
    pub csrf: String,
}

/// What a new member signs in with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A login (lower case) and its password's argon2id hash (PHC string).
    Password {
        /// The login.
        login: String,
        /// The hash.
        hash: String,
    },
    /// A passkey: its credential id (base64url) and webauthn-rs's serialisation of it.
    Passkey {
        /// The credential id.
        credential_id: String,
        /// The passkey as JSON.
        passkey: String,
    },
}

/// A new member's particulars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMember {
    /// Its name.
    pub name: String,
    /// Its WebAuthn user handle (a UUID as text).
    pub user_handle: String,
}

/// What a member's removal revoked with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Revoked {
    /// The member's name.
    pub name: String,
    /// Its sessions ended.
    pub sessions: u64,
    /// Its browsers forgotten (their device cookies).
    pub devices: u64,
    /// The open invitations it made.
    pub invitations: u64,
    /// The names of the tokens made on its behalf.
    pub tokens: Vec<String>,
}

/// What removing a member came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemovedMember {
    /// Removed, its sessions ended and what it made revoked.
    Removed(Revoked),
    /// The seller has no such member.
    NotFound,
    /// It is the seller's last owner: nobody could manage the seller after.
    LastOwner,
}

const MEMBER_COLUMNS: &str =
    "m.id, m.seller_id, m.name, m.role, s.name AS seller_name, s.handle AS seller_handle";

fn member_from(row: &AnyRow) -> Result<Member, StoreError> {
    Ok(Member {
        id: row.try_get("id")?,
        seller: SellerId(row.try_get("seller_id")?),
        seller_name: row.try_get("seller_name")?,
        // Every seller has had a handle since migration 0006; the column alone may be NULL.
        seller_handle: row
            .try_get::<Option<String>, _>("seller_handle")?
            .unwrap_or_default(),
        name: row.try_get("name")?,
        role: Role::from_stored(row.try_get::<String, _>("role")?.as_str()),
    })
}

async fn insert_session(
    connection: &mut AnyConnection,
    member: i64,
    session: &NewSession,
    now: i64,
) -> Result<i64, StoreError> {
    let id = new_id()?;
    sqlx::query(
        "INSERT INTO member_sessions (id, member_id, token_hash, csrf, created_ms, seen_ms)
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(id)
    .bind(member)
    .bind(&session.token_hash)
    .bind(&session.csrf)
    .bind(now)
    .execute(&mut *connection)
    .await?;
    Ok(id)
}

async fn hold_seller(connection: &mut AnyConnection, seller: SellerId) -> Result<(), StoreError> {
    sqlx::query("UPDATE sellers SET name = name WHERE id = $1")
        .bind(seller.0)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

impl Store {
    /// Keeps an invitation to join `seller` as `role`, by its token's digest, made by `maker`
    /// (`None`: the operator) with the token `via` (if a token made it); `None` if that member or
    /// token was removed or revoked since the request was authenticated (nothing is kept).
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn add_invitation(
        &self,
        seller: SellerId,
        role: Role,
        token_hash: &str,
        expires_ms: i64,
        maker: Option<&Maker>,
        via: Option<i64>,
    ) -> Result<Option<i64>, StoreError> {
        let id = new_id()?;
        let mut tx = self.begin_write().await?;
        hold_seller(&mut tx, seller).await?;
        let present = TokenMaker {
            member: maker.map(|maker| maker.id),
            token: via,
        };
        if !maker_present(&mut tx, seller, present).await? {
            return Ok(None);
        }
        sqlx::query(
            "INSERT INTO member_invitations
             (id, seller_id, role, token_hash, expires_ms, made_by, made_by_name)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(seller.0)
        .bind(role.as_str())
        .bind(token_hash)
        .bind(expires_ms)
        .bind(maker.map(|maker| maker.id))
        .bind(maker.map(|maker| maker.name.as_str()))
        .execute(&mut *tx)
        .await?;
        // Invitations are no lookup data: nothing kept in memory is told.
        tx.commit().await?;
        Ok(Some(id))
    }

    /// The invitation a token's digest names, unless it is used or expired at `now`.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn invitation(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<Invitation>, StoreError> {
        sqlx::query(
            "SELECT i.id, i.seller_id, i.role, i.expires_ms, i.made_by_name, s.name AS seller_name
             FROM member_invitations i JOIN sellers s ON s.id = i.seller_id
             WHERE i.token_hash = $1 AND i.used_ms IS NULL AND i.expires_ms > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?
        .map(|row| invitation_from(&row))
        .transpose()
    }

    /// The seller's invitations not yet used nor expired at `now`, soonest to expire first.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn invitations(
        &self,
        seller: SellerId,
        now: i64,
    ) -> Result<Vec<Invitation>, StoreError> {
        sqlx::query(
            "SELECT i.id, i.seller_id, i.role, i.expires_ms, i.made_by_name, s.name AS seller_name
             FROM member_invitations i JOIN sellers s ON s.id = i.seller_id
             WHERE i.seller_id = $1 AND i.used_ms IS NULL AND i.expires_ms > $2
             ORDER BY i.expires_ms, i.id",
        )
        .bind(seller.0)
        .bind(now)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(invitation_from)
        .collect()
    }

    /// Revokes one of the seller's open invitations; `false` when it has none such (used,
    /// revoked, or another seller's).
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn revoke_invitation(&self, seller: SellerId, id: i64) -> Result<bool, StoreError> {
        Ok(sqlx::query(
            "DELETE FROM member_invitations WHERE id = $1 AND seller_id = $2 AND used_ms IS NULL",
        )
        .bind(id)
        .bind(seller.0)
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1)
    }

    /// Uses the invitation `invitation` at `now` to make a member who signs in with
    /// `credential`, and starts its first session, all at once: `None` when the invitation was
    /// used (by a request at the same moment too: the use is one conditional update, which a
    /// second waits for and then finds done) or has expired.
    ///
    /// # Errors
    /// `Conflict` when the login or the passkey is another member's already; `StoreError` if
    /// the database fails.
    pub async fn join(
        &self,
        invitation: i64,
        now: i64,
        member: &NewMember,
        credential: &Credential,
        session: &NewSession,
    ) -> Result<Option<Member>, StoreError> {
        let mut tx = self.begin_write().await?;
        let used = sqlx::query(
            "UPDATE member_invitations SET used_ms = $1
             WHERE id = $2 AND used_ms IS NULL AND expires_ms > $1",
        )
        .bind(now)
        .bind(invitation)
        .execute(&mut *tx)
        .await?;
        if used.rows_affected() != 1 {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT i.seller_id, i.role, s.name AS seller_name, s.handle AS seller_handle
             FROM member_invitations i JOIN sellers s ON s.id = i.seller_id WHERE i.id = $1",
        )
        .bind(invitation)
        .fetch_one(&mut *tx)
        .await?;
        let joined = Member {
            // Within JavaScript's safe integers: the console and other pages read it as a number.
            id: new_id()? >> 10,
            seller: SellerId(row.try_get("seller_id")?),
            seller_name: row.try_get("seller_name")?,
            seller_handle: row
                .try_get::<Option<String>, _>("seller_handle")?
                .unwrap_or_default(),
            name: member.name.clone(),
            role: Role::from_stored(row.try_get::<String, _>("role")?.as_str()),
        };
        sqlx::query(
            "INSERT INTO members (id, seller_id, name, role, user_handle, created_ms)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(joined.id)
        .bind(joined.seller.0)
        .bind(&joined.name)
        .bind(joined.role.as_str())
        .bind(&member.user_handle)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from_conflict)?;
        match credential {
            Credential::Password { login, hash } => {
                sqlx::query(
                    "INSERT INTO member_passwords (member_id, login, hash) VALUES ($1, $2, $3)",
                )
                .bind(joined.id)
                .bind(login)
                .bind(hash)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from_conflict)?;
            }
            Credential::Passkey {
                credential_id,
                passkey,
            } => {
                sqlx::query(
                    "INSERT INTO member_passkeys (id, member_id, credential_id, passkey, created_ms)
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(new_id()?)
                .bind(joined.id)
                .bind(credential_id)
                .bind(passkey)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from_conflict)?;
            }
        }
        insert_session(&mut tx, joined.id, session, now).await?;
        // Members are no lookup data: nothing kept in memory is told.
        tx.commit().await.map_err(StoreError::from_conflict)?;
        Ok(Some(joined))
    }

    /// Starts a session of `member` at `now`.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn start_session(
        &self,
        member: i64,
        session: &NewSession,
        now: i64,
    ) -> Result<i64, StoreError> {
        let mut connection = self.pool.acquire().await?;
        insert_session(&mut connection, member, session, now).await
    }

    /// The session a cookie's digest names, with its member, however old (the caller judges).
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        let Some(row) = sqlx::query(&format!(
            "SELECT {MEMBER_COLUMNS}, x.id AS session_id, x.csrf, x.created_ms, x.seen_ms
             FROM member_sessions x JOIN members m ON m.id = x.member_id
             JOIN sellers s ON s.id = m.seller_id WHERE x.token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        Ok(Some(Session {
            id: row.try_get("session_id")?,
            member: member_from(&row)?,
            csrf: row.try_get("csrf")?,
            created_ms: row.try_get("created_ms")?,
            seen_ms: row.try_get("seen_ms")?,
        }))
    }

    /// Marks the session used at `now` unless it was marked after `since` (by another request or
    /// instance at the same moment: one of them writes). A mark that cannot be written (a busy
    /// SQLite file) costs the mark, not the request.
    pub async fn touch_session(&self, id: i64, now: i64, since: i64) {
        let marked =
            sqlx::query("UPDATE member_sessions SET seen_ms = $1 WHERE id = $2 AND seen_ms <= $3")
                .bind(now)
                .bind(id)
                .bind(since)
                .execute(&self.pool)
                .await;
        if let Err(error) = marked {
            tracing::warn!(%error, "a session's last use could not be marked");
        }
    }

    /// Ends one session.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn end_session(&self, id: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM member_sessions WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends every session of a member.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn end_member_sessions(&self, member: i64) -> Result<u64, StoreError> {
        Ok(
            sqlx::query("DELETE FROM member_sessions WHERE member_id = $1")
                .bind(member)
                .execute(&self.pool)
                .await?
                .rows_affected(),
        )
    }

    /// Keeps a browser `member` signed in from, by its device cookie's digest, and forgets the
    /// member's others beyond the newest `keep` (this one counted), in one transaction.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn add_device(
        &self,
        member: i64,
        token_hash: &str,
        now: i64,
        keep: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO member_devices (token_hash, member_id, created_ms) VALUES ($1, $2, $3)",
        )
        .bind(token_hash)
        .bind(member)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM member_devices WHERE member_id = $1 AND token_hash <> $2
             AND token_hash NOT IN (SELECT token_hash FROM member_devices
                 WHERE member_id = $1 AND token_hash <> $2
                 ORDER BY created_ms DESC, token_hash DESC LIMIT $3)",
        )
        .bind(member)
        .bind(token_hash)
        .bind(keep.saturating_sub(1).max(0))
        .execute(&mut *tx)
        .await?;
        // Devices are no lookup data: nothing kept in memory is told.
        tx.commit().await?;
        Ok(())
    }

    /// The member a device cookie's digest was given to, if it was given after `since`.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn device_member(
        &self,
        token_hash: &str,
        since: i64,
    ) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT member_id FROM member_devices WHERE token_hash = $1 AND created_ms > $2",
        )
        .bind(token_hash)
        .bind(since)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The member whose password's login is `login` (lower case), with the password's hash.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn password_of(&self, login: &str) -> Result<Option<(Member, String)>, StoreError> {
        let Some(row) = sqlx::query(&format!(
            "SELECT {MEMBER_COLUMNS}, p.hash FROM member_passwords p
             JOIN members m ON m.id = p.member_id JOIN sellers s ON s.id = m.seller_id
             WHERE p.login = $1"
        ))
        .bind(login)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        Ok(Some((member_from(&row)?, row.try_get("hash")?)))
    }

    /// The member a WebAuthn user handle names, with its passkeys (their ids and JSON).
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn passkeys_of(
        &self,
        user_handle: &str,
    ) -> Result<Option<(Member, Vec<(i64, String)>)>, StoreError> {
        let Some(row) = sqlx::query(&format!(
            "SELECT {MEMBER_COLUMNS} FROM members m JOIN sellers s ON s.id = m.seller_id
             WHERE m.user_handle = $1"
        ))
        .bind(user_handle)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let member = member_from(&row)?;
        let passkeys = sqlx::query("SELECT id, passkey FROM member_passkeys WHERE member_id = $1")
            .bind(member.id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| Ok((row.try_get("id")?, row.try_get("passkey")?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some((member, passkeys)))
    }

    /// Keeps a passkey's new state (its counter moved at a sign-in).
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn update_passkey(&self, id: i64, passkey: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE member_passkeys SET passkey = $1 WHERE id = $2")
            .bind(passkey)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The seller's members, oldest first, with what each made that is still open at `now`.
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn members(
        &self,
        seller: SellerId,
        now: i64,
    ) -> Result<Vec<ListedMember>, StoreError> {
        sqlx::query(
            "SELECT m.id, m.name, m.role, m.created_ms, p.login,
                    (SELECT COUNT(*) FROM member_passkeys k WHERE k.member_id = m.id) AS passkeys,
                    (SELECT COUNT(*) FROM seller_tokens t
                     WHERE t.seller_id = m.seller_id AND t.made_by = m.id) AS tokens_made,
                    (SELECT COUNT(*) FROM member_invitations i
                     WHERE i.seller_id = m.seller_id AND i.made_by = m.id
                       AND i.used_ms IS NULL AND i.expires_ms > $2) AS invitations_made
             FROM members m LEFT JOIN member_passwords p ON p.member_id = m.id
             WHERE m.seller_id = $1 ORDER BY m.created_ms, m.id",
        )
        .bind(seller.0)
        .bind(now)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(ListedMember {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                role: Role::from_stored(row.try_get::<String, _>("role")?.as_str()),
                login: row.try_get("login")?,
                passkeys: row.try_get("passkeys")?,
                created_ms: row.try_get("created_ms")?,
                tokens_made: row.try_get("tokens_made")?,
                invitations_made: row.try_get("invitations_made")?,
            })
        })
        .collect()
    }

    /// Removes one of the seller's members with its credentials, sessions and browsers, and
    /// revokes the open invitations it made and the tokens made on its behalf, unless it is the
    /// seller's last owner (counted while the seller's row is held, so that two removals at once
    /// cannot take the last two owners).
    ///
    /// # Errors
    /// `StoreError` if the database fails.
    pub async fn remove_member(
        &self,
        seller: SellerId,
        id: i64,
        now: i64,
    ) -> Result<RemovedMember, StoreError> {
        let mut tx = self.begin_write().await?;
        hold_seller(&mut tx, seller).await?;
        let Some(row) =
            sqlx::query("SELECT role, name FROM members WHERE id = $1 AND seller_id = $2")
                .bind(id)
                .bind(seller.0)
                .fetch_optional(&mut *tx)
                .await?
        else {
            return Ok(RemovedMember::NotFound);
        };
        let role: String = row.try_get("role")?;
        if Role::from_stored(&role) == Role::Owner {
            let owners: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM members WHERE seller_id = $1 AND role = 'owner'",
            )
            .bind(seller.0)
            .fetch_one(&mut *tx)
            .await?;
            if owners <= 1 {
                return Ok(RemovedMember::LastOwner);
            }
        }
        let mut revoked = Revoked {
            name: row.try_get("name")?,
            tokens: sqlx::query_scalar(
                "SELECT name FROM seller_tokens WHERE seller_id = $1 AND made_by = $2 ORDER BY name",
            )
            .bind(seller.0)
            .bind(id)
            .fetch_all(&mut *tx)
            .await?,
            ..Revoked::default()
        };
        sqlx::query("DELETE FROM seller_tokens WHERE seller_id = $1 AND made_by = $2")
            .bind(seller.0)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        // Only the open ones count as revoked; used or expired ones go too (nothing to keep).
        revoked.invitations = sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM member_invitations
             WHERE seller_id = $1 AND made_by = $2 AND used_ms IS NULL AND expires_ms > $3",
        )
        .bind(seller.0)
        .bind(id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_into()
        .unwrap_or(0);
        sqlx::query("DELETE FROM member_invitations WHERE seller_id = $1 AND made_by = $2")
            .bind(seller.0)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        revoked.sessions = sqlx::query("DELETE FROM member_sessions WHERE member_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        revoked.devices = sqlx::query("DELETE FROM member_devices WHERE member_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        for statement in [
            "DELETE FROM member_passkeys WHERE member_id = $1",
            "DELETE FROM member_passwords WHERE member_id = $1",
            "DELETE FROM members WHERE id = $1",
        ] {
            sqlx::query(statement).bind(id).execute(&mut *tx).await?;
        }
        // As a token's revocation does: every instance is told the seller changed.
        self.commit(tx, Touched::Seller(seller)).await?;
        Ok(RemovedMember::Removed(revoked))
    }
}

fn invitation_from(row: &AnyRow) -> Result<Invitation, StoreError> {
    Ok(Invitation {
        id: row.try_get("id")?,
        seller: SellerId(row.try_get("seller_id")?),
        seller_name: row.try_get("seller_name")?,
        role: Role::from_stored(row.try_get::<String, _>("role")?.as_str()),
        expires_ms: row.try_get("expires_ms")?,
        made_by_name: row.try_get("made_by_name")?,
    })
}

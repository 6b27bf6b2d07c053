-- The seller's console: the people who sign in for a seller (members: owners and staff), how
-- each proves it is them (passwords, passkeys), their sessions, the invitations that make them,
-- the passkey ceremonies between their two requests, the wrong passwords counted per login and
-- client address, and the audit log of who changed what. Every secret is kept as its SHA-256
-- (invitations, sessions) or its argon2id hash (passwords); a passkey is its public key.
CREATE TABLE members (
    id BIGINT PRIMARY KEY,
    seller_id BIGINT NOT NULL REFERENCES sellers (id),
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    -- WebAuthn's user handle (a UUID), which a discoverable passkey gives back at sign-in.
    user_handle TEXT NOT NULL UNIQUE,
    created_ms BIGINT NOT NULL
);
CREATE INDEX members_seller ON members (seller_id);

-- The login in lower case, unique on the server: a sign-in names no seller.
CREATE TABLE member_passwords (
    member_id BIGINT PRIMARY KEY REFERENCES members (id),
    login TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL
);

-- The passkey as webauthn-rs serialises it (its public key and counter), by credential id.
CREATE TABLE member_passkeys (
    id BIGINT PRIMARY KEY,
    member_id BIGINT NOT NULL REFERENCES members (id),
    credential_id TEXT NOT NULL UNIQUE,
    passkey TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE INDEX member_passkeys_member ON member_passkeys (member_id);

CREATE TABLE member_invitations (
    id BIGINT PRIMARY KEY,
    seller_id BIGINT NOT NULL REFERENCES sellers (id),
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    expires_ms BIGINT NOT NULL,
    used_ms BIGINT
);
CREATE INDEX member_invitations_seller ON member_invitations (seller_id);

-- A session: its cookie's digest, the token its writes echo (CSRF), when it began (the absolute
-- expiry) and when it was last used (the idle expiry; written at most once a minute).
CREATE TABLE member_sessions (
    id BIGINT PRIMARY KEY,
    member_id BIGINT NOT NULL REFERENCES members (id),
    token_hash TEXT NOT NULL UNIQUE,
    csrf TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    seen_ms BIGINT NOT NULL
);
CREATE INDEX member_sessions_member ON member_sessions (member_id);

-- A passkey ceremony's state between its start and its finish, on whichever instance: taken
-- once (deleted as it is read), and only before it expires.
CREATE TABLE passkey_ceremonies (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX passkey_ceremonies_expiry ON passkey_ceremonies (expires_ms);

-- Wrong passwords, counted per key (a login, a client address) as second_factor_failures
-- counts wrong replies per seller: one row a key, upserted only while it has room.
CREATE TABLE sign_in_failures (
    against TEXT NOT NULL,
    subject TEXT NOT NULL,
    wrong BIGINT NOT NULL,
    ends_ms BIGINT NOT NULL,
    PRIMARY KEY (against, subject)
);

-- Who changed what: a member (kept by name too, so that the entry outlives the member) or a
-- bearer token (by its name).
CREATE TABLE audit_entries (
    id BIGINT PRIMARY KEY,
    seller_id BIGINT NOT NULL REFERENCES sellers (id),
    at_ms BIGINT NOT NULL,
    member_id BIGINT,
    member_name TEXT,
    token_name TEXT,
    action TEXT NOT NULL,
    target TEXT
);
CREATE INDEX audit_entries_seller ON audit_entries (seller_id, at_ms, id);

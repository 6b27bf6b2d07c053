-- Who made what in a seller's console, so that removing a member revokes what it made: the
-- member an invitation or a token was made on behalf of (directly, or through a token that
-- member made: a removed owner's token cannot outlive it by making another), and its name
-- then. NULL: the operator (add-seller, invite) or a token made before this migration
-- (its maker unknown); nothing is revoked for those.
ALTER TABLE member_invitations ADD COLUMN made_by BIGINT;
ALTER TABLE member_invitations ADD COLUMN made_by_name TEXT;
ALTER TABLE seller_tokens ADD COLUMN made_by BIGINT;
-- The token that made a token, when a token did (its name in the audit log is kept there).
ALTER TABLE seller_tokens ADD COLUMN made_by_token BIGINT;
CREATE INDEX member_invitations_maker ON member_invitations (made_by);
CREATE INDEX seller_tokens_maker ON seller_tokens (made_by);

-- A browser a member signed in from (OWASP's device cookie): the SHA-256 of its cookie. A
-- password sign-in that presents it is counted against this device, not against the login,
-- so that wrong tries from elsewhere do not lock the member's own browser out.
CREATE TABLE member_devices (
    token_hash TEXT PRIMARY KEY,
    member_id BIGINT NOT NULL REFERENCES members (id),
    created_ms BIGINT NOT NULL
);
CREATE INDEX member_devices_member ON member_devices (member_id);
CREATE INDEX member_devices_created ON member_devices (created_ms);

-- The retention sweep's ranges: counters whose window ended, sessions by last use and age,
-- invitations by expiry.
CREATE INDEX sign_in_failures_ends ON sign_in_failures (ends_ms);
CREATE INDEX member_sessions_seen ON member_sessions (seen_ms);
CREATE INDEX member_sessions_created ON member_sessions (created_ms);
CREATE INDEX member_invitations_expiry ON member_invitations (expires_ms);

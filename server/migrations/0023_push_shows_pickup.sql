-- Whether a subscription's browser was shown where its parcel waits: a lookup by tracking number
-- in a shop with a second factor withholds the pickup point without the buyer's reply, and a
-- notification must not tell it either. Subscriptions made before say nothing of it (0).
ALTER TABLE push_subscriptions ADD COLUMN shows_pickup INTEGER NOT NULL DEFAULT 0;

-- Buyers' Web Push subscriptions, one a browser and shipment, with no buyer data: the push
-- service's endpoint and the browser's keys (sealed with the server's key), and the language the
-- buyer chose. No foreign key to shipments: a seller's rewrite replaces the row under the same id.
CREATE TABLE push_subscriptions (
    id BIGINT PRIMARY KEY,
    shipment_id BIGINT NOT NULL,
    endpoint TEXT NOT NULL,
    -- {"p256dh": …, "auth": …} as the browser gave them, sealed.
    keys TEXT NOT NULL,
    lang TEXT NOT NULL,
    -- The tracking page the notification opens (a path on this server: the shop and the number).
    page TEXT NOT NULL,
    -- Where the notification's "stop" action ends it (this server's push path for the number).
    api TEXT NOT NULL,
    -- The number the buyer looked up, as notifications name the parcel.
    number TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    -- Set when the parcel is delivered: the subscription ends a week later.
    ends_ms BIGINT,
    -- The storage deadline (ISO date) already announced the day before, so it is told once.
    reminded_until TEXT,
    UNIQUE (shipment_id, endpoint)
);
CREATE INDEX push_subscriptions_endpoint ON push_subscriptions (endpoint);

-- Messages queued in the same transaction as the change they tell of, leased to one instance.
CREATE TABLE push_messages (
    id BIGINT PRIMARY KEY,
    subscription_id BIGINT NOT NULL REFERENCES push_subscriptions (id) ON DELETE CASCADE,
    -- The notification as the service worker shows it (JSON), in the subscriber's language.
    body TEXT NOT NULL,
    -- Replaces an earlier message of the same shipment still waiting on the device (RFC 8030 Topic).
    topic TEXT NOT NULL,
    queued_ms BIGINT NOT NULL,
    -- pending, sent (accepted by the push service) or failed.
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_ms BIGINT NOT NULL,
    leased_until_ms BIGINT
);
CREATE INDEX push_messages_due ON push_messages (state, next_attempt_ms);

//! How much one seller, one shipment or one client address may hold on a server many share:
//! without these, one seller's script or one buyer's loop fills the store and the queues that
//! every other seller's deliveries wait in. The store counts against them in the transaction
//! that adds a row; a request past one is answered with `limit_reached` and the cap's reason.

use std::time::Duration;

/// A bound on what one party may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cap {
    /// Webhook subscriptions of one seller.
    WebhooksPerSeller,
    /// Push subscriptions (browsers) to one shipment.
    PushPerShipment,
    /// Push subscriptions, over every seller, made from one client address.
    PushPerClient,
}

impl Cap {
    /// How many rows the party may hold.
    pub const fn limit(self) -> i64 {
        match self {
            // A seller's backend, a CRM, a chat bot and their staging twins fit many times over.
            Cap::WebhooksPerSeller => 20,
            // A buyer's phone, laptop and family: a parcel followed by more is someone's script.
            Cap::PushPerShipment => 50,
            // A household or an office behind one address follows a few dozen parcels at most;
            // a carrier-grade NAT may put many buyers behind one address, so not fewer. Every
            // shipment a number covers is one subscription (an order of three parcels is three).
            Cap::PushPerClient => 100,
        }
    }

    /// What the answer says, naming the cap.
    pub const fn reason(self) -> &'static str {
        match self {
            Cap::WebhooksPerSeller => {
                "a seller has at most 20 webhook subscriptions: end one (DELETE /api/v1/seller/webhooks/{id}) first"
            }
            Cap::PushPerShipment => "this parcel already has 50 subscribed browsers",
            Cap::PushPerClient => {
                "this address already holds 100 subscriptions; they end with their parcels"
            }
        }
    }
}

/// How long a buyer's push subscription lasts at most, its parcel delivered or not: one on a
/// parcel that never arrives (lost, returned, a number typed wrong) would otherwise stay for good.
/// Subscribing again starts it anew.
pub const PUSH_SUBSCRIPTION_LIFETIME: Duration = Duration::from_secs(60 * 24 * 3600);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reason_names_its_own_limit() {
        for cap in [
            Cap::WebhooksPerSeller,
            Cap::PushPerShipment,
            Cap::PushPerClient,
        ] {
            assert!(cap.reason().contains(&cap.limit().to_string()), "{cap:?}");
        }
    }
}

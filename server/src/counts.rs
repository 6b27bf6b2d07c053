//! What the seller's insights count per day: the names of the counters, one word each, as they
//! are stored in `daily_counts` and served by `GET /api/v1/seller/insights`.
//!
//! A count never carries who: no address, user agent or number, only the seller and the day.

/// One thing counted per seller per day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Count {
    /// A lookup that found the seller's parcel (a 304 included).
    LookupsFound,
    /// A lookup of the seller's that found nothing (or a number that cannot exist).
    LookupsNotFound,
    /// A lookup answered by asking the seller's second factor.
    LookupsCheckAsked,
    /// A lookup refused: a wrong second factor, too many of them, or a page not allowed.
    LookupsRefused,
    /// A lookup of a number that came in the hosted page's link.
    ViaLink,
    /// A lookup of a number the buyer typed into the hosted page.
    ViaTyped,
    /// A lookup from the element on a storefront's page.
    ViaElement,
    /// A lookup from the iframe form.
    ViaIframe,
    /// A tap on the support phone.
    TapsPhone,
    /// A tap on the support e-mail.
    TapsEmail,
    /// A tap on the support Telegram link.
    TapsTelegram,
    /// A tap on the support VK link.
    TapsVk,
    /// A tap on the support help centre.
    TapsHelpCenter,
    /// A tap on the support ticket form.
    TapsTicket,
    /// A tap on the carrier's own tracking page.
    TapsCarrier,
    /// A buyer subscribed to Web Push for a parcel.
    PushSubscribed,
    /// A Web Push message the push service took.
    PushSent,
    /// A Web Push message that could not be sent.
    PushFailed,
    /// A webhook delivery the seller's receiver took.
    WebhooksDelivered,
    /// A webhook delivery that gave up.
    WebhooksFailed,
}

impl Count {
    /// Every count, in the order the insights list them.
    pub const ALL: [Count; 20] = [
        Count::LookupsFound,
        Count::LookupsNotFound,
        Count::LookupsCheckAsked,
        Count::LookupsRefused,
        Count::ViaLink,
        Count::ViaTyped,
        Count::ViaElement,
        Count::ViaIframe,
        Count::TapsPhone,
        Count::TapsEmail,
        Count::TapsTelegram,
        Count::TapsVk,
        Count::TapsHelpCenter,
        Count::TapsTicket,
        Count::TapsCarrier,
        Count::PushSubscribed,
        Count::PushSent,
        Count::PushFailed,
        Count::WebhooksDelivered,
        Count::WebhooksFailed,
    ];

    /// Its name in the store and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Count::LookupsFound => "lookups_found",
            Count::LookupsNotFound => "lookups_not_found",
            Count::LookupsCheckAsked => "lookups_check_asked",
            Count::LookupsRefused => "lookups_refused",
            Count::ViaLink => "via_link",
            Count::ViaTyped => "via_typed",
            Count::ViaElement => "via_element",
            Count::ViaIframe => "via_iframe",
            Count::TapsPhone => "taps_phone",
            Count::TapsEmail => "taps_email",
            Count::TapsTelegram => "taps_telegram",
            Count::TapsVk => "taps_vk",
            Count::TapsHelpCenter => "taps_help_center",
            Count::TapsTicket => "taps_ticket",
            Count::TapsCarrier => "taps_carrier",
            Count::PushSubscribed => "push_subscribed",
            Count::PushSent => "push_sent",
            Count::PushFailed => "push_failed",
            Count::WebhooksDelivered => "webhooks_delivered",
            Count::WebhooksFailed => "webhooks_failed",
        }
    }

    /// The count a stored name stands for; `None` for a name this build does not know.
    pub fn from_name(name: &str) -> Option<Count> {
        Count::ALL.into_iter().find(|count| count.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_reads_back_as_its_count_and_no_two_share_one() {
        let mut names = std::collections::HashSet::new();
        for count in Count::ALL {
            assert_eq!(Count::from_name(count.as_str()), Some(count));
            assert!(names.insert(count.as_str()), "{} twice", count.as_str());
        }
        assert_eq!(Count::from_name("lookups"), None);
    }
}

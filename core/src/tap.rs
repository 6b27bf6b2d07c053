//! A buyer's tap on a support contact or on the carrier's link, counted by a trackline server
//! for the seller's insights: what is sent (the kind alone) and whether anything may be.

use crate::contract::ContactKind;

/// What was tapped, as the wire names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tap {
    /// A support contact of a kind this build knows.
    Contact(KnownContact),
    /// The carrier's own tracking page.
    Carrier,
}

/// The support contact kinds a tap is counted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnownContact {
    /// `phone`.
    Phone,
    /// `email`.
    Email,
    /// `telegram`.
    Telegram,
    /// `vk`.
    Vk,
    /// `help_center`.
    HelpCenter,
    /// `ticket`.
    Ticket,
}

impl Tap {
    /// The tap on a contact of `kind`; none for a kind this build does not know (its text is the
    /// endpoint's, and no endpoint's text is sent on).
    pub fn on_contact(kind: &ContactKind) -> Option<Tap> {
        let known = match kind {
            ContactKind::Phone => KnownContact::Phone,
            ContactKind::Email => KnownContact::Email,
            ContactKind::Telegram => KnownContact::Telegram,
            ContactKind::Vk => KnownContact::Vk,
            ContactKind::HelpCenter => KnownContact::HelpCenter,
            ContactKind::Ticket => KnownContact::Ticket,
            ContactKind::Unknown(_) => return None,
        };
        Some(Tap::Contact(known))
    }

    /// The wire name: `phone`, `email`, `telegram`, `vk`, `help_center`, `ticket` or `carrier`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tap::Contact(KnownContact::Phone) => "phone",
            Tap::Contact(KnownContact::Email) => "email",
            Tap::Contact(KnownContact::Telegram) => "telegram",
            Tap::Contact(KnownContact::Vk) => "vk",
            Tap::Contact(KnownContact::HelpCenter) => "help_center",
            Tap::Contact(KnownContact::Ticket) => "ticket",
            Tap::Carrier => "carrier",
        }
    }

    /// The beacon's body, `{"tap":"phone"}`: the kind and nothing else.
    pub fn body(self) -> String {
        format!(r#"{{"tap":"{}"}}"#, self.as_str())
    }
}

/// Whether the browser lets a tap be counted: not when it sends Global Privacy Control
/// (`navigator.globalPrivacyControl`, `true`) nor Do Not Track (`navigator.doNotTrack`, `"1"`);
/// either may be missing, which says nothing against it.
pub fn may_count(global_privacy_control: Option<bool>, do_not_track: Option<&str>) -> bool {
    global_privacy_control != Some(true) && do_not_track != Some("1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_names_the_kind_only() {
        let table = [
            ("phone", "phone"),
            ("email", "email"),
            ("telegram", "telegram"),
            ("vk", "vk"),
            ("help_center", "help_center"),
            ("ticket", "ticket"),
        ];
        for (wire, sent) in table {
            let kind: ContactKind = serde_json::from_value(wire.into()).unwrap();
            let tap = Tap::on_contact(&kind).unwrap();
            assert_eq!(tap.body(), format!(r#"{{"tap":"{sent}"}}"#));
            let read: serde_json::Value = serde_json::from_str(&tap.body()).unwrap();
            assert_eq!(read["tap"], sent);
        }
        assert_eq!(Tap::Carrier.body(), r#"{"tap":"carrier"}"#);
        let unknown: ContactKind = serde_json::from_value("whatsapp".into()).unwrap();
        assert_eq!(Tap::on_contact(&unknown), None);
    }

    #[test]
    fn privacy_signals_forbid_it_and_their_absence_does_not() {
        let table = [
            (None, None, true),
            (Some(false), None, true),
            (Some(false), Some("0"), true),
            (None, Some("unspecified"), true),
            (Some(true), None, false),
            (Some(true), Some("0"), false),
            (None, Some("1"), false),
            (Some(false), Some("1"), false),
        ];
        for (gpc, dnt, allowed) in table {
            assert_eq!(may_count(gpc, dnt), allowed, "{gpc:?} {dnt:?}");
        }
    }
}

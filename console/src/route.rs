//! Where in the console the seller is: the address's fragment (`#/shipments`,
//! `#/shipment/REF`), so that a static server serves every place from one page and the browser's
//! back button works; and the invitation a link carries there (`#invitation=…`).

use crate::api::Role;
use crate::words::Word;

/// A place in the console.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Place {
    /// The home: what needs attention.
    #[default]
    Attention,
    /// The shipments list, perhaps already filtered: only those with a problem, only stale ones.
    Shipments {
        /// Only shipments with an exception.
        problems: bool,
        /// Only shipments gone stale.
        stale: bool,
    },
    /// One shipment, by the seller's reference.
    Shipment(String),
    /// The webhooks (owners only).
    Webhooks,
    /// Importing a spreadsheet (staff and owners).
    Import,
    /// The members and invitations (owners only).
    Members,
    /// The API tokens (owners only).
    Tokens,
    /// The audit log (owners only).
    Audit,
    /// Ozon's and the carriers' keys (owners only).
    Keys,
    /// The lookup rules and the snippet (owners only).
    Settings,
    /// The insights: lookups, taps and carriers' times (staff and owners).
    Insights,
}

/// The longest reference the seller API takes.
const MAX_REFERENCE: usize = 100;

impl Place {
    /// The place a fragment names (`#` included or not); the home for any other.
    pub fn of_hash(hash: &str) -> Place {
        let hash = hash.trim_start_matches('#');
        if let Some(reference) = hash.strip_prefix("/shipment/") {
            let fits = !reference.is_empty()
                && reference.len() <= MAX_REFERENCE
                && reference
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
            return if fits {
                Place::Shipment(reference.to_owned())
            } else {
                Place::Attention
            };
        }
        match hash {
            "/shipments" => Place::Shipments {
                problems: false,
                stale: false,
            },
            "/shipments?problems" => Place::Shipments {
                problems: true,
                stale: false,
            },
            "/shipments?stale" => Place::Shipments {
                problems: false,
                stale: true,
            },
            "/webhooks" => Place::Webhooks,
            "/import" => Place::Import,
            "/members" => Place::Members,
            "/tokens" => Place::Tokens,
            "/audit" => Place::Audit,
            "/keys" => Place::Keys,
            "/settings" => Place::Settings,
            "/insights" => Place::Insights,
            _ => Place::Attention,
        }
    }

    /// The fragment that names this place, `#` included.
    pub fn hash(&self) -> String {
        match self {
            Place::Attention => "#/".to_owned(),
            Place::Shipments { problems: true, .. } => "#/shipments?problems".to_owned(),
            Place::Shipments { stale: true, .. } => "#/shipments?stale".to_owned(),
            Place::Shipments { .. } => "#/shipments".to_owned(),
            Place::Shipment(reference) => format!("#/shipment/{reference}"),
            Place::Webhooks => "#/webhooks".to_owned(),
            Place::Import => "#/import".to_owned(),
            Place::Members => "#/members".to_owned(),
            Place::Tokens => "#/tokens".to_owned(),
            Place::Audit => "#/audit".to_owned(),
            Place::Keys => "#/keys".to_owned(),
            Place::Settings => "#/settings".to_owned(),
            Place::Insights => "#/insights".to_owned(),
        }
    }

    /// Whether only owners may open the place.
    pub fn owners_only(&self) -> bool {
        matches!(
            self,
            Place::Webhooks
                | Place::Members
                | Place::Tokens
                | Place::Audit
                | Place::Keys
                | Place::Settings
        )
    }

    /// The section the place belongs to, for the navigation's current link: a shipment's page
    /// and every filter of the list are the list's.
    pub fn section(&self) -> Place {
        match self {
            Place::Shipments { .. } | Place::Shipment(_) => Place::Shipments {
                problems: false,
                stale: false,
            },
            other => other.clone(),
        }
    }
}

/// A section of the signed-in console's navigation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Where it goes.
    pub href: &'static str,
    /// Its name.
    pub word: Word,
    /// The place it opens, when it is one of the console's.
    pub place: Option<Place>,
}

/// The sections a role sees: staff never sees an owner's (keys, tokens, webhooks, members, the
/// audit log, settings, the configurator), which the server refuses them anyway.
pub fn sections(role: Role) -> Vec<Section> {
    let mut sections = vec![
        Section {
            href: "#/",
            word: Word::NavAttention,
            place: Some(Place::Attention),
        },
        Section {
            href: "#/shipments",
            word: Word::NavShipments,
            place: Some(Place::Shipments {
                problems: false,
                stale: false,
            }),
        },
        Section {
            href: "#/import",
            word: Word::NavImport,
            place: Some(Place::Import),
        },
    ];
    sections.push(Section {
        href: "#/insights",
        word: Word::NavInsights,
        place: Some(Place::Insights),
    });
    if role.is_owner() {
        sections.push(Section {
            href: "#/webhooks",
            word: Word::NavWebhooks,
            place: Some(Place::Webhooks),
        });
        for (href, word, place) in [
            ("#/keys", Word::NavKeys, Place::Keys),
            ("#/tokens", Word::NavTokens, Place::Tokens),
            ("#/members", Word::NavMembers, Place::Members),
            ("#/audit", Word::NavAudit, Place::Audit),
            ("#/settings", Word::NavSettings, Place::Settings),
        ] {
            sections.push(Section {
                href,
                word,
                place: Some(place),
            });
        }
        sections.push(Section {
            href: "/configure/",
            word: Word::NavWidget,
            place: None,
        });
    }
    sections
}

/// The configurator's address, opened with the seller's shop filled in and in the console's
/// language (`tag`); a handle the configurator could not take is left out.
pub fn configurator(handle: &str, tag: &str) -> String {
    let fits = !handle.is_empty()
        && handle.len() <= 40
        && handle
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if fits {
        format!("/configure/?shop={handle}&lang={tag}")
    } else {
        format!("/configure/?lang={tag}")
    }
}

/// The invitation token a link's fragment carries (`#invitation=TOKEN`), if it carries one.
pub fn invitation(hash: &str) -> Option<String> {
    let token = hash.trim_start_matches('#').strip_prefix("invitation=")?;
    let token = token.split('&').next().unwrap_or_default().trim();
    let fits = !token.is_empty()
        && token.len() <= 200
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'%'));
    fits.then(|| token.to_owned())
}

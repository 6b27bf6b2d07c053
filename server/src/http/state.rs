//! What every request may use: the store, the Ozon client, the limiters and the built widget.
//!
//! Built once, by `main` and by every test alike; handlers take the part they need with
//! `State<Part>` (`FromRef`), so a service a handler cannot work without is never missing
//! at run time.

use super::assets::WidgetFiles;
use crate::client_address::ClientIdentity;
use crate::limiter::{Limiter, RateLimit};
use crate::lookup_cache::LookupCache;
use crate::ozon::{OzonClient, PullRetries};
use crate::providers::poller::Poller;
use crate::settings::Settings;
use crate::store::Store;
use axum::extract::FromRef;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// How long an Ozon posting is reused before Ozon is asked again.
pub const OZON_CACHE: Duration = Duration::from_secs(60);

/// How often one client address may subscribe to notifications, or end a subscription: a buyer
/// taps it a few times for a few parcels; more is somebody filling the store.
pub const PUSH_SUBSCRIPTIONS: RateLimit = RateLimit {
    per_minute: 10,
    burst: 10,
};

/// How often one seller may read its list or its attention queues, on this instance: a console
/// reads a page or two a click; a script walking and counting the shop in a loop would hold the
/// database's connections from every other seller.
pub const SELLER_READS: RateLimit = RateLimit {
    per_minute: 600,
    burst: 30,
};

/// How many taps one client address may send: a buyer taps a contact or two on a page; more is
/// somebody inflating a seller's counts.
pub const TAPS: RateLimit = RateLimit {
    per_minute: 10,
    burst: 10,
};

/// The limit on a seller's list and queue reads, per seller.
#[derive(Debug, Clone)]
pub struct SellerReads(pub Limiter<crate::store::seller_id::SellerId>);
/// How often one client address may knock at the console's doors that need no session
/// (an invitation checked, a ceremony begun, a password tried): a person signs in a few times.
pub const CONSOLE_KNOCKS: RateLimit = RateLimit {
    per_minute: 30,
    burst: 30,
};

/// What the console's sign-in needs: the origin it is served at (the relying party of its
/// passkeys, the one origin its writes are taken from) and a limit on unsigned requests.
#[derive(Clone)]
pub struct ConsoleState {
    /// `public_url`'s origin, as browsers send it in `Origin`.
    pub public_url: Arc<str>,
    /// The passkeys' relying party; `None` when `public_url` has no host webauthn-rs takes.
    pub webauthn: Option<Arc<webauthn_rs::Webauthn>>,
    /// Unsigned console requests, per client address.
    pub knocks: Limiter<IpAddr>,
}

impl std::fmt::Debug for ConsoleState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsoleState")
            .field("public_url", &self.public_url)
            .field("passkeys", &self.webauthn.is_some())
            .finish_non_exhaustive()
    }
}

impl ConsoleState {
    /// The console's sign-in at `public_url`.
    pub fn new(public_url: &str) -> ConsoleState {
        let webauthn = match crate::console_auth::relying_party(public_url) {
            Ok(webauthn) => Some(Arc::new(webauthn)),
            Err(error) => {
                tracing::warn!(%error, public_url, "no passkeys: the public URL is no relying party");
                None
            }
        };
        ConsoleState {
            public_url: public_url.into(),
            webauthn,
            knocks: Limiter::new(CONSOLE_KNOCKS),
        }
    }
}

/// How long the poller waits, when nothing is due, before looking again.
pub const POLL_IDLE: Duration = Duration::from_secs(5);

/// The public lookup's limit, each seller's apart from the others'. It lives in this instance's
/// memory: behind a load balancer each instance counts on its own, so N instances allow a
/// client N times the rate (a courtesy against scraping, kept off the store on the hot path);
/// the second-factor lockout, which guards buyers' orders, is counted in the store instead.
#[derive(Debug, Clone)]
pub struct LookupLimits {
    /// Lookups per seller (its handle as asked; empty for the short path) and client address.
    pub lookups: Limiter<(String, IpAddr)>,
}

impl LookupLimits {
    /// Lookups limited as configured.
    pub fn new(lookups: RateLimit) -> LookupLimits {
        LookupLimits {
            lookups: Limiter::new(lookups),
        }
    }
}

/// The state as the router holds it: cloned for every request, so one reference count to bump.
pub type SharedState = Arc<AppState>;

/// The state shared by every handler.
#[derive(Debug, Clone)]
pub struct AppState {
    /// Shipments, sellers and replays.
    pub store: Store,
    /// The Ozon Seller API, with its cache.
    pub ozon: OzonClient,
    /// The carriers polled for sellers, also asked at once when a buyer looks a shipment up.
    pub poller: Poller,
    /// The public lookup's limiters.
    pub limits: LookupLimits,
    /// The public lookup's responses kept in memory.
    pub lookup_cache: LookupCache,
    /// The built widget to serve at `/`, if any.
    pub widget: Option<WidgetFiles>,
    /// The handle of the seller the short lookup path answers for, when the server has several.
    pub default_seller: Option<String>,
    /// Who the client is: the proxies believed, the header they set, the IPv6 prefix of one client.
    pub clients: ClientIdentity,
    /// Whether plain `http://` webhook receivers may be subscribed.
    pub allow_http_webhooks: bool,
    /// Whether webhook receivers on private networks may be subscribed.
    pub allow_private_webhooks: bool,
    /// The key buyers' notifications are signed with; none without a secret key (no push then).
    pub vapid: Option<crate::push::vapid::Vapid>,
    /// Whether push services on private networks may be subscribed (tests).
    pub allow_private_push: bool,
    /// The push services subscriptions may name (`push_services`).
    pub push_services: crate::push::services::PushServices,
    /// Subscriptions to notifications, per client address.
    pub push_limit: Limiter<IpAddr>,
    /// How sellers' imported files are read (a workbook in a process of its own).
    pub sheets: crate::sheet_reader::SheetReader,
    /// Reads of a seller's list and queues, per seller.
    pub seller_reads: SellerReads,
    /// The console's sign-in.
    pub console: ConsoleState,
    /// What happens to each seller per day, counted here until flushed to the store.
    pub counts: crate::counts::Counter,
    /// Taps counted, per client address (an IPv6 client's network).
    pub taps_limit: Limiter<IpAddr>,
}

impl AppState {
    /// The state for a store, with every other part as `settings` say.
    pub fn new(store: Store, settings: &Settings) -> AppState {
        let ozon = OzonClient::new(&settings.ozon_base_url, OZON_CACHE, PullRetries::default());
        AppState {
            poller: Poller::new(store.clone(), &settings.providers, ozon.clone(), POLL_IDLE),
            ozon,
            limits: LookupLimits::new(settings.rate_limit),
            lookup_cache: LookupCache::default(),
            widget: WidgetFiles::choose(settings.static_dir.clone()),
            clients: ClientIdentity {
                trusted: settings.trusted_proxies.clone(),
                header: settings.client_header.clone(),
                ipv6_prefix: settings.ipv6_client_prefix,
            },
            allow_http_webhooks: settings.allow_http_webhooks,
            allow_private_webhooks: settings.allow_private_webhooks,
            vapid: settings.secret_key.as_ref().map(|key| {
                crate::push::vapid::Vapid::from_secret_key(
                    key,
                    settings
                        .push_contact
                        .as_deref()
                        .unwrap_or(crate::push::vapid::UNNAMED_CONTACT),
                )
            }),
            allow_private_push: settings.allow_private_push,
            push_services: settings.push_services.clone(),
            push_limit: Limiter::new(PUSH_SUBSCRIPTIONS),
            sheets: crate::sheet_reader::SheetReader {
                program: settings.sheet_reader.clone(),
                ..crate::sheet_reader::SheetReader::default()
            },
            seller_reads: SellerReads(Limiter::new(SELLER_READS)),
            console: ConsoleState::new(&settings.public_url),
            counts: crate::counts::Counter::default(),
            taps_limit: Limiter::new(TAPS),
            default_seller: settings
                .default_shop
                .clone()
                .or_else(|| settings.demo.then(|| crate::demo::DEMO_SELLER.to_owned())),
            store,
        }
    }
}

impl FromRef<SharedState> for Store {
    fn from_ref(state: &SharedState) -> Store {
        state.store.clone()
    }
}

impl FromRef<SharedState> for OzonClient {
    fn from_ref(state: &SharedState) -> OzonClient {
        state.ozon.clone()
    }
}

impl FromRef<SharedState> for LookupLimits {
    fn from_ref(state: &SharedState) -> LookupLimits {
        state.limits.clone()
    }
}

impl FromRef<SharedState> for SellerReads {
    fn from_ref(state: &SharedState) -> SellerReads {
        state.seller_reads.clone()
    }
}

impl FromRef<SharedState> for ConsoleState {
    fn from_ref(state: &SharedState) -> ConsoleState {
        state.console.clone()
    }
}

//! How an entry point configures the widget: what it read from its page, and the one place
//! that reading becomes a `Config`.

use crate::client::Prefetched;
use crate::i18n::Lang;
use crate::state::PageLookup;
use trackline_core::way_in::{with_via, Place, Via};

/// The default endpoint: the reference server's lookup on the same origin, for its only (or default) seller.
pub const DEFAULT_ENDPOINT: &str = "/api/v1/track/{number}";

/// The reference server's lookup for one seller, on the server at `server` (empty: the page's own).
pub fn seller_endpoint(server: &str, seller: &str) -> String {
    format!(
        "{server}/api/v1/shops/{}/track/{{number}}",
        trackline_core::url_template::percent_encode(seller)
    )
}

/// Where the reference server counts taps for a seller (`{server}/api/v1/shops/{shop}/taps`),
/// or for its only or default seller (`{server}/api/v1/taps`).
pub fn taps_url(server: &str, seller: Option<&str>) -> String {
    match seller {
        Some(seller) => format!(
            "{server}/api/v1/shops/{}/taps",
            trackline_core::url_template::percent_encode(seller)
        ),
        None => format!("{server}/api/v1/taps"),
    }
}

/// The URL a lookup of `number` asks at `endpoint` (a template), with its way in when the
/// widget talks to a trackline server: the same for the requests the buyer asks (retries, the
/// reply to a second factor), and `refresh` for the widget's own refreshes, which the server
/// counts nothing for (their copy and ETag are then their own).
pub fn lookup_url(endpoint: &str, number: &str, via: Option<Via>) -> String {
    let url = trackline_core::url_template::expand(endpoint, number);
    match via {
        Some(via) => with_via(&url, via),
        None => url,
    }
}

/// What a trackline server counts for the seller's insights, where the widget talks to one
/// (never to a seller's own endpoint): the ways in to its lookups and the buyer's taps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counting {
    /// Where the widget runs, which gives its lookups their way in.
    pub place: Place,
    /// Where a tap's beacon goes.
    pub taps: String,
}

/// Where notifications about `number` are subscribed to and ended: the lookup's path at
/// `endpoint` (a template) with `/push`.
pub fn push_path(endpoint: &str, number: &str) -> String {
    format!(
        "{}/push",
        trackline_core::url_template::expand(endpoint, number)
    )
}

/// The start of the reference server's tracking page for a seller (`{server}/?shop=…&`, or
/// `{server}/?` for its only or default seller), to which [`page_link`] adds a number.
pub fn page_base(server: &str, seller: Option<&str>) -> String {
    match seller.map(str::trim).filter(|seller| !seller.is_empty()) {
        Some(seller) => format!(
            "{server}/?shop={}&",
            trackline_core::url_template::percent_encode(seller)
        ),
        None => format!("{server}/?"),
    }
}

/// The tracking page for `number` in `lang`, after a [`page_base`].
pub fn page_link(base: &str, number: &str, lang: Lang) -> String {
    format!(
        "{base}n={}&lang={}",
        trackline_core::url_template::percent_encode(number),
        lang.tag()
    )
}

/// Where the second factor's form sends the number and the buyer's reply when no script takes
/// it (a page the server rendered, before the wasm or without it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ReplyPost {
    /// To the page's own address: the hosted page, whose server renders what the reply opens.
    #[default]
    Page,
    /// To the reference server's hosted page at this absolute address: an element that knows
    /// the server it came from.
    Hosted(String),
    /// Nowhere: an element whose server is not known. Its page is the storefront's, and the
    /// storefront's own server must never receive the reply (nor its logs keep it).
    Nowhere,
}

impl ReplyPost {
    /// Where an element's form posts: the hosted page of `server` for `seller`, in `lang`, when
    /// `server` is an absolute http(s) origin; else nowhere.
    pub fn of_element(server: &str, seller: Option<&str>, lang: Lang) -> ReplyPost {
        let absolute = server.starts_with("https://") || server.starts_with("http://");
        if absolute {
            ReplyPost::Hosted(format!("{}lang={}", page_base(server, seller), lang.tag()))
        } else {
            ReplyPost::Nowhere
        }
    }

    /// The form's `method` and `action`: `dialog`, which sends nothing outside a `<dialog>`,
    /// when the reply may go nowhere; no action, the page's own address, for the hosted page.
    pub fn form(&self) -> (&'static str, Option<String>) {
        match self {
            ReplyPost::Page => ("post", None),
            ReplyPost::Hosted(page) => ("post", Some(page.clone())),
            ReplyPost::Nowhere => ("dialog", None),
        }
    }
}

/// The colour scheme: the buyer's system setting, or fixed by the seller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// Follow `prefers-color-scheme`.
    #[default]
    Auto,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl Theme {
    /// Reads `light`, `dark` or `auto`; anything else is `Auto`.
    pub fn from_attr(value: Option<&str>) -> Theme {
        match value.map(str::trim) {
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            _ => Theme::Auto,
        }
    }

    /// The value of the widget root's `data-theme`, which the stylesheet reads.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// Where the widget runs: the entry points differ in what a buyer expects of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryPoint {
    /// The hosted tracking page (and its iframe form): its address is the widget's own.
    HostedPage,
    /// `<trackline-widget>` on a storefront: the page and its address are the storefront's.
    Element,
}

/// What an entry point read from its page, as text, before any of it is trusted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageSettings {
    /// The endpoint template (`data-endpoint`, the `endpoint` attribute); it wins over `seller`.
    pub endpoint: Option<String>,
    /// The reference server's seller whose shipments are looked up (its wire name is `shop`: `?shop=`, `data-shop`, the `shop` attribute).
    pub seller: Option<String>,
    /// The origin of the reference server the widget came from (the element's loader); empty for the page's own.
    pub server: String,
    /// The language asked for (`?lang=`, `data-lang`, the `lang` attribute).
    pub lang: Option<String>,
    /// The browser's preferred languages, best first.
    pub languages: Vec<String>,
    /// A number to look up at once (`?n=`, the `number` attribute).
    pub number: Option<String>,
    /// `light`, `dark` or `auto`.
    pub theme: Option<String>,
    /// Whether the compact form was asked for.
    pub compact: bool,
    /// What the buyer typed into the plain form while the wasm was loading.
    pub draft: Option<String>,
    /// Whether the buyer was still in that form.
    pub focus: bool,
    /// The first lookup, already asked by the element's loader while the wasm downloaded.
    pub prefetched: Option<Prefetched>,
    /// The lookup the server already rendered into the page, to take over rather than ask again.
    pub rendered: Option<PageLookup>,
    /// The address's settings that the page's plain form sends again with a number (`KEPT`).
    pub keep: Vec<(&'static str, String)>,
    /// The reference server's key for buyers' notifications (`data-push-key`), if it sends them.
    pub push_key: Option<String>,
    /// Whether the page runs inside a frame (the hosted page as the iframe form).
    pub framed: bool,
}

/// The address's settings the hosted page's plain form keeps when it is sent without the widget.
pub const KEPT: [&str; 4] = ["shop", "lang", "theme", "compact"];

impl PageSettings {
    /// The settings among `KEPT` that the address holds, read with `param`.
    pub fn kept(param: impl Fn(&str) -> Option<String>) -> Vec<(&'static str, String)> {
        KEPT.iter()
            .filter_map(|name| Some((*name, param(name)?)))
            .collect()
    }
}

/// Everything the app needs from the page that hosts it.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// URL template with `{number}`, where the status is fetched from.
    pub endpoint: String,
    /// The language to speak.
    pub lang: Lang,
    /// A number to look up as soon as the widget mounts.
    pub number: Option<String>,
    /// Text to put in the input without looking it up (what was typed before the wasm arrived).
    pub draft: Option<String>,
    /// Whether the input takes the focus when mounted (the buyer was typing in the page's plain form).
    pub focus: bool,
    /// The colour scheme.
    pub theme: Theme,
    /// One line a parcel, no form: for order pages that already know the number.
    pub compact: bool,
    /// How long a lookup may take before the buyer is told.
    pub timeout_ms: u32,
    /// Whether the number goes into the page's address and a share button is offered (the hosted page).
    pub share: bool,
    /// Whether looked-up numbers are remembered on the device.
    pub remember: bool,
    /// How often a shown status that may still change is fetched again while the page is visible.
    pub refresh_ms: u32,
    /// The first lookup, if the element's loader already asked it.
    pub prefetched: Option<Prefetched>,
    /// The lookup the server rendered into the page, taken over instead of asked again.
    pub rendered: Option<PageLookup>,
    /// Hidden fields of the plain form: the address's settings it sends again (`KEPT`).
    pub keep: Vec<(&'static str, String)>,
    /// The server's key for notifications: "Notify me" has its place (the hosted page; the control
    /// shows itself only outside a frame; an element on its server's lookup links to that page).
    pub push_key: Option<String>,
    /// For an element: the reference server's tracking page (`https://server/?shop=…&`), which
    /// its "Notify me" opens, since no worker may be registered on the storefront's origin.
    pub push_page: Option<String>,
    /// Where the second factor's form posts without script.
    pub reply_post: ReplyPost,
    /// What a trackline server counts, when the widget talks to one; none by default.
    pub counting: Option<Counting>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            endpoint: DEFAULT_ENDPOINT.to_owned(),
            lang: Lang::En,
            number: None,
            draft: None,
            theme: Theme::Auto,
            compact: false,
            focus: false,
            timeout_ms: 15_000,
            share: false,
            remember: true,
            refresh_ms: trackline_core::freshness::REFRESH_EVERY_MS,
            prefetched: None,
            rendered: None,
            keep: Vec::new(),
            push_key: None,
            push_page: None,
            reply_post: ReplyPost::Page,
            counting: None,
        }
    }
}

impl Config {
    /// The widget's configuration at `entry` from what it read there: blank texts are absent,
    /// the endpoint is the one given, else the server's lookup for the seller given, else its
    /// short path; the language is the page's, else the browser's first known, else English.
    pub fn new(entry: EntryPoint, settings: PageSettings) -> Config {
        let given = |text: Option<String>| text.filter(|value| !value.trim().is_empty());
        let lang = Config::pick_lang(
            given(settings.lang).as_deref(),
            settings.languages.iter().map(String::as_str),
        );
        let server = settings.server.trim_end_matches('/');
        let push_page =
            (entry == EntryPoint::Element).then(|| page_base(server, settings.seller.as_deref()));
        let reply_post = match entry {
            EntryPoint::HostedPage => ReplyPost::Page,
            EntryPoint::Element => ReplyPost::of_element(server, settings.seller.as_deref(), lang),
        };
        let seller = given(settings.seller);
        let seller = seller.as_deref().map(str::trim);
        // Only a lookup this widget built for a trackline server is counted: a seller's own
        // endpoint is told nothing it did not ask for.
        let (endpoint, counting) = match given(settings.endpoint) {
            Some(endpoint) => (endpoint, None),
            None => {
                let endpoint = match seller {
                    Some(seller) => seller_endpoint(server, seller),
                    None => format!("{server}{DEFAULT_ENDPOINT}"),
                };
                let place = match entry {
                    EntryPoint::Element => Place::Element,
                    EntryPoint::HostedPage if settings.framed => Place::Frame,
                    EntryPoint::HostedPage => Place::HostedPage,
                };
                let taps = taps_url(server, seller);
                (endpoint, Some(Counting { place, taps }))
            }
        };
        Config {
            endpoint,
            lang,
            number: given(settings.number),
            draft: given(settings.draft),
            focus: settings.focus,
            theme: Theme::from_attr(given(settings.theme).as_deref()),
            compact: settings.compact,
            share: entry == EntryPoint::HostedPage,
            prefetched: settings.prefetched,
            rendered: settings.rendered,
            keep: settings.keep,
            // The hosted page's own origin has the worker; an element links to that page.
            push_page,
            push_key: given(settings.push_key),
            reply_post,
            counting,
            ..Config::default()
        }
    }

    /// Chooses the language: the host's setting, else the browser's languages, else English.
    pub fn pick_lang<'a>(host: Option<&str>, browser: impl IntoIterator<Item = &'a str>) -> Lang {
        host.and_then(Lang::from_tag)
            .or_else(|| browser.into_iter().find_map(Lang::from_tag))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_wins_then_the_browser_then_english() {
        assert_eq!(Config::pick_lang(Some("zh"), ["ru"]), Lang::Zh);
        assert_eq!(
            Config::pick_lang(Some("klingon"), ["de", "ru-RU"]),
            Lang::Ru
        );
        assert_eq!(Config::pick_lang(None, ["de", "fr"]), Lang::En);
    }

    #[test]
    fn blank_settings_are_absent_and_only_the_hosted_page_shares() {
        let settings = PageSettings {
            endpoint: Some("  ".into()),
            lang: Some("".into()),
            languages: vec!["ru-RU".into()],
            number: Some(" ".into()),
            theme: Some("dark".into()),
            draft: Some("RA1".into()),
            ..PageSettings::default()
        };
        let element = Config::new(EntryPoint::Element, settings.clone());
        assert_eq!(element.endpoint, DEFAULT_ENDPOINT);
        assert_eq!(
            Config::new(
                EntryPoint::Element,
                PageSettings {
                    seller: Some(" demo ".into()),
                    server: "https://track.example/".into(),
                    ..settings.clone()
                }
            )
            .endpoint,
            "https://track.example/api/v1/shops/demo/track/{number}",
            "a shop picks its scoped lookup on the server the loader came from"
        );
        assert_eq!(
            Config::new(
                EntryPoint::HostedPage,
                PageSettings {
                    seller: Some("a/b".into()),
                    endpoint: Some("https://other.example/t/{number}".into()),
                    ..settings.clone()
                }
            )
            .endpoint,
            "https://other.example/t/{number}",
            "an endpoint given wins over a shop"
        );
        assert_eq!(
            seller_endpoint("", "a/b"),
            "/api/v1/shops/a%2Fb/track/{number}"
        );
        assert_eq!(element.lang, Lang::Ru);
        assert_eq!(element.number, None);
        assert_eq!(element.theme, Theme::Dark);
        assert_eq!(element.draft.as_deref(), Some("RA1"));
        assert!(!element.share && element.remember);
        assert!(Config::new(EntryPoint::HostedPage, settings.clone()).share);
    }

    #[test]
    fn only_a_lookup_built_for_a_trackline_server_says_its_way_in() {
        let config = |entry, endpoint: Option<&str>, seller: Option<&str>, framed| {
            Config::new(
                entry,
                PageSettings {
                    endpoint: endpoint.map(str::to_owned),
                    seller: seller.map(str::to_owned),
                    server: "https://t.example/".into(),
                    framed,
                    ..PageSettings::default()
                },
            )
        };
        let url = |config: &Config, from_address| {
            let via = config
                .counting
                .as_ref()
                .map(|counting| Via::of(counting.place, from_address));
            lookup_url(&config.endpoint, "RA1", via)
        };
        let hosted = config(EntryPoint::HostedPage, None, None, false);
        assert_eq!(
            url(&hosted, true),
            "https://t.example/api/v1/track/RA1?via=link"
        );
        assert_eq!(
            url(&hosted, false),
            "https://t.example/api/v1/track/RA1?via=typed"
        );
        assert_eq!(
            hosted.counting.map(|counting| counting.taps).as_deref(),
            Some("https://t.example/api/v1/taps")
        );
        let framed = config(EntryPoint::HostedPage, None, Some(" a/b "), true);
        assert_eq!(
            url(&framed, true),
            "https://t.example/api/v1/shops/a%2Fb/track/RA1?via=iframe"
        );
        assert_eq!(
            framed.counting.map(|counting| counting.taps).as_deref(),
            Some("https://t.example/api/v1/shops/a%2Fb/taps")
        );
        let element = config(EntryPoint::Element, None, Some("demo"), false);
        assert_eq!(
            url(&element, false),
            "https://t.example/api/v1/shops/demo/track/RA1?via=element"
        );
        // A seller's own endpoint, even one on a trackline server's path, is told nothing, and
        // no tap goes anywhere.
        for endpoint in [
            "https://shop.example/track/{number}",
            "https://t.example/api/v1/track/{number}",
        ] {
            for entry in [EntryPoint::HostedPage, EntryPoint::Element] {
                let own = config(entry, Some(endpoint), Some("demo"), true);
                assert_eq!(own.counting, None);
                assert!(!url(&own, true).contains("via="), "{endpoint}");
            }
        }
        // Nor is anything counted by default (a configuration built by hand).
        assert_eq!(Config::default().counting, None);
    }

    #[test]
    fn an_elements_reply_goes_to_its_servers_page_or_nowhere_never_to_the_storefront() {
        let element = |server: &str| {
            let settings = PageSettings {
                server: server.into(),
                seller: Some("a/b".into()),
                lang: Some("ru".into()),
                ..PageSettings::default()
            };
            Config::new(EntryPoint::Element, settings).reply_post
        };
        assert_eq!(
            element("https://track.example/"),
            ReplyPost::Hosted("https://track.example/?shop=a%2Fb&lang=ru".into())
        );
        // The server's own rendering for an element, and a bundle: no server known.
        assert_eq!(element(""), ReplyPost::Nowhere);
        assert_eq!(element("null"), ReplyPost::Nowhere);
        assert_eq!(ReplyPost::Nowhere.form(), ("dialog", None));
        let hosted = Config::new(EntryPoint::HostedPage, PageSettings::default()).reply_post;
        assert_eq!(hosted.form(), ("post", None));
    }
}

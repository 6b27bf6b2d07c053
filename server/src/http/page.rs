//! The hosted tracking page and its iframe form, rendered here: the form in the buyer's language,
//! and for a number in the address (or a reply to a second factor posted by the page's own form)
//! its status, from the widget's own Leptos views. The lookup's response travels in the page, so
//! the wasm takes the markup over (hydrates) without asking again; without script the page is
//! whole, and its forms work as plain forms.

use super::assets::{WidgetFiles, STRICT_CSP};
use super::error::ApiError;
use super::public::{count, count_for_seller, look_up, matches_etag, CACHE_CONTROL};
use super::rate_limit::{admit, client_ip};
use crate::clock::{now_in, support_zone};
use crate::counts::Count;
use crate::http::state::SharedState;
use crate::lookup::LookupError;
use crate::lookup_cache::SellerRef;
use crate::seller_input::is_origin;
use axum::body::Body;
use axum::extract::{Form, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use trackline::config::{Config, EntryPoint, PageSettings};
use trackline::state::{LookupState, PageLookup, PageResponse};
use trackline_core::contract::parse_track_response;
use trackline_core::time::Now;
use trackline_core::TrackingQuery;

/// Where the widget goes in the build's `index.html`: the server puts its rendering between these.
const ROOT_OPEN: &str = "<div id=\"trackline\" data-trackline-hosted><!--trackline:widget-->";
const ROOT_CLOSE: &str = "<!--/trackline:widget--></div>";
const HTML_OPEN: &str = "<html lang=\"en\">";
const BODY_OPEN: &str = "<body class=\"tl-page\">";
/// The installed app's manifest, in English; the build writes one a language beside it.
const MANIFEST_LINK: &str = "<link rel=\"manifest\" href=\"/manifest.webmanifest\">";

/// The largest error body the page carries from the lookup (they are a few hundred bytes).
const MAX_ERROR_BODY: usize = 64 * 1024;

/// The page's routes, over the widget's built files.
pub fn routes(files: WidgetFiles) -> Router<SharedState> {
    let (get_files, post_files) = (files.clone(), files);
    let show = get(move |state, query, request| show(state, get_files.clone(), query, request));
    Router::new()
        .route("/widget", get(widget))
        .route("/", show.clone())
        .route("/index.html", show)
        .route(
            "/",
            axum::routing::post(move |state, query, parts, form| {
                reply(state, post_files.clone(), query, parts, form)
            }),
        )
}

/// The page's address: the number, and the settings the widget reads there.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    n: Option<String>,
    /// The seller's handle (its wire name is `shop`).
    #[serde(rename = "shop")]
    seller: Option<String>,
    lang: Option<String>,
    theme: Option<String>,
    compact: Option<String>,
}

impl PageQuery {
    fn get(&self, name: &str) -> Option<String> {
        match name {
            "n" => self.n.clone(),
            "shop" => self.seller.clone(),
            "lang" => self.lang.clone(),
            "theme" => self.theme.clone(),
            "compact" => self.compact.clone(),
            _ => None,
        }
    }
}

/// The second factor's form, posted by a page without script: the number and the buyer's reply.
#[derive(Debug, Deserialize)]
pub struct ReplyForm {
    n: String,
    /// The reply (its wire name is `check`).
    #[serde(rename = "check")]
    reply: String,
}

/// `GET /`: the form, or the status of the number in the address.
async fn show(
    State(state): State<SharedState>,
    files: WidgetFiles,
    Query(query): Query<PageQuery>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let number = query.n.clone();
    render(&state, &files, &query, number, None, &parts).await
}

/// `POST /`: the status of the number in the form, opened by the buyer's reply to the seller's
/// second factor; never kept by a cache, and the reply never in an address.
async fn reply(
    State(state): State<SharedState>,
    files: WidgetFiles,
    Query(query): Query<PageQuery>,
    parts: Parts,
    Form(form): Form<ReplyForm>,
) -> Response {
    render(
        &state,
        &files,
        &query,
        Some(form.n),
        Some(form.reply),
        &parts,
    )
    .await
}

/// `GET /widget`: the widget an element on a storefront shows for its number, rendered here in
/// the element's language, theme and form, with the lookup's response inside: the loader shows it
/// as soon as it arrives and the wasm takes it over when it lands. Asked from other origins, so
/// the seller's allowed origins apply, as to the API.
async fn widget(
    State(state): State<SharedState>,
    Query(query): Query<PageQuery>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let origin = parts
        .headers
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok());
    let rendering = WidgetMarkup::of(
        &state,
        EntryPoint::Element,
        &query,
        query.n.clone(),
        None,
        origin,
        &parts,
    )
    .await;
    let markup = rendering.root(None);
    let mut response = respond(
        &parts.headers,
        rendering.status,
        rendering.cache,
        STRICT_CSP,
        markup,
        true,
    );
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response.headers_mut().insert(
        header::VARY,
        HeaderValue::from_static("Origin, Accept-Language"),
    );
    response
}

async fn render(
    state: &SharedState,
    files: &WidgetFiles,
    query: &PageQuery,
    number: Option<String>,
    reply: Option<String>,
    parts: &Parts,
) -> Response {
    let Some(template) = Template::load(files).await else {
        return ApiError::Internal("the widget's index.html has no place for the widget".into())
            .into_response();
    };
    let rendering = WidgetMarkup::of(
        state,
        EntryPoint::HostedPage,
        query,
        number,
        reply,
        None,
        parts,
    )
    .await;
    let policy = framed_by(
        &template.policy,
        frame_ancestors(state, query).await.as_deref(),
    );
    let framed = parts
        .headers
        .get("sec-fetch-dest")
        .is_some_and(|dest| dest.as_bytes() == b"iframe");
    let page = template.fill(&rendering, framed);
    respond(
        &parts.headers,
        rendering.status,
        rendering.cache,
        &policy,
        page,
        rendering.reply.is_none(),
    )
}

/// The pages that may frame the page of the seller it names (or the server's default seller): its
/// allowed origins, when it lists some; `None`, any page, when it lists none, or there is no such
/// seller (nothing of a seller is shown then). A store that fails gives the empty list: framed by
/// this server's own pages only.
async fn frame_ancestors(state: &SharedState, query: &PageQuery) -> Option<Vec<String>> {
    let handle = query
        .seller
        .as_deref()
        .filter(|handle| !handle.trim().is_empty());
    let default = state.default_seller.as_deref();
    let seller = match crate::lookup::find_seller(&state.store, handle, default).await {
        Ok(seller) => seller,
        Err(LookupError::UnknownSeller | LookupError::SellerRequired) => return None,
        Err(_) => return Some(Vec::new()),
    };
    match state.store.lookup_rules(seller).await {
        Ok(rules) if rules.allowed_origins.is_empty() => None,
        Ok(rules) => Some(rules.allowed_origins),
        Err(_) => Some(Vec::new()),
    }
}

/// `policy` with `frame-ancestors` for `origins`: this server's pages and those origins, or no
/// directive (any page) for `None`. An origin that is not one (the seller API refuses them; a
/// row written by other means might hold one) is left out rather than let end the directive.
fn framed_by(policy: &str, origins: Option<&[String]>) -> String {
    match origins {
        None => policy.to_owned(),
        Some(origins) => {
            let mut policy = format!("{policy}; frame-ancestors 'self'");
            for origin in origins.iter().filter(|origin| is_origin(origin)) {
                policy.push(' ');
                policy.push_str(origin);
            }
            policy
        }
    }
}

/// One lookup rendered: the widget's markup for it, and what goes with it.
struct WidgetMarkup {
    config: Config,
    widget: String,
    now: Now,
    reply: Option<String>,
    response: Option<PageResponse>,
    status: StatusCode,
    cache: &'static str,
}

impl WidgetMarkup {
    /// Looks up the number (asked by a page of `origin`; none for the server's own pages) and
    /// renders the widget at `entry` for it, as the widget there would draw it.
    async fn of(
        state: &SharedState,
        entry: EntryPoint,
        query: &PageQuery,
        number: Option<String>,
        reply: Option<String>,
        origin: Option<&str>,
        parts: &Parts,
    ) -> WidgetMarkup {
        let given = |text: Option<String>| text.filter(|value| !value.trim().is_empty());
        let number = given(number);
        let looked_up = match number.as_deref() {
            Some(number) if TrackingQuery::parse(number).is_ok() => {
                let seller = given(query.seller.clone());
                // The page rendered for a number in its address came by the link; a reply
                // posted to it continues that lookup, already counted.
                let via =
                    (entry == EntryPoint::HostedPage && reply.is_none()).then_some(Count::ViaLink);
                let asked = Asked {
                    origin,
                    reply: reply.as_deref(),
                    via,
                };
                Some(lookup(state, seller, number, asked, parts).await)
            }
            _ => None,
        };
        let (response, guarded) = match looked_up {
            Some((response, guarded)) => (Some(response), guarded),
            None => (None, None),
        };
        let zone = response
            .as_ref()
            .and_then(|response| zone_of(&response.body))
            .unwrap_or_else(|| "UTC".to_owned());
        let now = now_in(&zone);
        let settings = PageSettings {
            seller: query.seller.clone(),
            lang: query.lang.clone(),
            languages: accepted_languages(&parts.headers),
            number: number.clone(),
            theme: query.theme.clone(),
            compact: trackline_core::switch::is_on(query.compact.as_deref()),
            keep: match entry {
                EntryPoint::HostedPage => PageSettings::kept(|name| query.get(name)),
                EntryPoint::Element => Vec::new(),
            },
            rendered: PageLookup::of_page(number.as_deref(), response.clone(), reply.clone(), now),
            // "Notify me" has its place in the page (empty until the browser fills it), so that
            // the widget taking the page over finds the markup it draws itself.
            push_key: state
                .vapid
                .as_ref()
                .map(|vapid| vapid.public_key().to_owned()),
            ..PageSettings::default()
        };
        let config = Config::new(entry, settings);
        let status = page_status(&config, response.as_ref());
        let cache = match (&reply, guarded) {
            (Some(_), _) => "private, no-store",
            (None, Some(true)) if status == StatusCode::OK => "private, no-cache",
            (None, Some(false)) if status == StatusCode::OK => CACHE_CONTROL,
            _ => "no-cache",
        };
        let widget = trackline::render_to_html(config.clone(), &zone);
        WidgetMarkup {
            config,
            widget,
            now,
            reply,
            response,
            status,
            cache,
        }
    }

    /// The widget in its root, which carries what the wasm needs to take it over (the number,
    /// the clock it was rendered for, the reply that opened it), and the lookup's response beside it.
    fn root(&self, id: Option<&str>) -> String {
        let attr = |text: &str| html_escape::encode_double_quoted_attribute(text).into_owned();
        let config = &self.config;
        let mut root = match id {
            Some(id) => format!("<div id=\"{id}\" data-trackline-hosted data-rendered"),
            None => "<div data-rendered".to_owned(),
        };
        root.push_str(&format!(
            " data-lang=\"{}\" data-theme=\"{}\" data-now=\"{},{},{}\"",
            config.lang.tag(),
            config.theme.as_str(),
            self.now.millis,
            self.now.today,
            self.now.offset_minutes
        ));
        if let Some(number) = &config.number {
            root.push_str(&format!(" data-number=\"{}\"", attr(number)));
        }
        if let Some(reply) = &self.reply {
            root.push_str(&format!(" data-reply=\"{}\"", attr(reply)));
        }
        // The hosted page subscribes to notifications with it; an element links to that page.
        if let Some(key) = &config.push_key {
            root.push_str(&format!(" data-push-key=\"{}\"", attr(key)));
        }
        let script = self.response.as_ref().map_or_else(String::new, |response| {
            let retry_after = response
                .retry_after
                .as_deref()
                .map(|seconds| format!(" data-retry-after=\"{}\"", attr(seconds)))
                .unwrap_or_default();
            // JSON inside a script element: no `<` may open a tag or close the element early.
            format!(
                "<script type=\"application/json\" data-response data-status=\"{}\"{retry_after}>{}</script>",
                response.status,
                response.body.replace('<', "\\u003c")
            )
        });
        format!("{root}>{}</div>{script}", self.widget)
    }
}

/// The lookup's response as the API gives it: status, `Retry-After`, body; and, when it found
/// something, whether the seller's rules make it differ by caller.
/// Who asks a page's lookup and how they came: the page's origin, the buyer's reply, the way in.
#[derive(Debug, Clone, Copy)]
struct Asked<'a> {
    origin: Option<&'a str>,
    reply: Option<&'a str>,
    via: Option<Count>,
}

async fn lookup(
    state: &SharedState,
    seller: Option<String>,
    number: &str,
    asked: Asked<'_>,
    parts: &Parts,
) -> (PageResponse, Option<bool>) {
    let Asked { origin, reply, via } = asked;
    let admitted = match client_ip(&parts.extensions) {
        Some(client) => admit(&state.limits, seller.clone().unwrap_or_default(), client),
        None => Ok(()),
    };
    let seller = seller.map_or(SellerRef::Default, SellerRef::Handle);
    let (found, answered) = match admitted {
        Ok(()) => look_up(state, seller, number, origin, reply, parts).await,
        Err(refused) => (None, Err(refused)),
    };
    count(&answered, false);
    count_for_seller(state, found, via, &answered);
    match answered {
        Ok(written) => (
            PageResponse {
                status: 200,
                retry_after: None,
                body: String::from_utf8_lossy(&written.body).into_owned(),
            },
            Some(written.guarded),
        ),
        Err(error) => {
            let response = error.into_response();
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get(header::RETRY_AFTER)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned);
            let body = axum::body::to_bytes(response.into_body(), MAX_ERROR_BODY)
                .await
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .unwrap_or_default();
            (
                PageResponse {
                    status,
                    retry_after,
                    body,
                },
                None,
            )
        }
    }
}

/// The page's own status: the lookup's (404 for a number no shipment has, 403 for a question,
/// 429…), 400 for text that is no number, 200 for a status or the form.
fn page_status(config: &Config, response: Option<&PageResponse>) -> StatusCode {
    let input_refused = config.rendered.as_ref().is_some_and(|rendered| {
        matches!(
            rendered.state,
            LookupState::Failed(trackline::error::Failure::Input(_), _)
        )
    });
    if input_refused {
        return StatusCode::BAD_REQUEST;
    }
    response
        .and_then(|response| StatusCode::from_u16(response.status).ok())
        .unwrap_or(StatusCode::OK)
}

/// The zone a status is rendered for: where the seller's support keeps its hours (its buyers are
/// most likely there); the widget reads it again on the buyer's own clock if that differs.
fn zone_of(body: &str) -> Option<String> {
    support_zone(&parse_track_response(body).ok()?.shipments)
}

/// The languages of `Accept-Language`, best first.
fn accepted_languages(headers: &HeaderMap) -> Vec<String> {
    let mut tags = super::negotiation::weighted(headers, header::ACCEPT_LANGUAGE);
    tags.sort_by(|a, b| b.1.total_cmp(&a.1));
    tags.into_iter().map(|(tag, _)| tag).collect()
}

/// The page as sent: its status, the cache policy of what it shows, an ETag of its bytes (and 304
/// when the browser has them), under the strict policy.
fn respond(
    request: &HeaderMap,
    status: StatusCode,
    cache: &'static str,
    policy: &str,
    page: String,
    cacheable: bool,
) -> Response {
    let etag = format!(
        "W/\"{}\"",
        Sha256::digest(page.as_bytes())
            .iter()
            .take(12)
            .map(|byte| format!("{byte:02x}"))
            .collect::<String>()
    );
    let headers = [
        (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
        (header::CACHE_CONTROL, cache.to_owned()),
        (header::VARY, "Accept-Language, Sec-Fetch-Dest".to_owned()),
        (header::CONTENT_SECURITY_POLICY, policy.to_owned()),
        (header::ETAG, etag.clone()),
    ];
    let mut response = if cacheable && status == StatusCode::OK && matches_etag(request, &etag) {
        (StatusCode::NOT_MODIFIED, Body::empty()).into_response()
    } else {
        (status, Body::from(page)).into_response()
    };
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// The build's `index.html`, cut where the widget goes, its stylesheet inlined.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    head: String,
    /// The head for a page rendered for a number: without the preloads of the widget's code,
    /// which its start-up script fetches after the status is painted (xtask/src/dist.rs).
    linked_head: String,
    tail: String,
    /// The page's policy: the strict one, and the inlined stylesheet's hash.
    policy: String,
}

impl Template {
    /// Cuts `html` around the widget's place, and puts `stylesheet` (the build's, which
    /// `html` links as `/<name>`) inline instead of the link; `None` if it has no such place.
    ///
    /// Inline, the stylesheet costs no round trip before the first paint (a link to it blocks
    /// rendering for one): the status shows as soon as the page arrives. The policy allows it
    /// by its hash, and still no other inline style.
    pub fn parse(html: &str, stylesheet: impl Fn(&str) -> Option<String>) -> Option<Template> {
        let start = html.find(ROOT_OPEN)?;
        let end = start + html[start..].find(ROOT_CLOSE)? + ROOT_CLOSE.len();
        let mut head = html[..start].to_owned();
        if !(head.contains(HTML_OPEN) && head.contains(BODY_OPEN)) {
            return None;
        }
        let mut policy = STRICT_CSP.to_owned();
        let link = head
            .find("<link rel=\"stylesheet\" href=\"/")
            .and_then(|at| {
                let tag_end = at + head[at..].find('>')? + 1;
                let href = head[at..tag_end].split('"').nth(3)?.trim_start_matches('/');
                Some((at..tag_end, href.to_owned()))
            });
        if let Some((tag, css)) = link.and_then(|(tag, href)| Some((tag, stylesheet(&href)?))) {
            // A stylesheet that could close its own element stays a link.
            if !css.contains("</") {
                let hash = base64::engine::general_purpose::STANDARD
                    .encode(Sha256::digest(css.as_bytes()));
                policy = policy.replacen(
                    "style-src 'self'",
                    &format!("style-src 'self' 'sha256-{hash}'"),
                    1,
                );
                head.replace_range(tag, &format!("<style>{css}</style>"));
            }
        }
        Some(Template {
            linked_head: without_code_preloads(&head),
            head,
            tail: html[end..].to_owned(),
            policy,
        })
    }

    /// The template of the build being served: read from the directory each time (it may be
    /// rebuilt under a running server), from the binary's copy once.
    async fn load(files: &WidgetFiles) -> Option<Template> {
        match files {
            WidgetFiles::Dir(dir) => {
                let html = tokio::fs::read_to_string(dir.join("index.html"))
                    .await
                    .ok()?;
                let stylesheet = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
                Template::parse(&html, stylesheet)
            }
            WidgetFiles::Embedded => {
                static EMBEDDED: std::sync::OnceLock<Option<Template>> = std::sync::OnceLock::new();
                EMBEDDED
                    .get_or_init(|| {
                        let text = |name: &str| {
                            String::from_utf8(super::embedded::bytes(name)?.into_owned()).ok()
                        };
                        Template::parse(&text("index.html")?, text)
                    })
                    .clone()
            }
        }
    }

    /// The page: the language and theme on the document, and the rendered widget in its place.
    fn fill(&self, rendering: &WidgetMarkup, framed: bool) -> String {
        let config = &rendering.config;
        let body_class = if framed {
            "tl-page tl-page--framed"
        } else {
            "tl-page"
        };
        let head = if config.number.is_some() {
            &self.linked_head
        } else {
            &self.head
        };
        let head = head
            .replacen(
                HTML_OPEN,
                &format!("<html lang=\"{}\">", config.lang.tag()),
                1,
            )
            .replacen(
                BODY_OPEN,
                &format!(
                    "<body class=\"{body_class}\" data-theme=\"{}\">",
                    config.theme.as_str()
                ),
                1,
            );
        // Installed from a page in Russian or Chinese, the app is named in it.
        let head = match config.lang.tag().split('-').next() {
            Some(code @ ("ru" | "zh")) => head.replacen(
                MANIFEST_LINK,
                &format!("<link rel=\"manifest\" href=\"/manifest-{code}.webmanifest\">"),
                1,
            ),
            _ => head,
        };
        format!("{head}{}{}", rendering.root(Some("trackline")), self.tail)
    }
}

/// `head` without its `<link rel="modulepreload">` tags and its `<link rel="preload">` of a
/// wasm module.
fn without_code_preloads(head: &str) -> String {
    let mut kept = String::with_capacity(head.len());
    let mut rest = head;
    while let Some(at) = rest.find("<link rel=\"") {
        let Some(length) = rest[at..].find('>') else {
            break;
        };
        let tag = &rest[at..=at + length];
        let code = tag.starts_with("<link rel=\"modulepreload\"")
            || (tag.starts_with("<link rel=\"preload\"")
                && tag.contains("type=\"application/wasm\""));
        kept.push_str(&rest[..at]);
        if !code {
            kept.push_str(tag);
        }
        rest = &rest[at + length + 1..];
    }
    kept.push_str(rest);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_is_cut_where_the_widget_goes() {
        let html = "<!doctype html>\n<html lang=\"en\"><head></head>\n<body class=\"tl-page\"><main>\
                    <div id=\"trackline\" data-trackline-hosted><!--trackline:widget--><form></form>\
                    <!--/trackline:widget--></div></main></body></html>";
        let template = Template::parse(html, |_| None).unwrap();
        assert!(template.head.ends_with("<main>"));
        assert_eq!(template.tail, "</main></body></html>");
        assert_eq!(template.policy, STRICT_CSP);
        let no_place = "<html lang=\"en\"><body class=\"tl-page\"></body>";
        assert_eq!(Template::parse(no_place, |_| None), None);
    }

    #[test]
    fn a_page_for_a_linked_number_has_no_preloads_of_the_widgets_code() {
        let head = "<html lang=\"en\"><head><link rel=\"icon\" href=\"favicon.svg\">\
                    <link rel=\"modulepreload\" fetchpriority=\"low\" href=\"/t-1.js\" integrity=\"a\">\
                    <link rel=\"preload\" fetchpriority=\"low\" href=\"/t-1_bg.wasm\" as=\"fetch\" type=\"application/wasm\">\
                    <link rel=\"manifest\" href=\"/manifest.webmanifest\"></head>";
        assert_eq!(
            without_code_preloads(head),
            "<html lang=\"en\"><head><link rel=\"icon\" href=\"favicon.svg\">\
             <link rel=\"manifest\" href=\"/manifest.webmanifest\"></head>"
        );
        let html = format!(
            "{head}<body class=\"tl-page\"><div id=\"trackline\" data-trackline-hosted>\
             <!--trackline:widget--><!--/trackline:widget--></div></body></html>"
        );
        let template = Template::parse(&html, |_| None).unwrap();
        assert!(template.head.contains("modulepreload") && template.head.contains(".wasm"));
        assert!(
            !template.linked_head.contains("modulepreload")
                && !template.linked_head.contains(".wasm")
        );
    }

    #[test]
    fn the_stylesheet_comes_inline_allowed_by_its_hash_alone() {
        let html =
            "<html lang=\"en\"><head><link rel=\"stylesheet\" href=\"/tl-1.css\" integrity=\"x\"/>\
                    </head><body class=\"tl-page\"><div id=\"trackline\" data-trackline-hosted>\
                    <!--trackline:widget--><!--/trackline:widget--></div></body></html>";
        let css = |name: &str| (name == "tl-1.css").then(|| "a{b:c}".to_owned());
        let template = Template::parse(html, css).unwrap();
        assert!(template.head.contains("<head><style>a{b:c}</style></head>"));
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"a{b:c}"));
        assert!(template
            .policy
            .contains(&format!("style-src 'self' 'sha256-{hash}';")));
        let closing = Template::parse(html, |_| Some("</style><script>".to_owned())).unwrap();
        assert!(closing.head.contains("<link rel=\"stylesheet\""));
        assert_eq!(closing.policy, STRICT_CSP);
    }

    #[test]
    fn languages_come_best_first() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("de;q=0.5, zh-CN;q=0.9, fr"),
        );
        assert_eq!(accepted_languages(&headers), ["fr", "zh-CN", "de"]);
    }
}

//! The OpenAPI 3.1 document of both APIs, generated from the handlers' attributes and the
//! types they read and write, so it cannot drift from the code. `docs/openapi.json` is this
//! document checked in (`trackline-server openapi` prints it; a test fails when it is stale).

use super::console;
use super::export;
use super::imports;
use super::insights;
use super::members;
use super::ozon;
use super::providers;
use super::public;
use super::push;
use super::seller;
use super::seller_attention;
use super::seller_list;
use super::taps;
use super::tokens;
use super::webhooks;
use crate::seller_input::{
    BuyerCheckInput, EventBatch, EventInput, EventsBody, LookupRulesInput, ShipmentInput,
    ShipmentPatch,
};
use axum::http::StatusCode;
use axum::response::Response;
use std::sync::LazyLock;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The document's description of both APIs.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "trackline reference endpoint",
        version = "1.1.0",
        description = "The public lookup the widget calls (contract v1), and the seller API that writes \
            shipments and events. Errors are ErrorBody: a stable code, an English message for \
            developers, and the field at fault when there is one.",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0"),
    ),
    servers((url = "/", description = "The server that serves this document.")),
    paths(
        public::track_for_seller,
        public::track,
        public::healthz,
        public::readyz,
        push::key,
        push::subscribe_for_seller,
        push::subscribe,
        push::unsubscribe_for_seller,
        push::unsubscribe,
        push::renew,
        serve,
        seller::put_shipment,
        seller::get_shipment,
        seller::patch_shipment,
        seller::delete_shipment,
        seller::post_events,
        seller::get_settings,
        seller::put_settings,
        seller_list::list_shipments,
        seller_list::put_shipments,
        imports::preview_import,
        imports::import_progress,
        imports::apply_import,
        export::export_shipments,
        seller_attention::attention,
        seller_attention::activity,
        tokens::create_token,
        tokens::list_tokens,
        tokens::revoke_token,
        ozon::put_keys,
        ozon::pull_posting,
        webhooks::subscribe,
        webhooks::list,
        webhooks::unsubscribe,
        webhooks::rotate,
        webhooks::deliveries,
        webhooks::replay,
        providers::put_source_keys,
        providers::choose_source,
        providers::seventeen_track_webhook,
        members::list_members,
        members::invite,
        members::remove_member,
        members::audit,
        console::invitation,
        console::passkey_register,
        console::passkey_register_finish,
        console::password_register,
        console::passkey_sign_in,
        console::passkey_sign_in_finish,
        console::password_sign_in,
        console::session,
        console::sign_out,
        console::sign_out_everywhere,
        members::revoke_invitation,
        ozon::check_keys,
        providers::check_source_keys,
        providers::saved_keys,
        taps::tap_for_seller,
        taps::tap,
        insights::insights,
    ),
    components(schemas(
        trackline_core::TrackResponse,
        trackline_core::ErrorBody,
        seller::SellerShipment,
        seller::EventsAdded,
        seller::LookupRulesView,
        seller_list::ShipmentList,
        seller_list::ListedShipment,
        seller_list::BulkItem,
        seller_list::BulkResult,
        seller_list::BulkWritten,
        imports::ImportPreview,
        imports::PreviewColumn,
        imports::PreviewRow,
        imports::ChangedRow,
        imports::RepeatedRow,
        imports::RefusedRow,
        imports::PreviewCounts,
        imports::ImportProgress,
        seller_attention::AttentionView,
        seller_attention::ActivityView,
        ShipmentInput,
        ShipmentPatch,
        EventInput,
        EventBatch,
        EventsBody,
        BuyerCheckInput,
        LookupRulesInput,
        tokens::TokenInput,
        tokens::TokenView,
        tokens::Tokens,
        ozon::KeysInput,
        webhooks::SubscriptionInput,
        webhooks::SubscriptionView,
        webhooks::Subscriptions,
        webhooks::Deliveries,
        webhooks::DeliveryView,
        webhooks::AttemptView,
        crate::change::tells::Payload,
        crate::change::tells::Kind,
        providers::SourceKeysInput,
        providers::SourceChoice,
        push::PushKey,
        push::PushSubscribe,
        push::PushUnsubscribe,
        push::PushRenew,
        push::BrowserSubscription,
        push::BrowserKeys,
        members::Members,
        members::MemberListed,
        members::InvitationListed,
        members::InviteInput,
        members::InvitationLink,
        members::AuditPage,
        members::AuditEntryView,
        members::AuditMember,
        console::InvitationInput,
        console::InvitationView,
        console::PasskeyRegisterInput,
        console::PasswordRegisterInput,
        console::PasswordSignInInput,
        console::CeremonyView,
        console::CeremonyFinishInput,
        console::SessionView,
        console::MemberView,
        console::SellerView,
        members::RemovedView,
        crate::providers::check::KeyCheck,
        crate::providers::check::Verdict,
        providers::SavedKeys,
        taps::Tap,
        taps::TapKind,
        crate::insights::Insights,
    )),
    tags(
        (name = "public", description = "What buyers' widgets call: no authentication, cacheable."),
        (name = "push", description = "Buyers' notifications, from the hosted tracking page: no authentication, never cached."),
        (name = "seller", description = "A seller's backend writes its shipments: bearer token, never cached."),
        (name = "ozon", description = "A seller's Ozon postings, pulled server-side with the seller's keys."),
        (name = "sources", description = "The carriers a seller's shipments are polled from, with the seller's keys kept server-side."),
        (name = "webhooks", description = "The seller's receivers, told of changes to its shipments: signed, retried for a day, logged."),
        (name = "operations", description = "For load balancers and developers."),
        (name = "console", description = "Signing in to the seller's console: invitations, passkeys, passwords and the session cookie, never cached."),
    ),
    modifiers(&BearerToken),
)]
struct Document;

/// Adds the seller API's bearer token to the document's security schemes.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi.webhooks = Some(webhook_deliveries());
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A seller token (tl_…) from trackline-server add-seller.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::console_auth::SESSION_COOKIE,
                "A console member's session (POST /api/v1/console/…/sign-in); every method but \
                 GET and HEAD also needs Origin equal to the server's public URL and the \
                 session's csrf in X-CSRF-Token.",
            ))),
        );
    }
}

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    Document::openapi()
}

/// The document as the checked-in file holds it: pretty JSON and a final newline.
pub fn json() -> &'static str {
    static JSON: LazyLock<String> = LazyLock::new(|| {
        let mut text = document().to_pretty_json().unwrap_or_default();
        text.push('\n');
        text
    });
    &JSON
}

/// `GET /api/openapi.json`: the document of both APIs, as generated from the handlers.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    operation_id = "openapi",
    tag = "operations",
    summary = "This document",
    responses((status = 200, description = "OpenAPI 3.1", body = Object)),
    security(()),
)]
pub async fn serve() -> Response {
    super::json::json_text(StatusCode::OK, json())
}

/// What the server posts to a seller's receiver (OpenAPI 3.1 `webhooks`): a WebhookPayload with
/// its signature headers; a 2xx acknowledges it.
fn webhook_deliveries() -> utoipa::openapi::Paths {
    use utoipa::openapi::path::{
        HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem,
    };
    use utoipa::openapi::request_body::RequestBodyBuilder;
    use utoipa::openapi::{ContentBuilder, PathsBuilder, Ref, Required, ResponseBuilder};
    let header = |name: &str, description: &str| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Header)
            .required(Required::True)
            .description(Some(description))
            .schema(Some(
                utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::Type::String),
            ))
            .build()
    };
    let delivery = OperationBuilder::new()
        .operation_id(Some("shipmentChanged"))
        .tag("webhooks")
        .summary(Some("A change to one of the seller's shipments, posted to each receiver subscribed to its kind"))
        .parameter(header(
            "Trackline-Signature",
            "t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" under the subscription's secret>; \
             a second v1 while a rotated secret overlaps. Refuse a t more than 300 s from your clock.",
        ))
        .parameter(header("Trackline-Event", "The payload's type."))
        .parameter(header(
            "Trackline-Delivery",
            "The delivery's id, the same in every try: take each once.",
        ))
        .request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("WebhookPayload")))
                        .build(),
                )
                .build(),
        ))
        .response("200", ResponseBuilder::new().description("Acknowledged (any 2xx): not sent again."))
        .response(
            "default",
            ResponseBuilder::new()
                .description("Anything else, or no answer in 10 s: tried again, with growing waits, for a day."),
        )
        .security(utoipa::openapi::security::SecurityRequirement::default());
    PathsBuilder::new()
        .path("shipmentChanged", PathItem::new(HttpMethod::Post, delivery))
        .build()
}

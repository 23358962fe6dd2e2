//! The OpenAPI document, generated from the handlers' annotations.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Pacte API", description = "Customers, interactions and cases across every channel; the charter of commitments; the email channel; surveys, verbatims and verified reviews."),
    paths(
        super::interactions::create,
        super::search::search,
        super::cases::list, super::cases::export, super::cases::get, super::cases::update, super::cases::reply,
        super::customers::search, super::customers::get, super::customers::merge, super::customers::unmerge, super::customers::export, super::customers::erase, super::customers::requests, super::customers::add_request,
        super::admin::list_sites, super::admin::add_site, super::admin::list_teams, super::admin::add_team,
        super::admin::list_users, super::admin::add_user, super::admin::update_user, super::admin::password_link, super::admin::tokens, super::admin::create_token, super::admin::revoke_token, super::admin::reads, super::admin::verify_reads, super::admin::retention, super::admin::set_retention, super::admin::run_retention, super::admin::set_closures,
        super::charter::list, super::charter::create, super::charter::get, super::charter::update,
        super::charter::backtest, super::charter::publish, super::charter::results, super::charter::at_risk,
        super::charter::compensations, super::charter::compensations_csv, super::charter::decide,
        super::charter::set_limit, super::charter::nonconformities,
        super::counter::queue, super::counter::issue, super::counter::call, super::counter::end,
        super::counter::services, super::counter::add_service,
        super::email::inbound, super::email::list_mailboxes, super::email::add_mailbox,
        super::email::get_mailbox, super::email::update_mailbox, super::email::test_mailbox,
        super::email::case_emails, super::email::raw, super::email::attachment,
        super::email::list_canned, super::email::add_canned, super::email::delete_canned,
        super::email::templates, super::email::put_template,
        super::voice::list, super::voice::create, super::voice::get, super::voice::update,
        super::voice::send, super::voice::figures, super::voice::mapping, super::voice::responses,
        super::voice::record, super::voice::case_voice, super::voice::customer_voice, super::voice::settings,
        super::voice::set_settings, super::voice::alerts, super::voice::alert_seen, super::voice::rules,
        super::voice::put_rule, super::voice::delete_rule, super::voice::irritants,
        super::voice::tasks, super::voice::task_done, super::voice::invite, super::voice::reviews,
        super::voice::reply, super::voice::reject,
    ),
    modifiers(&Bearer)
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

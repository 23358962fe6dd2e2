//! The OpenAPI document, generated from the handlers' annotations.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Pacte API", description = "Customers, interactions and cases across every channel; the charter of commitments; the email channel; surveys, verbatims and verified reviews; the knowledge base and its bot."),
    paths(
        super::interactions::create,
        super::kb::list, super::kb::create, super::kb::get, super::kb::update, super::kb::delete,
        super::kb::add_variant, super::kb::delete_variant, super::kb::import,
        super::kb::answer, super::kb::rules, super::kb::put_rules,
        super::chat::start, super::chat::say, super::chat::feedback, super::chat::handoff,
        super::chat::events, super::chat::socket, super::chat::close, super::chat::survey, super::chat::queue, super::chat::transcript,
        super::chat::accept, super::chat::reply, super::chat::end, super::chat::report, super::chat::presence, super::chat::set_presence, super::chat::leave_message,
        super::search::search,
        super::cases::list, super::cases::export, super::cases::get, super::cases::update, super::cases::reply,
        super::customers::search, super::customers::get, super::customers::merge, super::customers::unmerge, super::customers::export, super::customers::erase, super::customers::requests, super::customers::add_request,
        super::admin::list_sites, super::admin::add_site, super::admin::list_teams, super::admin::add_team,
        super::admin::list_users, super::admin::add_user, super::admin::update_user, super::admin::password_link, super::admin::tokens, super::admin::create_token, super::admin::revoke_token, super::admin::reads, super::admin::verify_reads, super::admin::retention, super::admin::set_retention, super::admin::run_retention, super::admin::embedding, super::admin::set_embedding, super::admin::set_closures,
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
        super::quality::list, super::quality::open, super::quality::get, super::quality::analyse,
        super::quality::add_action, super::quality::dismiss, super::quality::share,
        super::quality::progress, super::quality::verdict, super::quality::actions,
        super::quality::paq_csv, super::quality::detect_now, super::quality::settings,
        super::quality::set_settings, super::quality::indicators, super::quality::put_indicator,
        super::quality::starter, super::quality::set_target, super::quality::put_value,
        super::quality::history, super::quality::reviews, super::quality::open_review,
        super::quality::review, super::quality::refresh, super::quality::decide,
        super::quality::notes, super::quality::freeze,
    ),
    modifiers(&Bearer, &Errors)
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

/// Every operation documents the refusals it can give, all in the error envelope: 401 when it
/// needs a token, 404 with a path parameter, 400/413/415/422 with a body, 400 with a query,
/// and 500/503 always (an operation's own list comes first; this adds what it left out).
struct Errors;

impl Modify for Errors {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let envelope = |what: &str| {
            ResponseBuilder::new()
                .description(what)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Envelope")))
                        .build(),
                )
                .build()
        };
        for (path, item) in doc.paths.paths.iter_mut() {
            // `{name}` segments (handlers take them with `ApiPath`, which utoipa cannot see):
            // ids are integers, codes and slugs text.
            let names: Vec<String> = path
                .split('/')
                .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
                .map(String::from)
                .collect();
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                for name in &names {
                    let declared = op.parameters.iter().flatten().any(|p| match p {
                        utoipa::openapi::RefOr::T(p) => {
                            p.name == *name && matches!(p.parameter_in, ParameterIn::Path)
                        }
                        utoipa::openapi::RefOr::Ref(_) => false,
                    });
                    if !declared {
                        let integer = name == "id" || name.ends_with("_id") || name == "user";
                        let schema =
                            utoipa::openapi::ObjectBuilder::new().schema_type(if integer {
                                utoipa::openapi::schema::Type::Integer
                            } else {
                                utoipa::openapi::schema::Type::String
                            });
                        op.parameters.get_or_insert_with(Vec::new).push(
                            utoipa::openapi::path::ParameterBuilder::new()
                                .name(name)
                                .parameter_in(ParameterIn::Path)
                                .required(utoipa::openapi::Required::True)
                                .schema(Some(schema))
                                .build()
                                .into(),
                        );
                    }
                }
                let mut add: Vec<(&str, &str)> = vec![
                    ("500", "internal error (logged)"),
                    ("503", "the request took over the time limit"),
                ];
                if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    add.push(("401", "no token, or one revoked or expired"));
                    add.push(("403", "the role does not allow it"));
                }
                if path.contains('{') {
                    add.push(("404", "no such resource in this organisation"));
                }
                let json_body = op.request_body.as_ref().is_some_and(|b| match b {
                    utoipa::openapi::RefOr::T(b) => b.content.keys().any(|k| k.contains("json")),
                    utoipa::openapi::RefOr::Ref(_) => true,
                });
                if op.request_body.is_some() && !json_body {
                    add.push(("413", "the body is over the size limit"));
                    add.push(("422", "refused, with the reason"));
                }
                if json_body {
                    add.extend([
                        ("400", "the body is not one JSON value"),
                        ("413", "the body is over the size limit"),
                        ("415", "the body is not sent as application/json"),
                        ("422", "fields refused, each named"),
                    ]);
                }
                let has_query = op.parameters.as_ref().is_some_and(|ps| {
                    ps.iter().any(|p| {
                        matches!(p, utoipa::openapi::RefOr::T(p) if matches!(p.parameter_in, ParameterIn::Query))
                    })
                });
                if has_query {
                    add.push(("400", "a query parameter unknown or of the wrong form"));
                }
                for (code, what) in add {
                    op.responses
                        .responses
                        .entry(code.to_string())
                        .or_insert_with(|| envelope(what).into());
                }
            }
        }
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

//! The email channel over HTTP: a relay posts raw messages; administrators set mailboxes,
//! templates and canned replies; advisors read a case's messages and download attachments.

use super::error::{ApiError, Envelope};
use super::extract::{ApiActor, ApiJson, ApiPath};
use crate::app::AppState;
use crate::service::email::mailbox::{self, ConnectionTest, Mailbox, MailboxInput};
use crate::service::email::texts::{self, CannedInput, CannedReply, Template, TemplateInput};
use crate::service::email::{self, CaseEmail, Received, Route};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

/// Receives one raw RFC 5322 message (`Content-Type: message/rfc822`) for the token's
/// organisation. 201 when recorded, 200 when it had been already (same Message-ID), 422 when
/// refused, with the reason.
#[utoipa::path(post, path = "/api/v1/inbound/email", request_body(content = String, content_type = "message/rfc822"),
    responses((status = 201, body = Received), (status = 200, body = Received), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn inbound(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    body: Bytes,
) -> Result<(StatusCode, Json<Received>), ApiError> {
    let r = s
        .mail
        .submit(&s.store, Route::Org(a.org_id), body.to_vec())
        .await?;
    let status = if r.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(r)))
}

#[utoipa::path(get, path = "/api/v1/mailboxes", responses((status = 200, body = [Mailbox])), security(("bearer" = [])))]
pub async fn list_mailboxes(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<Mailbox>>, ApiError> {
    Ok(Json(mailbox::list(&s.store, &a).await?))
}

#[utoipa::path(post, path = "/api/v1/mailboxes", request_body = MailboxInput,
    responses((status = 201, body = Mailbox), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn add_mailbox(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<MailboxInput>,
) -> Result<(StatusCode, Json<Mailbox>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(mailbox::create(&s.store, &a, &input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/mailboxes/{id}", responses((status = 200, body = Mailbox), (status = 404, body = Envelope)), security(("bearer" = [])))]
pub async fn get_mailbox(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Mailbox>, ApiError> {
    Ok(Json(mailbox::get(&s.store, &a, id).await?))
}

/// Replaces a mailbox's settings; an empty or absent password keeps the stored one.
#[utoipa::path(put, path = "/api/v1/mailboxes/{id}", request_body = MailboxInput,
    responses((status = 200, body = Mailbox), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn update_mailbox(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<MailboxInput>,
) -> Result<Json<Mailbox>, ApiError> {
    Ok(Json(mailbox::update(&s.store, &a, id, &input).await?))
}

/// Connects to the IMAP and SMTP servers for real and reports what each said.
#[utoipa::path(post, path = "/api/v1/mailboxes/{id}/test", responses((status = 200, body = ConnectionTest)), security(("bearer" = [])))]
pub async fn test_mailbox(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ConnectionTest>, ApiError> {
    Ok(Json(
        mailbox::test_connection(&s.store, &a, id, s.config.egress()).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/emails", responses((status = 200, body = [CaseEmail])), security(("bearer" = [])))]
pub async fn case_emails(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<CaseEmail>>, ApiError> {
    let mail = email::case_emails(&s.store, &a, id).await?;
    let customer = email::customer_of_case(&s.store, &a, id).await?;
    s.reads.note(&a, "case", id, customer).await;
    Ok(Json(mail))
}

/// The message exactly as received or sent.
#[utoipa::path(get, path = "/api/v1/emails/{id}/raw", responses((status = 200, content_type = "message/rfc822", body = String)), security(("bearer" = [])))]
pub async fn raw(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<impl IntoResponse, ApiError> {
    let (_, raw) = email::raw_message(&s.store, &a, id).await?;
    let customer = email::customer_of_email(&s.store, &a, id).await?;
    s.reads.note(&a, "raw_email", id, customer).await;
    Ok(download(
        "message/rfc822",
        &format!("message-{id}.eml"),
        raw,
    ))
}

#[utoipa::path(get, path = "/api/v1/attachments/{id}", responses((status = 200, body = String)), security(("bearer" = [])))]
pub async fn attachment(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<impl IntoResponse, ApiError> {
    let (meta, data) = email::attachment(&s.store, &a, id).await?;
    let customer = email::customer_of_email(&s.store, &a, meta.email_id).await?;
    s.reads.note(&a, "attachment", id, customer).await;
    Ok(download(&meta.content_type, &meta.name, data))
}

/// A download that the browser saves rather than renders (an attachment may be hostile HTML).
pub fn download(content_type: &str, name: &str, data: Vec<u8>) -> impl IntoResponse + use<> {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let ct = if content_type
        .chars()
        .all(|c| c.is_ascii() && !c.is_ascii_control())
    {
        content_type.to_string()
    } else {
        "application/octet-stream".to_string()
    };
    (
        [
            (header::CONTENT_TYPE, ct),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}\""),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'; frame-ancestors 'none'".to_string(),
            ),
        ],
        data,
    )
}

#[utoipa::path(get, path = "/api/v1/canned-replies", responses((status = 200, body = [CannedReply])), security(("bearer" = [])))]
pub async fn list_canned(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<CannedReply>>, ApiError> {
    Ok(Json(texts::canned(&s.store, &a).await?))
}

#[utoipa::path(post, path = "/api/v1/canned-replies", request_body = CannedInput,
    responses((status = 201, body = CannedReply), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn add_canned(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<CannedInput>,
) -> Result<(StatusCode, Json<CannedReply>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(texts::add_canned(&s.store, &a, &input).await?),
    ))
}

#[utoipa::path(delete, path = "/api/v1/canned-replies/{id}", responses((status = 204)), security(("bearer" = [])))]
pub async fn delete_canned(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    texts::delete_canned(&s.store, &a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/email-templates", responses((status = 200, body = [Template])), security(("bearer" = [])))]
pub async fn templates(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<Template>>, ApiError> {
    Ok(Json(texts::templates(&s.store, &a).await?))
}

/// Replaces a template (`ack`, in `fr` or `en`); it must render.
#[utoipa::path(put, path = "/api/v1/email-templates/{kind}/{lang}", request_body = TemplateInput,
    responses((status = 200, body = Template), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn put_template(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath((kind, lang)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<TemplateInput>,
) -> Result<Json<Template>, ApiError> {
    Ok(Json(
        texts::put_template(&s.store, &a, &kind, &lang, &input).await?,
    ))
}

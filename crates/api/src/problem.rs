//! Errors as RFC 9457 problem details (`application/problem+json`), with field-level
//! messages for invalid input.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// One invalid field of a request.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldError {
    /// Where: `query.limit`, `body.role`, `path.id`.
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    #[serde(skip)]
    retry_after: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        let title = status.canonical_reason().unwrap_or("Error").to_owned();
        let slug = title.to_ascii_lowercase().replace(' ', "-");
        Self {
            kind: format!("https://beltwatch.invalid/problems/{slug}"),
            title,
            status: status.as_u16(),
            detail: Some(detail.into()),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let mut p = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "the request has invalid fields");
        p.errors = errors;
        p
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError { field: field.to_owned(), message: message.into() }])
    }

    pub fn too_many(retry_after: u64) -> Self {
        let mut p = Self::new(StatusCode::TOO_MANY_REQUESTS, "this token's request rate is over its limit");
        p.retry_after = Some(retry_after);
        p
    }

    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!("request failed: {detail}");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "the server could not complete the request")
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(seconds) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

impl From<store::StoreError> for Problem {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::InvalidCursor(_) => Problem::field("query.after", e.to_string()),
            store::StoreError::InvalidQuery(_) => Problem::field("query.q", e.to_string()),
            store::StoreError::IdTooShort(_) | store::StoreError::AmbiguousId { .. } => {
                Problem::field("path.id", e.to_string())
            }
            store::StoreError::Exists { .. } => Problem::new(StatusCode::CONFLICT, e.to_string()),
            store::StoreError::NotFound { .. } => Problem::field("body", e.to_string()),
            // The database cannot be reached: the node is up but cannot serve (readiness
            // says so too), and a load balancer may try another.
            store::StoreError::Connect { .. } => Problem::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
            // Not the server's answer but the connection's failure.
            store::StoreError::Postgres(ref pg) if pg.is_closed() || pg.as_db_error().is_none() => {
                Problem::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string())
            }
            other => Problem::internal(other),
        }
    }
}

impl From<pipeline::belt::BeltLoadError> for Problem {
    fn from(e: pipeline::belt::BeltLoadError) -> Self {
        match e {
            pipeline::belt::BeltLoadError::NoSector { .. } => Problem::not_found(e.to_string()),
            pipeline::belt::BeltLoadError::Store(s) => s.into(),
            other => Problem::internal(other),
        }
    }
}

impl From<tokio::task::JoinError> for Problem {
    fn from(e: tokio::task::JoinError) -> Self {
        Problem::internal(e)
    }
}

/// Turns an error answer that is not a problem into one: the router's own (405, with its
/// `Allow` header kept), and the rejections of axum's extractors (413 for a body over the
/// limit, 400 for a path that is not UTF-8), which are plain text. Their words become the
/// detail. Problems, and the TAXII routes' own error messages, pass as they are.
pub async fn ensure_problem(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let method = request.method().clone();
    let response = next.run(request).await;
    let status = response.status();
    let kind = response.headers().get(header::CONTENT_TYPE).map(|v| v.as_bytes().to_vec()).unwrap_or_default();
    if status.as_u16() < 400 || !(kind.is_empty() || kind.starts_with(b"text/plain")) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let words = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let words = String::from_utf8_lossy(&words).trim().to_owned();
    let detail = if status == StatusCode::METHOD_NOT_ALLOWED {
        format!("this route does not take {method}; the Allow header lists what it takes")
    } else if words.is_empty() {
        status.canonical_reason().unwrap_or("the request failed").to_owned()
    } else {
        words
    };
    let (_, body) = Problem::new(status, detail).into_response().into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    Response::from_parts(parts, body)
}

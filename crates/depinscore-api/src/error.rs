//! Errors as RFC 9457 problem details (`application/problem+json`): every malformed parameter
//! is named, unknown ids are 404, and store failures are 503 without internals leaking.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem detail.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (relative to the API).
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The request parameter at fault, for 400s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

/// What a handler can fail with.
#[derive(Clone, Debug, thiserror::Error)]
pub enum ApiError {
    #[error("parameter `{parameter}`: {detail}")]
    BadParameter { parameter: String, detail: String },
    #[error("{what} not found")]
    NotFound { what: String },
    #[error("a valid API key is required")]
    Unauthorized,
    #[error("too many requests; retry after {retry_after_s} s")]
    RateLimited { retry_after_s: u64 },
    #[error("{0}")]
    NotAcceptable(String),
    #[error("{0}")]
    Conflict(String),
    #[error("this route does not take that method")]
    MethodNotAllowed,
    #[error("the body is larger than {limit_bytes} bytes")]
    PayloadTooLarge { limit_bytes: usize },
    #[error("{what} is unavailable: {detail}")]
    Unavailable { what: &'static str, detail: String },
}

impl ApiError {
    pub fn bad(parameter: impl Into<String>, detail: impl Into<String>) -> ApiError {
        ApiError::BadParameter { parameter: parameter.into(), detail: detail.into() }
    }

    pub fn not_found(what: impl Into<String>) -> ApiError {
        ApiError::NotFound { what: what.into() }
    }

    /// A store failed; the detail is logged, the client sees which store.
    pub fn store(what: &'static str, e: impl std::fmt::Display) -> ApiError {
        tracing::warn!(store = what, error = %e, "store request failed");
        ApiError::Unavailable { what, detail: "the store did not answer; try again".into() }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadParameter { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn problem(&self) -> Problem {
        let (kind, title) = match self {
            ApiError::BadParameter { .. } => ("bad-parameter", "A request parameter is malformed"),
            ApiError::NotFound { .. } => ("not-found", "Not found"),
            ApiError::Unauthorized => ("unauthorized", "Unauthorized"),
            ApiError::RateLimited { .. } => ("rate-limited", "Too many requests"),
            ApiError::NotAcceptable(_) => ("not-acceptable", "This cannot be produced here"),
            ApiError::Conflict(_) => ("conflict", "Conflict"),
            ApiError::MethodNotAllowed => ("method-not-allowed", "Method not allowed"),
            ApiError::PayloadTooLarge { .. } => ("payload-too-large", "The request body is too large"),
            ApiError::Unavailable { .. } => ("unavailable", "A backing store is unavailable"),
        };
        Problem {
            kind: format!("/problems/{kind}"),
            title: title.to_string(),
            status: self.status().as_u16(),
            detail: self.to_string(),
            parameter: match self {
                ApiError::BadParameter { parameter, .. } => Some(parameter.clone()),
                _ => None,
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = self.problem();
        let body = serde_json::to_vec(&problem).unwrap_or_else(|_| b"{}".to_vec());
        let mut response = (self.status(), body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        match self {
            ApiError::RateLimited { retry_after_s } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_s.max(1)));
            }
            ApiError::Unauthorized => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"depinscore admin\""));
            }
            _ => {}
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

//! The OpenAPI document and a browsable page that reads it (self-contained: no requests
//! leave the server).

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

use crate::state::SharedState;

pub const DOCS_HTML: &str = include_str!("docs.html");

/// The OpenAPI 3.1 document, generated from the handlers and their types.
pub async fn openapi(State(s): State<SharedState>) -> Response {
    let mut r = s.openapi_json.clone().into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

pub async fn docs() -> Html<&'static str> {
    Html(DOCS_HTML)
}

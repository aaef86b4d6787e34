//! Response helpers: JSON bodies, and conditional responses for content-addressed documents
//! (ETag + If-None-Match → 304).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;

use crate::error::{ApiError, ApiResult};

pub const JSON: &str = "application/json";

/// Short-lived: the latest score may change at the next refresh.
pub const CACHE_LATEST: &str = "public, max-age=5";
/// A report of a stored snapshot changes only when market prices or the cloud price table do.
pub const CACHE_REPORT: &str = "public, max-age=300";
/// Content-addressed documents never change.
pub const CACHE_IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// A JSON body (no caching headers).
pub fn json<T: Serialize>(value: &T) -> ApiResult<Response> {
    Ok(bytes_with(json_bytes(value)?, JSON))
}

/// A value serialised as JSON.
pub fn json_bytes<T: Serialize>(value: &T) -> ApiResult<Bytes> {
    serde_json::to_vec(value).map(Bytes::from).map_err(|e| ApiError::store("the serializer", e))
}

pub fn bytes_with(bytes: Bytes, content_type: &'static str) -> Response {
    let mut r = (StatusCode::OK, bytes).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// True when the request's If-None-Match names `etag` (or `*`).
pub fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').map(str::trim).any(|t| t == "*" || t == etag || t.strip_prefix("W/") == Some(etag)))
}

/// A cacheable document: 304 when the client has it, else the bytes with ETag and
/// Cache-Control.
pub fn conditional(
    headers: &HeaderMap,
    etag: &str,
    cache_control: &'static str,
    content_type: &'static str,
    body: Bytes,
) -> Response {
    let mut r = if not_modified(headers, etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        bytes_with(body, content_type)
    };
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_matching_if_none_match_gives_304_with_the_same_etag() {
        let mut h = HeaderMap::new();
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"a\", W/\"b\""));
        assert!(not_modified(&h, "\"a\"") && not_modified(&h, "\"b\""));
        assert!(!not_modified(&h, "\"c\""));
        let r = conditional(&h, "\"a\"", CACHE_LATEST, JSON, Bytes::from_static(b"{}"));
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(r.headers()[header::ETAG], "\"a\"");
        let r = conditional(&HeaderMap::new(), "\"a\"", CACHE_LATEST, JSON, Bytes::from_static(b"{}"));
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[header::CACHE_CONTROL], CACHE_LATEST);
    }
}

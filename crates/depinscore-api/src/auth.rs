//! Admin routes need an API key: `Authorization: Bearer <secret>` or `X-Api-Key: <secret>`.
//! Keys are stored hashed (`depinscore api-key create|list|revoke`).

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use depinscore_sql::ApiKey;

use crate::error::ApiError;
use crate::state::SharedState;

/// The key that authorised a request.
pub struct AdminKey(pub ApiKey);

fn secret(parts: &Parts) -> Option<&str> {
    let bearer = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| {
        let (scheme, rest) = v.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
    });
    bearer.or_else(|| parts.headers.get("x-api-key").and_then(|v| v.to_str().ok()).map(str::trim))
}

impl FromRequestParts<SharedState> for AdminKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> Result<Self, Self::Rejection> {
        let Some(secret) = secret(parts).filter(|s| !s.is_empty() && s.len() <= 256) else {
            return Err(ApiError::Unauthorized);
        };
        match state.sql.api_key_by_secret(secret).await {
            Ok(Some(key)) => Ok(AdminKey(key)),
            Ok(None) => {
                metrics::counter!("depinscore_api_unauthorized_total").increment(1);
                Err(ApiError::Unauthorized)
            }
            Err(e) => Err(ApiError::store("the key store", e)),
        }
    }
}

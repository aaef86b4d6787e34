//! The router: every route, documented in the OpenAPI document from its handler.

pub mod admin;
pub mod docs;
pub mod explorer;
pub mod hexes;
pub mod metrics;
pub mod nosana;
pub mod ops;
pub mod reports;
pub mod score;
pub mod treasury;

use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::state::SharedState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "depinscore",
        description = "The Nosana network measured from its chain: the six-dimension builder score with its \
            provenance, metric time series, an explorer of jobs, nodes, markets and stakes, the treasury's burned \
            versus emitted NOS, H3 geography and rendered reports. Errors are RFC 9457 problem details.",
    ),
    modifiers(&Security),
    tags(
        (name = "score", description = "The builder score"),
        (name = "metrics", description = "Metric time series"),
        (name = "explorer", description = "Jobs, nodes, markets, stakes, rewards, pools, transactions"),
        (name = "treasury", description = "Burned vs emitted, supply, deflation"),
        (name = "geography", description = "H3 cells of the node registry"),
        (name = "reports", description = "Rendered score reports"),
        (name = "admin", description = "Operator actions (API key)"),
        (name = "operations", description = "Health, readiness, metrics"),
        (name = "nosana", description = "The routes of Nosana's own indexer, in its shapes"),
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "api_key_header",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Api-Key"))),
        );
    }
}

/// The documented routes and their OpenAPI document.
pub fn documented() -> (Router<SharedState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(score::latest))
        .routes(routes!(score::history))
        .routes(routes!(score::one))
        .routes(routes!(metrics::list))
        .routes(routes!(metrics::one))
        .routes(routes!(explorer::jobs))
        .routes(routes!(explorer::job_stats))
        .routes(routes!(explorer::job))
        .routes(routes!(explorer::nodes))
        .routes(routes!(explorer::node))
        .routes(routes!(explorer::markets))
        .routes(routes!(explorer::market))
        .routes(routes!(explorer::stakes))
        .routes(routes!(explorer::rewards))
        .routes(routes!(explorer::pools))
        .routes(routes!(explorer::transaction))
        .routes(routes!(treasury::treasury))
        .routes(routes!(hexes::hexes))
        .routes(routes!(reports::list))
        .routes(routes!(reports::latest))
        .routes(routes!(reports::one))
        .routes(routes!(admin::rescore))
        .routes(routes!(admin::prices))
        .routes(routes!(admin::nodes))
        .routes(routes!(admin::evidence))
        .routes(routes!(admin::publish))
        .routes(routes!(ops::health))
        .routes(routes!(ops::ready))
        .routes(routes!(ops::metrics))
        .routes(routes!(nosana::jobs))
        .routes(routes!(nosana::job_stats))
        .routes(routes!(nosana::job))
        .routes(routes!(nosana::stats))
        .split_for_parts()
}

/// The whole application for `state` (whose `openapi_json` came from [`documented`]).
pub fn app(state: SharedState, routes: Router<SharedState>) -> Router {
    routes
        .route("/openapi.json", get(docs::openapi))
        .route("/docs", get(docs::docs))
        .fallback(|| async { ApiError::not_found("route (see /docs)").into_response() })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed.into_response() })
        .layer(DefaultBodyLimit::max(admin::BODY_LIMIT))
        .layer(middleware::from_fn_with_state(state.clone(), crate::rate_limit::limit))
        .layer(middleware::from_fn(record))
        .with_state(state)
}

/// Counts requests and their latency per route and status.
async fn record(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched".to_string(), |p| p.as_str().to_string());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    ::metrics::counter!("depinscore_api_requests_total", "route" => route.clone(), "status" => status).increment(1);
    ::metrics::histogram!("depinscore_api_request_seconds", "route" => route).record(started.elapsed().as_secs_f64());
    response
}

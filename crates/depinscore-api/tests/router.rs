//! Every route in-process against a real SQLite store holding genuine engine snapshots,
//! including each error case.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use depinscore_api::ApiConfig;
use support::*;

#[tokio::test]
async fn the_latest_score_is_the_newest_snapshot_without_its_daily_table() {
    let api = api().await;
    let r = api.get("/v1/score").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.content_type(), "application/json");
    let v = r.json();
    let latest = api.latest();
    assert_eq!(v["id"], latest.id.as_str());
    assert_eq!(v["score"]["composite"].as_f64().unwrap(), latest.body.score.composite);
    assert_eq!(v["score"]["dimensions"].as_array().unwrap().len(), 6);
    assert!(v["provenance"]["input_hash"].is_string() && v["sensitivity"].is_array());
    assert!(v["published_checks"][0]["recomputed"].is_number());
    assert!(v.get("daily").is_none() && v.get("series").is_none());
}

#[tokio::test]
async fn a_score_carries_an_etag_and_cache_control_and_a_matching_if_none_match_gets_304() {
    let api = api().await;
    let r = api.get("/v1/score").await;
    let etag = r.headers["etag"].to_str().unwrap().to_string();
    assert_eq!(etag, format!("\"{}\"", api.latest().id));
    assert!(r.headers["cache-control"].to_str().unwrap().contains("max-age"));
    let again = api.send(Request::get("/v1/score").header("if-none-match", &etag).body(Body::empty()).unwrap()).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    let other =
        api.send(Request::get("/v1/score").header("if-none-match", "\"other\"").body(Body::empty()).unwrap()).await;
    assert_eq!(other.status, StatusCode::OK);
}

#[tokio::test]
async fn one_snapshot_by_id_is_immutable_an_unknown_id_is_404_and_a_malformed_one_400() {
    let api = api().await;
    let first = &api.snapshots[0];
    let r = api.get(&format!("/v1/score/{}", first.id)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["id"], first.id.as_str());
    assert!(r.headers["cache-control"].to_str().unwrap().contains("immutable"));
    let missing = api.get("/v1/score/0000000000000000").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.content_type(), "application/problem+json");
    api.get("/v1/score/not-an-id").await.assert_bad("id");
}

#[tokio::test]
async fn the_history_lists_snapshots_newest_first_and_honours_range_limit_and_order() {
    let api = api().await;
    let ids = |r: Reply| {
        r.json()["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    let all: Vec<String> = api.snapshots.iter().rev().map(|s| s.id.clone()).collect();
    assert_eq!(ids(api.get("/v1/score/history").await), all);
    assert_eq!(ids(api.get("/v1/score/history?limit=1").await), all[..1]);
    let asc = ids(api.get("/v1/score/history?order=asc").await);
    assert_eq!(asc, all.iter().rev().cloned().collect::<Vec<_>>());
    let as_of = api.snapshots[1].body.metrics.as_of;
    let ranged = ids(api.get(&format!("/v1/score/history?from={as_of}&to={as_of}")).await);
    assert_eq!(ranged, [api.snapshots[1].id.clone()]);
    let item = &api.get("/v1/score/history?limit=1").await.json()["items"][0];
    assert_eq!(item["href"], format!("/v1/score/{}", all[0]));
    assert_eq!(item["as_of_date"].as_str().unwrap().len(), 10);
}

#[tokio::test]
async fn every_malformed_parameter_gets_a_problem_that_names_it() {
    let api = api().await;
    for (uri, parameter) in [
        ("/v1/score?x=1", "x"),
        ("/v1/score/history?limit=0", "limit"),
        ("/v1/score/history?limit=abc", "limit"),
        ("/v1/score/history?limit=1&limit=2", "limit"),
        ("/v1/score/history?from=2026-02-30", "from"),
        ("/v1/score/history?from=2026-03-01&to=2026-02-01", "from"),
        ("/v1/score/history?order=sideways", "order"),
        ("/v1/metrics/arr_usd?interval=hourly", "interval"),
        ("/v1/metrics/arr_usd?to=tomorrow", "to"),
        ("/v1/treasury?interval=year", "interval"),
        ("/v1/hexes?res=16", "res"),
        ("/v1/hexes?market=not-base58!", "market"),
        ("/v1/reports?published=maybe", "published"),
        ("/v1/reports/latest?format=docx", "format"),
        ("/v1/reports/xyz", "id"),
    ] {
        let r = api.get(uri).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}: {}", r.text());
        assert_eq!(r.content_type(), "application/problem+json", "{uri}");
        let p = r.json();
        assert_eq!(p["parameter"], parameter, "{uri}: {p}");
        assert_eq!(p["status"], 400);
        assert!(
            p["type"].as_str().unwrap().starts_with("/problems/") && p["title"].is_string() && p["detail"].is_string()
        );
    }
}

#[tokio::test]
async fn sql_injection_strings_in_parameters_are_refused_and_change_nothing() {
    let api = api().await;
    let before = api.get("/v1/score/history").await.json();
    for evil in ["' OR 1=1 --", "1; DROP TABLE score_snapshots", "\" OR \"\"=\"", "%27%20OR%201%3D1"] {
        let q = form_urlencoded::byte_serialize(evil.as_bytes()).collect::<String>();
        for (uri, parameter) in [
            (format!("/v1/score/history?limit={q}"), "limit"),
            (format!("/v1/score/history?from={q}"), "from"),
            (format!("/v1/hexes?market={q}"), "market"),
            (format!("/v1/metrics/composite?to={q}"), "to"),
            (format!("/v1/reports?limit={q}"), "limit"),
        ] {
            api.get(&uri).await.assert_bad(parameter);
        }
        let path = format!("/v1/score/{q}");
        let r = api.get(&path).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
        api.get(&format!("/v1/metrics/{q}")).await.assert_bad("name");
    }
    // Well-formed but unknown is not malformed.
    assert_eq!(api.get("/v1/metrics/no_such_metric").await.status, StatusCode::NOT_FOUND);
    assert_eq!(api.get("/v1/score/history").await.json(), before);
}

#[tokio::test]
async fn an_unknown_route_is_a_404_problem_and_a_wrong_method_a_405_problem() {
    let api = api().await;
    let r = api.get("/v1/nothing-here").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.content_type(), "application/problem+json");
    let r = api.send(Request::delete("/v1/score").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.content_type(), "application/problem+json");
    assert_eq!(r.json()["status"], 405);
    assert_eq!(r.json()["type"], "/problems/method-not-allowed");
}

#[tokio::test]
async fn without_any_snapshot_the_score_routes_say_how_to_make_one() {
    let api = api_with(ApiConfig { rate_limit_per_s: 0, ..ApiConfig::default() }, false).await;
    for uri in ["/v1/score", "/v1/treasury", "/v1/reports/latest", "/v1/metrics/arr_usd"] {
        let r = api.get(uri).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(r.json()["detail"].as_str().unwrap().contains("depinscore score"), "{uri}: {}", r.text());
    }
    assert_eq!(api.get("/v1/score/history").await.json()["items"].as_array().unwrap().len(), 0);
    // Point metrics need no latest snapshot: an empty series.
    assert_eq!(api.get("/v1/metrics/composite").await.json()["points"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn the_metric_list_names_every_daily_series_and_every_point_metric_with_units() {
    let api = api().await;
    let v = api.get("/v1/metrics").await.json();
    let metrics = v["metrics"].as_array().unwrap();
    let names: Vec<&str> = metrics.iter().map(|m| m["name"].as_str().unwrap()).collect();
    for name in api.latest().body.series.keys() {
        assert!(names.contains(&name.as_str()), "{name} missing");
    }
    for name in ["composite", "active_nodes", "spacing_coefficient", "utilization", "largest_operator_share"] {
        assert!(names.contains(&name), "{name} missing");
    }
    assert!(metrics.iter().all(|m| !m["unit"].as_str().unwrap().is_empty()), "{v}");
}

#[tokio::test]
async fn a_daily_metric_is_the_latest_snapshots_series_and_weeks_add_up_daily_amounts() {
    let api = api().await;
    let latest = api.latest();
    let v = api.get("/v1/metrics/arr_usd").await.json();
    assert_eq!(v["kind"], "daily");
    assert_eq!(v["snapshot"], latest.id.as_str());
    let points = v["points"].as_array().unwrap();
    let series = &latest.body.series["arr_usd"];
    assert_eq!(points.len(), series.len());
    let last = points.last().unwrap()["value"].as_f64().unwrap();
    assert_eq!(last, latest.body.metrics.demand.arr_usd.unwrap());
    let daily: f64 = api.get("/v1/metrics/gmv_nos").await.json()["points"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["value"].as_f64())
        .sum();
    let weekly: f64 = api.get("/v1/metrics/gmv_nos?interval=week").await.json()["points"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["value"].as_f64())
        .sum();
    assert!((daily - weekly).abs() < 1e-6 && daily > 0.0, "{daily} vs {weekly}");
    let first = &series[0].date;
    let one_day = api.get(&format!("/v1/metrics/gmv_nos?from={first}&to={first}")).await.json();
    assert_eq!(one_day["points"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_point_metric_has_one_value_per_stored_snapshot_and_an_unknown_metric_is_404() {
    let api = api().await;
    let v = api.get("/v1/metrics/composite").await.json();
    assert_eq!(v["kind"], "snapshot");
    let points = v["points"].as_array().unwrap();
    assert_eq!(points.len(), 3);
    for (p, s) in points.iter().zip(&api.snapshots) {
        assert_eq!(p["value"].as_f64().unwrap(), s.body.score.composite);
        assert_eq!(p["snapshot"], s.id.as_str());
    }
    let active = api.get("/v1/metrics/active_nodes").await.json();
    assert_eq!(
        active["points"][2]["value"].as_f64().unwrap(),
        api.latest().body.metrics.decentralization.active_nodes as f64
    );
    // Three snapshots inside one month: one monthly point, the newest.
    let monthly = api.get("/v1/metrics/composite?interval=month").await.json();
    let months = monthly["points"].as_array().unwrap();
    // Days 30, 35 and 40 after 2026-01-01: one snapshot in January, two in February.
    assert_eq!(months.iter().map(|p| p["date"].as_str().unwrap()).collect::<Vec<_>>(), ["2026-01-01", "2026-02-01"]);
    assert_eq!(months[0]["snapshot"], api.snapshots[0].id.as_str());
    assert_eq!(months.last().unwrap()["snapshot"], api.latest().id.as_str());
    let r = api.get("/v1/metrics/no_such_metric").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_treasury_sets_burns_against_emission_from_the_latest_snapshot() {
    let api = api().await;
    let latest = api.latest();
    let v = api.get("/v1/treasury").await.json();
    assert_eq!(v["snapshot"], latest.id.as_str());
    let t = &latest.body.metrics.token;
    assert_eq!(v["totals"]["burns_nos"].as_f64().unwrap(), t.burns_nos);
    assert_eq!(v["totals"]["emission_nos"].as_f64().unwrap(), t.emission_nos);
    assert_eq!(v["supply"]["max_nos"].as_f64().unwrap(), t.max_supply_nos);
    assert!(v["deflation"].is_object());
    let burns: f64 = v["series"]["burns_nos"].as_array().unwrap().iter().filter_map(|p| p["value"].as_f64()).sum();
    assert!(burns > 0.0);
    let monthly = api.get("/v1/treasury?interval=month").await.json();
    let monthly_burns: f64 =
        monthly["series"]["burns_nos"].as_array().unwrap().iter().filter_map(|p| p["value"].as_f64()).sum();
    assert!((burns - monthly_burns).abs() < 1e-6);
}

#[tokio::test]
async fn hexes_are_geojson_cells_counting_the_registry_nodes_in_each() {
    let api = api().await;
    let now = 1_800_000_000;
    let a = "11111111111111111111111111111112";
    let b = "11111111111111111111111111111113";
    let c = "11111111111111111111111111111114";
    let nodes = [
        depinscore_sql::NodeRecord::located(a, 52.37, 4.89, now).unwrap(),
        depinscore_sql::NodeRecord::located(b, 52.371, 4.891, now).unwrap(),
        depinscore_sql::NodeRecord::located(c, 1.35, 103.82, now).unwrap(),
    ];
    api.state.sql.upsert_nodes(&nodes).await.unwrap();
    let r = api.get("/v1/hexes?res=5").await;
    assert_eq!(r.content_type(), "application/geo+json");
    let v = r.json();
    assert_eq!(v["type"], "FeatureCollection");
    assert_eq!(v["located_nodes"], 3);
    let features = v["features"].as_array().unwrap();
    assert_eq!(features.len(), 2);
    let counts: Vec<u64> = features.iter().map(|f| f["properties"]["nodes"].as_u64().unwrap()).collect();
    assert_eq!(counts.iter().sum::<u64>(), 3);
    assert!(counts.contains(&2));
    for f in features {
        let ring = f["geometry"]["coordinates"][0].as_array().unwrap();
        assert!(ring.len() >= 7 && ring.first() == ring.last(), "a closed hexagon ring");
        assert_eq!(f["properties"]["cell"], f["id"]);
    }
    // At resolution 0 the two Amsterdam nodes and the Singapore one are still two cells, with
    // 2 and 1 nodes: coarser cells merge neighbours, never split them.
    let coarse = api.get("/v1/hexes?res=0").await.json();
    let mut coarse: Vec<u64> =
        coarse["features"].as_array().unwrap().iter().map(|f| f["properties"]["nodes"].as_u64().unwrap()).collect();
    coarse.sort();
    assert_eq!(coarse, [1, 2]);
    assert_eq!(api.get("/v1/hexes").await.json()["resolution"], 5);
}

#[tokio::test]
async fn a_report_renders_as_html_markdown_and_json_and_pdf_needs_chromium() {
    let config =
        ApiConfig { rate_limit_per_s: 0, chromium: Some("/nonexistent/chromium".into()), ..ApiConfig::default() };
    let api = api_with(config, true).await;
    let latest = api.latest();
    let html = api.get("/v1/reports/latest").await;
    assert_eq!(html.status, StatusCode::OK, "{}", html.text());
    assert!(html.content_type().starts_with("text/html"));
    let page = html.text();
    assert!(page.contains("<svg") && page.contains(&latest.id));
    assert!(!page.contains("src=\"http") && !page.contains("href=\"http"), "a self-contained page");
    let etag = html.headers["etag"].to_str().unwrap().to_string();
    assert!(etag.starts_with(&format!("\"{}-html-", latest.id)), "{etag}");
    assert_eq!(html.headers["cache-control"], "public, max-age=5");
    let again =
        api.send(Request::get("/v1/reports/latest").header("if-none-match", &etag).body(Body::empty()).unwrap()).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    // A market's price is part of the report: a change gives a new tag and a new page.
    let market = depinscore_sql::MarketRecord {
        address: "11111111111111111111111111111112".into(),
        name: "Market 4090".into(),
        slug: "market-4090".into(),
        kind: "PREMIUM".into(),
        gpu_types: vec!["RTX 4090".into()],
        lowest_vram_gb: 24,
        usd_reward_per_hour: 0.42,
        sft: None,
        updated_at: 1,
    };
    api.state.sql.upsert_markets(&[market]).await.unwrap();
    let changed = api.get("/v1/reports/latest").await;
    assert_ne!(changed.headers["etag"].to_str().unwrap(), etag);
    assert_ne!(changed.text(), page);
    let md = api.get(&format!("/v1/reports/{}?format=markdown", latest.id)).await;
    assert!(md.content_type().starts_with("text/markdown"));
    assert!(md.text().contains('|'));
    let json = api.get(&format!("/v1/reports/{}?format=json", latest.id)).await;
    assert_eq!(json.status, StatusCode::OK);
    json.json();
    let pdf = api.get("/v1/reports/latest?format=pdf").await;
    assert_eq!(pdf.status, StatusCode::NOT_ACCEPTABLE);
    assert!(pdf.json()["detail"].as_str().unwrap().contains("Chromium"));
    let list = api.get("/v1/reports").await.json();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["links"]["markdown"], format!("/v1/reports/{}?format=markdown", latest.id));
    assert_eq!(api.get("/v1/reports/0000000000000000").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn admin_routes_refuse_requests_without_a_valid_key() {
    let api = api().await;
    let id = api.latest().id.clone();
    let routes = [
        "/v1/admin/rescore".to_string(),
        "/v1/admin/prices".into(),
        "/v1/admin/nodes".into(),
        "/v1/admin/evidence".into(),
        format!("/v1/admin/reports/{id}/publish"),
    ];
    let revoked = api.state.sql.create_api_key("old", 1).await.unwrap();
    api.state.sql.revoke_api_key(&revoked.key.id, 2).await.unwrap();
    for uri in &routes {
        for auth in [
            None,
            Some("Bearer dsk_wrong".to_string()),
            Some(format!("Bearer {}", revoked.secret)),
            Some("Basic abc".into()),
        ] {
            let mut req = Request::post(uri.as_str());
            if let Some(a) = &auth {
                req = req.header("authorization", a);
            }
            let r = api.send(req.body(Body::from("[]")).unwrap()).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{uri} {auth:?}");
            assert_eq!(r.content_type(), "application/problem+json");
            assert!(r.headers.contains_key("www-authenticate"));
        }
    }
    assert!(api.state.sql.publications().await.unwrap().is_empty(), "nothing was published");
}

#[tokio::test]
async fn with_a_key_an_admin_imports_prices_and_nodes_and_publishes_a_report() {
    let api = api().await;
    let key = api.state.sql.create_api_key("ops", 1).await.unwrap();
    let post = |uri: &str, body: &str, header: (&str, String)| {
        Request::post(uri)
            .header(header.0, header.1)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    // Auth schemes are case-insensitive.
    let bearer = ("authorization", format!("bearer {}", key.secret));
    // A body over the limit is a 413 problem, and nothing is imported.
    let huge = format!("[{}]", "0,".repeat(9 * 1024 * 1024));
    let r = api.send(post("/v1/admin/prices", &huge, bearer.clone())).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.content_type(), "application/problem+json", "{}", r.text());
    assert!(r.json()["detail"].as_str().unwrap().contains("16777216"), "{}", r.text());
    assert!(api.state.sql.prices(0, i64::MAX).await.unwrap().is_empty());
    let r = api
        .send(post("/v1/admin/prices", r#"[{"time": 1800000000, "usd": 0.52, "source": "ops"}]"#, bearer.clone()))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["imported"], 1);
    assert_eq!(api.state.sql.price_at(1_800_000_001).await.unwrap().unwrap().usd, 0.52);
    // The X-Api-Key header works too; a malformed body names where it is wrong.
    let header = ("x-api-key", key.secret.clone());
    api.send(post("/v1/admin/prices", r#"[{"time": 1, "usd": "lots", "source": "x"}]"#, header.clone()))
        .await
        .assert_bad("body");
    api.send(post("/v1/admin/prices", r#"[{"time": 1, "usd": -1, "source": "x"}]"#, header.clone()))
        .await
        .assert_bad("body[0]");
    let node = r#"[{"address": "11111111111111111111111111111112", "lat": 48.85, "lng": 2.35, "country": "FR"}]"#;
    let r = api.send(post("/v1/admin/nodes", node, header.clone())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let stored = api.state.sql.node("11111111111111111111111111111112").await.unwrap().unwrap();
    assert_eq!(stored.h3_res5, depinscore_sql::h3_res5(48.85, 2.35).unwrap());
    let far = r#"[{"address": "11111111111111111111111111111112", "lat": 95.0, "lng": 2.35}]"#;
    api.send(post("/v1/admin/nodes", far, header.clone())).await.assert_bad("body[0]");
    let id = api.snapshots[0].id.clone();
    let r = api.send(post(&format!("/v1/admin/reports/{id}/publish"), "", header.clone())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // The oldest snapshot is published: a limit of one still finds it.
    let published = api.get("/v1/reports?published=true&limit=1").await.json();
    let items = published["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], id.as_str());
    let r = api.send(post("/v1/admin/reports/0000000000000000/publish", "", header.clone())).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // No scorer wired into this server.
    let r = api.send(post("/v1/admin/rescore", "", header)).await;
    assert_eq!(r.status, StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn a_rescore_stores_a_new_snapshot_and_the_latest_score_follows_it() {
    let api = api_with_rescorer(&[0], 2).await;
    let (sql, snaps) = (&api.state.sql, api.snapshots.clone());
    assert_eq!(api.get("/v1/score").await.json()["id"], snaps[0].id.as_str());
    let key = sql.create_api_key("ops", 1).await.unwrap();
    let r = api
        .send(
            Request::post("/v1/admin/rescore")
                .header("authorization", format!("Bearer {}", key.secret))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["id"], snaps[2].id.as_str());
    assert_eq!(r.json()["new"], true);
    assert_eq!(api.get("/v1/score").await.json()["id"], snaps[2].id.as_str());
}

#[tokio::test]
async fn imported_evidence_is_checked_against_the_methodology_and_the_newest_is_kept() {
    let api = api_with_rescorer(&[], 2).await;
    let sql = &api.state.sql;
    let key = sql.create_api_key("analysts", 1).await.unwrap();
    let evidence = |body: &[u8]| {
        Request::post("/v1/admin/evidence")
            .header("authorization", format!("Bearer {}", key.secret))
            .header("content-type", "application/toml")
            .body(Body::from(body.to_vec()))
            .unwrap()
    };
    let shipped = depinscore_engine::sample::EVIDENCE;
    // One answer changed from "yes" to "no": still valid, a different file.
    let changed = shipped.replacen("answer = \"yes\"", "answer = \"no\"", 1);
    assert_ne!(changed, shipped);
    for (body, field_in_detail) in [
        ("methodology = \"v1\"\n[[answers]\nitem =", "(file)"),
        (&*shipped.replace("methodology = \"v1\"", "methodology = \"v9\""), "v9"),
        (&*shipped.replacen("answer = \"yes\"", "answer = \"perhaps\"", 1), "answers[0].answer"),
    ] {
        let r = api.send(evidence(body.as_bytes())).await;
        r.assert_bad("body");
        let detail = r.json()["detail"].as_str().unwrap().to_string();
        assert!(detail.contains(field_in_detail), "{detail}");
    }
    api.send(evidence(&[0xff, 0xfe, 0x00])).await.assert_bad("body");
    assert_eq!(sql.latest_evidence().await.unwrap(), None, "nothing refused was stored");
    let r = api.send(evidence(shipped.as_bytes())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["new"], true);
    let r = api.send(evidence(changed.as_bytes())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let latest = sql.latest_evidence().await.unwrap().unwrap();
    assert_eq!(latest.body, changed);
    assert_eq!(r.json()["sha256"], latest.sha256.as_str());
    assert_eq!(latest.key_id, key.key.id);
}

#[tokio::test]
async fn a_client_over_its_rate_gets_429_with_retry_after_as_a_problem() {
    let api = api_with(ApiConfig { rate_limit_per_s: 1, rate_limit_burst: 2, ..ApiConfig::default() }, true).await;
    assert_eq!(api.get("/health").await.status, StatusCode::OK);
    assert_eq!(api.get("/health").await.status, StatusCode::OK);
    let r = api.get("/health").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.content_type(), "application/problem+json");
    assert!(r.headers["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
}

#[tokio::test]
async fn health_is_always_ok_and_ready_reports_each_check() {
    let relaxed = api_with(
        ApiConfig { rate_limit_per_s: 0, ready_max_lag: std::time::Duration::ZERO, ..ApiConfig::default() },
        true,
    )
    .await;
    assert_eq!(relaxed.get("/health").await.json()["status"], "ok");
    let r = relaxed.get("/ready").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["checks"][0]["name"], "database");
    // With a lag limit and no indexer checkpoint: not ready, and it says why.
    let api = api().await;
    let r = api.get("/ready").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    let checks = r.json()["checks"].as_array().unwrap().clone();
    let indexer = checks.iter().find(|c| c["name"] == "indexer").unwrap();
    assert_eq!(indexer["ok"], false);
    api.state.sql.save_checkpoint("grpc", 10, 1).await.unwrap();
    assert_eq!(api.get("/ready").await.status, StatusCode::OK);
    let m = api.get("/metrics").await;
    assert!(m.text().contains("depinscore_test 1") && m.content_type().starts_with("text/plain"));
}

#[tokio::test]
async fn the_openapi_document_is_3_1_and_documents_every_route_with_its_errors() {
    let api = api().await;
    let doc = api.get("/openapi.json").await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/v1/score",
        "/v1/score/history",
        "/v1/score/{id}",
        "/v1/metrics",
        "/v1/metrics/{name}",
        "/v1/treasury",
        "/v1/hexes",
        "/v1/reports",
        "/v1/reports/latest",
        "/v1/reports/{id}",
        "/v1/admin/rescore",
        "/v1/admin/prices",
        "/v1/admin/nodes",
        "/v1/admin/reports/{id}/publish",
        "/v1/jobs",
        "/v1/jobs/{address}",
        "/v1/jobs/stats",
        "/v1/nodes",
        "/v1/nodes/{address}",
        "/v1/markets",
        "/v1/markets/{address}",
        "/v1/stakes",
        "/v1/rewards",
        "/v1/pools",
        "/v1/transactions/{signature}",
        "/health",
        "/ready",
        "/metrics",
        "/jobs",
        "/jobs/{address}",
        "/jobs/stats",
        "/stats",
    ] {
        assert!(paths.contains_key(p), "{p} undocumented");
    }
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.keys().any(|c| c.starts_with('2')), "{method} {path}");
            if path.starts_with("/v1/admin") {
                assert!(responses.contains_key("401"), "{method} {path} documents 401");
            }
        }
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    let page = api.get("/docs").await;
    assert!(page.text().contains("/openapi.json") && !page.text().contains("https://"), "an offline docs page");
}

#[tokio::test]
async fn explorer_parameters_are_checked_before_any_store_and_without_clickhouse_the_answer_is_503() {
    let api = api().await;
    let job = "11111111111111111111111111111112";
    for (uri, parameter) in [
        ("/v1/jobs?state=sleeping", "state"),
        ("/v1/jobs?market=xyz", "market"),
        ("/v1/jobs?node=%27%20OR%201%3D1%20--", "node"),
        ("/v1/jobs?limit=501", "limit"),
        ("/v1/jobs?sort=random", "sort"),
        ("/v1/jobs?from=2026-03-01&to=2026-02-01", "from"),
        ("/v1/jobs?page=2", "page"),
        ("/v1/jobs/not-an-address", "address"),
        ("/v1/nodes?offset=-1", "offset"),
        ("/v1/nodes/abc", "address"),
        ("/v1/markets/abc", "address"),
        ("/v1/stakes?include_closed=yes", "include_closed"),
        ("/v1/rewards?after=abc", "after"),
        ("/v1/pools?limit=0", "limit"),
        ("/v1/transactions/abc", "signature"),
        // Nosana's routes: its names and ranges, checked the same way.
        ("/jobs?limit=51", "limit"),
        ("/jobs?offset=10001", "offset"),
        ("/jobs?state=completed", "state"),
        ("/jobs?poster=xyz", "poster"),
        ("/jobs?timeStart=-1", "timeStart"),
        ("/jobs/stats?state=DONE", "state"),
        ("/jobs/not-an-address", "address"),
        ("/jobs/stats?groupBy=node", "groupBy"),
        ("/jobs/stats?timeSeriesInterval=hour", "timeSeriesInterval"),
        ("/jobs/stats?timeStart=-5", "timeStart"),
        ("/jobs/stats?useMultiplier=maybe", "useMultiplier"),
        ("/stats?date=2026-01-01", "date"),
    ] {
        api.get(uri).await.assert_bad(parameter);
    }
    for uri in [
        "/v1/jobs".to_string(),
        format!("/v1/jobs/{job}"),
        "/v1/jobs/stats".into(),
        "/v1/nodes".into(),
        "/v1/markets".into(),
        "/v1/stakes".into(),
        format!("/v1/transactions/{}", "1".repeat(64)),
        "/jobs".into(),
        format!("/jobs/{job}"),
        "/jobs/stats?groupBy=market&timeSeriesInterval=week".into(),
        "/stats".into(),
    ] {
        let r = api.get(&uri).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{uri}: {}", r.text());
        assert!(r.json()["detail"].as_str().unwrap().contains("ClickHouse"), "{uri}");
    }
}

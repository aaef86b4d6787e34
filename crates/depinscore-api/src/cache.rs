//! Snapshots as the API serves them, parsed once per id: the latest (refreshed in the
//! background), recently asked-for ones, their point metrics, and rendered reports.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};

use bytes::Bytes;
use depinscore_sql::{SnapshotRecord, SqlStore};
use serde_json::Value;

use crate::bounded::Bounded;
use crate::error::{ApiError, ApiResult};
use crate::series::point_metrics;

/// One parsed snapshot.
pub struct Cached {
    pub id: String,
    pub as_of: i64,
    pub last_slot: u64,
    pub created_at: i64,
    /// The whole stored body, as stored and parsed.
    pub raw: Arc<str>,
    pub body: Value,
    /// The score document (`/v1/score`): the body without the daily table and series.
    pub score_json: Bytes,
}

impl Cached {
    pub fn from_record(r: &SnapshotRecord) -> ApiResult<Cached> {
        let body: Value = serde_json::from_str(&r.body)
            .map_err(|e| ApiError::store("the snapshot store", format!("snapshot {} is not JSON: {e}", r.id)))?;
        let mut score = body.clone();
        if let Some(o) = score.as_object_mut() {
            o.remove("daily");
            o.remove("series");
        }
        let score_json = serde_json::to_vec(&score).map_err(|e| ApiError::store("the snapshot store", e))?;
        Ok(Cached {
            id: r.id.clone(),
            as_of: r.as_of,
            last_slot: r.last_slot,
            created_at: r.created_at,
            raw: Arc::from(r.body.as_str()),
            body,
            score_json: Bytes::from(score_json),
        })
    }

    /// A strong entity tag: snapshots are content-addressed, so the id is the version.
    pub fn etag(&self, variant: &str) -> String {
        format!("\"{}{}{}\"", self.id, if variant.is_empty() { "" } else { "-" }, variant)
    }
}

pub type Points = Arc<BTreeMap<&'static str, Option<f64>>>;

pub struct SnapshotCache {
    latest: RwLock<Option<Arc<Cached>>>,
    by_id: Mutex<Bounded<String, Arc<Cached>>>,
    points: Mutex<Bounded<String, Points>>,
    reports: Mutex<Bounded<(String, String), Bytes>>,
}

impl Default for SnapshotCache {
    fn default() -> Self {
        SnapshotCache {
            latest: RwLock::new(None),
            by_id: Mutex::new(Bounded::new(8)),
            points: Mutex::new(Bounded::new(20_000)),
            reports: Mutex::new(Bounded::new(32)),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl SnapshotCache {
    /// The latest snapshot as last refreshed (no store access).
    pub fn current(&self) -> Option<Arc<Cached>> {
        self.latest.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// The latest snapshot, loading it once when none has been loaded yet.
    pub async fn latest(&self, sql: &SqlStore) -> ApiResult<Option<Arc<Cached>>> {
        if let Some(c) = self.current() {
            return Ok(Some(c));
        }
        self.refresh(sql).await
    }

    /// Looks for a newer latest snapshot (a cheap listing; the body is read only when the id
    /// changed).
    pub async fn refresh(&self, sql: &SqlStore) -> ApiResult<Option<Arc<Cached>>> {
        let newest = sql.snapshots(1).await.map_err(|e| ApiError::store("the snapshot store", e))?;
        let Some(head) = newest.first() else { return Ok(None) };
        if let Some(c) = self.current().filter(|c| c.id == head.id) {
            return Ok(Some(c));
        }
        let Some(loaded) = self.get(sql, &head.id).await? else { return Ok(self.current()) };
        *self.latest.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(loaded.clone());
        Ok(Some(loaded))
    }

    /// A snapshot by id.
    pub async fn get(&self, sql: &SqlStore, id: &str) -> ApiResult<Option<Arc<Cached>>> {
        if let Some(c) = self.current().filter(|c| c.id == id) {
            return Ok(Some(c));
        }
        if let Some(c) = lock(&self.by_id).get(&id.to_string()) {
            return Ok(Some(c));
        }
        let Some(record) = sql.snapshot(id).await.map_err(|e| ApiError::store("the snapshot store", e))? else {
            return Ok(None);
        };
        let cached = Arc::new(Cached::from_record(&record)?);
        lock(&self.by_id).insert(id.to_string(), cached.clone());
        Ok(Some(cached))
    }

    /// The point metrics of a snapshot (read and parsed once per id).
    pub async fn points(&self, sql: &SqlStore, id: &str) -> ApiResult<Option<Points>> {
        if let Some(p) = lock(&self.points).get(&id.to_string()) {
            return Ok(Some(p));
        }
        let Some(c) = self.get(sql, id).await? else { return Ok(None) };
        let p: Points = Arc::new(point_metrics(&c.body));
        lock(&self.points).insert(id.to_string(), p.clone());
        Ok(Some(p))
    }

    pub fn report(&self, id: &str, variant: &str) -> Option<Bytes> {
        lock(&self.reports).get(&(id.to_string(), variant.to_string()))
    }

    pub fn keep_report(&self, id: &str, variant: &str, bytes: Bytes) {
        lock(&self.reports).insert((id.to_string(), variant.to_string()), bytes);
    }
}

//! Wall-clock time as the store keeps it.

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, in unix seconds (the store's `updated_at` and `*_at` unit).
pub fn now_unix() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

//! Valuing NOS flows in USD: each flow at the NOS/USD price at the time of the flow (the last
//! price point at or before it, no older than the methodology's `price_max_age_s`), or at one
//! spot price for the sensitivity rows.

use polars::prelude::*;

use crate::columns::{f64s, i64s};
use crate::error::EngineError;

/// Base units per NOS.
pub const NOS: f64 = 1_000_000.0;

/// Micro-dollars per USD.
pub const MICRO: f64 = 1_000_000.0;

/// Adds `price` (USD per NOS, null when none is fresh enough) and `usd_micro` (amount × price
/// in whole micro-dollars) to a frame with `time` and `amount` columns, keeping its rows.
/// Integer micro-dollars make every later sum exact and independent of the order polars adds
/// in, so the same inputs give the same bytes.
pub(crate) fn price_at_time(frame: LazyFrame, prices: &DataFrame, max_age_s: i64) -> LazyFrame {
    let prices =
        prices.clone().lazy().select([col("time"), col("usd").alias("price")]).sort(["time"], Default::default());
    let options = AsOfOptions {
        strategy: AsofStrategy::Backward,
        tolerance: Some(Scalar::from(max_age_s)),
        tolerance_str: None,
        left_by: None,
        right_by: None,
        allow_eq: true,
        check_sortedness: false,
    };
    frame
        .sort(["time"], Default::default())
        .join(prices, [col("time")], [col("time")], JoinArgs::new(JoinType::AsOf(Box::new(options))))
        .with_column(
            ((col("amount").cast(DataType::Float64) * col("price") + lit(0.5)).cast(DataType::UInt64))
                .alias("usd_micro"),
        )
}

/// The NOS/USD price at `time`: the last point at or before it no older than `max_age_s`.
pub fn spot_price(prices: &DataFrame, time: i64, max_age_s: i64) -> Result<Option<f64>, EngineError> {
    let times = i64s(prices, "time")?;
    let usd = f64s(prices, "usd")?;
    let best = times
        .iter()
        .zip(usd)
        .filter_map(|(t, p)| Some(((*t)?, p?)))
        .filter(|(t, _)| *t <= time && time - *t <= max_age_s)
        .max_by_key(|(t, _)| *t);
    Ok(best.map(|(_, p)| p))
}

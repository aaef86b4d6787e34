//! Small helpers to read collected frames into plain Rust values.

use polars::prelude::*;

use crate::error::EngineError;

pub(crate) fn i64s(df: &DataFrame, name: &str) -> Result<Vec<Option<i64>>, EngineError> {
    Ok(df.column(name)?.cast(&DataType::Int64)?.i64()?.iter().collect())
}

pub(crate) fn u64s(df: &DataFrame, name: &str) -> Result<Vec<Option<u64>>, EngineError> {
    Ok(df.column(name)?.cast(&DataType::UInt64)?.u64()?.iter().collect())
}

pub(crate) fn u32s(df: &DataFrame, name: &str) -> Result<Vec<Option<u32>>, EngineError> {
    Ok(df.column(name)?.cast(&DataType::UInt32)?.u32()?.iter().collect())
}

pub(crate) fn f64s(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>, EngineError> {
    Ok(df.column(name)?.cast(&DataType::Float64)?.f64()?.iter().collect())
}

pub(crate) fn strs(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>, EngineError> {
    Ok(df.column(name)?.str()?.iter().map(|s| s.map(str::to_string)).collect())
}

/// `a / b`, or None when b is zero or either is not finite (never NaN or ∞ in output).
pub fn ratio(a: f64, b: f64) -> Option<f64> {
    let r = a / b;
    (b != 0.0 && r.is_finite()).then_some(r)
}

/// The median of values (None when empty).
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 })
}

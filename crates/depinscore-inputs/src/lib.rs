//! depinscore-inputs: the IO side of the analytics engine. Loads its input frames from
//! ClickHouse and the sqlx store, and exports/imports them as Parquet.

mod error;
mod interner;
mod load;
mod parquet;

pub use error::InputsError;
pub use interner::Interner;
pub use load::{LoadOptions, NOS_MAX_SUPPLY, load};
pub use parquet::{export, import};

//! depinscore-inputs: the IO side of the analytics engine. Loads its input frames from
//! ClickHouse and the sqlx store (whole, or following the chain slot range by slot range), and
//! exports/imports them as Parquet.

mod error;
mod follow;
mod interner;
mod load;
mod parquet;

pub use error::InputsError;
pub use follow::Follower;
pub use interner::{Interner, Overlay};
pub use load::{LoadOptions, NOS_MAX_SUPPLY, load};
pub use parquet::{export, import};

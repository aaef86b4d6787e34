use thiserror::Error;

#[derive(Debug, Error)]
pub enum InputsError {
    #[error("clickhouse: {0}")]
    ClickHouse(#[from] depinscore_clickhouse::ChError),
    #[error("database: {0}")]
    Sql(#[from] depinscore_sql::SqlError),
    #[error("engine: {0}")]
    Engine(#[from] depinscore_engine::EngineError),
    #[error("polars: {0}")]
    Polars(#[from] polars::error::PolarsError),
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error("{what}: {message}")]
    Invalid { what: String, message: String },
}

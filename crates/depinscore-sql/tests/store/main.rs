//! The store against both backends it supports: every test runs on a fresh SQLite file and on
//! a fresh database of a real PostgreSQL server (one server per test binary, started by
//! depinscore-localserver).

mod api_access;
mod checkpoints;
mod common;
mod connect;
mod evidence;
mod imports;
mod leases;
mod markets;
mod migrations;
mod nodes;
mod offchain;
mod prices;
mod snapshots;

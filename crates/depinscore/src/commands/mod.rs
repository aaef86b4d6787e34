pub mod lifecycle;
pub mod node;

//! One module per subcommand: its arguments and `run`.

pub mod audit;
pub mod catalogue;
pub mod demo;
pub mod export;
pub mod import;
pub mod import_matrix;
pub mod import_profiles;
pub mod list;
pub mod map;
pub mod profile;
pub mod readiness;
pub mod review;
pub mod stories;
pub mod suggest;
pub mod verify;
pub mod workload;
pub mod workplan;

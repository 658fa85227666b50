//! The vocabulary of Crosswalk, shared by every layer.
//!
//! Nothing here touches a file, a database or the clock: the types and rules are plain data so
//! that the importer, the store, the suggestion engine and the exporters agree on one meaning.

mod coverage;
mod records;
mod vocabulary;

pub use coverage::*;
pub use records::*;
pub use vocabulary::*;

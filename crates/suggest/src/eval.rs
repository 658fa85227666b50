//! Measuring suggestion quality on labelled sets.

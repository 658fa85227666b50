//! Ranking catalogue items for a requirement, offline and deterministic.

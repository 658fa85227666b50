//! The engagement file: SQLite schema, migrations, queries, audit log.

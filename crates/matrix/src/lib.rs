//! Writing the traceability matrix (xlsx/csv/json) and reading edited matrices back.

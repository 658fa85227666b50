//! Reading customer sheets (xlsx/xls/ods/csv) into requirement records. No database.

//! The shipped reference catalogue: loads and validates the files under data/catalogue.

//! ACLED-style CSV: one row per event, with ACLED's column names.

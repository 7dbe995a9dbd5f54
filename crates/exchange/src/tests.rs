//! Unit tests of the exchange formats; round trips through the real tools are in
//! `crates/beltwatch/tests/`.

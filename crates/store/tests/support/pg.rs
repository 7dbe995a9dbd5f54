//! A schema of its own on the test PostgreSQL server for each test, dropped afterwards.
//!
//! The server is `BELTWATCH_TEST_POSTGRES` (default `postgres://postgres@127.0.0.1:5432/postgres`).
//! Without a reachable server a test is skipped, saying so on the terminal, unless
//! `BELTWATCH_REQUIRE_POSTGRES` is set (as `.ci/run` sets it), when it fails.

#![allow(dead_code)]

use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};

static NEXT: AtomicU32 = AtomicU32::new(0);

pub fn server() -> String {
    std::env::var("BELTWATCH_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub struct Schema {
    pub name: String,
    client: postgres::Client,
}

impl Schema {
    /// A new empty schema, or `None` when there is no server and none is required.
    pub fn new() -> Option<Self> {
        let server = server();
        let client = match postgres::Client::connect(&server, postgres::NoTls) {
            Ok(client) => client,
            Err(e) => {
                if std::env::var_os("BELTWATCH_REQUIRE_POSTGRES").is_some() {
                    panic!("PostgreSQL is required (BELTWATCH_REQUIRE_POSTGRES) but {server} is unreachable: {e}");
                }
                // Written past the test harness's capture, so that a skip is seen.
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED (PostgreSQL half): no PostgreSQL server at {server}: {e} ({}); set BELTWATCH_TEST_POSTGRES",
                    std::error::Error::source(&e).map(ToString::to_string).unwrap_or_default()
                );
                return None;
            }
        };
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let name = format!("bwtest_{}_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed), nanos);
        let mut schema = Self { name, client };
        schema.execute_raw(&format!("CREATE SCHEMA {}", schema.name));
        Some(schema)
    }

    /// The database URL that opens a store in this schema.
    pub fn location(&self) -> String {
        let server = server();
        let joiner = if server.contains('?') { '&' } else { '?' };
        format!("{server}{joiner}schema={}", self.name)
    }

    fn execute_raw(&mut self, sql: &str) {
        self.client.batch_execute(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Runs `sql` in this schema.
    pub fn execute(&self, sql: &str) {
        let mut client = postgres::Client::connect(&server(), postgres::NoTls).expect("connect");
        client
            .batch_execute(&format!("SET search_path TO {}; {sql}", self.name))
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// The single number `sql` selects in this schema.
    pub fn count(&self, sql: &str) -> i64 {
        let mut client = postgres::Client::connect(&server(), postgres::NoTls).expect("connect");
        client.batch_execute(&format!("SET search_path TO {}", self.name)).expect("search path");
        client.query_one(sql, &[]).unwrap_or_else(|e| panic!("{sql}: {e}")).get(0)
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        let _ = self.client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
    }
}

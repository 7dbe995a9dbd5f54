//! Request counts and latencies in the Prometheus text format, for `/metrics`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency histogram's buckets, seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
pub struct Metrics {
    /// By route. Nothing is allocated for a request once its route has been seen.
    routes: Mutex<BTreeMap<String, RouteStats>>,
}

#[derive(Default)]
struct RouteStats {
    /// (method, status, count): a handful per route.
    counts: Vec<(String, u16, u64)>,
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, took: Duration) {
        let route = if route.is_empty() { "unmatched" } else { route };
        let mut routes = self.routes.lock().unwrap_or_else(|p| p.into_inner());
        if !routes.contains_key(route) {
            routes.insert(route.to_owned(), RouteStats::default());
        }
        let Some(stats) = routes.get_mut(route) else { return };
        match stats.counts.iter_mut().find(|(m, s, _)| m == method && *s == status) {
            Some((_, _, n)) => *n += 1,
            None => stats.counts.push((method.to_owned(), status, 1)),
        }
        let seconds = took.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                stats.buckets[i] += 1;
            }
        }
        stats.count += 1;
        stats.sum += seconds;
    }

    pub fn render(&self) -> String {
        let routes = self.routes.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        out.push_str("# HELP beltwatch_http_requests_total HTTP requests by method, route and status.\n");
        out.push_str("# TYPE beltwatch_http_requests_total counter\n");
        for (route, stats) in routes.iter() {
            for (method, status, n) in &stats.counts {
                let _ = writeln!(
                    out,
                    "beltwatch_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        out.push_str("# HELP beltwatch_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE beltwatch_http_request_duration_seconds histogram\n");
        for (route, stats) in routes.iter() {
            let route = escape(route);
            for (bound, n) in BUCKETS.iter().zip(&stats.buckets) {
                let _ = writeln!(
                    out,
                    "beltwatch_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {n}"
                );
            }
            let count = stats.count;
            let _ = writeln!(
                out,
                "beltwatch_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}"
            );
            let _ = writeln!(out, "beltwatch_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", stats.sum);
            let _ = writeln!(out, "beltwatch_http_request_duration_seconds_count{{route=\"{route}\"}} {count}");
        }
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_histograms_render() {
        let m = Metrics::default();
        m.observe("GET", "/api/v1/events", 200, Duration::from_millis(3));
        m.observe("GET", "/api/v1/events", 200, Duration::from_millis(30));
        m.observe("GET", "/api/v1/events", 401, Duration::from_micros(100));
        let text = m.render();
        assert!(
            text.contains(r#"beltwatch_http_requests_total{method="GET",route="/api/v1/events",status="200"} 2"#),
            "{text}"
        );
        assert!(text.contains(r#"status="401"} 1"#));
        assert!(text.contains(r#"route="/api/v1/events",le="0.005"} 2"#), "{text}");
        assert!(text.contains(r#"beltwatch_http_request_duration_seconds_count{route="/api/v1/events"} 3"#));
    }
}

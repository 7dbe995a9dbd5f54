//! Decoding time of hostile nesting, per input kind and depth: `cargo bench -p
//! beltwatch-formats --bench nesting [-- KIND... DEPTH...]` (kinds: html, html-wide,
//! html-text, feed, feed-html, json, jsonl, markdown; depths default to 1000, 3000 and
//! 100000). `html-text` has words at every level; `html-blank` is 256 levels with DEPTH
//! words at the bottom; `html-wide` repeats a page nested
//! DEPTH deep to about 1 MB; `feed-html` nests an
//! item's HTML. Each case is decoded once and its time printed; nothing is asserted, as
//! timings belong in reports.

use std::time::Instant;

use beltwatch_formats::{InputKind, decode};

const KINDS: [&str; 9] =
    ["html", "html-text", "html-blank", "html-wide", "feed", "feed-html", "json", "jsonl", "markdown"];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let mut kinds: Vec<&str> = KINDS.iter().copied().filter(|k| args.iter().any(|a| a == k)).collect();
    if kinds.is_empty() {
        kinds = KINDS.to_vec();
    }
    let mut depths: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    if depths.is_empty() {
        depths = vec![1_000, 3_000, 100_000];
    }
    println!(
        "{:<10} {:>8} {:>10} {:>10} {:>10} {:>12}",
        "kind", "depth", "bytes", "seconds", "documents", "diagnostics"
    );
    for kind in kinds {
        for &depth in &depths {
            let (input_kind, bytes) = nested(kind, depth);
            let started = Instant::now();
            let decoded = decode("nested", input_kind, &bytes);
            let seconds = started.elapsed().as_secs_f64();
            println!(
                "{kind:<10} {depth:>8} {:>10} {seconds:>10.3} {:>10} {:>12}",
                bytes.len(),
                decoded.candidates.len(),
                decoded.diagnostics.len()
            );
        }
    }
}

/// An input of `kind` nested `depth` levels deep around a sentence of text.
fn nested(kind: &str, depth: usize) -> (InputKind, Vec<u8>) {
    let text = "Border guards seized 40 kg of heroin near Panj on Tuesday.";
    match kind {
        "html" => (InputKind::Html, format!("<html><body>{}{text}</body></html>", "<div>".repeat(depth)).into_bytes()),
        "html-text" => {
            (InputKind::Html, format!("<html><body>{}</body></html>", "<div>Seized. ".repeat(depth)).into_bytes())
        }
        "html-blank" => {
            let page = format!("<html><body>{}{}{text}</body></html>", "<div>".repeat(256), "x ".repeat(depth));
            (InputKind::Html, page.into_bytes())
        }
        "html-wide" => {
            let chain = format!("{}<p>{text}</p>{}", "<div>".repeat(depth), "</div>".repeat(depth));
            let copies = (1_000_000 / chain.len()).max(1);
            (InputKind::Html, format!("<html><body>{}</body></html>", chain.repeat(copies)).into_bytes())
        }
        "feed-html" => {
            let deep = format!("{}{text}", "&lt;div&gt;".repeat(depth));
            let xml = format!(
                "<rss version=\"2.0\"><channel><title>Wire</title><item><title>Seizure</title><description>{deep}</description></item></channel></rss>"
            );
            (InputKind::Feed, xml.into_bytes())
        }
        "feed" => {
            let item = format!("<item><title>Seizure</title><description>{text}</description></item>");
            let deep = format!("{}{}", "<x>".repeat(depth), "</x>".repeat(depth));
            let xml = format!("<rss version=\"2.0\"><channel><title>Wire</title>{item}{deep}</channel></rss>");
            (InputKind::Feed, xml.into_bytes())
        }
        "json" => {
            let json = format!("{{\"text\": \"{text}\", \"extra\": {}{}}}", "[".repeat(depth), "]".repeat(depth));
            (InputKind::Json, json.into_bytes())
        }
        "jsonl" => {
            let line =
                format!("{{\"text\": \"{text}\", \"extra\": {}{}}}\n", "{\"a\":".repeat(depth), "}".repeat(depth));
            (InputKind::JsonLines, line.into_bytes())
        }
        _ => (InputKind::Markdown, format!("{}{text}\n", "> ".repeat(depth)).into_bytes()),
    }
}

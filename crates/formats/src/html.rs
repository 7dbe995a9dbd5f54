//! Web pages: the article's main text, its title, and the metadata pages carry
//! (`article:published_time`, `og:site_name`, `<html lang>`, canonical URL).
//!
//! Navigation, headers, footers, asides, forms, scripts and consent banners are removed
//! first. Then the text is the page's one `<article>` (or `<main>`) when it has one, and
//! otherwise the block that readability scoring picks; a page too short for scoring
//! falls back to its whole cleaned body.
//!
//! Nesting is bounded first ([`crate::nesting`]): a page nested deeper than
//! [`MAX_DEPTH`] elements loses the markup below that depth, keeps its text, and gets a
//! note saying so.

use std::collections::HashMap;

use dom_query::Document;
use dom_smoothie::{Config, Readability, TextMode};
use model::{DocumentFormat, When};

use crate::diagnostic::byte_position;
use crate::nesting::{MAX_DEPTH, bound_depth};
use crate::{Candidate, Decoded, Diagnostic, Problem};

/// Elements that never hold the report itself.
const BOILERPLATE: &str = "script, style, noscript, template, nav, header, footer, aside, form, iframe, svg, button, \
    [class*=cookie], [id*=cookie], [class*=consent], [id*=consent], [class*=banner], [class*=subscribe], \
    [class*=share], [class*=related], [class*=comments], [role=navigation], [role=banner], [role=contentinfo]";

pub(crate) fn decode(origin: &str, html: &str) -> Decoded {
    let bounded = bound_depth(html, MAX_DEPTH);
    let mut notes = Vec::new();
    if let Some(offset) = bounded.first_dropped {
        notes.push(Diagnostic::new(
            origin,
            Some(byte_position(html.as_bytes(), offset)),
            Problem::TooDeep { limit: MAX_DEPTH, dropped: bounded.dropped },
        ));
    }
    let document = Document::from(bounded.html.as_ref());
    let meta = |property: &str| {
        document
            .select(&format!("meta[property=\"{property}\"], meta[name=\"{property}\"]"))
            .attr("content")
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
    };
    let mut candidate = Candidate {
        raw: html.to_owned(),
        format: Some(DocumentFormat::Html),
        source: meta("og:site_name"),
        published: meta("article:published_time").or_else(|| meta("date")).and_then(|t| When::parse(&t).ok()),
        url: document.select("link[rel=canonical]").attr("href").map(|h| h.to_string()).or_else(|| meta("og:url")),
        language: document.select("html").attr("lang").and_then(|l| l.parse().ok()),
        title: meta("og:title").or_else(|| text_of(&document, "title")),
        ..Candidate::default()
    };
    document.select(BOILERPLATE).remove();

    let depth = tree_depth(&document);
    let container = ["article", "main", "[role=main]"]
        .into_iter()
        .map(|selector| document.select(selector))
        .find(|selection| selection.length() == 1);
    candidate.text = match container {
        Some(container) => {
            let headline = container.select("h1").first();
            if !headline.is_empty() {
                candidate.title = Some(headline.text().trim().to_owned());
                headline.remove();
            }
            container.formatted_text().to_string()
        }
        // Scoring measures the text under every element once per ancestor, in time
        // that grows with the square of the depth times the length: past the budget, the
        // page's whole cleaned body is its text.
        None if depth > PARSED_DEPTH_LIMIT || depth * depth * bounded.html.len() > SCORING_BUDGET => {
            document.select("body").formatted_text().to_string()
        }
        None => {
            let config = Config { text_mode: TextMode::Formatted, ..Config::default() };
            let scored = Readability::with_document(document.clone(), None, Some(config)).and_then(|mut r| r.parse());
            match scored {
                Ok(article) => {
                    if !article.title.trim().is_empty() {
                        candidate.title = Some(article.title);
                    }
                    article.text_content.to_string()
                }
                Err(_) => document.select("body").formatted_text().to_string(),
            }
        }
    };
    Decoded { candidates: vec![candidate], notes, ..Decoded::default() }
}

/// The depth past which a parsed page is not scored: what the bound lets through, with
/// the elements the parser adds itself (`<html>`, `<body>`, `<tbody>`, `<tr>`) and the
/// formatting elements it reopens.
pub(crate) const PARSED_DEPTH_LIMIT: usize = 3 * MAX_DEPTH;

/// Readability scoring runs on pages whose depth squared times length in bytes is at
/// most this: a megabyte 32 levels deep, 100 kB a hundred deep; about a second at worst.
const SCORING_BUDGET: usize = 1 << 30;

/// The depth of the deepest node of `document`, in one pass over its nodes.
pub(crate) fn tree_depth(document: &Document) -> usize {
    let root = document.root();
    let mut depths = HashMap::new();
    depths.insert(root.id, 0usize);
    let mut deepest = 0;
    for node in root.descendants_it() {
        let parent_depth = node.parent().and_then(|p| depths.get(&p.id).copied()).unwrap_or(0);
        let depth = parent_depth + 1;
        deepest = deepest.max(depth);
        depths.insert(node.id, depth);
    }
    deepest
}

fn text_of(document: &Document, selector: &str) -> Option<String> {
    Some(document.select(selector).first().text().trim().to_owned()).filter(|t| !t.is_empty())
}

/// The text of an HTML fragment, such as a feed item's content: paragraphs and other
/// blocks separated by blank lines, scripts and styles dropped. With it, how many tags
/// were dropped for nesting too deep.
pub(crate) fn fragment_to_text(fragment: &str) -> (String, usize) {
    if !fragment.contains('<') && !fragment.contains('&') {
        return (fragment.to_owned(), 0);
    }
    let bounded = bound_depth(fragment, MAX_DEPTH);
    let document = Document::fragment(bounded.html.as_ref());
    document.select(BOILERPLATE).remove();
    (document.formatted_text().to_string(), bounded.dropped)
}

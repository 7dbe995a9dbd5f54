//! Web pages: the article's main text, its title, and the metadata pages carry
//! (`article:published_time`, `og:site_name`, `<html lang>`, canonical URL).
//!
//! Navigation, headers, footers, asides, forms, scripts and consent banners are removed
//! first. Then the text is the page's one `<article>` (or `<main>`) when it has one, and
//! otherwise the block that readability scoring picks; a page too short for scoring
//! falls back to its whole cleaned body.

use dom_query::Document;
use dom_smoothie::{Config, Readability, TextMode};
use model::{DocumentFormat, When};

use crate::{Candidate, Decoded};

/// Elements that never hold the report itself.
const BOILERPLATE: &str = "script, style, noscript, template, nav, header, footer, aside, form, iframe, svg, button, \
    [class*=cookie], [id*=cookie], [class*=consent], [id*=consent], [class*=banner], [class*=subscribe], \
    [class*=share], [class*=related], [class*=comments], [role=navigation], [role=banner], [role=contentinfo]";

pub(crate) fn decode(_origin: &str, html: &str) -> Decoded {
    let document = Document::from(html);
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
    Decoded { candidates: vec![candidate], ..Decoded::default() }
}

fn text_of(document: &Document, selector: &str) -> Option<String> {
    Some(document.select(selector).first().text().trim().to_owned()).filter(|t| !t.is_empty())
}

/// The text of an HTML fragment, such as a feed item's content: paragraphs and other
/// blocks separated by blank lines, scripts and styles dropped.
pub(crate) fn fragment_to_text(fragment: &str) -> String {
    if !fragment.contains('<') && !fragment.contains('&') {
        return fragment.to_owned();
    }
    let document = Document::fragment(fragment);
    document.select(BOILERPLATE).remove();
    document.formatted_text().to_string()
}

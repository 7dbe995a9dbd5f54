//! Decoders: from the bytes of a file or an HTTP response to candidate documents, and from
//! a candidate to a document ready to store (normalised text, language, content hash).
//!
//! Decoding never fails a whole batch: a decoder returns the documents it could read and a
//! [`Diagnostic`] for each thing it could not, naming where (byte offset, line and column,
//! JSON path, feed item) and what was wrong. This crate does no I/O and reads no clock: the
//! pipeline reads the bytes and stamps the time.

mod diagnostic;
mod feed;
mod html;
mod json;
pub mod language;
mod nesting;
pub mod normalize;
mod prepare;
mod text;

pub use diagnostic::{Diagnostic, Position, Problem, utf8_or_diagnostic};
pub use json::decode_json_line;
pub use prepare::{Limits, Prepared, prepare};

use model::{DocumentFormat, Language, When};

/// The deepest the HTML parser's tree may be once a page's nesting is bounded; past it,
/// a page is read without scoring.
pub const MAX_PARSED_HTML_DEPTH: usize = html::PARSED_DEPTH_LIMIT;

/// The depth of the tree the HTML parser builds from `html` once its nesting is bounded,
/// as [`decode`] does: at most [`MAX_PARSED_HTML_DEPTH`] unless the bound misjudged the
/// page. For the fuzz targets and property tests, which look for pages it misjudges.
pub fn parsed_html_depth(html: &str) -> usize {
    let bounded = nesting::bound_depth(html, nesting::MAX_DEPTH);
    html::tree_depth(&dom_query::Document::from(bounded.html.as_ref()))
}

/// The kinds of input beltwatch reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// Plain text, with optional front matter.
    Text,
    /// Markdown, with optional front matter.
    Markdown,
    /// A web page: the article's main text is kept, menus and scripts are not.
    Html,
    /// One document object, or an array of them.
    Json,
    /// One document object per line.
    JsonLines,
    /// An RSS 2.0 or Atom feed.
    Feed,
}

impl InputKind {
    /// The file name extensions each kind is read from.
    pub const EXTENSIONS: &'static str = ".txt .text .md .markdown .html .htm .json .jsonl .ndjson .rss .atom .xml";

    /// The kind a file name extension names (case-insensitive), if any.
    pub fn from_extension(extension: &str) -> Option<Self> {
        Some(match extension.to_ascii_lowercase().as_str() {
            "txt" | "text" => InputKind::Text,
            "md" | "markdown" => InputKind::Markdown,
            "html" | "htm" => InputKind::Html,
            "json" => InputKind::Json,
            "jsonl" | "ndjson" => InputKind::JsonLines,
            "rss" | "atom" | "xml" => InputKind::Feed,
            _ => return None,
        })
    }

    /// The kind of an HTTP response, from its `Content-Type` and, when that is vague, its
    /// first bytes.
    pub fn from_content_type(content_type: Option<&str>, body: &[u8]) -> Option<Self> {
        let media = content_type.unwrap_or_default().split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        match media.as_str() {
            "application/rss+xml" | "application/atom+xml" | "application/feed+json" => return Some(InputKind::Feed),
            "text/html" | "application/xhtml+xml" => return Some(InputKind::Html),
            "application/json" => return Some(InputKind::Json),
            "application/x-ndjson" | "application/jsonl" => return Some(InputKind::JsonLines),
            "text/markdown" => return Some(InputKind::Markdown),
            "text/plain" => return Some(InputKind::Text),
            _ => {}
        }
        let head = String::from_utf8_lossy(&body[..body.len().min(1024)]).to_ascii_lowercase();
        let head = head.trim_start_matches('\u{feff}').trim_start();
        if head.contains("<rss") || head.contains("<feed") || head.contains("<rdf:rdf") {
            Some(InputKind::Feed)
        } else if head.starts_with("<!doctype html") || head.starts_with("<html") {
            Some(InputKind::Html)
        } else if media.ends_with("xml") {
            Some(InputKind::Feed)
        } else {
            None
        }
    }
}

/// A document as a decoder read it, before normalisation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Candidate {
    /// Where inside the input the document was (`line 4`, `$[2]`, `item 3`), for inputs
    /// that carry several documents.
    pub locator: Option<String>,
    pub title: Option<String>,
    pub url: Option<String>,
    pub published: Option<When>,
    pub source: Option<String>,
    /// The language the input declared for this document, if it did.
    pub language: Option<Language>,
    /// A language declared for a whole collection (a feed's), used only when detection
    /// cannot tell: feeds often mix languages under one declaration.
    pub fallback_language: Option<Language>,
    /// The input's own identifier for the document (a feed item's guid, a JSON `id`).
    pub external_id: Option<String>,
    /// The text as it arrived, markup included.
    pub raw: String,
    /// The plain text the decoder extracted, not yet normalised.
    pub text: String,
    pub format: Option<DocumentFormat>,
}

/// What a decoder produced from one input.
#[derive(Debug, Default)]
pub struct Decoded {
    pub candidates: Vec<Candidate>,
    pub diagnostics: Vec<Diagnostic>,
    /// What was changed to read the input, without rejecting anything (markup nested too
    /// deep, flattened).
    pub notes: Vec<Diagnostic>,
    /// The name a feed gives itself, used as the source of its items.
    pub feed_title: Option<String>,
}

impl Decoded {
    fn failed(diagnostic: Diagnostic) -> Self {
        Self { diagnostics: vec![diagnostic], ..Self::default() }
    }
}

/// Decodes one whole input. `origin` names it in diagnostics (a path or a URL).
/// JSON Lines files are better streamed through [`decode_json_line`]; this reads them
/// whole for inputs that are already in memory, such as HTTP responses.
pub fn decode(origin: &str, kind: InputKind, bytes: &[u8]) -> Decoded {
    if kind == InputKind::Feed {
        // Feeds declare their own encoding; the XML reader handles it.
        return feed::decode(origin, bytes);
    }
    match utf8_or_diagnostic(origin, bytes) {
        Ok(text) => decode_str(origin, kind, text),
        Err(diagnostic) => Decoded::failed(diagnostic),
    }
}

/// Decodes one whole input that is already known to be UTF-8.
pub fn decode_str(origin: &str, kind: InputKind, text: &str) -> Decoded {
    match kind {
        InputKind::Text => text::decode(origin, text, DocumentFormat::Text),
        InputKind::Markdown => text::decode(origin, text, DocumentFormat::Markdown),
        InputKind::Html => html::decode(origin, text),
        InputKind::Json => json::decode_json(origin, text),
        InputKind::Feed => feed::decode(origin, text.as_bytes()),
        InputKind::JsonLines => {
            let mut decoded = Decoded::default();
            for (index, line) in text.lines().enumerate() {
                match decode_json_line(origin, index as u64 + 1, line) {
                    Ok(Some(candidate)) => decoded.candidates.push(candidate),
                    Ok(None) => {}
                    Err(diagnostic) => decoded.diagnostics.push(diagnostic),
                }
            }
            decoded
        }
    }
}

#[cfg(test)]
mod tests;

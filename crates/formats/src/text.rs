//! Plain text and Markdown, each with optional front matter:
//!
//! ```text
//! ---
//! title: Heroin seized near Panj
//! published: 2026-10-14
//! source: Panj Valley Monitor
//! url: https://panj-valley-monitor.example/heroin
//! language: en
//! ---
//!
//! Body...
//! ```
//!
//! Without a `title`, a Markdown document's first level-one heading is its title, and a
//! text document's first line is when it stands alone as a short first paragraph.

use model::{DocumentFormat, When};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::diagnostic::byte_position;
use crate::{Candidate, Decoded, Diagnostic, Position, Problem};

/// The keys front matter may carry.
const KEYS: &str = "title, published, source, url, language, id";

/// The longest first line that a plain text document's title can be.
const MAX_TITLE_CHARS: usize = 200;

pub(crate) fn decode(origin: &str, text: &str, format: DocumentFormat) -> Decoded {
    let mut candidate = Candidate { raw: text.to_owned(), format: Some(format), ..Candidate::default() };
    let body = match split_front_matter(origin, text, &mut candidate) {
        Ok(body) => body,
        Err(diagnostic) => return Decoded { diagnostics: vec![diagnostic], ..Decoded::default() },
    };
    candidate.text = match format {
        DocumentFormat::Markdown => markdown_to_text(body, &mut candidate.title),
        _ => plain_text(body, &mut candidate.title),
    };
    Decoded { candidates: vec![candidate], ..Decoded::default() }
}

/// Reads front matter into `candidate` and returns the body after it.
fn split_front_matter<'t>(origin: &str, text: &'t str, candidate: &mut Candidate) -> Result<&'t str, Diagnostic> {
    let Some(rest) = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n")) else {
        return Ok(text);
    };
    // (offset of the line in `text`, the line without its ending)
    let mut lines = Vec::new();
    let mut offset = text.len() - rest.len();
    let mut body_start = None;
    for line in rest.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        if content == "---" {
            body_start = Some(offset + line.len());
            break;
        }
        lines.push((offset, content));
        offset += line.len();
    }
    let Some(body_start) = body_start else {
        return Err(Diagnostic::new(
            origin,
            Some(Position::LineColumn { line: 1, column: 1 }),
            Problem::FrontMatter("opening '---' has no closing '---' line".into()),
        ));
    };
    for (line_offset, content) in lines.into_iter().filter(|(_, c)| !c.trim().is_empty()) {
        let fail = |message: String| {
            Diagnostic::new(origin, Some(byte_position(text.as_bytes(), line_offset)), Problem::FrontMatter(message))
        };
        let (key, value) =
            content.split_once(':').ok_or_else(|| fail(format!("expected 'key: value', found {content:?}")))?;
        let value = value.trim().trim_matches('"').trim();
        let value = (!value.is_empty()).then(|| value.to_owned());
        match key.trim() {
            "title" => candidate.title = value,
            "source" | "outlet" => candidate.source = value,
            "url" => candidate.url = value,
            "id" => candidate.external_id = value,
            "published" | "date" => {
                candidate.published = value.map(|v| When::parse(&v)).transpose().map_err(|e| fail(e.to_string()))?;
            }
            "language" | "lang" => {
                candidate.language =
                    value.map(|v| v.parse()).transpose().map_err(|e: model::InvalidValue| fail(e.to_string()))?;
            }
            other => return Err(fail(format!("unknown key {other:?} (known: {KEYS})"))),
        }
    }
    Ok(&text[body_start..])
}

fn plain_text(body: &str, title: &mut Option<String>) -> String {
    let body = body.trim_start_matches(['\n', '\r']);
    if title.is_none() {
        let first_paragraph_end = body.find("\n\n").or_else(|| body.find("\r\n\r\n"));
        if let Some(end) = first_paragraph_end {
            let first = body[..end].trim();
            if !first.contains('\n') && first.chars().count() <= MAX_TITLE_CHARS && !first.ends_with('.') {
                *title = Some(first.to_owned());
                return body[end..].to_owned();
            }
        }
    }
    body.to_owned()
}

/// The text of a Markdown document: blocks become paragraphs separated by a blank line,
/// inline markup is dropped, links keep their text. The first level-one heading becomes
/// the title when there is none yet, and leaves the body.
fn markdown_to_text(body: &str, title: &mut Option<String>) -> String {
    let mut out = String::with_capacity(body.len());
    let mut heading: Option<(u8, String)> = None;
    for event in Parser::new(body) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => heading = Some((level as u8, String::new())),
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text)) = heading.take() {
                    if level == 1 && title.is_none() {
                        *title = Some(text.trim().to_owned());
                    } else {
                        block_break(&mut out);
                        out.push_str(text.trim());
                        block_break(&mut out);
                    }
                }
            }
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => match &mut heading {
                Some((_, h)) => h.push_str(&t),
                None => out.push_str(&t),
            },
            Event::SoftBreak => push_inline(&mut heading, &mut out, " "),
            Event::HardBreak => push_inline(&mut heading, &mut out, "\n"),
            Event::End(TagEnd::Paragraph | TagEnd::CodeBlock | TagEnd::BlockQuote(_) | TagEnd::Table) => {
                block_break(&mut out)
            }
            Event::Start(Tag::Item) | Event::End(TagEnd::TableRow | TagEnd::TableHead) => line_break(&mut out),
            Event::End(TagEnd::TableCell) => out.push(' '),
            Event::End(TagEnd::List(_)) | Event::Rule => block_break(&mut out),
            _ => {}
        }
    }
    out
}

fn push_inline(heading: &mut Option<(u8, String)>, out: &mut String, s: &str) {
    match heading {
        Some((_, h)) => h.push_str(s),
        None => out.push_str(s),
    }
}

fn line_break(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

fn block_break(out: &mut String) {
    line_break(out);
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.push('\n');
    }
}

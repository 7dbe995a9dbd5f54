//! RSS 2.0 and Atom feeds (RSS 1.0 and JSON Feed too, which the parser also reads). Each
//! item becomes a document: its content (or, without content, its summary) as text, its
//! title, first link, publication (or update) time and id; the feed's title is the
//! source and the feed's language the items' language.
//!
//! The XML is first read once for well-formedness, so that a malformed feed is reported
//! with the byte, line and column where it breaks (the feed parser reports no position),
//! and for depth: a feed nested deeper than [`MAX_XML_DEPTH`] elements is refused.

use model::{DocumentFormat, When};
use quick_xml::Reader;
use quick_xml::events::Event;

use crate::diagnostic::byte_position;
use crate::html::fragment_to_text;
use crate::nesting::MAX_DEPTH;
use crate::{Candidate, Decoded, Diagnostic, Position, Problem};

/// The deepest a feed's XML may nest: feeds nest a few levels, XHTML content a few dozen.
pub(crate) const MAX_XML_DEPTH: usize = MAX_DEPTH;

pub(crate) fn decode(origin: &str, bytes: &[u8]) -> Decoded {
    let is_json = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    // The feed parser says what is wrong but not where: its complaints are about the
    // document as a whole, named by its root element (or first byte).
    let root = if is_json {
        0
    } else {
        match check_well_formed(origin, bytes) {
            Ok(root) => root,
            Err(diagnostic) => return Decoded::failed(diagnostic),
        }
    };
    let feed = match feed_rs::parser::parse(bytes) {
        Ok(feed) => feed,
        Err(e) => {
            let position = Some(byte_position(bytes, root));
            return Decoded::failed(Diagnostic::new(origin, position, Problem::MalformedFeed(e.to_string())));
        }
    };
    let format = match feed.feed_type {
        feed_rs::model::FeedType::Atom => DocumentFormat::Atom,
        _ => DocumentFormat::Rss,
    };
    let feed_title = feed.title.map(|t| fragment_to_text(&t.content).0.trim().to_owned()).filter(|t| !t.is_empty());
    let feed_language = feed.language.as_deref().and_then(|l| l.parse().ok());
    let mut decoded = Decoded { feed_title: feed_title.clone(), ..Decoded::default() };
    for (index, entry) in feed.entries.into_iter().enumerate() {
        let title = entry.title.map(|t| fragment_to_text(&t.content).0.trim().to_owned()).filter(|t| !t.is_empty());
        let body = entry
            .content
            .and_then(|c| c.body)
            .filter(|b| !b.trim().is_empty())
            .or_else(|| entry.summary.map(|s| s.content))
            .unwrap_or_default();
        if body.trim().is_empty() {
            let label = title.clone().or_else(|| Some(entry.id.clone()));
            decoded.diagnostics.push(Diagnostic::new(
                origin,
                Some(Position::Item { index: index + 1, label }),
                Problem::Empty,
            ));
            continue;
        }
        let (text, dropped) = fragment_to_text(&body);
        if dropped > 0 {
            decoded.notes.push(Diagnostic::new(
                origin,
                Some(Position::Item { index: index + 1, label: title.clone() }),
                Problem::TooDeep { limit: MAX_DEPTH, dropped },
            ));
        }
        decoded.candidates.push(Candidate {
            locator: Some(format!("item {}", index + 1)),
            title,
            url: entry.links.first().map(|l| l.href.clone()),
            published: entry.published.or(entry.updated).map(When::exact),
            source: feed_title.clone(),
            fallback_language: feed_language.clone(),
            external_id: Some(entry.id).filter(|id| !id.is_empty()),
            text,
            raw: body,
            format: Some(format),
            ..Candidate::default()
        });
    }
    decoded
}

/// Reads the XML once, reporting the first syntax error, an element left open at the
/// end, or nesting too deep, with its position; returns the offset of the root element.
fn check_well_formed(origin: &str, bytes: &[u8]) -> Result<usize, Diagnostic> {
    let mut reader = Reader::from_reader(bytes);
    let mut buffer = Vec::new();
    let mut open: Vec<Vec<u8>> = Vec::new();
    let mut root = None;
    loop {
        let event_start = reader.buffer_position() as usize;
        match reader.read_event_into(&mut buffer) {
            Ok(Event::Start(start)) => {
                root.get_or_insert(event_start);
                if open.len() >= MAX_XML_DEPTH {
                    return Err(Diagnostic::new(
                        origin,
                        Some(byte_position(bytes, event_start)),
                        Problem::MalformedFeed(format!("elements nested deeper than {MAX_XML_DEPTH}")),
                    ));
                }
                open.push(start.name().as_ref().to_vec());
            }
            Ok(Event::Empty(_)) => {
                root.get_or_insert(event_start);
            }
            Ok(Event::End(_)) => {
                open.pop();
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                let offset = reader.error_position() as usize;
                return Err(Diagnostic::new(
                    origin,
                    Some(byte_position(bytes, offset)),
                    Problem::MalformedFeed(format!("XML syntax: {e}")),
                ));
            }
        }
        buffer.clear();
    }
    let problem = match (root, open.last()) {
        (None, _) => "no XML element found".to_owned(),
        (Some(_), Some(name)) => format!("file ends inside <{}>", String::from_utf8_lossy(name)),
        (Some(root), None) => return Ok(root),
    };
    Err(Diagnostic::new(origin, Some(byte_position(bytes, bytes.len())), Problem::MalformedFeed(problem)))
}

//! Diagnostics: one line that names the input, the position in it and the problem.

use std::fmt;

/// Where in an input a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    /// A byte offset (from 0) with its line and column (from 1; the column counts
    /// characters).
    Byte { offset: u64, line: u64, column: u64 },
    /// A line and column (from 1), as JSON parsers report them.
    LineColumn { line: u64, column: u64 },
    /// A JSON path such as `$[2].published`, with the line of a JSON Lines record.
    JsonPath { line: Option<u64>, path: String },
    /// A feed item (from 1), with its title or id when it has one.
    Item { index: usize, label: Option<String> },
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Byte { offset, line, column } => {
                write!(f, "byte {offset} (line {line}, column {column})")
            }
            Position::LineColumn { line, column } => write!(f, "line {line}, column {column}"),
            Position::JsonPath { line: Some(line), path } => write!(f, "line {line}, {path}"),
            Position::JsonPath { line: None, path } => f.write_str(path),
            Position::Item { index, label: Some(label) } => write!(f, "item {index} ({label:?})"),
            Position::Item { index, label: None } => write!(f, "item {index}"),
        }
    }
}

/// What was wrong with an input or a document in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("invalid UTF-8")]
    InvalidUtf8,
    #[error("empty document: no text left after normalisation")]
    Empty,
    #[error("document of {size} bytes exceeds the limit of {limit} bytes (ingest.max_document_bytes)")]
    TooLarge { size: u64, limit: u64 },
    #[error("input larger than the limit of {limit} bytes (ingest.max_input_bytes): not read further")]
    InputTooLarge { limit: u64 },
    #[error("markup nested deeper than {limit} elements: {dropped} tags below that depth dropped, their text kept")]
    TooDeep { limit: usize, dropped: usize },
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    #[error("invalid document: {0}")]
    InvalidField(String),
    #[error("malformed feed: {0}")]
    MalformedFeed(String),
    #[error("malformed front matter: {0}")]
    FrontMatter(String),
    #[error("unsupported file type {0:?} (supported: {exts})", exts = crate::InputKind::EXTENSIONS)]
    UnsupportedType(String),
    #[error("unreachable: {0}")]
    Unreachable(String),
    #[error("cannot read: {0}")]
    Io(String),
}

/// A problem with one input (or one document in it), and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The path or URL of the input.
    pub origin: String,
    pub position: Option<Position>,
    pub problem: Problem,
}

impl Diagnostic {
    pub fn new(origin: &str, position: Option<Position>, problem: Problem) -> Self {
        Self { origin: origin.to_owned(), position, problem }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.position {
            Some(position) => write!(f, "{}: {}: {}", self.origin, position, self.problem),
            None => write!(f, "{}: {}", self.origin, self.problem),
        }
    }
}

impl std::error::Error for Diagnostic {}

/// The position of byte `offset` in `bytes`, whose prefix up to `offset` must be UTF-8
/// for the column to count characters (it counts bytes past the first invalid one).
pub fn byte_position(bytes: &[u8], offset: usize) -> Position {
    let offset = offset.min(bytes.len());
    let before = &bytes[..offset];
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let column = match std::str::from_utf8(&before[line_start..]) {
        Ok(s) => s.chars().count() as u64 + 1,
        Err(_) => (offset - line_start) as u64 + 1,
    };
    Position::Byte { offset: offset as u64, line, column }
}

/// `bytes` as UTF-8 (without a byte-order mark), or a diagnostic naming the first invalid
/// byte.
pub fn utf8_or_diagnostic<'b>(origin: &str, bytes: &'b [u8]) -> Result<&'b str, Diagnostic> {
    let skip = if bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    std::str::from_utf8(&bytes[skip..]).map_err(|e| {
        let offset = skip + e.valid_up_to();
        Diagnostic::new(origin, Some(byte_position(bytes, offset)), Problem::InvalidUtf8)
    })
}

//! Documents as received, and the spans of their text that extraction points at.

use serde::{Deserialize, Serialize};

use crate::{DocumentId, InvalidValue, Marking, SourceId, When, named_enum};

/// The SHA-256 of a document's normalised text. Two documents with the same hash are the
/// same document: ingestion stores the first and reports the rest as duplicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ContentHash([u8; 32]);

impl ContentHash {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The document id that every instance derives from this hash.
    pub fn document_id(&self) -> DocumentId {
        DocumentId::derived(&self.0)
    }
}

impl std::str::FromStr for ContentHash {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidValue::new("content hash", s, "64 hexadecimal digits");
        if s.len() != 64 || !s.is_ascii() {
            return Err(invalid());
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).map_err(|_| invalid())?;
        }
        Ok(Self(out))
    }
}

impl TryFrom<String> for ContentHash {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<ContentHash> for String {
    fn from(h: ContentHash) -> String {
        h.to_hex()
    }
}

impl std::fmt::Display for ContentHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// A language as an ISO 639 code (`en`, `ru`, `tg`, `fa`), or `und` when undetermined.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Language(String);

impl Language {
    pub fn english() -> Self {
        Self("en".into())
    }

    pub fn russian() -> Self {
        Self("ru".into())
    }

    pub fn undetermined() -> Self {
        Self("und".into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_undetermined(&self) -> bool {
        self.0 == "und"
    }
}

impl std::str::FromStr for Language {
    type Err = InvalidValue;
    /// Accepts `ru`, `RU`, `rus` and tags with a region such as `ru-RU` or `en_GB`
    /// (the region is dropped).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let primary = s.trim().split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
        let code = match primary.as_str() {
            "eng" => "en".to_owned(),
            "rus" => "ru".to_owned(),
            _ => primary,
        };
        if (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase()) {
            Ok(Self(code))
        } else {
            Err(InvalidValue::new("language", s, "an ISO 639 code such as en or ru"))
        }
    }
}

impl TryFrom<String> for Language {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Language> for String {
    fn from(l: Language) -> String {
        l.0
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

named_enum! {
    /// The form a document arrived in.
    pub enum DocumentFormat ("document format") {
        Text = "text",
        Markdown = "markdown",
        Html = "html",
        Json = "json",
        Rss = "rss",
        Atom = "atom",
    }
}

/// One report as received. `text` is the normalised text that every span points into;
/// `raw` is the text as it arrived (HTML markup included), kept so that an analyst can
/// check what the normalisation did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub id: DocumentId,
    pub content_hash: ContentHash,
    pub source: Option<SourceId>,
    /// The source's name as the document gave it (denormalised for display).
    pub source_name: Option<String>,
    pub url: Option<String>,
    pub title: Option<String>,
    pub published: Option<When>,
    /// When this instance stored the document.
    pub ingested_at: chrono::DateTime<chrono::Utc>,
    pub language: Language,
    /// How sure language detection was, from 0 to 1; 1 when the document declared it.
    pub language_confidence: f32,
    pub format: DocumentFormat,
    /// Where the document was read from: a path, a URL, with the line or item number
    /// inside it when a file carries several documents.
    pub origin: String,
    pub raw: String,
    pub text: String,
    pub marking: Marking,
}

/// A half-open range `[start, end)` of UTF-8 byte offsets into a document's normalised
/// text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: u32, end: u32) -> Result<Self, InvalidValue> {
        if start <= end {
            Ok(Self { start, end })
        } else {
            Err(InvalidValue::new("span", &format!("{start}..{end}"), "start <= end"))
        }
    }

    /// The spanned text, or `None` when the span does not fall on character boundaries
    /// of `text`.
    pub fn slice<'t>(&self, text: &'t str) -> Option<&'t str> {
        text.get(self.start as usize..self.end as usize)
    }
}

named_enum! {
    /// What a mention names.
    pub enum MentionKind ("mention kind") {
        Actor = "actor",
        Place = "place",
        Quantity = "quantity",
        Date = "date",
        /// A word that signals an event type ("seized", "задержали").
        Trigger = "trigger",
        /// The quoted speaker of a statement, as the source printed the name.
        Speaker = "speaker",
    }
}

/// A span of a document that names something; every extracted fact points back to the
/// mentions that support it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    pub document: DocumentId,
    pub span: Span,
    pub kind: MentionKind,
    /// What the mention was resolved to: an actor id, a place id, a normalised value.
    pub resolved: Option<String>,
}

//! From a decoded candidate to a document ready to store: size check, normalisation,
//! language, content hash.

use model::{ContentHash, Language};
use sha2::{Digest, Sha256};

use crate::{Candidate, Problem, language, normalize::normalize};

/// Limits on what is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest document, in bytes of its text as received (markup included).
    pub max_document_bytes: u64,
    /// The largest input read whole to be decoded: a JSON file, a feed, a page or feed
    /// fetched from a URL. Reading stops past it. (A JSON Lines file is read line by line,
    /// each line a document under the document limit, so its length is not limited.)
    pub max_input_bytes: u64,
}

impl Limits {
    /// 5 MiB: a long report is a few hundred kilobytes; anything near this is a dump.
    pub const DEFAULT_MAX_DOCUMENT_BYTES: u64 = 5 * 1024 * 1024;
    /// 64 MiB: a JSON file is parsed whole, at several times its size in memory; larger
    /// collections travel as JSON Lines.
    pub const DEFAULT_MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_document_bytes: Self::DEFAULT_MAX_DOCUMENT_BYTES, max_input_bytes: Self::DEFAULT_MAX_INPUT_BYTES }
    }
}

/// A candidate whose `text` is normalised, with its language and hash.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub candidate: Candidate,
    pub hash: ContentHash,
    pub language: Language,
    /// 1 when the input declared the language, else the detector's confidence (0.5 for a
    /// collection's language taken when detection could not tell).
    pub language_confidence: f32,
}

/// Checks the size of `candidate`, normalises its text and title, settles its language
/// and computes its content hash (SHA-256 of the normalised text: two documents are the
/// same when their normalised texts are).
pub fn prepare(mut candidate: Candidate, limits: &Limits) -> Result<Prepared, Problem> {
    let size = candidate.raw.len().max(candidate.text.len()) as u64;
    if size > limits.max_document_bytes {
        return Err(Problem::TooLarge { size, limit: limits.max_document_bytes });
    }
    candidate.text = normalize(&candidate.text);
    if candidate.text.is_empty() {
        return Err(Problem::Empty);
    }
    candidate.title = candidate.title.take().map(|t| normalize(&t).replace('\n', " ")).filter(|t| !t.is_empty());
    let (language, language_confidence) = match candidate.language.take() {
        Some(declared) if !declared.is_undetermined() => (declared, 1.0),
        _ => {
            let detection = language::detect(&candidate.text);
            match candidate.fallback_language.take() {
                Some(fallback) if detection.language.is_undetermined() => (fallback, 0.5),
                _ => (detection.language, detection.confidence),
            }
        }
    };
    let hash = ContentHash::from_bytes(Sha256::digest(candidate.text.as_bytes()).into());
    Ok(Prepared { candidate, hash, language, language_confidence })
}

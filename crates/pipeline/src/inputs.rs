//! What the user asked to ingest, turned into a list of inputs: folders are walked
//! (recursively, in name order, skipping hidden entries), each file's kind comes from its
//! extension.

use std::io::{self, BufRead, Read};
use std::path::{Path, PathBuf};

use formats::{Diagnostic, InputKind, Problem};

/// One thing named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Path(PathBuf),
    Url(String),
}

impl Target {
    /// An `http://` or `https://` address is a URL; anything else is a path.
    pub fn parse(text: &str) -> Self {
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            Target::Url(text.to_owned())
        } else {
            Target::Path(PathBuf::from(text))
        }
    }
}

/// One input to read.
#[derive(Debug, Clone)]
pub(crate) enum Input {
    File {
        path: PathBuf,
        kind: InputKind,
    },
    Url(String),
    /// Known to be unreadable before reading (missing, unsupported type).
    Rejected(Diagnostic),
}

impl Input {
    pub(crate) fn origin(&self) -> String {
        match self {
            Input::File { path, .. } => path.display().to_string(),
            Input::Url(url) => url.clone(),
            Input::Rejected(d) => d.origin.clone(),
        }
    }
}

/// Expands targets into inputs.
pub(crate) fn plan(targets: &[Target]) -> Vec<Input> {
    let mut inputs = Vec::new();
    for target in targets {
        match target {
            Target::Url(url) => inputs.push(Input::Url(url.clone())),
            Target::Path(path) if path.is_dir() => walk(path, &mut inputs),
            Target::Path(path) => inputs.push(file(path)),
        }
    }
    inputs
}

fn walk(root: &Path, inputs: &mut Vec<Input>) {
    let entries = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in entries {
        match entry {
            Ok(entry) if entry.file_type().is_file() => inputs.push(file(entry.path())),
            Ok(_) => {}
            Err(e) => {
                let origin = e.path().unwrap_or(root).display().to_string();
                inputs.push(Input::Rejected(Diagnostic::new(&origin, None, Problem::Io(e.to_string()))));
            }
        }
    }
}

fn file(path: &Path) -> Input {
    let origin = path.display().to_string();
    if !path.exists() {
        return Input::Rejected(Diagnostic::new(&origin, None, Problem::Io("no such file or folder".into())));
    }
    let extension = path.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default();
    match InputKind::from_extension(&extension) {
        Some(kind) => Input::File { path: path.to_owned(), kind },
        None => Input::Rejected(Diagnostic::new(&origin, None, Problem::UnsupportedType(format!(".{extension}")))),
    }
}

/// Reads `reader` to its end if it holds at most `limit` bytes; `None` if it holds more,
/// having read no more than `limit + 1` bytes. `expected` is the size the input claims
/// (a file's length, a `Content-Length`), 0 when unknown.
pub fn read_at_most(reader: impl Read, limit: u64, expected: u64) -> io::Result<Option<Vec<u8>>> {
    // Growing a buffer by doubling holds the old and the new one at once, up to three
    // times the input; reserving the limit up front costs address space only, as pages
    // count in memory once written. Past `RESERVE_AT_MOST`, doubling it is.
    const RESERVE_AT_MOST: u64 = 256 * 1024 * 1024;
    let reserve = if expected > 0 { expected.min(limit) } else { limit.min(RESERVE_AT_MOST) };
    let mut bytes = Vec::with_capacity(usize::try_from(reserve.saturating_add(1)).unwrap_or(usize::MAX));
    reader.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

/// One line read by [`read_line_at_most`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Line {
    /// The input ended before any byte.
    End,
    /// A line of this many bytes (its ending included) is in the buffer.
    Read(u64),
    /// A line of this many bytes (its ending included) was longer than the limit: it was
    /// read through and its bytes past the limit not kept.
    TooLong(u64),
}

/// Reads one line (up to and including `\n`) into `line`, keeping at most `limit` bytes
/// of it: a longer line is read through to its end and dropped, so that memory never
/// holds more than the limit whatever the input.
pub(crate) fn read_line_at_most(reader: &mut impl BufRead, line: &mut Vec<u8>, limit: u64) -> io::Result<Line> {
    line.clear();
    let mut length = 0u64;
    let mut too_long = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        let (piece, ends) = match available.iter().position(|&b| b == b'\n') {
            Some(newline) => (&available[..=newline], true),
            None => (available, false),
        };
        let taken = piece.len();
        length += taken as u64;
        if !too_long && length > limit {
            too_long = true;
            line.clear();
            line.shrink_to_fit();
        }
        if !too_long {
            line.extend_from_slice(piece);
        }
        reader.consume(taken);
        if ends {
            break;
        }
    }
    Ok(match (length, too_long) {
        (0, _) => Line::End,
        (length, false) => Line::Read(length),
        (length, true) => Line::TooLong(length),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_stops_one_byte_past_the_limit() {
        assert_eq!(read_at_most(&b"12345"[..], 5, 0).expect("read"), Some(b"12345".to_vec()));
        assert_eq!(read_at_most(&b"123456"[..], 5, 6).expect("read"), None);
        // An endless input is read only to the limit.
        let endless = std::io::repeat(b'x');
        assert_eq!(read_at_most(endless, 1000, 0).expect("read"), None);
    }

    #[test]
    fn long_lines_are_measured_and_dropped_and_the_next_is_read() {
        let input = format!("short\n{}\nlast", "x".repeat(10_000));
        let mut reader = std::io::BufReader::with_capacity(64, input.as_bytes());
        let mut line = Vec::new();
        assert_eq!(read_line_at_most(&mut reader, &mut line, 100).expect("read"), Line::Read(6));
        assert_eq!(line, b"short\n");
        assert_eq!(read_line_at_most(&mut reader, &mut line, 100).expect("read"), Line::TooLong(10_001));
        assert!(line.capacity() <= 100, "kept {} bytes of a long line", line.capacity());
        assert_eq!(read_line_at_most(&mut reader, &mut line, 100).expect("read"), Line::Read(4));
        assert_eq!(line, b"last");
        assert_eq!(read_line_at_most(&mut reader, &mut line, 100).expect("read"), Line::End);
    }

    #[test]
    fn urls_and_paths_are_told_apart() {
        assert_eq!(Target::parse("HTTPS://wire.example/feed"), Target::Url("HTTPS://wire.example/feed".into()));
        assert_eq!(Target::parse("samples/feeds"), Target::Path(PathBuf::from("samples/feeds")));
        assert_eq!(Target::parse("http-notes.txt"), Target::Path(PathBuf::from("http-notes.txt")));
    }

    #[test]
    fn folders_are_walked_in_name_order_without_hidden_entries() {
        let dir = tempfile::tempdir().expect("temp dir");
        for name in ["b.md", "a/z.txt", "a/y.json", ".git/config.txt", "c/.hidden.txt", "notes.docx"] {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("folders");
            std::fs::write(&path, "x").expect("write");
        }
        let planned: Vec<String> = plan(&[Target::Path(dir.path().to_owned())])
            .iter()
            .map(|input| {
                let origin = input.origin();
                let name = origin.strip_prefix(&dir.path().display().to_string()).unwrap_or(&origin).to_owned();
                match input {
                    Input::Rejected(d) => format!("{name} rejected: {}", d.problem),
                    _ => name,
                }
            })
            .collect();
        assert_eq!(
            planned,
            [
                "/a/y.json",
                "/a/z.txt",
                "/b.md",
                "/notes.docx rejected: unsupported file type \".docx\" (supported: .txt .text .md .markdown .html .htm .json .jsonl .ndjson .rss .atom .xml)"
            ]
        );
    }
}

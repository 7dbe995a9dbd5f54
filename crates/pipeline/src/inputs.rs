//! What the user asked to ingest, turned into a list of inputs: folders are walked
//! (recursively, in name order, skipping hidden entries), each file's kind comes from its
//! extension.

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

#[cfg(test)]
mod tests {
    use super::*;

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

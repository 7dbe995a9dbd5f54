//! Printing records as aligned tables for people or JSON for scripts.

use std::io::Write;

use serde::Serialize;

/// Prints a line on standard output. A reader that has gone away (`beltwatch documents |
/// head`) ends the program quietly, as it does for other command-line tools.
macro_rules! outln {
    () => { $crate::output::write_line(format_args!("")) };
    ($($arg:tt)*) => { $crate::output::write_line(format_args!($($arg)*)) };
}
pub(crate) use outln;

pub fn write_line(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{args}") {
        closed(&e);
    }
}

/// Exits quietly when standard output's reader has gone; other errors are reported.
fn closed(e: &std::io::Error) {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("error: writing to standard output: {e}");
    std::process::exit(2);
}

/// Prints `value` as pretty JSON on standard output.
pub fn json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let written =
        serde_json::to_writer_pretty(&mut out, value).map_err(std::io::Error::from).and_then(|()| writeln!(out));
    if let Err(e) = written {
        closed(&e);
    }
    Ok(())
}

/// Prints one JSON value on one line (for streams of records).
pub fn json_line<T: Serialize>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let written = serde_json::to_writer(&mut out, value)
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush());
    if let Err(e) = written {
        closed(&e);
    }
    Ok(())
}

/// A table whose columns are as wide as their widest cell (up to a cap per column).
pub struct Table {
    headers: Vec<&'static str>,
    caps: Vec<usize>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// `columns` are (header, widest cell shown, in characters).
    pub fn new(columns: &[(&'static str, usize)]) -> Self {
        Self {
            headers: columns.iter().map(|c| c.0).collect(),
            caps: columns.iter().map(|c| c.1).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn print(&self) {
        let widths: Vec<usize> = (0..self.headers.len())
            .map(|i| {
                let widest = self.rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
                widest.max(self.headers[i].len()).min(self.caps[i])
            })
            .collect();
        let line = |cells: Vec<String>| {
            let last = cells.len() - 1;
            let padded: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let cell = truncate(c, widths[i]);
                    if i == last { cell } else { format!("{cell:<w$}", w = widths[i]) }
                })
                .collect();
            outln!("{}", padded.join("  ").trim_end());
        };
        line(self.headers.iter().map(|h| (*h).to_owned()).collect());
        for row in &self.rows {
            line(row.clone());
        }
    }
}

/// `text` cut to `max` characters, with an ellipsis when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Writes a file whole: beside its target, then renamed over it, so that a reader never
/// sees half a file and a failure leaves the old one.
pub fn write_file(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use anyhow::Context;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir).with_context(|| format!("writing in {}", dir.display()))?;
    file.write_all(bytes).and_then(|()| file.flush()).with_context(|| format!("writing {}", path.display()))?;
    file.persist(path).with_context(|| format!("replacing {}", path.display()))?;
    Ok(())
}

//! Text normalisation: the one form of a document's text that hashing, search and every
//! extracted span refer to.
//!
//! The steps, in order: Unicode NFC; line endings to `\n`; tabs, no-break and other
//! Unicode spaces to a plain space; zero-width characters, soft hyphens, the byte-order
//! mark and other control characters removed; each line trimmed and its runs of spaces
//! collapsed; runs of blank lines collapsed to one, so paragraphs are separated by exactly
//! one blank line; leading and trailing blank lines dropped.

use unicode_normalization::UnicodeNormalization;

/// Returns the normalised form of `text` (see the module documentation).
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Pending separators are written only when the next visible character arrives, which
    // trims lines and collapses runs without a second pass.
    let mut pending_space = false;
    let mut pending_newlines = 0u8;
    let mut previous_was_cr = false;
    for c in text.nfc() {
        let was_cr = std::mem::replace(&mut previous_was_cr, c == '\r');
        match classify(c) {
            Class::LineBreak => {
                if c == '\n' && was_cr {
                    continue; // the \n of a \r\n pair
                }
                pending_space = false;
                if !out.is_empty() {
                    pending_newlines = (pending_newlines + 1).min(2);
                }
            }
            Class::Space => pending_space = true,
            Class::Drop => {}
            Class::Keep => {
                if pending_newlines > 0 {
                    for _ in 0..pending_newlines {
                        out.push('\n');
                    }
                    pending_newlines = 0;
                } else if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(c);
            }
        }
    }
    out
}

enum Class {
    LineBreak,
    Space,
    Drop,
    Keep,
}

fn classify(c: char) -> Class {
    match c {
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}' => Class::LineBreak,
        '\t' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => {
            Class::Space
        }
        '\u{AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => Class::Drop,
        c if c.is_control() => Class::Drop,
        _ => Class::Keep,
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn collapses_spaces_and_blank_lines() {
        let text =
            "\u{FEFF}  Heroin\u{A0}\u{A0}seized \t near  Panj \r\n\r\n\r\n\n  Second\u{AD} para\u{200B}graph.  \n";
        assert_eq!(normalize(text), "Heroin seized near Panj\n\nSecond paragraph.");
    }

    #[test]
    fn keeps_single_line_breaks_inside_paragraphs() {
        assert_eq!(normalize("line one\nline two\n\nnext"), "line one\nline two\n\nnext");
    }

    #[test]
    fn composes_to_nfc() {
        // "й" written as и + combining breve becomes the single code point.
        assert_eq!(normalize("Хоро\u{0433}\u{0438}\u{0306}"), "Хорогй");
        assert_eq!(normalize("e\u{0301}"), "\u{e9}");
    }

    #[test]
    fn is_idempotent() {
        let once = normalize("  a \u{2003} b\n\n\n c\r\n");
        assert_eq!(normalize(&once), once);
    }

    #[test]
    fn whitespace_only_becomes_empty() {
        assert_eq!(normalize(" \n\t\u{200B}\r\n "), "");
    }
}

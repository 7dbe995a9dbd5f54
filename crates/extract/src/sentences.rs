//! Sentence boundaries: after `.`, `!`, `?` or `…` followed by a space and a capital, a
//! digit, a quote or a dash, unless the word before the stop is a known abbreviation or
//! a single capital; and at every line break.

/// Words after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "gen", "col", "lt", "sgt", "capt", "maj", "st", "no", "nos", "vs", "etc", "e.g", "i.e",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "г", "гг", "т", "им", "ул",
    "тыс", "млн", "млрд", "св", "ген", "полк", "др", "т.е", "т.к", "т.д", "т.п",
];

/// The byte ranges of the sentences of `text`.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    // Only the bytes of a line break or a stop can end a sentence: scanned as bytes, with
    // `…` (E2 80 A6) the one stop of more than one byte.
    while i < bytes.len() {
        let (c, len) = match bytes[i] {
            b'\n' => ('\n', 1),
            b'.' => ('.', 1),
            b'!' => ('!', 1),
            b'?' => ('?', 1),
            0xE2 if bytes.get(i + 1..i + 3) == Some(&[0x80, 0xA6]) => ('…', 3),
            _ => {
                i += 1;
                continue;
            }
        };
        let end = i + len;
        let boundary = c == '\n' || {
            let next = text[end..].chars().next();
            let after = text[end..].trim_start_matches([' ', '"', '»', '”', ')']);
            let spaced = next.is_some_and(|n| n == ' ' || n == '"' || n == '»' || n == '”' || n == ')');
            let opens = after.chars().next().is_some_and(|n| {
                n.is_uppercase() || n.is_ascii_digit() || matches!(n, '"' | '«' | '“' | '—' | '–' | '-')
            });
            spaced && opens && !(c == '.' && after_abbreviation(&text[start..i]))
        };
        i = end;
        if boundary {
            // Closing quotes and brackets belong to the sentence they close.
            let closing = text[end..].chars().take_while(|q| matches!(q, '"' | '»' | '”' | ')'));
            let stop = end + closing.map(char::len_utf8).sum::<usize>();
            push(&mut out, text, start, stop);
            start = stop;
            i = stop;
        }
    }
    push(&mut out, text, start, bytes.len());
    out
}

fn push(out: &mut Vec<(usize, usize)>, text: &str, start: usize, end: usize) {
    let piece = &text[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    if lead + trail < piece.len() {
        out.push((start + lead, end - trail));
    }
}

fn after_abbreviation(before: &str) -> bool {
    let word = before.rsplit(|c: char| c.is_whitespace() || c == '(').next().unwrap_or_default();
    // "1тыс." is a number with its abbreviation.
    let lower = word.trim_start_matches(|c: char| c.is_ascii_digit()).to_lowercase();
    let mut chars = word.chars();
    let single_capital = matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase());
    single_capital || ABBREVIATIONS.contains(&lower.as_str())
}

#[cfg(test)]
mod tests {
    use super::sentences;

    fn split(text: &str) -> Vec<&str> {
        sentences(text).into_iter().map(|(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn splits_at_stops_and_line_breaks() {
        assert_eq!(
            split("Guards seized 40 kg. Two men were held! Was it ISKP? \"No,\" he said.\n\nНовый абзац. Ещё одно."),
            [
                "Guards seized 40 kg.",
                "Two men were held!",
                "Was it ISKP?",
                "\"No,\" he said.",
                "Новый абзац.",
                "Ещё одно."
            ]
        );
    }

    #[test]
    fn keeps_abbreviations_and_decimals_inside() {
        assert_eq!(
            split("Gen. Rahimov met U.S. officials on 12 Oct. 2026 in the town. It was 1.5 t. в 2026 г. в Хороге."),
            ["Gen. Rahimov met U.S. officials on 12 Oct. 2026 in the town.", "It was 1.5 t. в 2026 г. в Хороге."]
        );
    }
}

//! Page furniture a gathered text still carries: the lists of other stories' headlines that
//! news sites print under an article ("Related news", "All news", "Читайте также"). Their
//! places, actors and figures belong to other reports, so the list is blanked out before
//! reading. Blanking replaces every byte of the list by a space, so the byte offsets of the
//! rest of the text, which mentions and sentences refer to, do not move.

use std::borrow::Cow;

/// How many headline-like lines in a row make a list of other stories.
const MIN_RUN: usize = 3;

/// Whether `line` reads like a headline of a link list: four to thirty words, not a bullet
/// of the report's own list, and no stop at the end (a sentence of the report ends with
/// one; a headline does not).
fn headline_like(line: &str) -> bool {
    let line = line.trim();
    let Some(last) = line.chars().last() else { return false };
    if matches!(last, '.' | '!' | '?' | ':' | ';' | ',' | '…') {
        return false;
    }
    // Headlines open with a capital, a digit or a quote; bullets of the report's own
    // list open with a mark.
    if !line.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '«' | '“')) {
        return false;
    }
    let words = line.split_whitespace().count();
    (4..=30).contains(&words)
}

/// `text` with each run of at least three headline-like lines (blank lines between them
/// allowed) replaced by spaces, together with the lines right after the run that close it
/// ("All news"). Borrowed unchanged when the text has no such run.
pub fn blank_link_lists(text: &str) -> Cow<'_, str> {
    // Byte ranges of the text's non-blank lines, and whether each reads like a headline.
    let mut lines: Vec<(usize, usize, bool)> = Vec::new();
    let mut start = 0;
    for piece in text.split_inclusive('\n') {
        let end = start + piece.len();
        let content = piece.trim_end_matches(['\n', '\r']);
        if !content.trim().is_empty() {
            lines.push((start, start + content.len(), headline_like(content)));
        }
        start = end;
    }
    // A line whose sentence runs on into the next line (a text wrapped at a fixed width)
    // is no headline.
    for k in 0..lines.len() {
        let continued = lines
            .get(k + 1)
            .is_some_and(|&(s, e, _)| text[s..e].trim_start().chars().next().is_some_and(|c| c.is_lowercase()));
        if continued {
            lines[k].2 = false;
        }
    }
    let mut blank: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].2 {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < lines.len() && lines[j].2 {
            j += 1;
        }
        // The first line of a text is its headline, not part of a list.
        let from = if i == 0 { 1 } else { i };
        if j - from >= MIN_RUN {
            // Short closing lines of the list ("All news", "Авторизуйтесь, пожалуйста").
            while j < lines.len() && lines[j].1 - lines[j].0 <= 60 {
                let words = text[lines[j].0..lines[j].1].split_whitespace().count();
                if words > 3 {
                    break;
                }
                j += 1;
            }
            blank.push((lines[from].0, lines[j - 1].1));
        }
        i = j.max(i + 1);
    }
    if blank.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut bytes = text.as_bytes().to_vec();
    for (from, to) in blank {
        for b in &mut bytes[from..to] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    }
    // Every byte of a multi-byte character in a blanked range became a space, so the bytes
    // are valid UTF-8; the fallback keeps the text as it was if that ever failed.
    match String::from_utf8(bytes) {
        Ok(s) => Cow::Owned(s),
        Err(_) => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_of_other_headlines_is_blanked_in_place() {
        let text = "Border guards seized 12 kg of heroin near Panj.\nThe courier was detained.\n\
                    Flood waters rise in the capital after three days of rain\n\
                    Minister opens a new school in the northern district\n\
                    Football club wins the national cup for the second year\n\
                    All news\n";
        let out = blank_link_lists(text);
        assert_eq!(out.len(), text.len());
        assert!(out.contains("seized 12 kg of heroin near Panj."));
        assert!(!out.contains("Flood"));
        assert!(!out.contains("Football"));
        assert!(!out.contains("All news"));
    }

    #[test]
    fn two_headline_lines_and_bullets_are_kept() {
        let text = "Heroin seized at the border crossing\n\nGuards found the drugs in a truck.\n\
                    - 5 kg of heroin hidden in tyres\n- 20 kg of hashish in sacks of flour\n\
                    - 3 kg of opium under the seats of the cab\n";
        assert!(matches!(blank_link_lists(text), Cow::Borrowed(_)));
    }

    #[test]
    fn text_wrapped_at_a_fixed_width_is_kept() {
        let text = "Troops exchange fire at the crossing\nBorder forces and the Taliban\n\nare said to have exchanged fire at a\n\n\
                    Key crossing in the north on Monday and\n\nclosed the road for all travellers\n";
        assert!(matches!(blank_link_lists(text), Cow::Borrowed(_)));
    }

    #[test]
    fn cyrillic_lists_stay_valid_text_of_the_same_length() {
        let text = "Пограничники задержали нарушителя.\nВ Душанбе открылась новая школа для детей\n\
                    Курс валют на сегодня остался без изменений\nСборная страны выиграла матч у соседей\n";
        let out = blank_link_lists(text);
        assert_eq!(out.len(), text.len());
        assert!(out.starts_with("Пограничники задержали нарушителя."));
        assert!(!out.contains("Душанбе"));
    }
}

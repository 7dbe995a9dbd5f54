//! Tokens and their folded forms: the one representation every dictionary lookup uses.
//!
//! Text is split into tokens at every character that is neither a letter nor a digit,
//! except that a digit run keeps an inner `.` or `,` followed by a digit (`1.5`, `1,200`).
//! Each token is folded: lower-cased, `ё` read as `е`, and a Cyrillic token that is not an
//! abbreviation loses its inflectional ending, so that `Пограничные войска`, `пограничных
//! войск` and `Пограничными войсками` all fold to `пограничн войск`. The folded tokens are
//! joined with single spaces between a leading and a trailing space, so a dictionary
//! pattern ` пограничн войск ` can only match whole tokens.

/// A token of the original text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte range in the original text.
    pub start: u32,
    pub end: u32,
    /// Byte range of the folded form in [`Folded::text`].
    pub fstart: u32,
    pub fend: u32,
    pub is_number: bool,
    /// The first character is upper-case.
    pub capitalised: bool,
    pub cyrillic: bool,
}

/// A text's tokens and their folded forms.
#[derive(Debug, Default)]
pub struct Folded {
    pub text: String,
    pub tokens: Vec<Token>,
}

impl Folded {
    /// The index of the token whose folded form starts at `fstart`.
    pub fn token_at(&self, fstart: u32) -> Option<usize> {
        self.tokens.binary_search_by_key(&fstart, |t| t.fstart).ok()
    }

    /// The folded form of token `i`.
    pub fn folded(&self, i: usize) -> &str {
        let t = &self.tokens[i];
        &self.text[t.fstart as usize..t.fend as usize]
    }
}

/// Letters and digits, with the common scripts decided without a table lookup.
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if ('а'..='я').contains(&c) || ('А'..='Я').contains(&c) || c == 'ё' || c == 'Ё' {
        true
    } else {
        c.is_alphanumeric()
    }
}

/// Tokenises and folds `text`.
pub fn fold(text: &str) -> Folded {
    let mut out = Folded { text: String::with_capacity(text.len() + 2), tokens: Vec::with_capacity(text.len() / 6) };
    out.text.push(' ');
    let bytes = text.as_bytes();
    let mut chars = text.char_indices().peekable();
    let mut word = String::new();
    while let Some((start, c)) = chars.next() {
        if !is_word_char(c) {
            continue;
        }
        let mut end = start + c.len_utf8();
        let is_number = c.is_ascii_digit();
        while let Some(&(i, next)) = chars.peek() {
            let continues = if is_number {
                next.is_ascii_digit()
                    || ((next == '.' || next == ',') && bytes.get(i + 1).is_some_and(|b| b.is_ascii_digit()))
            } else {
                is_word_char(next)
            };
            if !continues {
                break;
            }
            end = i + next.len_utf8();
            chars.next();
        }
        let original = &text[start..end];
        let fstart = out.text.len() as u32;
        let cyrillic = if original.is_ascii() {
            // Most tokens of most reports: lower-cased in place, nothing to strip.
            out.text.push_str(original);
            out.text[fstart as usize..].make_ascii_lowercase();
            false
        } else {
            word.clear();
            let mut cyrillic = false;
            let mut all_upper = true;
            for ch in original.chars() {
                cyrillic |= ('\u{400}'..='\u{4FF}').contains(&ch);
                all_upper &= !ch.is_lowercase();
                match ch {
                    'ё' | 'Ё' => word.push('е'),
                    ch if ch.is_ascii() => word.push(ch.to_ascii_lowercase()),
                    // The basic Cyrillic capitals, without a table lookup.
                    'А'..='Я' => word.push(char::from_u32(ch as u32 + 32).unwrap_or(ch)),
                    'а'..='я' => word.push(ch),
                    ch => word.extend(ch.to_lowercase()),
                }
            }
            let folded =
                if cyrillic && !(all_upper && original.chars().count() <= 6) { strip_ending(&word) } else { &word };
            out.text.push_str(folded);
            cyrillic
        };
        let fend = out.text.len() as u32;
        out.text.push(' ');
        out.tokens.push(Token {
            start: start as u32,
            end: end as u32,
            fstart,
            fend,
            is_number,
            capitalised: c.is_uppercase(),
            cyrillic,
        });
    }
    out
}

/// Folds a dictionary phrase the way [`fold`] folds text: ` tok tok ` for an exact
/// phrase, ` tok tok` (no trailing space) when `prefix`, so the last token may go on.
/// The last token of a prefix pattern is the stem its author chose: it is lower-cased but
/// keeps its ending.
pub fn fold_pattern(phrase: &str, prefix: bool) -> Option<String> {
    let folded = fold(phrase);
    let last = folded.tokens.last()?;
    let mut pattern = folded.text;
    if prefix {
        pattern.truncate(last.fstart as usize);
        let stem = &phrase[last.start as usize..last.end as usize];
        pattern.extend(stem.chars().flat_map(char::to_lowercase).map(|c| if c == 'ё' { 'е' } else { c }));
    }
    Some(pattern)
}

/// Russian inflectional endings, longest first.
const ENDINGS: &[&str] = &[
    "иями", "ями", "ами", "ого", "его", "ому", "ему", "ыми", "ими", "ией", "иям", "иях", "ием", "ях", "ах", "ям", "ам",
    "ой", "ей", "ий", "ый", "ым", "им", "ая", "яя", "ое", "ее", "ые", "ие", "ых", "их", "ую", "юю", "ом", "ем", "ов",
    "ев", "ью", "ия", "ии", "ию", "ы", "и", "а", "я", "о", "е", "у", "ю", "ь", "й",
];

/// The stem of a lower-cased Cyrillic word: its ending removed when at least three
/// letters remain.
fn strip_ending(word: &str) -> &str {
    let last = word.as_bytes().last();
    // Only the endings whose last byte is the word's are compared whole.
    for ending in ENDINGS.iter().filter(|e| e.as_bytes().last() == last) {
        if let Some(stem) = word.strip_suffix(ending)
            && stem.chars().nth(2).is_some()
        {
            return stem;
        }
    }
    word
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(text: &str) -> String {
        fold(text).text
    }

    #[test]
    fn inflected_russian_phrases_fold_alike() {
        assert_eq!(folded("Пограничные войска"), " пограничн войск ");
        assert_eq!(folded("пограничных войск"), " пограничн войск ");
        assert_eq!(folded("Пограничными войсками"), " пограничн войск ");
        assert_eq!(folded("героина, героином; героин"), " героин героин героин ");
        assert_eq!(folded("в Пянджском районе"), " в пянджск район ");
        assert_eq!(folded("Пянджский район"), " пянджск район ");
    }

    #[test]
    fn abbreviations_and_latin_keep_their_letters() {
        assert_eq!(folded("ОДКБ и ГКНБ"), " одкб и гкнб ");
        assert_eq!(folded("ISIS-K's fighters"), " isis k s fighters ");
        assert_eq!(folded("Ёлки"), " елк ");
    }

    #[test]
    fn numbers_keep_their_separators() {
        let f = fold("1.5 tonnes, 1,200 people; 200.");
        let numbers: Vec<&str> = f
            .tokens
            .iter()
            .filter(|t| t.is_number)
            .map(|t| &"1.5 tonnes, 1,200 people; 200."[t.start as usize..t.end as usize])
            .collect();
        assert_eq!(numbers, ["1.5", "1,200", "200"]);
    }

    #[test]
    fn tokens_point_back_into_the_text() {
        let text = "«Хорог», 12 октября — ISKP";
        let f = fold(text);
        let originals: Vec<&str> = f.tokens.iter().map(|t| &text[t.start as usize..t.end as usize]).collect();
        assert_eq!(originals, ["Хорог", "12", "октября", "ISKP"]);
        assert!(f.tokens[0].capitalised && f.tokens[0].cyrillic);
        assert_eq!(f.folded(2), "октябр");
    }

    #[test]
    fn patterns_fold_like_text() {
        assert_eq!(fold_pattern("Пограничные войска", false).as_deref(), Some(" пограничн войск "));
        assert_eq!(fold_pattern("задерж", true).as_deref(), Some(" задерж"));
        assert_eq!(fold_pattern("незаконн пересеча", true).as_deref(), Some(" незаконн пересеча"));
        assert_eq!(fold_pattern(" -- ", false), None);
    }
}

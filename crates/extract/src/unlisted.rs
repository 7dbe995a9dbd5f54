//! Places the gazetteer lacks, found by the word that says what they are: "the village of
//! Toghayi", "the Sayod frontier post", "the Nao Top area", "застава «Даркад»", "в селении
//! Зигар-Валвалак", "на полигоне Харбмайдон".
//!
//! Reports name villages, border posts, training grounds and localities that no public
//! gazetteer with coordinates lists. Such a place is still where the event happened: it is
//! kept by name, in the country (and, when the text says so, the listed district or
//! province) it lies in. Its coordinates are never guessed.

use serde::Serialize;

use crate::fold::Folded;

/// What an unlisted place is, as the text calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnlistedKind {
    /// A village, settlement or neighbourhood.
    Village,
    /// A border post, outpost or checkpoint.
    Post,
    /// A locality, area, tehsil or training ground.
    Area,
}

impl std::fmt::Display for UnlistedKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            UnlistedKind::Village => "village",
            UnlistedKind::Post => "post",
            UnlistedKind::Area => "area",
        })
    }
}

/// A name the text gives a place by a word of kind, before its country is known.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Candidate {
    pub name: String,
    pub kind: UnlistedKind,
    /// First and last token of the name.
    pub first: usize,
    pub last: usize,
    /// Byte range of the name in the text.
    pub start: u32,
    pub end: u32,
}

/// English words of kind, folded, and whether the name may follow them after "of".
const ENGLISH_KINDS: &[(&str, UnlistedKind, bool)] = &[
    ("village", UnlistedKind::Village, true),
    ("villages", UnlistedKind::Village, true),
    ("hamlet", UnlistedKind::Village, true),
    ("neighbourhood", UnlistedKind::Village, false),
    ("neighborhood", UnlistedKind::Village, false),
    ("area", UnlistedKind::Area, true),
    ("tehsil", UnlistedKind::Area, false),
    ("post", UnlistedKind::Post, false),
    ("outpost", UnlistedKind::Post, false),
    ("checkpoint", UnlistedKind::Post, false),
];

/// Words that may stand between a post's name and "post": "the Kisht border post".
const POST_QUALIFIERS: &[&str] = &["border", "frontier", "military", "security", "police", "army"];

/// Russian words of kind, folded (stems), each followed by the name.
const RUSSIAN_KINDS: &[(&str, UnlistedKind)] = &[
    ("застав", UnlistedKind::Post),
    ("погранзастав", UnlistedKind::Post),
    ("пост", UnlistedKind::Post),
    ("погранпост", UnlistedKind::Post),
    ("местност", UnlistedKind::Area),
    ("полигон", UnlistedKind::Area),
    ("селен", UnlistedKind::Village),
    ("сел", UnlistedKind::Village),
    ("кишлак", UnlistedKind::Village),
    ("поселк", UnlistedKind::Village),
    ("поселок", UnlistedKind::Village),
    ("деревн", UnlistedKind::Village),
    ("аул", UnlistedKind::Village),
];

/// Capitalised words that are not names of places, folded, beyond the matcher's
/// [`NOT_PLACES`](crate::matcher::NOT_PLACES).
const NOT_NAMES: &[&str] = &[
    "a",
    "an",
    "this",
    "that",
    "these",
    "those",
    "its",
    "their",
    "his",
    "her",
    "our",
    "frontier",
    "line",
    "durand",
    "kyrgyz",
    "chinese",
    "russian",
    "january",
    "february",
    "september",
    "october",
    "november",
    "december",
    "government",
    "military",
    "tribal",
    "federal",
    "northern",
    "southern",
    "eastern",
    "western",
    "he",
    "she",
    "it",
    "they",
    "we",
    "in",
    "on",
    "at",
    "of",
    "but",
    "when",
    "after",
    "before",
    "during",
    "while",
    "one",
    "two",
    "three",
    "both",
    "президент",
    "министр",
    "глав",
    "председател",
    "начальник",
    "командир",
    "республик",
];

/// At most this many words make a name.
const MAX_WORDS: usize = 3;

/// Whether tokens `i` and `i + 1` belong to one name: only a space or a hyphen between them.
fn joined(text: &str, folded: &Folded, i: usize) -> bool {
    let (a, b) = (&folded.tokens[i], &folded.tokens[i + 1]);
    matches!(text.get(a.end as usize..b.start as usize), Some(" " | "-" | "\u{2011}" | "\u{2010}"))
}

fn is_name_word(folded: &Folded, i: usize) -> bool {
    let t = &folded.tokens[i];
    let w = folded.folded(i);
    // A Russian adjective ("Рамитского", "Дарвазского района") says where the place lies;
    // it is not part of its name.
    let adjective = t.cyrillic && (w.ends_with("ск") || w.ends_with("цк"));
    t.capitalised && !t.is_number && !adjective && !NOT_NAMES.contains(&w) && !crate::matcher::NOT_PLACES.contains(&w)
}

fn candidate(text: &str, folded: &Folded, first: usize, last: usize, kind: UnlistedKind) -> Option<Candidate> {
    let (start, end) = (folded.tokens[first].start, folded.tokens[last].end);
    let name = text.get(start as usize..end as usize)?.to_string();
    Some(Candidate { name, kind, first, last, start, end })
}

/// The capitalised name ending at token `last` (inclusive), reading backwards, within
/// `from..`.
fn name_before(text: &str, folded: &Folded, from: usize, last: usize) -> Option<(usize, usize)> {
    if last < from || !is_name_word(folded, last) {
        return None;
    }
    let mut first = last;
    while first > from
        && last - first + 1 < MAX_WORDS
        && joined(text, folded, first - 1)
        && is_name_word(folded, first - 1)
    {
        first -= 1;
    }
    // A longer capitalised run is a title or an organisation, not a place's name.
    if first > from && joined(text, folded, first - 1) && folded.tokens[first - 1].capitalised {
        return None;
    }
    Some((first, last))
}

/// The capitalised name starting at token `first`, reading forwards, before `to`.
fn name_after(text: &str, folded: &Folded, first: usize, to: usize) -> Option<(usize, usize)> {
    if first >= to || !is_name_word(folded, first) {
        return None;
    }
    let mut last = first;
    while last + 1 < to && last - first + 1 < MAX_WORDS && joined(text, folded, last) && is_name_word(folded, last + 1)
    {
        last += 1;
    }
    Some((first, last))
}

/// The quoted name right after byte `at` («Даркад», "Панджоб", “Sayod”): the tokens inside
/// the marks, when there are at most [`MAX_WORDS`] of them and the first is capitalised.
fn quoted_after(text: &str, folded: &Folded, at: u32, next: usize, to: usize) -> Option<(usize, usize, u32)> {
    let rest = text.get(at as usize..)?;
    let skipped = rest.len() - rest.trim_start().len();
    let open = rest[skipped..].chars().next()?;
    let close = match open {
        '«' => '»',
        '"' => '"',
        '“' => '”',
        '„' => '“',
        _ => return None,
    };
    let inner = at as usize + skipped + open.len_utf8();
    let close_at = inner + text.get(inner..)?.find(close)?;
    let mut last = next;
    if next >= to || folded.tokens[next].start as usize != inner || !folded.tokens[next].capitalised {
        return None;
    }
    while last + 1 < to && (folded.tokens[last + 1].end as usize) <= close_at {
        last += 1;
    }
    (last - next < MAX_WORDS).then_some((next, last, close_at as u32 + close.len_utf8() as u32))
}

/// Every place the text names by a word of kind, in text order. `sentence` gives each
/// token's sentence as the token range `from..to`.
pub(crate) fn candidates(text: &str, folded: &Folded, sentence: impl Fn(usize) -> (usize, usize)) -> Vec<Candidate> {
    let mut out = Vec::new();
    for i in 0..folded.tokens.len() {
        let w = folded.folded(i);
        if folded.tokens[i].cyrillic {
            let Some(&(_, kind)) = RUSSIAN_KINDS.iter().find(|(stem, _)| *stem == w) else { continue };
            let (_, to) = sentence(i);
            // One name or a list: «Капчыгай», «Мин-Булак» и «Достук».
            let mut at = folded.tokens[i].end;
            let mut next = i + 1;
            while let Some((first, last, after)) = quoted_after(text, folded, at, next, to) {
                out.extend(candidate(text, folded, first, last, kind));
                let rest = text.get(after as usize..).unwrap_or("");
                let more = [", ", " и ", ","].iter().find(|sep| rest.starts_with(**sep));
                let Some(sep) = more else { break };
                at = after + sep.len() as u32;
                next = folded.tokens.partition_point(|t| t.start < at);
            }
            if out.last().is_none_or(|c: &Candidate| c.first <= i)
                && let Some((first, last)) = name_after(text, folded, i + 1, to)
                && folded.tokens[first].cyrillic
                && joined(text, folded, i)
            {
                out.extend(candidate(text, folded, first, last, kind));
            }
            continue;
        }
        let Some(&(_, kind, of)) = ENGLISH_KINDS.iter().find(|(word, _, _)| *word == w) else { continue };
        let (from, to) = sentence(i);
        // "the X area", "the Kisht border post", "the “Sayod” frontier post".
        let mut before = i;
        if kind == UnlistedKind::Post && before > from && POST_QUALIFIERS.contains(&folded.folded(before - 1)) {
            before -= 1;
        }
        if before > from
            && let Some((first, last)) = name_before(text, folded, from, before - 1)
        {
            out.extend(candidate(text, folded, first, last, kind));
        } else if of
            && i + 2 < to
            && folded.folded(i + 1) == "of"
            && let Some((first, last)) = name_after(text, folded, i + 2, to)
        {
            // "the village of X", "the area of X".
            out.extend(candidate(text, folded, first, last, kind));
        }
    }
    out
}

/// A key under which two spellings of one name compare equal, in either script:
/// "Панджоб" and "Panjob", "Кизилсу" and "Kyzylsu", "Mamoond" and "Mamond". Coarse on
/// purpose: it compares names already known to lie in one country of one report.
pub fn loose_key(name: &str) -> String {
    let mut latin = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        let t: &str = match c {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' | 'ғ' => "g",
            'д' => "d",
            'е' | 'э' => "e",
            'ё' => "yo",
            'ж' => "zh",
            'з' => "z",
            'и' | 'ӣ' | 'ы' | 'й' | 'і' => "i",
            'к' | 'қ' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' | 'ӯ' => "u",
            'ф' => "f",
            'х' | 'ҳ' => "kh",
            'ц' => "ts",
            'ч' | 'ҷ' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ю' => "yu",
            'я' => "ya",
            c if c.is_ascii_alphabetic() => {
                latin.push(c);
                continue;
            }
            _ => continue,
        };
        latin.push_str(t);
    }
    let latin = latin.replace("dzh", "j").replace("zh", "j").replace("kh", "h").replace('y', "i").replace('q', "k");
    // Vowels are where spellings differ most ("Fotehobod", "Фотехабад"): the key keeps a
    // leading vowel and the consonants, each run of one letter once.
    let mut key = String::with_capacity(latin.len());
    for (i, c) in latin.chars().enumerate() {
        let vowel = matches!(c, 'a' | 'e' | 'i' | 'o' | 'u');
        if (i == 0 || !vowel) && !key.ends_with(c) {
            key.push(c);
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fold::fold;

    fn names(text: &str) -> Vec<(String, UnlistedKind)> {
        let folded = fold(text);
        let n = folded.tokens.len();
        candidates(text, &folded, |_| (0, n)).into_iter().map(|c| (c.name, c.kind)).collect()
    }

    #[test]
    fn english_names_come_with_their_kind_word() {
        assert_eq!(
            names("Shells fell on the village of Barakzai and the Lowari area near the Kisht border post."),
            [
                ("Barakzai".to_string(), UnlistedKind::Village),
                ("Lowari".to_string(), UnlistedKind::Area),
                ("Kisht".to_string(), UnlistedKind::Post)
            ]
        );
        assert_eq!(names("in the area patrolled by the “Sayod” frontier post"), [("Sayod".into(), UnlistedKind::Post)]);
        assert!(names("in the border area, the Afghan area and the area of the river").is_empty());
    }

    #[test]
    fn russian_names_follow_their_kind_word_quoted_or_not() {
        assert_eq!(
            names("обстреляли заставы «Капчыгай», «Мин-Булак» и «Достук», а в селении Зигар-Валвалак задержали"),
            [
                ("Капчыгай".to_string(), UnlistedKind::Post),
                ("Мин-Булак".to_string(), UnlistedKind::Post),
                ("Достук".to_string(), UnlistedKind::Post),
                ("Зигар-Валвалак".to_string(), UnlistedKind::Village)
            ]
        );
        assert_eq!(names("учения на полигоне Харбмайдон"), [("Харбмайдон".into(), UnlistedKind::Area)]);
        assert!(names("на заставе задержали нарушителя; пост охраны").is_empty());
    }

    #[test]
    fn spellings_in_both_scripts_share_a_key() {
        assert_eq!(loose_key("Панджоб"), loose_key("Panjob"));
        assert_eq!(loose_key("Кизилсу"), loose_key("Kyzylsu"));
        assert_eq!(loose_key("Харбмайдон"), loose_key("Kharbmaidon"));
        assert_eq!(loose_key("Mamoond"), loose_key("Mamond"));
        assert_eq!(loose_key("Мин-Булак"), loose_key("Min-Bulak"));
        assert_eq!(loose_key("Фотехабад"), loose_key("Fotehobod"));
        assert_ne!(loose_key("Даркад"), loose_key("Darvoz"));
    }
}

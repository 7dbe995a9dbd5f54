//! One multi-pattern pass over a folded text finds every dictionary entry it names:
//! places, actors and lexicon cues. Overlaps are settled per layer: among places and
//! actors the longest name wins (so `Border Troops of Tajikistan` is an actor, not also
//! the country); a cue inside a name is not a cue (the `drug` of `Drug Control Agency`).

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::dict::Dictionaries;
use crate::fold::{Folded, fold_pattern};
use model::{CountryCode, PlaceKind};

/// What a pattern names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    Place(u32),
    Actor(u32),
    Lexicon(u32),
}

impl Target {
    fn is_entity(self) -> bool {
        !matches!(self, Target::Lexicon(_))
    }
}

/// A found name: tokens `first..=last` of the text, and every entry it may name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub first: u32,
    pub last: u32,
    pub targets: Vec<Target>,
}

struct Pattern {
    targets: Vec<(Target, Check)>,
    prefix: bool,
}

/// A condition a match must meet in the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Check {
    None,
    /// Abbreviations in capitals match only as written (`IS` is not `is`).
    Exact(String),
    /// Place names match only when capitalised (`Said` the village, not `said`).
    Capitalised,
    /// Short Cyrillic place names, whose stems are short enough to be other words once
    /// their endings are stripped (`Семей` and `семья` both fold to `сем`), match only a
    /// capitalised word that starts with the whole name.
    CapitalisedWhole(String),
}

pub struct Matcher {
    automaton: AhoCorasick,
    patterns: Vec<Pattern>,
}

/// Single words that are place names somewhere but ordinary words in reports.
pub(crate) const NOT_PLACES: &[&str] = &[
    "said",
    "police",
    "bala",
    "now",
    "may",
    "march",
    "june",
    "july",
    "august",
    "april",
    // Month abbreviations ("Nov. 12"), though Nov is also a town in Sughd.
    "jan",
    "feb",
    "aug",
    "sept",
    "oct",
    "nov",
    "dec",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "center",
    "centre",
    "union",
    "border",
    "river",
    "state",
    "ministry",
    "security",
    "service",
    "committee",
    "president",
    "islamic",
    "republic",
    "national",
    "central",
    "north",
    "south",
    "east",
    "west",
    "army",
    "defence",
    "defense",
    "interior",
    "foreign",
    "council",
    "office",
    "general",
    "agency",
    "forces",
    "troops",
    "guards",
    "united",
    "nations",
    "european",
    "collective",
    "treaty",
    "post",
    "camp",
    "island",
    "the",
    "and",
    "for",
    "new",
    "old",
    "upper",
    "lower",
    "district",
    "province",
    "region",
    "city",
    "town",
    "village",
    "lake",
    "valley",
    "pass",
    "bridge",
    "port",
    "market",
    "station",
    "airport",
    "mosque",
    "school",
    "hospital",
    "victory",
    "friendship",
    "peace",
    "freedom",
    "independence",
    "iskra",
    "mir",
    "город",
    "центр",
    "район",
    "мир",
    "область",
    "республика",
    "граница",
    "победа",
    "дружба",
    "свобода",
    "восток",
    "запад",
    "север",
    "юг",
    "новый",
    "служба",
    "комитет",
    "совет",
    "министерство",
    "застава",
    "отряд",
    "мост",
    "река",
    "kalan",
    "khurd",
    "qala",
    "deh",
    "kala",
    "dasht",
    "bazar",
    "bazaar",
    "chashma",
    "kishlak",
    "aul",
    "sovkhoz",
    "kolkhoz",
    "uchastok",
    "fort",
    "mine",
    "ferma",
    "farm",
    "buta",
    "taliban",
    "islam",
    "allah",
    "jihad",
    "amir",
    "khan",
    "said",
    "sayed",
    "sayid",
    "hazrat",
    "sultan",
    "mullah",
    "imam",
    "shaikh",
    "sheikh",
    "haji",
    "ali",
    "hasan",
    "husain",
    "hussain",
    "karim",
    "rahim",
    "guard",
    "guards",
    "soldier",
    "asia",
    "центральный",
    "ком",
    "balkan",
    "centralniy",
    "central",
    "южный",
    "северный",
    "tajik",
    "afghan",
    "uzbek",
    "turkmen",
    "pakistani",
    "iranian",
    // Personal names of the region that are also other places' alternate names.
    "ahmad",
    "ahmadi",
    "ahmed",
    "mohammad",
    "mohammadi",
    "muhammad",
    "karim",
    "karimi",
    "rahman",
    "rahmani",
    "hassan",
    "hussain",
    "khan",
    // First names that are towns elsewhere ("Vladimir Putin", "Александр", "Рашид").
    "vladimir",
    "владимир",
    "александр",
    "рашид",
];

impl Matcher {
    pub fn build(dictionaries: &Dictionaries) -> Self {
        let not_places: std::collections::HashSet<String> =
            NOT_PLACES.iter().filter_map(|w| fold_pattern(w, false)).collect();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<Pattern> = Vec::new();
        let mut keys: Vec<String> = Vec::new();
        // Per pattern, whether a name listed as is (not derived) has it.
        let mut listed: Vec<bool> = Vec::new();
        // `derived`: a form made from another name, which gives way to any name listed as is.
        let mut add = |phrase: &str, target: Target, check: Check, derived: bool| {
            let phrase = phrase.trim();
            let prefix = phrase.ends_with('*');
            let Some(key) = fold_pattern(phrase.trim_end_matches('*'), prefix) else { return };
            if derived && index.get(&key).is_some_and(|&slot| listed[slot]) {
                return;
            }
            let is_place = matches!(target, Target::Place(_));
            if is_place && (key.chars().count() < 4 || not_places.contains(&key)) {
                return;
            }
            let check = match check {
                Check::None if is_abbreviation(phrase) => Check::Exact(phrase.to_owned()),
                Check::Capitalised if is_short_cyrillic_name(phrase, &key) => {
                    Check::CapitalisedWhole(phrase.to_lowercase())
                }
                other => other,
            };
            // A Russian name whose nominative looks inflected ("Ишкашим" folds to "ишкаш")
            // keeps its whole last word too, which its oblique cases fold to ("Ишкашима",
            // "Ишкашиме").
            let whole = (is_place && !prefix && phrase.chars().any(is_cyrillic))
                .then(|| fold_pattern(phrase, true).map(|k| k + " "))
                .flatten()
                .filter(|k| *k != key);
            for key in std::iter::once(key).chain(whole) {
                let slot = *index.entry(key.clone()).or_insert_with(|| {
                    keys.push(key);
                    patterns.push(Pattern { targets: Vec::new(), prefix });
                    listed.push(false);
                    patterns.len() - 1
                });
                listed[slot] |= !derived;
                let pattern = &mut patterns[slot];
                if !pattern.targets.iter().any(|(t, _)| *t == target) {
                    pattern.targets.push((target, check.clone()));
                }
            }
        };
        for (i, place) in dictionaries.places.iter().enumerate() {
            for name in &place.names {
                add(name, Target::Place(i as u32), Check::Capitalised, false);
            }
        }
        for (i, place) in dictionaries.places.iter().enumerate() {
            for name in &place.names {
                for phrase in russian_area_phrases(name, place.kind, place.country) {
                    add(&phrase, Target::Place(i as u32), Check::Capitalised, true);
                }
            }
        }
        for (i, actor) in dictionaries.actors.iter().enumerate() {
            for name in std::iter::once(&actor.name).chain(&actor.aliases) {
                add(name, Target::Actor(i as u32), Check::None, false);
            }
        }
        for (i, entry) in dictionaries.lexicon.iter().enumerate() {
            add(&entry.pattern, Target::Lexicon(i as u32), Check::None, false);
        }
        // A contiguous NFA with dense states near the root (where every match starts, at a
        // space) searches faster than a DFA, whose table does not stay in cache, in a third
        // of its memory. Three dense levels search as fast as six in half the memory (70 MB
        // resident against 128); `beltwatch bench extract` reports both figures.
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
            .dense_depth(3)
            .build(&keys)
            .expect("the automaton of the embedded dictionaries builds");
        Self { automaton, patterns }
    }

    /// Every dictionary name in `folded` (the folded form of `text`), overlaps settled.
    pub fn find(&self, text: &str, folded: &Folded) -> Vec<Hit> {
        let mut candidates: Vec<Candidate> = Vec::new();
        for m in self.automaton.find_overlapping_iter(folded.text.as_str()) {
            let pattern_id = m.pattern().as_usize();
            let pattern = &self.patterns[pattern_id];
            let Some(first) = folded.token_at(m.start() as u32 + 1) else { continue };
            let last = if pattern.prefix {
                // The token the match ends in.
                match folded.tokens.partition_point(|t| t.fstart < m.end() as u32) {
                    0 => continue,
                    n => n - 1,
                }
            } else {
                match folded.tokens.binary_search_by_key(&(m.end() as u32 - 1), |t| t.fend) {
                    Ok(i) => i,
                    Err(_) => continue,
                }
            };
            // Which of the pattern's targets hold here, as bits (a name shared by more
            // than 64 entries keeps its first 64).
            let mut entities = 0u64;
            let mut cues = 0u64;
            for (bit, (target, check)) in pattern.targets.iter().take(64).enumerate() {
                if passes(check, text, folded, first, last) {
                    if target.is_entity() {
                        entities |= 1 << bit;
                    } else {
                        cues |= 1 << bit;
                    }
                }
            }
            if entities | cues != 0 {
                candidates.push(Candidate {
                    first: first as u32,
                    last: last as u32,
                    pattern: pattern_id as u32,
                    entities,
                    cues,
                });
            }
        }
        self.settle(candidates, folded.tokens.len())
    }

    /// Keeps, per layer, the longest names first; drops cues inside names. Hits over
    /// exactly the same tokens (an exact pattern and a prefix pattern of one word) stand
    /// together.
    fn settle(&self, mut candidates: Vec<Candidate>, n_tokens: usize) -> Vec<Hit> {
        candidates.sort_unstable_by_key(|h| (std::cmp::Reverse(h.last - h.first), h.first, h.pattern));
        let mut entity_owner: Vec<Option<(u32, u32)>> = vec![None; n_tokens];
        let mut cue_owner: Vec<Option<(u32, u32)>> = vec![None; n_tokens];
        let mut kept: Vec<Hit> = Vec::new();
        // Names first, so that cues can see them.
        for layer in [true, false] {
            for hit in &candidates {
                let mask = if layer { hit.entities } else { hit.cues };
                if mask == 0 {
                    continue;
                }
                let range = hit.first as usize..=hit.last as usize;
                let own = Some((hit.first, hit.last));
                let blocked = range.clone().any(|i| {
                    if layer {
                        entity_owner[i].is_some_and(|o| Some(o) != own)
                    } else {
                        entity_owner[i].is_some() || cue_owner[i].is_some_and(|o| Some(o) != own)
                    }
                });
                if blocked {
                    continue;
                }
                let owner = if layer { &mut entity_owner } else { &mut cue_owner };
                for i in range {
                    owner[i] = own;
                }
                let targets = self.patterns[hit.pattern as usize]
                    .targets
                    .iter()
                    .take(64)
                    .enumerate()
                    .filter(|(bit, _)| mask & (1 << bit) != 0)
                    .map(|(_, (t, _))| *t)
                    .collect();
                kept.push(Hit { first: hit.first, last: hit.last, targets });
            }
        }
        kept.sort_by_key(|h| (h.first, h.last));
        kept
    }
}

/// A match before overlaps are settled.
struct Candidate {
    first: u32,
    last: u32,
    pattern: u32,
    /// Bits of the pattern's targets that hold here, by layer.
    entities: u64,
    cues: u64,
}

fn passes(check: &Check, text: &str, folded: &Folded, first: usize, last: usize) -> bool {
    match check {
        Check::None => true,
        // "уезд Дарваз", "the Panj river": one capitalised word is enough.
        Check::Capitalised => folded.tokens[first..=last].iter().any(|t| t.capitalised),
        Check::CapitalisedWhole(name) => {
            let token = &folded.tokens[first];
            let word = text[token.start as usize..token.end as usize].to_lowercase();
            // "Дубай" is also "Дубае", "Дубая": a soft or vowel ending may change.
            let base = name.trim_end_matches(['й', 'ь', 'а', 'я', 'и', 'ы']);
            token.capitalised
                && first == last
                && (word.starts_with(name.as_str())
                    || (word.starts_with(base)
                        && (name.chars().count()..=name.chars().count() + 2).contains(&word.chars().count())))
        }
        Check::Exact(written) => {
            let start = folded.tokens[first].start as usize;
            let end = folded.tokens[last].end as usize;
            let found = text[start..end].chars().filter(|c| c.is_alphanumeric());
            found.eq(written.chars().filter(|c| c.is_alphanumeric()))
        }
    }
}

/// The Russian adjective of a division's one-word name with a noun of area, as reports
/// name a district or a stretch of the border after it: "Баткен" gives "Баткенский район"
/// (which folds like "Баткенского района" and "Баткенском районе"), "Пянджское
/// направление", "Пянджский участок"; "Исфара" gives "Исфаринский район". Names ending in
/// another vowel form their adjectives irregularly and give none. Afghan, Pakistani and
/// Iranian districts are "уезды" in Russian.
fn russian_area_phrases(name: &str, kind: PlaceKind, country: CountryCode) -> Vec<String> {
    if !matches!(kind, PlaceKind::District | PlaceKind::Province) {
        return Vec::new();
    }
    let mut chars = name.chars();
    let starts_upper = chars.next().is_some_and(|c| c.is_uppercase() && is_cyrillic(c));
    if !starts_upper || name.chars().count() < 4 || !name.chars().all(|c| is_cyrillic(c) && c.is_alphabetic()) {
        return Vec::new();
    }
    let stem = match name.chars().last() {
        Some('а' | 'я') => format!("{}ин", &name[..name.len() - 2]),
        Some('ь') => name[..name.len() - 2].to_owned(),
        Some('е' | 'ё' | 'и' | 'о' | 'у' | 'ы' | 'э' | 'ю' | 'й') | None => return Vec::new(),
        Some(_) => name.to_owned(),
    };
    let county = matches!(country.as_str(), "AF" | "PK" | "IR" | "CN");
    let nouns: &[&str] = match kind {
        PlaceKind::Province if county => &["ская провинция", "ское направление", "ский участок"],
        PlaceKind::Province => &["ская область", "ское направление", "ский участок"],
        _ if county => &["ский уезд", "ское направление", "ский участок"],
        _ => &["ский район", "ское направление", "ский участок"],
    };
    nouns.iter().map(|noun| format!("{stem}{noun}")).collect()
}

/// A one-word Cyrillic name whose folded stem has at most four letters.
fn is_short_cyrillic_name(phrase: &str, key: &str) -> bool {
    let stem = key.trim();
    !stem.contains(' ') && stem.chars().count() <= 4 && phrase.chars().any(is_cyrillic)
}

fn is_cyrillic(c: char) -> bool {
    ('\u{400}'..='\u{4FF}').contains(&c)
}

/// An abbreviation: two to five letters, all capitals (`IS`, `TTP`, `ОДКБ`).
fn is_abbreviation(phrase: &str) -> bool {
    let letters: Vec<char> = phrase.chars().filter(|c| c.is_alphanumeric()).collect();
    (2..=5).contains(&letters.len())
        && letters.iter().all(|c| !c.is_lowercase())
        && letters.iter().any(|c| c.is_alphabetic())
}

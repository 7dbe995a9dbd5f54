//! Extraction: from a report's normalised text to what it says happened — categories,
//! events with their type, time, place, actors, quantities and stance, claims and
//! denials — each fact pointing at the spans of text that support it.
//!
//! Everything is found in one multi-pattern pass over the folded text ([`fold`],
//! [`matcher`]), then assembled by rules sentence by sentence. Extraction is
//! deterministic (the same text, publication date and dictionaries give the same
//! result), does no I/O, reads no clock, and runs in time linear in the text.

mod dates;
pub mod dict;
pub mod eval;
pub mod fold;
mod furniture;
mod geocode;
mod matcher;
mod numbers;
mod sentences;
mod unlisted;

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use model::{
    ActorId, ActorKind, ActorRole, Category, CountryCode, EventType, GeoPrecision, LonLat, MentionKind, PlaceId,
    PlaceKind, Precision, QuantityKind, Span, Stance, Unit, When,
};
use serde::Serialize;

use dict::{Cue, DataError, Dictionaries};
use fold::{Folded, fold};
use matcher::{Hit, Matcher, Target};
pub use unlisted::{UnlistedKind, loose_key};

/// A mention: a span of the text and what it names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Found {
    pub kind: MentionKind,
    pub span: Span,
    /// The actor or place id, the event type, the normalised value.
    pub resolved: String,
}

/// A place the report is about, resolved to the gazetteer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolvedPlace {
    pub id: PlaceId,
    pub name: String,
    pub kind: PlaceKind,
    pub country: CountryCode,
    pub point: LonLat,
    pub admin1: Option<String>,
    pub span: Span,
    /// The gazetteer entry, for its other names.
    #[serde(skip)]
    entry: usize,
}

impl ResolvedPlace {
    pub fn precision(&self) -> GeoPrecision {
        match self.kind {
            PlaceKind::Country => GeoPrecision::Country,
            PlaceKind::Province => GeoPrecision::Province,
            PlaceKind::District | PlaceKind::River | PlaceKind::Area | PlaceKind::Mountain => GeoPrecision::District,
            PlaceKind::PopulatedPlace => GeoPrecision::Locality,
            PlaceKind::Crossing | PlaceKind::Bridge | PlaceKind::RiverPort => GeoPrecision::Exact,
        }
    }
}

/// A place the gazetteer lacks that the text names by what it is: "the village of
/// Toghayi", "застава «Даркад»". Kept by name, in its country; its point is that of the
/// listed place the text puts it in, when it does, and otherwise unknown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnlistedPlace {
    pub name: String,
    pub kind: UnlistedKind,
    pub country: CountryCode,
    /// The listed district, province or town the text puts it in ("the Chugam area of
    /// Shigal district", "в селении Зигар-Валвалак Дарвазского района").
    pub within: Option<ResolvedPlace>,
    pub span: Span,
}

impl UnlistedPlace {
    /// Where it is, as precisely as the text allows: the containing place's point and
    /// precision, or only the country.
    pub fn point(&self) -> (Option<LonLat>, GeoPrecision) {
        match &self.within {
            Some(p) => (Some(p.point), p.precision()),
            None => (None, GeoPrecision::Country),
        }
    }
}

/// An amount the text states.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoundQuantity {
    pub kind: QuantityKind,
    pub value: f64,
    pub unit: Unit,
    pub span: Span,
}

/// An actor denying something, and the sentence that says so.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Denial {
    pub actor: Option<ActorId>,
    pub span: Span,
}

/// A statement by an actor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoundClaim {
    pub speaker: Option<ActorId>,
    pub stance: Stance,
    pub span: Span,
}

/// An actor in an event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoundActor {
    pub actor: ActorId,
    pub role: ActorRole,
    pub span: Span,
}

/// One event the report describes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoundEvent {
    pub category: Category,
    pub event_type: EventType,
    pub when: Option<When>,
    pub place: Option<ResolvedPlace>,
    /// A place the gazetteer lacks, named in the event's sentence: finer than `place`.
    pub unlisted_place: Option<UnlistedPlace>,
    pub actors: Vec<FoundActor>,
    pub quantities: Vec<FoundQuantity>,
    pub stance: Stance,
    pub confidence: f32,
    /// The sentences the event was read from.
    pub sentences: Vec<Span>,
    /// The spans that support its fields.
    pub evidence: Vec<Found>,
}

/// Everything extracted from one text.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Extraction {
    pub categories: Vec<Category>,
    pub actors: Vec<ActorId>,
    pub places: Vec<ResolvedPlace>,
    /// Places the gazetteer lacks: villages, border posts, localities.
    pub unlisted_places: Vec<UnlistedPlace>,
    /// The date of the main event, when the text gives it.
    pub event_date: Option<NaiveDate>,
    pub quantities: Vec<FoundQuantity>,
    pub denials: Vec<Denial>,
    pub claims: Vec<FoundClaim>,
    pub events: Vec<FoundEvent>,
    /// News outlets the report cites ("told Interfax", "передает Sputnik"): sources of the
    /// report, never actors of its events.
    pub cited_sources: Vec<ActorId>,
    pub mentions: Vec<Found>,
    pub sentences: Vec<Span>,
}

/// The loaded dictionaries and the automaton built from them; build once, share freely.
pub struct Extractor {
    dictionaries: Dictionaries,
    matcher: Matcher,
    /// National governments by country, for "Kabul denied..." and the like.
    governments: HashMap<CountryCode, usize>,
    /// (actor before, actor after, first day of the later era), from [`ERAS`].
    eras: Vec<(usize, usize, NaiveDate)>,
    /// [`BACKGROUND_PHRASES`], as written and with a capital first letter.
    background_phrases: aho_corasick::AhoCorasick,
    /// The stems of [`DEMONYMS`] at the start of a folded token (" afghan").
    demonyms: aho_corasick::AhoCorasick,
}

/// A state whose government changed hands: the same words ("the Afghan government",
/// "Afghan forces") name the earlier state's bodies before `from` and the later one's from
/// then on. Names that belong to one era only ("Afghan National Army", "the Taliban
/// movement") keep their actor in both.
struct Era {
    before: &'static str,
    after: &'static str,
    from: NaiveDate,
}

const ERAS: &[Era] = &[
    Era { before: "af-republic-government", after: "taliban", from: date(2021, 8, 15) },
    Era { before: "af-republic-military", after: "taliban", from: date(2021, 8, 15) },
    Era { before: "af-republic-police", after: "taliban", from: date(2021, 8, 15) },
];

const fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(d) => d,
        None => panic!("not a date"),
    }
}

/// Words that tie a name to one era of a state: a name holding one of them keeps its actor
/// whatever the report's date.
const ERA_BOUND_WORDS: &[&str] = &[
    "talib",
    "taleb",
    "талиб",
    "emirat",
    "эмират",
    "iea",
    "иэа",
    "de facto",
    "фактическ",
    "interim",
    "временн",
    "national",
    "национальн",
    "andsf",
    "ansf",
    "republic",
    "республик",
    "ghani",
    "гани",
    "karzai",
    "карза",
];

impl std::fmt::Debug for Extractor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Extractor")
            .field("places", &self.dictionaries.places.len())
            .field("actors", &self.dictionaries.actors.len())
            .field("lexicon", &self.dictionaries.lexicon.len())
            .finish()
    }
}

impl Extractor {
    /// The extractor over the dictionaries built into the binary.
    pub fn embedded() -> Result<Self, DataError> {
        Ok(Self::new(Dictionaries::embedded()?))
    }

    pub fn new(dictionaries: Dictionaries) -> Self {
        let matcher = Matcher::build(&dictionaries);
        // A country's government is its "Government of ..." entry; a country without one
        // falls back to its first governmental body.
        let mut governments = HashMap::new();
        for (i, actor) in dictionaries.actors.iter().enumerate() {
            if let (ActorKind::Government, Some(country)) = (actor.kind, actor.country)
                && actor.name.starts_with("Government of ")
                && !actor.name.contains('(')
            {
                governments.insert(country, i);
            }
        }
        for (i, actor) in dictionaries.actors.iter().enumerate() {
            if let (ActorKind::Government, Some(country)) = (actor.kind, actor.country) {
                governments.entry(country).or_insert(i);
            }
        }
        let eras = ERAS
            .iter()
            .filter_map(|era| {
                let index = |id: &str| dictionaries.actors.iter().position(|a| a.id.as_str() == id);
                Some((index(era.before)?, index(era.after)?, era.from))
            })
            .collect();
        let background_phrases = aho_corasick::AhoCorasick::new(BACKGROUND_PHRASES.iter().flat_map(|p| {
            let mut chars = p.chars();
            let capital: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
            [(*p).to_owned(), capital]
        }))
        .expect("the background phrases are a handful of short constant patterns");
        let demonyms = aho_corasick::AhoCorasick::new(DEMONYMS.iter().map(|(stem, _)| format!(" {stem}")))
            .expect("the demonyms are a handful of short constant patterns");
        Self { dictionaries, matcher, governments, eras, background_phrases, demonyms }
    }

    pub fn dictionaries(&self) -> &Dictionaries {
        &self.dictionaries
    }

    /// Extracts from `text` (a document's normalised text), published on `published`.
    pub fn extract(&self, text: &str, published: Option<NaiveDate>) -> Extraction {
        // Lists of other stories' headlines are read as nothing; offsets do not move.
        let text = &*furniture::blank_link_lists(text);
        let folded = fold(text);
        let hits = self.matcher.find(text, &folded);
        let sentence_ranges = sentences::sentences(text);
        let doc = Document::new(self, text, &folded, &hits, &sentence_ranges, published);
        doc.assemble()
    }
}

/// Working state for one text.
struct Document<'a> {
    extractor: &'a Extractor,
    text: &'a str,
    folded: &'a Folded,
    published: Option<NaiveDate>,
    sentences: Vec<Span>,
    /// The sentence of each token.
    sentence_of: Vec<u32>,
    /// The tokens of each sentence, `from..to`.
    sentence_tokens: Vec<(u32, u32)>,
    places: Vec<(usize, ResolvedPlace)>,
    /// (first token, actor index, span)
    actors: Vec<(usize, usize, Span)>,
    /// News outlets named in the text, cited as sources: (first token, actor index).
    cited: Vec<(usize, usize)>,
    cues: Vec<(usize, Cue, Span)>,
    quantities: Vec<(usize, FoundQuantity)>,
    dates: Vec<(usize, NaiveDate, Span)>,
    /// Per sentence, and for the whole text.
    signals: Vec<Signals>,
    document_signals: Signals,
    /// Per sentence: background (history, running totals, earlier years) rather than the
    /// report's own events.
    background: Vec<bool>,
    /// Per sentence: history, told with an earlier year ("in 2015", "since 2001") or in
    /// the paragraph such a sentence opens.
    history: Vec<bool>,
    /// Quoted passages, «…» and “…”: (byte of the opening mark, byte of the closing one),
    /// found when first asked for.
    quotes: std::cell::OnceCell<Vec<(u32, u32)>>,
    /// Per sentence: a credit line ("contributed to this report from"), found when first
    /// asked for.
    credit_lines: std::cell::OnceCell<Vec<bool>>,
    /// The day whose era names the report's states ([`ERAS`]), once read.
    era_day: Option<NaiveDate>,
    /// The text's explicit dates, resolved against publication, read once.
    explicit: Vec<dates::DateMention>,
}

/// The items of `items` (sorted by token) whose token lies in `from..to`: a binary
/// search, so that no lookup costs more than a logarithm of the text's length.
fn between<T>(items: &[T], token: impl Fn(&T) -> usize, from: usize, to: usize) -> &[T] {
    let a = items.partition_point(|x| token(x) < from);
    let b = items.partition_point(|x| token(x) < to).max(a);
    &items[a..b]
}

/// What a sentence (or the whole text) holds that decides an event's category.
#[derive(Debug, Clone, Copy, Default)]
struct Signals {
    /// Category cues present, one bit per `Category::ALL` index.
    categories: u8,
    armed_group: bool,
    drug_quantity: bool,
    weapon_quantity: bool,
    migrant_quantity: bool,
    crossing: bool,
}

impl Signals {
    fn has(&self, c: Category) -> bool {
        self.categories & category_bit(c) != 0
    }

    fn merge(&mut self, other: &Signals) {
        self.categories |= other.categories;
        self.armed_group |= other.armed_group;
        self.drug_quantity |= other.drug_quantity;
        self.weapon_quantity |= other.weapon_quantity;
        self.migrant_quantity |= other.migrant_quantity;
        self.crossing |= other.crossing;
    }
}

/// The quoted passages of `text`, «…» and “…” (not nested), in one pass: (byte of the
/// opening mark, byte of the closing one). A mark left open closes nothing.
fn quoted_passages(text: &str) -> Vec<(u32, u32)> {
    // The marks' UTF-8 forms: « C2 AB, » C2 BB, “ E2 80 9C, ” E2 80 9D; scanned as bytes.
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Guillemet,
        Curly,
    }
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut open: Option<(Mark, usize)> = None;
    let mut i = 0;
    while i + 1 < bytes.len() {
        let found = match (bytes[i], bytes[i + 1], bytes.get(i + 2)) {
            (0xC2, 0xAB, _) => Some((Mark::Guillemet, true)),
            (0xC2, 0xBB, _) => Some((Mark::Guillemet, false)),
            (0xE2, 0x80, Some(0x9C)) => Some((Mark::Curly, true)),
            (0xE2, 0x80, Some(0x9D)) => Some((Mark::Curly, false)),
            _ => None,
        };
        match (open, found) {
            (None, Some((mark, true))) => open = Some((mark, i)),
            (Some((kind, o)), Some((mark, false))) if kind == mark => {
                if let (Ok(o), Ok(c)) = (u32::try_from(o), u32::try_from(i)) {
                    out.push((o, c));
                }
                open = None;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn category_bit(c: Category) -> u8 {
    1 << Category::ALL.iter().position(|x| *x == c).unwrap_or(0)
}

/// Whether a folded word after a number makes it a duration or a distance.
fn is_time_or_distance(word: &str) -> bool {
    const ENGLISH: &[&str] = &[
        "day",
        "days",
        "week",
        "weeks",
        "month",
        "months",
        "year",
        "years",
        "hour",
        "hours",
        "minute",
        "minutes",
        "night",
        "nights",
        "decade",
        "decades",
        "km",
        "kilometres",
        "kilometers",
        "kilometre",
        "kilometer",
        "miles",
        "metres",
        "meters",
    ];
    const RUSSIAN: &[&str] =
        &["дн", "ден", "недел", "месяц", "год", "лет", "час", "минут", "сут", "ноч", "километр", "км", "метр"];
    ENGLISH.contains(&word) || RUSSIAN.iter().any(|stem| word.starts_with(stem))
}

fn span(folded: &Folded, first: usize, last: usize) -> Span {
    Span { start: folded.tokens[first].start, end: folded.tokens[last].end }
}

/// Phrases of sentences that give background: running totals, earlier periods, history.
const BACKGROUND_PHRASES: &[&str] = &[
    "since the beginning of",
    "this year has seen",
    "this year saw",
    "since the start of",
    "so far this year",
    "since january",
    "in the first half",
    "first six months",
    "first quarter",
    "over the past",
    "in the past year",
    "last year",
    "previous year",
    "in recent years",
    "in recent months",
    "years ago",
    "in the same period",
    "during the same period",
    "previously",
    "с начала года",
    "с начала текущего года",
    "с начала этого года",
    "с начала 20",
    "с начала 19",
    "с начала месяца",
    "в прошлом году",
    "за прошлый год",
    "в минувшем году",
    "за минувший год",
    "в первом полугодии",
    "за первое полугодие",
    "за полугодие",
    "за первый квартал",
    "за последние",
    "годом ранее",
    "год назад",
    "лет назад",
    "за аналогичный период",
    "ранее ",
    "в течение года",
    "в текущем году",
    "since 19",
    "since 20",
];

/// Words after which a place is a point of reference: "opposite", "facing", "напротив",
/// "граничит с" (stems; Russian words are folded without their endings).
const REFERENCE_WORDS: &[&str] = &["opposite", "facing", "bordering", "напротив", "гранич"];

/// "The border with Tajikistan", "на границе с Афганистаном": the country is the other side.
const BORDER_WORDS: &[&str] = &["border", "frontier", "границ"];

/// Words of intent before a destination ("hoped to", "bound for", "рассчитывали добраться до").
const INTENT_WORDS: &[&str] = &[
    "hoped",
    "hoping",
    "planned",
    "planning",
    "intended",
    "intending",
    "destined",
    "destination",
    "bound",
    "heading",
    "headed",
    "ticket",
    "route",
    "рассчитыва",
    "намерева",
    "собиралис",
    "планир",
    "хотел",
    "направлял",
    "билет",
    "добрат",
];

/// Verbs of going, fleeing and sending, before "to" and a destination country.
const MOTION_STEMS: &[&str] = &[
    "return",
    "retreat",
    "fled",
    "flee",
    "escap",
    "deport",
    "expel",
    "extradit",
    "sent",
    "send",
    "smuggl",
    "transport",
    "carr",
    "went",
    "travel",
    "mov",
    "cross",
    "headed",
    "heading",
];

/// Offices and bodies of a state, before "of" and its name ("Security Council of the
/// Republic of Kazakhstan", "Ambassador Extraordinary and Plenipotentiary of Turkmenistan").
const OFFICE_WORDS: &[&str] = &[
    "ambassador",
    "plenipotentiary",
    "president",
    "minist",
    "council",
    "secretar",
    "committee",
    "parliament",
    "consul",
    "embass",
    "mission",
    "delegation",
];

/// Words of direction between an intent and its destination.
const DIRECTION_WORDS: &[&str] = &["to", "for", "into", "towards", "toward", "in", "в", "во", "на", "до", "к"];

/// Words before a country name that make it a nationality, not a place.
const NATIONALITY: &[&str] = &[
    "граждан",
    "гражданин",
    "гражданк",
    "уроженц",
    "уроженец",
    "citizens",
    "citizen",
    "nationals",
    "national",
    "natives",
    "native",
    "подданн",
];

/// Adjectives and nouns of nationality that tell which countries a report is about.
const DEMONYMS: &[(&str, &str)] = &[
    ("afghan", "AF"),
    ("афган", "AF"),
    ("tajik", "TJ"),
    ("таджик", "TJ"),
    ("uzbek", "UZ"),
    ("узбек", "UZ"),
    ("turkmen", "TM"),
    ("туркмен", "TM"),
    ("pakistan", "PK"),
    ("пакистан", "PK"),
    ("iranian", "IR"),
    ("иранск", "IR"),
    ("kyrgyz", "KG"),
    ("киргиз", "KG"),
    ("кыргыз", "KG"),
    ("kazakh", "KZ"),
    ("казах", "KZ"),
    ("chinese", "CN"),
    ("китайск", "CN"),
    ("russian", "RU"),
    ("российск", "RU"),
];

impl<'a> Document<'a> {
    fn new(
        extractor: &'a Extractor,
        text: &'a str,
        folded: &'a Folded,
        hits: &[Hit],
        sentence_ranges: &[(usize, usize)],
        published: Option<NaiveDate>,
    ) -> Self {
        let sentences: Vec<Span> =
            sentence_ranges.iter().map(|&(s, e)| Span { start: s as u32, end: e as u32 }).collect();
        let mut sentence_of = Vec::with_capacity(folded.tokens.len());
        let mut s = 0usize;
        for token in &folded.tokens {
            while s + 1 < sentences.len() && token.start >= sentences[s].end {
                s += 1;
            }
            sentence_of.push(s as u32);
        }
        let mut sentence_tokens = vec![(0u32, 0u32); sentences.len()];
        for (t, &s) in sentence_of.iter().enumerate() {
            let t = u32::try_from(t).unwrap_or(u32::MAX);
            if let Some(range) = sentence_tokens.get_mut(s as usize) {
                if range.1 == 0 {
                    range.0 = t;
                }
                range.1 = t.saturating_add(1);
            }
        }
        let mut doc = Self {
            extractor,
            text,
            folded,
            published,
            sentences,
            sentence_of,
            sentence_tokens,
            places: Vec::new(),
            actors: Vec::new(),
            cited: Vec::new(),
            cues: Vec::new(),
            quantities: Vec::new(),
            dates: Vec::new(),
            signals: Vec::new(),
            document_signals: Signals::default(),
            background: Vec::new(),
            history: Vec::new(),
            quotes: std::cell::OnceCell::new(),
            credit_lines: std::cell::OnceCell::new(),
            era_day: None,
            explicit: dates::explicit_dates(text, folded, published),
        };
        doc.read_hits(hits);
        // What the words say first: reading quantities asks whether a sentence is about
        // contraband; then what the quantities add.
        doc.read_signals();
        doc.read_quantities();
        doc.read_quantity_signals();
        doc.read_dates();
        doc.read_background();
        doc.drop_background_quantities();
        doc.drop_repeats();
        doc
    }

    fn read_hits(&mut self, hits: &[Hit]) {
        let dict = &self.extractor.dictionaries;
        let mut place_hits = Vec::new();
        for hit in hits {
            let (first, last) = (hit.first as usize, hit.last as usize);
            let at = span(self.folded, first, last);
            for target in &hit.targets {
                match *target {
                    Target::Actor(i) if dict.actors[i as usize].kind == ActorKind::Media => {
                        self.cited.push((first, i as usize))
                    }
                    Target::Actor(i) => self.actors.push((first, i as usize, at)),
                    Target::Lexicon(i) => self.cues.push((first, dict.lexicon[i as usize].cue, at)),
                    Target::Place(_) => {}
                }
            }
            let candidates: Vec<usize> = hit
                .targets
                .iter()
                .filter_map(|t| if let Target::Place(i) = t { Some(*i as usize) } else { None })
                .collect();
            // A name that is also an actor's ("Kabul said") is read as the actor only when
            // a verb of speech follows; the place reading is kept either way.
            if !candidates.is_empty() && !self.is_nationality(first) && !self.in_credit_line(first) {
                place_hits.push((first, last, candidates));
            }
        }
        // A one-word name that is only part of a hyphenated one ("Кызыл" of "Кызыл-Дар",
        // "Sari" of "Sari-Pul") is not that place, unless the other part names a place as well
        // ("the Isfara-Vorukh road").
        let tokens = &self.folded.tokens;
        let joined = |a: usize, b: usize| self.text.get(tokens[a].end as usize..tokens[b].start as usize) == Some("-");
        let covered = |t: usize| place_hits.iter().any(|&(f, l, _)| (f..=l).contains(&t));
        let partial: Vec<bool> = place_hits
            .iter()
            .map(|&(first, last, _)| {
                first == last
                    && ((first > 0 && joined(first - 1, first) && !covered(first - 1))
                        || (last + 1 < tokens.len() && joined(last, last + 1) && !covered(last + 1)))
            })
            .collect();
        let mut partial = partial.into_iter();
        place_hits.retain(|_| !partial.next().unwrap_or(false));
        self.read_rejections();
        self.actors.dedup();
        self.resolve_eras();
        self.resolve_places(place_hits);
        self.resolve_generic_actors();
        self.drop_parent_bodies();
    }

    /// "rejected the Pakistani claims", "dismissed Kabul's allegations": a verb of
    /// rejecting with a word of claim a few words on is a denial, whatever stands between.
    fn read_rejections(&mut self) {
        const CLAIMS: &[&str] = &[
            "claim",
            "claims",
            "report",
            "reports",
            "allegation",
            "allegations",
            "accusation",
            "accusations",
            "assertion",
            "assertions",
            "charges",
            "statement",
            "statements",
            "remarks",
        ];
        let found: Vec<(usize, Span)> = self
            .cues
            .iter()
            .filter(|(t, cue, _)| {
                *cue == Cue::Category(Category::Statement) && {
                    let w = self.folded.folded(*t);
                    (w.starts_with("reject") || w.starts_with("dismiss"))
                        && (t + 1..(t + 5).min(self.folded.tokens.len()))
                            .any(|i| CLAIMS.contains(&self.folded.folded(i)))
                }
            })
            .map(|(t, _, at)| (*t, *at))
            .filter(|(t, _)| !self.cues.iter().any(|(u, c, _)| u == t && *c == Cue::Denial))
            .collect();
        if found.is_empty() {
            return;
        }
        for (t, at) in found {
            self.cues.push((t, Cue::Denial, at));
            self.cues.push((t, Cue::Event(EventType::Denial), at));
        }
        self.cues.sort_by_key(|c| c.0);
    }

    /// A body named only as the parent of the one before it ("the Main Border Guard
    /// Directorate under the State Committee for National Security (SCNS)", "ГУПВ ГКНБ")
    /// is not an actor of its own there: the unit named first acts.
    fn drop_parent_bodies(&mut self) {
        let dict = &self.extractor.dictionaries;
        let state_body = |a: usize| {
            matches!(dict.actors[a].kind, ActorKind::SecurityService | ActorKind::Government | ActorKind::Military)
        };
        let mut kept: Vec<(usize, usize, Span)> = Vec::with_capacity(self.actors.len());
        // The previous mention, and whether it was dropped as a parent.
        let mut previous: Option<((usize, usize, Span), bool)> = None;
        for &mention in &self.actors {
            let (_, actor, at) = mention;
            let dropped = previous.is_some_and(|((_, before, prev), prev_dropped)| {
                let gap = self.text.get(prev.end as usize..at.start as usize).unwrap_or("?").trim();
                let gap = gap.strip_prefix("the ").or_else(|| gap.strip_suffix(" the")).unwrap_or(gap);
                let linked = matches!(gap, "" | "under" | "under the" | "at" | "at the" | "within" | "of" | "при");
                let parent = before != actor
                    && state_body(actor)
                    && dict.actors[before].kind != ActorKind::ArmedGroup
                    && dict.actors[before].country.is_some()
                    && dict.actors[before].country == dict.actors[actor].country;
                // "(SCNS)" after a dropped "State Committee for National Security".
                let repeated = prev_dropped && before == actor && matches!(gap, "(" | "" | ",");
                (linked && parent) || repeated
            });
            if !dropped {
                kept.push(mention);
            }
            previous = Some((mention, dropped));
        }
        self.actors = kept;
    }

    /// The same words name different states' bodies before and after a change of power:
    /// the report's date (its publication, else the latest date it gives) decides.
    fn resolve_eras(&mut self) {
        // The era of the report's events: the latest day the text gives when it falls in the
        // days just before publication ("on 14 August" in a report of the 15th), else the
        // publication's day.
        let text_day = match self.published {
            Some(published) => self.explicit.iter().map(|d| d.date).filter(|d| *d <= published).max(),
            None => self.latest_explicit(),
        };
        let day = match (self.published, text_day) {
            (Some(published), Some(told)) if told < published && (published - told).num_days() <= 10 => told,
            (Some(published), _) => published,
            (None, told) => match told {
                Some(day) => day,
                None => return,
            },
        };
        self.era_day = Some(day);
        for (_, actor, at) in &mut self.actors {
            let said = self.text.get(at.start as usize..at.end as usize).unwrap_or_default().to_lowercase();
            if ERA_BOUND_WORDS.iter().any(|w| said.contains(w)) {
                continue;
            }
            for &(before, after, from) in &self.extractor.eras {
                if day >= from && *actor == before {
                    *actor = after;
                } else if day < from && *actor == after {
                    *actor = before;
                }
            }
        }
    }

    /// "Border guards" are the border service, and "the Interior Ministry" the interior
    /// ministry, of the country the report is about: the first country named by a place
    /// outside Afghanistan (whose neighbours' services report most incidents), else
    /// Afghanistan.
    fn resolve_generic_actors(&mut self) {
        let dict = &self.extractor.dictionaries;
        // Each generic name, and what an actor must be to be the one it names.
        let generic: Vec<(usize, Cue, Span)> = self
            .cues
            .iter()
            .filter(|(_, cue, _)| matches!(cue, Cue::GenericActor(_) | Cue::GenericMinistry(_)))
            .copied()
            .collect();
        let fits = |cue: Cue, a: &dict::ActorEntry| match cue {
            Cue::GenericActor(kind) => a.kind == kind,
            Cue::GenericMinistry(ministry) => ministry.names(&a.name),
            _ => false,
        };
        if generic.is_empty() {
            return;
        }
        let afghanistan: Option<CountryCode> = "AF".parse().ok();
        let mut countries: Vec<CountryCode> = Vec::new();
        for (_, p) in &self.places {
            if !countries.contains(&p.country) {
                countries.push(p.country);
            }
        }
        countries.sort_by_key(|c| Some(*c) == afghanistan);
        // Once its owner has named a ministry ("the Ministry of Foreign Affairs of the
        // Islamic Emirate"), "the country's ministry" and "the ministry" are the same one.
        let mut owned: Vec<Cue> = Vec::new();
        for (t, cue, at) in generic {
            if owned.contains(&cue) {
                continue;
            }
            // A named body in the same sentence already says who it is.
            let (from, to) = self.tokens_of(self.sentence_of[t]);
            if between(&self.actors, |a| a.0, from, to).iter().any(|(_, a, _)| fits(cue, &dict.actors[*a])) {
                continue;
            }
            // A ministry its owner names ("the Taliban's Ministry of Interior", "министерства
            // внутренних дел правительства талибов") is the owner's, already an actor.
            if matches!(cue, Cue::GenericMinistry(_)) && self.owned_by_actor(t, at) {
                owned.push(cue);
                continue;
            }
            // A country named with it says whose it is: "the Ministry of Internal Affairs of
            // Kyrgyzstan", "МВД Кыргызстана", "the Kyrgyz Interior Ministry"; a country
            // without such a body in the dictionaries gets none of another's.
            let named = self.country_named_with(t, at);
            let found = match named {
                Some(c) => dict.actors.iter().position(|a| fits(cue, a) && a.country == Some(c)),
                None => countries
                    .iter()
                    .find_map(|c| dict.actors.iter().position(|a| fits(cue, a) && a.country == Some(*c))),
            };
            if let Some(actor) = found {
                self.actors.push((t, actor, at));
            }
        }
        self.actors.sort_by_key(|(t, _, _)| *t);
        self.actors.dedup();
    }

    /// Whether an actor's name touches the span `at`: just before it with a possessive
    /// ("Taliban's"), or just after it ("of the Islamic Emirate", a Russian genitive, "…
    /// правительства талибов").
    fn owned_by_actor(&self, t: usize, at: Span) -> bool {
        // Names are a few tokens long: only the actors starting near `t` can touch it.
        between(&self.actors, |a| a.0, t.saturating_sub(12), t + 12).iter().any(|(_, _, s)| {
            let gap = |a: u32, b: u32| self.text.get(a as usize..b as usize);
            (s.end <= at.start && matches!(gap(s.end, at.start), Some("'s " | "’s " | " ")))
                || (at.end <= s.start && matches!(gap(at.end, s.start), Some(" " | " of " | " of the ")))
        })
    }

    /// The country named right after a name at `at` ("of Kyrgyzstan", "of the Republic of
    /// Tajikistan", "Кыргызстана") or by a nationality word right before it ("the Kyrgyz").
    fn country_named_with(&self, t: usize, at: Span) -> Option<CountryCode> {
        let after = between(&self.places, |p| p.0, t, t + 16).iter().find_map(|(_, p)| {
            let gap = self.text.get(at.end as usize..p.span.start as usize)?;
            let joined = matches!(gap, " " | " of " | " of the Republic of " | " Республики " | " республики ");
            (p.kind == PlaceKind::Country && p.span.start >= at.end && joined).then_some(p.country)
        });
        after.or_else(|| self.nationality_at(t.checked_sub(1)?))
    }

    fn is_nationality(&self, first: usize) -> bool {
        let before = |back: usize| first.checked_sub(back).map(|i| self.folded.folded(i));
        let matches = |w: Option<&str>| w.is_some_and(|w| NATIONALITY.contains(&w));
        matches(before(1)) || (before(1) == Some("of") && matches(before(2)))
    }

    fn resolve_places(&mut self, place_hits: Vec<(usize, usize, Vec<usize>)>) {
        let dict = &self.extractor.dictionaries;
        let mut countries: Vec<CountryCode> = Vec::new();
        // Folded tokens are separated by single spaces, so " stem" begins a token.
        for m in self.extractor.demonyms.find_overlapping_iter(self.folded.text.as_str()) {
            if let Ok(code) = DEMONYMS[m.pattern().as_usize()].1.parse()
                && !countries.contains(&code)
            {
                countries.push(code);
            }
        }
        for &(_, actor, _) in &self.actors {
            if let Some(country) = dict.actors[actor].country
                && !countries.contains(&country)
            {
                countries.push(country);
            }
        }
        let mut anchors = Vec::new();
        let mut anchored = std::collections::HashSet::new();
        for (_, _, candidates) in &place_hits {
            if let [only] = candidates.as_slice()
                && anchored.insert(*only)
            {
                let p = &dict.places[*only];
                anchors.push((p.point.lon(), p.point.lat()));
                if !countries.contains(&p.country) {
                    countries.push(p.country);
                }
            }
        }
        // Countries of the report's places finer than a country whose every reading lies in
        // one country: a name found on both sides of a border (Torkham) is on the side the
        // report's other places are on.
        let mut sides: Vec<CountryCode> = Vec::new();
        for (first, _, candidates) in &place_hits {
            let country = dict.places[candidates[0]].country;
            let one_country = candidates.iter().all(|&i| dict.places[i].country == country);
            let finer = candidates.iter().all(|&i| dict.places[i].kind != PlaceKind::Country);
            if one_country && finer && !sides.contains(&country) && !self.is_aside(*first) {
                sides.push(country);
            }
        }
        // A province named right after a place ("Ishkashim district of Gorno-Badakhshan",
        // "в Ишкашимском районе Горно-Бадахшанской области") says which one is meant.
        let containers: Vec<(usize, Option<&str>)> = place_hits
            .iter()
            .filter_map(|(first, _, candidates)| match candidates.as_slice() {
                [only] if dict.places[*only].kind == PlaceKind::Province => {
                    Some((*first, dict.places[*only].admin1.as_deref()))
                }
                _ => None,
            })
            .collect();
        for (first, last, candidates) in place_hits {
            let cue = geocode::cue(self.folded, first, last);
            let nationality = self.nationality_before(first);
            let container = containers.iter().find(|(t, _)| *t > last && *t <= last + 3).and_then(|(_, a)| *a);
            let best = candidates
                .iter()
                .map(|&i| {
                    let place = &dict.places[i];
                    let inside = container.is_some() && place.admin1.as_deref() == container;
                    let side = if sides.contains(&place.country) { 1.5 } else { 0.0 };
                    let inside = if inside { 4.0 } else { 0.0 };
                    (i, geocode::score(place, cue, &countries, nationality, &anchors) + inside + side)
                })
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
            if let Some((i, _)) = best {
                let place = self.resolved(i, first, last);
                self.places.push((first, place));
            }
        }
    }

    /// The countries of each border named by two of them joined with a dash before a word of
    /// border ("Tajik-Afghan border", "Pak-Afghan border", "афгано-пакистанской границе"),
    /// each with the token that names it.
    fn two_country_borders(&self) -> Vec<(usize, CountryCode)> {
        let code = |i: usize| -> Option<CountryCode> {
            let w = self.folded.folded(i);
            if w == "pak" {
                return "PK".parse().ok();
            }
            self.nationality_at(i)
        };
        let dash = |a: usize| {
            matches!(
                self.text.get(self.folded.tokens[a].end as usize..self.folded.tokens[a + 1].start as usize),
                Some("-" | "–" | "—")
            )
        };
        let mut out = Vec::new();
        for b in 2..self.folded.tokens.len() {
            let w = self.folded.folded(b);
            if !(w.starts_with("border") || w.starts_with("frontier") || w.starts_with("границ")) || !dash(b - 2)
            {
                continue;
            }
            if let (Some(first), Some(second)) = (code(b - 2), code(b - 1)) {
                out.push((b - 2, first));
                out.push((b - 1, second));
            }
        }
        out
    }

    /// The gazetteer entry `entry`, named at tokens `first..=last`.
    fn resolved(&self, entry: usize, first: usize, last: usize) -> ResolvedPlace {
        let p = &self.extractor.dictionaries.places[entry];
        ResolvedPlace {
            id: p.id.clone(),
            name: p.name.clone(),
            kind: p.kind,
            country: p.country,
            point: p.point,
            admin1: p.admin1.clone(),
            span: span(self.folded, first, last),
            entry,
        }
    }

    /// The token range of `sentence`.
    fn tokens_of(&self, sentence: u32) -> (usize, usize) {
        match self.sentence_tokens.get(sentence as usize) {
            Some(&(from, to)) if to > 0 => (from as usize, to as usize),
            // A sentence without tokens: the empty range where its tokens would be.
            _ => {
                let at = self.sentence_of.partition_point(|s| *s < sentence);
                (at, at)
            }
        }
    }

    /// The country a nationality word up to four tokens before `first` names ("the
    /// Afghan district of", "афганском уезде").
    fn nationality_before(&self, first: usize) -> Option<CountryCode> {
        (first.saturating_sub(4)..first).rev().find_map(|i| self.nationality_at(i))
    }

    /// The country whose nationality word is token `i` ("Afghan", "таджикской").
    fn nationality_at(&self, i: usize) -> Option<CountryCode> {
        let word = self.folded.folded(i);
        DEMONYMS.iter().find(|(stem, _)| word.starts_with(stem)).and_then(|(_, code)| code.parse().ok())
    }

    fn cues_between(&self, from: usize, to: usize) -> &[(usize, Cue, Span)] {
        between(&self.cues, |c| c.0, from, to)
    }

    fn signals_of(&self, sentence: u32) -> Signals {
        self.signals.get(sentence as usize).copied().unwrap_or_default()
    }

    fn read_signals(&mut self) {
        let dict = &self.extractor.dictionaries;
        let mut signals = vec![Signals::default(); self.sentences.len().max(1)];
        for (t, cue, _) in &self.cues {
            let s = &mut signals[self.sentence_of[*t] as usize];
            match cue {
                Cue::Category(Category::WeaponsTrafficking) if self.weapons_in_use(*t) => {}
                Cue::Category(c) => s.categories |= category_bit(*c),
                Cue::Event(EventType::IllegalCrossing) => s.crossing = true,
                _ => {}
            }
        }
        for (t, a, _) in &self.actors {
            if dict.actors[*a].kind == ActorKind::ArmedGroup {
                signals[self.sentence_of[*t] as usize].armed_group = true;
            }
        }
        self.signals = signals;
        self.merge_document_signals();
    }

    fn read_quantity_signals(&mut self) {
        for (t, q) in &self.quantities {
            if let Some(s) = self.signals.get_mut(self.sentence_of[*t] as usize) {
                s.drug_quantity |= DRUGS.contains(&q.kind);
                s.weapon_quantity |= WEAPONS.contains(&q.kind);
                s.migrant_quantity |= q.kind == QuantityKind::Migrants;
            }
        }
        self.merge_document_signals();
    }

    fn merge_document_signals(&mut self) {
        let mut document = Signals::default();
        for s in &self.signals {
            document.merge(s);
        }
        self.document_signals = document;
    }

    fn read_quantities(&mut self) {
        let numbers = numbers::numbers(self.text, self.folded);
        for n in numbers {
            if let Some(q) = self.quantity(&n) {
                self.quantities.push((n.first, q));
            }
        }
        self.join_compound_masses();
        self.drop_headline_repeats();
        // A total of mixed drugs is not listed beside its parts.
        let parts: f64 = self
            .quantities
            .iter()
            .filter(|(_, q)| is_drug(q.kind) && q.kind != QuantityKind::OtherDrugs)
            .filter_map(|(_, q)| q.unit.to_kg().map(|k| k * q.value))
            .sum();
        self.quantities.retain(|(_, q)| {
            !(q.kind == QuantityKind::OtherDrugs
                && q.unit.to_kg().is_some_and(|k| parts > 0.0 && (k * q.value - parts).abs() <= parts * 0.01))
        });
    }

    /// "2 kilograms 600 grams", "48 кг 724 г": one mass of 2.6 kg, 48.724 kg.
    fn join_compound_masses(&mut self) {
        let mut i = 0;
        while i + 1 < self.quantities.len() {
            let (a, b) = (&self.quantities[i].1, &self.quantities[i + 1].1);
            // Between the two numbers: the first one's unit, perhaps "and".
            let head = self.text.get(a.span.start as usize..b.span.start as usize).unwrap_or("?");
            let words: Vec<&str> =
                head.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()).collect();
            let joined = words.len() == 2 || (words.len() == 3 && matches!(words[2], "and" | "и"));
            if a.kind == b.kind && a.unit == Unit::Kilogram && b.unit == Unit::Gram && b.value < 1000.0 && joined {
                let grams = self.quantities.remove(i + 1).1;
                let kg = &mut self.quantities[i].1;
                kg.value = ((kg.value * 1000.0 + grams.value).round()) / 1000.0;
                kg.span.end = grams.span.end;
            }
            i += 1;
        }
    }

    /// A figure of the headline given again in the body is one figure: the body's.
    /// The same weight of the same substance said twice ("more than 43 kilograms of
    /// marijuana" in the lead and again in the details) is one seizure. Counts of people
    /// and items repeat for distinct groups ("two were detained ... two more were
    /// detained"), so they stay.
    fn drop_repeats(&mut self) {
        let mut seen = std::collections::HashSet::new();
        self.quantities.retain(|(_, q)| q.unit.to_kg().is_none() || seen.insert((q.kind, q.value.to_bits(), q.unit)));
    }

    fn drop_headline_repeats(&mut self) {
        let Some(headline_end) = self.text.find("\n\n") else { return };
        let headline_end = u32::try_from(headline_end).unwrap_or(u32::MAX);
        let body: Vec<(QuantityKind, u64, Unit)> = self
            .quantities
            .iter()
            .filter(|(_, q)| q.span.start > headline_end)
            .map(|(_, q)| (q.kind, q.value.to_bits(), q.unit))
            .collect();
        self.quantities
            .retain(|(_, q)| q.span.start > headline_end || !body.contains(&(q.kind, q.value.to_bits(), q.unit)));
    }

    fn word(&self, i: usize) -> &str {
        let t = &self.folded.tokens[i];
        &self.text[t.start as usize..t.end as usize]
    }

    /// The substance a cue at `token` names, if one does.
    fn substance_at(&self, token: usize) -> Option<QuantityKind> {
        self.cues_between(token, token + 1).iter().find_map(|(_, c, _)| match c {
            Cue::Substance(kind) => Some(*kind),
            _ => None,
        })
    }

    /// What happened to people, as a cue at `token` says, if one does.
    fn people_at(&self, token: usize) -> Option<QuantityKind> {
        self.cues_between(token, token + 1).iter().find_map(|(_, c, _)| match c {
            Cue::People(kind) => Some(*kind),
            _ => None,
        })
    }

    /// What the number `n` counts, if it counts anything beltwatch records.
    fn quantity(&self, n: &numbers::Number) -> Option<FoundQuantity> {
        let tokens = &self.folded.tokens;
        let sentence = self.sentence_of[n.first];
        let in_sentence = |i: usize| i < tokens.len() && self.sentence_of[i] == sentence;
        let next = n.last + 1;
        // A year, a time or a case number is not a quantity.
        let raw = self.word(n.first);
        if raw.len() == 4 && (1900.0..2100.0).contains(&n.value) && tokens[n.first].is_number {
            return None;
        }
        if n.last + 1 < tokens.len()
            && self.text[tokens[n.last].end as usize..tokens[n.last + 1].start as usize].starts_with(':')
        {
            return None;
        }
        // A clock time written with a dot: "около 19.30", "at 4.20".
        if let Some((hours, minutes)) = raw.split_once('.')
            && minutes.len() == 2
            && hours.parse::<u8>().is_ok_and(|h| h < 24)
            && minutes.parse::<u8>().is_ok_and(|m| m < 60)
            && n.first > 0
            && matches!(self.folded.folded(n.first - 1), "в" | "окол" | "примерн" | "at" | "around" | "about")
        {
            return None;
        }
        // A duration or a distance: "two days later", "25 kilometres northwest", "три дня".
        if in_sentence(next) && is_time_or_distance(self.folded.folded(next)) {
            return None;
        }
        let unit = if in_sentence(next) { mass_unit(&self.word(next).to_lowercase()) } else { None };
        let found = |kind: QuantityKind, unit: Unit, last: usize| FoundQuantity {
            kind,
            value: n.value,
            unit,
            span: span(self.folded, n.first, last),
        };
        if let Some(unit) = unit {
            // "40 kg of heroin", "40 кг героина"; else "героина весом 40 кг".
            let after = (next + 1..next + 5).filter(|&i| in_sentence(i));
            let before = (n.first.saturating_sub(6)..n.first).rev().filter(|&i| in_sentence(i));
            for i in after.chain(before) {
                if let Some(kind) = self.substance_at(i) {
                    return Some(found(kind, unit, next.max(i)));
                }
            }
            let (from, to) = self.tokens_of(sentence);
            let drugs =
                self.cues_between(from, to).iter().any(|(_, c, _)| *c == Cue::Category(Category::DrugTrafficking));
            return drugs.then(|| found(QuantityKind::OtherDrugs, unit, next));
        }
        // "two Kalashnikov rifles", "500 rounds", "два автомата".
        for i in (next..next + 3).filter(|&i| in_sentence(i)) {
            if let Some(kind) = self.substance_at(i)
                && matches!(kind, QuantityKind::Firearms | QuantityKind::Ammunition | QuantityKind::Explosives)
            {
                return Some(found(kind, Unit::Items, i));
            }
        }
        // People: a person noun right after the number ("17 militants", "трое нарушителей"),
        // or a verb of what happened to them ("15 injured", "трое задержаны").
        let person = |i: usize| person_noun(self.folded.folded(i));
        let noun = (next..next + 4).filter(|&i| in_sentence(i)).find(|&i| person(i).is_some());
        // The verb comes after the noun, if there is one ("трое нарушителей задержаны").
        let after = noun.map_or(next, |n| n + 1);
        let verb_after = (after..after + 3).filter(|&i| in_sentence(i)).find_map(|i| self.people_at(i).map(|k| (i, k)));
        let collective = is_collective_numeral(&self.word(n.first).to_lowercase());
        let (noun, class) = match (noun, verb_after) {
            (Some(noun), _) => (noun, person(noun).unwrap_or(Person::Generic)),
            (None, Some((verb, _))) => (verb, Person::Generic),
            (None, None) if collective => (n.last, Person::Generic),
            (None, None) => return None,
        };
        // What happened to them: a verb right after the number first, else the nearest
        // verb around it in the sentence.
        let mut best: Option<(usize, QuantityKind)> = verb_after.filter(|(i, _)| *i <= noun + 2).map(|(_, k)| (0, k));
        if best.is_none() {
            let window = n.first.saturating_sub(10)..(noun + 12).min(tokens.len());
            for (t, cue, _) in self.cues_between(window.start, window.end) {
                if !in_sentence(*t) || (*t > n.last && *t <= noun) {
                    continue;
                }
                if let Cue::People(kind) = cue {
                    let distance = if *t < n.first { n.first - t } else { t - noun };
                    if best.is_none_or(|(d, _)| distance < d) {
                        best = Some((distance, *kind));
                    }
                }
            }
        }
        let (from, to) = self.tokens_of(sentence);
        let signals = self.signals_of(sentence);
        // Smugglers are "border violators" too: in a report about drugs or weapons, the
        // people counted are smugglers, not migrants.
        let contraband = |s: &Signals| {
            s.has(Category::DrugTrafficking)
                || s.has(Category::WeaponsTrafficking)
                || s.drug_quantity
                || s.weapon_quantity
        };
        // The sentence's own words come first; the report's contraband counts only when the
        // sentence does not speak of migration itself.
        // People who "crossed the state border" and were detained crossed it illegally.
        let crossed_and_held = || {
            let crossed = (from..to).any(|i| {
                let w = self.folded.folded(i);
                (w == "crossed" || w.starts_with("пересекл") || w.starts_with("перешл"))
                    && (i + 1..(i + 5).min(to)).any(|j| {
                        let b = self.folded.folded(j);
                        b.starts_with("border") || b.starts_with("границ") || b.starts_with("госгран")
                    })
            });
            crossed && self.cues_between(from, to).iter().any(|(_, c, _)| *c == Cue::Event(EventType::Arrest))
        };
        let migration_here = signals.has(Category::IllegalMigration)
            || self.cues_between(from, to).iter().any(|(_, c, _)| *c == Cue::Event(EventType::IllegalCrossing))
            || crossed_and_held();
        let contraband = contraband(&signals) || (contraband(&self.document_signals) && !migration_here);
        let migration = !contraband && migration_here;
        let kind = match (best.map(|(_, k)| k), class) {
            (Some(k @ (QuantityKind::Killed | QuantityKind::Injured)), _) => k,
            (_, Person::Migrant) if !contraband => QuantityKind::Migrants,
            (_, Person::Role) => match best {
                Some((_, QuantityKind::Migrants)) | None => return None,
                Some((_, k)) => k,
            },
            (Some(QuantityKind::Detained) | None, Person::Generic) if migration => QuantityKind::Migrants,
            (Some(QuantityKind::Migrants), _) if contraband => QuantityKind::Detained,
            (Some(k), _) => k,
            (None, _) => return None,
        };
        Some(found(kind, Unit::Persons, noun))
    }

    /// Marks the sentences that give background rather than the report's own events:
    /// running totals ("since the beginning of the year", "с начала года"), earlier years
    /// ("in 2019", "в 2015 году" in a report of a later year), history ("earlier",
    /// "ранее", "last year").
    fn read_background(&mut self) {
        let year = self.published.or_else(|| self.latest_explicit()).map(|d| d.year());
        let mut background = vec![false; self.sentences.len()];
        for m in self.extractor.background_phrases.find_iter(self.text) {
            let at = u32::try_from(m.start()).unwrap_or(u32::MAX);
            let i = self.sentences.partition_point(|s| s.end <= at);
            if let Some(b) = background.get_mut(i) {
                *b = true;
            }
        }
        let mut history: Vec<bool> = (0..self.sentences.len())
            .map(|i| {
                let (from, to) = self.tokens_of(i as u32);
                year.is_some_and(|year| {
                    (from..to).any(|t| {
                        self.folded.tokens[t].is_number
                            && self.word(t).len() == 4
                            && self.word(t).parse::<i32>().is_ok_and(|y| (1979..year).contains(&y))
                    })
                })
            })
            .collect();
        for (b, h) in background.iter_mut().zip(&history) {
            *b |= *h;
        }
        // Background runs on to the end of its paragraph.
        for i in 1..background.len() {
            let gap = self.text.get(self.sentences[i - 1].end as usize..self.sentences[i].start as usize);
            let same_paragraph = !gap.is_some_and(|g| g.contains("\n\n"));
            if background[i - 1] && same_paragraph {
                background[i] = true;
            }
            if history[i - 1] && same_paragraph {
                history[i] = true;
            }
        }
        self.background = background;
        self.history = history;
    }

    /// The latest explicit date the text gives (for a report without a publication date,
    /// whose explicit dates are resolved without one).
    fn latest_explicit(&self) -> Option<NaiveDate> {
        self.explicit.iter().map(|d| d.date).max()
    }

    /// Whether the sentence of token `t` is background.
    fn in_background(&self, t: usize) -> bool {
        self.background.get(self.sentence_of[t] as usize).copied().unwrap_or(false)
    }

    /// Whether the sentence of token `t` is history (told with an earlier year).
    fn in_history(&self, t: usize) -> bool {
        self.history.get(self.sentence_of[t] as usize).copied().unwrap_or(false)
    }

    /// Figures of background sentences are not the report's, unless the report gives no
    /// others (a report about annual statistics).
    fn drop_background_quantities(&mut self) {
        if self.quantities.iter().any(|(t, _)| !self.in_background(*t)) {
            let background = std::mem::take(&mut self.quantities);
            self.quantities = background.into_iter().filter(|(t, _)| !self.in_background(*t)).collect();
        }
    }

    fn read_dates(&mut self) {
        let published = self.published;
        // Relative dates count from publication, else from the report's dateline.
        let anchor = published.or_else(|| self.explicit.iter().find(|d| self.is_dateline(d.first)).map(|d| d.date));
        for d in &self.explicit {
            self.dates.push((d.first, d.date, span(self.folded, d.first, d.last)));
        }
        if let Some(published) = anchor {
            for &(t, cue, at) in &self.cues {
                let date = match cue {
                    Cue::DayOffset(offset) => dates::day_offset(published, offset),
                    Cue::Weekday(day) => dates::weekday_before(published, day),
                    _ => continue,
                };
                self.dates.push((t, date, at));
            }
        }
        self.dates.sort_by_key(|(t, _, _)| *t);
    }

    fn assemble(self) -> Extraction {
        let dict = &self.extractor.dictionaries;
        let mut mentions = Vec::new();
        for (_, p) in &self.places {
            mentions.push(Found { kind: MentionKind::Place, span: p.span, resolved: p.id.to_string() });
        }
        for &(_, actor, at) in &self.actors {
            mentions.push(Found { kind: MentionKind::Actor, span: at, resolved: dict.actors[actor].id.to_string() });
        }
        for (_, cue, at) in &self.cues {
            if let Cue::Event(event_type) = cue {
                mentions.push(Found { kind: MentionKind::Trigger, span: *at, resolved: event_type.to_string() });
            }
        }
        for (_, q) in &self.quantities {
            mentions.push(Found {
                kind: MentionKind::Quantity,
                span: q.span,
                resolved: format!("{} {} {}", q.kind, q.value, q.unit),
            });
        }
        for (_, date, at) in &self.dates {
            mentions.push(Found { kind: MentionKind::Date, span: *at, resolved: date.to_string() });
        }
        mentions.sort_by_key(|m| (m.span.start, m.span.end));

        let denials = self.denials();
        let claims = self.claims();
        let mut places = self.document_places();
        let unlisted_places = self.unlisted_places();
        // A country gives way to an unlisted village or post in it, as to a listed one.
        places.retain(|p| p.kind != PlaceKind::Country || !unlisted_places.iter().any(|u| u.country == p.country));
        // A report whose finest place is a border named by its two countries ("на
        // афгано-пакистанской границе", "the Pak-Afghan border") is about both countries.
        if unlisted_places.is_empty() && places.iter().all(|p| p.kind == PlaceKind::Country) {
            for (t, code) in self.two_country_borders() {
                if !places.iter().any(|p| p.country == code)
                    && let Some(i) = self
                        .extractor
                        .dictionaries
                        .places
                        .iter()
                        .position(|e| e.kind == PlaceKind::Country && e.country == code)
                {
                    places.push(self.resolved(i, t, t));
                }
            }
        }
        let events = self.events(!denials.is_empty(), places.first(), &unlisted_places);
        // Fighting known only from a denial of it ("denied reports of a firefight on the
        // border") is not a border incident of the report.
        let only_denied = |e: &FoundEvent| {
            matches!(e.event_type, EventType::Attack | EventType::ArmedClash)
                && e.stance != Stance::Asserted
                && e.sentences.iter().all(|s| denials.iter().any(|d| d.span == *s))
        };
        let mut categories: BTreeSet<Category> =
            events.iter().filter(|e| !only_denied(e)).map(|e| e.category).collect();
        // Work done together ("jointly with the authorities of Russia", "provided radios and
        // trucks", "совместно с правоохранительными органами") is cooperation, with or
        // without a word of agreement.
        // Bodies of one state working together ("a joint operation of the border troops and
        // the security service") are not cooperation between partners; a single body named
        // may be working with one the report leaves unnamed.
        let one_state = |t: usize| {
            let (from, to) = self.tokens_of(self.sentence_of[t]);
            let actors = between(&self.actors, |a| a.0, from, to);
            let first = actors.first().and_then(|(_, a, _)| dict.actors[*a].country);
            actors.len() >= 2 && first.is_some() && actors.iter().all(|(_, a, _)| dict.actors[*a].country == first)
        };
        let mut together = self.cues.iter().filter(|(t, cue, _)| {
            *cue == Cue::Category(Category::Cooperation) && !self.in_background(*t) && !one_state(*t)
        });
        if together.next().is_some() {
            categories.insert(Category::Cooperation);
        }
        for (_, q) in &self.quantities {
            if let Some(c) = category_of_quantity(q.kind) {
                categories.insert(c);
            }
        }
        if !denials.is_empty() {
            categories.insert(Category::Statement);
        }
        // An attack by an armed group at the border is a border incident and terrorism.
        for e in &events {
            if matches!(e.event_type, EventType::Attack | EventType::ArmedClash)
                && e.category == Category::BorderIncident
            {
                let terror = e.sentences.iter().any(|s| {
                    self.sentences
                        .binary_search_by_key(&s.start, |x| x.start)
                        .ok()
                        .is_some_and(|i| self.signals[i].armed_group || self.signals[i].has(Category::Terrorism))
                });
                if terror {
                    categories.insert(Category::Terrorism);
                }
            }
        }
        let mut actors: Vec<ActorId> = Vec::new();
        // Actors of history are the report's only when it names no others.
        let foreground = self.actors.iter().any(|(t, _, _)| !self.in_history(*t));
        for &(t, a, _) in &self.actors {
            if foreground && self.in_history(t) {
                continue;
            }
            if !actors.contains(&dict.actors[a].id) {
                actors.push(dict.actors[a].id.clone());
            }
        }
        // Who denies speaks in the report, even when named only by its country or capital.
        for d in &denials {
            if let Some(a) = &d.actor
                && !actors.contains(a)
            {
                actors.push(a.clone());
            }
        }
        let event_date = self.main_date(&events);
        let mut cited_sources: Vec<ActorId> = Vec::new();
        for &(_, a) in &self.cited {
            if !cited_sources.contains(&dict.actors[a].id) {
                cited_sources.push(dict.actors[a].id.clone());
            }
        }
        Extraction {
            categories: categories.into_iter().collect(),
            actors,
            places,
            unlisted_places,
            event_date,
            quantities: self.quantities.iter().map(|(_, q)| q.clone()).collect(),
            denials,
            claims,
            events,
            cited_sources,
            mentions,
            sentences: self.sentences.clone(),
        }
    }

    /// The places the gazetteer lacks that the text names by what they are, each in the
    /// country the text puts it in: the listed place right after it ("of Shigal
    /// district", "Дарвазского района"), a nationality word before it ("the Afghan
    /// village of"), the nearest listed place of its sentence, else of the sentence before,
    /// else the report's first.
    fn unlisted_places(&self) -> Vec<UnlistedPlace> {
        let sentence = |i: usize| self.tokens_of(self.sentence_of[i]);
        // Places someone came from or went to, or that lie across the border, and states
        // acting, do not say where an unlisted place is.
        let usable: Vec<(usize, &ResolvedPlace)> = self
            .places
            .iter()
            .filter(|(t, p)| {
                let (from, _) = sentence(*t);
                let elsewhere = (t.saturating_sub(3).max(from)..*t)
                    .any(|i| matches!(self.folded.folded(i), "from" | "to" | "across" | "из" | "до" | "towards"));
                !elsewhere && !self.stands_for_government(*t, p) && !self.is_aside(*t)
            })
            .map(|(t, p)| (*t, p))
            .collect();
        // A name spans a few tokens: what covers token `i` starts at most this many before it.
        const REACH: usize = 12;
        let names_at = |first: usize, last: usize, start: u32, end: u32| {
            let overlaps = |s: &Span| s.start < end && start < s.end;
            let from = first.saturating_sub(REACH);
            between(&self.places, |p| p.0, from, last + 1).iter().any(|(_, p)| overlaps(&p.span))
                || between(&self.actors, |a| a.0, from, last + 1).iter().any(|(_, _, s)| overlaps(s))
        };
        let mut out: Vec<UnlistedPlace> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for c in unlisted::candidates(self.text, self.folded, sentence) {
            if names_at(c.first, c.last, c.start, c.end) {
                continue;
            }
            let (from, to) = sentence(c.first);
            let within = between(&usable, |p| p.0, c.last + 1, (c.last + 11).min(to))
                .iter()
                .find(|(_, p)| p.kind != PlaceKind::Country)
                .map(|(_, p)| (*p).clone());
            // The nearest usable place, in the sentence if there is one there.
            let distance = |t: usize| if t > c.last { t - c.last } else { c.first - t };
            let after = usable.partition_point(|(t, _)| *t < c.first);
            let neighbours = [after.checked_sub(1), Some(after)].into_iter().flatten().filter_map(|i| usable.get(i));
            // Without one in its sentence, the last of the sentence before; else the
            // report's first place, where its lead puts it.
            let previous = from.checked_sub(1).map(|t| sentence(t).0..from);
            let nearest = neighbours
                .filter(|(t, _)| (from..to).contains(t))
                .min_by_key(|(t, _)| distance(*t))
                .or_else(|| usable.iter().rev().find(|(t, _)| previous.as_ref().is_some_and(|r| r.contains(t))))
                .or(usable.first())
                .map(|(_, p)| p.country);
            let country = within
                .as_ref()
                .map(|p| p.country)
                .or_else(|| {
                    // "the Afghan village of X": a nationality word, not a country's name.
                    (c.first.saturating_sub(3).max(from)..c.first).rev().find_map(|i| {
                        let t = &self.folded.tokens[i];
                        // "the Tajik side fired on the posts": the nationality of who acts.
                        let acting = i + 1 < c.first && {
                            let next = self.folded.folded(i + 1);
                            ["side", "troops", "forces", "military", "guards", "сторон", "войск", "силовик", "военн"]
                                .iter()
                                .any(|w| next.starts_with(w))
                        };
                        if acting || names_at(i, i, t.start, t.end) { None } else { self.nationality_at(i) }
                    })
                })
                .or_else(|| {
                    // "заставу «X» Республики Таджикистан", "the village of X in Afghanistan".
                    between(&self.places, |p| p.0, c.last + 1, (c.last + 4).min(to))
                        .iter()
                        .find(|(_, p)| p.kind == PlaceKind::Country)
                        .map(|(_, p)| p.country)
                })
                .or(nearest);
            let Some(country) = country else { continue };
            if seen.insert((unlisted::loose_key(&c.name), country)) {
                out.push(UnlistedPlace {
                    name: c.name,
                    kind: c.kind,
                    country,
                    within,
                    span: span(self.folded, c.first, c.last),
                });
            }
        }
        out
    }

    /// The places the report is about, coarser ones dropped when a finer one inside them
    /// is listed, each place once.
    fn document_places(&self) -> Vec<ResolvedPlace> {
        let mut places: Vec<ResolvedPlace> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        // Countries named only as where someone went ("retreated to Afghanistan", "ушли в
        // Афганистан"): kept only when the report names no place in another country.
        let mut gone_to: Vec<&ResolvedPlace> = Vec::new();
        // Places of history are the report's only when it names no others.
        let foreground = self.places.iter().any(|(t, _)| !self.in_history(*t));
        for (t, p) in &self.places {
            if self.stands_for_government(*t, p)
                || self.is_aside(*t)
                || self.is_origin_country(*t, p)
                || self.in_country_list(*t)
            {
                continue;
            }
            if foreground && self.in_history(*t) {
                continue;
            }
            if self.is_destination_country(*t, p) {
                gone_to.push(p);
            } else if seen.insert(&p.id) {
                places.push(p.clone());
            }
        }
        for p in gone_to {
            if !places.iter().any(|q| q.country != p.country) && seen.insert(&p.id) {
                places.push(p.clone());
            }
        }
        // A river or an area is where something happened only when no town, district or
        // crossing says it better; a province or a country gives way to a finer place in it.
        let is_fine = |p: &ResolvedPlace| {
            matches!(
                p.kind,
                PlaceKind::PopulatedPlace
                    | PlaceKind::District
                    | PlaceKind::Crossing
                    | PlaceKind::Bridge
                    | PlaceKind::RiverPort
                    | PlaceKind::Mountain
            )
        };
        let any_fine = places.iter().any(is_fine);
        // A district named after its centre gives way to the town ("Panj district", "the
        // town of Panj"): they share a name in the gazetteer.
        let dict = &self.extractor.dictionaries;
        let town_named = |district: &ResolvedPlace| {
            let names = &dict.places[district.entry].names;
            places.iter().any(|p| {
                p.kind == PlaceKind::PopulatedPlace
                    && p.country == district.country
                    && dict.places[p.entry].names.iter().any(|n| names.iter().any(|m| m.eq_ignore_ascii_case(n)))
            })
        };
        let finer_in = |container: &ResolvedPlace| match container.kind {
            PlaceKind::Country => places.iter().any(|p| p.kind != PlaceKind::Country && p.country == container.country),
            PlaceKind::Province => places.iter().any(|p| {
                p.country == container.country
                    && p.kind != PlaceKind::Province
                    && p.kind != PlaceKind::Country
                    && (is_fine(p) || p.admin1.as_deref().is_some_and(|a| Some(a) == container.admin1.as_deref()))
            }),
            PlaceKind::River | PlaceKind::Area => any_fine,
            PlaceKind::District => town_named(container),
            _ => false,
        };
        places.iter().filter(|p| !finer_in(p)).cloned().collect()
    }

    /// Whether a country is named at token `t` only as where people or goods came from, or
    /// as the far side of a border: "from Afghanistan", "из Афганистана", "с территории
    /// Афганистана", "границы Таджикистана с Афганистаном".
    fn is_origin_country(&self, t: usize, place: &ResolvedPlace) -> bool {
        if place.kind != PlaceKind::Country {
            return false;
        }
        let (from, _) = self.tokens_of(self.sentence_of[t]);
        let word = |back: usize| if t >= from + back { self.folded.folded(t - back) } else { "" };
        // "from neighbouring Afghanistan", "из сопредельной территории Афганистана".
        let neighbouring = |w: &str| matches!(w, "neighbouring" | "neighboring" | "сопредельн" | "соседн");
        let (w1, w2, w3) = (word(1), word(2), word(3));
        let area = |w: &str| matches!(w, "территор" | "сторон");
        // Threats said to come from a country are about that country: "threats from
        // Afghanistan", "угроз, исходящих из соседнего Афганистана".
        let threat = (t.saturating_sub(6).max(from)..t).any(|i| {
            let w = self.folded.folded(i);
            w.starts_with("threat") || w.starts_with("угроз") || w.starts_with("danger") || w.starts_with("опасност")
        });
        if threat {
            return false;
        }
        matches!(w1, "from" | "из" | "с" | "со")
            || (w2 == "from" && neighbouring(w1))
            || (matches!(w2, "с" | "со" | "из") && area(w1))
            || (matches!(w3, "с" | "со" | "из") && neighbouring(w2) && area(w1))
            || (w1 == "of" && w2 == "territory" && matches!(w3, "from" | "the"))
    }

    /// Whether a country is named at token `t` as where people or goods went: "to
    /// Afghanistan", "into Pakistan", "в Афганистан", "на территорию Ирана" (a Russian
    /// noun of place after "в" or "на" in the accusative, not the locative "в Афганистане").
    fn is_destination_country(&self, t: usize, place: &ResolvedPlace) -> bool {
        if place.kind != PlaceKind::Country {
            return false;
        }
        let (from, _) = self.tokens_of(self.sentence_of[t]);
        let raw = |i: usize| {
            let token = &self.folded.tokens[i];
            self.text.get(token.start as usize..token.end as usize).unwrap_or("")
        };
        let accusative = |i: usize| !raw(i).ends_with(['е', 'и', 'у']);
        if t < from + 1 {
            return false;
        }
        // English "to" is also the dative ("assistance to Tajikistan"): a destination only
        // after a verb of going or sending.
        let motion = (t.saturating_sub(5).max(from)..t - 1).any(|i| {
            let w = self.folded.folded(i);
            MOTION_STEMS.iter().any(|m| w.starts_with(m)) || matches!(w, "go" | "goes" | "going" | "gone" | "back")
        });
        // The end of a route: "from Tajikistan to Kazakhstan", "onward to Russia".
        let route = (t.saturating_sub(6).max(from)..t - 1)
            .any(|i| matches!(self.folded.folded(i), "from" | "onward" | "onwards"));
        match self.folded.folded(t - 1) {
            "into" | "towards" | "toward" => true,
            "to" => motion || route,
            "в" | "во" => accusative(t),
            // "на территорию Афганистана", "в сторону Ирана"
            "территор" | "сторон" if t >= from + 2 => {
                matches!(self.folded.folded(t - 2), "в" | "во" | "на") && raw(t - 1).ends_with(['ю', 'у'])
            }
            _ => false,
        }
    }

    /// Whether the weapons named at token `t` are fought with, not carried across: "exchanged
    /// fire with light and heavy weapons", "using heavy weaponry", "применить оружие",
    /// "попытались захватить оружие".
    fn weapons_in_use(&self, t: usize) -> bool {
        let (from, _) = self.tokens_of(self.sentence_of[t]);
        (t.saturating_sub(3).max(from)..t).any(|i| {
            let w = self.folded.folded(i);
            matches!(w, "using" | "heavy")
                || ["примен", "использова", "захват", "открыл"].iter().any(|stem| w.starts_with(stem))
        })
    }

    /// Whether token `t` is in a credit line, which names where a reporter was, not where
    /// anything happened: "X contributed to this report from Islamabad", "Reporting by Y in
    /// Kabul".
    fn in_credit_line(&self, t: usize) -> bool {
        let lines = self.credit_lines.get_or_init(|| {
            let word = |i: usize| self.folded.folded(i);
            (0..self.sentences.len())
                .map(|s| {
                    let (from, to) = self.tokens_of(s as u32);
                    (from..to.saturating_sub(1)).any(|i| {
                        let next = word(i + 1);
                        (word(i) == "contributed" && matches!(next, "to" | "reporting"))
                            || (word(i) == "reporting" && next == "by")
                    })
                })
                .collect()
        });
        lines.get(self.sentence_of[t] as usize).copied().unwrap_or(false)
    }

    /// Whether the place named at token `first` is only a reference point or a place
    /// someone meant to reach, not where anything happened: "opposite Afghanistan's Takhar
    /// province", "the border with Tajikistan", "граничит с
    /// Горно-Бадахшанской областью", "hoped to fly to Russia", "destined for dealers in
    /// Quetta", "собирались переправить к Пянджу".
    fn is_aside(&self, first: usize) -> bool {
        let (from, _) = self.tokens_of(self.sentence_of[first]);
        let word = |i: usize| self.folded.folded(i);
        let starts = |w: &str, stems: &[&str]| stems.iter().any(|s| w.starts_with(s));
        let reference = (first.saturating_sub(4).max(from)..first).any(|i| {
            let w = word(i);
            let next = if i + 1 < first { word(i + 1) } else { "" };
            starts(w, REFERENCE_WORDS) || (starts(w, BORDER_WORDS) && (next == "with" || next == "с" || next == "со"))
        });
        // "across the border from Afghanistan's Nimruz province": the far side, unless
        // something came from there ("brought across the border from Kandahar").
        let window = first.saturating_sub(7).max(from)..first;
        let across = (first.saturating_sub(3).max(from)..first).any(|i| word(i) == "from")
            && window.clone().any(|i| word(i) == "across")
            && !window.clone().any(|i| {
                let w = word(i);
                w == "brought" || MOTION_STEMS.iter().any(|m| w.starts_with(m))
            });
        if reference || across || self.is_hometown(first) {
            return true;
        }
        // A destination: a word of intent, then a word of direction, then the place.
        let window = first.saturating_sub(12).max(from)..first;
        let Some(intent) = window.clone().find(|&i| starts(word(i), INTENT_WORDS)) else {
            return false;
        };
        (intent + 1..first).any(|i| DIRECTION_WORDS.contains(&word(i)))
    }

    /// Whether the place named at token `first` is where a person comes from, not where
    /// anything happened: "resident of Karachi", "a native of Kunduz", "уроженец Хорога",
    /// and the lists of the dead or detained that give each one's age and home town
    /// ("Sepoy Sajid Ali, 27, Bahawalnagar").
    fn is_hometown(&self, first: usize) -> bool {
        let (from, _) = self.tokens_of(self.sentence_of[first]);
        let word = |i: usize| self.folded.folded(i);
        let back = |n: usize| if first >= from + n { word(first - n) } else { "" };
        let named_as_home = (matches!(back(2), "resident" | "residents" | "native" | "natives") && back(1) == "of")
            || (back(2) == "hailing" && back(1) == "from")
            || back(1).starts_with("уроженц")
            || back(1).starts_with("уроженк");
        if named_as_home {
            return true;
        }
        // ", 27, Bahawalnagar": an age between commas right before the place.
        if first < from + 2 {
            return false;
        }
        let age = first - 1;
        let tokens = &self.folded.tokens;
        let gap = |a: usize, b: usize| self.text.get(tokens[a].end as usize..tokens[b].start as usize).unwrap_or("");
        tokens[age].is_number
            && self.word(age).parse::<u32>().is_ok_and(|n| (14..=99).contains(&n))
            && gap(age, first).trim() == ","
            && gap(age - 1, age).trim() == ","
    }

    /// Whether the capital or country named at token `t` stands for its state ("Kabul
    /// denied", "urged Islamabad", "Pakistan's military", "Turkey has extradited") rather
    /// than for a place: capitals and countries are places only after a word of place
    /// ("in Kabul", "from Afghanistan", "в Кабуле", "из Афганистана").
    fn stands_for_government(&self, t: usize, place: &ResolvedPlace) -> bool {
        const PLACE_WORDS: &[&str] = &[
            "in",
            "at",
            "near",
            "from",
            "to",
            "outside",
            "into",
            "inside",
            "across",
            "of",
            "city",
            "capital",
            "в",
            "во",
            "из",
            "под",
            "у",
            "около",
            "до",
            "на",
            "по",
            "через",
            "город",
            "столиц",
            "окрестност",
            "район",
            "территори",
            "границ",
            "border",
            "территория",
            "территор",
            // "in northern Afghanistan", "на севере Афганистана"
            "north",
            "south",
            "east",
            "west",
            "northern",
            "southern",
            "eastern",
            "western",
            "север",
            "югу",
            "юг",
            "восток",
            "запад",
            "северн",
            "южн",
            "восточн",
            "западн",
            // "from neighbouring Afghanistan", "из соседнего Афганистана"
            "neighbouring",
            "neighboring",
            "соседн",
            "сопредельн",
        ];
        // "the authorities in Kabul", "власти в Кабуле": the government.
        let authorities = |b: usize| {
            let w = self.folded.folded(b);
            matches!(w, "authorities" | "government" | "officials" | "власт" | "правительств" | "руководств")
        };
        if is_capital(place)
            && t.checked_sub(2).is_some_and(|b| authorities(b) && matches!(self.folded.folded(b + 1), "in" | "в"))
        {
            return true;
        }
        // "the Embassy of Japan", "посольство Японии": the state that keeps the mission.
        let mission = |w: &str| w.starts_with("embass") || w.starts_with("consulat") || w.starts_with("посольств");
        if place.kind == PlaceKind::Country
            && (t.checked_sub(1).is_some_and(|b| mission(self.folded.folded(b)))
                || t.checked_sub(2)
                    .is_some_and(|b| mission(self.folded.folded(b)) && self.folded.folded(b + 1) == "of"))
        {
            return true;
        }
        // "the Security Council of the Republic of Kazakhstan", "Ambassador of Turkmenistan":
        // an office of the state.
        if place.kind == PlaceKind::Country {
            let mut b = t;
            let mut of = false;
            while b > 0 && t - b < 5 && matches!(self.folded.folded(b - 1), "of" | "the" | "republic") {
                of |= self.folded.folded(b - 1) == "of";
                b -= 1;
            }
            let office = b.checked_sub(1).is_some_and(|o| {
                let w = self.folded.folded(o);
                self.folded.tokens[o].capitalised && OFFICE_WORDS.iter().any(|s| w.starts_with(s))
            });
            if of && office {
                return true;
            }
        }
        (is_capital(place) || place.kind == PlaceKind::Country)
            && !t.checked_sub(1).is_some_and(|b| PLACE_WORDS.contains(&self.folded.folded(b)))
    }

    /// Whether the country named at token `t` is one of a list of four or more ("in
    /// Armenia, Belarus, Kazakhstan, Kyrgyzstan, Russia and Tajikistan"): the members of
    /// a body or the parties to a meeting, not where anything happened.
    fn in_country_list(&self, t: usize) -> bool {
        let joined = |a: &ResolvedPlace, b: &ResolvedPlace| {
            a.kind == PlaceKind::Country
                && b.kind == PlaceKind::Country
                && self
                    .text
                    .get(a.span.end as usize..b.span.start as usize)
                    .is_some_and(|gap| matches!(gap.trim(), "," | "and" | ", and" | "и" | ", и" | "&"))
        };
        // The list's members are neighbours among the report's places.
        let Ok(at) = self.places.binary_search_by_key(&t, |(u, _)| *u) else { return false };
        if self.places[at].1.kind != PlaceKind::Country {
            return false;
        }
        let mut first = at;
        while first > 0 && joined(&self.places[first - 1].1, &self.places[first].1) {
            first -= 1;
        }
        let mut last = at;
        while last + 1 < self.places.len() && joined(&self.places[last].1, &self.places[last + 1].1) {
            last += 1;
        }
        last - first + 1 >= 4
    }

    fn denials(&self) -> Vec<Denial> {
        let dict = &self.extractor.dictionaries;
        let country_of = |id: &ActorId| dict.actors.iter().find(|a| &a.id == id).and_then(|a| a.country);
        let is_government = |id: &ActorId| {
            country_of(id).and_then(|c| self.extractor.governments.get(&c)).is_some_and(|&g| &dict.actors[g].id == id)
        };
        let mut out: Vec<Denial> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        // Per country, the index in `out` of its denial and the sentence that made it.
        let mut countries: HashMap<CountryCode, (usize, u32)> = HashMap::new();
        for &(t, cue, _) in &self.cues {
            if cue != Cue::Denial {
                continue;
            }
            // "to deny safe haven to", "denied entry": refusing, not saying something is untrue.
            const REFUSED: &[&str] =
                &["safe", "haven", "havens", "sanctuary", "sanctuaries", "access", "entry", "space", "visa", "visas"];
            if self.folded.tokens.get(t + 1).is_some() && REFUSED.contains(&self.folded.folded(t + 1)) {
                continue;
            }
            let sentence = self.sentence_of[t];
            let mut actor = self.speaker(sentence, t);
            // A state named only by its country or capital, whose body speaks in the next
            // sentence ("Pakistan denied …. A spokesperson for Pakistan's Foreign Office
            // said …"), denies through that body.
            if let Some(id) = &actor
                && is_government(id)
                && !self.names_actor(sentence, id)
                && !((sentence + 1) < self.sentences.len() as u32 && self.names_actor(sentence + 1, id))
                && let Some(body) = self.speaker_of_next(sentence)
                && country_of(&dict.actors[body].id) == country_of(id)
            {
                actor = Some(dict.actors[body].id.clone());
            }
            // A state and its ministry repeating one denial are one denial: one per country,
            // by the body that made it first, or by the ministry that speaks for a state named
            // only by its country or capital ("Pakistan rejected …; the Foreign Office
            // spokesperson said …").
            if let Some(id) = &actor
                && let Some(country) = country_of(id)
            {
                if let Some(&(i, first_sentence)) = countries.get(&country) {
                    let first = out[i].actor.clone();
                    // (named: in its sentence, or in the next one that says who said it).
                    let named = |a: &ActorId| {
                        self.names_actor(first_sentence, a)
                            || ((first_sentence + 1) < self.sentences.len() as u32
                                && self.names_actor(first_sentence + 1, a))
                    };
                    if first.as_ref().is_some_and(|a| is_government(a) && !named(a)) && !is_government(id) {
                        out[i].actor = actor.clone();
                        continue;
                    }
                    // Another body of the same state (not the state itself, which is most
                    // often named again in comment), named where it denies and two or more
                    // sentences on ("The Defence Ministry also said the reports are false"),
                    // makes a denial of its own.
                    let named_apart = first.as_ref() != Some(id)
                        && !is_government(id)
                        && sentence > first_sentence + 1
                        && self.names_actor(sentence, id)
                        && !out.iter().any(|d| d.actor.as_ref() == Some(id));
                    if !named_apart {
                        continue;
                    }
                } else {
                    countries.insert(country, (out.len(), sentence));
                }
            }
            if seen.insert((actor.clone(), sentence)) {
                out.push(Denial { actor, span: self.sentences[sentence as usize] });
            }
        }
        out
    }

    /// The government of `country` in the era of the report's events ("Kabul" is the
    /// Afghan Republic's government before 15 August 2021 and the Taliban's after).
    fn government_of(&self, country: CountryCode) -> Option<usize> {
        let g = *self.extractor.governments.get(&country)?;
        let Some(day) = self.era_day else { return Some(g) };
        for &(before, after, from) in &self.extractor.eras {
            if day >= from && g == before {
                return Some(after);
            }
            if day < from && g == after {
                return Some(before);
            }
        }
        Some(g)
    }

    /// The actor next to the first verb of speech of the sentence after `sentence`.
    fn speaker_of_next(&self, sentence: u32) -> Option<usize> {
        let next = sentence + 1;
        if next as usize >= self.sentences.len() {
            return None;
        }
        let (from, to) = self.tokens_of(next);
        let &(verb, _, _) = self.cues_between(from, to).iter().find(|(_, c, _)| *c == Cue::Speech)?;
        self.actor_next_to(verb, from, to)
    }

    /// Whether `sentence` names `actor` itself (not a country or capital standing for it).
    fn names_actor(&self, sentence: u32, actor: &ActorId) -> bool {
        let (from, to) = self.tokens_of(sentence);
        let dict = &self.extractor.dictionaries;
        between(&self.actors, |a| a.0, from, to).iter().any(|(_, a, _)| &dict.actors[*a].id == actor)
    }

    /// Who speaks in `sentence` at the cue at token `at`. When a verb of speech follows a
    /// denial in the sentence ("the reports are false, the ministry said"), the speaker is
    /// the one next to that verb, not what the denial is about. Otherwise the nearest
    /// actor before the cue (the subject of "denied"), else the first after it, else a
    /// country or capital standing for its government, else the last actor of the
    /// sentence before.
    fn speaker(&self, sentence: u32, at: usize) -> Option<ActorId> {
        let dict = &self.extractor.dictionaries;
        let (from, to) = self.tokens_of(sentence);
        let is_denial = self.cues_between(at, at + 1).iter().any(|(_, c, _)| *c == Cue::Denial);
        if is_denial {
            // Words inside quotation marks are the speaker's: who speaks is named by the
            // verb after the closing mark ("«…» — заявил пресс-секретарь").
            if let Some(close) = self.quote_closing_after(at) {
                let end = (close + 8).min(self.folded.tokens.len());
                if let Some(&(verb, _, _)) = self.cues_between(close, end).iter().find(|(_, c, _)| *c == Cue::Speech)
                    && let Some(actor) = self.actor_next_to(verb, close, end)
                {
                    return Some(dict.actors[actor].id.clone());
                }
            }
            // "…, сообщил представитель МИД", "…, said the ministry": after a comma the one
            // who speaks follows the verb.
            let tokens = &self.folded.tokens;
            let after_comma = |verb: usize| {
                verb > 0
                    && self
                        .text
                        .get(tokens[verb - 1].end as usize..tokens[verb].start as usize)
                        .is_some_and(|gap| gap.contains(','))
            };
            let speech: Vec<usize> =
                self.cues_between(at + 1, to).iter().filter(|(_, c, _)| *c == Cue::Speech).map(|c| c.0).collect();
            if let Some(&verb) = speech.iter().find(|&&v| after_comma(v))
                && let Some(&(_, actor, _)) = between(&self.actors, |a| a.0, verb + 1, (verb + 6).min(to)).first()
            {
                return Some(dict.actors[actor].id.clone());
            }
            if let Some(&verb) = speech.first()
                && let Some(actor) = self.actor_next_to(verb, at + 1, to)
            {
                return Some(dict.actors[actor].id.clone());
            }
            if let Some(actor) = self.attributed_next(sentence) {
                return Some(dict.actors[actor].id.clone());
            }
            // "X stated that the publication about Y is untrue", "в ведомстве подчеркнули,
            // что заявление Y не соответствует действительности": who says it denies,
            // not Y; said by "the ministry" alone, it is the body the sentence before named.
            let complement = |verb: usize| (verb + 1..at).find(|&i| matches!(self.folded.folded(i), "that" | "что"));
            if let Some((verb, that)) = self
                .cues_between(from, at)
                .iter()
                .rev()
                .filter(|(_, c, _)| *c == Cue::Speech)
                .find_map(|&(verb, _, _)| complement(verb).map(|that| (verb, that)))
            {
                let before = between(&self.actors, |a| a.0, from, verb).last().map(|(_, a, _)| *a);
                let speaker = before.or_else(|| self.actor_next_to(verb, verb + 1, that)).or_else(|| {
                    // "the ministry" of the sentence before: its first body, its subject.
                    let (pf, pt) = self.tokens_of(sentence.checked_sub(1)?);
                    between(&self.actors, |a| a.0, pf, pt).first().map(|(_, a, _)| *a)
                });
                if let Some(actor) = speaker {
                    return Some(dict.actors[actor].id.clone());
                }
            }
        }
        // The subject: the nearest actor, or country or capital standing for its
        // government, before the cue (only the few places nearest it).
        let actor_before = between(&self.actors, |a| a.0, from, at).last().map(|(t, a, _)| (*t, *a));
        // A state is the subject only at the head of the sentence or a few words before the
        // cue ("Pakistan on Sunday denied"), not wherever it is named.
        let state_before = between(&self.places, |p| p.0, from, at).iter().rev().take(8).find_map(|(t, p)| {
            const NOT_SUBJECT: &[&str] = &[
                "with",
                "by",
                "on",
                "for",
                "against",
                "between",
                "and",
                "с",
                "со",
                "на",
                "по",
                "к",
                "от",
                "за",
                "и",
                "для",
                "против",
                "между",
            ];
            let subject_position = (*t == from || *t + 4 >= at)
                && !t.checked_sub(1).is_some_and(|b| b >= from && NOT_SUBJECT.contains(&self.folded.folded(b)));
            (subject_position && self.stands_for_government(*t, p))
                .then(|| self.government_of(p.country).map(|g| (*t, g)))
                .flatten()
        });
        // "Afghan officials denied", "пакистанские официальные лица опровергли": officials
        // named by their nationality just before the cue speak for their government.
        let officials_before = (at.saturating_sub(4).max(from + 1)..at).rev().find_map(|i| {
            let w = self.folded.folded(i);
            if !matches!(w, "officials" | "authorities" | "лиц" | "власт") {
                return None;
            }
            let back = if w == "лиц" { 2 } else { 1 };
            let country = self.nationality_at(i.checked_sub(back).filter(|&b| b >= from)?)?;
            self.government_of(country).map(|g| (i, g))
        });
        let state_before = match (state_before, officials_before) {
            (Some(s), Some(o)) => Some(if o.0 > s.0 { o } else { s }),
            (s, o) => s.or(o),
        };
        let subject = match (actor_before, state_before) {
            (Some(a), Some(s)) => Some(if s.0 > a.0 { s.1 } else { a.1 }),
            (a, s) => a.or(s).map(|x| x.1),
        };
        let after = between(&self.actors, |a| a.0, at + 1, to).first().map(|(_, a, _)| *a);
        if let Some(a) = subject.or(after) {
            return Some(dict.actors[a].id.clone());
        }
        let (from, to) = self.tokens_of(sentence.checked_sub(1)?);
        between(&self.actors, |a| a.0, from, to).last().map(|(_, a, _)| dict.actors[*a].id.clone())
    }

    /// The actor the sentence after `sentence` names as having said it: "Об этом заявил
    /// пресс-секретарь …", "The ministry's spokesman said this on Telegram", "This was
    /// stated by …".
    fn attributed_next(&self, sentence: u32) -> Option<usize> {
        let next = sentence + 1;
        if next as usize >= self.sentences.len() {
            return None;
        }
        let (from, to) = self.tokens_of(next);
        let refers_back = |i: usize| matches!(self.word(i).to_lowercase().as_str(), "this" | "этом" | "это" | "so");
        let &(verb, _, _) = self.cues_between(from, to).iter().find(|(v, c, _)| {
            *c == Cue::Speech && (v.saturating_sub(3).max(from)..(v + 3).min(to)).any(|i| i != *v && refers_back(i))
        })?;
        self.actor_next_to(verb, from, to)
    }

    /// When the token `at` lies inside quotation marks, the first token after the closing
    /// mark.
    fn quote_closing_after(&self, at: usize) -> Option<usize> {
        let start = self.folded.tokens[at].start;
        let quotes = self.quotes.get_or_init(|| quoted_passages(self.text));
        let i = quotes.partition_point(|q| q.0 < start).checked_sub(1)?;
        let (_, close) = quotes[i];
        (close > start).then(|| self.folded.tokens.partition_point(|t| t.start <= close))
    }

    /// The actor that speaks with the verb of speech at `verb`, within `from..to`: the
    /// one just before it ("the ministry said"), else the one just after it ("said the
    /// ministry", "according to the ministry").
    fn actor_next_to(&self, verb: usize, from: usize, to: usize) -> Option<usize> {
        const REACH: usize = 4;
        let reach = self.folded.tokens[verb.saturating_sub(REACH).max(from)].start;
        let before =
            between(&self.actors, |a| a.0, from, verb).last().filter(|(_, _, at)| at.end >= reach).map(|(_, a, _)| *a);
        before.or_else(|| {
            between(&self.actors, |a| a.0, verb + 1, (verb + 1 + REACH).min(to)).first().map(|(_, a, _)| *a)
        })
    }

    /// Whether someone speaks in `sentence`: an actor (or a capital standing for its
    /// government) is named in it, or a verb of speech ("said", "заявил") is there.
    fn has_speaker(&self, sentence: u32, _at: usize) -> bool {
        let (from, to) = self.tokens_of(sentence);
        !between(&self.actors, |a| a.0, from, to).is_empty()
            || between(&self.places, |p| p.0, from, to).iter().any(|(t, p)| self.stands_for_government(*t, p))
            || self.cues_between(from, to).iter().any(|(_, c, _)| *c == Cue::Speech)
    }

    /// Whether the accusation word at `t` is a criminal charge ("the men are accused of
    /// smuggling", "обвиняемые", "их обвиняют в"), not one party accusing another.
    fn is_charge(&self, t: usize) -> bool {
        let word = self.word(t).to_lowercase();
        let before = t.checked_sub(1).map(|b| self.folded.folded(b));
        word.starts_with("обвиняем")
            || word.starts_with("обвиняют")
            || before.is_some_and(|b| {
                matches!(b, "are" | "were" | "is" | "was" | "been" | "being" | "их") || person_noun(b).is_some()
            })
    }

    fn claims(&self) -> Vec<FoundClaim> {
        let mut out: Vec<FoundClaim> = Vec::new();
        for &(t, cue, _) in &self.cues {
            let stance = match cue {
                Cue::Speech => Stance::Asserted,
                Cue::Denial => Stance::Denied,
                _ => continue,
            };
            let sentence = self.sentence_of[t];
            let span = self.sentences[sentence as usize];
            let speaker = self.speaker(sentence, t);
            if speaker.is_none() {
                continue;
            }
            // Cues come in text order, so a sentence's claim is the last one made.
            match out.last_mut().filter(|c| c.span == span) {
                Some(existing) if stance == Stance::Denied => existing.stance = Stance::Denied,
                Some(_) => {}
                None => out.push(FoundClaim { speaker, stance, span }),
            }
        }
        out
    }

    /// The category an event of `event_type` in `sentence` belongs to: from what the
    /// sentence says, else from what the whole report says; `None` when neither tells.
    fn category(&self, event_type: EventType, sentence: u32) -> Option<Category> {
        // Forces sent or deployed by one state are not cooperation; exercises and
        // deployments with partners are.
        if event_type == EventType::ExerciseOrDeployment && !self.with_partners(sentence) {
            return None;
        }
        self.category_in(event_type, Some(sentence)).or_else(|| self.category_in(event_type, None))
    }

    fn category_in(&self, event_type: EventType, sentence: Option<u32>) -> Option<Category> {
        let signals = match sentence {
            Some(s) => self.signals.get(s as usize).copied().unwrap_or_default(),
            None => self.document_signals,
        };
        let has = |c: Category| signals.has(c);
        let armed_group = signals.armed_group;

        Some(match event_type {
            EventType::Agreement | EventType::ExerciseOrDeployment | EventType::PolicyAnnouncement => {
                Category::Cooperation
            }
            EventType::Threat | EventType::Accusation | EventType::Denial => Category::Statement,
            EventType::IllegalCrossing if has(Category::DrugTrafficking) || signals.drug_quantity => {
                Category::DrugTrafficking
            }
            EventType::IllegalCrossing if has(Category::WeaponsTrafficking) || signals.weapon_quantity => {
                Category::WeaponsTrafficking
            }
            // A crossing in a report about contraband is the smugglers' crossing, unless
            // the sentence speaks of migrants.
            EventType::IllegalCrossing
                if !has(Category::IllegalMigration)
                    && sentence.is_some()
                    && (self.document_signals.has(Category::DrugTrafficking)
                        || self.document_signals.drug_quantity) =>
            {
                Category::DrugTrafficking
            }
            EventType::IllegalCrossing
                if !has(Category::IllegalMigration)
                    && sentence.is_some()
                    && (self.document_signals.has(Category::WeaponsTrafficking)
                        || self.document_signals.weapon_quantity) =>
            {
                Category::WeaponsTrafficking
            }
            EventType::IllegalCrossing => Category::IllegalMigration,
            EventType::Seizure | EventType::Arrest => {
                let migration = has(Category::IllegalMigration) || signals.migrant_quantity;
                let terror = armed_group || has(Category::Terrorism);
                if has(Category::DrugTrafficking) || signals.drug_quantity {
                    Category::DrugTrafficking
                } else if has(Category::WeaponsTrafficking) || signals.weapon_quantity {
                    Category::WeaponsTrafficking
                } else if terror && (sentence.is_some() || !migration) {
                    Category::Terrorism
                } else if migration {
                    // Across a whole report, migrants outweigh a group named in passing.
                    Category::IllegalMigration
                } else {
                    return None;
                }
            }
            EventType::Attack | EventType::ArmedClash => {
                if has(Category::BorderIncident) || sentence.is_some_and(|s| self.at_the_border(s)) {
                    Category::BorderIncident
                } else if armed_group || has(Category::Terrorism) {
                    Category::Terrorism
                } else if sentence.is_some() {
                    return None;
                } else {
                    Category::BorderIncident
                }
            }
        })
    }

    /// Whether a sentence has partners in it: bodies of two states, an international body,
    /// or a word of working together ("joint", "multinational", "совместн").
    fn with_partners(&self, sentence: u32) -> bool {
        let dict = &self.extractor.dictionaries;
        let (from, to) = self.tokens_of(sentence);
        let mut countries = between(&self.actors, |a| a.0, from, to).iter().map(|(_, a, _)| dict.actors[*a].country);
        let first = countries.next();
        let two = first.is_some_and(|f| f.is_none() || countries.any(|c| c != f));
        two || (from..to).any(|i| {
            let w = self.folded.folded(i);
            ["joint", "multinational", "совместн", "together"].iter().any(|s| w.starts_with(s))
        })
    }

    /// Whether a sentence's fighting is at the border: a border service takes part ("Iranian
    /// border guards clashed with"), or fire comes from one country into another ("rockets
    /// were fired from the territory of Afghanistan to Uzbekistan").
    fn at_the_border(&self, sentence: u32) -> bool {
        let (from, to) = self.tokens_of(sentence);
        let dict = &self.extractor.dictionaries;
        let border_service = between(&self.actors, |a| a.0, from, to)
            .iter()
            .any(|(_, a, _)| dict.actors[*a].kind == ActorKind::BorderService);
        let places = between(&self.places, |p| p.0, from, to);
        // Fighting named a few words from a word of border: "crossfire on the
        // Afghanistan-Pakistan border", "перестрелка на границе" (not "the attackers had
        // crossed the border").
        let is_border = |i: usize| {
            let w = self.folded.folded(i);
            w.starts_with("border") || w.starts_with("frontier") || w.starts_with("границ") || w.starts_with("госгран")
        };
        let border_word = self.cues_between(from, to).iter().any(|&(t, cue, _)| {
            matches!(cue, Cue::Event(EventType::Attack | EventType::ArmedClash))
                && !self.folded.folded(t).starts_with("attacker")
                && (t.saturating_sub(6).max(from)..(t + 7).min(to)).any(is_border)
        });
        border_service
            || border_word
            || places
                .iter()
                .any(|(t, p)| self.is_origin_country(*t, p) && places.iter().any(|(_, q)| q.country != p.country))
    }

    fn events(
        &self,
        disputed: bool,
        first_place: Option<&ResolvedPlace>,
        unlisted: &[UnlistedPlace],
    ) -> Vec<FoundEvent> {
        let dict = &self.extractor.dictionaries;
        let mut events: Vec<FoundEvent> = Vec::new();
        // Events of background sentences are not the report's, unless it tells no others.
        let foreground = self.cues.iter().any(|(t, cue, _)| matches!(cue, Cue::Event(_)) && !self.in_background(*t));
        for &(t, cue, at) in &self.cues {
            let Cue::Event(event_type) = cue else { continue };
            if foreground && self.in_background(t) {
                continue;
            }
            let sentence = self.sentence_of[t];
            let sentence_span = self.sentences[sentence as usize];
            let Some(category) = self.category(event_type, sentence) else { continue };
            // A warning or an accusation is a statement only when someone makes it: "men
            // accused of smuggling" is a charge, not an accusation.
            if matches!(event_type, EventType::Threat | EventType::Accusation) && !self.has_speaker(sentence, t) {
                continue;
            }
            if event_type == EventType::Accusation && self.is_charge(t) {
                continue;
            }
            let trigger = Found { kind: MentionKind::Trigger, span: at, resolved: event_type.to_string() };
            let existing = events.iter().position(|e| e.event_type == event_type && e.category == category);
            // A second trigger in a sentence already read for this event adds only itself.
            if let Some(i) = existing
                && events[i].sentences.last() == Some(&sentence_span)
            {
                events[i].evidence.push(trigger);
                continue;
            }
            let (from, to) = self.tokens_of(sentence);
            let place = between(&self.places, |p| p.0, from, to)
                .iter()
                .find(|(pt, p)| !self.stands_for_government(*pt, p))
                .map(|(_, p)| p.clone());
            // A place the gazetteer lacks, in the listed one or where none is listed.
            let unlisted_place = unlisted
                .iter()
                .find(|u| {
                    sentence_span.start <= u.span.start
                        && u.span.end <= sentence_span.end
                        && place.as_ref().is_none_or(|p| {
                            p.country == u.country
                                && (u.within.as_ref().is_some_and(|w| w.id == p.id)
                                    || matches!(p.kind, PlaceKind::Country | PlaceKind::Province))
                        })
                })
                .cloned();
            let date = between(&self.dates, |d| d.0, from, to).first().map(|(_, d, _)| *d);
            let actors: Vec<FoundActor> = between(&self.actors, |a| a.0, from, to)
                .iter()
                .map(|&(_, a, actor_span)| FoundActor {
                    actor: dict.actors[a].id.clone(),
                    role: role(dict.actors[a].kind, event_type),
                    span: actor_span,
                })
                .collect();
            let quantities: Vec<FoundQuantity> =
                between(&self.quantities, |q| q.0, from, to).iter().map(|(_, q)| q.clone()).collect();
            let mut evidence = vec![trigger];
            if let Some(p) = &place {
                evidence.push(Found { kind: MentionKind::Place, span: p.span, resolved: p.id.to_string() });
            }
            for a in &actors {
                evidence.push(Found { kind: MentionKind::Actor, span: a.span, resolved: a.actor.to_string() });
            }
            for q in &quantities {
                evidence.push(Found {
                    kind: MentionKind::Quantity,
                    span: q.span,
                    resolved: format!("{} {} {}", q.kind, q.value, q.unit),
                });
            }
            if let Some(i) = existing {
                let event = &mut events[i];
                event.sentences.push(sentence_span);
                event.quantities.extend(quantities);
                for a in actors {
                    if !event.actors.iter().any(|x| x.actor == a.actor) {
                        event.actors.push(a);
                    }
                }
                if event.place.is_none() && event.unlisted_place.is_none() {
                    event.place = place;
                    event.unlisted_place = unlisted_place;
                }
                if event.when.is_none() {
                    event.when = date.map(When::day);
                }
                event.evidence.extend(evidence);
                continue;
            }
            let stance = if event_type == EventType::Denial {
                Stance::Asserted
            } else if disputed && category.is_threat() {
                Stance::Disputed
            } else {
                Stance::Asserted
            };
            events.push(FoundEvent {
                category,
                event_type,
                when: date.map(When::day),
                place,
                unlisted_place,
                actors,
                quantities,
                stance,
                confidence: 0.0,
                sentences: vec![sentence_span],
                evidence,
            });
        }
        let main = self.main_date(&events);
        for event in &mut events {
            if event.when.is_none() {
                event.when = main.or(self.published).map(|d| When { precision: Precision::Day, ..When::day(d) });
            }
            if event.place.is_none() {
                event.place = first_place.cloned();
            }
            let mut confidence: f32 = 0.4;
            confidence += if event.place.is_some() { 0.2 } else { 0.0 };
            confidence += if event.actors.is_empty() { 0.0 } else { 0.15 };
            confidence += if event.quantities.is_empty() { 0.0 } else { 0.15 };
            confidence += if event.sentences.len() > 1 { 0.1 } else { 0.0 };
            if event.stance == Stance::Disputed {
                confidence -= 0.2;
            }
            event.confidence = confidence.clamp(0.05, 0.95);
        }
        events
    }

    /// Whether the date at token `t` is the report's dateline.
    fn is_dateline(&self, t: usize) -> bool {
        dates::is_dateline(self.text, self.folded.tokens[t].start as usize)
    }

    /// Whether the date at token `t` dates a statement rather than an incident: a verb of
    /// speech or denial just before it ("said on Thursday", "заявил в четверг") or just
    /// after it ("on Thursday said").
    fn dates_statement(&self, t: usize) -> bool {
        let at = self.folded.tokens[t].start as usize;
        // The verb and the date in one clause: no comma, "that" or "что" between them.
        let one_clause = |a: usize, b: usize| {
            let between = self.text.get(a.min(b)..a.max(b)).unwrap_or(",");
            !between.contains(',') && !between.contains(" that ") && !between.contains(" что ")
        };
        self.cues_between(t.saturating_sub(3), t + 4).iter().any(|(c, cue, span)| {
            *c != t
                && self.sentence_of[*c] == self.sentence_of[t]
                && matches!(cue, Cue::Speech | Cue::Denial)
                && if *c < t { one_clause(span.end as usize, at) } else { one_clause(at, span.start as usize) }
        })
    }

    /// The date of the main event, by its relation to the event: the first date of a
    /// sentence that reports an event, unless it is the dateline's or a statement's; then a
    /// statement's date in such a sentence; then any other date; the dateline last.
    fn main_date(&self, events: &[FoundEvent]) -> Option<NaiveDate> {
        let mut event_sentence = vec![false; self.sentences.len()];
        for e in events.iter().filter(|e| e.category.is_threat() || e.category == Category::Cooperation) {
            for s in &e.sentences {
                if let Ok(i) = self.sentences.binary_search_by_key(&s.start, |x| x.start) {
                    event_sentence[i] = true;
                }
            }
        }
        let published = self.published;
        let plausible = |d: &NaiveDate| published.is_none_or(|p| *d <= p);
        // A report that leads with a denial is about the denial: its day is the one the
        // denial's sentence gives before the cue ("on Tuesday rejected"), or a verb of
        // speech ties to it, or the next sentence gives ("… отвергли обвинения. Заявление в
        // пятницу распространил …"), else the day of publication. A day after the cue in
        // its sentence is the denied incident's.
        const LEAD: u32 = 2;
        if let Some(&(t, _, _)) = self.cues.iter().find(|(_, c, _)| *c == Cue::Denial)
            && self.sentence_of[t] < LEAD
        {
            let (from, end) = self.tokens_of(self.sentence_of[t]);
            let (_, to) = self.tokens_of(self.sentence_of[t] + 1);
            let said = between(&self.dates, |d| d.0, from, to)
                .iter()
                .filter(|(at, _, _)| *at < t || *at >= end || self.dates_statement(*at))
                .map(|(_, d, _)| *d)
                .find(plausible);
            // Without a day of its own, the denial is the day's news, when the report dates
            // anything at all (else it gives no day, and has none).
            if let Some(day) = said.or(published.filter(|_| !self.dates.is_empty())) {
                return Some(day);
            }
        }
        let rank = |t: usize| {
            let in_event = event_sentence.get(self.sentence_of[t] as usize).copied().unwrap_or(false);
            if self.is_dateline(t) {
                3
            } else if in_event && !self.dates_statement(t) {
                0
            } else if in_event {
                1
            } else {
                2
            }
        };
        self.dates.iter().filter(|(_, d, _)| plausible(d)).min_by_key(|(t, _, _)| (rank(*t), *t)).map(|(_, d, _)| *d)
    }
}

const DRUGS: &[QuantityKind] = &[
    QuantityKind::Heroin,
    QuantityKind::Opium,
    QuantityKind::Hashish,
    QuantityKind::Cannabis,
    QuantityKind::Methamphetamine,
    QuantityKind::Cocaine,
    QuantityKind::OtherDrugs,
];
const WEAPONS: &[QuantityKind] = &[QuantityKind::Firearms, QuantityKind::Ammunition, QuantityKind::Explosives];

fn is_drug(kind: QuantityKind) -> bool {
    DRUGS.contains(&kind)
}

fn category_of_quantity(kind: QuantityKind) -> Option<Category> {
    if is_drug(kind) {
        Some(Category::DrugTrafficking)
    } else if WEAPONS.contains(&kind) {
        Some(Category::WeaponsTrafficking)
    } else if kind == QuantityKind::Migrants {
        Some(Category::IllegalMigration)
    } else {
        None
    }
}

fn role(kind: ActorKind, event_type: EventType) -> ActorRole {
    match (kind, event_type) {
        (_, EventType::Threat | EventType::Accusation | EventType::Denial) => ActorRole::Speaker,
        (_, EventType::Agreement | EventType::ExerciseOrDeployment | EventType::PolicyAnnouncement) => {
            ActorRole::Participant
        }
        (ActorKind::ArmedGroup | ActorKind::CriminalNetwork, _) => ActorRole::Perpetrator,
        _ => ActorRole::Authority,
    }
}

/// National capitals, whose names often stand for their governments.
fn is_capital(place: &ResolvedPlace) -> bool {
    matches!(
        place.name.as_str(),
        "Kabul"
            | "Dushanbe"
            | "Tashkent"
            | "Ashgabat"
            | "Islamabad"
            | "Tehran"
            | "Beijing"
            | "Moscow"
            | "Bishkek"
            | "Astana"
    )
}

fn mass_unit(word: &str) -> Option<Unit> {
    let w = word.trim_end_matches('.');
    if matches!(w, "kg" | "kgs" | "кг")
        || w.starts_with("kilogram")
        || w.starts_with("килограм")
        || w.starts_with("kilo")
    {
        Some(Unit::Kilogram)
    } else if matches!(w, "t" | "т" | "tons" | "ton" | "tonne" | "tonnes" | "тонн" | "тонна" | "тонны" | "тонну")
    {
        Some(Unit::Tonne)
    } else if matches!(w, "g" | "гр" | "г") || w.starts_with("gram") || w.starts_with("грамм") {
        Some(Unit::Gram)
    } else if matches!(w, "l" | "л") || w.starts_with("litre") || w.starts_with("liter") || w.starts_with("литр") {
        Some(Unit::Litre)
    } else {
        None
    }
}

/// What kind of people a noun counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Person {
    /// Migrants, refugees: people whose crossing is the offence.
    Migrant,
    /// People by what they did (smugglers, militants, suspects): never migrants.
    Role,
    /// People, men, citizens: what they are depends on the report.
    Generic,
}

/// The kind of people a folded noun counts, if it counts people. English stems match
/// singular and plural ("smuggler", "smugglers").
fn person_noun(folded: &str) -> Option<Person> {
    const MIGRANT: &[&str] = &["migrant", "refugee", "asylum", "мигрант", "беженц", "нелегал"];
    const ROLE: &[&str] = &[
        "militant",
        "fighter",
        "terrorist",
        "smuggler",
        "trafficker",
        "courier",
        "suspect",
        "member",
        "soldier",
        "guard",
        "servicem",
        "officer",
        "policem",
        "civilian",
        "intruder",
        "violator",
        "insurgent",
        "attacker",
        "gunm",
        "recruit",
        "organiser",
        "organizer",
        "accomplice",
        "extremist",
        "боевик",
        "террорист",
        "контрабандист",
        "наркокурьер",
        "курьер",
        "нарушител",
        "подозрева",
        "член",
        "военнослужащ",
        "пограничник",
        "сотрудник",
        "экстремист",
        "наркоторговц",
        "злоумышленник",
        "вербовщик",
        "сообщник",
        "организатор",
        "полицейск",
    ];
    const GENERIC: &[&str] = &[
        "people",
        "person",
        "persons",
        "men",
        "man",
        "women",
        "woman",
        "individual",
        "citizen",
        "national",
        "others",
        "afghan",
        "tajik",
        "uzbek",
        "pakistani",
        "iranian",
        "человек",
        "граждан",
        "гражданин",
        "жител",
        "афганц",
        "мужчин",
        "уроженц",
        "лиц",
    ];
    // Stems of four letters or more match as prefixes; shorter ones ("man") only whole.
    let matches = |stems: &[&str]| {
        stems.iter().any(|s| folded.starts_with(s) && (folded.len() == s.len() || s.chars().nth(3).is_some()))
    };
    if matches(MIGRANT) {
        Some(Person::Migrant)
    } else if matches(ROLE) {
        Some(Person::Role)
    } else if matches(GENERIC) {
        Some(Person::Generic)
    } else {
        None
    }
}

/// Russian collective numerals count people by themselves ("трое задержаны").
fn is_collective_numeral(word: &str) -> bool {
    matches!(
        word,
        "двое"
            | "трое"
            | "четверо"
            | "пятеро"
            | "шестеро"
            | "семеро"
            | "восьмеро"
            | "девятеро"
            | "десятеро"
            | "двоих"
            | "троих"
            | "четверых"
            | "пятерых"
            | "шестерых"
            | "семерых"
    )
}

#[cfg(test)]
mod tests;

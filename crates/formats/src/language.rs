//! Language detection for the languages reports in this region come in.
//!
//! The writing system decides the family; letters that only some languages use, and the
//! commonest short words, decide within it:
//! - Cyrillic: Tajik (ғ ӣ қ ӯ ҳ ҷ), Kazakh (ә ө ұ ү і ң), Uzbek (ў with қ ғ ҳ), Ukrainian
//!   (і ї є ґ), Kyrgyz (ң ө ү without Kazakh's ә ұ), else Russian when Russian function
//!   words are present;
//! - Arabic script: Pashto (ټ ډ ړ ښ ږ ګ ڼ ۍ ې), Urdu (ٹ ڈ ڑ ں ے ھ), Persian/Dari (پ چ ژ گ
//!   and Persian ی ک), else Arabic;
//! - Latin: English, Uzbek (Latin), French, German by function words;
//! - Han: Chinese.
//!
//! Statistical detectors trained on world languages confuse Tajik with Russian and some
//! Russian with Bulgarian; these rules do not, they are deterministic, and they cost one
//! pass over at most the first [`SAMPLE_BYTES`] of the text.

use model::Language;

/// How much of a text is looked at.
pub const SAMPLE_BYTES: usize = 16 * 1024;

/// Fewer letters than this and the language is undetermined.
const MIN_LETTERS: usize = 12;

/// A detected language and how sure the detector is, from 0 to 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    pub language: Language,
    pub confidence: f32,
}

impl Detection {
    fn undetermined() -> Self {
        Self { language: Language::undetermined(), confidence: 0.0 }
    }

    fn new(code: &str, confidence: f32) -> Self {
        Self {
            language: code.parse().unwrap_or_else(|_| Language::undetermined()),
            // A rule-based guess is never as certain as a declaration (which counts as 1).
            confidence: confidence.clamp(0.0, 0.98),
        }
    }
}

/// Detects the language of `text`.
pub fn detect(text: &str) -> Detection {
    let sample = prefix(text, SAMPLE_BYTES);
    let mut counts = ScriptCounts::default();
    for c in sample.chars().filter(|c| c.is_alphabetic()) {
        counts.add(c);
    }
    let letters = counts.total();
    if letters < MIN_LETTERS {
        return Detection::undetermined();
    }
    let (script, n) = counts.dominant();
    let share = n as f32 / letters as f32;
    let words = words(sample);
    match script {
        Script::Cyrillic => cyrillic(sample, &words, share),
        Script::Arabic => arabic(sample, share),
        Script::Latin => latin(&words, share),
        Script::Han => Detection::new("zh", share),
        Script::Other => Detection::undetermined(),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Cyrillic,
    Arabic,
    Han,
    Other,
}

#[derive(Default)]
struct ScriptCounts {
    latin: usize,
    cyrillic: usize,
    arabic: usize,
    han: usize,
    other: usize,
}

impl ScriptCounts {
    fn add(&mut self, c: char) {
        match c as u32 {
            0x41..=0x24F | 0x1E00..=0x1EFF => self.latin += 1,
            0x400..=0x52F => self.cyrillic += 1,
            0x600..=0x6FF | 0x750..=0x77F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => self.arabic += 1,
            0x4E00..=0x9FFF | 0x3400..=0x4DBF => self.han += 1,
            _ => self.other += 1,
        }
    }

    fn total(&self) -> usize {
        self.latin + self.cyrillic + self.arabic + self.han + self.other
    }

    fn dominant(&self) -> (Script, usize) {
        [
            (Script::Latin, self.latin),
            (Script::Cyrillic, self.cyrillic),
            (Script::Arabic, self.arabic),
            (Script::Han, self.han),
            (Script::Other, self.other),
        ]
        .into_iter()
        .max_by_key(|&(_, n)| n)
        .unwrap_or((Script::Other, 0))
    }
}

fn cyrillic(sample: &str, words: &[String], share: f32) -> Detection {
    let count = |set: &str| sample.chars().filter(|c| set.contains(c.to_lowercase().next().unwrap_or(*c))).count();
    let tajik = count("ӣӯҷ");
    let kazakh = count("әұі");
    let uzbek = count("ў");
    let ukrainian = count("їєґ");
    let turkic = count("ңөү");
    let shared_tg_uz = count("ғқҳ");
    let letters = sample.chars().filter(|c| c.is_alphabetic()).count().max(1);
    let per_mille = |n: usize| n * 1000 / letters;

    if tajik > 0 && per_mille(tajik + shared_tg_uz) >= 8 && tajik >= uzbek {
        return Detection::new("tg", share * 0.95);
    }
    if uzbek > 0 && per_mille(uzbek + shared_tg_uz) >= 8 {
        return Detection::new("uz", share * 0.9);
    }
    if count("әұ") > 0 && per_mille(kazakh + turkic + shared_tg_uz) >= 8 {
        return Detection::new("kk", share * 0.9);
    }
    if per_mille(turkic) >= 8 {
        return Detection::new("ky", share * 0.8);
    }
    if per_mille(ukrainian) >= 3 {
        return Detection::new("uk", share * 0.9);
    }
    let russian = function_word_share(words, RUSSIAN_WORDS);
    // Russian prose is about a quarter function words; a short headline has fewer.
    Detection::new("ru", share * (0.6 + russian.min(0.2) * 2.0))
}

fn arabic(sample: &str, share: f32) -> Detection {
    let count = |set: &str| sample.chars().filter(|c| set.contains(*c)).count();
    if count("ټډړښږګڼۍې") >= 3 {
        Detection::new("ps", share * 0.9)
    } else if count("ٹڈڑںےھ") >= 3 {
        Detection::new("ur", share * 0.85)
    } else if count("پچژگیک") >= 3 {
        Detection::new("fa", share * 0.85)
    } else {
        Detection::new("ar", share * 0.7)
    }
}

fn latin(words: &[String], share: f32) -> Detection {
    let scores = [
        ("en", function_word_share(words, ENGLISH_WORDS)),
        ("uz", function_word_share(words, UZBEK_WORDS)),
        ("fr", function_word_share(words, FRENCH_WORDS)),
        ("de", function_word_share(words, GERMAN_WORDS)),
    ];
    let (code, best) = scores.into_iter().fold(("und", 0.0f32), |acc, s| if s.1 > acc.1 { s } else { acc });
    if best < 0.04 {
        return Detection::undetermined();
    }
    Detection::new(code, share * (0.6 + best.min(0.2) * 2.0))
}

/// The share of `words` found in `list`.
fn function_word_share(words: &[String], list: &[&str]) -> f32 {
    if words.is_empty() {
        return 0.0;
    }
    let hits = words.iter().filter(|w| list.contains(&w.as_str())).count();
    hits as f32 / words.len() as f32
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphabetic() || c == '\'' || c == 'ʻ' || c == '‘'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

const ENGLISH_WORDS: &[&str] = &[
    "the", "and", "of", "to", "in", "a", "is", "was", "were", "for", "on", "that", "with", "by", "at", "from", "said",
    "has", "have", "had", "it", "as", "an", "be", "are", "this", "which", "their", "its", "near", "after", "were",
    "been", "into", "over", "than", "who", "not", "but", "they", "he", "she", "we", "will", "would", "also",
];
const RUSSIAN_WORDS: &[&str] = &[
    "и",
    "в",
    "на",
    "не",
    "что",
    "с",
    "по",
    "из",
    "за",
    "к",
    "о",
    "от",
    "для",
    "как",
    "а",
    "также",
    "был",
    "была",
    "были",
    "это",
    "его",
    "их",
    "при",
    "у",
    "со",
    "во",
    "до",
    "после",
    "сообщил",
    "сообщает",
];
const UZBEK_WORDS: &[&str] =
    &["va", "bilan", "uchun", "bu", "ham", "edi", "bo'yicha", "boʻyicha", "esa", "qilish", "yil"];
const FRENCH_WORDS: &[&str] = &["le", "la", "les", "et", "des", "du", "un", "une", "est", "dans", "pour", "qui", "sur"];
const GERMAN_WORDS: &[&str] =
    &["der", "die", "das", "und", "ist", "nicht", "mit", "von", "den", "zu", "ein", "eine", "auf"];

#[cfg(test)]
mod tests {
    use super::detect;

    fn code(text: &str) -> String {
        detect(text).language.to_string()
    }

    #[test]
    fn tells_the_languages_of_the_region_apart() {
        assert_eq!(
            code("Border guards seized 120 kilograms of heroin near the Panj river on Tuesday, the agency said."),
            "en"
        );
        assert_eq!(
            code("Пограничники задержали двух нарушителей границы и изъяли более 200 кг гашиша на участке отряда."),
            "ru"
        );
        assert_eq!(
            code(
                "Сарҳадбонони Тоҷикистон дар наздикии дарёи Панҷ 50 кило маводи мухаддир ёфтанд ва ду нафарро боздошт карданд."
            ),
            "tg"
        );
        assert_eq!(
            code("Чегарачилар Термиз яқинида гиёҳванд моддаларни қўлга олишди ва ҳужжатларни текширишди."),
            "uz"
        );
        assert_eq!(code("Шекара қызметі Қазақстан аумағында заңсыз өтушілерді ұстады және тексерді."), "kk");
        assert_eq!(code("مرزبانان در نزدیکی رود پنج مقدار زیادی مواد مخدر کشف کردند و چند نفر را بازداشت کردند"), "fa");
        assert_eq!(
            code(
                "Die Grenzpolizei hat am Dienstag mehrere Personen an der Grenze festgenommen und die Fahrzeuge durchsucht."
            ),
            "de"
        );
    }

    #[test]
    fn too_little_text_is_undetermined() {
        let d = detect("ISKP 12");
        assert!(d.language.is_undetermined());
        assert_eq!(d.confidence, 0.0);
    }

    #[test]
    fn confidence_is_higher_for_prose_than_for_a_name_list() {
        let prose =
            detect("The border troops said that the smugglers had crossed the river at night and were detained.");
        let names = detect("Panj Darvoz Shuroobod Farkhor Ishkashim Khorog Murghab Rushan");
        assert!(prose.confidence > 0.7, "{prose:?}");
        assert!(names.language.is_undetermined() || names.confidence < prose.confidence, "{names:?}");
    }
}

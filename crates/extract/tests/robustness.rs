//! No text makes extraction panic or return a span that does not point into the text:
//! random bytes read as UTF-8, huge lines, and the same pattern repeated many times. The
//! time these take grows linearly with their length: `beltwatch bench extract` prints
//! the scaling of the same pathological inputs, since timings are not asserted in tests.

use beltwatch_extract::{Extraction, Extractor};
use chrono::NaiveDate;

fn extractor() -> Extractor {
    Extractor::embedded().expect("the embedded dictionaries load")
}

/// Every span of `x` lies on character boundaries of `text`.
fn check_spans(text: &str, x: &Extraction) {
    let ok = |span: model::Span| span.start <= span.end && span.slice(text).is_some();
    assert!(x.mentions.iter().all(|m| ok(m.span)));
    assert!(x.sentences.iter().all(|s| ok(*s)));
    assert!(x.places.iter().all(|p| ok(p.span)));
    assert!(x.quantities.iter().all(|q| ok(q.span)));
    assert!(x.denials.iter().all(|d| ok(d.span)));
    for e in &x.events {
        assert!(e.sentences.iter().all(|s| ok(*s)));
        assert!(e.evidence.iter().all(|m| ok(m.span)));
        assert!(e.quantities.iter().all(|q| ok(q.span) && q.value.is_finite()));
    }
}

struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[test]
fn random_bytes_never_panic() {
    let extractor = extractor();
    let mut random = SplitMix(2026);
    let published = NaiveDate::from_ymd_opt(2026, 11, 25);
    for round in 0..300 {
        let len = (random.next() % 3000) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| random.next() as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        let x = extractor.extract(&text, if round % 2 == 0 { published } else { None });
        check_spans(&text, &x);
    }
}

#[test]
fn random_words_from_the_dictionaries_never_panic() {
    let extractor = extractor();
    let words: Vec<String> = extractor
        .dictionaries()
        .lexicon
        .iter()
        .map(|l| l.pattern.trim_end_matches('*').to_owned())
        .chain(extractor.dictionaries().actors.iter().take(50).map(|a| a.name.clone()))
        .chain(
            [
                "1.5",
                "200",
                "kg",
                "кг",
                "two",
                "трое",
                ".",
                ",",
                "\n",
                "«",
                "»",
                "12 октября",
                "on Tuesday",
                "Panj",
                "Хорог",
            ]
            .map(String::from),
        )
        .collect();
    let mut random = SplitMix(7);
    for _ in 0..200 {
        let n = (random.next() % 400) as usize;
        let text: Vec<&str> = (0..n).map(|_| words[(random.next() % words.len() as u64) as usize].as_str()).collect();
        let text = text.join(" ");
        let x = extractor.extract(&text, NaiveDate::from_ymd_opt(2026, 3, 1));
        check_spans(&text, &x);
    }
}

#[test]
fn huge_lines_and_repeated_patterns_never_panic() {
    let extractor = extractor();
    let published = NaiveDate::from_ymd_opt(2026, 11, 25);
    let inputs = [
        "a".repeat(1 << 20),
        "героина ".repeat(50_000),
        "1 кг героина ".repeat(20_000),
        "Panj Panj Khorog ".repeat(30_000),
        "Пограничники задержали ".repeat(20_000),
        "The Taliban denied. ".repeat(20_000),
        "1,000,000,000,000,000,000,000,000,000,000".repeat(1000),
        "9".repeat(100_000),
        ". . . ! ? … ".repeat(50_000),
        "on 12 October ".repeat(20_000),
        "«»\"\"''()".repeat(30_000),
        "ISKP ISIS-K ИГИЛ-Хорасан ".repeat(20_000),
        "two hundred thousand ".repeat(20_000),
    ];
    for text in &inputs {
        let x = extractor.extract(text, published);
        check_spans(text, &x);
    }
}

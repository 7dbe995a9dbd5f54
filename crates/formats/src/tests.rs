//! Decoders on small inputs, good and bad: each bad one must name where the problem is.

use expect_test::{Expect, expect};

use super::*;

/// Decodes `input` and renders what came out, one line per document or diagnostic.
fn check(kind: InputKind, input: &str, expected: Expect) {
    check_bytes(kind, input.as_bytes(), expected);
}

fn check_bytes(kind: InputKind, input: &[u8], expected: Expect) {
    let decoded = decode("in", kind, input);
    let mut out = String::new();
    if let Some(title) = &decoded.feed_title {
        out.push_str(&format!("feed: {title}\n"));
    }
    for c in decoded.candidates {
        let prepared = match prepare(c, &Limits::default()) {
            Ok(p) => p,
            Err(problem) => {
                out.push_str(&format!("rejected: {problem}\n"));
                continue;
            }
        };
        let c = &prepared.candidate;
        out.push_str(&format!(
            "doc {} [{}] title={:?} source={:?} published={:?} url={:?}\n  {:?}\n",
            c.locator.as_deref().unwrap_or("-"),
            prepared.language,
            c.title.as_deref().unwrap_or("-"),
            c.source.as_deref().unwrap_or("-"),
            c.published.map(|w| w.to_text()).unwrap_or_default(),
            c.url.as_deref().unwrap_or("-"),
            c.text,
        ));
    }
    for d in decoded.diagnostics {
        out.push_str(&format!("error: {d}\n"));
    }
    for n in decoded.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    expected.assert_eq(&out);
}

#[test]
fn text_with_front_matter() {
    check(
        InputKind::Text,
        "---\ntitle: Heroin seized near Panj\npublished: 2026-10-14\nsource: Panj Valley Monitor\nlanguage: en\n---\n\nBorder guards   seized 40 kg of heroin.\n\n\n\nTwo men were detained.\n",
        expect![[r#"
            doc - [en] title="Heroin seized near Panj" source="Panj Valley Monitor" published="2026-10-14" url="-"
              "Border guards seized 40 kg of heroin.\n\nTwo men were detained."
        "#]],
    );
}

#[test]
fn text_takes_a_short_first_line_as_title() {
    check(
        InputKind::Text,
        "Clash on the Panj river\n\nTajik border guards exchanged fire with a group of smugglers on the river at night, the agency said.",
        expect![[r#"
            doc - [en] title="Clash on the Panj river" source="-" published="" url="-"
              "Tajik border guards exchanged fire with a group of smugglers on the river at night, the agency said."
        "#]],
    );
}

#[test]
fn markdown_loses_its_markup_and_gives_its_heading_as_title() {
    check(
        InputKind::Markdown,
        "# Задержаны нарушители границы\n\nПограничники *задержали* двух [нарушителей](https://x.example) у Хорога.\n\n## Подробности\n\n- первый\n- второй\n",
        expect![[r#"
            doc - [ru] title="Задержаны нарушители границы" source="-" published="" url="-"
              "Пограничники задержали двух нарушителей у Хорога.\n\nПодробности\n\nпервый\nвторой"
        "#]],
    );
}

#[test]
fn bad_front_matter_names_the_line() {
    check(
        InputKind::Markdown,
        "---\ntitle: ok\npublished: last week\n---\nbody",
        expect![[r#"
            error: in: byte 14 (line 3, column 1): malformed front matter: invalid date "last week": expected an RFC 3339 timestamp, a YYYY-MM-DD date, a YYYY-MM month, a YYYY year or an RFC 2822 date
        "#]],
    );
    check(
        InputKind::Text,
        "---\ntitle: never closed\n\nbody",
        expect![[r#"
            error: in: line 1, column 1: malformed front matter: opening '---' has no closing '---' line
        "#]],
    );
}

#[test]
fn invalid_utf8_names_the_byte() {
    check_bytes(
        InputKind::Text,
        b"first line\nsecond \xff line",
        expect![[r#"
            error: in: byte 18 (line 2, column 8): invalid UTF-8
        "#]],
    );
}

#[test]
fn empty_documents_are_rejected() {
    check(
        InputKind::Text,
        " \n\u{200B}\n",
        expect![[r#"
        rejected: empty document: no text left after normalisation
    "#]],
    );
}

#[test]
fn documents_over_the_limit_are_rejected() {
    let big = "word ".repeat(100);
    let decoded = decode("in", InputKind::Text, big.as_bytes());
    let candidate = decoded.candidates.into_iter().next().expect("one candidate");
    let problem = prepare(candidate, &Limits { max_document_bytes: 100, ..Limits::default() }).expect_err("too large");
    assert_eq!(problem, Problem::TooLarge { size: 500, limit: 100 });
}

#[test]
fn json_array_with_a_bad_element_keeps_the_good_ones() {
    check(
        InputKind::Json,
        r#"[
          {"text": "Uzbek border guards detained eleven migrants near Termez.", "source": "Amu Darya Daily", "published": "2026-09-01"},
          {"title": "no text here"},
          {"text": "Пограничники задержали группу.", "published": 20260901},
          {"text": "ISKP claimed the attack in a statement on its channels.", "outlet": "Wire", "id": 7}
        ]"#,
        expect![[r#"
            doc $[0] [en] title="-" source="Amu Darya Daily" published="2026-09-01" url="-"
              "Uzbek border guards detained eleven migrants near Termez."
            doc $[3] [en] title="-" source="Wire" published="" url="-"
              "ISKP claimed the attack in a statement on its channels."
            error: in: $[1].text: invalid document: missing required field "text"
            error: in: $[2].published: invalid document: expected a string, found a number
        "#]],
    );
}

#[test]
fn malformed_json_names_line_and_column() {
    check(
        InputKind::Json,
        "[\n  {\"text\": \"a\"},\n  {\"text\": \"b\" \"title\": 1}\n]",
        expect![[r#"
            error: in: line 3, column 16: malformed JSON: expected `,` or `}`
        "#]],
    );
}

#[test]
fn json_lines_report_the_file_line() {
    check(
        InputKind::JsonLines,
        "{\"text\": \"Heroin was seized at the Nizhny Panj crossing by customs officers.\", \"language\": \"en\"}\n\n{\"text\": broken}\n[1, 2]\n{\"text\": \"Таможенники изъяли партию гашиша на пункте пропуска Нижний Пяндж.\"}\n",
        expect![[r#"
            doc line 1 [en] title="-" source="-" published="" url="-"
              "Heroin was seized at the Nizhny Panj crossing by customs officers."
            doc line 5 [ru] title="-" source="-" published="" url="-"
              "Таможенники изъяли партию гашиша на пункте пропуска Нижний Пяндж."
            error: in: line 3, column 10: malformed JSON: expected value
            error: in: line 4, $: invalid document: expected a document object, found an array
        "#]],
    );
}

#[test]
fn publication_months_and_years_are_kept_with_their_precision() {
    check(
        InputKind::JsonLines,
        concat!(
            "{\"text\": \"Customs officers seized heroin at Termez.\", \"published\": \"2022-05-17\"}\n",
            "{\"text\": \"Border guards detained two men near Panj.\", \"published\": \"2022-05\"}\n",
            "{\"text\": \"A report on the year at the border crossings.\", \"published\": \"2021\"}\n",
            "{\"text\": \"Thirteenth month.\", \"published\": \"2022-13\"}\n",
            "{\"text\": \"Half a month.\", \"published\": \"2022-5-\"}\n",
        ),
        expect![[r#"
            doc line 1 [en] title="-" source="-" published="2022-05-17" url="-"
              "Customs officers seized heroin at Termez."
            doc line 2 [en] title="-" source="-" published="2022-05" url="-"
              "Border guards detained two men near Panj."
            doc line 3 [en] title="-" source="-" published="2021" url="-"
              "A report on the year at the border crossings."
            error: in: line 4, $.published: invalid document: invalid date "2022-13": expected an RFC 3339 timestamp, a YYYY-MM-DD date, a YYYY-MM month, a YYYY year or an RFC 2822 date
            error: in: line 5, $.published: invalid document: invalid date "2022-5-": expected an RFC 3339 timestamp, a YYYY-MM-DD date, a YYYY-MM month, a YYYY year or an RFC 2822 date
        "#]],
    );
    check(
        InputKind::Markdown,
        "---\ntitle: Monthly summary\npublished: 2022-05\n---\n\nTwo crossings were closed.\n",
        expect![[r#"
            doc - [en] title="Monthly summary" source="-" published="2022-05" url="-"
              "Two crossings were closed."
        "#]],
    );
    check(
        InputKind::Json,
        r#"{"text": "Annual figures for the border.", "published": "2021"}"#,
        expect![[r#"
            doc - [en] title="-" source="-" published="2021" url="-"
              "Annual figures for the border."
        "#]],
    );
}

const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>Central Asia Security Wire</title>
  <language>en</language>
  <item>
    <title>Clash at the Panj</title>
    <link>https://wire.example/1</link>
    <guid>wire-1</guid>
    <pubDate>Tue, 13 Oct 2026 09:00:00 +0500</pubDate>
    <description><![CDATA[<p>Border guards   clashed with smugglers.</p><p>One smuggler was killed.</p><script>x()</script>]]></description>
  </item>
  <item><title>Empty</title><guid>wire-2</guid><description></description></item>
</channel></rss>"#;

#[test]
fn rss_items_become_documents() {
    check(
        InputKind::Feed,
        RSS,
        expect![[r#"
            feed: Central Asia Security Wire
            doc item 1 [en] title="Clash at the Panj" source="Central Asia Security Wire" published="2026-10-13T04:00:00.000Z" url="https://wire.example/1"
              "Border guards clashed with smugglers.\n\nOne smuggler was killed."
            error: in: item 2 ("Empty"): empty document: no text left after normalisation
        "#]],
    );
}

#[test]
fn atom_entries_become_documents() {
    check(
        InputKind::Feed,
        r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Хроника границы</title><id>urn:x</id><updated>2026-10-02T10:00:00Z</updated>
  <entry>
    <title>Задержан курьер</title><id>urn:x:1</id>
    <link href="https://chronicle.example/1"/>
    <updated>2026-10-02T10:00:00Z</updated>
    <content type="html">&lt;p&gt;Пограничники задержали курьера с партией героина.&lt;/p&gt;</content>
  </entry>
</feed>"#,
        expect![[r#"
            feed: Хроника границы
            doc item 1 [ru] title="Задержан курьер" source="Хроника границы" published="2026-10-02T10:00:00.000Z" url="https://chronicle.example/1"
              "Пограничники задержали курьера с партией героина."
        "#]],
    );
}

#[test]
fn malformed_feeds_name_the_position() {
    check(
        InputKind::Feed,
        "<rss version=\"2.0\"><channel>\n<title>x</title>\n<item><title>a</titel></item>\n</channel></rss>",
        expect![[r#"
            error: in: byte 60 (line 3, column 15): malformed feed: XML syntax: ill-formed document: expected `</title>`, but `</titel>` was found
        "#]],
    );
    check(
        InputKind::Feed,
        "<rss version=\"2.0\"><channel><title>x</title>",
        expect![[r#"
            error: in: byte 44 (line 1, column 45): malformed feed: file ends inside <channel>
        "#]],
    );
    check(
        InputKind::Feed,
        "just text",
        expect![[r#"
        error: in: byte 9 (line 1, column 10): malformed feed: no XML element found
    "#]],
    );
}

const PAGE: &str = r#"<!doctype html>
<html lang="ru"><head>
<title>Вести Бадахшана — Задержание на границе</title>
<meta property="article:published_time" content="2026-09-20T07:00:00Z">
<meta property="og:site_name" content="Вести Бадахшана">
<script>var tracking = "menu";</script><style>nav { color: red }</style>
</head><body>
<nav><a href="/">Главная</a> <a href="/news">Новости</a> <a href="/sport">Спорт</a></nav>
<div class="cookie">Мы используем файлы cookie. Принять</div>
<aside><h3>Самое читаемое</h3><a href="/a">Погода в Хороге</a></aside>
<article><h1>Задержание на границе</h1>
<p>В Ишкашимском районе пограничники задержали трёх нарушителей государственной границы, пытавшихся переправиться через реку Пяндж на надувной лодке.</p>
<p>У задержанных изъяли два автомата Калашникова и более 30 килограммов гашиша. По данным пресс-центра, группа действовала по заказу наркоторговцев с афганской стороны.</p>
<p>Расследование продолжается, сообщили в погранотряде.</p>
</article>
<footer>© Вести Бадахшана. Все права защищены.</footer>
</body></html>"#;

#[test]
fn html_keeps_the_article_and_drops_the_page_around_it() {
    let decoded = decode("page.html", InputKind::Html, PAGE.as_bytes());
    assert!(decoded.diagnostics.is_empty(), "{:?}", decoded.diagnostics);
    let prepared = prepare(decoded.candidates.into_iter().next().expect("one"), &Limits::default()).expect("valid");
    let text = &prepared.candidate.text;
    assert!(text.contains("задержали трёх нарушителей"), "{text}");
    assert!(text.contains("Расследование продолжается"), "{text}");
    for boilerplate in ["Главная", "cookie", "Самое читаемое", "Все права", "tracking", "color"]
    {
        assert!(!text.contains(boilerplate), "{boilerplate:?} left in {text:?}");
    }
    assert!(text.contains("\n\n"), "paragraphs kept: {text:?}");
    assert_eq!(prepared.language.as_str(), "ru");
    assert_eq!(prepared.candidate.source.as_deref(), Some("Вести Бадахшана"));
    assert_eq!(prepared.candidate.published.map(|w| w.to_text()).as_deref(), Some("2026-09-20T07:00:00.000Z"));
}

#[test]
fn the_same_report_in_two_formats_has_one_hash() {
    let text = prepare(
        decode("a.txt", InputKind::Text, b"Guards seized heroin.\n\nTwo were detained.").candidates.remove(0),
        &Limits::default(),
    )
    .expect("valid");
    let feed = "<rss version=\"2.0\"><channel><title>w</title><item><title>t</title><description><![CDATA[<p>Guards seized heroin.</p>\n<p>Two  were detained.</p>]]></description></item></channel></rss>";
    let item = prepare(decode("f.rss", InputKind::Feed, feed.as_bytes()).candidates.remove(0), &Limits::default())
        .expect("valid");
    assert_eq!(text.hash, item.hash);
}

#[test]
fn input_kinds_from_names_and_responses() {
    assert_eq!(InputKind::from_extension("JSONL"), Some(InputKind::JsonLines));
    assert_eq!(InputKind::from_extension("pdf"), None);
    assert_eq!(InputKind::from_content_type(Some("application/rss+xml; charset=utf-8"), b""), Some(InputKind::Feed));
    assert_eq!(InputKind::from_content_type(Some("text/xml"), b"<?xml version='1.0'?><feed>"), Some(InputKind::Feed));
    assert_eq!(InputKind::from_content_type(None, b"<!DOCTYPE html><html>"), Some(InputKind::Html));
    assert_eq!(InputKind::from_content_type(Some("application/pdf"), b"%PDF"), None);
}

// ---- Hostile nesting: decoded in linear time, text kept or a positioned diagnostic ----

const REPORT: &str = "Border guards seized 40 kg of heroin near Panj on Tuesday.";

#[test]
fn html_nested_a_hundred_thousand_levels_keeps_its_text() {
    let page = format!("<html><body>{}<p>{REPORT}</p></body></html>", "<div>".repeat(100_000));
    let decoded = decode("deep.html", InputKind::Html, page.as_bytes());
    assert_eq!(decoded.diagnostics, []);
    assert_eq!(decoded.candidates.len(), 1);
    assert_eq!(decoded.candidates[0].text.trim(), REPORT);
    let notes: Vec<String> = decoded.notes.iter().map(ToString::to_string).collect();
    // Below the 256th <div>, the other divs and the <p> go.
    let first_dropped = "<html><body>".len() + 5 * 256;
    assert_eq!(
        notes,
        [format!(
            "deep.html: byte {first_dropped} (line 1, column {}): markup nested deeper than 256 elements: 99745 tags below that depth dropped, their text kept",
            first_dropped + 1
        )]
    );
}

#[test]
fn html_within_the_bound_gets_no_note() {
    let page = format!("<html><body>{}<p>{REPORT}</p></body></html>", "<div>".repeat(200));
    let decoded = decode("page.html", InputKind::Html, page.as_bytes());
    assert_eq!(decoded.notes, []);
    assert_eq!(decoded.candidates[0].text.trim(), REPORT);
}

#[test]
fn deeply_nested_json_is_a_positioned_diagnostic() {
    let json = format!("{{\"text\": \"{REPORT}\", \"extra\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let decoded = decode("deep.json", InputKind::Json, json.as_bytes());
    assert_eq!(decoded.candidates, []);
    let diagnostics: Vec<String> = decoded.diagnostics.iter().map(ToString::to_string).collect();
    // The parser stops on the 128th bracket: its column, counted from 0, is named.
    let column = json.find('[').expect("an array") + 127;
    assert_eq!(diagnostics, [format!("deep.json: line 1, column {column}: malformed JSON: recursion limit exceeded")]);
}

#[test]
fn deeply_nested_json_lines_are_positioned_and_the_other_lines_kept() {
    let deep = format!("{{\"text\": \"x\", \"extra\": {}{}}}", "{\"a\":".repeat(50_000), "}".repeat(50_000));
    let input = format!("{{\"text\": \"{REPORT}\"}}\n{deep}\n{{\"text\": \"Second report.\"}}\n");
    let decoded = decode("wire.jsonl", InputKind::JsonLines, input.as_bytes());
    assert_eq!(decoded.candidates.len(), 2);
    let diagnostics: Vec<String> = decoded.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(diagnostics.len(), 1);
    assert!(diagnostics[0].starts_with("wire.jsonl: line 2, column "), "{diagnostics:?}");
    assert!(diagnostics[0].ends_with("malformed JSON: recursion limit exceeded"), "{diagnostics:?}");
}

#[test]
fn deeply_nested_feed_xml_is_a_positioned_diagnostic() {
    let open = "<rss version=\"2.0\"><channel><title>Wire</title><item><title>t</title><description>";
    let xml = format!(
        "{open}{}{REPORT}{}</description></item></channel></rss>",
        "<x>".repeat(100_000),
        "</x>".repeat(100_000)
    );
    let decoded = decode("deep.rss", InputKind::Feed, xml.as_bytes());
    assert_eq!(decoded.candidates, []);
    let diagnostics: Vec<String> = decoded.diagnostics.iter().map(ToString::to_string).collect();
    // <rss>, <channel>, <item>, <description> and 252 <x>: the next one is too deep.
    let offset = open.len() + 3 * 252;
    assert_eq!(
        diagnostics,
        [format!(
            "deep.rss: byte {offset} (line 1, column {}): malformed feed: elements nested deeper than 256",
            offset + 1
        )]
    );
}

#[test]
fn feed_items_with_deeply_nested_html_keep_their_text() {
    let item = format!("{}{REPORT}", "&lt;div&gt;".repeat(100_000));
    let xml = format!(
        "<rss version=\"2.0\"><channel><title>Wire</title><item><title>Seizure</title><description>{item}</description></item></channel></rss>"
    );
    let decoded = decode("wire.rss", InputKind::Feed, xml.as_bytes());
    assert_eq!(decoded.diagnostics, []);
    assert_eq!(decoded.candidates.len(), 1);
    assert_eq!(decoded.candidates[0].text.trim(), REPORT);
    let notes: Vec<String> = decoded.notes.iter().map(ToString::to_string).collect();
    assert_eq!(
        notes,
        [
            "wire.rss: item 1 (\"Seizure\"): markup nested deeper than 256 elements: 99744 tags below that depth dropped, their text kept"
        ]
    );
}

#[test]
fn deeply_nested_markdown_keeps_its_text() {
    let markdown = format!("{}{REPORT}\n", "> ".repeat(100_000));
    let decoded = decode("deep.md", InputKind::Markdown, markdown.as_bytes());
    assert_eq!(decoded.diagnostics, []);
    assert!(decoded.candidates[0].text.contains(REPORT));
}

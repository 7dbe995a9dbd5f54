//! Every decoder on random edits of its fuzz seeds (`fuzz/corpus/`): it never panics,
//! every diagnostic and note says where, and a page's nesting stays bounded once parsed.
//! The stable-Rust stand-in for the libFuzzer targets in `fuzz/`; `PROPTEST_CASES`
//! raises the number of cases.

#[path = "../../../fuzz/mutate.rs"]
mod mutate;

use beltwatch_formats::{
    Decoded, InputKind, Limits, MAX_PARSED_HTML_DEPTH, Position, decode, decode_json_line, parsed_html_depth, prepare,
};
use proptest::prelude::*;

const MARKUP: &[&str] = &[
    "<div>",
    "</div>",
    "<p>",
    "<li>",
    "<table><tr><td>",
    "<select>",
    "<svg>",
    "<math>",
    "<b>",
    "</b>",
    "<!--",
    "-->",
    "<script>",
    "</script>",
    "<textarea>",
    "<form>",
    "</form>",
    "<template>",
    "\"",
    "'",
    "=",
    "/>",
    "&lt;",
    "&amp;",
    "<![CDATA[",
    "]]>",
    "<font color=x>",
    "<annotation-xml encoding=text/html>",
    "<foreignObject>",
    "<plaintext>",
];
const FEED: &[&str] = &[
    "<item>",
    "</item>",
    "<entry>",
    "</entry>",
    "<description>",
    "</description>",
    "<content type=\"xhtml\">",
    "<title>",
    "<link href=\"x\"/>",
    "<![CDATA[",
    "]]>",
    "&lt;div&gt;",
    "&amp;",
    "<?xml version=\"1.0\"?>",
    "<x>",
    "</x>",
    "\"",
    "<rss version=\"2.0\">",
    "<feed xmlns=\"http://www.w3.org/2005/Atom\">",
];
const JSON: &[&str] =
    &["{", "}", "[", "]", ",", ":", "\"", "\\", "\\u00", "null", "1e999", "\"text\":", "\"published\":", "\n"];
const TEXT: &[&str] =
    &["---\n", "title: ", "published: ", "language: ", "\n\n", "# ", "> ", "* ", "```", "\r\n", ":", "[a](", "<div>"];

fn config() -> ProptestConfig {
    ProptestConfig { cases: mutate::cases(48), ..ProptestConfig::default() }
}

/// The checks every decoder's output passes.
fn check(decoded: Decoded) {
    for diagnostic in decoded.diagnostics.iter().chain(&decoded.notes) {
        assert!(diagnostic.position.is_some(), "unplaced: {diagnostic}");
    }
    for candidate in decoded.candidates {
        let _ = prepare(candidate, &Limits::default());
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn text_and_markdown((_, input) in mutate::mutated("text", TEXT)) {
        check(decode("in.txt", InputKind::Text, &input));
        check(decode("in.md", InputKind::Markdown, &input));
    }

    #[test]
    fn html((_, input) in mutate::mutated("html", MARKUP)) {
        check(decode("in.html", InputKind::Html, &input));
        if let Ok(html) = std::str::from_utf8(&input) {
            let depth = parsed_html_depth(html);
            prop_assert!(depth <= MAX_PARSED_HTML_DEPTH, "parsed {} deep after bounding", depth);
        }
    }

    #[test]
    fn json((_, input) in mutate::mutated("json", JSON)) {
        check(decode("in.json", InputKind::Json, &input));
    }

    #[test]
    fn json_lines((_, input) in mutate::mutated("jsonl", JSON)) {
        check(decode("in.jsonl", InputKind::JsonLines, &input));
        let Ok(text) = std::str::from_utf8(&input) else { return Ok(()) };
        for (index, line) in text.split_inclusive('\n').enumerate() {
            let number = index as u64 + 1;
            if let Err(diagnostic) = decode_json_line("in.jsonl", number, line) {
                let placed = match diagnostic.position {
                    Some(Position::LineColumn { line, .. }) | Some(Position::JsonPath { line: Some(line), .. }) => line,
                    _ => 0,
                };
                prop_assert_eq!(placed, number, "{}", diagnostic);
            }
        }
    }

    #[test]
    fn feeds((_, input) in mutate::mutated("feed", FEED)) {
        check(decode("in.rss", InputKind::Feed, &input));
    }
}

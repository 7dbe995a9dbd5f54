//! Bounding how deeply a web page nests before it is parsed.
//!
//! The HTML parser checks scopes by walking its stack of open elements, and readability
//! scoring measures the text under every element, so a page nested thousands of levels
//! deep (`<div>` a hundred thousand times is a 500 kB page) costs time that grows with
//! the square and the cube of its depth. [`bound_depth`] reads the page once, following
//! the parser's rules closely enough to count its open elements from above, and drops the
//! start tags (with their end tags) that would open an element deeper than the bound. The
//! text is kept; only the markup below the bound goes. Pages within the bound are returned
//! as they are.
//!
//! The count errs high: an element the parser would close or ignore may still be counted,
//! so a page the parser would keep shallow can be flattened (never the reverse, which
//! `tests::parsed_depth_stays_within_the_bound` and the fuzz target check). Rules that only
//! ever make the parser's stack shallower (implied end tags, most insertion modes) are
//! left out for that reason.

use std::borrow::Cow;
use std::collections::HashMap;

/// Open elements at most: far beyond real pages (browsers cut at 512), small enough that
/// scoring stays fast.
pub(crate) const MAX_DEPTH: usize = 256;

/// Formatting elements (`<b>`, `<font>`...) the parser may reopen after they were closed
/// implicitly; past this many, further ones are dropped.
const MAX_FORMATTING: usize = 64;

/// A page with its nesting bounded.
#[derive(Debug)]
pub(crate) struct Bounded<'h> {
    pub html: Cow<'h, str>,
    /// Start tags dropped.
    pub dropped: usize,
    /// The byte offset of the first start tag dropped.
    pub first_dropped: Option<usize>,
}

/// `html` with every start tag that would open more than `max_depth` elements dropped,
/// with its end tag; one pass, in time linear in the length of `html`.
pub(crate) fn bound_depth(html: &str, max_depth: usize) -> Bounded<'_> {
    let mut scanner = Scanner::new(html, max_depth);
    scanner.run();
    let html = match scanner.out {
        Some(mut out) => {
            out.push_str(&html[scanner.copied..]);
            Cow::Owned(out)
        }
        None => Cow::Borrowed(html),
    };
    Bounded { html, dropped: scanner.dropped, first_dropped: scanner.first_dropped }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Namespace {
    Html,
    Svg,
    MathMl,
}

#[derive(Debug)]
struct Open {
    /// Lower case.
    name: String,
    namespace: Namespace,
    /// A MathML `<annotation-xml>` whose encoding is HTML.
    holds_html: bool,
}

impl Open {
    fn is_html(&self, name: &str) -> bool {
        self.namespace == Namespace::Html && self.name == name
    }

    /// MathML's `mi`, `mo`, `mn`, `ms`, `mtext`.
    fn is_mathml_text_integration_point(&self) -> bool {
        self.namespace == Namespace::MathMl && matches!(self.name.as_str(), "mi" | "mo" | "mn" | "ms" | "mtext")
    }

    /// SVG's `foreignObject`, `desc`, `title`.
    fn is_svg_integration_point(&self) -> bool {
        self.namespace == Namespace::Svg && matches!(self.name.as_str(), "foreignobject" | "desc" | "title")
    }
}

/// An entry of the parser's list of active formatting elements.
#[derive(Debug)]
enum Active {
    Marker,
    Element { name: String, on_stack: bool },
}

struct Scanner<'h> {
    html: &'h str,
    bytes: &'h [u8],
    max_depth: usize,
    stack: Vec<Open>,
    active: Vec<Active>,
    /// Per tag name, start tags dropped whose end tag has not come yet.
    dropped_open: HashMap<String, usize>,
    dropped: usize,
    first_dropped: Option<usize>,
    /// The rewritten page, once something is dropped; `html[copied..]` is not in it yet.
    out: Option<String>,
    copied: usize,
}

impl<'h> Scanner<'h> {
    fn new(html: &'h str, max_depth: usize) -> Self {
        Self {
            html,
            bytes: html.as_bytes(),
            max_depth,
            stack: Vec::new(),
            active: Vec::new(),
            dropped_open: HashMap::new(),
            dropped: 0,
            first_dropped: None,
            out: None,
            copied: 0,
        }
    }

    fn run(&mut self) {
        let mut at = 0;
        let mut text_from = 0;
        while let Some(found) = self.bytes[at..].iter().position(|&b| b == b'<') {
            let lt = at + found;
            if lt > text_from {
                self.text();
            }
            at = match self.bytes.get(lt + 1) {
                Some(b'!') => self.markup_declaration(lt),
                Some(b'?') => skip_past(self.bytes, lt + 2, b">"),
                Some(b'/') => match self.bytes.get(lt + 2) {
                    Some(b) if b.is_ascii_alphabetic() => self.end_tag(lt),
                    Some(b'>') => lt + 3,
                    Some(_) => skip_past(self.bytes, lt + 2, b">"),
                    None => lt + 1,
                },
                Some(b) if b.is_ascii_alphabetic() => self.start_tag(lt),
                _ => lt + 1,
            };
            // Text starts after a tag; a lone `<` is text itself.
            text_from = if at == lt + 1 { lt } else { at };
        }
        if self.bytes.len() > text_from {
            self.text();
        }
    }

    /// `<!--...-->`, `<!DOCTYPE ...>`, `<![CDATA[...]]>` and other `<!...>`: returns where
    /// the markup ends. CDATA is taken to end at its first `>`, as it does outside SVG and
    /// MathML; inside them it ends later, which only makes more of the page count.
    fn markup_declaration(&self, lt: usize) -> usize {
        let bytes = self.bytes;
        if !bytes[lt + 2..].starts_with(b"--") {
            return skip_past(bytes, lt + 2, b">");
        }
        let start = lt + 4;
        if bytes[start..].starts_with(b">") {
            return start + 1;
        }
        if bytes[start..].starts_with(b"->") {
            return start + 2;
        }
        // A comment ends at the first `-->` or `--!>`.
        let mut at = start;
        while let Some(dashes) = find(bytes, at, b"--") {
            let after = &bytes[dashes + 2..];
            if after.starts_with(b">") {
                return dashes + 3;
            }
            if after.starts_with(b"!>") {
                return dashes + 4;
            }
            at = dashes + 1;
        }
        bytes.len()
    }

    fn start_tag(&mut self, lt: usize) -> usize {
        let Some(tag) = read_tag(self.bytes, lt + 1) else {
            // A tag cut off by the end of the input is not a tag.
            return self.bytes.len();
        };
        let name = tag.name.as_str();
        // Dropped before anything else, so that neither the parser nor the count sees it.
        if self.stack.len() >= self.max_depth || (is_formatting(name) && self.formatting_count() >= MAX_FORMATTING) {
            self.drop_tag(lt, tag.end, name);
            return tag.end;
        }
        if self.is_foreign_for(name) {
            if breaks_out_of_foreign_content(name, tag.has_font_attributes) {
                self.leave_foreign_content();
            } else {
                // An element of the same namespace; `/>` closes it at once.
                if !tag.self_closing {
                    let namespace = self.stack.last().map_or(Namespace::Html, |o| o.namespace);
                    self.push(name, namespace, tag.html_encoding);
                }
                return tag.end;
            }
        }
        if self.in_select() {
            return self.start_tag_in_select(lt, tag);
        }
        self.reconstruct_formatting();
        match name {
            "svg" | "math" => {
                if !tag.self_closing {
                    let namespace = if name == "svg" { Namespace::Svg } else { Namespace::MathMl };
                    self.push(name, namespace, false);
                }
                return tag.end;
            }
            _ if is_void(name) || matches!(name, "html" | "head" | "body" | "frame" | "col") => return tag.end,
            // Table parts outside a table are ignored.
            "caption" | "colgroup" | "tbody" | "thead" | "tfoot" | "tr" | "td" | "th" if !self.in_table() => {
                return tag.end;
            }
            _ => {}
        }
        self.close_implied_by(name);
        self.push(name, Namespace::Html, false);
        if is_formatting(name) {
            self.active.push(Active::Element { name: name.to_owned(), on_stack: true });
        } else if is_marker(name) {
            self.active.push(Active::Marker);
        }
        self.after_html_start(name, tag.end)
    }

    /// Where reading goes on after an HTML element named `name` opened: past its text,
    /// for the elements whose content is text.
    fn after_html_start(&mut self, name: &str, end: usize) -> usize {
        let reads_text = matches!(
            name,
            "script" | "style" | "xmp" | "iframe" | "noembed" | "noframes" | "textarea" | "title" | "plaintext"
        );
        // In a frameset the parser ignores these elements and reads on as markup.
        if !reads_text || self.stack.iter().any(|o| o.is_html("frameset")) {
            return end;
        }
        if name == "plaintext" {
            return self.bytes.len();
        }
        // The content is text up to the element's own end tag, which closes it.
        self.raw_text_end(end, name)
    }

    /// A `<select>` takes options, groups and scripts; a few tags close it first, and the
    /// parser ignores every other.
    fn start_tag_in_select(&mut self, lt: usize, tag: Tag) -> usize {
        let name = tag.name.as_str();
        let closes_select = matches!(name, "select" | "input" | "keygen" | "textarea")
            || (matches!(name, "caption" | "table" | "tbody" | "tfoot" | "thead" | "tr" | "td" | "th")
                && self.in_table());
        if closes_select {
            if let Some(index) = self.stack.iter().rposition(|o| o.is_html("select")) {
                self.pop_to(index);
            }
            if name == "select" {
                return tag.end;
            }
            // Read again outside the select.
            return self.start_tag(lt);
        }
        match name {
            "option" | "optgroup" | "hr" => {
                if self.stack.last().is_some_and(|o| o.is_html("option")) {
                    self.pop();
                }
                if name != "option" && self.stack.last().is_some_and(|o| o.is_html("optgroup")) {
                    self.pop();
                }
                if name != "hr" {
                    self.push(name, Namespace::Html, false);
                }
                tag.end
            }
            "script" | "template" => {
                self.push(name, Namespace::Html, false);
                if name == "template" {
                    self.active.push(Active::Marker);
                    return tag.end;
                }
                self.raw_text_end(tag.end, name)
            }
            _ => tag.end,
        }
    }

    fn end_tag(&mut self, lt: usize) -> usize {
        let Some(tag) = read_tag(self.bytes, lt + 2) else {
            return self.bytes.len();
        };
        let name = tag.name.as_str();
        if let Some(n) = self.dropped_open.get_mut(name)
            && *n > 0
        {
            *n -= 1;
            self.cut(lt, tag.end, "");
            return tag.end;
        }
        if self.stack.last().is_some_and(|o| o.namespace != Namespace::Html) {
            if matches!(name, "p" | "br") {
                self.leave_foreign_content();
            } else {
                // Foreign elements close by name, up to the nearest HTML element, where
                // the HTML rules take over.
                let mut index = self.stack.len();
                while index > 0 && self.stack[index - 1].namespace != Namespace::Html {
                    index -= 1;
                    if self.stack[index].name == name {
                        self.pop_to(index);
                        return tag.end;
                    }
                }
            }
        }
        if self.in_select() {
            match name {
                "select" | "template" => {
                    if let Some(index) = self.stack.iter().rposition(|o| o.is_html(name)) {
                        self.pop_to(index);
                    }
                }
                "option" | "optgroup" if self.stack.last().is_some_and(|o| o.is_html(name)) => self.pop(),
                _ => {}
            }
            return tag.end;
        }
        match name {
            "html" | "head" | "body" | "br" => {}
            "form" => {
                // The form alone leaves the stack; what it holds stays open.
                if let Some(index) = self.find_in_scope(|o| o.is_html("form"), Scope::Default) {
                    let open = self.stack.remove(index);
                    self.forget(&open);
                }
            }
            "p" => self.close_in_scope(|o| o.is_html("p"), Scope::Button),
            "li" => self.close_in_scope(|o| o.is_html("li"), Scope::ListItem),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => self.close_in_scope(
                |o| {
                    o.namespace == Namespace::Html && matches!(o.name.as_str(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
                },
                Scope::Default,
            ),
            "colgroup" => {
                if self.stack.last().is_some_and(|o| o.is_html("colgroup")) {
                    self.pop();
                }
            }
            "table" | "caption" | "tbody" | "thead" | "tfoot" | "tr" | "td" | "th" => {
                if self.in_table() {
                    self.close_in_scope(|o| o.is_html(name), Scope::Table);
                }
            }
            _ if is_formatting(name) => self.close_formatting(name),
            _ if closes_in_scope(name) => self.close_in_scope(|o| o.is_html(name), Scope::Default),
            _ => {
                self.close_any_other(name);
            }
        }
        tag.end
    }

    /// Text: the parser reopens the formatting elements that were closed implicitly.
    fn text(&mut self) {
        if !self.in_select() && !self.is_foreign_for("") {
            self.reconstruct_formatting();
        }
    }

    /// Where the text of a `<script>`, `<style>`, `<textarea>`... that starts at `from`
    /// ends: its first end tag of the same name, which is then read as such.
    fn raw_text_end(&self, from: usize, name: &str) -> usize {
        let mut at = from;
        while let Some(found) = find(self.bytes, at, b"</") {
            let after = found + 2 + name.len();
            let same_name = self
                .bytes
                .get(found + 2..after)
                .is_some_and(|candidate| candidate.eq_ignore_ascii_case(name.as_bytes()));
            if same_name && matches!(self.bytes.get(after), Some(b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>'))
            {
                return found;
            }
            at = found + 2;
        }
        self.bytes.len()
    }

    /// Whether the parser reads a start tag named `name` by the rules of SVG and MathML.
    fn is_foreign_for(&self, name: &str) -> bool {
        let Some(top) = self.stack.last() else { return false };
        match top.namespace {
            Namespace::Html => false,
            _ if top.is_mathml_text_integration_point() => matches!(name, "mglyph" | "malignmark"),
            _ if top.is_svg_integration_point() => false,
            Namespace::MathMl if top.name == "annotation-xml" => name != "svg" && !top.holds_html,
            _ => true,
        }
    }

    /// An HTML tag inside SVG or MathML closes them up to the nearest HTML element or
    /// integration point.
    fn leave_foreign_content(&mut self) {
        while self.stack.last().is_some_and(|o| {
            o.namespace != Namespace::Html && !o.is_mathml_text_integration_point() && !o.is_svg_integration_point()
        }) {
            self.pop();
        }
    }

    /// Whether the parser reads tags by the rules of a `<select>`: one is open, and no
    /// template was opened inside it.
    fn in_select(&self) -> bool {
        for open in self.stack.iter().rev() {
            if open.is_html("template") {
                return false;
            }
            if open.is_html("select") {
                return true;
            }
        }
        false
    }

    fn in_table(&self) -> bool {
        self.stack.iter().any(|o| o.is_html("table") || o.is_html("template"))
    }

    /// Start tags that close an open element first, as the parser does: a new paragraph,
    /// list item, cell or row closes the one before.
    fn close_implied_by(&mut self, name: &str) {
        match name {
            "li" => self.close_list_item(|n| n == "li"),
            "dd" | "dt" => self.close_list_item(|n| matches!(n, "dd" | "dt")),
            "td" | "th" => self.close_in_scope(|o| o.is_html("td") || o.is_html("th"), Scope::Table),
            "tr" => self.close_in_scope(|o| o.is_html("tr"), Scope::Table),
            "tbody" | "thead" | "tfoot" => {
                self.close_in_scope(|o| o.is_html("tbody") || o.is_html("thead") || o.is_html("tfoot"), Scope::Table)
            }
            _ => {}
        }
        if closes_paragraph(name) {
            self.close_in_scope(|o| o.is_html("p"), Scope::Button);
        }
    }

    /// `<li>` (or `<dd>`, `<dt>`) closes the item it is in, unless a special element other
    /// than `<address>`, `<div>` or `<p>` lies between.
    fn close_list_item(&mut self, is_item: impl Fn(&str) -> bool) {
        for index in (0..self.stack.len()).rev() {
            let open = &self.stack[index];
            if open.namespace == Namespace::Html && is_item(&open.name) {
                self.pop_to(index);
                return;
            }
            if is_special(open) && !matches!(open.name.as_str(), "address" | "div" | "p") {
                return;
            }
        }
    }

    /// The end tag of a formatting element: forgotten if the element was already closed,
    /// else closed as any other, and then forgotten.
    fn close_formatting(&mut self, name: &str) {
        match self.active_index(name) {
            Some(index) if matches!(self.active[index], Active::Element { on_stack: false, .. }) => {
                self.active.remove(index);
            }
            Some(index) => {
                if self.close_any_other(name) {
                    self.active.remove(index);
                }
            }
            None => {
                self.close_any_other(name);
            }
        }
    }

    /// An end tag the parser closes by walking up to an HTML element of its name,
    /// stopping at any special element; true when it closed one.
    fn close_any_other(&mut self, name: &str) -> bool {
        for index in (0..self.stack.len()).rev() {
            let open = &self.stack[index];
            if open.is_html(name) {
                self.pop_to(index);
                return true;
            }
            if is_special(open) {
                return false;
            }
        }
        false
    }

    fn close_in_scope(&mut self, wanted: impl Fn(&Open) -> bool, scope: Scope) {
        if let Some(index) = self.find_in_scope(wanted, scope) {
            self.pop_to(index);
        }
    }

    fn find_in_scope(&self, wanted: impl Fn(&Open) -> bool, scope: Scope) -> Option<usize> {
        for index in (0..self.stack.len()).rev() {
            let open = &self.stack[index];
            if wanted(open) {
                return Some(index);
            }
            if scope.ends_at(open) {
                return None;
            }
        }
        None
    }

    fn push(&mut self, name: &str, namespace: Namespace, holds_html: bool) {
        self.stack.push(Open { name: name.to_owned(), namespace, holds_html: holds_html && name == "annotation-xml" });
    }

    fn drop_tag(&mut self, lt: usize, end: usize, name: &str) {
        *self.dropped_open.entry(name.to_owned()).or_default() += 1;
        self.dropped += 1;
        self.first_dropped.get_or_insert(lt);
        // A space keeps the words on either side of the tag apart (one is enough); the
        // parser reads it as text.
        let spaced = self.out.as_deref().is_some_and(|o| o.ends_with(' ')) && self.copied == lt;
        self.cut(lt, end, if spaced { "" } else { " " });
        self.text();
    }

    /// Replaces `html[from..to]` by `with` in the output.
    fn cut(&mut self, from: usize, to: usize, with: &str) {
        let out = self.out.get_or_insert_with(|| String::with_capacity(self.html.len()));
        out.push_str(&self.html[self.copied..from]);
        out.push_str(with);
        self.copied = to;
    }

    fn pop(&mut self) {
        if let Some(open) = self.stack.pop() {
            self.forget(&open);
        }
    }

    /// Pops every element from the top down to `index`, included.
    fn pop_to(&mut self, index: usize) {
        while self.stack.len() > index {
            self.pop();
        }
    }

    /// Keeps the list of formatting elements in step with an element leaving the stack.
    fn forget(&mut self, open: &Open) {
        if open.namespace != Namespace::Html {
            return;
        }
        if is_formatting(&open.name) {
            if let Some(index) = self.active_index(&open.name)
                && let Active::Element { on_stack, .. } = &mut self.active[index]
            {
                *on_stack = false;
            }
        } else if is_marker(&open.name)
            && let Some(marker) = self.active.iter().rposition(|a| matches!(a, Active::Marker))
        {
            self.active.truncate(marker);
        }
    }

    /// The last entry named `name` after the last marker.
    fn active_index(&self, name: &str) -> Option<usize> {
        for index in (0..self.active.len()).rev() {
            match &self.active[index] {
                Active::Marker => return None,
                Active::Element { name: n, .. } if n == name => return Some(index),
                Active::Element { .. } => {}
            }
        }
        None
    }

    fn formatting_count(&self) -> usize {
        self.active.iter().filter(|a| matches!(a, Active::Element { .. })).count()
    }

    /// The parser reopens the formatting elements closed implicitly since the last marker
    /// before text and most start tags; they count like any other open element.
    fn reconstruct_formatting(&mut self) {
        let start = self.active.iter().rposition(|a| matches!(a, Active::Marker)).map_or(0, |m| m + 1);
        for entry in &mut self.active[start..] {
            if let Active::Element { name, on_stack } = entry
                && !*on_stack
            {
                *on_stack = true;
                self.stack.push(Open { name: name.clone(), namespace: Namespace::Html, holds_html: false });
            }
        }
    }
}

/// The kinds of scope the parser checks before closing an element.
#[derive(Clone, Copy)]
enum Scope {
    Default,
    Button,
    ListItem,
    Table,
}

impl Scope {
    fn ends_at(self, open: &Open) -> bool {
        if open.namespace != Namespace::Html {
            return !matches!(self, Scope::Table)
                && (open.is_mathml_text_integration_point() || open.is_svg_integration_point());
        }
        let name = open.name.as_str();
        match self {
            Scope::Table => matches!(name, "html" | "table" | "template"),
            _ => {
                matches!(
                    name,
                    "applet" | "caption" | "html" | "table" | "td" | "th" | "marquee" | "object" | "template"
                ) || (matches!(self, Scope::Button) && name == "button")
                    || (matches!(self, Scope::ListItem) && matches!(name, "ol" | "ul"))
            }
        }
    }
}

/// A start or end tag as read.
struct Tag {
    /// Lower case.
    name: String,
    /// The offset just past its `>`.
    end: usize,
    self_closing: bool,
    /// Whether it has a `color`, `face` or `size` attribute (a `<font>` with one leaves
    /// SVG and MathML).
    has_font_attributes: bool,
    /// Whether it has `encoding="text/html"` or `encoding="application/xhtml+xml"` (an
    /// `<annotation-xml>` with one holds HTML).
    html_encoding: bool,
}

/// Reads the tag whose name starts at `from`, attributes and quoted values included, as
/// the tokenizer does; `None` when the input ends inside it.
fn read_tag(bytes: &[u8], from: usize) -> Option<Tag> {
    #[derive(Clone, Copy)]
    enum State {
        Name,
        BeforeAttribute,
        Attribute(usize),
        AfterAttribute,
        BeforeValue,
        Quoted(u8, usize),
        Unquoted(usize),
        AfterQuoted,
        SelfClosing,
    }
    let is_space = |b: u8| matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ');
    let mut state = State::Name;
    let mut name_end = from;
    let mut has_font_attributes = false;
    let mut html_encoding = false;
    // Whether the attribute being read is `encoding`.
    let mut encoding = false;
    let mut self_closing = false;
    let mut at = from;
    let is_html_encoding =
        |value: &[u8]| value.eq_ignore_ascii_case(b"text/html") || value.eq_ignore_ascii_case(b"application/xhtml+xml");
    loop {
        let &b = bytes.get(at)?;
        let mut reconsume = false;
        state = match state {
            State::Name => match b {
                b'>' => break,
                b'/' => State::SelfClosing,
                _ if is_space(b) => State::BeforeAttribute,
                _ => {
                    name_end = at + 1;
                    State::Name
                }
            },
            State::BeforeAttribute => match b {
                b'>' => break,
                b'/' => State::SelfClosing,
                _ if is_space(b) => State::BeforeAttribute,
                _ => State::Attribute(at),
            },
            State::Attribute(start) => {
                if b == b'>' || b == b'/' || b == b'=' || is_space(b) {
                    let attribute = &bytes[start..at];
                    has_font_attributes |=
                        [&b"color"[..], b"face", b"size"].iter().any(|a| attribute.eq_ignore_ascii_case(a));
                    encoding = attribute.eq_ignore_ascii_case(b"encoding");
                }
                match b {
                    b'>' => break,
                    b'/' => State::SelfClosing,
                    b'=' => State::BeforeValue,
                    _ if is_space(b) => State::AfterAttribute,
                    _ => State::Attribute(start),
                }
            }
            State::AfterAttribute => match b {
                b'>' => break,
                b'/' => State::SelfClosing,
                b'=' => State::BeforeValue,
                _ if is_space(b) => State::AfterAttribute,
                _ => State::Attribute(at),
            },
            State::BeforeValue => match b {
                b'>' => break,
                b'"' | b'\'' => State::Quoted(b, at + 1),
                _ if is_space(b) => State::BeforeValue,
                _ => State::Unquoted(at),
            },
            State::Quoted(quote, start) => {
                if b == quote {
                    html_encoding |= encoding && is_html_encoding(&bytes[start..at]);
                    State::AfterQuoted
                } else {
                    State::Quoted(quote, start)
                }
            }
            State::Unquoted(start) => {
                if b == b'>' || is_space(b) {
                    html_encoding |= encoding && is_html_encoding(&bytes[start..at]);
                }
                match b {
                    b'>' => break,
                    _ if is_space(b) => State::BeforeAttribute,
                    _ => State::Unquoted(start),
                }
            }
            State::AfterQuoted => match b {
                b'>' => break,
                b'/' => State::SelfClosing,
                _ if is_space(b) => State::BeforeAttribute,
                _ => {
                    reconsume = true;
                    State::BeforeAttribute
                }
            },
            State::SelfClosing => {
                if b == b'>' {
                    self_closing = true;
                    break;
                }
                reconsume = true;
                State::BeforeAttribute
            }
        };
        if !reconsume {
            at += 1;
        }
    }
    Some(Tag {
        name: String::from_utf8_lossy(&bytes[from..name_end]).to_ascii_lowercase(),
        end: at + 1,
        self_closing,
        has_font_attributes,
        html_encoding,
    })
}

/// The offset just past the first `needle` at or after `from`, or the end.
fn skip_past(bytes: &[u8], from: usize, needle: &[u8]) -> usize {
    find(bytes, from, needle).map_or(bytes.len(), |i| i + needle.len())
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let haystack = bytes.get(from..)?;
    haystack.windows(needle.len()).position(|w| w == needle).map(|i| from + i)
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "basefont"
            | "bgsound"
            | "br"
            | "col"
            | "embed"
            | "frame"
            | "hr"
            | "image"
            | "img"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

fn is_formatting(name: &str) -> bool {
    matches!(
        name,
        "a" | "b" | "big" | "code" | "em" | "font" | "i" | "nobr" | "s" | "small" | "strike" | "strong" | "tt" | "u"
    )
}

/// Elements that put a marker in the list of formatting elements.
fn is_marker(name: &str) -> bool {
    matches!(name, "applet" | "caption" | "marquee" | "object" | "td" | "th" | "template")
}

/// Start tags that close an open paragraph first.
fn closes_paragraph(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "center"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "header"
            | "hgroup"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "search"
            | "section"
            | "summary"
            | "ul"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "pre"
            | "listing"
            | "plaintext"
            | "li"
            | "dd"
            | "dt"
            | "xmp"
    )
}

/// End tags that close their element when it is in scope, whatever lies above it.
fn closes_in_scope(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "button"
            | "center"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "header"
            | "hgroup"
            | "listing"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "pre"
            | "search"
            | "section"
            | "summary"
            | "ul"
            | "applet"
            | "marquee"
            | "object"
            | "dd"
            | "dt"
    )
}

/// The parser's special elements (html5ever's list), where a stray end tag stops.
fn is_special(open: &Open) -> bool {
    open.namespace == Namespace::Html
        && matches!(
            open.name.as_str(),
            "address"
                | "applet"
                | "area"
                | "article"
                | "aside"
                | "base"
                | "basefont"
                | "bgsound"
                | "blockquote"
                | "body"
                | "br"
                | "button"
                | "caption"
                | "center"
                | "col"
                | "colgroup"
                | "dd"
                | "details"
                | "dir"
                | "div"
                | "dl"
                | "dt"
                | "embed"
                | "fieldset"
                | "figcaption"
                | "figure"
                | "footer"
                | "form"
                | "frame"
                | "frameset"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "head"
                | "header"
                | "hgroup"
                | "hr"
                | "html"
                | "iframe"
                | "img"
                | "input"
                | "isindex"
                | "li"
                | "link"
                | "listing"
                | "main"
                | "marquee"
                | "menu"
                | "meta"
                | "nav"
                | "noembed"
                | "noframes"
                | "noscript"
                | "object"
                | "ol"
                | "p"
                | "param"
                | "plaintext"
                | "pre"
                | "script"
                | "section"
                | "select"
                | "source"
                | "style"
                | "summary"
                | "table"
                | "tbody"
                | "td"
                | "template"
                | "textarea"
                | "tfoot"
                | "th"
                | "thead"
                | "title"
                | "tr"
                | "track"
                | "ul"
                | "wbr"
                | "xmp"
        )
}

/// Start tags that leave SVG and MathML for HTML.
fn breaks_out_of_foreign_content(name: &str, has_font_attributes: bool) -> bool {
    (name == "font" && has_font_attributes)
        || matches!(
            name,
            "b" | "big"
                | "blockquote"
                | "body"
                | "br"
                | "center"
                | "code"
                | "dd"
                | "div"
                | "dl"
                | "dt"
                | "em"
                | "embed"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "head"
                | "hr"
                | "i"
                | "img"
                | "li"
                | "listing"
                | "menu"
                | "meta"
                | "nobr"
                | "ol"
                | "p"
                | "pre"
                | "ruby"
                | "s"
                | "small"
                | "span"
                | "strong"
                | "strike"
                | "sub"
                | "sup"
                | "table"
                | "tt"
                | "u"
                | "ul"
                | "var"
        )
}

#[cfg(test)]
mod tests {
    use dom_query::Document;

    use super::*;
    use crate::html::{PARSED_DEPTH_LIMIT, tree_depth};

    /// Patterns that make the parser nest, each repeated: plain blocks, inline elements,
    /// list items, cells, SVG, formatting elements the parser reopens, and the insertion
    /// modes (select, form, foreign content) where its rules differ from plain nesting.
    const HOSTILE: &[&str] = &[
        "<div>",
        "<span>",
        "<li><ul>",
        "<table><tr><td>",
        "<svg><g>",
        "<g>",
        "<div><b id=x></div>x",
        "<p><b class=a><i class=b></p>t",
        "<div><span><select></div></select>",
        "<select><input><div></select>",
        "<div><select><script></select></script></div><input>",
        "<form><div></form>",
        "<span><div></span>",
        "<noscript><div></noscript>",
        "<math><annotation-xml><link>",
        "<svg><div><span/>",
        "<math><mi><mglyph>",
        "<svg><foreignObject><div>",
        "<table><colgroup><div></colgroup>",
        "<template><tr><div>",
        "<a href=x><div></a>",
        "<td><div>",
        "<frameset><frameset>",
        "<svg><style><g>",
        "<object><div>",
        "<button><div>",
        "<dl><dt><div>",
        "<!--x--><div>",
        "<script>x</script><div>",
        "<nobr><div>",
        "<font color=red><svg><g>",
    ];

    fn parsed_depth(html: &str) -> usize {
        tree_depth(&Document::from(html))
    }

    #[test]
    fn shallow_pages_are_left_as_they_are() {
        let page = "<html><head><title>t</title></head><body><div><p>One <b>two</b></p><ul><li>a<li>b</ul></div></body></html>";
        let bounded = bound_depth(page, MAX_DEPTH);
        assert!(matches!(bounded.html, Cow::Borrowed(_)));
        assert_eq!(bounded.dropped, 0);
        assert_eq!(bounded.first_dropped, None);
    }

    #[test]
    fn deep_pages_lose_the_tags_below_the_bound_and_keep_their_text() {
        let page = format!("<body>{}Seized at Panj.{}</body>", "<div>".repeat(1000), "</div>".repeat(1000));
        let bounded = bound_depth(&page, MAX_DEPTH);
        assert_eq!(bounded.dropped, 1000 - MAX_DEPTH);
        assert_eq!(bounded.first_dropped, Some("<body>".len() + 5 * MAX_DEPTH));
        assert_eq!(bounded.html.matches("<div>").count(), MAX_DEPTH);
        assert_eq!(bounded.html.matches("</div>").count(), MAX_DEPTH);
        assert!(bounded.html.contains("Seized at Panj."));
        assert!(parsed_depth(&bounded.html) <= MAX_DEPTH + 3);
    }

    #[test]
    fn text_like_markup_is_not_counted() {
        for wrap in [
            ("<!--", "-->"),
            ("<script>", "</script>"),
            ("<textarea>", "</textarea>"),
            ("<div title=\"", "\">"),
            ("<style>", "</style >"),
        ] {
            let page = format!("{}{}{}", wrap.0, "<div>".repeat(1000), wrap.1);
            assert_eq!(bound_depth(&page, MAX_DEPTH).dropped, 0, "{}", wrap.0);
        }
    }

    #[test]
    fn parsed_depth_stays_within_the_bound() {
        for pattern in HOSTILE {
            let page = format!("<body>{}Seized at Panj.</body>", pattern.repeat(3000));
            let bounded = bound_depth(&page, MAX_DEPTH);
            let depth = parsed_depth(&bounded.html);
            assert!(depth <= PARSED_DEPTH_LIMIT, "{pattern:?} repeated parses {depth} deep after bounding");
        }
    }

    #[test]
    fn cut_off_markup_ends_the_scan() {
        for page in ["<div", "<div title=\"x", "<!-- open", "</", "<", "<script>", "a<b"] {
            let bounded = bound_depth(page, 2);
            assert_eq!(bounded.dropped, 0, "{page:?}");
        }
    }
}

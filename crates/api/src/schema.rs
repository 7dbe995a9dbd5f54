//! What each parameter and body field of the API accepts, stated once. A [`Kind`] is
//! written into the OpenAPI document as JSON Schema and checked on every request, so a
//! value the description allows is never refused as malformed, and a value it forbids is
//! never taken.

use extract::dict::Dictionaries;
use model::{AlertStatus, Category, EventType, Role, ThreatLevel};
use serde_json::{Map, Value, json};

use crate::problem::FieldError;

/// Values the server knows only once it runs: the sectors and borders it watches and the
/// actors of its dictionary. The OpenAPI document lists them, and requests are held to
/// them.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    pub sectors: Vec<String>,
    /// Each watched border, both ways round (`AF-TJ` and `TJ-AF`).
    pub borders: Vec<String>,
    pub actors: Vec<String>,
}

impl Vocabulary {
    pub fn new(sectors: &pipeline::belt::Sectors, dictionaries: &Dictionaries) -> Self {
        let mut borders: Vec<String> = Vec::new();
        for sector in sectors.sectors.iter() {
            let reversed = sector.border.split('-').rev().collect::<Vec<_>>().join("-");
            for name in [sector.border.clone(), reversed] {
                if !borders.contains(&name) {
                    borders.push(name);
                }
            }
        }
        Self {
            sectors: sectors.sectors.iter().map(|s| s.id.to_string()).collect(),
            borders,
            actors: dictionaries.actors.iter().map(|a| a.id.to_string()).collect(),
        }
    }
}

/// What a parameter or field accepts.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// Text of `min` to `max` characters, at least one of them not white space, and no
    /// control characters.
    Text {
        min: usize,
        max: usize,
    },
    /// A UUID, hyphenated (`0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b`).
    Uuid,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// A calendar date or an RFC 3339 date and time with its offset.
    Instant,
    Integer {
        min: i64,
        max: i64,
    },
    Number {
        min: f64,
        max: f64,
    },
    Boolean,
    /// One of a list of names.
    Names(Names),
    /// Text of a fixed shape.
    Shape(Shape),
    /// `[longitude, latitude]` in degrees.
    Point,
    List {
        items: &'static Kind,
        min: usize,
        max: usize,
    },
    /// A JSON object with these fields and no others.
    Object {
        fields: &'static [Field],
        rule: Rule,
    },
}

/// The lists names are taken from.
#[derive(Debug, Clone, Copy)]
pub enum Names {
    Fixed(&'static [&'static str]),
    Category,
    EventType,
    ThreatLevel,
    Role,
    AlertStatus,
    /// The watched sectors.
    Sector,
    /// The watched borders, either way round.
    Border,
    /// The actors of the dictionary.
    Actor,
}

/// Shapes of text, each with its pattern.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// An ISO 639 code of two or three letters.
    Language,
    /// An ISO 3166-1 alpha-2 code.
    Country,
    /// An actor id: a lower-case slug.
    ActorId,
    /// A sector id, `CC-CC-NNN`.
    SectorId,
    /// The `next` of a page.
    Cursor,
    /// An http or https URL, without spaces or control characters.
    HttpUrl,
}

/// A field of a JSON object.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub description: &'static str,
    pub kind: Kind,
    pub required: bool,
}

/// What an object needs beyond its required fields.
#[derive(Debug, Clone, Copy)]
pub enum Rule {
    None,
    /// At least one field, and a boolean one counts only when true.
    AtLeastOne,
    /// These two fields go together: both or neither.
    Together(&'static str, &'static str),
}

/// Characters that are white space (Unicode's White_Space, as Rust's `char::is_whitespace`)
/// or control characters (Unicode's Cc, as `char::is_control`), for the text pattern.
const NOT_TEXT: &str = r"\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
const CONTROL: &str = r"\x00-\x1f\x7f-\x9f";

impl Names {
    pub fn list(self, vocabulary: &Vocabulary) -> Vec<String> {
        fn all<T: Copy>(values: &[T], name: fn(T) -> &'static str) -> Vec<String> {
            values.iter().map(|v| name(*v).to_owned()).collect()
        }
        match self {
            Names::Fixed(names) => names.iter().map(|n| (*n).to_owned()).collect(),
            Names::Category => all(Category::ALL, Category::as_str),
            Names::EventType => all(EventType::ALL, EventType::as_str),
            Names::ThreatLevel => all(ThreatLevel::ALL, ThreatLevel::as_str),
            Names::Role => all(Role::ALL, Role::as_str),
            Names::AlertStatus => all(AlertStatus::ALL, AlertStatus::as_str),
            Names::Sector => vocabulary.sectors.clone(),
            Names::Border => vocabulary.borders.clone(),
            Names::Actor => vocabulary.actors.clone(),
        }
    }

    fn contains(self, vocabulary: &Vocabulary, value: &str) -> bool {
        match self {
            Names::Fixed(names) => names.contains(&value),
            Names::Category => value.parse::<Category>().is_ok(),
            Names::EventType => value.parse::<EventType>().is_ok(),
            Names::ThreatLevel => value.parse::<ThreatLevel>().is_ok(),
            Names::Role => value.parse::<Role>().is_ok(),
            Names::AlertStatus => value.parse::<AlertStatus>().is_ok(),
            Names::Sector => vocabulary.sectors.iter().any(|s| s == value),
            Names::Border => vocabulary.borders.iter().any(|s| s == value),
            Names::Actor => vocabulary.actors.iter().any(|s| s == value),
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Names::Fixed(_) => "one of the names the description lists",
            Names::Category => "a category, such as border_incident",
            Names::EventType => "an event type, such as seizure",
            Names::ThreatLevel => "low, medium, high or critical",
            Names::Role => "viewer, analyst or admin",
            Names::AlertStatus => "new, acknowledged or closed",
            Names::Sector => "a watched sector's id, such as AF-TJ-017",
            Names::Border => "a watched border, such as AF-TJ",
            Names::Actor => "an actor id of the dictionary, such as iskp",
        }
    }
}

impl Shape {
    fn pattern(self) -> &'static str {
        match self {
            Shape::Language => "^[A-Za-z]{2,3}$",
            Shape::Country => "^[A-Za-z]{2}$",
            Shape::ActorId => "^[a-z0-9_-]{1,64}$",
            Shape::SectorId => "^[A-Z]{2}-[A-Z]{2}-[0-9]{3}$",
            Shape::Cursor => store::CURSOR_PATTERN,
            Shape::HttpUrl => r"^https?://[^\x00-\x20\x7f-\x9f]{1,2000}$",
        }
    }

    fn fits(self, text: &str) -> bool {
        let b = text.as_bytes();
        match self {
            Shape::Language => (2..=3).contains(&b.len()) && b.iter().all(u8::is_ascii_alphabetic),
            Shape::Country => b.len() == 2 && b.iter().all(u8::is_ascii_alphabetic),
            Shape::ActorId => {
                (1..=64).contains(&b.len())
                    && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_' || *c == b'-')
            }
            Shape::SectorId => text.parse::<model::SectorId>().is_ok(),
            Shape::Cursor => store::cursor_is_valid(text),
            Shape::HttpUrl => {
                let rest = text.strip_prefix("http://").or_else(|| text.strip_prefix("https://"));
                rest.is_some_and(|r| {
                    (1..=2000).contains(&r.chars().count()) && !r.chars().any(|c| c <= ' ' || c.is_control())
                })
            }
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Shape::Language => "an ISO 639 code of two or three letters, such as en or ru",
            Shape::Country => "two letters (ISO 3166-1 alpha-2)",
            Shape::ActorId => "a lower-case slug of letters, digits, '-' and '_' (at most 64)",
            Shape::SectorId => "a sector id such as AF-TJ-017",
            Shape::Cursor => "the `next` value of the previous page",
            Shape::HttpUrl => "an http or https URL",
        }
    }
}

/// Whether text is free text of `min` to `max` characters (see [`Kind::Text`]).
pub fn is_text(text: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&text.chars().count())
        && !text.chars().any(char::is_control)
        && text.chars().any(|c| !c.is_whitespace())
}

/// Whether text is a hyphenated UUID.
pub fn is_uuid(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 36
        && b.iter()
            .enumerate()
            .all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { *c == b'-' } else { c.is_ascii_hexdigit() })
}

fn digits(b: &[u8]) -> bool {
    !b.is_empty() && b.iter().all(u8::is_ascii_digit)
}

/// Whether text is a real calendar date written `YYYY-MM-DD`.
pub fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && digits(&b[..4])
        && b[4] == b'-'
        && digits(&b[5..7])
        && b[7] == b'-'
        && digits(&b[8..])
        && chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
}

/// Whether text is an RFC 3339 date and time (`2026-11-29T08:30:00Z`, with an optional
/// fraction of a second and a `Z` or `±HH:MM` offset).
pub fn is_date_time(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() < 20 || !text.get(..10).is_some_and(is_date) || !matches!(b[10], b'T' | b't') {
        return false;
    }
    let time = &b[11..];
    let clock = time.len() >= 8
        && digits(&time[..2])
        && time[2] == b':'
        && digits(&time[3..5])
        && time[5] == b':'
        && digits(&time[6..8]);
    if !clock {
        return false;
    }
    let mut rest = &time[8..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let n = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    let offset = match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()),
        _ => false,
    };
    offset && chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

impl Kind {
    /// The JSON Schema of this kind.
    pub fn schema(&self, vocabulary: &Vocabulary) -> Value {
        match *self {
            Kind::Text { min, max } => json!({
                "type": "string",
                "minLength": min,
                "maxLength": max,
                "pattern": format!("^[^{CONTROL}]*[^{NOT_TEXT}][^{CONTROL}]*$"),
            }),
            Kind::Uuid => json!({ "type": "string", "format": "uuid" }),
            Kind::Date => json!({ "type": "string", "format": "date" }),
            Kind::Instant => json!({
                "anyOf": [{ "type": "string", "format": "date" }, { "type": "string", "format": "date-time" }],
            }),
            Kind::Integer { min, max } => json!({ "type": "integer", "minimum": min, "maximum": max }),
            Kind::Number { min, max } => json!({ "type": "number", "minimum": min, "maximum": max }),
            Kind::Boolean => json!({ "type": "boolean" }),
            Kind::Names(names) => json!({ "type": "string", "enum": names.list(vocabulary) }),
            Kind::Shape(shape) => json!({ "type": "string", "pattern": shape.pattern() }),
            Kind::Point => json!({
                "type": "array",
                "prefixItems": [
                    { "type": "number", "minimum": -180, "maximum": 180, "description": "longitude" },
                    { "type": "number", "minimum": -90, "maximum": 90, "description": "latitude" },
                ],
                "items": false,
                "minItems": 2,
                "maxItems": 2,
            }),
            Kind::List { items, min, max } => {
                json!({ "type": "array", "items": items.schema(vocabulary), "minItems": min, "maxItems": max })
            }
            Kind::Object { fields, rule } => {
                let mut properties = Map::new();
                for field in fields {
                    let mut schema = field.kind.schema(vocabulary);
                    schema["description"] = json!(field.description);
                    properties.insert(field.name.to_owned(), schema);
                }
                let required: Vec<&str> = fields.iter().filter(|f| f.required).map(|f| f.name).collect();
                let mut schema = json!({
                    "type": "object",
                    "properties": properties,
                    "required": required,
                    "additionalProperties": false,
                });
                match rule {
                    Rule::None => {}
                    Rule::AtLeastOne => {
                        let any: Vec<Value> = fields
                            .iter()
                            .map(|f| match f.kind {
                                Kind::Boolean => {
                                    json!({ "required": [f.name], "properties": { f.name: { "const": true } } })
                                }
                                _ => json!({ "required": [f.name] }),
                            })
                            .collect();
                        schema["anyOf"] = json!(any);
                    }
                    Rule::Together(a, b) => {
                        schema["anyOf"] = json!([
                            { "required": [a, b] },
                            { "properties": { a: false, b: false } },
                        ]);
                    }
                }
                schema
            }
        }
    }

    /// Checks a query or path value; the message says what was expected.
    pub fn check_text(&self, text: &str, vocabulary: &Vocabulary) -> Result<(), String> {
        let fits = match *self {
            Kind::Text { min, max } => is_text(text, min, max),
            Kind::Uuid => is_uuid(text),
            Kind::Date => is_date(text),
            Kind::Instant => is_date(text) || is_date_time(text),
            Kind::Integer { min, max } => {
                let number = text.strip_prefix('-').unwrap_or(text);
                digits(number.as_bytes()) && text.parse::<i64>().is_ok_and(|n| (min..=max).contains(&n))
            }
            Kind::Number { min, max } => text.parse::<f64>().is_ok_and(|n| n >= min && n <= max),
            Kind::Boolean => matches!(text, "true" | "false"),
            Kind::Names(names) => names.contains(vocabulary, text),
            Kind::Shape(shape) => shape.fits(text),
            Kind::Point | Kind::List { .. } | Kind::Object { .. } => false,
        };
        if fits { Ok(()) } else { Err(format!("{:?} is not {}", shorten(text), self.expected())) }
    }

    fn expected(&self) -> String {
        match *self {
            Kind::Text { min, max } => {
                format!("text of {min} to {max} characters, not only spaces, without control characters")
            }
            Kind::Uuid => "a UUID such as 0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b".into(),
            Kind::Date => "a date such as 2026-11-29".into(),
            Kind::Instant => "a date such as 2026-11-29 or an RFC 3339 time such as 2026-11-29T08:30:00Z".into(),
            Kind::Integer { min, max } => format!("a whole number from {min} to {max}"),
            Kind::Number { min, max } => format!("a number from {min} to {max}"),
            Kind::Boolean => "true or false".into(),
            Kind::Names(names) => names.expected().into(),
            Kind::Shape(shape) => shape.expected().into(),
            Kind::Point => "[longitude, latitude] in degrees".into(),
            Kind::List { min, max, .. } => format!("a list of {min} to {max} items"),
            Kind::Object { .. } => "an object".into(),
        }
    }

    /// Checks a JSON value at `path` (`body.condition.area[2]`), adding what is wrong to
    /// `errors`. A whole number written as a fraction (`5.0`) is rewritten as an integer.
    pub fn check(&self, value: &mut Value, path: &str, vocabulary: &Vocabulary, errors: &mut Vec<FieldError>) {
        let mut wrong = |message: String| errors.push(FieldError { field: path.to_owned(), message });
        match *self {
            Kind::Integer { min, max } => {
                let whole = match &*value {
                    Value::Number(n) => n
                        .as_i64()
                        .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64)),
                    _ => None,
                };
                match whole {
                    Some(n) if (min..=max).contains(&n) => *value = json!(n),
                    _ => wrong(format!("{} is not {}", describe(value), self.expected())),
                }
            }
            Kind::Number { min, max } => match value.as_f64() {
                Some(n) if n >= min && n <= max => {}
                _ => wrong(format!("{} is not {}", describe(value), self.expected())),
            },
            Kind::Boolean => {
                if !value.is_boolean() {
                    wrong(format!("{} is not {}", describe(value), self.expected()));
                }
            }
            Kind::Point => {
                let ranges = [(-180.0, 180.0), (-90.0, 90.0)];
                let fits = value.as_array().is_some_and(|p| {
                    p.len() == 2
                        && p.iter().zip(ranges).all(|(v, (lo, hi))| v.as_f64().is_some_and(|x| x >= lo && x <= hi))
                });
                if !fits {
                    wrong(format!("{} is not {}", describe(value), self.expected()));
                }
            }
            Kind::List { items, min, max } => match value.as_array_mut() {
                Some(list) if (min..=max).contains(&list.len()) => {
                    for (i, item) in list.iter_mut().enumerate() {
                        items.check(item, &format!("{path}[{i}]"), vocabulary, errors);
                    }
                }
                Some(list) => wrong(format!("has {} items: give {min} to {max}", list.len())),
                None => wrong(format!("{} is not {}", describe(value), self.expected())),
            },
            Kind::Object { fields, rule } => {
                let Some(object) = value.as_object_mut() else {
                    wrong(format!("{} is not {}", describe(value), self.expected()));
                    return;
                };
                let mut unknown: Vec<&String> =
                    object.keys().filter(|k| !fields.iter().any(|f| f.name == *k)).collect();
                unknown.sort();
                for name in unknown {
                    let known: Vec<&str> = fields.iter().map(|f| f.name).collect();
                    errors.push(FieldError {
                        field: format!("{path}.{name}"),
                        message: format!("unknown field; the fields are {}", known.join(", ")),
                    });
                }
                for field in fields {
                    let at = format!("{path}.{}", field.name);
                    match object.get_mut(field.name) {
                        Some(v) => field.kind.check(v, &at, vocabulary, errors),
                        None if field.required => errors.push(FieldError { field: at, message: "is required".into() }),
                        None => {}
                    }
                }
                match rule {
                    Rule::None => {}
                    Rule::AtLeastOne => {
                        let given = fields.iter().any(|f| match object.get(f.name) {
                            Some(Value::Bool(b)) => *b,
                            Some(_) => true,
                            None => false,
                        });
                        if !given {
                            let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
                            errors.push(FieldError {
                                field: path.to_owned(),
                                message: format!("give at least one of {}", names.join(", ")),
                            });
                        }
                    }
                    Rule::Together(a, b) => {
                        if object.contains_key(a) != object.contains_key(b) {
                            let missing = if object.contains_key(a) { b } else { a };
                            errors.push(FieldError {
                                field: format!("{path}.{missing}"),
                                message: format!("{a} and {b} go together: give both or neither"),
                            });
                        }
                    }
                }
            }
            Kind::Text { .. } | Kind::Uuid | Kind::Date | Kind::Instant | Kind::Names(_) | Kind::Shape(_) => {
                match value.as_str() {
                    Some(text) => {
                        if let Err(message) = self.check_text(text, vocabulary) {
                            wrong(message);
                        }
                    }
                    None => wrong(format!("{} is not {}", describe(value), self.expected())),
                }
            }
        }
    }
}

/// A JSON value in a message: its type, and the value when short.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("{:?}", shorten(s)),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn shorten(text: &str) -> String {
    let mut short: String = text.chars().take(80).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_not_blank_and_has_no_control_characters() {
        assert!(is_text("Termez Centre", 1, 200));
        assert!(is_text(" padded ", 1, 200));
        for bad in ["", "   ", "\u{3000}\u{a0}", "tab\there", "nul\u{0}", "\u{85}x"] {
            assert!(!is_text(bad, 1, 200), "{bad:?}");
        }
        assert!(!is_text(&"x".repeat(201), 1, 200));
        assert!(is_text(&"я".repeat(200), 1, 200), "characters, not bytes");
        assert!(!is_text("fifteen chars..", 16, 500));
    }

    #[test]
    fn dates_and_times_are_rfc_3339() {
        for good in ["2026-11-29", "2024-02-29", "0001-01-01"] {
            assert!(is_date(good), "{good}");
        }
        for bad in ["2026-1-29", "2023-02-29", "2026-11-29T00:00:00Z", "+2026-11-29", "２０２６-11-29"] {
            assert!(!is_date(bad), "{bad}");
        }
        for good in ["2026-11-29T08:30:00Z", "2026-11-29t08:30:00.123456789+05:00", "2026-11-29T08:30:00-00:30"] {
            assert!(is_date_time(good), "{good}");
        }
        for bad in [
            "2026-11-29T08:30:00",
            "2026-11-29 08:30:00Z",
            "2026-11-29T08:30Z",
            "2026-11-29T08:30:00.Z",
            "0000000\u{80}\u{800}\u{10000}\u{10000}",
        ] {
            assert!(!is_date_time(bad), "{bad}");
        }
    }

    #[test]
    fn query_values_are_checked_as_the_schema_says() {
        let v = Vocabulary::default();
        let limit = Kind::Integer { min: 1, max: 500 };
        assert!(limit.check_text("500", &v).is_ok());
        for bad in ["0", "501", "+5", "5.0", "", " 5", "1e2"] {
            assert!(limit.check_text(bad, &v).is_err(), "{bad:?}");
        }
        assert!(Kind::Uuid.check_text("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", &v).is_ok());
        assert!(Kind::Uuid.check_text("0190a1b2c3d47e5f8a9b0c1d2e3f4a5b", &v).is_err());
        assert!(Kind::Names(Names::Category).check_text("terrorism", &v).is_ok());
        assert!(Kind::Names(Names::Category).check_text("Terrorism", &v).is_err());
    }

    #[test]
    fn bodies_name_each_wrong_field() {
        const CONDITION: &[Field] = &[
            Field { name: "level", description: "", kind: Kind::Names(Names::ThreatLevel), required: false },
            Field { name: "spike", description: "", kind: Kind::Boolean, required: false },
        ];
        const BODY: Kind = Kind::Object {
            fields: &[
                Field { name: "days", description: "", kind: Kind::Integer { min: 1, max: 365 }, required: true },
                Field {
                    name: "condition",
                    description: "",
                    kind: Kind::Object { fields: CONDITION, rule: Rule::AtLeastOne },
                    required: true,
                },
            ],
            rule: Rule::None,
        };
        let v = Vocabulary::default();
        let mut value = json!({ "days": 5.0, "condition": { "level": "extreme" }, "colour": "red" });
        let mut errors = Vec::new();
        BODY.check(&mut value, "body", &v, &mut errors);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["body.colour", "body.condition.level"], "{errors:?}");
        assert_eq!(value["days"], json!(5), "a whole number is an integer");
        let mut value = json!({ "days": "5", "condition": { "spike": false } });
        let mut errors = Vec::new();
        BODY.check(&mut value, "body", &v, &mut errors);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["body.days", "body.condition"], "{errors:?}");
    }
}

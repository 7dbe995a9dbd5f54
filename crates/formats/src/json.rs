//! Document objects in JSON: a `.json` file holds one object or an array of them, a
//! `.jsonl` file one object per line. Fields: `text` (required), and optionally `title`,
//! `url`, `published`, `source` (or `outlet`), `language`, `id`. Other fields are ignored,
//! so records from other tools (the evaluation format's `articles.jsonl`, for one) load as
//! they are.

use model::{DocumentFormat, When};
use serde_json::{Map, Value};

use crate::{Candidate, Decoded, Diagnostic, Position, Problem};

pub(crate) fn decode_json(origin: &str, text: &str) -> Decoded {
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(e) => return Decoded { diagnostics: vec![syntax_error(origin, None, &e)], ..Decoded::default() },
    };
    let mut decoded = Decoded::default();
    match value {
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let path = format!("$[{index}]");
                match record(item, &path) {
                    Ok(mut candidate) => {
                        candidate.raw = item.to_string();
                        candidate.locator = Some(path);
                        decoded.candidates.push(candidate);
                    }
                    Err((path, message)) => decoded.diagnostics.push(field_error(origin, None, path, message)),
                }
            }
        }
        item => match record(&item, "$") {
            Ok(mut candidate) => {
                candidate.raw = text.to_owned();
                decoded.candidates.push(candidate);
            }
            Err((path, message)) => decoded.diagnostics.push(field_error(origin, None, path, message)),
        },
    }
    decoded
}

/// Decodes line `line_number` (from 1) of a JSON Lines input: `Ok(None)` for a blank line.
pub fn decode_json_line(origin: &str, line_number: u64, line: &str) -> Result<Option<Candidate>, Diagnostic> {
    let line = line.trim_end_matches(['\r', '\n']);
    if line.trim().is_empty() {
        return Ok(None);
    }
    let value: Value = serde_json::from_str(line).map_err(|e| syntax_error(origin, Some(line_number), &e))?;
    let mut candidate =
        record(&value, "$").map_err(|(path, message)| field_error(origin, Some(line_number), path, message))?;
    candidate.raw = line.to_owned();
    candidate.locator = Some(format!("line {line_number}"));
    Ok(Some(candidate))
}

fn syntax_error(origin: &str, line: Option<u64>, e: &serde_json::Error) -> Diagnostic {
    // In JSON Lines the parser's line is always 1: the record's line is the file's.
    let line = line.unwrap_or(e.line() as u64);
    let message = e.to_string();
    let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
    Diagnostic::new(
        origin,
        Some(Position::LineColumn { line, column: e.column() as u64 }),
        Problem::MalformedJson(message),
    )
}

fn field_error(origin: &str, line: Option<u64>, path: String, message: String) -> Diagnostic {
    Diagnostic::new(origin, Some(Position::JsonPath { line, path }), Problem::InvalidField(message))
}

/// Reads one document object; an error names the JSON path of the offending value.
fn record(value: &Value, path: &str) -> Result<Candidate, (String, String)> {
    let Value::Object(object) = value else {
        return Err((path.to_owned(), format!("expected a document object, found {}", kind_of(value))));
    };
    let field = |name: &str| optional_string(object, name, path);
    let text = field("text")?.ok_or_else(|| (format!("{path}.text"), "missing required field \"text\"".to_owned()))?;
    let published = field("published")?
        .map(|p| When::parse(&p).map_err(|e| (format!("{path}.published"), e.to_string())))
        .transpose()?;
    let language = field("language")?
        .map(|l| l.parse().map_err(|e: model::InvalidValue| (format!("{path}.language"), e.to_string())))
        .transpose()?;
    Ok(Candidate {
        title: field("title")?,
        url: field("url")?,
        source: match field("source")? {
            Some(source) => Some(source),
            None => field("outlet")?,
        },
        external_id: field("id")?,
        published,
        language,
        text,
        format: Some(DocumentFormat::Json),
        ..Candidate::default()
    })
}

fn optional_string(object: &Map<String, Value>, name: &str, path: &str) -> Result<Option<String>, (String, String)> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        // Identifiers are often numbers in other tools' exports.
        Some(Value::Number(n)) if name == "id" => Ok(Some(n.to_string())),
        Some(other) => Err((format!("{path}.{name}"), format!("expected a string, found {}", kind_of(other)))),
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

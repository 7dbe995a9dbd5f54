//! The OpenAPI 3.1 description, written from the route table: each parameter and body
//! field with the schema the server checks it against (`schema::Kind`), and each status a
//! route can answer.

use serde_json::{Map, Value, json};

use crate::routes::{Access, Place, ROUTES, Reply, RouteDoc};
use crate::schema::Vocabulary;

/// The statuses any route may answer, whatever it does.
const EVERY_ROUTE: &[(u16, &str, &str)] = &[
    (
        400,
        "BadRequest",
        "the request could not be read: a malformed request line or header (such as a Content-Length that is not a \
         number), or bytes that are not UTF-8 where text was expected",
    ),
    (414, "UriTooLong", "the URL is longer than the server reads"),
    (431, "HeadersTooLarge", "the request's header section is larger than the server reads"),
    (503, "Unavailable", "the request took too long, or the store cannot be reached"),
];

/// Where the ids an answer holds are used: OpenAPI links from the route (method, path) to
/// the operation whose `id` they fill, which clients and testing tools can follow.
const LINKS: &[(&str, &str, &str, &str)] = &[
    ("get", "/api/v1/documents", "get_documents_id", "$response.body#/items/0/id"),
    ("get", "/api/v1/events", "get_events_id", "$response.body#/items/0/id"),
    ("get", "/api/v1/events", "post_incidents_id_split", "$response.body#/items/0/id"),
    ("get", "/api/v1/sectors", "get_sectors_id", "$response.body#/sectors/0/id"),
    ("get", "/api/v1/sectors", "get_sectors_id_explanation", "$response.body#/sectors/0/id"),
    ("post", "/api/v1/tokens", "delete_tokens_id", "$response.body#/id"),
    ("post", "/api/v1/alert-rules", "delete_alert_rules_id", "$response.body#/id"),
    ("get", "/api/v1/alerts", "post_alerts_id_acknowledge", "$response.body#/items/0/id"),
    ("get", "/api/v1/alerts", "post_alerts_id_close", "$response.body#/items/0/id"),
];

pub fn document(vocabulary: &Vocabulary) -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for route in ROUTES {
        let parameters: Vec<Value> = route
            .params
            .iter()
            .map(|p| {
                json!({
                    "name": p.name,
                    "in": if p.place == Place::Path { "path" } else { "query" },
                    "required": p.required,
                    "description": p.description,
                    "schema": p.kind.schema(vocabulary),
                })
            })
            .collect();
        let mut operation = json!({
            "summary": route.summary,
            "operationId": operation_id(route.method, route.path),
            "parameters": parameters,
            "responses": responses(route),
        });
        if route.access == Access::Public {
            operation["security"] = json!([]);
        } else {
            operation["security"] = json!([{ "bearer": [] }]);
            operation["x-beltwatch-role"] = json!(match route.access {
                Access::Reader => "viewer",
                Access::Writer => "analyst",
                Access::Admin => "admin",
                Access::Public => "none",
            });
        }
        if let Some(kind) = &route.body {
            operation["requestBody"] = json!({
                "required": true,
                "content": { "application/json": { "schema": kind.schema(vocabulary) } },
            });
        }
        let entry = paths.entry(route.path.to_owned()).or_insert_with(|| json!({}));
        entry[route.method] = operation;
    }
    let mut problems = Map::new();
    for (status, name, description) in EVERY_ROUTE {
        problems.insert((*name).to_owned(), problem(*status, description));
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "beltwatch",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Border-belt monitoring: documents, events, sectors and their threat levels, shared between \
                partner organisations under TLP 2.0 markings. Every read returns only what the caller's organisation \
                may see. Every error is an RFC 9457 problem (application/problem+json); invalid fields are listed in \
                its `errors`, each named by where it is (`query.limit`, `path.id`, `body.condition.sector`).",
        },
        "paths": paths,
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "description": "an API token, bwt_..." } },
            "responses": problems,
            "schemas": {
                "Problem": {
                    "type": "object",
                    "description": "RFC 9457 problem details",
                    "required": ["type", "title", "status"],
                    "properties": {
                        "type": { "type": "string", "format": "uri" },
                        "title": { "type": "string" },
                        "status": { "type": "integer", "minimum": 400, "maximum": 599 },
                        "detail": { "type": "string" },
                        "errors": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["field", "message"],
                                "properties": {
                                    "field": { "type": "string", "description": "query.NAME, path.NAME, body or body.PATH" },
                                    "message": { "type": "string" },
                                },
                            },
                        },
                    },
                },
            },
        },
    })
}

fn operation_id(method: &str, path: &str) -> String {
    let words: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty() && *s != "api" && *s != "v1")
        .map(|s| s.trim_matches(|c| c == '{' || c == '}').replace(['-', '.'], "_"))
        .collect();
    format!("{method}_{}", words.join("_"))
}

/// A problem response: its description and schema.
fn problem(status: u16, description: &str) -> Value {
    let mut response = json!({
        "description": description,
        "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } },
    });
    if status == 429 {
        response["headers"] = json!({
            "Retry-After": {
                "description": "seconds until the token may call again",
                "required": true,
                "schema": { "type": "integer", "minimum": 1 },
            },
        });
    }
    response
}

fn responses(route: &RouteDoc) -> Value {
    let mut out = Map::new();
    let object = json!({ "schema": { "type": "object" } });
    let (status, success) = match route.reply {
        Reply::Json(status) => (status, json!({ "description": "done", "content": { "application/json": object } })),
        Reply::GeoJson => (
            200,
            json!({
                "description": "a GeoJSON feature collection",
                "content": { "application/geo+json": { "schema": { "type": "object", "required": ["type", "features"] } } },
            }),
        ),
        Reply::Text => (
            200,
            json!({ "description": "Prometheus text", "content": { "text/plain": { "schema": { "type": "string" } } } }),
        ),
        Reply::Nothing => (204, json!({ "description": "done" })),
        Reply::Stream => (
            200,
            json!({
                "description": "an event `alert` for each alert, with the alert as JSON",
                "content": { "text/event-stream": { "schema": { "type": "string" } } },
            }),
        ),
    };
    let mut success = success;
    for (_, _, target, expression) in LINKS.iter().filter(|(m, p, _, _)| *m == route.method && *p == route.path) {
        success["links"][*target] = json!({ "operationId": target, "parameters": { "id": expression } });
    }
    out.insert(status.to_string(), success);
    let mut add = |status: u16, description: &str| {
        out.entry(status.to_string()).or_insert_with(|| problem(status, description));
    };
    for (status, description) in route.failures {
        add(*status, description);
    }
    if route.access != Access::Public {
        add(401, "no token, or one that is unknown, revoked or expired");
        add(429, "over the token's request rate");
        if route.access != Access::Reader {
            add(403, "the caller's role does not allow it");
        }
    }
    if route.body.is_some() {
        add(413, "the body is larger than the server reads");
        add(415, "the body is not sent as application/json");
    }
    if route.body.is_some() || !route.params.is_empty() {
        add(422, "invalid fields, each named in `errors`");
    }
    let mut value = Value::Object(out);
    for (status, name, _) in EVERY_ROUTE {
        value[status.to_string()] = json!({ "$ref": format!("#/components/responses/{name}") });
    }
    value
}

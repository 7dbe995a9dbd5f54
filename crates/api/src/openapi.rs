//! The OpenAPI 3.1 description, written from the route table.

use serde_json::{Map, Value, json};

use crate::routes::{Access, ROUTES};

pub fn document() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for route in ROUTES {
        let mut parameters: Vec<Value> = route
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        parameters.extend(route.query.iter().map(|(name, description)| {
            json!({ "name": name, "in": "query", "required": false, "description": description, "schema": { "type": "string" } })
        }));
        let mut operation = json!({
            "summary": route.summary,
            "operationId": operation_id(route.method, route.path),
            "parameters": parameters,
            "responses": responses(route.access, route.method),
        });
        if route.access != Access::Public {
            operation["security"] = json!([{ "bearer": [] }]);
            operation["x-beltwatch-role"] = json!(match route.access {
                Access::Reader => "viewer",
                Access::Writer => "analyst",
                Access::Admin => "admin",
                Access::Public => "none",
            });
        }
        if !route.body.is_empty() {
            let properties: Map<String, Value> = route
                .body
                .iter()
                .map(|(name, description)| ((*name).to_owned(), json!({ "description": description })))
                .collect();
            operation["requestBody"] = json!({
                "required": true,
                "content": { "application/json": { "schema": { "type": "object", "properties": properties, "additionalProperties": false } } },
            });
        }
        let entry = paths.entry(route.path.to_owned()).or_insert_with(|| json!({}));
        entry[route.method] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "beltwatch",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Border-belt monitoring: documents, events, sectors and their threat levels, shared between partner organisations under TLP 2.0 markings. Every read returns only what the caller's organisation may see.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "description": "an API token, bwt_..." } },
            "schemas": {
                "Problem": {
                    "type": "object",
                    "description": "RFC 9457 problem details",
                    "properties": {
                        "type": { "type": "string" },
                        "title": { "type": "string" },
                        "status": { "type": "integer" },
                        "detail": { "type": "string" },
                        "errors": { "type": "array", "items": { "type": "object", "properties": { "field": { "type": "string" }, "message": { "type": "string" } } } },
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

fn responses(access: Access, method: &str) -> Value {
    let problem =
        json!({ "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } });
    let mut out = Map::new();
    let ok = match method {
        "post" => "201",
        "delete" => "204",
        _ => "200",
    };
    out.insert(ok.into(), json!({ "description": "done" }));
    if method == "post" && ok == "201" {
        out.insert("200".into(), json!({ "description": "done (actions that create nothing)" }));
    }
    out.insert("422".into(), json!({ "description": "invalid fields", "content": problem["content"].clone() }));
    if access != Access::Public {
        out.insert("401".into(), json!({ "description": "no valid token", "content": problem["content"].clone() }));
        out.insert(
            "403".into(),
            json!({ "description": "the role does not allow it", "content": problem["content"].clone() }),
        );
        out.insert(
            "429".into(),
            json!({ "description": "over the token's rate", "content": problem["content"].clone() }),
        );
    }
    Value::Object(out)
}

//! Every route, declared once: [`ROUTES`] gives the method, path, who may call it and its
//! parameters; [`register`] mounts each one's handler and the OpenAPI document is written
//! from the same table.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, post};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use model::{Category, EventId, OrganisationId, Role, TokenId, UserId, When, may_see};
use pipeline::belt::{Belt, contribution_json, sector_json};
use serde::Deserialize;
use serde_json::{Value, json};
use store::{DocumentFilter, EventFilter, Page, SearchQuery};

use crate::AppState;
use crate::auth::{Caller, hash_secret, new_secret};
use crate::problem::{FieldError, Problem};
use crate::schema::{Field, Kind, Names, Rule, Shape};
use axum::Router;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    /// Any user with a valid token.
    Reader,
    /// Analysts and admins.
    Writer,
    Admin,
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Path,
    Query,
}

/// A path or query parameter.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub place: Place,
    pub description: &'static str,
    pub kind: Kind,
    pub required: bool,
}

impl Param {
    const fn query(name: &'static str, description: &'static str, kind: Kind) -> Self {
        Self { name, place: Place::Query, description, kind, required: false }
    }

    const fn path(description: &'static str, kind: Kind) -> Self {
        Self { name: "id", place: Place::Path, description, kind, required: true }
    }
}

/// What a route answers when it succeeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// A JSON object, with this status.
    Json(u16),
    /// A GeoJSON feature collection.
    GeoJson,
    /// Plain text (Prometheus metrics).
    Text,
    /// 204, no body.
    Nothing,
    /// Server-Sent Events.
    Stream,
}

/// A route as the OpenAPI document describes it.
#[derive(Debug)]
pub struct RouteDoc {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub access: Access,
    pub params: &'static [Param],
    /// The JSON body, for routes that take one.
    pub body: Option<Kind>,
    pub reply: Reply,
    /// The failures particular to this route, with what each means. Those every route may
    /// answer (a malformed request, one too large, an unavailable store), those of every
    /// route with a token (401, 429), with parameters or a body (422; 413 and 415) are
    /// added by the OpenAPI document.
    pub failures: &'static [(u16, &'static str)],
}

const fn text(max: usize) -> Kind {
    Kind::Text { min: 1, max }
}

const LIMIT: Param = Param::query("limit", "how many items, 1 to 500 (default 50)", Kind::Integer { min: 1, max: 500 });
const AFTER: Param = Param::query("after", "the `next` of the previous page", Kind::Shape(Shape::Cursor));
const SINCE: Param = Param::query("since", "at or after this date or instant", Kind::Instant);
const UNTIL: Param = Param::query("until", "before this date or instant", Kind::Instant);
const AS_OF: Param = Param::query("as_of", "assess as on this date (default today)", Kind::Date);
const LANGUAGE: Param = Param::query("language", "ISO 639-1 code, such as en or ru", Kind::Shape(Shape::Language));
const CATEGORY: Param = Param::query("category", "only this category", Kind::Names(Names::Category));
const UUID_ID: Param = Param::path("the record's id", Kind::Uuid);
const SECTOR_ID: Param = Param::path("a watched sector's id, such as AF-TJ-017", Kind::Names(Names::Sector));

const NOT_FOUND: (u16, &str) = (404, "no such record, or none the caller may see");
const FORBIDDEN: (u16, &str) = (403, "the caller's role does not allow it");

const fn field(name: &'static str, description: &'static str, kind: Kind, required: bool) -> Field {
    Field { name, description, kind, required }
}

const CONDITION: &[Field] = &[
    field("category", "the incident's category", Kind::Names(Names::Category), false),
    field("actor", "an actor of the dictionary taking part", Kind::Names(Names::Actor), false),
    field("event_type", "one of the incident's event types", Kind::Names(Names::EventType), false),
    field("sector", "the sector the incident lies in, or the sector watched", Kind::Names(Names::Sector), false),
    field(
        "area",
        "a polygon the incident lies in, as [longitude, latitude] points",
        Kind::List { items: &Kind::Point, min: 3, max: 1000 },
        false,
    ),
    field(
        "level_at_least",
        "fire when a sector with incidents reaches this level (of `category`, or overall)",
        Kind::Names(Names::ThreatLevel),
        false,
    ),
    field("spike", "fire when the spike detector flags a sector's week", Kind::Boolean, false),
];

pub const ROUTES: &[RouteDoc] = &[
    RouteDoc {
        method: "get",
        path: "/healthz",
        summary: "The process is up",
        access: Access::Public,
        params: &[],
        body: None,
        reply: Reply::Json(200),
        failures: &[],
    },
    RouteDoc {
        method: "get",
        path: "/readyz",
        summary: "The store answers",
        access: Access::Public,
        params: &[],
        body: None,
        reply: Reply::Json(200),
        failures: &[],
    },
    RouteDoc {
        method: "get",
        path: "/metrics",
        summary: "Prometheus metrics",
        access: Access::Public,
        params: &[],
        body: None,
        reply: Reply::Text,
        failures: &[],
    },
    RouteDoc {
        method: "get",
        path: "/openapi.json",
        summary: "This description",
        access: Access::Public,
        params: &[],
        body: None,
        reply: Reply::Json(200),
        failures: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/whoami",
        summary: "The caller: user, organisation, role",
        access: Access::Reader,
        params: &[],
        body: None,
        reply: Reply::Json(200),
        failures: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/documents",
        summary: "Documents the caller may see, newest first",
        access: Access::Reader,
        params: &[SINCE, UNTIL, LANGUAGE, Param::query("source", "a source's name", text(200)), LIMIT, AFTER],
        body: None,
        reply: Reply::Json(200),
        failures: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/documents/{id}",
        summary: "One document, with its text",
        access: Access::Reader,
        params: &[UUID_ID],
        body: None,
        reply: Reply::Json(200),
        failures: &[NOT_FOUND],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/events",
        summary: "Events the caller may see, latest first",
        access: Access::Reader,
        params: &[
            SINCE,
            UNTIL,
            CATEGORY,
            Param::query("type", "event type, such as seizure or armed_clash", Kind::Names(Names::EventType)),
            Param::query("country", "ISO 3166 alpha-2 code of the event's place", Kind::Shape(Shape::Country)),
            Param::query("actor", "an actor id, such as iskp", Kind::Shape(Shape::ActorId)),
            Param::query("document", "a document id: the events it reports", Kind::Uuid),
            LIMIT,
            AFTER,
        ],
        body: None,
        reply: Reply::Json(200),
        failures: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/events/{id}",
        summary: "One event with its evidence",
        access: Access::Reader,
        params: &[UUID_ID],
        body: None,
        reply: Reply::Json(200),
        failures: &[NOT_FOUND],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/search",
        summary: "Full-text search over the documents the caller may see",
        access: Access::Reader,
        params: &[
            Param { required: true, ..Param::query("q", "words, \"a phrase\", -excluded, prefix*, OR", text(500)) },
            SINCE,
            UNTIL,
            LANGUAGE,
            Param::query("limit", "1 to 200 (default 20)", Kind::Integer { min: 1, max: 200 }),
        ],
        body: None,
        reply: Reply::Json(200),
        failures: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/sectors",
        summary: "Sectors with threat levels over the caller's visible events, hottest first",
        access: Access::Reader,
        params: &[
            Param::query("border", "only this border, such as AF-TJ (either way round)", Kind::Names(Names::Border)),
            Param::query("category", "rank by this category", Kind::Names(Names::Category)),
            AS_OF,
        ],
        body: None,
        reply: Reply::Json(200),
        failures: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/sectors/{id}",
        summary: "One sector with its levels",
        access: Access::Reader,
        params: &[SECTOR_ID, AS_OF],
        body: None,
        reply: Reply::Json(200),
        failures: &[(404, "no such sector on the watched borders")],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/sectors/{id}/explanation",
        summary: "The incidents behind a sector's level, heaviest first, each with its weight and why",
        access: Access::Reader,
        params: &[
            SECTOR_ID,
            AS_OF,
            Param::query("limit", "how many incidents, 1 to 500 (default 20)", Kind::Integer { min: 1, max: 500 }),
        ],
        body: None,
        reply: Reply::Json(200),
        failures: &[(404, "no such sector on the watched borders")],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/trends",
        summary: "Weekly incident counts with the spike detector's verdict",
        access: Access::Reader,
        params: &[
            Param::query(
                "by",
                "sector (default), province or category",
                Kind::Names(Names::Fixed(&["sector", "province", "category"])),
            ),
            CATEGORY,
            Param::query("weeks", "weeks shown, 1 to 104 (default 12)", Kind::Integer { min: 1, max: 104 }),
            AS_OF,
        ],
        body: None,
        reply: Reply::Json(200),
        failures: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/export/sectors",
        summary: "GeoJSON of the sectors (areas, or lines) with levels over the caller's visible events",
        access: Access::Reader,
        params: &[
            Param::query("geometry", "area (default) or line", Kind::Names(Names::Fixed(&["area", "line"]))),
            AS_OF,
        ],
        body: None,
        reply: Reply::GeoJson,
        failures: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/export/events",
        summary: "GeoJSON of the geolocated events the caller may see",
        access: Access::Reader,
        params: &[],
        body: None,
        reply: Reply::GeoJson,
        failures: &[],
    },
    RouteDoc {
        method: "post",
        path: "/api/v1/corroborate",
        summary: "Merge reports of one incident and record the links",
        access: Access::Writer,
        params: &[],
        body: None,
        reply: Reply::Json(200),
        failures: &[FORBIDDEN],
    },
    RouteDoc {
        method: "post",
        path: "/api/v1/incidents/{id}/split",
        summary: "Undo the merge of an incident",
        access: Access::Writer,
        params: &[Param::path("the incident's id: the id of its first event", Kind::Uuid)],
        body: None,
        reply: Reply::Json(200),
        failures: &[FORBIDDEN, NOT_FOUND, (409, "the incident has no merge the caller may undo")],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/organisations",
        summary: "Partner organisations",
        access: Access::Reader,
        params: &[],
        body: None,
        reply: Reply::Json(200),
        failures: &[],
    },
    RouteDoc {
        method: "post",
        path: "/api/v1/organisations",
        summary: "Add an organisation",
        access: Access::Admin,
        params: &[],
        body: Some(Kind::Object { fields: &[field("name", "its name", text(200), true)], rule: Rule::None }),
        reply: Reply::Json(201),
        failures: &[
            (403, "only the admins of the instance's own organisation add organisations"),
            (409, "an organisation of that name exists"),
        ],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/sharing-groups",
        summary: "Sharing groups (the caller's, or all for the instance's admins)",
        access: Access::Reader,
        params: &[],
        body: None,
        reply: Reply::Json(200),
        failures: &[],
    },
    RouteDoc {
        method: "post",
        path: "/api/v1/sharing-groups",
        summary: "Add a sharing group",
        access: Access::Admin,
        params: &[],
        body: Some(Kind::Object {
            fields: &[
                field("name", "its name", text(200), true),
                field("members", "organisation ids", Kind::List { items: &Kind::Uuid, min: 0, max: 1000 }, true),
            ],
            rule: Rule::None,
        }),
        reply: Reply::Json(201),
        failures: &[(403, "only the admins of the instance's own organisation add sharing groups")],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/users",
        summary: "Users (of the caller's organisation, or all for the instance's admins)",
        access: Access::Admin,
        params: &[],
        body: None,
        reply: Reply::Json(200),
        failures: &[FORBIDDEN],
    },
    RouteDoc {
        method: "post",
        path: "/api/v1/users",
        summary: "Add a user",
        access: Access::Admin,
        params: &[],
        body: Some(Kind::Object {
            fields: &[
                field("name", "a unique name", text(100), true),
                field("organisation", "organisation id", Kind::Uuid, true),
                field("role", "viewer, analyst or admin", Kind::Names(Names::Role), true),
            ],
            rule: Rule::None,
        }),
        reply: Reply::Json(201),
        failures: &[
            (403, "the caller is not an admin, or adds a user to another organisation"),
            (409, "a user of that name exists"),
        ],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/tokens",
        summary: "The caller's tokens (all of the organisation's, for admins); never their secrets",
        access: Access::Reader,
        params: &[],
        body: None,
        reply: Reply::Json(200),
        failures: &[],
    },
    RouteDoc {
        method: "post",
        path: "/api/v1/tokens",
        summary: "Make a token; its secret is in this response only",
        access: Access::Reader,
        params: &[],
        body: Some(Kind::Object {
            fields: &[
                field("label", "what it is for", text(200), true),
                field(
                    "days",
                    "days until it expires, 1 to 365 (default 90)",
                    Kind::Integer { min: 1, max: 365 },
                    false,
                ),
                field("user", "for another user (admins only)", Kind::Uuid, false),
            ],
            rule: Rule::None,
        }),
        reply: Reply::Json(201),
        failures: &[(403, "a token for another user, by a caller who is not an admin")],
    },
    RouteDoc {
        method: "delete",
        path: "/api/v1/tokens/{id}",
        summary: "Revoke a token",
        access: Access::Reader,
        params: &[UUID_ID],
        body: None,
        reply: Reply::Nothing,
        failures: &[NOT_FOUND, (409, "the token was revoked already")],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/alert-rules",
        summary: "The caller's organisation's alert rules",
        access: Access::Reader,
        params: &[],
        body: None,
        reply: Reply::Json(200),
        failures: &[],
    },
    RouteDoc {
        method: "post",
        path: "/api/v1/alert-rules",
        summary: "Add an alert rule",
        access: Access::Writer,
        params: &[],
        body: Some(Kind::Object {
            fields: &[
                field("name", "what the rule is called", text(200), true),
                field(
                    "condition",
                    "what fires it: an incident meeting every condition given, or with level_at_least or spike a sector",
                    Kind::Object { fields: CONDITION, rule: Rule::AtLeastOne },
                    true,
                ),
                field("webhook_url", "where alerts are posted (http or https)", Kind::Shape(Shape::HttpUrl), false),
                field(
                    "webhook_secret",
                    "signs each delivery (HMAC-SHA256); at least 16 characters",
                    Kind::Text { min: 16, max: 500 },
                    false,
                ),
            ],
            rule: Rule::Together("webhook_url", "webhook_secret"),
        }),
        reply: Reply::Json(201),
        failures: &[FORBIDDEN],
    },
    RouteDoc {
        method: "delete",
        path: "/api/v1/alert-rules/{id}",
        summary: "Disable an alert rule",
        access: Access::Writer,
        params: &[UUID_ID],
        body: None,
        reply: Reply::Nothing,
        failures: &[FORBIDDEN, (404, "no enabled rule of the caller's organisation with this id")],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/alerts",
        summary: "The caller's organisation's alerts, newest first",
        access: Access::Reader,
        params: &[
            Param::query("status", "new, acknowledged or closed", Kind::Names(Names::AlertStatus)),
            Param::query("limit", "1 to 500 (default 100)", Kind::Integer { min: 1, max: 500 }),
            AFTER,
        ],
        body: None,
        reply: Reply::Json(200),
        failures: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/alerts/stream",
        summary: "New alerts as they fire (Server-Sent Events)",
        access: Access::Reader,
        params: &[],
        body: None,
        reply: Reply::Stream,
        failures: &[],
    },
    RouteDoc {
        method: "post",
        path: "/api/v1/alerts/{id}/acknowledge",
        summary: "Acknowledge an alert",
        access: Access::Writer,
        params: &[UUID_ID],
        body: None,
        reply: Reply::Json(200),
        failures: &[FORBIDDEN, (409, "no such alert of the caller's organisation, or it is acknowledged already")],
    },
    RouteDoc {
        method: "post",
        path: "/api/v1/alerts/{id}/close",
        summary: "Close an alert",
        access: Access::Writer,
        params: &[UUID_ID],
        body: None,
        reply: Reply::Json(200),
        failures: &[FORBIDDEN, (409, "no such alert of the caller's organisation, or it is closed already")],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/audit",
        summary: "The audit trail, newest first",
        access: Access::Admin,
        params: &[
            Param::query("user", "one user's id", Kind::Uuid),
            Param::query(
                "before",
                "entries before this position (the `next_before` of the previous page)",
                Kind::Integer { min: 1, max: i64::MAX },
            ),
            Param::query("limit", "1 to 500 (default 100)", Kind::Integer { min: 1, max: 500 }),
        ],
        body: None,
        reply: Reply::Json(200),
        failures: &[FORBIDDEN],
    },
];

/// The route declared for `method` and `path`.
pub fn route(method: &str, path: &str) -> Option<&'static RouteDoc> {
    ROUTES.iter().find(|r| r.method == method && r.path == path)
}

fn handler(route: &RouteDoc) -> Option<MethodRouter<AppState>> {
    Some(match (route.method, route.path) {
        ("get", "/healthz") => get(|| async { Json(json!({ "status": "ok" })) }),
        ("get", "/readyz") => get(readyz),
        ("get", "/metrics") => get(metrics),
        ("get", "/openapi.json") => {
            get(|State(state): State<AppState>| async move { Json(crate::openapi::document(&state.vocabulary)) })
        }
        ("get", "/api/v1/whoami") => get(whoami),
        ("get", "/api/v1/documents") => get(documents),
        ("get", "/api/v1/documents/{id}") => get(document),
        ("get", "/api/v1/events") => get(events),
        ("get", "/api/v1/events/{id}") => get(event),
        ("get", "/api/v1/search") => get(search),
        ("get", "/api/v1/sectors") => get(sectors),
        ("get", "/api/v1/sectors/{id}") => get(sector),
        ("get", "/api/v1/sectors/{id}/explanation") => get(explanation),
        ("get", "/api/v1/trends") => get(trends),
        ("get", "/api/v1/export/sectors") => get(export_sectors),
        ("get", "/api/v1/export/events") => get(export_events),
        ("post", "/api/v1/corroborate") => post(corroborate),
        ("post", "/api/v1/incidents/{id}/split") => post(split),
        ("get", "/api/v1/organisations") => get(organisations),
        ("post", "/api/v1/organisations") => post(add_organisation),
        ("get", "/api/v1/sharing-groups") => get(sharing_groups),
        ("post", "/api/v1/sharing-groups") => post(add_sharing_group),
        ("get", "/api/v1/users") => get(users),
        ("post", "/api/v1/users") => post(add_user),
        ("get", "/api/v1/tokens") => get(tokens),
        ("post", "/api/v1/tokens") => post(add_token),
        ("delete", "/api/v1/tokens/{id}") => delete(revoke_token),
        ("get", "/api/v1/audit") => get(audit),
        ("get", "/api/v1/alert-rules") => get(alert_rules),
        ("post", "/api/v1/alert-rules") => post(add_alert_rule),
        ("delete", "/api/v1/alert-rules/{id}") => delete(disable_alert_rule),
        ("get", "/api/v1/alerts") => get(alerts),
        ("get", "/api/v1/alerts/stream") => get(alert_stream),
        ("post", "/api/v1/alerts/{id}/acknowledge") => post(acknowledge_alert),
        ("post", "/api/v1/alerts/{id}/close") => post(close_alert),
        _ => return None,
    })
}

/// Mounts every route of [`ROUTES`] (several methods on one path are merged).
pub fn register(mut router: Router<AppState>, _state: &AppState) -> Router<AppState> {
    let mut by_path: Vec<(&str, MethodRouter<AppState>)> = Vec::new();
    for route in ROUTES {
        let Some(h) = handler(route) else {
            tracing::error!("route {} {} has no handler", route.method, route.path);
            continue;
        };
        match by_path.iter_mut().find(|(p, _)| *p == route.path) {
            Some((_, existing)) => *existing = std::mem::take(existing).merge(h),
            None => by_path.push((route.path, h)),
        }
    }
    for (path, methods) in by_path {
        router = router.route(path, methods);
    }
    router
}

/// Whether every declared route has a handler (checked by the tests).
pub fn all_routes_have_handlers() -> bool {
    ROUTES.iter().all(|r| handler(r).is_some())
}

/// A page of a listing, serialised straight from its items.
#[derive(serde::Serialize)]
struct ListPage<T> {
    items: Vec<T>,
    next: Option<String>,
}

// ---- Parameters ----

/// Query parameters, read strictly against the route's declaration in [`ROUTES`]: unknown
/// names, names given twice, empty values and values of the wrong shape are field errors.
struct Params {
    map: HashMap<String, String>,
    errors: Vec<FieldError>,
}

/// Decodes one `application/x-www-form-urlencoded` component: `+` is a space and `%XX` a
/// byte (a `%` not followed by two hex digits stands for itself).
fn form_decode(text: &str) -> Result<String, std::string::FromUtf8Error> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => match (b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
                (Some(high), Some(low)) => {
                    out.push((high * 16 + low) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8(out)
}

impl Params {
    /// The query of a GET request to the route `path`. Bytes that are not UTF-8 once
    /// decoded are a bad request (400); everything else is checked here or by the handler.
    fn new(state: &AppState, path: &str, query: Option<&str>) -> Result<Self, Problem> {
        Self::read(&state.vocabulary, path, query)
    }

    /// [`Params::new`] with the names the server knows given.
    fn read(vocabulary: &crate::schema::Vocabulary, path: &str, query: Option<&str>) -> Result<Self, Problem> {
        let declared = route("get", path).map_or(&[][..], |r| r.params);
        let mut map = HashMap::new();
        let mut errors = Vec::new();
        for pair in query.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let (Ok(name), Ok(value)) = (form_decode(name), form_decode(value)) else {
                let mut problem =
                    Problem::new(StatusCode::BAD_REQUEST, "the query string is not UTF-8 once percent-decoded");
                problem.errors.push(FieldError {
                    field: format!("query.{}", String::from_utf8_lossy(name.as_bytes())),
                    message: "not UTF-8".into(),
                });
                return Err(problem);
            };
            if map.contains_key(&name) {
                errors.push(FieldError { field: format!("query.{name}"), message: "given more than once".into() });
                continue;
            }
            map.insert(name, value);
        }
        for param in declared.iter().filter(|p| p.place == Place::Query) {
            if let Some(value) = map.get(param.name)
                && let Err(message) = param.kind.check_text(value, vocabulary)
            {
                errors.push(FieldError { field: format!("query.{}", param.name), message });
                map.remove(param.name);
            }
        }
        let mut unknown: Vec<&String> =
            map.keys().filter(|k| !declared.iter().any(|p| p.place == Place::Query && p.name == k.as_str())).collect();
        unknown.sort();
        for name in unknown {
            errors.push(FieldError { field: format!("query.{name}"), message: "unknown parameter".into() });
        }
        map.retain(|k, _| declared.iter().any(|p| p.place == Place::Query && p.name == k.as_str()));
        Ok(Self { map, errors })
    }

    fn text(&mut self, name: &str) -> Option<String> {
        self.map.remove(name)
    }

    fn parse<T: FromStr>(&mut self, name: &str) -> Option<T>
    where
        T::Err: std::fmt::Display,
    {
        let text = self.text(name)?;
        match text.parse() {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.push(FieldError { field: format!("query.{name}"), message: e.to_string() });
                None
            }
        }
    }

    fn instant(&mut self, name: &str) -> Option<DateTime<Utc>> {
        let text = self.text(name)?;
        match When::parse(&text) {
            Ok(w) => Some(w.at),
            Err(e) => {
                self.errors.push(FieldError { field: format!("query.{name}"), message: e.to_string() });
                None
            }
        }
    }

    /// A whole number, checked against its declared range already.
    fn number(&mut self, name: &str, default: u32) -> u32 {
        self.parse(name).unwrap_or(default)
    }

    fn as_of(&mut self) -> NaiveDate {
        self.parse("as_of").unwrap_or_else(|| Utc::now().date_naive())
    }

    fn finish(self) -> Result<(), Problem> {
        if self.errors.is_empty() { Ok(()) } else { Err(Problem::invalid(self.errors)) }
    }
}

/// A path's id, which the route declares a UUID: 422 when it is not one.
fn path_id<T: FromStr>(id: &str) -> Result<T, Problem> {
    match id.parse() {
        Ok(v) if crate::schema::is_uuid(id) => Ok(v),
        _ => {
            Err(Problem::field("path.id", format!("{id:?} is not a UUID such as 0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")))
        }
    }
}

/// Reads a query string (the text after `?`) as the events listing does: every parameter
/// it takes, checked strictly, the page cursor included. Public for the fuzz targets and
/// property tests, which feed it hostile queries; names of sectors and actors are checked
/// against an empty vocabulary.
pub fn check_query(query: &str) -> Result<(), Problem> {
    let vocabulary = crate::schema::Vocabulary::default();
    Params::read(&vocabulary, "/api/v1/events", Some(query))?.finish()
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, Problem> + Send + 'static) -> Result<T, Problem> {
    crate::on_store(f).await
}

// ---- Public ----

async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, Problem> {
    let store = state.store.clone();
    // Readiness answers within two seconds whatever the database does.
    let within = crate::db_timeout().min(std::time::Duration::from_secs(2));
    let version = crate::on_store_within(within, move || Ok(store.schema_version()?)).await?;
    Ok(Json(json!({ "status": "ready", "schema_version": version })))
}

async fn metrics(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render()).into_response()
}

// ---- Reading ----

async fn whoami(caller: Caller) -> Json<Value> {
    Json(json!({
        "user": caller.user,
        "groups": caller.viewer.groups,
    }))
}

async fn documents(State(state): State<AppState>, caller: Caller, RawQuery(q): RawQuery) -> Result<Response, Problem> {
    let mut p = Params::new(&state, "/api/v1/documents", q.as_deref())?;
    let filter = DocumentFilter {
        since: p.instant("since"),
        until: p.instant("until"),
        language: p.parse("language"),
        source: p.text("source"),
        visible_to: Some(caller.viewer.clone()),
    };
    let page = Page { limit: p.number("limit", 50), after: p.text("after") };
    p.finish()?;
    let store = state.store.clone();
    let listing = blocking(move || Ok(store.documents(&filter, &page)?)).await?;
    state.record(&caller, "list", "/api/v1/documents", json!({ "count": listing.items.len() }));
    Ok(Json(ListPage { items: listing.items, next: listing.next }).into_response())
}

async fn document(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Response, Problem> {
    let wanted: model::DocumentId = path_id(&id)?;
    let store = state.store.clone();
    let found = blocking(move || Ok(store.document(&wanted.to_string())?)).await?;
    // Invisible and missing look the same: nothing tells a caller that a record exists.
    let doc = found
        .filter(|d| may_see(&caller.viewer, &d.marking))
        .ok_or_else(|| Problem::not_found(format!("no document {id}")))?;
    state.record(&caller, "read", &format!("/api/v1/documents/{}", doc.id), json!({}));
    Ok(Json(doc).into_response())
}

fn event_filter(p: &mut Params, caller: &Caller) -> EventFilter {
    EventFilter {
        since: p.instant("since"),
        until: p.instant("until"),
        category: p.parse("category"),
        event_type: p.parse("type"),
        country: p.parse("country"),
        actor: p.parse("actor"),
        document: p.parse("document"),
        id: None,
        owner: None,
        visible_to: Some(caller.viewer.clone()),
    }
}

async fn events(State(state): State<AppState>, caller: Caller, RawQuery(q): RawQuery) -> Result<Response, Problem> {
    let mut p = Params::new(&state, "/api/v1/events", q.as_deref())?;
    let filter = event_filter(&mut p, &caller);
    let page = Page { limit: p.number("limit", 50), after: p.text("after") };
    p.finish()?;
    let store = state.store.clone();
    // The page is written straight into the response body: `{"items":[...],"next":...}`.
    let (body, listing) = blocking(move || {
        let mut body = Vec::with_capacity(2048 * page.limit as usize);
        body.extend_from_slice(b"{\"items\":");
        let listing = store.write_events_json(&filter, &page, &mut body)?;
        body.extend_from_slice(b",\"next\":");
        serde_json::to_writer(&mut body, &listing.next).map_err(Problem::internal)?;
        body.push(b'}');
        Ok((body, listing))
    })
    .await?;
    state.record(&caller, "list", "/api/v1/events", json!({ "count": listing.items.len() }));
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

async fn event(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Response, Problem> {
    let event_id: EventId = path_id(&id)?;
    let filter = EventFilter { id: Some(event_id), visible_to: Some(caller.viewer.clone()), ..Default::default() };
    let store = state.store.clone();
    let listing = blocking(move || Ok(store.events(&filter, &Page { limit: 1, after: None })?)).await?;
    let event = listing.items.into_iter().next().ok_or_else(|| Problem::not_found(format!("no event {id}")))?;
    state.record(&caller, "read", &format!("/api/v1/events/{id}"), json!({}));
    Ok(Json(event).into_response())
}

async fn search(State(state): State<AppState>, caller: Caller, RawQuery(q): RawQuery) -> Result<Json<Value>, Problem> {
    let mut p = Params::new(&state, "/api/v1/search", q.as_deref())?;
    let text = p.text("q");
    let filter = DocumentFilter {
        since: p.instant("since"),
        until: p.instant("until"),
        language: p.parse("language"),
        source: None,
        visible_to: Some(caller.viewer.clone()),
    };
    let limit = p.number("limit", 20);
    if text.is_none() && !p.errors.iter().any(|e| e.field == "query.q") {
        p.errors.push(FieldError { field: "query.q".into(), message: "give words to search for".into() });
    }
    p.finish()?;
    let text = text.unwrap_or_default();
    let query = SearchQuery::parse(&text)?;
    let store = state.store.clone();
    let hits = blocking(move || Ok(store.search(&query, &filter, limit)?)).await?;
    state.record(&caller, "search", "/api/v1/search", json!({ "q": text, "count": hits.len() }));
    Ok(Json(json!({ "items": hits })))
}

/// The belt over what the caller may see. Computing it reads every visible event, so it
/// is kept per viewer until the store changes (`Store::belt_generation`), and computed
/// once when several requests ask at the same time.
async fn visible_belt(state: &AppState, caller: &Caller) -> Result<Arc<Belt>, Problem> {
    belt_for(state, &caller.viewer).await
}

/// The belt over what `viewer` may see, from the cache when the store has not changed.
pub async fn belt_for(state: &AppState, viewer: &model::Viewer) -> Result<Arc<Belt>, Problem> {
    let store = state.store.clone();
    let generation = blocking(move || Ok(store.belt_generation()?)).await?;
    if let Some(belt) = state.belts.get(viewer, &generation) {
        return Ok(belt);
    }
    let _one_at_a_time = state.belts.computing.lock().await;
    if let Some(belt) = state.belts.get(viewer, &generation) {
        return Ok(belt);
    }
    let (store, extractor, settings, sectors, seen_by) =
        (state.store.clone(), state.extractor.clone(), state.belt.clone(), state.sectors.clone(), viewer.clone());
    let belt = Arc::new(
        blocking(move || {
            Ok(pipeline::belt::load(&store, &settings, extractor.dictionaries(), &sectors, Some(&seen_by))?)
        })
        .await?,
    );
    state.belts.put(viewer.clone(), generation, belt.clone());
    Ok(belt)
}

async fn sectors(State(state): State<AppState>, caller: Caller, RawQuery(q): RawQuery) -> Result<Json<Value>, Problem> {
    let mut p = Params::new(&state, "/api/v1/sectors", q.as_deref())?;
    let border = p.text("border");
    let category: Option<Category> = p.parse("category");
    let as_of = p.as_of();
    p.finish()?;
    let belt = visible_belt(&state, &caller).await?;
    let assessment = belt.assess(&state.belt, as_of);
    let score = |s: usize| match category {
        Some(c) => assessment.sectors[s].by_category.get(&c).map_or(0.0, |x| x.0),
        None => assessment.sectors[s].score,
    };
    let mut rows: Vec<usize> = (0..belt.sectors.len())
        .filter(|&s| {
            border.as_deref().is_none_or(|b| {
                let own = &belt.sectors[s].border;
                let reversed: String = own.split('-').rev().collect::<Vec<_>>().join("-");
                own == b || reversed == b
            })
        })
        .collect();
    rows.sort_by(|&a, &b| score(b).total_cmp(&score(a)).then(a.cmp(&b)));
    state.record(&caller, "assess", "/api/v1/sectors", json!({ "as_of": as_of.to_string() }));
    Ok(Json(json!({
        "as_of": as_of.to_string(),
        "sectors": rows.iter().map(|&s| sector_json(&belt, &assessment, s)).collect::<Vec<_>>(),
    })))
}

/// A sector's id in a path: 422 when it is not written as one (`AF-TJ-017`); one that
/// is not on the watched borders is not found (404) by the belt.
fn sector_path(id: &str) -> Result<(), Problem> {
    match id.parse::<model::SectorId>() {
        Ok(_) => Ok(()),
        Err(e) => Err(Problem::field("path.id", e.to_string())),
    }
}

async fn sector(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, Problem> {
    let mut p = Params::new(&state, "/api/v1/sectors/{id}", q.as_deref())?;
    let as_of = p.as_of();
    p.finish()?;
    sector_path(&id)?;
    let belt = visible_belt(&state, &caller).await?;
    let s = belt.sector(&id)?;
    let assessment = belt.assess(&state.belt, as_of);
    state.record(&caller, "assess", &format!("/api/v1/sectors/{id}"), json!({ "as_of": as_of.to_string() }));
    Ok(Json(sector_json(&belt, &assessment, s)))
}

async fn explanation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, Problem> {
    let mut p = Params::new(&state, "/api/v1/sectors/{id}/explanation", q.as_deref())?;
    let as_of = p.as_of();
    let limit = p.number("limit", 20) as usize;
    p.finish()?;
    sector_path(&id)?;
    let belt = visible_belt(&state, &caller).await?;
    let s = belt.sector(&id)?;
    let assessment = belt.assess(&state.belt, as_of);
    let mut value = sector_json(&belt, &assessment, s);
    let level = &assessment.sectors[s];
    value["as_of"] = json!(as_of.to_string());
    value["contributions"] =
        level.contributions.iter().take(limit).map(|c| contribution_json(&belt, c)).collect::<Vec<_>>().into();
    state.record(
        &caller,
        "explain",
        &format!("/api/v1/sectors/{id}/explanation"),
        json!({ "as_of": as_of.to_string() }),
    );
    Ok(Json(value))
}

async fn trends(State(state): State<AppState>, caller: Caller, RawQuery(q): RawQuery) -> Result<Json<Value>, Problem> {
    let mut p = Params::new(&state, "/api/v1/trends", q.as_deref())?;
    let by = p.text("by").unwrap_or_else(|| "sector".into());
    let only: Option<Category> = p.parse("category");
    let weeks = p.number("weeks", 12) as usize;
    let as_of = p.as_of();
    p.finish()?;
    let belt = visible_belt(&state, &caller).await?;
    let rows = pipeline::belt::trend_rows(&belt, &by, only, weeks, &state.belt.spike, as_of);
    state.record(&caller, "trends", "/api/v1/trends", json!({ "by": by, "as_of": as_of.to_string() }));
    Ok(Json(json!({
        "as_of": as_of.to_string(),
        "by": by,
        "rows": rows.iter().map(pipeline::belt::TrendRow::to_json).collect::<Vec<_>>(),
    })))
}

async fn export_sectors(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> Result<Response, Problem> {
    let mut p = Params::new(&state, "/api/v1/export/sectors", q.as_deref())?;
    let geometry = p.text("geometry").unwrap_or_else(|| "area".into());
    let as_of = p.as_of();
    p.finish()?;
    let belt = visible_belt(&state, &caller).await?;
    let assessment = belt.assess(&state.belt, as_of);
    let collection = pipeline::belt::sectors_geojson(&belt, &assessment, geometry == "area");
    state.record(&caller, "export", "/api/v1/export/sectors", json!({ "as_of": as_of.to_string() }));
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], Json(collection)).into_response())
}

async fn export_events(State(state): State<AppState>, caller: Caller) -> Result<Response, Problem> {
    let (body, count) = events_geojson_for(&state, &caller.viewer).await?;
    state.record(&caller, "export", "/api/v1/export/events", json!({ "count": count }));
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], body).into_response())
}

/// The GeoJSON of the events `viewer` may see, and how many: written once per viewer
/// until the store changes, since the map asks for it on every visit.
pub async fn events_geojson_for(
    state: &AppState,
    viewer: &model::Viewer,
) -> Result<(axum::body::Bytes, usize), Problem> {
    let belt = belt_for(state, viewer).await?;
    let key = Arc::as_ptr(&belt) as usize;
    if let Some(found) = state.belts.geojson(key) {
        return Ok(found);
    }
    // Held until the GeoJSON is kept, so that no other belt can take its address.
    let held = belt.clone();
    let written = blocking(move || {
        let collection = pipeline::belt::events_geojson(&belt);
        let count = collection["features"].as_array().map_or(0, Vec::len);
        Ok((axum::body::Bytes::from(serde_json::to_vec(&collection).map_err(Problem::internal)?), count))
    })
    .await?;
    state.belts.keep_geojson(key, written.clone());
    drop(held);
    Ok(written)
}

// ---- Writing ----

async fn corroborate(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, Problem> {
    caller.must_write()?;
    // Over what the caller's organisation may see, and writing only its own events'
    // links and assessments: the answer counts nothing the caller could not open.
    let (store, extractor, settings, sectors) =
        (state.store.clone(), state.extractor.clone(), state.belt.clone(), state.sectors.clone());
    let (viewer, organisation) = (caller.viewer.clone(), caller.user.organisation);
    // A pass over a large store takes a while; its answer waits for the writes it makes.
    let within = crate::db_timeout().max(std::time::Duration::from_secs(300));
    let (incidents, links, added) = crate::on_store_within(within, move || {
        let belt = pipeline::belt::load(&store, &settings, extractor.dictionaries(), &sectors, Some(&viewer))?;
        let (links, added) = pipeline::belt::record_corroboration(&store, &belt, Some(organisation))?;
        Ok((belt.incidents.len(), links, added))
    })
    .await?;
    let detail = json!({ "incidents": incidents, "links": links, "new_links": added });
    state.record_now(&caller, "corroborate", "/api/v1/corroborate", detail.clone()).await?;
    Ok(Json(detail))
}

async fn split(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, Problem> {
    caller.must_write()?;
    let incident: EventId = id.parse().map_err(|e: model::InvalidValue| Problem::field("path.id", e.to_string()))?;
    // Only an incident the caller can see can be split, and only the links of events it
    // may see whose event or incident its organisation owns are undone and counted.
    let viewer = caller.viewer.clone();
    let store = state.store.clone();
    let undone = blocking(move || {
        let visible = |event: EventId| {
            let filter = EventFilter { id: Some(event), visible_to: Some(viewer.clone()), ..Default::default() };
            store.events(&filter, &Page { limit: 1, after: None }).map(|page| page.items.into_iter().next())
        };
        let Some(head) = visible(incident)? else {
            return Err(Problem::not_found(format!("no incident {incident}")));
        };
        let mut undo = Vec::new();
        for link in store.links()?.into_iter().filter(|l| l.incident == incident && l.unlinked_at.is_none()) {
            if let Some(event) = visible(link.event)?
                && (event.marking.owner == viewer.organisation || head.marking.owner == viewer.organisation)
            {
                undo.push(link.event);
            }
        }
        Ok(store.unlink_events(incident, &undo)?)
    })
    .await?;
    if undone == 0 {
        return Err(Problem::new(StatusCode::CONFLICT, format!("incident {id} has no merge you may undo")));
    }
    state.record_now(&caller, "split", &format!("/api/v1/incidents/{id}/split"), json!({ "undone": undone })).await?;
    Ok(Json(json!({ "incident": id, "undone": undone })))
}

// ---- Organisations, groups, users, tokens, audit ----

/// Whether the caller administers the whole instance: an admin of its own (local)
/// organisation. A partner organisation's admins manage their own organisation's users
/// and tokens only; organisations and sharing groups are the instance's to add.
async fn instance_admin(state: &AppState, caller: &Caller) -> Result<bool, Problem> {
    if caller.user.role != Role::Admin {
        return Ok(false);
    }
    let store = state.store.clone();
    let local = blocking(move || Ok(store.local_organisation()?.id)).await?;
    Ok(caller.user.organisation == local)
}

/// Refuses a caller who is not an admin of the instance's own organisation.
async fn must_administer_instance(state: &AppState, caller: &Caller, what: &str) -> Result<(), Problem> {
    caller.must_administer()?;
    if instance_admin(state, caller).await? {
        Ok(())
    } else {
        Err(Problem::forbidden(format!("only the admins of this instance's own organisation {what}")))
    }
}

async fn organisations(State(state): State<AppState>, _caller: Caller) -> Result<Json<Value>, Problem> {
    let store = state.store.clone();
    let all = blocking(move || Ok(store.organisations()?)).await?;
    Ok(Json(json!({ "items": all })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewOrganisation {
    name: String,
}

/// A JSON body as the POST route `path` declares it. Another media type is refused (415),
/// bytes that are not UTF-8 are a bad request (400), and JSON that does not parse or does
/// not fit the declaration is refused (422), each wrong field named by its path
/// (`body.condition.level_at_least`).
fn body<T: serde::de::DeserializeOwned>(
    state: &AppState,
    path: &str,
    headers: &HeaderMap,
    bytes: &axum::body::Bytes,
) -> Result<T, Problem> {
    let media = headers.get(header::CONTENT_TYPE).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let essence = media.as_deref().and_then(|m| m.split(';').next()).unwrap_or_default().trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        let given = media.map_or_else(|| "no Content-Type".to_owned(), |m| format!("Content-Type {m:?}"));
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("send the body as application/json ({given} was given)"),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let mut problem = Problem::new(StatusCode::BAD_REQUEST, "the body is not UTF-8, as JSON must be");
        problem.errors.push(FieldError { field: "body".into(), message: e.to_string() });
        problem
    })?;
    let at = |path: &serde_path_to_error::Path| match path.to_string().as_str() {
        "." => "body".to_owned(),
        p => format!("body.{p}"),
    };
    let mut reader = serde_json::Deserializer::from_str(text);
    let mut value: Value = serde_path_to_error::deserialize(&mut reader)
        .map_err(|e| Problem::field(&at(e.path()), format!("not JSON: {}", e.inner())))?;
    reader.end().map_err(|e| Problem::field("body", format!("not JSON: {e}")))?;
    let mut errors = Vec::new();
    if let Some(kind) = route("post", path).and_then(|r| r.body) {
        kind.check(&mut value, "body", &state.vocabulary, &mut errors);
    }
    if !errors.is_empty() {
        return Err(Problem::invalid(errors));
    }
    serde_path_to_error::deserialize(value).map_err(|e| Problem::field(&at(e.path()), e.inner().to_string()))
}

/// A store's "no such record" about a record a body names, as that field's error.
fn named_in(field: &'static str) -> impl Fn(store::StoreError) -> Problem {
    move |e| match e {
        store::StoreError::NotFound { .. } => Problem::field(field, e.to_string()),
        other => other.into(),
    }
}

async fn add_organisation(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), Problem> {
    must_administer_instance(&state, &caller, "add organisations").await?;
    let req: NewOrganisation = body(&state, "/api/v1/organisations", &headers, &bytes)?;
    let name = req.name.trim().to_owned();
    let store = state.store.clone();
    let org = blocking(move || Ok(store.create_organisation(&name)?)).await?;
    state.record_now(&caller, "create", "/api/v1/organisations", json!({ "organisation": org.id })).await?;
    Ok((StatusCode::CREATED, Json(serde_json::to_value(&org).map_err(Problem::internal)?)))
}

async fn sharing_groups(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, Problem> {
    let store = state.store.clone();
    let all = blocking(move || Ok(store.sharing_groups()?)).await?;
    let everything = instance_admin(&state, &caller).await?;
    let mine: Vec<_> =
        all.into_iter().filter(|g| everything || g.members.contains(&caller.user.organisation)).collect();
    Ok(Json(json!({ "items": mine })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewGroup {
    name: String,
    members: Vec<OrganisationId>,
}

async fn add_sharing_group(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), Problem> {
    must_administer_instance(&state, &caller, "add sharing groups").await?;
    let req: NewGroup = body(&state, "/api/v1/sharing-groups", &headers, &bytes)?;
    let name = req.name.trim().to_owned();
    let store = state.store.clone();
    let group =
        blocking(move || store.create_sharing_group(&name, &req.members).map_err(named_in("body.members"))).await?;
    state.forget_viewers();
    state.record_now(&caller, "create", "/api/v1/sharing-groups", json!({ "group": group.id })).await?;
    Ok((StatusCode::CREATED, Json(serde_json::to_value(&group).map_err(Problem::internal)?)))
}

async fn users(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, Problem> {
    caller.must_administer()?;
    let everything = instance_admin(&state, &caller).await?;
    let store = state.store.clone();
    let organisation = caller.user.organisation;
    let all: Vec<_> = blocking(move || Ok(store.users()?))
        .await?
        .into_iter()
        .filter(|u| everything || u.organisation == organisation)
        .collect();
    Ok(Json(json!({ "items": all })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    name: String,
    organisation: OrganisationId,
    role: String,
}

async fn add_user(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), Problem> {
    caller.must_administer()?;
    let req: NewUser = body(&state, "/api/v1/users", &headers, &bytes)?;
    let name = req.name.trim().to_owned();
    let role: Role =
        req.role.trim().parse().map_err(|e: model::InvalidValue| Problem::field("body.role", e.to_string()))?;
    if req.organisation != caller.user.organisation && !instance_admin(&state, &caller).await? {
        return Err(Problem::forbidden("an organisation's admins add users to their own organisation only"));
    }
    let store = state.store.clone();
    let user =
        blocking(move || store.create_user(req.organisation, &name, role).map_err(named_in("body.organisation")))
            .await?;
    state.record_now(&caller, "create", "/api/v1/users", json!({ "user": user.id, "role": role })).await?;
    Ok((StatusCode::CREATED, Json(serde_json::to_value(&user).map_err(Problem::internal)?)))
}

async fn tokens(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, Problem> {
    let store = state.store.clone();
    let whose = if caller.user.role == Role::Admin { None } else { Some(caller.user.id) };
    let everything = instance_admin(&state, &caller).await?;
    let organisation = caller.user.organisation;
    let all = blocking(move || {
        let members: HashSet<UserId> =
            store.users()?.into_iter().filter(|u| u.organisation == organisation).map(|u| u.id).collect();
        Ok(store.tokens(whose)?.into_iter().filter(|t| everything || members.contains(&t.user)).collect::<Vec<_>>())
    })
    .await?;
    Ok(Json(json!({ "items": all })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewToken {
    label: String,
    days: Option<i64>,
    user: Option<UserId>,
}

async fn add_token(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let req: NewToken = body(&state, "/api/v1/tokens", &headers, &bytes)?;
    let label = req.label.trim().to_owned();
    let days = req.days.unwrap_or(90);
    if !(1..=365).contains(&days) {
        return Err(Problem::field("body.days", format!("{days} is not from 1 to 365")));
    }
    let user = match req.user {
        Some(other) if other != caller.user.id => {
            caller.must_administer()?;
            // Another organisation's user looks like no user.
            let everything = instance_admin(&state, &caller).await?;
            let store = state.store.clone();
            let organisation = caller.user.organisation;
            let found = blocking(move || Ok(store.users()?.into_iter().find(|u| u.id == other))).await?;
            match found {
                Some(u) if everything || u.organisation == organisation => other,
                _ => return Err(Problem::field("body.user", format!("no user {other}"))),
            }
        }
        _ => caller.user.id,
    };
    let secret = new_secret().map_err(Problem::internal)?;
    let hash = hash_secret(&secret);
    let store = state.store.clone();
    let expires = Utc::now() + Duration::days(days);
    let record = blocking(move || Ok(store.add_token(user, &label, &hash, expires)?)).await?;
    state.record_now(&caller, "create", "/api/v1/tokens", json!({ "token": record.id, "user": user })).await?;
    let mut value = serde_json::to_value(&record).map_err(Problem::internal)?;
    value["secret"] = json!(secret);
    Ok((StatusCode::CREATED, Json(value)))
}

async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let token: TokenId = path_id(&id)?;
    let store = state.store.clone();
    let mine = caller.user.id;
    let admin = caller.user.role == Role::Admin;
    let everything = instance_admin(&state, &caller).await?;
    let organisation = caller.user.organisation;
    let revoked = blocking(move || {
        let owned = store.tokens(None)?.into_iter().find(|t| t.id == token);
        let ours = |user: UserId| -> Result<bool, Problem> {
            Ok(everything || store.users()?.iter().any(|u| u.id == user && u.organisation == organisation))
        };
        match owned {
            Some(t) if t.user == mine || (admin && ours(t.user)?) => Ok(store.revoke_token(token)?),
            // Another user's token looks like no token.
            _ => Err(Problem::not_found(format!("no token {token}"))),
        }
    })
    .await?;
    state.forget_token(token);
    if !revoked {
        return Err(Problem::new(StatusCode::CONFLICT, format!("token {id} was already revoked")));
    }
    state.record_now(&caller, "revoke", &format!("/api/v1/tokens/{id}"), json!({})).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn audit(State(state): State<AppState>, caller: Caller, RawQuery(q): RawQuery) -> Result<Json<Value>, Problem> {
    caller.must_administer()?;
    let mut p = Params::new(&state, "/api/v1/audit", q.as_deref())?;
    let user: Option<UserId> = p.parse("user");
    let before: Option<i64> = p.parse("before");
    let limit = p.number("limit", 100);
    p.finish()?;
    // A partner organisation's admins read their own organisation's entries.
    let everything = instance_admin(&state, &caller).await?;
    let organisation = caller.user.organisation;
    let store = state.store.clone();
    let entries = blocking(move || Ok(store.audit_entries(user, before, limit)?)).await?;
    let next = entries.last().map(|e| e.seq);
    let entries: Vec<_> = entries.into_iter().filter(|e| everything || e.organisation == Some(organisation)).collect();
    Ok(Json(json!({ "items": entries, "next_before": next })))
}

// ---- Alerts ----

async fn alert_rules(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, Problem> {
    let store = state.store.clone();
    let org = caller.user.organisation;
    let rules = blocking(move || Ok(store.alert_rules(Some(org))?)).await?;
    Ok(Json(json!({ "items": rules })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewRule {
    name: String,
    condition: model::AlertCondition,
    webhook_url: Option<String>,
    webhook_secret: Option<String>,
}

async fn add_alert_rule(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), Problem> {
    caller.must_write()?;
    let req: NewRule = body(&state, "/api/v1/alert-rules", &headers, &bytes)?;
    let name = req.name.trim().to_owned();
    // The condition's fields were checked against the declaration: at least one given,
    // areas of three points or more within range, sectors and actors that exist here.
    let mut errors = Vec::new();
    let webhook = match (&req.webhook_url, &req.webhook_secret) {
        (None, None) => None,
        (Some(url), Some(secret)) => {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                errors.push(FieldError {
                    field: "body.webhook_url".into(),
                    message: "must be an http or https URL".into(),
                });
            } else if let Some(why) = state.webhooks.refuse_url(url) {
                errors.push(FieldError { field: "body.webhook_url".into(), message: why });
            }
            if secret.chars().count() < 16 {
                errors.push(FieldError {
                    field: "body.webhook_secret".into(),
                    message: "must be at least 16 characters".into(),
                });
            }
            Some((url.clone(), secret.clone()))
        }
        _ => {
            errors.push(FieldError {
                field: "body.webhook_secret".into(),
                message: "a webhook needs both webhook_url and webhook_secret".into(),
            });
            None
        }
    };
    if !errors.is_empty() {
        return Err(Problem::invalid(errors));
    }
    let store = state.store.clone();
    let org = caller.user.organisation;
    let condition = req.condition.clone();
    let rule = blocking(move || {
        Ok(store.create_alert_rule(org, &name, &condition, webhook.as_ref().map(|(u, s)| (u.as_str(), s.as_str())))?)
    })
    .await?;
    state.record_now(&caller, "create", "/api/v1/alert-rules", json!({ "rule": rule.id })).await?;
    Ok((StatusCode::CREATED, Json(serde_json::to_value(&rule).map_err(Problem::internal)?)))
}

async fn disable_alert_rule(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    caller.must_write()?;
    let rule: model::AlertRuleId = path_id(&id)?;
    let store = state.store.clone();
    let org = caller.user.organisation;
    if !blocking(move || Ok(store.disable_alert_rule(rule, org)?)).await? {
        return Err(Problem::not_found(format!("no enabled alert rule {id}")));
    }
    state.record_now(&caller, "disable", &format!("/api/v1/alert-rules/{id}"), json!({})).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn alerts(State(state): State<AppState>, caller: Caller, RawQuery(q): RawQuery) -> Result<Json<Value>, Problem> {
    let mut p = Params::new(&state, "/api/v1/alerts", q.as_deref())?;
    let status: Option<model::AlertStatus> = p.parse("status");
    let limit = p.number("limit", 100);
    let after: Option<String> = p.parse("after");
    p.finish()?;
    let store = state.store.clone();
    let org = caller.user.organisation;
    let listing = blocking(move || Ok(store.alerts_page(org, status, &Page { limit, after })?)).await?;
    state.record(&caller, "list", "/api/v1/alerts", json!({ "count": listing.items.len() }));
    Ok(Json(json!({ "items": listing.items, "next": listing.next })))
}

/// An organisation's alerts stored after `after`, oldest first: what a stream resuming
/// from an event id, or one that fell behind, has not yet sent.
async fn alerts_since(
    state: &AppState,
    organisation: model::OrganisationId,
    mut after: (chrono::DateTime<Utc>, model::AlertId),
) -> std::collections::VecDeque<model::Alert> {
    const PAGE: u32 = 500;
    let mut out = std::collections::VecDeque::new();
    loop {
        let store = state.store.clone();
        let Ok(Ok(page)) = tokio::task::spawn_blocking(move || store.alerts_after(after, PAGE)).await else {
            return out;
        };
        let full = page.len() == PAGE as usize;
        if let Some(last) = page.last() {
            after = (last.fired_at, last.id);
        }
        out.extend(page.into_iter().filter(|a| a.organisation == organisation));
        if !full {
            return out;
        }
    }
}

/// What an open alert stream holds between two events.
struct Watch {
    rx: tokio::sync::broadcast::Receiver<model::Alert>,
    stopped: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>,
    check: tokio::time::Interval,
    caller: Caller,
    state: AppState,
    /// The last alert sent (or the moment the stream opened).
    last: (chrono::DateTime<Utc>, model::AlertId),
    /// Alerts read back from the store, to send before live ones.
    backlog: std::collections::VecDeque<model::Alert>,
}

async fn alert_stream(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
) -> axum::response::sse::Sse<
    impl futures_util::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>,
> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    state.record(&caller, "stream", "/api/v1/alerts/stream", json!({}));
    let org = caller.user.organisation;
    let rx = state.alerts.subscribe();
    // A client that reconnects with the id of the last alert it received gets every
    // later one first, from the store; otherwise the stream starts now.
    let mut last = (Utc::now(), model::AlertId::from_uuid(uuid::Uuid::nil()));
    let mut backlog = std::collections::VecDeque::new();
    let resume = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok());
    if let Some(id) = resume {
        let store = state.store.clone();
        if let Ok(Ok(Some(seen))) = tokio::task::spawn_blocking(move || store.alert(id)).await
            && seen.organisation == org
        {
            last = (seen.fired_at, seen.id);
            backlog = alerts_since(&state, org, last).await;
        }
    }
    // The token is checked again every second: a stream ends once its token is revoked
    // or expires, as a new request would be refused.
    let mut check = tokio::time::interval(std::time::Duration::from_secs(1));
    check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let watch = Watch { rx, stopped: Box::pin(state.stopped()), check, caller, state: state.clone(), last, backlog };
    let stream = futures_util::stream::unfold(watch, move |mut w| async move {
        loop {
            let alert = match w.backlog.pop_front() {
                Some(alert) => alert,
                None => {
                    let next = tokio::select! {
                        biased;
                        // The server is stopping: end the stream so that it can.
                        () = &mut w.stopped => return None,
                        _ = w.check.tick() => {
                            if w.caller.still_admitted(&w.state).await {
                                continue;
                            }
                            return None;
                        }
                        next = w.rx.recv() => next,
                    };
                    match next {
                        // An organisation's alerts are its own.
                        Ok(alert) if alert.organisation == org => alert,
                        Ok(_) => continue,
                        // Fallen behind: what was missed is read back from the store.
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                            w.backlog = alerts_since(&w.state, org, w.last).await;
                            continue;
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                    }
                }
            };
            // Sent already (from the store, before it arrived live).
            if (alert.fired_at, alert.id) <= w.last {
                continue;
            }
            // Nothing is sent on a token that no longer admits its caller.
            if !w.caller.still_admitted(&w.state).await {
                return None;
            }
            w.last = (alert.fired_at, alert.id);
            let event = Event::default().event("alert").id(alert.id.to_string()).json_data(&alert).ok()?;
            return Some((Ok(event), w));
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn move_alert(
    state: AppState,
    caller: Caller,
    id: String,
    status: model::AlertStatus,
) -> Result<Json<Value>, Problem> {
    caller.must_write()?;
    let alert: model::AlertId = path_id(&id)?;
    let store = state.store.clone();
    let (org, user) = (caller.user.organisation, caller.user.id);
    let moved = blocking(move || Ok(store.set_alert_status(alert, org, status, user)?)).await?;
    let Some(moved) = moved else {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            format!("alert {id} is not yours to move, or is already {status}"),
        ));
    };
    state.record_now(&caller, status.as_str(), &format!("/api/v1/alerts/{id}"), json!({})).await?;
    Ok(Json(serde_json::to_value(&moved).map_err(Problem::internal)?))
}

async fn acknowledge_alert(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    move_alert(state, caller, id, model::AlertStatus::Acknowledged).await
}

async fn close_alert(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    move_alert(state, caller, id, model::AlertStatus::Closed).await
}

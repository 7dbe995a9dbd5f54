//! Every route, declared once: [`ROUTES`] gives the method, path, who may call it and its
//! parameters; [`register`] mounts each one's handler and the OpenAPI document is written
//! from the same table.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
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

/// A route as the OpenAPI document describes it.
#[derive(Debug)]
pub struct RouteDoc {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub access: Access,
    /// Query parameters: name and description.
    pub query: &'static [(&'static str, &'static str)],
    /// The JSON body's fields: name and description.
    pub body: &'static [(&'static str, &'static str)],
}

const PAGE: [(&str, &str); 2] =
    [("limit", "how many items, 1 to 500 (default 50)"), ("after", "the `next` cursor of the previous page")];
const TIME: [(&str, &str); 2] =
    [("since", "at or after this date or instant"), ("until", "before this date or instant")];
const AS_OF: (&str, &str) = ("as_of", "assess as on this date, YYYY-MM-DD (default today)");

pub const ROUTES: &[RouteDoc] = &[
    RouteDoc {
        method: "get",
        path: "/healthz",
        summary: "The process is up",
        access: Access::Public,
        query: &[],
        body: &[],
    },
    RouteDoc {
        method: "get",
        path: "/readyz",
        summary: "The store answers",
        access: Access::Public,
        query: &[],
        body: &[],
    },
    RouteDoc {
        method: "get",
        path: "/metrics",
        summary: "Prometheus metrics",
        access: Access::Public,
        query: &[],
        body: &[],
    },
    RouteDoc {
        method: "get",
        path: "/openapi.json",
        summary: "This description",
        access: Access::Public,
        query: &[],
        body: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/whoami",
        summary: "The caller: user, organisation, role",
        access: Access::Reader,
        query: &[],
        body: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/documents",
        summary: "Documents the caller may see, newest first",
        access: Access::Reader,
        query: &[TIME[0], TIME[1], ("language", "ISO 639-1 code"), ("source", "a source's name"), PAGE[0], PAGE[1]],
        body: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/documents/{id}",
        summary: "One document, with its text",
        access: Access::Reader,
        query: &[],
        body: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/events",
        summary: "Events the caller may see, latest first",
        access: Access::Reader,
        query: &[
            TIME[0],
            TIME[1],
            (
                "category",
                "terrorism, illegal_migration, weapons_trafficking, drug_trafficking, border_incident, cooperation, statement",
            ),
            ("type", "event type, such as seizure or armed_clash"),
            ("country", "ISO 3166 alpha-2 code of the event's place"),
            ("actor", "an actor id, such as iskp"),
            ("document", "a document id: the events it reports"),
            PAGE[0],
            PAGE[1],
        ],
        body: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/events/{id}",
        summary: "One event with its evidence",
        access: Access::Reader,
        query: &[],
        body: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/search",
        summary: "Full-text search over the documents the caller may see",
        access: Access::Reader,
        query: &[
            ("q", "words, \"a phrase\", -excluded"),
            TIME[0],
            TIME[1],
            ("language", "ISO 639-1 code"),
            ("limit", "1 to 200 (default 20)"),
        ],
        body: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/sectors",
        summary: "Sectors with threat levels over the caller's visible events, hottest first",
        access: Access::Reader,
        query: &[("border", "only this border, such as AF-TJ"), ("category", "rank by this category"), AS_OF],
        body: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/sectors/{id}",
        summary: "One sector with its levels",
        access: Access::Reader,
        query: &[AS_OF],
        body: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/sectors/{id}/explanation",
        summary: "The incidents behind a sector's level, heaviest first, each with its weight and why",
        access: Access::Reader,
        query: &[AS_OF, ("limit", "how many incidents (default 20)")],
        body: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/trends",
        summary: "Weekly incident counts with the spike detector's verdict",
        access: Access::Reader,
        query: &[
            ("by", "sector, province or category"),
            ("category", "only this category"),
            ("weeks", "weeks shown (default 12)"),
            AS_OF,
        ],
        body: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/export/sectors",
        summary: "GeoJSON of the sectors (areas, or lines) with levels over the caller's visible events",
        access: Access::Reader,
        query: &[("geometry", "area (default) or line"), AS_OF],
        body: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/export/events",
        summary: "GeoJSON of the geolocated events the caller may see",
        access: Access::Reader,
        query: &[],
        body: &[],
    },
    RouteDoc {
        method: "post",
        path: "/api/v1/corroborate",
        summary: "Merge reports of one incident and record the links",
        access: Access::Writer,
        query: &[],
        body: &[],
    },
    RouteDoc {
        method: "post",
        path: "/api/v1/incidents/{id}/split",
        summary: "Undo the merge of an incident",
        access: Access::Writer,
        query: &[],
        body: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/organisations",
        summary: "Partner organisations",
        access: Access::Reader,
        query: &[],
        body: &[],
    },
    RouteDoc {
        method: "post",
        path: "/api/v1/organisations",
        summary: "Add an organisation",
        access: Access::Admin,
        query: &[],
        body: &[("name", "its name")],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/sharing-groups",
        summary: "Sharing groups (the caller's, or all for admins)",
        access: Access::Reader,
        query: &[],
        body: &[],
    },
    RouteDoc {
        method: "post",
        path: "/api/v1/sharing-groups",
        summary: "Add a sharing group",
        access: Access::Admin,
        query: &[],
        body: &[("name", "its name"), ("members", "organisation ids")],
    },
    RouteDoc { method: "get", path: "/api/v1/users", summary: "Users", access: Access::Admin, query: &[], body: &[] },
    RouteDoc {
        method: "post",
        path: "/api/v1/users",
        summary: "Add a user",
        access: Access::Admin,
        query: &[],
        body: &[("name", "a unique name"), ("organisation", "organisation id"), ("role", "viewer, analyst or admin")],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/tokens",
        summary: "The caller's tokens (all, for admins); never their secrets",
        access: Access::Reader,
        query: &[],
        body: &[],
    },
    RouteDoc {
        method: "post",
        path: "/api/v1/tokens",
        summary: "Make a token; its secret is in this response only",
        access: Access::Reader,
        query: &[],
        body: &[
            ("label", "what it is for"),
            ("days", "days until it expires, 1 to 365 (default 90)"),
            ("user", "for another user (admins only)"),
        ],
    },
    RouteDoc {
        method: "delete",
        path: "/api/v1/tokens/{id}",
        summary: "Revoke a token",
        access: Access::Reader,
        query: &[],
        body: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/alert-rules",
        summary: "The caller's organisation's alert rules",
        access: Access::Reader,
        query: &[],
        body: &[],
    },
    RouteDoc {
        method: "post",
        path: "/api/v1/alert-rules",
        summary: "Add an alert rule",
        access: Access::Writer,
        query: &[],
        body: &[
            ("name", "what the rule is called"),
            (
                "condition",
                "any of: category, actor, event_type, sector, area ([[lon, lat], ...]), level_at_least (low, medium, high, critical), spike (true)",
            ),
            ("webhook_url", "where alerts are posted (http or https)"),
            ("webhook_secret", "at least 16 characters; signs each delivery (HMAC-SHA256)"),
        ],
    },
    RouteDoc {
        method: "delete",
        path: "/api/v1/alert-rules/{id}",
        summary: "Disable an alert rule",
        access: Access::Writer,
        query: &[],
        body: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/alerts",
        summary: "The caller's organisation's alerts, newest first",
        access: Access::Reader,
        query: &[("status", "new, acknowledged or closed"), ("limit", "1 to 500 (default 100)")],
        body: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/alerts/stream",
        summary: "New alerts as they fire (Server-Sent Events)",
        access: Access::Reader,
        query: &[],
        body: &[],
    },
    RouteDoc {
        method: "post",
        path: "/api/v1/alerts/{id}/acknowledge",
        summary: "Acknowledge an alert",
        access: Access::Writer,
        query: &[],
        body: &[],
    },
    RouteDoc {
        method: "post",
        path: "/api/v1/alerts/{id}/close",
        summary: "Close an alert",
        access: Access::Writer,
        query: &[],
        body: &[],
    },
    RouteDoc {
        method: "get",
        path: "/api/v1/audit",
        summary: "The audit trail, newest first",
        access: Access::Admin,
        query: &[
            ("user", "one user's id"),
            ("before", "entries before this position"),
            ("limit", "1 to 500 (default 100)"),
        ],
        body: &[],
    },
];

fn handler(route: &RouteDoc) -> Option<MethodRouter<AppState>> {
    Some(match (route.method, route.path) {
        ("get", "/healthz") => get(|| async { Json(json!({ "status": "ok" })) }),
        ("get", "/readyz") => get(readyz),
        ("get", "/metrics") => get(metrics),
        ("get", "/openapi.json") => get(|| async { Json(crate::openapi::document()) }),
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

/// Query parameters, read strictly: every value checked, unknown names refused.
struct Params {
    map: HashMap<String, String>,
    errors: Vec<FieldError>,
}

impl Params {
    fn new(map: HashMap<String, String>) -> Self {
        Self { map, errors: Vec::new() }
    }

    fn text(&mut self, name: &str) -> Option<String> {
        self.map.remove(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
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

    fn number(&mut self, name: &str, default: u32, max: u32) -> u32 {
        match self.text(name) {
            None => default,
            Some(t) => match t.parse::<u32>() {
                Ok(n) if (1..=max).contains(&n) => n,
                _ => {
                    self.errors.push(FieldError {
                        field: format!("query.{name}"),
                        message: format!("{t:?} is not a whole number from 1 to {max}"),
                    });
                    default
                }
            },
        }
    }

    fn as_of(&mut self) -> NaiveDate {
        match self.text("as_of") {
            None => Utc::now().date_naive(),
            Some(t) => NaiveDate::parse_from_str(&t, "%Y-%m-%d").unwrap_or_else(|_| {
                self.errors.push(FieldError {
                    field: "query.as_of".into(),
                    message: format!("{t:?} is not a date such as 2026-11-29"),
                });
                Utc::now().date_naive()
            }),
        }
    }

    fn finish(mut self) -> Result<(), Problem> {
        let mut unknown: Vec<String> = self.map.keys().cloned().collect();
        unknown.sort();
        for name in unknown {
            self.errors.push(FieldError { field: format!("query.{name}"), message: "unknown parameter".into() });
        }
        if self.errors.is_empty() { Ok(()) } else { Err(Problem::invalid(self.errors)) }
    }
}

/// Reads a query string (the text after `?`) as the listing routes do: every parameter
/// they take, checked strictly, the page cursor included. Public for the fuzz targets and
/// property tests, which feed it hostile queries.
pub fn check_query(query: &str) -> Result<(), Problem> {
    let uri: axum::http::Uri =
        format!("/?{query}").parse().map_err(|_| Problem::field("query", "not a URL's query string"))?;
    let Query(map) =
        Query::<HashMap<String, String>>::try_from_uri(&uri).map_err(|e| Problem::field("query", e.body_text()))?;
    let mut p = Params::new(map);
    let _ = (p.instant("since"), p.instant("until"), p.parse::<Category>("category"));
    let _ = (p.parse::<model::EventType>("type"), p.parse::<model::CountryCode>("country"));
    let _ = (p.parse::<model::ActorId>("actor"), p.parse::<model::DocumentId>("document"));
    let _ = (p.parse::<model::Language>("language"), p.text("q"), p.text("source"), p.as_of());
    let _ = p.number("limit", 50, 500);
    if let Some(after) = p.text("after")
        && let Err(e) = store::parse_cursor(&after)
    {
        p.errors.push(FieldError { field: "query.after".into(), message: e.to_string() });
    }
    p.finish()
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, Problem> + Send + 'static) -> Result<T, Problem> {
    tokio::task::spawn_blocking(f).await?
}

// ---- Public ----

async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, Problem> {
    let store = state.store.clone();
    let version = blocking(move || Ok(store.schema_version()?)).await?;
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

async fn documents(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let mut p = Params::new(q);
    let filter = DocumentFilter {
        since: p.instant("since"),
        until: p.instant("until"),
        language: p.parse("language"),
        source: p.text("source"),
        visible_to: Some(caller.viewer.clone()),
    };
    let page = Page { limit: p.number("limit", 50, 500), after: p.text("after") };
    p.finish()?;
    let store = state.store.clone();
    let listing = blocking(move || Ok(store.documents(&filter, &page)?)).await?;
    state.record(&caller, "list", "/api/v1/documents", json!({ "count": listing.items.len() }));
    Ok(Json(ListPage { items: listing.items, next: listing.next }).into_response())
}

async fn document(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Response, Problem> {
    let store = state.store.clone();
    let wanted = id.clone();
    let found = blocking(move || Ok(store.document(&wanted)?)).await?;
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

async fn events(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let mut p = Params::new(q);
    let filter = event_filter(&mut p, &caller);
    let page = Page { limit: p.number("limit", 50, 500), after: p.text("after") };
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
    let event_id: EventId = id.parse().map_err(|e: model::InvalidValue| Problem::field("path.id", e.to_string()))?;
    let filter = EventFilter { id: Some(event_id), visible_to: Some(caller.viewer.clone()), ..Default::default() };
    let store = state.store.clone();
    let listing = blocking(move || Ok(store.events(&filter, &Page { limit: 1, after: None })?)).await?;
    let event = listing.items.into_iter().next().ok_or_else(|| Problem::not_found(format!("no event {id}")))?;
    state.record(&caller, "read", &format!("/api/v1/events/{id}"), json!({}));
    Ok(Json(event).into_response())
}

async fn search(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, Problem> {
    let mut p = Params::new(q);
    let text = p.text("q");
    let filter = DocumentFilter {
        since: p.instant("since"),
        until: p.instant("until"),
        language: p.parse("language"),
        source: None,
        visible_to: Some(caller.viewer.clone()),
    };
    let limit = p.number("limit", 20, 200);
    if text.is_none() {
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

async fn sectors(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, Problem> {
    let mut p = Params::new(q);
    let border = p.text("border").map(|b| b.to_ascii_uppercase());
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

async fn sector(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, Problem> {
    let mut p = Params::new(q);
    let as_of = p.as_of();
    p.finish()?;
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
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, Problem> {
    let mut p = Params::new(q);
    let as_of = p.as_of();
    let limit = p.number("limit", 20, 500) as usize;
    p.finish()?;
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

async fn trends(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, Problem> {
    let mut p = Params::new(q);
    let by = p.text("by").unwrap_or_else(|| "sector".into());
    if !matches!(by.as_str(), "sector" | "province" | "category") {
        p.errors.push(FieldError {
            field: "query.by".into(),
            message: format!("{by:?} is not sector, province or category"),
        });
    }
    let only: Option<Category> = p.parse("category");
    let weeks = p.number("weeks", 12, 104) as usize;
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
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let mut p = Params::new(q);
    let geometry = p.text("geometry").unwrap_or_else(|| "area".into());
    if !matches!(geometry.as_str(), "area" | "line") {
        p.errors
            .push(FieldError { field: "query.geometry".into(), message: format!("{geometry:?} is not area or line") });
    }
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
    // Corroboration runs over the whole store: links are facts about reports, not views.
    let (store, extractor, settings, sectors) =
        (state.store.clone(), state.extractor.clone(), state.belt.clone(), state.sectors.clone());
    let (incidents, links, added) = blocking(move || {
        let belt = pipeline::belt::load(&store, &settings, extractor.dictionaries(), &sectors, None)?;
        let (links, added) = pipeline::belt::record_corroboration(&store, &belt)?;
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
    // Only an incident the caller can see can be split.
    let filter = EventFilter { id: Some(incident), visible_to: Some(caller.viewer.clone()), ..Default::default() };
    let store = state.store.clone();
    let undone = blocking(move || {
        if store.count_events(&filter)? == 0 {
            return Err(Problem::not_found(format!("no incident {incident}")));
        }
        Ok(store.unlink(incident)?)
    })
    .await?;
    if undone == 0 {
        return Err(Problem::new(StatusCode::CONFLICT, format!("incident {id} has no merge to undo")));
    }
    state.record_now(&caller, "split", &format!("/api/v1/incidents/{id}/split"), json!({ "undone": undone })).await?;
    Ok(Json(json!({ "incident": id, "undone": undone })))
}

// ---- Organisations, groups, users, tokens, audit ----

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

/// A JSON body, with serde's message as a field error rather than a bare 400.
fn body<T: serde::de::DeserializeOwned>(bytes: &axum::body::Bytes) -> Result<T, Problem> {
    serde_json::from_slice(bytes).map_err(|e| Problem::field("body", e.to_string()))
}

fn non_empty(field: &str, value: &str, max: usize) -> Result<String, Problem> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max {
        return Err(Problem::field(field, format!("give 1 to {max} characters")));
    }
    Ok(v.to_owned())
}

async fn add_organisation(
    State(state): State<AppState>,
    caller: Caller,
    bytes: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), Problem> {
    caller.must_administer()?;
    let req: NewOrganisation = body(&bytes)?;
    let name = non_empty("body.name", &req.name, 200)?;
    let store = state.store.clone();
    let org = blocking(move || Ok(store.create_organisation(&name)?)).await?;
    state.record_now(&caller, "create", "/api/v1/organisations", json!({ "organisation": org.id })).await?;
    Ok((StatusCode::CREATED, Json(serde_json::to_value(&org).map_err(Problem::internal)?)))
}

async fn sharing_groups(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, Problem> {
    let store = state.store.clone();
    let all = blocking(move || Ok(store.sharing_groups()?)).await?;
    let mine: Vec<_> = all
        .into_iter()
        .filter(|g| caller.user.role == Role::Admin || g.members.contains(&caller.user.organisation))
        .collect();
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
    bytes: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), Problem> {
    caller.must_administer()?;
    let req: NewGroup = body(&bytes)?;
    let name = non_empty("body.name", &req.name, 200)?;
    let store = state.store.clone();
    let group = blocking(move || Ok(store.create_sharing_group(&name, &req.members)?)).await?;
    state.forget_viewers();
    state.record_now(&caller, "create", "/api/v1/sharing-groups", json!({ "group": group.id })).await?;
    Ok((StatusCode::CREATED, Json(serde_json::to_value(&group).map_err(Problem::internal)?)))
}

async fn users(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, Problem> {
    caller.must_administer()?;
    let store = state.store.clone();
    let all = blocking(move || Ok(store.users()?)).await?;
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
    bytes: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), Problem> {
    caller.must_administer()?;
    let req: NewUser = body(&bytes)?;
    let name = non_empty("body.name", &req.name, 100)?;
    let role: Role =
        req.role.trim().parse().map_err(|e: model::InvalidValue| Problem::field("body.role", e.to_string()))?;
    let store = state.store.clone();
    let user = blocking(move || Ok(store.create_user(req.organisation, &name, role)?)).await?;
    state.record_now(&caller, "create", "/api/v1/users", json!({ "user": user.id, "role": role })).await?;
    Ok((StatusCode::CREATED, Json(serde_json::to_value(&user).map_err(Problem::internal)?)))
}

async fn tokens(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, Problem> {
    let store = state.store.clone();
    let whose = if caller.user.role == Role::Admin { None } else { Some(caller.user.id) };
    let all = blocking(move || Ok(store.tokens(whose)?)).await?;
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
    bytes: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let req: NewToken = body(&bytes)?;
    let label = non_empty("body.label", &req.label, 200)?;
    let days = req.days.unwrap_or(90);
    if !(1..=365).contains(&days) {
        return Err(Problem::field("body.days", format!("{days} is not from 1 to 365")));
    }
    let user = match req.user {
        Some(other) if other != caller.user.id => {
            caller.must_administer()?;
            other
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
    let token: TokenId = id.parse().map_err(|e: model::InvalidValue| Problem::field("path.id", e.to_string()))?;
    let store = state.store.clone();
    let mine = caller.user.id;
    let admin = caller.user.role == Role::Admin;
    let revoked = blocking(move || {
        let owned = store.tokens(None)?.into_iter().find(|t| t.id == token);
        match owned {
            Some(t) if admin || t.user == mine => Ok(store.revoke_token(token)?),
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

async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, Problem> {
    caller.must_administer()?;
    let mut p = Params::new(q);
    let user: Option<UserId> = p.parse("user");
    let before: Option<i64> = p.parse("before");
    let limit = p.number("limit", 100, 500);
    p.finish()?;
    let store = state.store.clone();
    let entries = blocking(move || Ok(store.audit_entries(user, before, limit)?)).await?;
    let next = entries.last().map(|e| e.seq);
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
    bytes: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), Problem> {
    caller.must_write()?;
    let req: NewRule = body(&bytes)?;
    let name = non_empty("body.name", &req.name, 200)?;
    let mut errors = Vec::new();
    let c = &req.condition;
    if c == &model::AlertCondition::default() {
        errors.push(FieldError { field: "body.condition".into(), message: "give at least one condition".into() });
    }
    if let Some(area) = &c.area
        && (area.len() < 3 || area.iter().any(|p| !(-180.0..=180.0).contains(&p[0]) || !(-90.0..=90.0).contains(&p[1])))
    {
        errors.push(FieldError {
            field: "body.condition.area".into(),
            message: "a polygon needs at least 3 [lon, lat] points within range".into(),
        });
    }
    let webhook = match (&req.webhook_url, &req.webhook_secret) {
        (None, None) => None,
        (Some(url), Some(secret)) => {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                errors.push(FieldError {
                    field: "body.webhook_url".into(),
                    message: "must be an http or https URL".into(),
                });
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
    let rule: model::AlertRuleId =
        id.parse().map_err(|e: model::InvalidValue| Problem::field("path.id", e.to_string()))?;
    let store = state.store.clone();
    let org = caller.user.organisation;
    if !blocking(move || Ok(store.disable_alert_rule(rule, org)?)).await? {
        return Err(Problem::not_found(format!("no enabled alert rule {id}")));
    }
    state.record_now(&caller, "disable", &format!("/api/v1/alert-rules/{id}"), json!({})).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn alerts(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, Problem> {
    let mut p = Params::new(q);
    let status: Option<model::AlertStatus> = p.parse("status");
    let limit = p.number("limit", 100, 500);
    p.finish()?;
    let store = state.store.clone();
    let org = caller.user.organisation;
    let items = blocking(move || Ok(store.alerts(org, status, limit)?)).await?;
    state.record(&caller, "list", "/api/v1/alerts", json!({ "count": items.len() }));
    Ok(Json(json!({ "items": items })))
}

async fn alert_stream(
    State(state): State<AppState>,
    caller: Caller,
) -> axum::response::sse::Sse<
    impl futures_util::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>,
> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    state.record(&caller, "stream", "/api/v1/alerts/stream", json!({}));
    let org = caller.user.organisation;
    let rx = state.alerts.subscribe();
    let stopped = Box::pin(state.stopped());
    let stream = futures_util::stream::unfold((rx, stopped), move |(mut rx, mut stopped)| async move {
        loop {
            let next = tokio::select! {
                next = rx.recv() => next,
                // The server is stopping: end the stream so that it can.
                () = &mut stopped => return None,
            };
            match next {
                // An organisation's alerts are its own.
                Ok(alert) if alert.organisation == org => {
                    let event = Event::default().event("alert").id(alert.id.to_string()).json_data(&alert).ok()?;
                    return Some((Ok(event), (rx, stopped)));
                }
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            }
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
    let alert: model::AlertId =
        id.parse().map_err(|e: model::InvalidValue| Problem::field("path.id", e.to_string()))?;
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

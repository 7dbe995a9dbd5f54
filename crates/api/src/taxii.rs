//! TAXII 2.1 under `/taxii2/`: discovery, one API root (`beltwatch`), its collection of
//! events as STIX 2.1 objects, manifests, versions, and posting envelopes with a status
//! resource. What a caller reads goes through the same visibility policy as the JSON
//! API: the collection holds, for each caller, the events their organisation may see.

use std::collections::{HashMap, HashSet};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use exchange::stix;
use serde_json::{Value, json};
use store::{AddedEvent, EventFilter};

use crate::AppState;
use crate::auth::Caller;
use crate::problem::Problem;

pub const TAXII: &str = "application/taxii+json;version=2.1";
pub const STIX: &str = "application/stix+json;version=2.1";
const ROOT: &str = "beltwatch";
/// The collection of events: the same id on every instance.
pub const EVENTS_COLLECTION: &str = "9983a18d-c3e5-4fd8-8ea2-86af4d777d13";
const MAX_PAGE: usize = 1000;
const DEFAULT_PAGE: usize = 100;
/// How long status resources are kept for callers to read back, from any node.
const STATUS_DAYS: i64 = 7;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/taxii2/", get(discovery))
        .route("/taxii2/{root}/", get(api_root))
        .route("/taxii2/{root}/collections/", get(collections))
        .route("/taxii2/{root}/collections/{id}/", get(collection))
        .route("/taxii2/{root}/collections/{id}/objects/", get(objects).post(add_objects))
        .route("/taxii2/{root}/collections/{id}/objects/{object}/", get(object))
        .route("/taxii2/{root}/collections/{id}/objects/{object}/versions/", get(versions))
        .route("/taxii2/{root}/collections/{id}/manifest/", get(manifest))
        .route("/taxii2/{root}/status/{status}/", get(status))
}

/// A TAXII error message, with the TAXII media type.
struct Error(StatusCode, String);

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let body = json!({
            "title": self.0.canonical_reason().unwrap_or("error"),
            "description": self.1,
            "http_status": self.0.as_u16().to_string(),
        });
        (self.0, [(header::CONTENT_TYPE, TAXII)], body.to_string()).into_response()
    }
}

impl From<Problem> for Error {
    fn from(p: Problem) -> Self {
        Self(StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), p.detail.unwrap_or(p.title))
    }
}

impl From<store::StoreError> for Error {
    fn from(e: store::StoreError) -> Self {
        Problem::from(e).into()
    }
}

fn taxii(status: StatusCode, body: &Value, headers: &[(&'static str, String)]) -> Response {
    let mut response = (status, [(header::CONTENT_TYPE, TAXII)], body.to_string()).into_response();
    for (name, value) in headers {
        if let Ok(v) = HeaderValue::from_str(value) {
            response.headers_mut().insert(*name, v);
        }
    }
    response
}

/// Checks the caller, the Accept header and the API root.
fn admit(caller: Result<Caller, Problem>, headers: &HeaderMap, root: Option<&str>) -> Result<Caller, Error> {
    let caller = caller?;
    if let Some(accept) = headers.get(header::ACCEPT).and_then(|a| a.to_str().ok()) {
        let ok = accept.split(',').any(|part| {
            let part = part.trim().to_ascii_lowercase().replace(' ', "");
            part.starts_with("application/taxii+json") || part.starts_with("*/*") || part.starts_with("application/*")
        });
        if !ok {
            return Err(Error(StatusCode::NOT_ACCEPTABLE, format!("this server answers with {TAXII}")));
        }
    }
    if let Some(root) = root
        && root != ROOT
    {
        return Err(Error(StatusCode::NOT_FOUND, format!("no API root {root:?}; the one API root is {ROOT:?}")));
    }
    Ok(caller)
}

/// A collection: every event the caller may see, or those of one organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Collection {
    All,
    Of(model::OrganisationId),
}

/// The id of an organisation's collection: the same on every instance.
pub fn collection_id(organisation: model::OrganisationId) -> String {
    let base = uuid::Uuid::parse_str(EVENTS_COLLECTION).unwrap_or(uuid::Uuid::nil());
    uuid::Uuid::new_v5(&base, organisation.to_string().as_bytes()).to_string()
}

async fn organisations(state: &AppState) -> Result<Vec<model::Organisation>, Error> {
    let store = state.store.clone();
    crate::on_store(move || Ok(store.organisations()?)).await.map_err(Error::from)
}

async fn collection_of(state: &AppState, root: &str, id: &str) -> Result<Collection, Error> {
    let missing = || Error(StatusCode::NOT_FOUND, format!("no collection {id}"));
    if root != ROOT {
        return Err(missing());
    }
    if id == EVENTS_COLLECTION {
        return Ok(Collection::All);
    }
    organisations(state)
        .await?
        .into_iter()
        .find(|o| collection_id(o.id) == id)
        .map(|o| Collection::Of(o.id))
        .ok_or_else(missing)
}

async fn discovery(State(_): State<AppState>, caller: Result<Caller, Problem>, headers: HeaderMap) -> Response {
    match admit(caller, &headers, None) {
        Ok(_) => taxii(
            StatusCode::OK,
            &json!({
                "title": "beltwatch",
                "description": "Cross-border events and the reports behind them, as STIX 2.1.",
                "default": format!("/taxii2/{ROOT}/"),
                "api_roots": [format!("/taxii2/{ROOT}/")],
            }),
            &[],
        ),
        Err(e) => e.into_response(),
    }
}

async fn api_root(caller: Result<Caller, Problem>, headers: HeaderMap, Path(root): Path<String>) -> Response {
    match admit(caller, &headers, Some(&root)) {
        Ok(_) => taxii(
            StatusCode::OK,
            &json!({
                "title": "beltwatch events",
                "versions": [TAXII],
                "max_content_length": crate::Limits::default().max_body_bytes,
            }),
            &[],
        ),
        Err(e) => e.into_response(),
    }
}

/// A collection as TAXII describes it to `caller`: everyone reads (what they may see);
/// analysts and admins add to the whole collection and to their own organisation's.
fn collection_json(caller: &Caller, collection: Collection, name: Option<&str>) -> Value {
    let (id, title, description, can_write) = match collection {
        Collection::All => (
            EVENTS_COLLECTION.to_owned(),
            "Events".to_owned(),
            "The events your organisation may see, with their reports.".to_owned(),
            caller.user.role.may_write(),
        ),
        Collection::Of(organisation) => (
            collection_id(organisation),
            format!("Events of {}", name.unwrap_or("an organisation")),
            format!("The events {} owns that your organisation may see.", name.unwrap_or("this organisation")),
            caller.user.role.may_write() && caller.user.organisation == organisation,
        ),
    };
    json!({
        "id": id,
        "title": title,
        "description": description,
        "can_read": true,
        "can_write": can_write,
        "media_types": [STIX],
    })
}

async fn collections(
    State(state): State<AppState>,
    caller: Result<Caller, Problem>,
    headers: HeaderMap,
    Path(root): Path<String>,
) -> Response {
    let result = async {
        let caller = admit(caller, &headers, Some(&root))?;
        let mut all = vec![collection_json(&caller, Collection::All, None)];
        for organisation in organisations(&state).await? {
            all.push(collection_json(&caller, Collection::Of(organisation.id), Some(&organisation.name)));
        }
        Ok::<_, Error>(taxii(StatusCode::OK, &json!({ "collections": all }), &[]))
    };
    result.await.unwrap_or_else(IntoResponse::into_response)
}

async fn collection(
    State(state): State<AppState>,
    caller: Result<Caller, Problem>,
    headers: HeaderMap,
    Path((root, id)): Path<(String, String)>,
) -> Response {
    let result = async {
        let caller = admit(caller, &headers, Some(&root))?;
        let collection = collection_of(&state, &root, &id).await?;
        let name = match collection {
            Collection::Of(o) => organisations(&state).await?.into_iter().find(|x| x.id == o).map(|x| x.name),
            Collection::All => None,
        };
        Ok::<_, Error>(taxii(StatusCode::OK, &collection_json(&caller, collection, name.as_deref()), &[]))
    };
    result.await.unwrap_or_else(IntoResponse::into_response)
}

/// The filters of a GET on objects or the manifest.
struct Filters {
    added_after: Option<DateTime<Utc>>,
    limit: usize,
    after_seq: i64,
    types: Option<HashSet<String>>,
    ids: Option<HashSet<String>>,
    versions: Option<HashSet<String>>,
}

impl Filters {
    fn parse(q: &HashMap<String, String>) -> Result<Self, Error> {
        let bad = |name: &str, why: &str| Error(StatusCode::BAD_REQUEST, format!("{name}: {why}"));
        let list = |name: &str| {
            q.get(name).map(|v| v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
        };
        for name in q.keys() {
            if !matches!(
                name.as_str(),
                "added_after"
                    | "limit"
                    | "next"
                    | "match[type]"
                    | "match[id]"
                    | "match[version]"
                    | "match[spec_version]"
            ) {
                return Err(bad(name, "not a parameter of this endpoint"));
            }
        }
        let added_after = match q.get("added_after") {
            Some(t) => Some(
                DateTime::parse_from_rfc3339(t)
                    .map_err(|e| {
                        bad("added_after", &format!("{e}: give a timestamp such as 2026-11-01T00:00:00.000Z"))
                    })?
                    .with_timezone(&Utc),
            ),
            None => None,
        };
        let limit = match q.get("limit") {
            Some(l) => l
                .parse::<usize>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| bad("limit", "a whole number from 1"))?
                .min(MAX_PAGE),
            None => DEFAULT_PAGE,
        };
        let after_seq = match q.get("next") {
            Some(n) => n.parse::<i64>().map_err(|_| bad("next", "pass the `next` of the previous page"))?,
            None => 0,
        };
        if let Some(spec) = q.get("match[spec_version]")
            && !spec.split(',').any(|v| v.trim() == "2.1")
        {
            return Err(bad("match[spec_version]", "this server holds STIX 2.1 objects only"));
        }
        Ok(Self {
            added_after,
            limit,
            after_seq,
            types: list("match[type]"),
            ids: list("match[id]"),
            versions: list("match[version]"),
        })
    }

    fn keeps(&self, object: &Value) -> bool {
        let text = |k: &str| object.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
        self.types.as_ref().is_none_or(|t| t.contains(&text("type")))
            && self.ids.as_ref().is_none_or(|i| i.contains(&text("id")))
            && self.versions.as_ref().is_none_or(|versions| {
                // Each object has one version here: first, last and all name it.
                versions.iter().any(|v| matches!(v.as_str(), "all" | "first" | "last") || *v == version(object))
            })
    }
}

fn version(object: &Value) -> String {
    object.get("modified").or_else(|| object.get("created")).and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// One page of the collection, as the caller may see it: objects with the time each was
/// added, whether more follow, and the `next` to ask for them.
struct PageOut {
    objects: Vec<(Value, DateTime<Utc>)>,
    more: bool,
    next: Option<String>,
}

async fn page(state: &AppState, caller: &Caller, collection: Collection, filters: &Filters) -> Result<PageOut, Error> {
    let (store, extractor, viewer) = (state.store.clone(), state.extractor.clone(), caller.viewer.clone());
    let owner = match collection {
        Collection::All => None,
        Collection::Of(organisation) => Some(organisation),
    };
    let mut filter = EventFilter { visible_to: Some(viewer.clone()), owner, ..EventFilter::default() };
    // Asking for one incident or one report's objects reads only that event or document.
    if let Some(ids) = &filters.ids
        && ids.len() == 1
        && let Some(id) = ids.iter().next()
    {
        if let Some(event) = id.strip_prefix("incident--").and_then(|u| u.parse().ok()) {
            filter.id = Some(event);
        } else if let Some(document) = id.strip_prefix("report--").and_then(|u| u.parse().ok()) {
            filter.document = Some(document);
        }
    }
    let (added_after, limit, mut after_seq) = (filters.added_after, filters.limit, filters.after_seq);
    let mut out = PageOut { objects: Vec::new(), more: false, next: None };
    let mut seen: HashSet<(String, String)> = HashSet::new();
    loop {
        let (store, extractor, viewer, filter) = (store.clone(), extractor.clone(), viewer.clone(), filter.clone());
        let batch_size = limit.min(200) as u32;
        let (batch, shared) = crate::on_store(move || {
            let batch = store.events_added(&filter, added_after, after_seq, batch_size)?;
            let events = batch.iter().map(|a| a.event.clone()).collect();
            let shared = pipeline::exchange::around(&store, Some(&viewer), events, extractor.dictionaries())?;
            Ok((batch, shared))
        })
        .await?;
        let exhausted = batch.len() < batch_size as usize;
        let feed = stix::Feed::new(&shared);
        for AddedEvent { event, seq, added } in &batch {
            let objects: Vec<Value> = feed
                .objects_for(event)
                .into_iter()
                .filter(|o| filters.keeps(o))
                .filter(|o| {
                    let key = (o["id"].as_str().unwrap_or_default().to_owned(), version(o));
                    seen.insert(key)
                })
                .collect();
            if !out.objects.is_empty() && out.objects.len() + objects.len() > limit {
                out.more = true;
                out.next = Some(after_seq.to_string());
                return Ok(out);
            }
            let added = added.unwrap_or_else(Utc::now);
            out.objects.extend(objects.into_iter().map(|o| (o, added)));
            after_seq = *seq;
        }
        if exhausted {
            return Ok(out);
        }
        if out.objects.len() >= limit {
            out.more = true;
            out.next = Some(after_seq.to_string());
            return Ok(out);
        }
    }
}

fn added_headers(objects: &[(Value, DateTime<Utc>)]) -> Vec<(&'static str, String)> {
    let mut headers = Vec::new();
    if let (Some(first), Some(last)) = (objects.iter().map(|o| o.1).min(), objects.iter().map(|o| o.1).max()) {
        headers.push(("x-taxii-date-added-first", stix::stix_time(first)));
        headers.push(("x-taxii-date-added-last", stix::stix_time(last)));
    }
    headers
}

/// A page of the collection for a GET of objects or of the manifest.
async fn collection_page(
    state: &AppState,
    caller: Result<Caller, Problem>,
    headers: &HeaderMap,
    (root, id): (&str, &str),
    q: &HashMap<String, String>,
) -> Result<(Caller, PageOut), Error> {
    let caller = admit(caller, headers, Some(root))?;
    let collection = collection_of(state, root, id).await?;
    let filters = Filters::parse(q)?;
    let page = page(state, &caller, collection, &filters).await?;
    Ok((caller, page))
}

async fn objects(
    State(state): State<AppState>,
    caller: Result<Caller, Problem>,
    headers: HeaderMap,
    Path((root, id)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let result = async {
        let (caller, page) = collection_page(&state, caller, &headers, (&root, &id), &q).await?;
        state.record(
            &caller,
            "taxii read",
            &format!("/taxii2/{root}/collections/{id}/objects/"),
            json!({
                "count": page.objects.len(),
            }),
        );
        let mut envelope = json!({ "more": page.more });
        if let Some(next) = &page.next {
            envelope["next"] = json!(next);
        }
        let headers = added_headers(&page.objects);
        envelope["objects"] = Value::Array(page.objects.into_iter().map(|(o, _)| o).collect());
        Ok::<_, Error>(taxii(StatusCode::OK, &envelope, &headers))
    };
    result.await.unwrap_or_else(IntoResponse::into_response)
}

/// One object of the collection, by id, with the time it was added.
async fn find_one(
    state: &AppState,
    caller: Result<Caller, Problem>,
    headers: &HeaderMap,
    (root, id, object): &(String, String, String),
    mut q: HashMap<String, String>,
) -> Result<(Caller, Value, DateTime<Utc>), Error> {
    let caller = admit(caller, headers, Some(root))?;
    let collection = collection_of(state, root, id).await?;
    q.insert("match[id]".into(), object.clone());
    let mut filters = Filters::parse(&q)?;
    filters.limit = MAX_PAGE;
    let page = page(state, &caller, collection, &filters).await?;
    match page.objects.into_iter().next() {
        Some((found, added)) => Ok((caller, found, added)),
        None => Err(Error(StatusCode::NOT_FOUND, format!("no object {object} in this collection"))),
    }
}

async fn object(
    State(state): State<AppState>,
    caller: Result<Caller, Problem>,
    headers: HeaderMap,
    Path(path): Path<(String, String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match find_one(&state, caller, &headers, &path, q).await {
        Ok((caller, found, added)) => {
            let (root, id, object) = &path;
            state.record(
                &caller,
                "taxii read",
                &format!("/taxii2/{root}/collections/{id}/objects/{object}/"),
                json!({}),
            );
            let envelope = json!({ "more": false, "objects": [found] });
            taxii(StatusCode::OK, &envelope, &added_headers(&[(Value::Null, added)]))
        }
        Err(e) => e.into_response(),
    }
}

async fn versions(
    State(state): State<AppState>,
    caller: Result<Caller, Problem>,
    headers: HeaderMap,
    Path(path): Path<(String, String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match find_one(&state, caller, &headers, &path, q).await {
        Ok((_, found, added)) => taxii(
            StatusCode::OK,
            &json!({ "more": false, "versions": [version(&found)] }),
            &added_headers(&[(Value::Null, added)]),
        ),
        Err(e) => e.into_response(),
    }
}

async fn manifest(
    State(state): State<AppState>,
    caller: Result<Caller, Problem>,
    headers: HeaderMap,
    Path((root, id)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let result = async {
        let (_, page) = collection_page(&state, caller, &headers, (&root, &id), &q).await?;
        let headers = added_headers(&page.objects);
        let mut body = json!({ "more": page.more });
        if let Some(next) = &page.next {
            body["next"] = json!(next);
        }
        body["objects"] = Value::Array(
            page.objects
                .iter()
                .map(|(o, added)| {
                    json!({
                        "id": o["id"], "date_added": stix::stix_time(*added), "version": version(o), "media_type": STIX,
                    })
                })
                .collect(),
        );
        Ok::<_, Error>(taxii(StatusCode::OK, &body, &headers))
    };
    result.await.unwrap_or_else(IntoResponse::into_response)
}

async fn add_objects(
    State(state): State<AppState>,
    caller: Result<Caller, Problem>,
    headers: HeaderMap,
    Path((root, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let result = async {
        let caller = admit(caller, &headers, Some(&root))?;
        let collection = collection_of(&state, &root, &id).await?;
        caller.must_write()?;
        if let Collection::Of(organisation) = collection
            && organisation != caller.user.organisation
        {
            return Err(Error(
                StatusCode::FORBIDDEN,
                "only that organisation's analysts and admins add to its collection".into(),
            ));
        }
        let content_type = headers.get(header::CONTENT_TYPE).and_then(|c| c.to_str().ok()).unwrap_or_default();
        if !content_type.to_ascii_lowercase().replace(' ', "").starts_with("application/taxii+json") {
            return Err(Error(StatusCode::UNSUPPORTED_MEDIA_TYPE, format!("send an envelope as {TAXII}")));
        }
        let objects = envelope_objects(&body).map_err(|message| Error(StatusCode::BAD_REQUEST, message))?;
        let status = post(&state, &caller, &objects).await?;
        state
            .record_now(&caller, "taxii add", &format!("/taxii2/{root}/collections/{id}/objects/"), json!({
                "status": status["id"], "success_count": status["success_count"], "failure_count": status["failure_count"],
            }))
            .await?;
        let store = state.store.clone();
        let (key, body, organisation) =
            (status["id"].as_str().unwrap_or_default().to_owned(), status.to_string(), caller.user.organisation);
        let prune_before = Utc::now() - chrono::Duration::days(STATUS_DAYS);
        crate::on_store(move || Ok(store.put_taxii_status(&key, organisation, &body, prune_before)?)).await?;
        Ok(taxii(StatusCode::ACCEPTED, &status, &[]))
    };
    result.await.unwrap_or_else(IntoResponse::into_response)
}

/// The objects of a posted envelope, or why it cannot be read (with the line and column,
/// or the JSON path). Public for the fuzz targets.
pub fn envelope_objects(body: &[u8]) -> Result<Vec<Value>, String> {
    let envelope: Value =
        serde_json::from_slice(body).map_err(|e| format!("line {}, column {}: not JSON: {e}", e.line(), e.column()))?;
    match envelope {
        Value::Object(mut fields) => match fields.remove("objects") {
            Some(Value::Array(objects)) => Ok(objects),
            _ => Err("$.objects: an envelope needs an array of objects".into()),
        },
        _ => Err("$.objects: an envelope needs an array of objects".into()),
    }
}

/// Checks a query string (the text after `?`) as a GET on objects or the manifest reads
/// it. Public for the fuzz targets.
pub fn check_filters(query: &str) -> Result<(), String> {
    let uri: axum::http::Uri = format!("/?{query}").parse().map_err(|_| "not a URL's query string".to_owned())?;
    let Query(map) = Query::<HashMap<String, String>>::try_from_uri(&uri).map_err(|e| e.body_text())?;
    Filters::parse(&map).map(|_| ()).map_err(|Error(_, message)| message)
}

/// Reads and imports posted objects: each gets a success or a failure with its reason.
/// Reports, incidents and notes must be the caller's organisation's own.
async fn post(state: &AppState, caller: &Caller, objects: &[Value]) -> Result<Value, Error> {
    let defaults = exchange::ReadDefaults { owner: caller.user.organisation, tlp: model::Tlp::Amber, now: Utc::now() };
    let own = stix::identity_id(caller.user.organisation);
    let requested = Utc::now();
    let (mut read, mut outcomes) = stix::read_objects(objects, "$.objects", &defaults);
    for (index, object) in objects.iter().enumerate() {
        let kind = object.get("type").and_then(Value::as_str).unwrap_or_default();
        let creator = object.get("created_by_ref").and_then(Value::as_str);
        if matches!(kind, "report" | "incident" | "note")
            && creator.is_some_and(|c| c != own)
            && outcomes[index].is_ok()
        {
            outcomes[index] = Err(exchange::Problem::new(
                format!("$.objects[{index}].created_by_ref"),
                object.get("id").and_then(Value::as_str),
                "names another organisation: post your own organisation's records",
            ));
        }
    }
    // Records whose object failed stay out.
    let failed: HashSet<String> = objects
        .iter()
        .zip(&outcomes)
        .filter(|(_, o)| o.is_err())
        .filter_map(|(obj, _)| obj.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect();
    read.shared.documents.retain(|d| !failed.contains(&format!("report--{}", d.id)));
    read.shared.events.retain(|e| !failed.contains(&format!("incident--{}", e.id)));
    read.shared.claims.retain(|c| !failed.contains(&format!("note--{}", c.id)));
    let store = state.store.clone();
    let viewer = caller.viewer.clone();
    // A large envelope may take a while to write: its answer waits for it, so that the
    // status says what was stored.
    let within = crate::db_timeout().max(std::time::Duration::from_secs(300));
    let imported = crate::on_store_within(within, move || {
        Ok(pipeline::exchange::import(&store, read, pipeline::exchange::Importer::Partner(&viewer)))
    })
    .await?;
    let position = |id: &str| {
        objects.iter().position(|o| o.get("id").and_then(Value::as_str).is_some_and(|x| x.ends_with(id) || x == id))
    };
    if let Ok(imported) = &imported {
        // What was read and still not stored says so.
        for not_stored in &imported.not_stored {
            let (kind, id) = match not_stored.record {
                pipeline::exchange::Record::Document(id) => ("report", id.to_string()),
                pipeline::exchange::Record::Event(id) => ("incident", id.to_string()),
                pipeline::exchange::Record::Claim(id) => ("note", id.to_string()),
            };
            if let Some(at) = position(&format!("{kind}--{id}")) {
                outcomes[at] = Err(exchange::Problem::new(
                    format!("$.objects[{at}]"),
                    Some(&format!("{kind}--{id}")),
                    not_stored.reason.clone(),
                ));
            }
        }
    }
    if let Err(pipeline::exchange::ImportError::Invalid(problems)) = &imported {
        for problem in problems {
            if let Some(at) = problem.object.as_deref().and_then(position) {
                outcomes[at] = Err(problem.clone());
            }
        }
        // Nothing was written: every object that was read fails with the reason.
        for outcome in outcomes.iter_mut().filter(|o| o.is_ok()) {
            *outcome =
                Err(exchange::Problem::new("$.objects", None, "not stored: another object of the envelope failed"));
        }
    } else if let Err(pipeline::exchange::ImportError::Store(e)) = imported {
        return Err(Problem::from(e).into());
    }
    let mut successes = Vec::new();
    let mut failures = Vec::new();
    for (object, outcome) in objects.iter().zip(&outcomes) {
        let id = object.get("id").cloned().unwrap_or(Value::Null);
        let version = Value::String(version(object));
        match outcome {
            Ok(()) => successes.push(json!({ "id": id, "version": version })),
            Err(problem) => failures.push(json!({ "id": id, "version": version, "message": problem.to_string() })),
        }
    }
    Ok(json!({
        "id": status_id(),
        "status": "complete",
        "request_timestamp": stix::stix_time(requested),
        "total_count": objects.len(),
        "success_count": successes.len(),
        "successes": successes,
        "failure_count": failures.len(),
        "failures": failures,
        "pending_count": 0,
        "pendings": [],
    }))
}

/// A status resource's id.
fn status_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

async fn status(
    State(state): State<AppState>,
    caller: Result<Caller, Problem>,
    headers: HeaderMap,
    Path((root, id)): Path<(String, String)>,
) -> Response {
    let result = async {
        let caller = admit(caller, &headers, Some(&root))?;
        let store = state.store.clone();
        let (key, organisation) = (id.clone(), caller.user.organisation);
        let found = crate::on_store(move || Ok(store.taxii_status(&key, organisation)?)).await?;
        match found.and_then(|body| serde_json::from_str::<Value>(&body).ok()) {
            Some(status) => Ok(taxii(StatusCode::OK, &status, &[])),
            None => Err(Error(StatusCode::NOT_FOUND, format!("no status {id}"))),
        }
    };
    result.await.unwrap_or_else(IntoResponse::into_response)
}

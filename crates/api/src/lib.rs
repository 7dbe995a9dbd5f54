//! The HTTP server: a JSON API under `/api/v1`, its OpenAPI description, health checks and
//! metrics. Every route is declared once in [`routes::ROUTES`]; the router and the
//! OpenAPI document are both built from that table, so neither can miss a route.
//!
//! Access control: every read goes through `model::may_see` (directly, or as the store's
//! SQL rendering of it through a `visible_to` filter), and aggregates (sector levels,
//! explanations, trends) are computed over the caller's visible events alone.

pub mod alerts;
pub mod auth;
pub mod dashboard;
mod metrics;
pub mod openapi;
pub mod problem;
pub mod routes;
pub mod schema;
pub mod taxii;
mod wire;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use extract::Extractor;
use model::{OrganisationId, Viewer};
use pipeline::belt::BeltSettings;
use store::{NewAudit, Store};
use tokio::sync::mpsc;

pub use auth::{Caller, RateLimiter, hash_secret, new_secret};
pub use problem::Problem;

/// Limits the server enforces.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    /// Requests per second per token, on average.
    pub rate_per_token: f64,
    pub burst_per_token: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            rate_per_token: 50.0,
            burst_per_token: 200.0,
        }
    }
}

/// A token looked up, its user, and when.
type CachedToken = (store::TokenRecord, model::User, Instant);

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<Store>,
    pub extractor: Arc<Extractor>,
    pub belt: Arc<BeltSettings>,
    /// The sectors, cut once at start.
    pub sectors: Arc<pipeline::belt::Sectors>,
    /// The sector, border and actor names requests are checked against.
    pub vocabulary: Arc<schema::Vocabulary>,
    pub limiter: Arc<RateLimiter>,
    audit: mpsc::UnboundedSender<NewAudit>,
    metrics: Arc<metrics::Metrics>,
    /// Sharing-group memberships by organisation, read once per short while.
    viewers: Arc<Mutex<HashMap<OrganisationId, (Viewer, Instant)>>>,
    /// New alerts, for the live stream.
    pub alerts: tokio::sync::broadcast::Sender<model::Alert>,
    /// Set when the server begins to stop: open streams end so that it can.
    stopping: tokio::sync::watch::Sender<bool>,
    /// Tokens recently looked up, by secret hash, for a second: a token revoked through
    /// this server is forgotten at once, one revoked from the command line within a second.
    tokens: Arc<Mutex<HashMap<String, CachedToken>>>,
    /// Status resources of TAXII envelopes posted to this server.
    /// The belt last computed for each viewer.
    pub belts: Arc<BeltCache>,
    /// Where webhooks may go: public addresses unless the instance allows others.
    pub webhooks: alerts::WebhookPolicy,
}

/// The belt per viewer, with the store generation it was computed at.
#[derive(Default)]
pub struct BeltCache {
    entries: Mutex<Vec<(Viewer, String, Arc<pipeline::belt::Belt>)>>,
    /// Held while a belt is computed, so that requests arriving together compute it once.
    pub computing: tokio::sync::Mutex<()>,
    /// The events' GeoJSON of the belts kept, by the belt's address: it lives as long as
    /// its belt is kept.
    geojson: Mutex<Vec<(usize, axum::body::Bytes, usize)>>,
}

impl BeltCache {
    /// Viewers kept at most; the oldest goes first.
    const KEPT: usize = 8;
    /// The largest GeoJSON kept: a larger one is written again for each request rather
    /// than held (about 140,000 events).
    const LARGEST_GEOJSON: usize = 64 << 20;

    pub fn get(&self, viewer: &Viewer, generation: &str) -> Option<Arc<pipeline::belt::Belt>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.iter().find(|(v, g, _)| v == viewer && g == generation).map(|(_, _, b)| b.clone())
    }

    pub fn put(&self, viewer: Viewer, generation: String, belt: Arc<pipeline::belt::Belt>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|(v, _, _)| *v != viewer);
        if entries.len() >= Self::KEPT {
            entries.remove(0);
        }
        entries.push((viewer, generation, belt));
        // GeoJSON of belts no longer kept goes with them.
        let kept: Vec<usize> = entries.iter().map(|(_, _, b)| Arc::as_ptr(b) as usize).collect();
        self.geojson.lock().unwrap_or_else(|p| p.into_inner()).retain(|(k, _, _)| kept.contains(k));
    }

    pub fn geojson(&self, belt: usize) -> Option<(axum::body::Bytes, usize)> {
        let kept = self.geojson.lock().unwrap_or_else(|p| p.into_inner());
        kept.iter().find(|(k, _, _)| *k == belt).map(|(_, b, n)| (b.clone(), *n))
    }

    pub fn keep_geojson(&self, belt: usize, (body, count): (axum::body::Bytes, usize)) {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        // Only for a belt still kept: its address cannot be another's while it lives.
        if body.len() <= Self::LARGEST_GEOJSON && entries.iter().any(|(_, _, b)| Arc::as_ptr(b) as usize == belt) {
            self.geojson.lock().unwrap_or_else(|p| p.into_inner()).push((belt, body, count));
        }
    }
}

/// How long a request waits for the database before answering 503, in milliseconds.
static DB_TIMEOUT_MS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(10_000);

/// Sets how long requests wait for the database (`serve --db-timeout`).
pub fn set_db_timeout(timeout: Duration) {
    DB_TIMEOUT_MS.store(timeout.as_millis().max(1) as u64, std::sync::atomic::Ordering::Relaxed);
}

pub fn db_timeout() -> Duration {
    Duration::from_millis(DB_TIMEOUT_MS.load(std::sync::atomic::Ordering::Relaxed))
}

/// Runs store work on a blocking thread, giving up after `within`: a database that hangs
/// makes requests fail fast with a problem document rather than hang with it. (The
/// thread itself waits on until the connection answers or breaks.)
pub async fn on_store_within<T: Send + 'static>(
    within: Duration,
    f: impl FnOnce() -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    match tokio::time::timeout(within, tokio::task::spawn_blocking(f)).await {
        Ok(joined) => joined?,
        Err(_) => {
            tracing::warn!("the database did not answer within {} ms", within.as_millis());
            Err(Problem::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                format!("the database did not answer within {} ms; try again shortly", within.as_millis()),
            ))
        }
    }
}

/// [`on_store_within`] the configured database timeout.
pub async fn on_store<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    on_store_within(db_timeout(), f).await
}

impl AppState {
    /// The state, and the task that writes the audit trail in batches (run it with the
    /// server; it ends when the state is dropped, after writing what it holds).
    pub fn new(
        store: Arc<Store>,
        extractor: Arc<Extractor>,
        belt: BeltSettings,
        sectors: pipeline::belt::Sectors,
        limits: &Limits,
    ) -> (Self, impl Future<Output = ()> + Send + 'static) {
        let (tx, rx) = mpsc::unbounded_channel();
        let writer = audit_writer(store.clone(), rx);
        let vocabulary = Arc::new(schema::Vocabulary::new(&sectors, extractor.dictionaries()));
        let state = Self {
            store,
            extractor,
            belt: Arc::new(belt),
            vocabulary,
            sectors: Arc::new(sectors),
            limiter: Arc::new(RateLimiter::new(limits.rate_per_token, limits.burst_per_token)),
            audit: tx,
            metrics: Arc::new(metrics::Metrics::default()),
            viewers: Arc::new(Mutex::new(HashMap::new())),
            alerts: tokio::sync::broadcast::channel(1024).0,
            stopping: tokio::sync::watch::channel(false).0,
            tokens: Arc::new(Mutex::new(HashMap::new())),
            belts: Arc::new(BeltCache::default()),
            webhooks: alerts::WebhookPolicy::default(),
        };
        (state, writer)
    }

    /// Records a read in the audit trail (written within a second, in a batch).
    pub fn record(&self, caller: &Caller, action: &str, target: &str, detail: serde_json::Value) {
        if self.audit.send(audit_entry(caller, action, target, detail)).is_err() {
            tracing::error!("the audit writer has stopped; an audit line was lost");
        }
    }

    /// Records a change in the audit trail before the change is acknowledged.
    pub async fn record_now(
        &self,
        caller: &Caller,
        action: &str,
        target: &str,
        detail: serde_json::Value,
    ) -> Result<(), Problem> {
        let entry = audit_entry(caller, action, target, detail);
        let store = self.store.clone();
        on_store(move || Ok(store.audit(&[entry])?)).await
    }

    /// What an organisation may see. Memberships are cached for two seconds.
    pub async fn viewer_of(&self, organisation: OrganisationId) -> Result<Viewer, Problem> {
        if let Some((viewer, at)) = self.viewers.lock().unwrap_or_else(|p| p.into_inner()).get(&organisation)
            && at.elapsed() < Duration::from_secs(2)
        {
            return Ok(viewer.clone());
        }
        let store = self.store.clone();
        let viewer = on_store(move || Ok(store.viewer(organisation)?)).await?;
        self.viewers.lock().unwrap_or_else(|p| p.into_inner()).insert(organisation, (viewer.clone(), Instant::now()));
        Ok(viewer)
    }

    /// Ends open streams: call when the server begins to stop.
    pub fn begin_shutdown(&self) {
        self.stopping.send_replace(true);
    }

    /// Resolves once the server begins to stop.
    pub fn stopped(&self) -> impl Future<Output = ()> + Send + use<> {
        let mut rx = self.stopping.subscribe();
        async move {
            let _ = rx.wait_for(|stopping| *stopping).await;
        }
    }

    /// The token with this secret hash and its user, from the cache when fresh.
    pub async fn token(&self, hash: String) -> Result<Option<(store::TokenRecord, model::User)>, Problem> {
        if let Some((token, user, at)) = self.tokens.lock().unwrap_or_else(|p| p.into_inner()).get(&hash)
            && at.elapsed() < Duration::from_secs(1)
        {
            return Ok(Some((token.clone(), user.clone())));
        }
        let store = self.store.clone();
        let key = hash.clone();
        let found = on_store(move || Ok(store.token_by_hash(&key)?)).await?;
        if let Some((token, user)) = &found {
            let mut cache = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
            if cache.len() > 10_000 {
                cache.clear();
            }
            cache.insert(hash, (token.clone(), user.clone(), Instant::now()));
        }
        Ok(found)
    }

    /// Forgets a token at once (after it is revoked).
    pub fn forget_token(&self, id: model::TokenId) {
        self.tokens.lock().unwrap_or_else(|p| p.into_inner()).retain(|_, (t, _, _)| t.id != id);
    }

    /// Forgets cached memberships (after a sharing group changes).
    pub fn forget_viewers(&self) {
        self.viewers.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// How often alerts are evaluated and deliveries tried.
#[derive(Debug, Clone, Copy)]
pub struct AlertTiming {
    pub evaluate_every: Duration,
    pub deliver_every: Duration,
    /// The first retry waits this long; each next one twice as long (at most an hour).
    pub backoff: Duration,
}

impl Default for AlertTiming {
    fn default() -> Self {
        Self {
            evaluate_every: Duration::from_secs(2),
            deliver_every: Duration::from_millis(500),
            backoff: Duration::from_secs(5),
        }
    }
}

/// The lease the node that evaluates alerts and delivers webhooks holds.
pub const ALERTS_LEASE: &str = "alerts";

impl AlertTiming {
    /// How long the alerts lease lasts without renewal: how soon another node takes the
    /// work over from one that died.
    pub fn lease(&self) -> Duration {
        (self.evaluate_every.max(self.deliver_every) * 5).max(Duration::from_secs(3))
    }
}

/// The background work of a server, as three independent tasks, so that none waits on
/// another: evaluating alert rules as events arrive (of several nodes over one database,
/// only the one holding the [`ALERTS_LEASE`] evaluates, so each alert is raised once;
/// another takes over when the holder stops renewing); relaying every alert raised, by
/// whichever node, to this node's live streams; and working the webhook outbox, where
/// every node takes due deliveries under a lease of their own. Runs until the server
/// begins to stop (then the posts under way are given a few seconds) or the returned task
/// is aborted.
pub fn spawn_alerts(state: &AppState, timing: AlertTiming, node: String) -> tokio::task::JoinHandle<()> {
    let node: Arc<str> = node.into();
    let mut tasks = tokio::task::JoinSet::new();
    tasks.spawn(evaluate_alerts(state.clone(), timing, node.clone()));
    tasks.spawn(relay_alerts(state.clone(), timing));
    tasks.spawn(alerts::run_deliveries(
        state.store.clone(),
        state.webhooks,
        timing.deliver_every,
        timing.backoff,
        node,
        state.stopped(),
    ));
    // Aborting this task drops the set, which aborts the three.
    tokio::spawn(async move { while tasks.join_next().await.is_some() {} })
}

async fn evaluate_alerts(state: AppState, timing: AlertTiming, node: Arc<str>) {
    let mut evaluate = tokio::time::interval(timing.evaluate_every);
    let stopped = state.stopped();
    tokio::pin!(stopped);
    loop {
        tokio::select! {
            () = &mut stopped => return,
            _ = evaluate.tick() => {}
        }
        let (store, extractor, settings, sectors) =
            (state.store.clone(), state.extractor.clone(), state.belt.clone(), state.sectors.clone());
        let today = chrono::Utc::now().date_naive();
        let holder = node.clone();
        match tokio::task::spawn_blocking(move || {
            if !store.take_lease(ALERTS_LEASE, &holder, timing.lease())? {
                return Ok(Vec::new());
            }
            alerts::evaluate(&store, extractor.dictionaries(), &sectors, &settings, today)
        })
        .await
        {
            Ok(Ok(raised)) => {
                for alert in raised {
                    tracing::info!("alert raised: {}", alert.title);
                }
            }
            Ok(Err(e)) => tracing::error!("evaluating alert rules failed: {e}"),
            Err(e) => tracing::error!("evaluating alert rules failed: {e}"),
        }
    }
}

/// Reads back the alerts raised since the last look, by any node, and hands them to this
/// node's streams, at most half a second after they are stored.
async fn relay_alerts(state: AppState, timing: AlertTiming) {
    let mut relay = tokio::time::interval(timing.evaluate_every.min(Duration::from_millis(500)));
    // Alerts raised from now on are streamed; earlier ones are listed by the API (and
    // replayed to a stream that resumes with Last-Event-ID).
    let mut seen = (chrono::Utc::now(), model::AlertId::from_uuid(uuid::Uuid::nil()));
    const PAGE: u32 = 500;
    let stopped = state.stopped();
    tokio::pin!(stopped);
    loop {
        tokio::select! {
            () = &mut stopped => return,
            _ = relay.tick() => {}
        }
        // Page by page until nothing is left, so that a burst is relayed at once.
        loop {
            let store = state.store.clone();
            match tokio::task::spawn_blocking(move || store.alerts_after(seen, PAGE)).await {
                Ok(Ok(fresh)) => {
                    let full = fresh.len() == PAGE as usize;
                    for alert in fresh {
                        seen = (alert.fired_at, alert.id);
                        // Nobody listening is fine: the alert is stored.
                        let _ = state.alerts.send(alert);
                    }
                    if !full {
                        break;
                    }
                }
                Ok(Err(e)) => {
                    tracing::warn!("reading new alerts failed: {e}");
                    break;
                }
                Err(e) => {
                    tracing::warn!("reading new alerts failed: {e}");
                    break;
                }
            }
        }
    }
}

fn audit_entry(caller: &Caller, action: &str, target: &str, detail: serde_json::Value) -> NewAudit {
    NewAudit {
        user: Some(caller.user.id),
        organisation: Some(caller.user.organisation),
        action: action.to_owned(),
        target: Some(target.to_owned()),
        detail,
    }
}

async fn audit_writer(store: Arc<Store>, mut rx: mpsc::UnboundedReceiver<NewAudit>) {
    let mut batch = Vec::new();
    while let Some(first) = rx.recv().await {
        batch.push(first);
        // Gather what arrives in the next quarter second into one transaction.
        let deadline = tokio::time::sleep(Duration::from_millis(250));
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                more = rx.recv() => match more {
                    Some(e) => batch.push(e),
                    None => break,
                },
                () = &mut deadline => break,
            }
        }
        let entries = std::mem::take(&mut batch);
        let store = store.clone();
        match tokio::task::spawn_blocking(move || store.audit(&entries)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!("writing the audit trail failed: {e}"),
            Err(e) => tracing::error!("writing the audit trail failed: {e}"),
        }
    }
}

/// The router, with limits, metrics and the timeout.
pub fn router(state: AppState, limits: &Limits) -> Router {
    let timeout = limits.request_timeout;
    routes::register(Router::new(), &state)
        .merge(taxii::routes())
        .merge(dashboard::routes())
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(middleware::from_fn(move |request: Request, next: Next| async move {
            match tokio::time::timeout(timeout, next.run(request)).await {
                Ok(response) => response,
                Err(_) => Problem::new(StatusCode::SERVICE_UNAVAILABLE, "the request took too long").into_response(),
            }
        }))
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(middleware::from_fn(problem::ensure_problem))
        .fallback(|| async { Problem::not_found("no such route; /openapi.json lists them") })
        .with_state(state)
}

async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned()).unwrap_or_default();
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    state.metrics.observe(&method, &route, response.status().as_u16(), started.elapsed());
    response
}

/// Serves until `shutdown` completes; in-flight requests finish first. What the HTTP layer
/// answers by itself to a request it cannot read is problem details too (`wire`).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(wire::Listener(listener), app.into_make_service()).with_graceful_shutdown(shutdown).await
}

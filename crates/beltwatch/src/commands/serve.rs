//! `beltwatch serve`: the HTTP API on a multi-threaded runtime, until Ctrl-C or SIGTERM.

use std::sync::Arc;

use anyhow::Context;
use store::Store;

use super::Status;
use crate::cli::ServeArgs;
use crate::config::Settings;

pub fn run(store: Store, settings: &Settings, args: &ServeArgs) -> anyhow::Result<Status> {
    run_announced(store, settings, args, |_| {})
}

/// Serves, and calls `listening` with the address once the socket is bound.
pub fn run_announced(
    store: Store,
    settings: &Settings,
    args: &ServeArgs,
    listening: impl FnOnce(std::net::SocketAddr),
) -> anyhow::Result<Status> {
    if !(args.rate_limit > 0.0 && args.burst >= 1.0) {
        anyhow::bail!("--rate-limit must be above 0 and --burst at least 1");
    }
    let limits = api::Limits { rate_per_token: args.rate_limit, burst_per_token: args.burst, ..api::Limits::default() };
    let extractor = super::extraction::extractor()?;
    // Store calls run on blocking threads. Twice the cores keep SQLite busy while others
    // wait on the disk; many more only take turns on the same cores and stretch the
    // slowest responses (docs/server.md).
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    let store_threads = args.store_threads.unwrap_or(2 * cores);
    if store_threads == 0 {
        anyhow::bail!("--store-threads must be at least 1");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(store_threads)
        .build()
        .context("starting the runtime")?;
    // The last handle on the store is dropped here, outside the runtime: closing a
    // PostgreSQL connection blocks, which a runtime's own threads must not do.
    let store = Arc::new(store);
    let serving = store.clone();
    runtime.block_on(async {
        let store = serving;
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let address = listener.local_addr().context("reading the listening address")?;
        let sectors = pipeline::belt::sectors(&settings.belt, extractor.dictionaries()).context("belt.borders")?;
        let workers = super::work::Workers::start(store.clone(), settings, &args.work)?;
        let (mut state, audit_writer) = api::AppState::new(store, extractor, settings.belt.clone(), sectors, &limits);
        state.webhooks = api::alerts::WebhookPolicy { private_addresses: args.allow_private_webhooks };
        api::set_db_timeout(std::time::Duration::from_secs(args.db_timeout.max(1)));
        let audit = tokio::spawn(audit_writer);
        let timing = api::AlertTiming {
            evaluate_every: std::time::Duration::from_millis(args.alert_interval_ms.max(100)),
            backoff: std::time::Duration::from_millis(args.webhook_backoff_ms.max(10)),
            ..api::AlertTiming::default()
        };
        // Alert evaluation runs on one node at a time (the one that holds the "alerts"
        // lease in the database); every node streams alerts and works the webhook outbox.
        let background = api::spawn_alerts(&state, timing, workers.node.clone());
        let syncing = tokio::spawn(pull_peers(state.store.clone()));
        // The instance's own view of the belt, computed before the first page asks for it.
        let warming = state.clone();
        tokio::spawn(async move {
            let store = warming.store.clone();
            let local = tokio::task::spawn_blocking(move || store.local_organisation().ok().map(|o| o.id)).await;
            if let Ok(Some(organisation)) = local
                && let Ok(viewer) = warming.viewer_of(organisation).await
                && let Err(e) = api::routes::events_geojson_for(&warming, &viewer).await
            {
                tracing::warn!("computing the belt at start: {}", e.title);
            }
        });
        let stopper = state.clone();
        let state_store = state.store.clone();
        let app = api::router(state, &limits);
        // Scripts and tests read this line for the port.
        eprintln!("beltwatch node {} over a {} store", workers.node, state_store.backend_name());
        eprintln!("beltwatch listening on http://{address}");
        listening(address);
        let signalled = async move {
            shutdown().await;
            eprintln!("beltwatch stopping: finishing the requests in flight");
            stopper.begin_shutdown();
        };
        api::serve(listener, app, signalled).await.context("serving")?;
        // Posts to webhooks under way get a few seconds to be answered and recorded.
        let mut background = background;
        if tokio::time::timeout(std::time::Duration::from_secs(6), &mut background).await.is_err() {
            background.abort();
            let _ = background.await;
        }
        // Hand the alerts and this node's deliveries over to another node now rather than
        // when their leases run out.
        let (store, node) = (state_store.clone(), workers.node.clone());
        let _ = tokio::task::spawn_blocking(move || {
            let _ = store.release_deliveries(&node);
            store.drop_lease(api::ALERTS_LEASE, &node)
        })
        .await;
        syncing.abort();
        let _ = syncing.await;
        // The router (and with it the audit channel) is gone: the writer drains and ends.
        let _ = audit.await;
        // Jobs under way are finished and stored; queued ones wait for another node.
        let _ = tokio::task::spawn_blocking(move || workers.stop()).await;
        eprintln!("beltwatch stopped");
        anyhow::Ok(())
    })?;
    // A webhook post still under way on a blocking thread is not waited for: its delivery
    // was handed back and will be sent again, with the same delivery id.
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    drop(store);
    Ok(Status::Clean)
}

/// Pulls from each peer that has a schedule (`sync add --every`) when its time comes.
/// A failed pull is recorded on the peer (`sync list`) and tried again at the next turn.
async fn pull_peers(store: Arc<Store>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tick.tick().await;
        let listed = store.clone();
        let Ok(Ok(peers)) = tokio::task::spawn_blocking(move || listed.peers()).await else { continue };
        let now = chrono::Utc::now();
        for peer in peers {
            let Some(every) = peer.every_seconds else { continue };
            let due = peer.last_run_at.is_none_or(|last| (now - last).num_seconds() >= every as i64);
            if !due {
                continue;
            }
            let store = store.clone();
            let pulled = tokio::task::spawn_blocking(move || {
                let defaults = exchange::ReadDefaults {
                    owner: store.local_organisation()?.id,
                    tlp: model::Tlp::Amber,
                    now: pipeline::now(),
                };
                pipeline::sync::pull(&store, &peer, &defaults).map_err(anyhow::Error::from)
            })
            .await;
            match pulled {
                Ok(Ok(p)) if p.objects > 0 => tracing::info!(
                    peer = %p.peer, objects = p.objects, reports = p.imported.new_documents, "pulled from a peer"
                ),
                Ok(Err(e)) => tracing::warn!("{e:#}"),
                _ => {}
            }
        }
    }
}

pub(super) async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = interrupt.await;
                return;
            }
        };
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

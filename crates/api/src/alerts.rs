//! Alerts: evaluating every organisation's rules against what it may see as events
//! arrive, and delivering what fires: a live stream for dashboards, and signed webhooks
//! from a persistent outbox with retries and exponential back-off.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use extract::dict::Dictionaries;
use model::{Alert, AlertCondition, AlertRule, OrganisationId, ThreatLevel};
use pipeline::belt::{Belt, BeltSettings};
use sha2::{Digest, Sha256};
use store::{Delivery, NewAlert, Store};
use tokio::sync::Semaphore;

use crate::auth::hex;

/// HMAC-SHA256 (RFC 2104) of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|k| k ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
    Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize().into()
}

/// The `X-Beltwatch-Signature` header value for a payload.
pub fn signature(secret: &str, payload: &[u8]) -> String {
    format!("sha256={}", hex(&hmac_sha256(secret.as_bytes(), payload)))
}

/// Whether a point (lon, lat) lies inside a polygon (even–odd rule).
fn inside(point: [f64; 2], polygon: &[[f64; 2]]) -> bool {
    let (x, y) = (point[0], point[1]);
    let mut hit = false;
    let n = polygon.len();
    for i in 0..n {
        let (a, b) = (polygon[i], polygon[(i + 1) % n]);
        if (a[1] > y) != (b[1] > y) && x < (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]) + a[0] {
            hit = !hit;
        }
    }
    hit
}

/// Whether an incident meets an incident rule's conditions (any of its reports may).
fn matches(condition: &AlertCondition, belt: &Belt, incident: &belt::Incident) -> bool {
    let first = &belt.events[incident.events[0]];
    let any = |f: &dyn Fn(usize) -> bool| incident.events.iter().any(|&i| f(i));
    condition.category.is_none_or(|c| c == first.category)
        && condition.event_type.is_none_or(|t| any(&|i| belt.events[i].event_type == t))
        && condition.actor.as_ref().is_none_or(|a| any(&|i| belt.events[i].actors.contains(a)))
        && condition
            .sector
            .as_ref()
            .is_none_or(|s| any(&|i| belt.placed[i].as_ref().is_some_and(|p| belt.sectors[p.sector].id == *s)))
        && condition.area.as_ref().is_none_or(|area| any(&|i| belt.events[i].point.is_some_and(|p| inside(p, area))))
}

/// One pass: reads events stored since the last pass and raises what every enabled
/// rule finds in them, over what the rule's organisation may see. Returns the new alerts.
pub fn evaluate(
    store: &Store,
    dict: &Dictionaries,
    sectors: &pipeline::belt::Sectors,
    settings: &BeltSettings,
    as_of: NaiveDate,
) -> Result<Vec<Alert>, pipeline::belt::BeltLoadError> {
    let watermark = store.alert_watermark()?;
    let arrived = store.event_seqs_after(watermark)?;
    let Some(&(last, _)) = arrived.last() else { return Ok(Vec::new()) };
    let fresh: HashSet<String> = arrived.iter().map(|(_, id)| id.to_string()).collect();
    let mut by_org: BTreeMap<OrganisationId, Vec<AlertRule>> = BTreeMap::new();
    for rule in store.alert_rules(None)?.into_iter().filter(|r| r.disabled_at.is_none()) {
        by_org.entry(rule.organisation).or_default().push(rule);
    }
    let mut raise = Vec::new();
    for (organisation, rules) in by_org {
        let viewer = store.viewer(organisation)?;
        let belt = pipeline::belt::load(store, settings, dict, sectors, Some(&viewer))?;
        let assessment = rules.iter().any(|r| r.condition.is_sector_rule()).then(|| belt.assess(settings, as_of));
        for rule in &rules {
            let c = &rule.condition;
            if !c.is_sector_rule() {
                for inc in &belt.incidents {
                    if !inc.events.iter().any(|&i| fresh.contains(&belt.events[i].id)) || !matches(c, &belt, inc) {
                        continue;
                    }
                    let first = &belt.events[inc.events[0]];
                    let sector = inc
                        .events
                        .iter()
                        .find_map(|&i| belt.placed[i].as_ref())
                        .map(|p| belt.sectors[p.sector].id.clone());
                    raise.push(NewAlert {
                        rule: rule.id,
                        dedup_key: first.id.clone(),
                        title: format!(
                            "{}: {} {} at {} on {}",
                            rule.name,
                            first.category,
                            first.event_type,
                            first.place_name.as_deref().unwrap_or("an unknown place"),
                            first.date
                        ),
                        events: inc.events.iter().filter_map(|&i| belt.events[i].id.parse().ok()).collect(),
                        sector,
                    });
                }
                continue;
            }
            let Some(assessment) = &assessment else { continue };
            let week = belt::trend::week_start(as_of);
            for (s, level) in assessment.sectors.iter().enumerate() {
                let sector = &belt.sectors[s];
                if c.sector.as_ref().is_some_and(|want| *want != sector.id) {
                    continue;
                }
                if let Some(threshold) = c.level_at_least {
                    let current = match c.category {
                        Some(cat) => level.by_category.get(&cat).map_or(ThreatLevel::Low, |x| x.1),
                        None => level.level,
                    };
                    // A sector without incidents (of the category) has no level to reach:
                    // its "low" is the absence of any.
                    let counted = level.contributions.iter().any(|x| c.category.is_none_or(|cat| x.category == cat));
                    if counted && current >= threshold {
                        raise.push(NewAlert {
                            rule: rule.id,
                            dedup_key: format!("level:{}:{current}:{week}", sector.id),
                            title: format!("{}: {} {} is {current}", rule.name, sector.id, sector.name),
                            events: Vec::new(),
                            sector: Some(sector.id.clone()),
                        });
                    }
                }
                if c.spike {
                    let dates = belt.incidents.iter().filter(|inc| {
                        let first = &belt.events[inc.events[0]];
                        first.category.is_threat()
                            && c.category.is_none_or(|cat| cat == first.category)
                            && inc.events.iter().any(|&i| belt.placed[i].as_ref().is_some_and(|p| p.sector == s))
                    });
                    let counts = belt::trend::weekly_counts(
                        dates.map(|inc| belt.events[inc.events[0]].date),
                        as_of,
                        settings.spike.baseline_weeks + 1,
                    );
                    if let Some(verdict) = belt::trend::spike(&counts, &settings.spike)
                        && verdict.flagged
                    {
                        raise.push(NewAlert {
                            rule: rule.id,
                            dedup_key: format!("spike:{}:{week}", sector.id),
                            title: format!(
                                "{}: spike in {} {}: {} this week, {:.1} expected (P = {:.4})",
                                rule.name, sector.id, sector.name, verdict.count, verdict.expected, verdict.probability
                            ),
                            events: Vec::new(),
                            sector: Some(sector.id.clone()),
                        });
                    }
                }
            }
        }
    }
    let raised = store.raise_alerts(&raise)?;
    store.set_alert_watermark(last)?;
    Ok(raised)
}

/// Where webhooks may be delivered. By default only to public addresses: a partner's
/// analyst who creates a rule must not make this server post to itself, to its database
/// or to anything else on the instance's own network. Tests and closed deployments whose
/// receivers live on loopback or a private network allow them explicitly.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WebhookPolicy {
    pub private_addresses: bool,
}

impl WebhookPolicy {
    /// Why a rule's URL is refused when it is written: a host that is an address this
    /// policy refuses, or `localhost`. Names are resolved again at each delivery.
    pub fn refuse_url(&self, url: &str) -> Option<String> {
        if self.private_addresses {
            return None;
        }
        let uri: ureq::http::Uri = url.parse().ok()?;
        let host = uri.host()?.trim_start_matches('[').trim_end_matches(']');
        let lower = host.to_ascii_lowercase();
        if lower == "localhost" || lower.ends_with(".localhost") {
            return Some(format!("{host} is this server itself; webhooks go to public addresses"));
        }
        match host.parse::<IpAddr>() {
            Ok(ip) if !is_public(ip) => {
                Some(format!("{ip} is a loopback, link-local or private address; webhooks go to public addresses"))
            }
            _ => None,
        }
    }

    fn agent(&self) -> ureq::Agent {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            // A proxy would resolve the name where this check cannot see it.
            .proxy(None)
            .max_redirects(0)
            .build();
        ureq::Agent::with_parts(
            config,
            ureq::unversioned::transport::DefaultConnector::default(),
            CheckedResolver { policy: *self, inner: ureq::unversioned::resolver::DefaultResolver::default() },
        )
    }
}

/// Whether an address is one a webhook may reach by default: not loopback, unspecified,
/// link-local, private (RFC 1918, unique local), shared (RFC 6598), multicast or
/// broadcast, and the same for an IPv4 address written as IPv6.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_unspecified()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && v4.octets()[2] == 0)
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first & 0xffc0) == 0xfec0
                // NAT64 and 6to4 carry an IPv4 address that is not checked here.
                || first == 0x0064
                || first == 0x2002)
        }
    }
}

/// Resolves a webhook's host at delivery time and keeps only the addresses the policy
/// allows; the connection is made to one of those, so a name that changes its answer
/// between a check and the connection cannot reach a refused address.
#[derive(Debug)]
struct CheckedResolver {
    policy: WebhookPolicy,
    inner: ureq::unversioned::resolver::DefaultResolver,
}

impl ureq::unversioned::resolver::Resolver for CheckedResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
        let all = self.inner.resolve(uri, config, timeout)?;
        if self.policy.private_addresses {
            return Ok(all);
        }
        let mut kept = self.inner.empty();
        for address in all.iter().filter(|a| is_public(a.ip())) {
            kept.push(*address);
        }
        if kept.is_empty() {
            let host = uri.host().unwrap_or_default();
            return Err(ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!(
                    "refused: {host} resolves only to loopback, link-local or private addresses \
                     (the server allows public webhook addresses only)"
                ),
            )));
        }
        Ok(kept)
    }
}

/// How long a node holds a delivery it took: it renews the lease every third of this
/// while the receiver takes its time, and a node that dies mid-send hands the delivery
/// over once it runs out.
pub const DELIVERY_LEASE: Duration = Duration::from_secs(30);
/// Deliveries a node sends at once, and to any one receiver (scheme, host and port).
const IN_FLIGHT: usize = 16;
const PER_RECEIVER: usize = 2;
/// How long a stopping node waits for the posts it has under way.
const STOP_GRACE: Duration = Duration::from_secs(4);

/// Posts one delivery; the failure, if any.
fn post(agent: &ureq::Agent, d: &Delivery) -> Option<String> {
    let result = agent
        .post(&d.url)
        .header("Content-Type", "application/json")
        .header("X-Beltwatch-Delivery", &d.delivery_id)
        .header("X-Beltwatch-Signature", &signature(&d.secret, d.payload.as_bytes()))
        .send(d.payload.as_bytes());
    match result {
        Ok(response) if response.status().is_success() => None,
        Ok(response) => Some(format!("the receiver answered {}", response.status())),
        Err(e) => Some(e.to_string()),
    }
}

/// The receiver a URL names, for the bound on deliveries sent to it at once.
fn receiver_of(url: &str) -> String {
    url.parse::<ureq::http::Uri>()
        .ok()
        .map(|u| format!("{}://{}", u.scheme_str().unwrap_or("http"), u.authority().map_or("", |a| a.as_str())))
        .unwrap_or_else(|| url.to_owned())
}

fn lease_end() -> chrono::DateTime<Utc> {
    Utc::now() + chrono::Duration::from_std(DELIVERY_LEASE).unwrap_or(chrono::Duration::seconds(30))
}

/// Sends one delivery it took, renewing its lease while the receiver answers, and
/// records how it went under its token. A node whose lease was lost (another node took
/// the delivery) neither records nor sends it again.
async fn deliver_one(
    store: Arc<Store>,
    agent: ureq::Agent,
    d: Delivery,
    receiver: Arc<Semaphore>,
    backoff: Duration,
    stopping: Arc<std::sync::atomic::AtomicBool>,
    _slot: tokio::sync::OwnedSemaphorePermit,
) {
    let d = Arc::new(d);
    let sending = {
        let d = d.clone();
        async move {
            let _turn = receiver.acquire_owned().await.ok()?;
            // A node that began to stop sends nothing new: the delivery is handed back.
            if stopping.load(std::sync::atomic::Ordering::SeqCst) {
                return None;
            }
            tokio::task::spawn_blocking(move || post(&agent, &d)).await.ok()
        }
    };
    tokio::pin!(sending);
    let mut renew = tokio::time::interval(DELIVERY_LEASE / 3);
    renew.tick().await;
    let failure = loop {
        tokio::select! {
            sent = &mut sending => match sent {
                Some(failure) => break failure,
                None => return,
            },
            _ = renew.tick() => {
                let (store, held) = (store.clone(), d.clone());
                let renewed = tokio::task::spawn_blocking(move || store.renew_delivery(&held, lease_end())).await;
                if !matches!(renewed, Ok(Ok(true))) {
                    tracing::warn!("webhook delivery {}: lease lost; another node has it", d.delivery_id);
                    return;
                }
            }
        }
    };
    let recorded = tokio::task::spawn_blocking(move || match failure {
        None => store.delivery_done(&d),
        Some(error) => {
            // 1, 2, 4, ... times the base, at most an hour.
            let factor = 2u32.saturating_pow(d.attempts.min(20));
            let wait = backoff.saturating_mul(factor).min(Duration::from_secs(3600));
            let next = Utc::now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1));
            tracing::warn!("webhook delivery {} failed (attempt {}): {error}", d.delivery_id, d.attempts + 1);
            store.delivery_failed(&d, &error, next)
        }
    })
    .await;
    match recorded {
        Ok(Ok(true)) => {}
        Ok(Ok(false)) => tracing::warn!("a webhook delivery's outcome came after its lease; another node has it"),
        Ok(Err(e)) => tracing::error!("recording a webhook delivery failed: {e}"),
        Err(e) => tracing::error!("recording a webhook delivery failed: {e}"),
    }
}

/// Works the webhook outbox on this node until the server stops: takes due deliveries
/// (each under a lease that fences its outcome), sends them concurrently within the
/// bounds, and, on stopping, hands back what it took and did not finish.
pub async fn run_deliveries(
    store: Arc<Store>,
    policy: WebhookPolicy,
    every: Duration,
    backoff: Duration,
    node: Arc<str>,
    stopped: impl std::future::Future<Output = ()>,
) {
    let agent = policy.agent();
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut receivers: HashMap<String, Arc<Semaphore>> = HashMap::new();
    let mut sending = tokio::task::JoinSet::new();
    let mut tick = tokio::time::interval(every);
    let stopping = Arc::new(std::sync::atomic::AtomicBool::new(false));
    tokio::pin!(stopped);
    loop {
        tokio::select! {
            () = &mut stopped => break,
            _ = tick.tick() => {}
        }
        while sending.try_join_next().is_some() {}
        let free = slots.available_permits();
        if free == 0 {
            continue;
        }
        let (claiming, holder) = (store.clone(), node.clone());
        let taken = tokio::task::spawn_blocking(move || {
            claiming.claim_deliveries(&holder, Utc::now(), lease_end(), free as u32)
        })
        .await;
        let taken = match taken {
            Ok(Ok(taken)) => taken,
            Ok(Err(e)) => {
                tracing::error!("webhook outbox failed: {e}");
                continue;
            }
            Err(e) => {
                tracing::error!("webhook outbox failed: {e}");
                continue;
            }
        };
        for d in taken {
            let Ok(slot) = slots.clone().acquire_owned().await else { break };
            let receiver =
                receivers.entry(receiver_of(&d.url)).or_insert_with(|| Arc::new(Semaphore::new(PER_RECEIVER)));
            let task = deliver_one(store.clone(), agent.clone(), d, receiver.clone(), backoff, stopping.clone(), slot);
            sending.spawn(task);
        }
    }
    // Stopping: posts under way get a few seconds to be answered and recorded; nothing new
    // is sent; then what is left is given up, and everything this node took and did not
    // record is due again for any node.
    stopping.store(true, std::sync::atomic::Ordering::SeqCst);
    let _ = tokio::time::timeout(STOP_GRACE, async { while sending.join_next().await.is_some() {} }).await;
    sending.abort_all();
    let released = tokio::task::spawn_blocking(move || store.release_deliveries(&node)).await;
    if let Ok(Ok(n)) = released
        && n > 0
    {
        tracing::info!("handed back {n} webhook deliveries");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2 of RFC 4231.
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block.
        assert_eq!(
            hex(&hmac_sha256(&[0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn points_in_polygons() {
        let square = [[68.0, 37.0], [69.0, 37.0], [69.0, 38.0], [68.0, 38.0]];
        assert!(inside([68.5, 37.5], &square));
        assert!(!inside([69.5, 37.5], &square));
    }
}

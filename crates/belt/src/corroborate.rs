//! Which events report the same incident. Two asserted events are one incident when they
//! are of the same kind, close in place and time, and their actors and quantities do not
//! contradict each other; an event that another actor disputes or denies contests the
//! incident it matches. Nothing is overwritten: the result is a list of links that the
//! store records and an analyst can undo, and an analyst's "keep apart" is respected.

use std::collections::{HashMap, HashSet};

use model::{ActorId, Category, CountryCode, Credibility, EventType, QuantityKind, Reliability, Stance};

use crate::BeltEvent;
use crate::geo::haversine_km;

/// How close reports must be to be one incident.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rules {
    pub max_km: f64,
    pub max_days: i64,
    /// A dispute or denial may come later and be vaguer about the place.
    pub contest_km: f64,
    pub contest_days: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Self { max_km: 10.0, max_days: 2, contest_km: 30.0, contest_days: 3 }
    }
}

/// How an event belongs to an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkKind {
    Corroborates,
    Contests,
}

impl LinkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Corroborates => "corroborates",
            LinkKind::Contests => "contests",
        }
    }
}

/// One event joined to an incident, named by the incident's first event.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub incident: String,
    pub event: String,
    pub kind: LinkKind,
    pub reason: String,
}

/// Events that report one incident (indices into the input), with what it is worth.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// The asserting events, earliest first; the first names the incident.
    pub events: Vec<usize>,
    /// Events that dispute or deny it.
    pub contested_by: Vec<usize>,
    /// Distinct outlets among the asserting events' sources.
    pub independent_sources: usize,
    pub credibility: Credibility,
    /// The best reliability among its sources.
    pub reliability: Reliability,
}

impl Incident {
    pub fn contested(&self) -> bool {
        !self.contested_by.is_empty()
    }
}

/// A day, a grid cell (for located events) and a place name (for the others).
type BucketKey<'a> = (i64, Option<(i64, i64)>, Option<&'a str>);

/// Groups `events` into incidents. `apart` lists groups of event ids an analyst has split:
/// no two events of one group are merged again.
pub fn incidents(events: &[BeltEvent], rules: &Rules, apart: &[Vec<String>]) -> Vec<Incident> {
    let kept_apart: HashMap<&str, Vec<usize>> = {
        let mut m: HashMap<&str, Vec<usize>> = HashMap::new();
        for (g, group) in apart.iter().enumerate() {
            for id in group {
                m.entry(id.as_str()).or_default().push(g);
            }
        }
        m
    };
    let apart_of = |i: usize, j: usize| {
        if kept_apart.is_empty() {
            return false;
        }
        let (a, b) = (kept_apart.get(events[i].id.as_str()), kept_apart.get(events[j].id.as_str()));
        matches!((a, b), (Some(a), Some(b)) if a.iter().any(|g| b.contains(g)))
    };

    let asserted: Vec<usize> = (0..events.len()).filter(|&i| events[i].stance == Stance::Asserted).collect();
    let mut parent: Vec<usize> = (0..events.len()).collect();
    // Buckets by day and by a grid of about 15 km, so that only neighbours are compared.
    let cell = |e: &BeltEvent| e.point.map(|p| ((p[0] / 0.15).floor() as i64, (p[1] / 0.15).floor() as i64));
    let mut buckets: HashMap<BucketKey<'_>, Vec<usize>> = HashMap::new();
    for &i in &asserted {
        let e = &events[i];
        let key_place = if e.point.is_none() { e.place_name.as_deref() } else { None };
        buckets.entry((day(e), cell(e), key_place)).or_default().push(i);
    }
    for &i in &asserted {
        let e = &events[i];
        let key_place = if e.point.is_none() { e.place_name.as_deref() } else { None };
        let cells: Vec<Option<(i64, i64)>> = match cell(e) {
            Some((x, y)) => (-1..=1).flat_map(|dx| (-1..=1).map(move |dy| Some((x + dx, y + dy)))).collect(),
            None => vec![None],
        };
        for d in day(e) - rules.max_days..=day(e) {
            for c in &cells {
                let Some(others) = buckets.get(&(d, *c, key_place)) else { continue };
                for &j in others {
                    // Each pair once: the other event on an earlier day, or the same day
                    // with a lower index.
                    let earlier = d < day(e) || j < i;
                    if earlier
                        && same_incident(e, &events[j], rules)
                        && !apart_of(i, j)
                        && !group_apart(&mut parent, i, j, &apart_of)
                    {
                        union(&mut parent, i, j);
                    }
                }
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for &i in &asserted {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }
    let mut out: Vec<Incident> = groups
        .into_values()
        .map(|mut members| {
            members.sort_by(|&a, &b| events[a].date.cmp(&events[b].date).then(events[a].id.cmp(&events[b].id)));
            Incident {
                events: members,
                contested_by: Vec::new(),
                independent_sources: 0,
                credibility: Credibility::CannotBeJudged,
                reliability: Reliability::F,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        let (x, y) = (&events[a.events[0]], &events[b.events[0]]);
        x.date.cmp(&y.date).then(x.id.cmp(&y.id))
    });

    // Disputes and denials: each contests the closest matching incident. Incidents are
    // indexed by day and category, and by a half-degree grid or their country.
    let half = |p: [f64; 2]| ((p[0] / 0.5).floor() as i64, (p[1] / 0.5).floor() as i64);
    let mut by_cell: HashMap<(i64, Category, (i64, i64)), Vec<usize>> = HashMap::new();
    let mut by_country: HashMap<(i64, Category, CountryCode), Vec<usize>> = HashMap::new();
    for (k, inc) in out.iter().enumerate() {
        let first = &events[inc.events[0]];
        if let Some(p) = first.point {
            by_cell.entry((day(first), first.category, half(p))).or_default().push(k);
        }
        if let Some(c) = first.country {
            by_country.entry((day(first), first.category, c)).or_default().push(k);
        }
    }
    for (i, e) in events.iter().enumerate() {
        if e.stance == Stance::Asserted {
            continue;
        }
        let mut candidates: Vec<usize> = Vec::new();
        for d in day(e) - rules.contest_days..=day(e) + rules.contest_days {
            if let Some(p) = e.point {
                let (x, y) = half(p);
                for dx in -1..=1 {
                    for dy in -1..=1 {
                        candidates.extend(by_cell.get(&(d, e.category, (x + dx, y + dy))).into_iter().flatten());
                    }
                }
            }
            if let Some(c) = e.country {
                candidates.extend(by_country.get(&(d, e.category, c)).into_iter().flatten());
            }
        }
        let best = candidates
            .into_iter()
            .filter_map(|k| {
                let first = &events[out[k].events[0]];
                let days = (e.date - first.date).num_days().abs();
                let km = match (e.point, first.point) {
                    (Some(a), Some(b)) => haversine_km(a, b),
                    _ if e.country.is_some() && e.country == first.country => rules.contest_km,
                    _ => f64::INFINITY,
                };
                (km <= rules.contest_km).then_some((k, km, days))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.2.cmp(&b.2)).then(a.0.cmp(&b.0)));
        if let Some((k, _, _)) = best {
            out[k].contested_by.push(i);
        }
    }
    for inc in &mut out {
        rate(inc, events);
    }
    out
}

/// The links that record `incidents` (single-event incidents need none).
pub fn links(incidents: &[Incident], events: &[BeltEvent]) -> Vec<Link> {
    let mut out = Vec::new();
    for inc in incidents {
        if inc.events.len() < 2 && inc.contested_by.is_empty() {
            continue;
        }
        let first = &events[inc.events[0]];
        for &i in &inc.events[1..] {
            let e = &events[i];
            let km = match (first.point, e.point) {
                (Some(a), Some(b)) => format!("{:.1} km apart", haversine_km(a, b)),
                _ => "same place name".to_owned(),
            };
            out.push(Link {
                incident: first.id.clone(),
                event: e.id.clone(),
                kind: LinkKind::Corroborates,
                reason: format!(
                    "same {} ({}), {km}, {} day(s) apart",
                    e.event_type,
                    e.category,
                    (e.date - first.date).num_days().abs()
                ),
            });
        }
        for &i in &inc.contested_by {
            let e = &events[i];
            out.push(Link {
                incident: first.id.clone(),
                event: e.id.clone(),
                kind: LinkKind::Contests,
                reason: format!("{} report of the same {} ({})", e.stance, e.category, e.event_type),
            });
        }
    }
    out
}

fn rate(inc: &mut Incident, events: &[BeltEvent]) {
    let outlets: HashSet<String> =
        inc.events.iter().flat_map(|&i| events[i].sources.iter().map(|s| s.outlet.trim().to_lowercase())).collect();
    inc.independent_sources = outlets.len();
    inc.reliability = inc
        .events
        .iter()
        .flat_map(|&i| events[i].sources.iter().map(|s| s.reliability))
        .min_by_key(|r| reliability_rank(*r))
        .unwrap_or(Reliability::F);
    let base = if inc.independent_sources >= 2 {
        Credibility::Confirmed
    } else if matches!(inc.reliability, Reliability::A | Reliability::B) {
        Credibility::ProbablyTrue
    } else {
        Credibility::PossiblyTrue
    };
    inc.credibility = if inc.contested() {
        match base {
            Credibility::Confirmed => Credibility::ProbablyTrue,
            Credibility::ProbablyTrue => Credibility::PossiblyTrue,
            _ => Credibility::Doubtful,
        }
    } else {
        base
    };
}

fn reliability_rank(r: Reliability) -> u8 {
    match r {
        Reliability::A => 0,
        Reliability::B => 1,
        Reliability::C => 2,
        Reliability::D => 3,
        Reliability::E => 4,
        Reliability::F => 5,
    }
}

fn day(e: &BeltEvent) -> i64 {
    i64::from(chrono::Datelike::num_days_from_ce(&e.date))
}

fn same_incident(a: &BeltEvent, b: &BeltEvent, rules: &Rules) -> bool {
    let kind = |t: EventType| match t {
        EventType::Attack | EventType::ArmedClash => 0,
        other => 1 + other as u8,
    };
    if a.category != b.category || kind(a.event_type) != kind(b.event_type) {
        return false;
    }
    if (a.date - b.date).num_days().abs() > rules.max_days {
        return false;
    }
    let close = match (a.point, b.point) {
        (Some(p), Some(q)) => haversine_km(p, q) <= rules.max_km,
        (None, None) => a.place_name.is_some() && a.place_name == b.place_name && a.country == b.country,
        _ => false,
    };
    close && groups_compatible(&a.groups, &b.groups) && quantities_compatible(a, b)
}

/// Reports of one incident name different state bodies freely; they contradict each other
/// only when both name the group behind it and none in common.
fn groups_compatible(a: &[ActorId], b: &[ActorId]) -> bool {
    a.is_empty() || b.is_empty() || a.iter().any(|x| b.contains(x))
}

/// The same kind of quantity in both must agree within a third (first reports of a seizure
/// or a death toll are often revised).
fn quantities_compatible(a: &BeltEvent, b: &BeltEvent) -> bool {
    a.quantities.iter().all(|qa| {
        b.quantities.iter().filter(|qb| qb.kind == qa.kind).all(|qb| {
            let (x, y) = (normalised(qa), normalised(qb));
            let (lo, hi) = if x < y { (x, y) } else { (y, x) };
            hi == 0.0 || lo / hi >= 0.66 || qa.kind == QuantityKind::Detained
        })
    })
}

fn normalised(q: &model::Quantity) -> f64 {
    q.value * q.unit.to_kg().unwrap_or(1.0)
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[ra.max(rb)] = ra.min(rb);
    }
}

/// Whether joining `i` and `j` would put two kept-apart events in one incident (checked
/// on the two events and the roots of their groups).
fn group_apart(parent: &mut [usize], i: usize, j: usize, apart_of: &impl Fn(usize, usize) -> bool) -> bool {
    let (ri, rj) = (find(parent, i), find(parent, j));
    apart_of(ri, rj) || apart_of(ri, j) || apart_of(i, rj)
}

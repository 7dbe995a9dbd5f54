//! Threat levels: every incident in the window adds a weight to its sector, per category
//! and overall; thresholds map the sums to low, medium, high and critical. The weight is a
//! product of named factors, so that every level can be explained event by event
//! (`docs/assessment.md` gives the model and its defaults).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use model::{Category, CountryCode, EventType, QuantityKind, Reliability, ThreatLevel};

use crate::sectors::{Assignment, BeltSector};
use crate::{BeltEvent, Incident};

/// The parameters of the model.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelModel {
    /// Incidents older than this do not count.
    pub window_days: i64,
    /// An incident's weight halves every `half_life_days`.
    pub half_life_days: f64,
    /// Scores at which a level becomes medium, high and critical.
    pub thresholds: [f64; 3],
}

impl Default for LevelModel {
    fn default() -> Self {
        Self { window_days: 90, half_life_days: 14.0, thresholds: [4.0, 10.0, 20.0] }
    }
}

impl LevelModel {
    pub fn level(&self, score: f64) -> ThreatLevel {
        let [medium, high, critical] = self.thresholds;
        if score >= critical {
            ThreatLevel::Critical
        } else if score >= high {
            ThreatLevel::High
        } else if score >= medium {
            ThreatLevel::Medium
        } else {
            ThreatLevel::Low
        }
    }
}

/// One incident's part in a sector's level.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    /// Index into the incidents.
    pub incident: usize,
    pub category: Category,
    pub date: NaiveDate,
    pub distance_km: f64,
    pub weight: f64,
    /// The factors, in words: "attack 6.0 + 3 killed 3.0; reliability B ×0.90; ...".
    pub why: String,
}

/// A sector's levels and what makes them.
#[derive(Debug, Clone, PartialEq)]
pub struct SectorLevel {
    /// Index into the sectors.
    pub sector: usize,
    pub score: f64,
    pub level: ThreatLevel,
    pub by_category: BTreeMap<Category, (f64, ThreatLevel)>,
    /// Heaviest first.
    pub contributions: Vec<Contribution>,
}

/// What happened away from the belt, by country and province.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionScore {
    pub country: CountryCode,
    pub province: Option<String>,
    pub category: Category,
    pub incidents: u32,
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub as_of: NaiveDate,
    pub sectors: Vec<SectorLevel>,
    pub regions: Vec<RegionScore>,
}

/// Assesses every sector on `as_of`. `placed[i]` is where event `i` lies in the belt; an
/// incident counts where its first located event lies.
pub fn assess(
    sectors: &[BeltSector],
    events: &[BeltEvent],
    incidents: &[Incident],
    placed: &[Option<Assignment>],
    model: &LevelModel,
    as_of: NaiveDate,
) -> Assessment {
    let mut levels: Vec<SectorLevel> = (0..sectors.len())
        .map(|s| SectorLevel {
            sector: s,
            score: 0.0,
            level: ThreatLevel::Low,
            by_category: BTreeMap::new(),
            contributions: Vec::new(),
        })
        .collect();
    let mut regions: BTreeMap<(CountryCode, Option<String>, Category), (u32, f64)> = BTreeMap::new();
    for (k, inc) in incidents.iter().enumerate() {
        let first = &events[inc.events[0]];
        if !first.category.is_threat() {
            continue;
        }
        let age = (as_of - first.date).num_days();
        if age < 0 || age > model.window_days {
            continue;
        }
        let located = inc.events.iter().find_map(|&i| placed[i].as_ref().map(|a| (i, a)));
        let (severity, severity_why) = severity(inc, events);
        let reliability = reliability_factor(inc.reliability);
        let corroboration = (1.0 + 0.25 * (inc.independent_sources.max(1) - 1) as f64).min(2.0);
        let contested = if inc.contested() { 0.75 } else { 1.0 };
        let recency = 0.5f64.powf(age as f64 / model.half_life_days);
        let base = severity * reliability * corroboration * contested * recency;
        let mut why = format!(
            "{severity_why}; reliability {} ×{reliability:.2}; {} independent source(s) ×{corroboration:.2}{}; \
             {age} day(s) old ×{recency:.2}",
            inc.reliability,
            inc.independent_sources,
            if inc.contested() { "; contested ×0.75" } else { "" },
        );
        match located {
            Some((_, a)) => {
                let depth = sectors[a.sector].depth_km;
                let proximity = 1.0 - 0.5 * (a.distance_km / depth).min(1.0);
                why.push_str(&format!("; {:.1} km from the line, {} side ×{proximity:.2}", a.distance_km, a.side));
                let weight = base * proximity;
                let level = &mut levels[a.sector];
                level.score += weight;
                level.by_category.entry(first.category).or_insert((0.0, ThreatLevel::Low)).0 += weight;
                level.contributions.push(Contribution {
                    incident: k,
                    category: first.category,
                    date: first.date,
                    distance_km: a.distance_km,
                    weight,
                    why,
                });
            }
            None => {
                if let Some(country) = inc.events.iter().find_map(|&i| events[i].country) {
                    let province = inc.events.iter().find_map(|&i| events[i].province.clone());
                    let entry = regions.entry((country, province, first.category)).or_insert((0, 0.0));
                    entry.0 += 1;
                    entry.1 += base;
                }
            }
        }
    }
    for level in &mut levels {
        level.level = model.level(level.score);
        for (score, l) in level.by_category.values_mut() {
            *l = model.level(*score);
        }
        level.contributions.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    }
    Assessment {
        as_of,
        sectors: levels,
        regions: regions
            .into_iter()
            .map(|((country, province, category), (incidents, score))| RegionScore {
                country,
                province,
                category,
                incidents,
                score,
            })
            .collect(),
    }
}

fn reliability_factor(r: Reliability) -> f64 {
    match r {
        Reliability::A => 1.0,
        Reliability::B => 0.9,
        Reliability::C => 0.75,
        Reliability::D => 0.5,
        Reliability::E => 0.3,
        // Not yet rated: between fairly and not usually reliable.
        Reliability::F => 0.6,
    }
}

/// Base weight of an event type: violence first, then contraband and crossings.
pub fn type_weight(t: EventType) -> f64 {
    match t {
        EventType::Attack => 6.0,
        EventType::ArmedClash => 5.0,
        EventType::Seizure => 2.0,
        EventType::Arrest | EventType::IllegalCrossing => 1.5,
        EventType::Threat => 1.0,
        EventType::Accusation => 0.5,
        _ => 0.25,
    }
}

/// Severity of an incident: its type, plus casualties and the size of what was seized (the
/// largest figure any of its reports gives for each kind).
fn severity(inc: &Incident, events: &[BeltEvent]) -> (f64, String) {
    let first = &events[inc.events[0]];
    let base = type_weight(first.event_type);
    let mut most: BTreeMap<QuantityKind, f64> = BTreeMap::new();
    for &i in &inc.events {
        for q in &events[i].quantities {
            let v = q.value * q.unit.to_kg().unwrap_or(1.0);
            let slot = most.entry(q.kind).or_insert(0.0);
            *slot = slot.max(v);
        }
    }
    let mut total = base;
    let mut why = format!("{} {base:.1}", first.event_type);
    for (kind, value) in most {
        let add = match kind {
            QuantityKind::Killed => value.min(10.0),
            QuantityKind::Injured => (value * 0.5).min(5.0),
            QuantityKind::Explosives => 2.0 * (1.0 + value).log10(),
            QuantityKind::Firearms => 1.5 * (1.0 + value).log10(),
            QuantityKind::Ammunition => 0.5 * (1.0 + value / 100.0).log10(),
            QuantityKind::Detained | QuantityKind::Migrants => (1.0 + value).log10(),
            _ => (1.0 + value).log10(),
        };
        if add > 0.0 {
            total += add;
            why.push_str(&format!(" + {value} {kind} {add:.1}"));
        }
    }
    (total, why)
}

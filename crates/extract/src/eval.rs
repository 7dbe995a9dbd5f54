//! Scoring extraction against gold annotations in the evaluation format
//! (`articles.jsonl` + `gold.jsonl`, see the project's eval format description):
//! precision, recall and F1 per field, micro-averaged over documents, and the share of
//! documents with a gold date whose main-event date is right.

use std::collections::HashMap;

use chrono::NaiveDate;
use model::{ActorId, Category, CountryCode, QuantityKind, Unit};
use serde::{Deserialize, Serialize};

use crate::fold::fold_pattern;
use crate::{Extraction, Extractor};

/// One article of `articles.jsonl`.
#[derive(Debug, Clone, Deserialize)]
pub struct Article {
    pub id: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub outlet: Option<String>,
    #[serde(default)]
    pub published: Option<String>,
    pub language: String,
    pub text: String,
    #[serde(default)]
    pub partial: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldLocation {
    pub name: String,
    pub country_iso2: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldQuantity {
    pub what: QuantityKind,
    pub value: f64,
    pub unit: Unit,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldDenial {
    pub actor: String,
    #[serde(default)]
    pub what: String,
}

/// One line of `gold.jsonl`.
#[derive(Debug, Clone, Deserialize)]
pub struct Gold {
    pub id: String,
    pub categories: Vec<Category>,
    pub actors: Vec<String>,
    pub locations: Vec<GoldLocation>,
    pub event_date: Option<String>,
    pub quantities: Vec<GoldQuantity>,
    pub denials: Vec<GoldDenial>,
}

/// Counts and scores of one field.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Score {
    pub true_positives: u32,
    pub false_positives: u32,
    pub false_negatives: u32,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Score {
    fn add(&mut self, tp: usize, fp: usize, fn_: usize) {
        self.true_positives += tp as u32;
        self.false_positives += fp as u32;
        self.false_negatives += fn_ as u32;
    }

    fn finish(&mut self) {
        let (tp, fp, fn_) =
            (f64::from(self.true_positives), f64::from(self.false_positives), f64::from(self.false_negatives));
        self.precision = if tp + fp > 0.0 { tp / (tp + fp) } else { 1.0 };
        self.recall = if tp + fn_ > 0.0 { tp / (tp + fn_) } else { 1.0 };
        self.f1 = if self.precision + self.recall > 0.0 {
            2.0 * self.precision * self.recall / (self.precision + self.recall)
        } else {
            0.0
        };
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct DateScore {
    pub correct: u32,
    pub with_gold_date: u32,
    pub accuracy: f64,
}

/// The scores of a corpus (or of one language in it).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Scores {
    pub documents: u32,
    pub categories: Score,
    pub actors: Score,
    pub locations: Score,
    /// Locations compared by country only.
    pub location_countries: Score,
    pub quantities: Score,
    pub denials: Score,
    pub event_date: DateScore,
}

impl Scores {
    fn finish(&mut self) {
        for s in [
            &mut self.categories,
            &mut self.actors,
            &mut self.locations,
            &mut self.location_countries,
            &mut self.quantities,
            &mut self.denials,
        ] {
            s.finish();
        }
        let d = &mut self.event_date;
        d.accuracy = if d.with_gold_date > 0 { f64::from(d.correct) / f64::from(d.with_gold_date) } else { 1.0 };
    }
}

/// A gold value the dictionaries could not resolve, or a mismatch worth a look.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    pub id: String,
    pub field: &'static str,
    pub detail: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub overall: Scores,
    pub by_language: std::collections::BTreeMap<String, Scores>,
    /// Every false negative and false positive, for error analysis.
    pub misses: Vec<Miss>,
}

/// Scores `predictions` (one extraction per article id) against `gold`.
pub fn score(
    extractor: &Extractor,
    articles: &[Article],
    gold: &[Gold],
    predictions: &HashMap<String, Extraction>,
) -> Report {
    let spellings = extractor.dictionaries().actor_spellings();
    let resolve_actor = |name: &str| fold_pattern(name, false).and_then(|k| spellings.get(&k).cloned());
    let by_id: HashMap<&str, &Article> = articles.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut report = Report::default();
    for g in gold {
        let Some(article) = by_id.get(g.id.as_str()) else { continue };
        let empty = Extraction::default();
        let p = predictions.get(&g.id).unwrap_or(&empty);
        let mut doc = Scores { documents: 1, ..Scores::default() };
        let mut miss =
            |field: &'static str, detail: String| report.misses.push(Miss { id: g.id.clone(), field, detail });

        // Categories: exact labels.
        let tp = g.categories.iter().filter(|c| p.categories.contains(c)).count();
        doc.categories.add(tp, p.categories.len() - tp.min(p.categories.len()), g.categories.len() - tp);
        for c in g.categories.iter().filter(|c| !p.categories.contains(c)) {
            miss("categories", format!("missed {c}"));
        }
        for c in p.categories.iter().filter(|c| !g.categories.contains(c)) {
            miss("categories", format!("extra {c}"));
        }

        // Actors: both sides as canonical ids.
        let gold_actors: Vec<Option<ActorId>> = g.actors.iter().map(|a| resolve_actor(a)).collect();
        let mut matched = 0;
        for (spelling, id) in g.actors.iter().zip(&gold_actors) {
            match id {
                Some(id) if p.actors.contains(id) => matched += 1,
                Some(id) => miss("actors", format!("missed {spelling} ({id})")),
                None => miss("actors", format!("missed {spelling} (not in the actor dictionary)")),
            }
        }
        let extra: Vec<&ActorId> = p.actors.iter().filter(|a| !gold_actors.contains(&Some((*a).clone()))).collect();
        for a in &extra {
            miss("actors", format!("extra {a}"));
        }
        doc.actors.add(matched, extra.len(), g.actors.len() - matched);

        // Locations: the same gazetteer entry, or the same country and name; a division's
        // name matches with or without its kind word ("Kurram" is "Kurram District").
        let mut used = vec![false; p.places.len()];
        let mut used_unlisted = vec![false; p.unlisted_places.len()];
        let mut found = 0;
        for loc in &g.locations {
            let key = fold_pattern(&loc.name, false).map(without_kind_word);
            let loose = crate::loose_key(&loc.name);
            let country: Option<CountryCode> = loc.country_iso2.parse().ok();
            // The same name, or the same name in another transliteration ("Moskovsky" is
            // "Moskovskiy").
            let hit = p.places.iter().enumerate().position(|(i, place)| {
                !used[i] && Some(place.country) == country && {
                    let entry = extractor.dictionaries().places.iter().find(|e| e.id == place.id);
                    let names = entry.map(|e| e.names.clone()).unwrap_or_else(|| vec![place.name.clone()]);
                    names
                        .iter()
                        .any(|n| fold_pattern(n, false).map(without_kind_word) == key || crate::loose_key(n) == loose)
                }
            });
            // A place the gazetteer lacks: the same country and the same name in either script.
            let unlisted_hit = || {
                let key = crate::loose_key(&loc.name);
                p.unlisted_places.iter().enumerate().position(|(i, u)| {
                    !used_unlisted[i] && Some(u.country) == country && crate::loose_key(&u.name) == key
                })
            };
            match hit {
                Some(i) => {
                    used[i] = true;
                    found += 1;
                }
                None => match unlisted_hit() {
                    Some(i) => {
                        used_unlisted[i] = true;
                        found += 1;
                    }
                    None => miss("locations", format!("missed {} ({})", loc.name, loc.country_iso2)),
                },
            }
        }
        for (i, place) in p.places.iter().enumerate().filter(|(i, _)| !used[*i]) {
            let _ = i;
            miss("locations", format!("extra {} ({}, {})", place.name, place.country, place.kind));
        }
        for (_, u) in p.unlisted_places.iter().enumerate().filter(|(i, _)| !used_unlisted[*i]) {
            miss("locations", format!("extra {} ({}, unlisted {})", u.name, u.country, u.kind));
        }
        let extra = used.iter().chain(&used_unlisted).filter(|u| !**u).count();
        doc.locations.add(found, extra, g.locations.len() - found);
        let mut gold_countries: Vec<String> = g.locations.iter().map(|l| l.country_iso2.to_uppercase()).collect();
        gold_countries.sort();
        gold_countries.dedup();
        let mut predicted_countries: Vec<String> = p
            .places
            .iter()
            .map(|l| l.country)
            .chain(p.unlisted_places.iter().map(|u| u.country))
            .map(|c| c.to_string())
            .collect();
        predicted_countries.sort();
        predicted_countries.dedup();
        let tp = gold_countries.iter().filter(|c| predicted_countries.contains(c)).count();
        for c in gold_countries.iter().filter(|c| !predicted_countries.contains(c)) {
            miss("location_countries", format!("missed {c}"));
        }
        for c in predicted_countries.iter().filter(|c| !gold_countries.contains(c)) {
            miss("location_countries", format!("extra {c}"));
        }
        doc.location_countries.add(tp, predicted_countries.len() - tp, gold_countries.len() - tp);

        // Quantities: the same kind, values within 1% (masses compared in kilograms).
        let mut used = vec![false; p.quantities.len()];
        let mut found = 0;
        for q in &g.quantities {
            let hit = p
                .quantities
                .iter()
                .enumerate()
                .position(|(i, x)| !used[i] && x.kind == q.what && same_amount(x.value, x.unit, q.value, q.unit));
            match hit {
                Some(i) => {
                    used[i] = true;
                    found += 1;
                }
                None => miss("quantities", format!("missed {} {} {}", q.what, q.value, q.unit)),
            }
        }
        for (i, x) in p.quantities.iter().enumerate() {
            if !used[i] {
                miss("quantities", format!("extra {} {} {}", x.kind, x.value, x.unit));
            }
        }
        doc.quantities.add(found, used.iter().filter(|u| !**u).count(), g.quantities.len() - found);

        // Denials: the same denying actor.
        let mut predicted: Vec<ActorId> = p.denials.iter().filter_map(|d| d.actor.clone()).collect();
        predicted.sort();
        predicted.dedup();
        let mut gold_denials: Vec<Option<ActorId>> = g.denials.iter().map(|d| resolve_actor(&d.actor)).collect();
        gold_denials.sort();
        gold_denials.dedup();
        let tp = gold_denials.iter().flatten().filter(|a| predicted.contains(a)).count();
        for d in &g.denials {
            if !resolve_actor(&d.actor).is_some_and(|a| predicted.contains(&a)) {
                miss("denials", format!("missed {} ({})", d.actor, d.what));
            }
        }
        let unattributed = p.denials.iter().filter(|d| d.actor.is_none()).count();
        let fp = predicted.len() - tp + unattributed;
        for a in predicted.iter().filter(|a| !gold_denials.contains(&Some((*a).clone()))) {
            miss("denials", format!("extra {a}"));
        }
        doc.denials.add(tp, fp, gold_denials.len() - tp);

        // Event date: documents that have a gold date. A report that gives no date of its
        // own is taken to describe the day it was published.
        if let Some(gold_date) = g.event_date.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()) {
            doc.event_date.with_gold_date = 1;
            let published = article.published.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            let predicted = p.event_date.or(published);
            if predicted == Some(gold_date) {
                doc.event_date.correct = 1;
            } else {
                miss("event_date", format!("gold {gold_date}, predicted {predicted:?}"));
            }
        }

        add(&mut report.overall, &doc);
        add(report.by_language.entry(article.language.clone()).or_default(), &doc);
    }
    report.overall.finish();
    for scores in report.by_language.values_mut() {
        scores.finish();
    }
    report
}

fn same_amount(a: f64, a_unit: Unit, b: f64, b_unit: Unit) -> bool {
    let (a, b) = match (a_unit.to_kg(), b_unit.to_kg()) {
        (Some(x), Some(y)) => (a * x, b * y),
        _ if a_unit == b_unit => (a, b),
        _ => return false,
    };
    (a - b).abs() <= 0.01 * a.abs().max(b.abs())
}

fn add(total: &mut Scores, doc: &Scores) {
    total.documents += doc.documents;
    for (t, d) in [
        (&mut total.categories, &doc.categories),
        (&mut total.actors, &doc.actors),
        (&mut total.locations, &doc.locations),
        (&mut total.location_countries, &doc.location_countries),
        (&mut total.quantities, &doc.quantities),
        (&mut total.denials, &doc.denials),
    ] {
        t.add(d.true_positives as usize, d.false_positives as usize, d.false_negatives as usize);
    }
    total.event_date.correct += doc.event_date.correct;
    total.event_date.with_gold_date += doc.event_date.with_gold_date;
}

/// A folded place name without a trailing word for the kind of division it is.
fn without_kind_word(folded: String) -> String {
    const KIND_WORDS: &[&str] = &[" district ", " province ", " agency ", " county ", " region ", " oblast "];
    for word in KIND_WORDS {
        if let Some(stem) = folded.strip_suffix(word)
            && stem.trim().len() > 1
        {
            return format!("{stem} ");
        }
    }
    folded
}

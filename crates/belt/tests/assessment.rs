//! Threat levels, spikes and corroboration on histories built for the purpose.

use beltwatch_belt::assess::assess;
use beltwatch_belt::corroborate::{Rules, incidents, links};
use beltwatch_belt::sectors::{DEFAULT_BORDERS, cut, embedded_borders, select_borders};
use beltwatch_belt::trend::{SpikeModel, spike, weekly_counts};
use beltwatch_belt::{BeltEvent, BeltSector, LevelModel, SectorIndex, SectorSpec, Source};
use chrono::{Duration, NaiveDate};
use model::{Category, Credibility, EventType, Quantity, QuantityKind, Reliability, Span, Stance, ThreatLevel, Unit};

const SPAN: Span = Span { start: 0, end: 0 };

fn belt() -> (Vec<BeltSector>, SectorIndex) {
    let all = embedded_borders().expect("embedded borders load");
    let wanted: Vec<String> = DEFAULT_BORDERS.iter().map(|s| s.to_string()).collect();
    let sectors = cut(&select_borders(&all, &wanted).expect("borders"), SectorSpec::default(), &[]).expect("sectors");
    let index = SectorIndex::build(&sectors);
    (sectors, index)
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn event(
    id: &str,
    on: NaiveDate,
    point: [f64; 2],
    event_type: EventType,
    category: Category,
    outlet: &str,
) -> BeltEvent {
    BeltEvent {
        id: id.to_owned(),
        category,
        event_type,
        date: on,
        point: Some(point),
        place_name: None,
        country: None,
        province: None,
        stance: Stance::Asserted,
        groups: Vec::new(),
        actors: Vec::new(),
        quantities: Vec::new(),
        sources: vec![Source {
            document: format!("doc-{id}"),
            outlet: outlet.to_owned(),
            reliability: Reliability::C,
            language: Some("en".to_owned()),
        }],
    }
}

/// A quiet background along the Afghan–Tajik border over twelve weeks: one seizure a week
/// somewhere between Panj and Khorog, and the same in a far sector of the Afghan–Iranian
/// border.
fn background(as_of: NaiveDate) -> Vec<BeltEvent> {
    let mut out = Vec::new();
    for week in 0..12 {
        let on = as_of - Duration::days(7 * week + 3);
        let lon = 69.0 + (week as f64) * 0.15;
        out.push(event(
            &format!("bg-tj-{week}"),
            on,
            [lon, 37.25],
            EventType::Seizure,
            Category::DrugTrafficking,
            "Asia-Plus",
        ));
        out.push(event(
            &format!("bg-ir-{week}"),
            on,
            [61.2, 34.4],
            EventType::Seizure,
            Category::DrugTrafficking,
            "IRNA",
        ));
    }
    out
}

#[test]
fn a_planted_surge_raises_its_sector_and_only_its_sector() {
    let (sectors, index) = belt();
    let as_of = date("2026-11-29");
    let history = background(as_of);
    let model = LevelModel::default();
    let level_of = |events: &[BeltEvent]| {
        let placed: Vec<_> = events.iter().map(|e| e.point.and_then(|p| index.assign(&sectors, p))).collect();
        let found = incidents(events, &Rules::default(), &[]);
        (assess(&sectors, events, &found, &placed, &model, as_of), placed, found)
    };
    let (before, _, _) = level_of(&history);

    // Six armed clashes in the last week at two spots 12 km apart either side of the Nizhny
    // Panj crossing, three days apart at each spot, so that none merges with another.
    let mut surged = history.clone();
    for k in 0..6 {
        let mut e = event(
            &format!("surge-{k}"),
            as_of - Duration::days(3 * (k / 2)),
            [68.55 + 0.135 * (k % 2) as f64, 37.19],
            EventType::ArmedClash,
            Category::BorderIncident,
            &format!("outlet-{k}"),
        );
        e.quantities.push(Quantity { kind: QuantityKind::Killed, value: 2.0, unit: Unit::Persons, span: SPAN });
        surged.push(e);
    }
    let (after, placed, found) = level_of(&surged);
    let target = placed[history.len()].as_ref().expect("the surge is in the belt").sector;
    assert_eq!(sectors[target].border, "AF-TJ");
    let (b, a) = (&before.sectors[target], &after.sectors[target]);
    assert!(a.score > b.score + 10.0, "{} -> {}", b.score, a.score);
    assert!(a.level >= ThreatLevel::High, "{:?}", a.level);
    assert!(a.by_category.get(&Category::BorderIncident).is_some_and(|(_, l)| *l >= ThreatLevel::High));

    // Sectors that received nothing new keep their level.
    let touched: std::collections::HashSet<usize> =
        placed[history.len()..].iter().flatten().map(|p| p.sector).collect();
    for (s, (x, y)) in before.sectors.iter().zip(&after.sectors).enumerate() {
        if !touched.contains(&s) {
            assert_eq!(x.level, y.level, "{} moved", sectors[s].id);
            assert!((x.score - y.score).abs() < 1e-9);
        }
    }

    // `explain`: the planted events come first.
    let surge_ids: Vec<&str> = (0..6).map(|k| surged[history.len() + k].id.as_str()).collect();
    let top: Vec<&str> =
        a.contributions.iter().take(2).map(|c| surged[found[c.incident].events[0]].id.as_str()).collect();
    assert!(top.iter().all(|id| surge_ids.contains(id)), "{top:?}");
    assert!(a.contributions[0].why.contains("armed_clash"), "{}", a.contributions[0].why);

    // The spike detector flags the sector's last week with a small probability; the
    // Afghan–Iranian background sector is not flagged.
    let dates_in = |sector: usize| {
        found
            .iter()
            .filter(|inc| inc.events.iter().any(|&i| placed[i].as_ref().is_some_and(|p| p.sector == sector)))
            .map(|inc| surged[inc.events[0]].date)
            .collect::<Vec<_>>()
    };
    let spike_model = SpikeModel::default();
    let s = spike(&weekly_counts(dates_in(target), as_of, 9), &spike_model).expect("counts");
    assert!(s.flagged && s.probability < 0.01, "{s:?}");
    let iran = placed[1].as_ref().expect("the Iranian background is in the belt").sector;
    let quiet = spike(&weekly_counts(dates_in(iran), as_of, 9), &spike_model).expect("counts");
    assert!(!quiet.flagged, "{quiet:?}");
}

#[test]
fn three_outlets_and_a_denial_make_one_contested_incident() {
    let on = date("2026-11-09");
    let ishkashim = [71.6133, 36.7248];
    let mut reports = vec![
        event("en-1", on, ishkashim, EventType::Attack, Category::BorderIncident, "Asia-Plus"),
        event(
            "en-2",
            on + Duration::days(1),
            [71.62, 36.73],
            EventType::ArmedClash,
            Category::BorderIncident,
            "Reuters",
        ),
        event("ru-1", on, [71.60, 36.72], EventType::Attack, Category::BorderIncident, "Sputnik Tajikistan"),
    ];
    reports[2].sources[0].language = Some("ru".to_owned());
    let mut denial =
        event("den-1", on + Duration::days(1), ishkashim, EventType::Attack, Category::BorderIncident, "Tolo");
    denial.stance = Stance::Disputed;
    reports.push(denial);
    // An unrelated seizure the same day 200 km away stays apart.
    reports.push(event("other", on, [69.0, 37.2], EventType::Seizure, Category::DrugTrafficking, "Asia-Plus"));

    let single = incidents(&reports[..1], &Rules::default(), &[]);
    let found = incidents(&reports, &Rules::default(), &[]);
    assert_eq!(found.len(), 2, "{found:?}");
    let inc = found.iter().find(|i| i.events.len() > 1).expect("one merged incident");
    let ids: Vec<&str> = inc.events.iter().map(|&i| reports[i].id.as_str()).collect();
    assert_eq!(ids, ["en-1", "ru-1", "en-2"]);
    assert_eq!(inc.independent_sources, 3);
    assert_eq!(inc.contested_by.iter().map(|&i| reports[i].id.as_str()).collect::<Vec<_>>(), ["den-1"]);
    // One source: possibly true; three independent ones: confirmed, lowered one step by the
    // denial.
    assert_eq!(single[0].credibility, Credibility::PossiblyTrue);
    assert_eq!(inc.credibility, Credibility::ProbablyTrue);

    let recorded = links(&found, &reports);
    assert_eq!(recorded.len(), 3, "two corroborating links and one contesting: {recorded:?}");
    assert!(recorded.iter().all(|l| l.incident == "en-1"));

    // Unmerging: an analyst keeps the three apart, and they come back as three incidents.
    let apart = vec![ids.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    let split = incidents(&reports, &Rules::default(), &apart);
    let asserted: Vec<_> = split.iter().filter(|i| reports[i.events[0]].category == Category::BorderIncident).collect();
    assert_eq!(asserted.len(), 3, "{split:?}");
    assert!(asserted.iter().all(|i| i.events.len() == 1 && i.independent_sources == 1));
}

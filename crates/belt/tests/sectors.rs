//! The belt's geometry on the embedded Natural Earth borders: lengths, sector counts and
//! known points.

use beltwatch_belt::sectors::{DEFAULT_BORDERS, cut, embedded_borders, select_borders};
use beltwatch_belt::{BeltSector, SectorIndex, SectorSpec};

fn belt() -> (Vec<BeltSector>, SectorIndex) {
    let all = embedded_borders().expect("embedded borders load");
    let wanted: Vec<String> = DEFAULT_BORDERS.iter().map(|s| s.to_string()).collect();
    let borders = select_borders(&all, &wanted).expect("default borders exist");
    let sectors = cut(&borders, SectorSpec::default(), &[]).expect("sectors");
    let index = SectorIndex::build(&sectors);
    (sectors, index)
}

#[test]
fn border_lengths_are_close_to_the_published_ones() {
    let all = embedded_borders().expect("embedded borders load");
    for (id, published) in [("AF-TJ", 1357.0), ("AF-UZ", 144.0), ("AF-TM", 804.0)] {
        let border = all.iter().find(|b| b.id == id).expect("border present");
        let km = border.length_km();
        let off = (km - published) / published;
        assert!(off.abs() <= 0.15, "{id}: {km:.0} km against {published} km published ({:+.1}%)", off * 100.0);
    }
}

#[test]
fn sector_counts_follow_the_length() {
    let all = embedded_borders().expect("embedded borders load");
    let (sectors, _) = belt();
    for id in DEFAULT_BORDERS {
        let border = all.iter().find(|b| b.id == *id).expect("border present");
        let expected: usize =
            border.parts.iter().map(|p| (beltwatch_belt::geo::length_km(p) / 25.0).round().max(1.0) as usize).sum();
        let got = sectors.iter().filter(|s| s.border == *id).count();
        assert_eq!(got, expected, "{id}: {:.0} km", border.length_km());
        // Sector lengths add up to the border's.
        let sum: f64 = sectors.iter().filter(|s| s.border == *id).map(|s| s.length_km).sum();
        assert!((sum - border.length_km()).abs() < 0.5, "{id}: {sum} vs {}", border.length_km());
    }
    assert_eq!(sectors[0].id.as_str().len(), 9);
}

#[test]
fn known_points_fall_in_the_right_sector_and_side() {
    let (sectors, index) = belt();
    // 3 km north of the Nizhny Panj bridge (68.6053, 37.1946) on the Tajik bank by Panji
    // Poyon, and 3 km south of it on the Afghan bank by Sher Khan Bandar. (Panji Poyon's
    // own GeoNames point lies 0.2 km from the simplified 1:10m line, too close to call.)
    let tajik = index.assign(&sectors, [68.6053, 37.2216]).expect("Panji Poyon is in the belt");
    let afghan = index.assign(&sectors, [68.6053, 37.1676]).expect("Sher Khan Bandar is in the belt");
    assert_eq!(sectors[tajik.sector].border, "AF-TJ");
    assert_eq!(tajik.sector, afghan.sector, "{} vs {}", sectors[tajik.sector].id, sectors[afghan.sector].id);
    assert_eq!(tajik.side.as_str(), "TJ");
    assert_eq!(afghan.side.as_str(), "AF");
    assert!(tajik.distance_km < 10.0 && afghan.distance_km < 10.0);

    // Termez (GeoNames 1215957, "Tirmiz") is on the Afghan–Uzbek border, Uzbek side.
    let termez = index.assign(&sectors, [67.2783, 37.2242]).expect("Termez is in the belt");
    assert_eq!(sectors[termez.sector].border, "AF-UZ");
    assert_eq!(termez.side.as_str(), "UZ");

    // Dushanbe is about 150 km from the border; a point 200 km inside Tajikistan is in no
    // sector.
    assert_eq!(index.assign(&sectors, [68.7790, 38.5358]), None);
    assert_eq!(index.assign(&sectors, [69.3, 39.0]), None);
}

#[test]
fn a_monitored_border_is_configuration() {
    let all = embedded_borders().expect("embedded borders load");
    let borders = select_borders(&all, &["uz-tj".to_owned()]).expect("TJ-UZ exists in the data");
    assert_eq!(borders[0].id, "TJ-UZ");
    let err = select_borders(&all, &["AF-RU".to_owned()]).expect_err("no such border");
    assert!(err.to_string().contains("AF-TJ"), "{err}");
    let spec = SectorSpec { length_km: 50.0, depth_km: 10.0 };
    let sectors = cut(&borders, spec, &[]).expect("sectors");
    assert!(sectors.iter().all(|s| s.depth_km == 10.0 && s.id.as_str().starts_with("TJ-UZ-")));
    // A buffer is a closed ring around the line.
    let ring = sectors[0].buffer();
    assert_eq!(ring.first(), ring.last());
    assert_eq!(ring.len(), sectors[0].line.len() * 2 + 1);
}

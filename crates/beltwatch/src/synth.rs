//! Generated reports for tests and benchmarks: plausible bulletins in English and
//! Russian, each different, from a seed (the same seed writes the same reports).

use std::path::Path;

use anyhow::Context;

/// Writes `count` reports as `.txt` files with front matter into `out`; returns how many.
pub fn write_folder(out: &Path, count: u32, seed: u64) -> anyhow::Result<u32> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut random = SplitMix(seed);
    for n in 0..count {
        let report = report(&mut random, n);
        let path = out.join(format!("report-{n:06}.txt"));
        std::fs::write(&path, report).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(count)
}

/// The report numbered `n`.
pub fn report(random: &mut SplitMix, n: u32) -> String {
    let place = pick(random, PLACES);
    let outlet = pick(random, OUTLETS);
    let month = 6 + random.below(6);
    let day = 1 + random.below(28);
    let kg = 5 + random.below(400);
    let detained = 1 + random.below(9);
    let russian = random.below(3) == 0;
    let (title, body) = if russian {
        let drug = pick(random, DRUGS_RU);
        (
            format!("{drug}: изъято {kg} кг у {}", place.1),
            format!(
                "Пограничники на участке {place} задержали {detained} нарушителей государственной границы и изъяли {kg} килограммов {drug}, \
                 сообщил пресс-центр ведомства.\n\n\
                 По данным пограничной службы, группа пыталась переправить груз через реку Пяндж в ночное время. \
                 При задержании один из нарушителей оказал сопротивление.\n\n\
                 Возбуждено уголовное дело № {n:06}/{month:02}. Следствие устанавливает связи задержанных с организаторами канала контрабанды.",
                place = place.1,
                drug = drug.to_lowercase(),
            ),
        )
    } else {
        let drug = pick(random, DRUGS_EN);
        (
            format!("{kg} kg of {drug} seized near {}", place.0),
            format!(
                "Border guards near {place} detained {detained} people and seized {kg} kilograms of {drug} on the river bank, \
                 the press service said on {weekday}.\n\n\
                 The group had tried to cross the Panj at night on an inflatable boat. One of the couriers fired at the patrol \
                 before he was detained; nobody was hurt.\n\n\
                 Case {n:06}/{month:02} has been opened. Investigators are looking for the organisers of the route on the other \
                 side of the border.",
                place = place.0,
                weekday = pick(random, WEEKDAYS),
            ),
        )
    };
    format!(
        "---\ntitle: {title}\npublished: 2026-{month:02}-{day:02}\nsource: {outlet}\nlanguage: {}\n---\n\n{body}\n",
        if russian { "ru" } else { "en" }
    )
}

/// A small, fast, seedable generator (SplitMix64); nothing here needs more.
pub struct SplitMix(pub u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n.max(1))) as u32
    }

    /// A number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn pick<T: Copy>(random: &mut SplitMix, items: &[T]) -> T {
    items[random.below(items.len() as u32) as usize]
}

const PLACES: &[(&str, &str)] = &[
    ("Panj", "Пянджа"),
    ("Farkhor", "Фархора"),
    ("Shuroobod", "Шуробада"),
    ("Darvoz", "Дарваза"),
    ("Ishkashim", "Ишкашима"),
    ("Khorog", "Хорога"),
    ("Vanj", "Ванча"),
    ("Kabodiyon", "Кабодиёна"),
    ("Shaartuz", "Шаартуза"),
    ("Termez", "Термеза"),
];
const DRUGS_EN: &[&str] = &["heroin", "hashish", "opium", "methamphetamine"];
const DRUGS_RU: &[&str] = &["Героина", "Гашиша", "Опия", "Метамфетамина"];
const OUTLETS: &[&str] =
    &["Panj Valley Monitor", "Khatlon Herald", "Amu Darya Daily", "Хроника границы", "Вести Бадахшана"];
const WEEKDAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_writes_the_same_distinct_reports() {
        let first: Vec<String> = (0..50).map(|n| report(&mut SplitMix(7), n)).collect();
        let again: Vec<String> = (0..50).map(|n| report(&mut SplitMix(7), n)).collect();
        assert_eq!(first, again);
        let mut distinct = first.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), first.len());
    }
}

//! Weekly counts and the spike detector. A week is "unusual" when its count is improbable
//! under what the trailing weeks lead one to expect: the weekly rate gets a Gamma prior
//! updated by the baseline weeks (a Gamma–Poisson model), so the next week's count follows
//! a negative binomial, and the detector reports P(X ≥ observed). A quiet sector with one
//! report is not a spike; five where there were none in two months is.

use chrono::{Datelike, Duration, NaiveDate};

/// Settings of the detector.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpikeModel {
    /// Trailing weeks that make the baseline.
    pub baseline_weeks: usize,
    /// Prior on the weekly rate: Gamma(shape, rate), as if `prior_weeks` weeks had seen
    /// `prior_shape` incidents in all.
    pub prior_shape: f64,
    pub prior_weeks: f64,
    /// A week is flagged when P(X ≥ count) is below this.
    pub alpha: f64,
}

impl Default for SpikeModel {
    fn default() -> Self {
        Self { baseline_weeks: 8, prior_shape: 0.5, prior_weeks: 1.0, alpha: 0.01 }
    }
}

/// The Monday that starts the week of `date`.
pub fn week_start(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

/// Counts per week for the `weeks` weeks that end with the week of `as_of` (oldest first).
pub fn weekly_counts(dates: impl IntoIterator<Item = NaiveDate>, as_of: NaiveDate, weeks: usize) -> Vec<u32> {
    let last = week_start(as_of);
    let mut counts = vec![0u32; weeks];
    for d in dates {
        let back = (last - week_start(d)).num_days() / 7;
        if (0..weeks as i64).contains(&back) {
            counts[weeks - 1 - back as usize] += 1;
        }
    }
    counts
}

/// The verdict on the latest week.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spike {
    pub count: u32,
    /// Expected count from the baseline (the predictive mean).
    pub expected: f64,
    /// P(X ≥ count) under the predictive distribution.
    pub probability: f64,
    pub flagged: bool,
}

/// Judges the last entry of `counts` against the `baseline_weeks` before it.
pub fn spike(counts: &[u32], model: &SpikeModel) -> Option<Spike> {
    let (&count, before) = counts.split_last()?;
    let baseline = &before[before.len().saturating_sub(model.baseline_weeks)..];
    let shape = model.prior_shape + baseline.iter().map(|&c| f64::from(c)).sum::<f64>();
    let rate = model.prior_weeks + baseline.len() as f64;
    // Predictive for one week: negative binomial with r = shape, p = rate / (rate + 1).
    let p = rate / (rate + 1.0);
    let expected = shape / rate;
    let probability = nb_upper_tail(count, shape, p);
    Some(Spike { count, expected, probability, flagged: probability < model.alpha })
}

/// P(X ≥ k) for X ~ NB(r, p) counting failures before the r-th success:
/// P(X = x) = Γ(x + r) / (Γ(r) x!) · p^r (1 − p)^x.
pub fn nb_upper_tail(k: u32, r: f64, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    let ln_pmf = |x: u32| {
        let x = f64::from(x);
        ln_gamma(x + r) - ln_gamma(r) - ln_gamma(x + 1.0) + r * p.ln() + x * (1.0 - p).ln()
    };
    let below: f64 = (0..k).map(|x| ln_pmf(x).exp()).sum();
    (1.0 - below).clamp(0.0, 1.0)
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, nine terms; about 15 significant digits).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1 − x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_gamma_matches_factorials() {
        for (n, fact) in [(1u32, 1.0f64), (5, 24.0), (10, 362_880.0)] {
            assert!((ln_gamma(f64::from(n)) - fact.ln()).abs() < 1e-9, "Γ({n})");
        }
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-9);
    }

    #[test]
    fn the_negative_binomial_tail_sums_to_one() {
        let (r, p) = (3.5f64, 0.6f64);
        let total: f64 = (0..200)
            .map(|x| {
                let x = f64::from(x);
                (ln_gamma(x + r) - ln_gamma(r) - ln_gamma(x + 1.0) + r * p.ln() + x * (1.0 - p).ln()).exp()
            })
            .sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
        assert!((nb_upper_tail(0, r, p) - 1.0).abs() < 1e-12);
        assert!(nb_upper_tail(5, r, p) < nb_upper_tail(2, r, p));
    }

    #[test]
    fn a_surge_is_flagged_and_a_steady_week_is_not() {
        let model = SpikeModel::default();
        let steady = spike(&[2, 3, 1, 2, 2, 3, 2, 2, 3], &model).expect("counts");
        assert!(!steady.flagged, "{steady:?}");
        let surge = spike(&[0, 1, 0, 0, 1, 0, 0, 0, 6], &model).expect("counts");
        assert!(surge.flagged && surge.probability < 0.001, "{surge:?}");
        // One report in a quiet sector is not unusual.
        let one = spike(&[0, 0, 0, 0, 0, 0, 0, 0, 1], &model).expect("counts");
        assert!(!one.flagged, "{one:?}");
    }

    #[test]
    fn weeks_start_on_monday() {
        let sunday = NaiveDate::from_ymd_opt(2026, 11, 29).expect("date");
        assert_eq!(week_start(sunday), NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"));
        let counts = weekly_counts([sunday, sunday - Duration::days(7), sunday - Duration::days(100)], sunday, 4);
        assert_eq!(counts, vec![0, 0, 1, 1]);
    }
}

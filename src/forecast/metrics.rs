//! Forecast accuracy measures shared by the backtest, the holdout check and the drift trigger.

/// Weighted absolute percentage error: Σ|a−f| / Σ|a|. Robust at low night-time counts,
/// where MAPE explodes. `None` when the actuals sum to zero (no scale to compare against).
pub fn wape(actual: &[f64], forecast: &[f64]) -> Option<f64> {
    assert_eq!(actual.len(), forecast.len(), "wape: lengths differ");
    let denom: f64 = actual.iter().map(|a| a.abs()).sum();
    if denom == 0.0 {
        return None;
    }
    let num: f64 = actual
        .iter()
        .zip(forecast)
        .map(|(a, f)| (a - f).abs())
        .sum();
    Some(num / denom)
}

/// Mean absolute percentage error over the buckets whose actual is not zero (a zero actual
/// has no percentage error); `None` if every actual is zero. The seed script's measure.
pub fn mape(actual: &[f64], forecast: &[f64]) -> Option<f64> {
    assert_eq!(actual.len(), forecast.len(), "mape: lengths differ");
    let (sum, n) = actual
        .iter()
        .zip(forecast)
        .filter(|(a, _)| **a != 0.0)
        .fold((0.0, 0usize), |(s, n), (a, f)| {
            (s + ((a - f) / a).abs(), n + 1)
        });
    (n > 0).then(|| sum / n as f64)
}

/// Mean absolute scaled error: MAE of the forecast over the in-sample MAE of the seasonal
/// naive forecast with period `season` (weekly naive for contact-centre data). Below 1 beats
/// "same hour last week" as it performed in-sample. `None` if the scale is zero or undefined.
pub fn mase(actual: &[f64], forecast: &[f64], insample: &[f64], season: usize) -> Option<f64> {
    assert_eq!(actual.len(), forecast.len(), "mase: lengths differ");
    if actual.is_empty() || season == 0 || insample.len() <= season {
        return None;
    }
    let scale = insample
        .iter()
        .zip(&insample[season..])
        .map(|(a, b)| (b - a).abs())
        .sum::<f64>()
        / (insample.len() - season) as f64;
    if scale == 0.0 {
        return None;
    }
    let mae = actual
        .iter()
        .zip(forecast)
        .map(|(a, f)| (a - f).abs())
        .sum::<f64>()
        / actual.len() as f64;
    Some(mae / scale)
}

/// Mean Gneiting–Raftery interval score of the central `1 − alpha` band:
/// `(u − l) + (2/α)(l − y)⁺ + (2/α)(y − u)⁺`. Divided by the in-sample weekly-naive MAE it is
/// the MSIS of the M4 competition. `None` when empty.
pub fn interval_score(actual: &[f64], lower: &[f64], upper: &[f64], alpha: f64) -> Option<f64> {
    assert!(
        actual.len() == lower.len() && actual.len() == upper.len(),
        "interval_score: lengths differ"
    );
    if actual.is_empty() {
        return None;
    }
    let sum: f64 = actual
        .iter()
        .zip(lower.iter().zip(upper))
        .map(|(a, (l, u))| (u - l) + (2.0 / alpha) * ((l - a).max(0.0) + (a - u).max(0.0)))
        .sum();
    Some(sum / actual.len() as f64)
}

/// Share of actuals inside `[lower, upper]`.
pub fn coverage(actual: &[f64], lower: &[f64], upper: &[f64]) -> Option<f64> {
    assert!(
        actual.len() == lower.len() && actual.len() == upper.len(),
        "coverage: lengths differ"
    );
    if actual.is_empty() {
        return None;
    }
    let inside = actual
        .iter()
        .zip(lower.iter().zip(upper))
        .filter(|(a, (l, u))| *l <= *a && *a <= *u)
        .count();
    Some(inside as f64 / actual.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wape_weights_by_volume() {
        // Night bucket 1 vs 3 is a 200 % error for MAPE but only 2 of 112 calls for WAPE.
        let actual = [1.0, 100.0, 10.0];
        let fc = [3.0, 100.0, 10.0];
        assert!((wape(&actual, &fc).unwrap() - 2.0 / 111.0).abs() < 1e-12);
        assert!((mape(&actual, &fc).unwrap() - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn zeros_are_handled() {
        assert_eq!(wape(&[0.0, 0.0], &[1.0, 2.0]), None);
        assert_eq!(mape(&[0.0, 0.0], &[1.0, 2.0]), None);
        // A zero actual is skipped by MAPE but still counts its error in WAPE.
        let m = mape(&[0.0, 10.0], &[5.0, 12.0]).unwrap();
        assert!((m - 0.2).abs() < 1e-12);
        let w = wape(&[0.0, 10.0], &[5.0, 12.0]).unwrap();
        assert!((w - 0.7).abs() < 1e-12);
    }

    #[test]
    fn mase_of_seasonal_naive_on_periodic_data_is_zero_error_over_scale() {
        let insample = [1.0, 2.0, 1.0, 4.0, 1.0, 2.0];
        // season 2: diffs |1-1|,|4-2|,|1-1|,|2-4| = 0,2,0,2 → scale 1
        let m = mase(&[3.0, 3.0], &[2.0, 5.0], &insample, 2).unwrap();
        assert!((m - 1.5).abs() < 1e-12);
        assert_eq!(mase(&[1.0], &[1.0], &[5.0, 5.0, 5.0], 1), None);
    }

    #[test]
    fn interval_score_charges_width_and_misses() {
        // Width 2 each; the third actual is 1 above the band: 2 + 40 · 1 at α = 0.05.
        let s = interval_score(&[1.0, 2.0, 4.0], &[0.0, 1.0, 1.0], &[2.0, 3.0, 3.0], 0.05);
        assert!((s.unwrap() - (2.0 + 2.0 + 42.0) / 3.0).abs() < 1e-12);
        assert_eq!(interval_score(&[], &[], &[], 0.05), None);
    }

    #[test]
    fn coverage_counts_bounds_inclusive() {
        let c = coverage(
            &[1.0, 5.0, 9.0, 2.0],
            &[0.0, 5.0, 0.0, 3.0],
            &[2.0, 6.0, 8.0, 4.0],
        )
        .unwrap();
        assert!((c - 0.5).abs() < 1e-12);
    }
}

//! Our additive ETS against augurs-ets' `AutoETS::new(1, "AZN")`, which it replaces: the same
//! model chosen, the same AICc, forecasts and bands to a tolerance.

use augurs_core::{Fit, Predict};
use augurs_ets::AutoETS;
use augurs_ets::model::TrendComponent;

use super::*;

/// Deterministic uniform noise in [-0.5, 0.5).
fn noise(seed: u64, n: usize) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        })
        .collect()
}

/// A level with noise, a random walk with drift, a trend that flattens out, and a
/// deseasonalised contact-centre-like series (level shifts and spikes).
fn series() -> Vec<(&'static str, Vec<f64>)> {
    let n = 1344;
    let e = noise(7, n);
    let level: Vec<f64> = e.iter().map(|v| 50.0 + 8.0 * v).collect();
    let mut walk = Vec::with_capacity(n);
    let mut acc = 100.0;
    for v in noise(11, n) {
        acc += 0.05 + v;
        walk.push(acc);
    }
    let flattening: Vec<f64> = (0..300)
        .zip(noise(13, 300))
        .map(|(i, v)| 200.0 - 150.0 * (-(i as f64) / 60.0).exp() + 3.0 * v)
        .collect();
    let shifts: Vec<f64> = (0..n)
        .zip(noise(17, n))
        .map(|(i, v)| {
            let base = if i < 600 { 30.0 } else { 42.0 };
            let spike = if i % 97 == 0 { 25.0 } else { 0.0 };
            base + spike + 6.0 * v
        })
        .collect();
    vec![
        ("level", level),
        ("walk", walk),
        ("flattening", flattening),
        ("shifts", shifts),
    ]
}

fn close(a: f64, b: f64, scale: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * scale.max(1.0)
}

#[test]
fn matches_augurs_auto_ets_model_choice_aicc_forecast_and_band() {
    for (name, y) in series() {
        let ours = fit_auto(&y).unwrap();
        let theirs = AutoETS::new(1, "AZN").unwrap().fit(&y).unwrap();
        let m = theirs.model();
        let kind = match (m.model_type().trend, m.damped()) {
            (TrendComponent::None, _) => Kind::Level,
            (_, true) => Kind::Damped,
            (_, false) => Kind::Linear,
        };
        assert_eq!(ours.kind, kind, "{name}: model choice");
        assert!(
            close(ours.aicc, m.aicc(), m.aicc().abs(), 1e-9),
            "{name}: AICc {} vs {}",
            ours.aicc,
            m.aicc()
        );
        let scale = y.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        let h = 168;
        let mut fc = Forecast::empty();
        ours.predict_inplace(h, Some(0.95), &mut fc).unwrap();
        let want = theirs.predict(h, 0.95).unwrap();
        let (iv, wiv) = (fc.intervals.unwrap(), want.intervals.unwrap());
        for i in 0..h {
            assert!(
                close(fc.point[i], want.point[i], scale, 1e-9),
                "{name} h={i}: {} vs {}",
                fc.point[i],
                want.point[i]
            );
            assert!(
                close(iv.lower[i], wiv.lower[i], scale, 1e-9),
                "{name} lower h={i}"
            );
            assert!(
                close(iv.upper[i], wiv.upper[i], scale, 1e-9),
                "{name} upper h={i}"
            );
        }
        let mut ins = Forecast::empty();
        ours.predict_in_sample_inplace(Some(0.95), &mut ins)
            .unwrap();
        let want = theirs.predict_in_sample(0.95).unwrap();
        for (a, b) in ins.point.iter().zip(&want.point) {
            assert!(close(*a, *b, scale, 1e-9), "{name} in-sample {a} vs {b}");
        }
    }
}

#[test]
fn every_shape_fits_and_the_damped_forecast_levels_off() {
    let y: Vec<f64> = (0..200)
        .zip(noise(3, 200))
        .map(|(i, v)| 10.0 + 0.5 * i as f64 + v)
        .collect();
    for kind in Kind::ALL {
        let f = fit_kind(&y, kind).unwrap();
        assert!(f.aicc.is_finite() && f.sse > 0.0, "{kind:?}");
        assert_eq!(f.fitted.len(), y.len());
        let v = f.variances(10);
        assert!(v.windows(2).all(|w| w[1] >= w[0]), "{kind:?}: {v:?}");
    }
    let damped = fit_kind(&y, Kind::Damped).unwrap();
    let p = damped.point(400);
    // phi ≤ 0.98: the slope's total contribution converges, the steps shrink.
    assert!(p[399] - p[398] < p[1] - p[0]);
    assert!(fit_auto(&y[..6]).is_err());
}

/// Four recursions interleaved give bitwise each one's own sum of squared errors, for every
/// shape's parameters (the Nelder–Mead path depends on it).
#[test]
fn four_interleaved_passes_equal_four_single_passes() {
    let y = noise(3, 1001);
    let runs = [
        (
            Params {
                alpha: 0.3,
                beta: 0.0,
                phi: 1.0,
            },
            5.0,
            0.0,
        ),
        (
            Params {
                alpha: 0.9,
                beta: 0.1,
                phi: 1.0,
            },
            4.0,
            0.2,
        ),
        (
            Params {
                alpha: 0.2,
                beta: 0.05,
                phi: 0.85,
            },
            6.0,
            -0.1,
        ),
        (
            Params {
                alpha: 1e-4,
                beta: 1e-4,
                phi: 0.98,
            },
            -3.0,
            1.0,
        ),
    ];
    let got = pass4(&y, runs);
    for (k, (p, l0, b0)) in runs.into_iter().enumerate() {
        let want = pass(&y, p, l0, b0, None).0;
        assert_eq!(
            got[k].to_bits(),
            want.to_bits(),
            "run {k}: {} vs {want}",
            got[k]
        );
    }
}

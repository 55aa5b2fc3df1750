//! Shared loaders for the models tests: the real datasets and a synthetic contact centre.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use queuecast::granularity::Granularity;
use queuecast::history::{Point, Series};

/// Weeks of an hourly dataset the acceptance test uses (the most recent ones), to keep CI fast.
pub const HOURLY_WEEKS: usize = 12;

/// The shared real datasets: file name and granularity.
pub const DATASETS: &[(&str, Granularity)] = &[
    ("callcentre_il_bank_1999_hourly.csv", Granularity::Pt1h),
    ("bikeshare_dc_2012_hourly.csv", Granularity::Pt1h),
    ("electricity_vic_2014_hourly.csv", Granularity::Pt1h),
    ("electricity_ew_2000_halfhourly.csv", Granularity::Pt30m),
    ("taxi_nyc_2014_hourly.csv", Granularity::Pt1h),
];

/// `../shared/datasets` relative to the repository root; from a git worktree nested one level
/// deeper (`wt/<branch>`), the nearest ancestor's `shared/datasets`.
pub fn datasets_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    root.ancestors()
        .skip(1)
        .map(|a| a.join("shared/datasets"))
        .find(|d| d.is_dir())
        .unwrap_or_else(|| root.join("../shared/datasets"))
}

/// Reads a `ds,y` file; `None` (with a note on stderr) when it is absent.
pub fn load(file: &str, g: Granularity, weeks: Option<usize>) -> Option<Series> {
    let path = datasets_dir().join(file);
    if !path.exists() {
        eprintln!("note: {} not found, skipping it", path.display());
        return None;
    }
    let mut rdr = csv::Reader::from_path(&path).expect("readable csv");
    let mut points = Vec::new();
    for rec in rdr.records() {
        let rec = rec.expect("csv record");
        let ts: DateTime<Utc> = rec[0].parse().expect("RFC 3339 ds");
        let y: f64 = rec[1].parse().expect("numeric y");
        points.push(Point { ts, y });
    }
    for w in points.windows(2) {
        assert_eq!(w[1].ts - w[0].ts, g.duration(), "{file} is not regular");
    }
    if let Some(weeks) = weeks {
        let keep = weeks * 7 * g.per_day();
        let skip = points.len().saturating_sub(keep);
        points.drain(..skip);
    }
    Some(Series {
        granularity: g,
        tz: chrono_tz::UTC,
        points,
    })
}

/// Every available real dataset (last [`HOURLY_WEEKS`] weeks of the hourly ones) plus the
/// synthetic contact-centre series.
pub fn all_series() -> Vec<(String, Series)> {
    let mut out: Vec<(String, Series)> = DATASETS
        .iter()
        .filter_map(|(file, g)| {
            let weeks = (*g == Granularity::Pt1h).then_some(HOURLY_WEEKS);
            load(file, *g, weeks).map(|s| (file.trim_end_matches(".csv").to_string(), s))
        })
        .collect();
    out.push((
        "synthetic_contact_centre".into(),
        synthetic_contact_centre(12 * 7, 7),
    ));
    out
}

/// A deterministic contact-centre-like hourly series: open 08:00–20:00 on weekdays with a
/// mid-morning and an early-afternoon peak, a short Saturday, nearly nothing on Sunday and at
/// night; Monday busier than Friday; Poisson noise; slow growth.
pub fn synthetic_contact_centre(days: usize, seed: u64) -> Series {
    let t0 = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let mut rng = SplitMix(seed);
    let n = days * 24;
    let points = (0..n)
        .map(|i| {
            let hour = (i % 24) as f64;
            let day = (i / 24) % 7;
            let shape = |h: f64| {
                (-(h - 10.5).powi(2) / 4.0).exp() + 0.8 * (-(h - 14.5).powi(2) / 5.0).exp()
            };
            let (open, close, scale) = match day {
                0 => (8.0, 20.0, 140.0),
                1..=3 => (8.0, 20.0, 115.0),
                4 => (8.0, 20.0, 100.0),
                5 => (9.0, 14.0, 45.0),
                _ => (24.0, 24.0, 0.0),
            };
            let growth = 1.0 + 0.15 * i as f64 / n as f64;
            let mean = if (open..close).contains(&hour) {
                2.0 + scale * shape(hour) * growth
            } else {
                0.6
            };
            Point {
                ts: t0 + TimeDelta::hours(i as i64),
                y: rng.poisson(mean),
            }
        })
        .collect();
    Series {
        granularity: Granularity::Pt1h,
        tz: chrono_tz::UTC,
        points,
    }
}

/// SplitMix64: tiny, deterministic on every platform and crate version.
struct SplitMix(u64);

impl SplitMix {
    fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Knuth's multiplication method; fine for the means used here (< 300).
    fn poisson(&mut self, mean: f64) -> f64 {
        if mean > 30.0 {
            // Normal approximation keeps it fast for busy hours.
            let u1 = self.next_f64().max(f64::MIN_POSITIVE);
            let u2 = self.next_f64();
            let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
            return (mean + z * mean.sqrt()).round().max(0.0);
        }
        let l = (-mean).exp();
        let mut k = 0.0;
        let mut p = 1.0;
        loop {
            p *= self.next_f64();
            if p <= l {
                return k;
            }
            k += 1.0;
        }
    }
}

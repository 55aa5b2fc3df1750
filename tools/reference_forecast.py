#!/usr/bin/env python3
"""Reference forecasts from Python Prophet (PyPI `prophet`) for queuecast's agreement test.

Why: queuecast fits Prophet's Stan model with its own native optimizer; this script produces the
forecasts the real thing makes on the same inputs, so `tests/models/prophet_reference.rs` can check that
queuecast agrees with them.

Usage:
  tools/reference_forecast.py                    # regenerate every fixture in tests/fixtures/reference/
  tools/reference_forecast.py --input F.csv --export out.json [--step-minutes 60]
                                                 # one fit (used by tools/bench_forecast.sh)
  tools/reference_forecast.py --synthetic-days 365 --out F.csv
                                                 # write a synthetic contact-centre series

Settings are the seed's: daily + weekly seasonality (yearly off), additive, interval width 0.95,
changepoint prior scale 0.05, 1000 uncertainty samples, 7-day horizon at the series' step.
`ds` is naive local wall-clock time: the shared datasets write local time with a `Z` suffix, and
the `Z` is dropped. Needs `pip install prophet` (its wheel bundles the compiled Stan model).
"""

import argparse
import json
import logging
import math
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
# The shared datasets live beside the repo; QUEUECAST_SHARED_DATASETS overrides (worktrees).
SHARED = Path(os.environ.get("QUEUECAST_SHARED_DATASETS", REPO.parent / "shared" / "datasets"))
FIXTURES = REPO / "tests" / "fixtures" / "reference"
# Synthetic contact-centre series the agreement test covers: 90 and 365 days of hourly counts.
SYNTHETIC_DAYS = (90, 365)

SETTINGS = {
    "daily_seasonality": True,
    "weekly_seasonality": True,
    "yearly_seasonality": False,
    "seasonality_mode": "additive",
    "interval_width": 0.95,
    "changepoint_prior_scale": 0.05,
    "uncertainty_samples": 1000,
    "horizon_days": 7,
}
NUMPY_SEED = 42

# (fixture name, file, step minutes, days of history used: None = the whole file)
DATASETS = [
    ("bikeshare_dc_2012_hourly", "bikeshare_dc_2012_hourly.csv", 60, 90),
    ("callcentre_il_bank_1999_hourly", "callcentre_il_bank_1999_hourly.csv", 60, 90),
    ("electricity_ew_2000_halfhourly", "electricity_ew_2000_halfhourly.csv", 30, None),
    ("electricity_vic_2014_hourly", "electricity_vic_2014_hourly.csv", 60, 90),
    ("taxi_nyc_2014_hourly", "taxi_nyc_2014_hourly.csv", 60, 90),
]


def synthetic_contact_centre(days: int, seed: int = 20260101) -> pd.DataFrame:
    """A deterministic hourly contact-centre series: weekday/Saturday/Sunday profiles, a slow
    upward trend, Monday peaks, Poisson counts. Starts on a Monday at 00:00."""
    rng = np.random.RandomState(seed)
    start = pd.Timestamp("2025-01-06 00:00:00")
    ds = pd.date_range(start, periods=days * 24, freq="h")
    hours = ds.hour.to_numpy()
    dow = ds.day_of_week.to_numpy()  # Monday = 0
    # Open 08:00-20:00 on weekdays with a late-morning and an early-afternoon peak.
    weekday = np.where(
        (hours >= 8) & (hours < 20),
        60 + 55 * np.exp(-((hours - 10.5) ** 2) / 4.0) + 40 * np.exp(-((hours - 14.5) ** 2) / 3.0),
        np.where((hours >= 7) & (hours < 22), 12.0, 2.0),
    )
    saturday = np.where((hours >= 9) & (hours < 17), 35 + 15 * np.exp(-((hours - 12) ** 2) / 6.0), 2.0)
    sunday = np.full(hours.shape, 1.5)
    base = np.where(dow < 5, weekday, np.where(dow == 5, saturday, sunday))
    base = base * np.where(dow == 0, 1.2, 1.0)
    trend = 1.0 + 0.15 * np.arange(len(ds)) / (days * 24)
    y = rng.poisson(base * trend)
    return pd.DataFrame({"ds": ds, "y": y.astype(float)})


def read_series(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path)
    # Local wall-clock written with a Z: drop the zone to get naive local time.
    df["ds"] = pd.to_datetime(df["ds"].str.replace("Z", "", regex=False))
    return df


def fit_predict(df: pd.DataFrame, step_minutes: int) -> pd.DataFrame:
    from prophet import Prophet

    np.random.seed(NUMPY_SEED)
    m = Prophet(
        growth="linear",
        daily_seasonality=SETTINGS["daily_seasonality"],
        weekly_seasonality=SETTINGS["weekly_seasonality"],
        yearly_seasonality=SETTINGS["yearly_seasonality"],
        seasonality_mode=SETTINGS["seasonality_mode"],
        interval_width=SETTINGS["interval_width"],
        changepoint_prior_scale=SETTINGS["changepoint_prior_scale"],
        uncertainty_samples=SETTINGS["uncertainty_samples"],
    )
    m.fit(df)
    periods = SETTINGS["horizon_days"] * 24 * 60 // step_minutes
    future = m.make_future_dataframe(periods=periods, freq=f"{step_minutes}min", include_history=False)
    return m.predict(future)[["ds", "yhat", "yhat_lower", "yhat_upper"]]


def points(fc: pd.DataFrame) -> list:
    return [
        {
            "ds": row.ds.strftime("%Y-%m-%dT%H:%M:%S"),
            "yhat": float(row.yhat),
            "yhat_lower": float(row.yhat_lower),
            "yhat_upper": float(row.yhat_upper),
        }
        for row in fc.itertuples()
    ]


def fixture(name: str, file_desc: str, df: pd.DataFrame, step_minutes: int, days) -> dict:
    fc = fit_predict(df, step_minutes)
    import prophet

    return {
        "name": name,
        "input": {
            "file": file_desc,
            "step_minutes": step_minutes,
            "window_days": days,
            "first_ds": df["ds"].iloc[0].strftime("%Y-%m-%dT%H:%M:%S"),
            "last_ds": df["ds"].iloc[-1].strftime("%Y-%m-%dT%H:%M:%S"),
            "rows": int(len(df)),
            "mean_y": float(df["y"].mean()),
        },
        "settings": SETTINGS,
        "generator": {"prophet": prophet.__version__, "numpy_seed": NUMPY_SEED},
        "forecast": points(fc),
    }


def write_json(path: Path, obj) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(obj, indent=1) + "\n")
    os.replace(tmp, path)


def write_synthetic_fixture(days: int) -> None:
    """Writes the synthetic series' CSV under tests/fixtures and its reference forecast."""
    name = f"synthetic_contact_centre_{days}d_hourly"
    csv = REPO / "tests" / "fixtures" / f"{name}.csv"
    syn = synthetic_contact_centre(days)
    out = syn.copy()
    out["ds"] = out["ds"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    out["y"] = out["y"].astype(int)
    out.to_csv(csv, index=False)
    fx = fixture(name, f"tests/fixtures/{name}.csv", syn, 60, days)
    write_json(FIXTURES / f"{name}.json", fx)
    print(f"wrote {name}", file=sys.stderr)


def regenerate_all() -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for days in SYNTHETIC_DAYS:
        write_synthetic_fixture(days)
    for name, file, step, days in DATASETS:
        path = SHARED / file
        if not path.exists():
            print(f"skip {name}: {path} not found", file=sys.stderr)
            continue
        df = read_series(path)
        if days is not None:
            df = df.tail(days * 24 * 60 // step).reset_index(drop=True)
        fx = fixture(name, f"../shared/datasets/{file}", df, step, days)
        write_json(FIXTURES / f"{name}.json", fx)
        print(f"wrote {name}", file=sys.stderr)


def main() -> None:
    logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
    logging.getLogger("prophet").setLevel(logging.WARNING)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", type=Path, help="fit one `ds,y` CSV")
    ap.add_argument("--export", type=Path, help="where --input's forecast JSON goes")
    ap.add_argument("--step-minutes", type=int, default=60)
    ap.add_argument("--synthetic-days", type=int, help="write a synthetic series of this many days")
    ap.add_argument("--out", type=Path, help="where --synthetic-days writes its CSV")
    args = ap.parse_args()
    if args.synthetic_days:
        if not args.out:
            ap.error("--synthetic-days needs --out")
        syn = synthetic_contact_centre(args.synthetic_days)
        syn["ds"] = syn["ds"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        syn["y"] = syn["y"].astype(int)
        syn.to_csv(args.out, index=False)
    elif args.input:
        if not args.export:
            ap.error("--input needs --export")
        df = read_series(args.input)
        fc = fit_predict(df, args.step_minutes)
        write_json(args.export, {"confidenceLevel": SETTINGS["interval_width"], "intervals": points(fc)})
    else:
        regenerate_all()


if __name__ == "__main__":
    main()

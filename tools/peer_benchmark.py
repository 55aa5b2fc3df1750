#!/usr/bin/env python3
"""Peer benchmark: queuecast's forecasters against statsforecast and Python Prophet (issue 15, item 5).

Runs one rolling-origin protocol on every series and prints MASE, WAPE, 95 % coverage, MSIS and
seconds per forecast for each forecaster, per series and summarised with geometric means relative
to the weekly seasonal naive, as in issue 15's table. It is the before/after tool for the accuracy
and speed issues (15 and 18). Not part of `cargo test`.

Usage:
  tools/peer_benchmark.py [CSV ...] [--no-shared] [--train-days 90] [--folds 4] [--fold-days 7]
                          [--models 'qc:*,sf:mstl'] [--json OUT.json] [--queuecast BIN]
                          [--qc-config config.toml] [--qc-holidays 'GLOB=CODE,...']
  e.g.  nice -n 10 /work/venv-peer/bin/python tools/peer_benchmark.py --json /tmp/peer.json

Series: every `*.csv` in the shared datasets directory (`QUEUECAST_SHARED_DATASETS`, else the
nearest `shared/datasets` above the repo, e.g. /work/shared/datasets; read in place, never
copied), the committed `tests/fixtures/synthetic_contact_centre_{90d,365d}_hourly.csv`, and any
CSV given as an argument.

Protocol (per series): the last `--folds` x `--fold-days` days are the test period. Fold i's origin
is the start of its test week; it trains on the `--train-days` days before the origin (fewer when
the series is shorter) and forecasts the next `--fold-days` days at the series' native step
(hourly or half-hourly). Every forecast and interval bound is clamped at 0.
`--train-days` defaults to 90 because that is queuecast's default history window
(`history.days = 90`) and the window the seed's Prophet reference fixtures use; none of the models
has a yearly term, so more history mostly costs time.

Clock: `ds` is local wall-clock time written with a `Z` (see the shared datasets' README). The
script drops the `Z` (or any offset) and treats times as naive wall clock; queuecast gets the
training window written back with a `Z` and `--time-zone UTC`, so it parses the `Z` as UTC and
reads its hours and weekdays on the UTC clock, i.e. the same wall clock, with no DST gaps or
repeats. Check: queuecast's seasonal-naive must equal statsforecast's step for step; the script
warns when it does not. Missing steps are filled with 0 and repeated stamps summed (Genesys omits empty buckets),
and every tool trains on exactly the same values.

Forecasters (names for `--models`, which takes comma-separated names or globs):
  qc:auto, qc:<model>  queuecast `forecast --input train.csv --horizon-days D --export -
                       --time-zone UTC [--model M]`, one whole process per fold; the models are read
                       from `queuecast forecast --help` so new ones are picked up. Each run gets its
                       own temp HOME / XDG_* / QUEUECAST_DATA_DIR, so drift files and configs never
                       leak between folds or from the user's setup.
  sf:mstl              statsforecast MSTL(season_length=[day, week],
                       trend_forecaster=AutoETS(model='ZZN')), level=[95] (the issue's peer).
  sf:snaive            statsforecast SeasonalNaive(season_length=week), level=[95]. Always run: it
                       is the baseline of the relative scores.
  py:prophet           Python Prophet with the seed's settings, imported from
                       tools/reference_forecast.py (daily + weekly, additive, interval width 0.95,
                       changepoint prior scale 0.05, 1000 uncertainty samples).
  median3              element-wise median of (sf:mstl, sf:snaive, py:prophet); its band is the
                       median of the members' bounds (a naive combination, not calibrated).

Metrics per forecaster and series, over the folds: MASE = mean over folds of MAE / s, where s is
the in-sample weekly-naive scale mean|y_t - y_(t-week)| over that fold's training window; WAPE =
sum|e| / sum|y| pooled; coverage = share of test points inside the 95 % band, pooled; MSIS = mean
over folds of the Gneiting-Raftery interval score at alpha = 0.05,
(u - l) + (2/alpha)(l - y)[y < l] + (2/alpha)(y - u)[y > u], averaged over the fold and divided by
s; seconds = wall time per forecast and CPU s = user + system time of this process and its
children during it (medians over folds). The summary gives geometric means over series of
MASE / MASE(sf:snaive) and MSIS / MSIS(sf:snaive), the range of per-series coverage, and the
median seconds over all forecasts.

Timing: queuecast's seconds are whole processes (start, read, fit, export). The Python tools'
seconds are in-process fit + predict, after a warm-up fit, without interpreter start or imports
(~1-2 s that a whole-process Python run would add), so ratios here flatter Python.
median3's seconds are the sum of its members'. On a shared machine the wall clock stretches with
other load (and `nice`); CPU seconds stretch less, but count all threads of a parallel run.

Reproducibility: Prophet gets numpy seed 42 (as the reference fixtures) and Stan seed 42;
queuecast's own seed is fixed in its options (42); statsforecast's MSTL, AutoETS and SeasonalNaive
draw no random numbers. BLAS threads are pinned to 1. Nondeterministic: every timing (a shared,
noisy 2-core machine), and anything the queuecast binary under test does not keep deterministic
itself.

Environment (tested with Python 3.11.7):
  python3.11 -m venv /work/venv-peer
  /work/venv-peer/bin/pip install statsforecast==2.1.1 prophet==1.5.0 pandas==2.3.3 numpy==2.4.6
  (resolved with them: cmdstanpy 1.3.2, coreforecast 0.0.20, statsmodels 0.15.0, scipy 1.17.1,
  utilsforecast 0.2.17). Runs with `nice -n 10` on a shared machine are polite.
"""

import os

# One BLAS thread: the Python peers run single-threaded and leave the other core to the machine.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import fnmatch  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

TOOLS = Path(__file__).resolve().parent
REPO = TOOLS.parent
sys.path.insert(0, str(TOOLS))
import reference_forecast as ref  # noqa: E402  (the seed's Prophet settings: one source of truth)



def shared_datasets() -> Path | None:
    """`QUEUECAST_SHARED_DATASETS`, else the nearest `shared/datasets` above the repo (a worktree
    sits one level deeper than the main checkout)."""
    if "QUEUECAST_SHARED_DATASETS" in os.environ:
        return Path(os.environ["QUEUECAST_SHARED_DATASETS"])
    return next((p / "shared" / "datasets" for p in REPO.parents if (p / "shared" / "datasets").is_dir()), None)


FIXTURES = [REPO / "tests" / "fixtures" / f"synthetic_contact_centre_{d}d_hourly.csv" for d in (90, 365)]
LEVEL = 95
ALPHA = 1 - LEVEL / 100
SEED = 42
BASELINE = "sf:snaive"
MEDIAN_MEMBERS = ("sf:mstl", "sf:snaive", "py:prophet")
PY_FORECASTERS = ("sf:mstl", "sf:snaive", "py:prophet", "median3")
KNOWN_QC_MODELS = ["auto", "prophet-seed", "prophet-tuned", "mstl-ets", "seasonal-naive"]


# ---------------------------------------------------------------------------------------------
# Series and folds


@dataclass
class Series:
    name: str
    path: Path
    ds: pd.DatetimeIndex  # naive local wall clock, regular grid
    y: np.ndarray
    step_minutes: int
    gaps_filled: int
    duplicates_summed: int

    @property
    def per_day(self) -> int:
        return 1440 // self.step_minutes

    @property
    def week(self) -> int:
        return 7 * self.per_day


@dataclass
class Fold:
    index: int
    train_start: int
    origin: int
    end: int

    def train(self, s: Series):
        return s.ds[self.train_start : self.origin], s.y[self.train_start : self.origin]

    def test(self, s: Series):
        return s.ds[self.origin : self.end], s.y[self.origin : self.end]


def read_series(path: Path) -> Series:
    """Reads a `ds,y` CSV as naive wall clock on a regular grid (zeros for missing steps)."""
    first = path.open(encoding="utf-8-sig").readline()
    sep = ";" if ";" in first and "," not in first else ","
    df = pd.read_csv(path, sep=sep, encoding="utf-8-sig", skipinitialspace=True)
    df.columns = [c.strip().lower() for c in df.columns]
    if list(df.columns) != ["ds", "y"]:
        raise ValueError(f"{path}: header is {list(df.columns)}; expected ds,y")
    wall = df["ds"].astype(str).str.strip().str.replace(r"(Z|[+-]\d{2}:?\d{2})$", "", regex=True)
    df["ds"] = pd.to_datetime(wall)
    df["y"] = df["y"].astype(float)
    if (df["y"] < 0).any() or not np.isfinite(df["y"]).all():
        raise ValueError(f"{path}: y must be finite and non-negative")
    rows = len(df)
    df = df.groupby("ds", sort=True)["y"].sum()
    steps = np.diff(df.index.values).astype("timedelta64[m]").astype(int)
    step = int(steps.min())
    if step <= 0 or 1440 % step:
        raise ValueError(f"{path}: step of {step} min does not divide a day")
    grid = pd.date_range(df.index[0], df.index[-1], freq=f"{step}min")
    full = df.reindex(grid)
    return Series(
        name=path.stem,
        path=path,
        ds=grid,
        y=full.fillna(0.0).to_numpy(),
        step_minutes=step,
        gaps_filled=int(full.isna().sum()),
        duplicates_summed=rows - len(df),
    )


def make_folds(s: Series, folds: int, fold_days: int, train_days: int) -> list[Fold]:
    """Fold i (1 = oldest) tests days [N - (folds-i+1)*fold, N - (folds-i)*fold)."""
    n, fold_len = len(s.y), fold_days * s.per_day
    if n < folds * fold_len + 2 * s.week:
        raise ValueError(f"{s.name}: {n / s.per_day:g} days is too short for {folds} folds of "
                         f"{fold_days} days plus 14 days of training")
    out = []
    for i in range(folds):
        origin = n - (folds - i) * fold_len
        start = max(0, origin - train_days * s.per_day)
        if origin - start < 2 * s.week:
            raise ValueError(
                f"{s.name}: fold {i + 1} has {(origin - start) / s.per_day:.1f} days of training; "
                "need at least 14 (two weeks) — use fewer --folds or a shorter --fold-days"
            )
        out.append(Fold(i + 1, start, origin, origin + fold_len))
    return out


def naive_scale(y_train: np.ndarray, week: int) -> float:
    """In-sample MAE of 'same step last week' over the training window (the MASE/MSIS scale)."""
    return float(np.mean(np.abs(y_train[week:] - y_train[:-week])))


# ---------------------------------------------------------------------------------------------
# Forecasters. Each returns (yhat, lower, upper, seconds, info) for one fold, unclamped.


class Stopwatch:
    """Wall and CPU time of a forecast. CPU counts this process and its finished children (the
    queuecast process; the Stan binary Prophet runs through cmdstanpy), so it stays comparable
    when other work on the machine stretches the wall clock."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), self._cpu()

    @staticmethod
    def _cpu() -> float:
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + kids.ru_utime + kids.ru_stime

    def stop(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, self._cpu() - self.cpu


@dataclass
class Forecast:
    yhat: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    seconds: float
    cpu_seconds: float
    info: dict = field(default_factory=dict)

    def clamped(self) -> "Forecast":
        lo = np.maximum(np.minimum(self.lower, self.upper), 0.0)
        hi = np.maximum(np.maximum(self.lower, self.upper), 0.0)
        return Forecast(np.maximum(self.yhat, 0.0), lo, hi, self.seconds, self.cpu_seconds, self.info)


def queuecast_models(binary: Path) -> list[str]:
    """The `--model` values `queuecast forecast --help` lists (so new models are picked up)."""
    text = subprocess.run(
        [str(binary), "forecast", "--help"], capture_output=True, text=True, check=True
    ).stdout
    block = re.search(r"--model <\w+>\s*\n(.*?)(?=\n\s*(?:-\w, )?--[a-z]|\Z)", text, re.S)
    models: list[str] = []
    if block:
        body = " ".join(block.group(1).split())
        listed = re.search(r"\[possible values: ([^\]]*)\]", body) or re.search(r"[Mm]odels?: (.*)", body)
        if listed:
            body = re.sub(r"\([^)]*\)", "", listed.group(1))
            models = [m for m in re.findall(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*", body)]
    if "auto" not in models:
        print(f"warning: could not read the model list from `{binary} forecast --help`; "
              f"using {KNOWN_QC_MODELS}", file=sys.stderr)
        return KNOWN_QC_MODELS
    return models


def write_train_csv(path: Path, ds: pd.DatetimeIndex, y: np.ndarray) -> None:
    stamps = ds.strftime("%Y-%m-%dT%H:%M:%SZ")
    values = (str(int(v)) if float(v).is_integer() else repr(float(v)) for v in y)
    path.write_text("ds,y\n" + "".join(f"{d},{v}\n" for d, v in zip(stamps, values)))


def isolated_env(home: Path) -> dict:
    """The caller's env without Genesys/queuecast settings, with every queuecast dir in `home`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GENESYSCLOUD_", "QUEUECAST_", "XDG_"))}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
        QUEUECAST_DATA_DIR=str(home / "data" / "queuecast"),
    )
    return env


def run_queuecast(binary: Path, model: str, ds, y, test_ds, fold_days: int, timeout: float,
                  config: Path | None = None, holidays: str | None = None) -> Forecast:
    with tempfile.TemporaryDirectory(prefix="peerbench-qc-") as tmp:
        tmp = Path(tmp)
        if config is not None:
            # Where queuecast looks for its config under the isolated XDG_CONFIG_HOME.
            (tmp / "config" / "queuecast").mkdir(parents=True)
            (tmp / "config" / "queuecast" / "config.toml").write_text(config.read_text())
        train = tmp / "train.csv"
        write_train_csv(train, ds, y)
        cmd = [str(binary), "forecast", "--input", str(train), "--horizon-days", str(fold_days),
               "--export", "-", "--format", "json", "--time-zone", "UTC"]
        if model != "auto":
            cmd += ["--model", model]
        if holidays:
            cmd += ["--holidays", holidays]
        watch = Stopwatch()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=isolated_env(tmp),
                              cwd=tmp, timeout=timeout)
        seconds, cpu = watch.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"exit {proc.returncode}: {proc.stderr.strip()[-400:]}")
    out = json.loads(proc.stdout)
    by_ds = {}
    for p in out["intervals"]:
        wall = pd.Timestamp(p["ds"]).tz_convert("UTC").tz_localize(None)
        by_ds[wall] = (p["yhat"], p.get("yhat_lower", p["yhat"]), p.get("yhat_upper", p["yhat"]))
    missing = [t for t in test_ds if t not in by_ds]
    if missing:
        raise RuntimeError(f"export has no forecast for {len(missing)} test steps, first {missing[0]}")
    rows = np.array([by_ds[t] for t in test_ds], dtype=float)
    model_out = out.get("model", {})
    info = {"chosen": model_out.get("name")}
    combo = model_out.get("selection", {}).get("combination") or model_out.get("combination")
    if combo:
        info["combination"] = combo
    selection = model_out.get("selection") or {}
    if selection.get("calibration"):
        # The band's pool, power, widening and held-out coverage: why a series over- or
        # under-covers (issue 15).
        info["calibration"] = selection["calibration"]
    if selection.get("backtest"):
        info["backtest"] = [{k: r.get(k) for k in ("model", "wape", "mase", "stopped")}
                            for r in selection["backtest"]]
    return Forecast(rows[:, 0], rows[:, 1], rows[:, 2], seconds, cpu, info)


def run_statsforecast(kind: str, s: Series, ds, y, horizon: int) -> Forecast:
    from statsforecast import StatsForecast
    from statsforecast.models import MSTL, AutoETS, SeasonalNaive

    if kind == "sf:mstl":
        model = MSTL(season_length=[s.per_day, s.week], trend_forecaster=AutoETS(model="ZZN"))
    else:
        model = SeasonalNaive(season_length=s.week)
    df = pd.DataFrame({"unique_id": "s", "ds": ds, "y": y})
    watch = Stopwatch()
    sf = StatsForecast(models=[model], freq=f"{s.step_minutes}min", n_jobs=1)
    fc = sf.forecast(df=df, h=horizon, level=[LEVEL])
    seconds, cpu = watch.stop()
    col = model.alias
    return Forecast(fc[col].to_numpy(float), fc[f"{col}-lo-{LEVEL}"].to_numpy(float),
                    fc[f"{col}-hi-{LEVEL}"].to_numpy(float), seconds, cpu)


def run_prophet(ds, y, test_ds) -> Forecast:
    from prophet import Prophet

    quiet_stan_logs()
    st = ref.SETTINGS
    watch = Stopwatch()
    np.random.seed(ref.NUMPY_SEED)
    m = Prophet(
        growth="linear",
        daily_seasonality=st["daily_seasonality"],
        weekly_seasonality=st["weekly_seasonality"],
        yearly_seasonality=st["yearly_seasonality"],
        seasonality_mode=st["seasonality_mode"],
        interval_width=st["interval_width"],
        changepoint_prior_scale=st["changepoint_prior_scale"],
        uncertainty_samples=st["uncertainty_samples"],
    )
    m.fit(pd.DataFrame({"ds": ds, "y": y}), seed=SEED)
    fc = m.predict(pd.DataFrame({"ds": test_ds}))
    seconds, cpu = watch.stop()
    return Forecast(fc["yhat"].to_numpy(float), fc["yhat_lower"].to_numpy(float),
                    fc["yhat_upper"].to_numpy(float), seconds, cpu)


def quiet_stan_logs() -> None:
    """cmdstanpy adds its own INFO handler unless one exists; a root handler keeps its per-fit
    lines out of the progress while warnings still show."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="%(name)s: %(levelname)s: %(message)s")
    logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
    logging.getLogger("prophet").setLevel(logging.ERROR)
    logging.getLogger("prophet.plot").setLevel(logging.CRITICAL)


def median_of(members: list[Forecast]) -> Forecast:
    stack = lambda attr: np.median(np.vstack([getattr(f, attr) for f in members]), axis=0)  # noqa: E731
    return Forecast(stack("yhat"), stack("lower"), stack("upper"), sum(f.seconds for f in members),
                    sum(f.cpu_seconds for f in members))


def warm_up(needed: set[str]) -> None:
    """One small fit per Python library, so one-off costs (lazy imports, compiled model loading)
    are not charged to the first fold."""
    ds = pd.date_range("2025-01-06", periods=24 * 21, freq="60min")
    y = 10 + 5 * np.sin(np.arange(len(ds)) * 2 * np.pi / 24)
    tiny = Series("warm-up", Path("-"), ds, y, 60, 0, 0)
    test = pd.date_range(ds[-1] + pd.Timedelta("60min"), periods=24, freq="60min")
    if needed & {"sf:mstl", "sf:snaive"}:
        run_statsforecast("sf:mstl", tiny, ds, y, 24)
        run_statsforecast("sf:snaive", tiny, ds, y, 24)
    if "py:prophet" in needed:
        run_prophet(ds, y, test)


# ---------------------------------------------------------------------------------------------
# Metrics


def fold_metrics(actual: np.ndarray, fc: Forecast, scale: float) -> dict:
    err = np.abs(actual - fc.yhat)
    below = np.maximum(fc.lower - actual, 0.0)
    above = np.maximum(actual - fc.upper, 0.0)
    score = (fc.upper - fc.lower) + (2 / ALPHA) * (below + above)
    inside = (actual >= fc.lower) & (actual <= fc.upper)
    return {
        "mase": float(err.mean() / scale) if scale > 0 else None,
        "msis": float(score.mean() / scale) if scale > 0 else None,
        "abs_error": float(err.sum()),
        "abs_actual": float(np.abs(actual).sum()),
        "inside": int(inside.sum()),
        "points": int(len(actual)),
        "seconds": fc.seconds,
        "cpu_seconds": fc.cpu_seconds,
    }


def mean_or_none(values):
    values = [v for v in values if v is not None]
    return float(np.mean(values)) if values else None


def series_metrics(folds: list[dict]) -> dict:
    """Pools one forecaster's fold metrics on one series."""
    abs_actual = sum(f["abs_actual"] for f in folds)
    return {
        "mase": mean_or_none([f["mase"] for f in folds]),
        "wape": sum(f["abs_error"] for f in folds) / abs_actual if abs_actual > 0 else None,
        "coverage": sum(f["inside"] for f in folds) / sum(f["points"] for f in folds),
        "msis": mean_or_none([f["msis"] for f in folds]),
        "seconds_median": float(np.median([f["seconds"] for f in folds])),
        "cpu_seconds_median": float(np.median([f["cpu_seconds"] for f in folds])),
    }


def geomean(values):
    values = [v for v in values if v is not None and v > 0 and math.isfinite(v)]
    return float(math.exp(np.mean(np.log(values)))) if values else None


def summarise(results: dict, forecasters: list[str]) -> dict:
    """Geometric means over series of MASE and MSIS relative to the seasonal naive baseline."""
    out = {}
    for name in forecasters:
        rel_mase, rel_msis, cov, secs, cpus, n = [], [], [], [], [], 0
        for res in results.values():
            m, base = res["metrics"].get(name), res["metrics"].get(BASELINE)
            if m is None or base is None:
                continue
            n += 1
            if m["mase"] is not None and base["mase"]:
                rel_mase.append(m["mase"] / base["mase"])
            if m["msis"] is not None and base["msis"]:
                rel_msis.append(m["msis"] / base["msis"])
            cov.append(m["coverage"])
            secs += [f["seconds"] for f in res["folds"][name]]
            cpus += [f["cpu_seconds"] for f in res["folds"][name]]
        out[name] = {
            "series": n,
            "geomean_rel_mase": geomean(rel_mase),
            "geomean_rel_msis": geomean(rel_msis),
            "coverage_min": min(cov) if cov else None,
            "coverage_max": max(cov) if cov else None,
            "seconds_median": float(np.median(secs)) if secs else None,
            "cpu_seconds_median": float(np.median(cpus)) if cpus else None,
            "beats_naive_mase": sum(r < 1 for r in rel_mase),
        }
    return out


# ---------------------------------------------------------------------------------------------
# Running


def holidays_for(series: str, spec: str) -> str | None:
    """The calendar code of the first `GLOB=CODE` in `spec` whose glob matches `series`."""
    for item in filter(None, (part.strip() for part in spec.split(","))):
        glob, sep, code = item.partition("=")
        if not sep or not code:
            sys.exit(f"--qc-holidays: {item!r} is not GLOB=CODE (e.g. 'electricity_vic*=AU-VIC')")
        if fnmatch.fnmatch(series, glob):
            return code
    return None


def run_series(s: Series, folds: list[Fold], needed: list[str], qc_bin: Path, args) -> dict:
    fold_out = {name: [] for name in needed}
    errors: dict[str, str] = {}
    forecasts: dict[str, list] = {name: [] for name in needed}
    actuals = []
    horizon = args.fold_days * s.per_day
    for fold in folds:
        ds, y = fold.train(s)
        test_ds, test_y = fold.test(s)
        actuals.append(test_y.tolist())
        scale = naive_scale(y, s.week)
        done: dict[str, Forecast] = {}
        for name in needed:
            if name in errors:
                continue
            try:
                if name.startswith("qc:"):
                    fc = run_queuecast(qc_bin, name[3:], ds, y, test_ds, args.fold_days, args.timeout,
                                       args.qc_config, holidays_for(s.name, args.qc_holidays))
                elif name.startswith("sf:"):
                    fc = run_statsforecast(name, s, ds, y, horizon)
                elif name == "py:prophet":
                    fc = run_prophet(ds, y, test_ds)
                else:
                    fc = median_of([done[m] for m in MEDIAN_MEMBERS])
            except Exception as e:  # noqa: BLE001 - a failing forecaster is reported, not fatal
                errors[name] = f"fold {fold.index}: {type(e).__name__}: {e}"
                print(f"  {s.name} fold {fold.index} {name}: FAILED {errors[name]}", file=sys.stderr)
                continue
            fc = fc.clamped()
            done[name] = fc
            m = fold_metrics(test_y, fc, scale)
            m.update(fold=fold.index, origin=str(test_ds[0]), train_days=len(y) / s.per_day,
                     scale=scale, **fc.info)
            fold_out[name].append(m)
            forecasts[name].append({"yhat": fc.yhat.tolist(), "lower": fc.lower.tolist(),
                                    "upper": fc.upper.tolist()})
            chosen = f" -> {fc.info['chosen']}" if name == "qc:auto" else ""
            print(f"  {s.name} fold {fold.index} {name:<20} {fc.seconds:7.2f} s  "
                  f"MASE {m['mase'] if m['mase'] is None else round(m['mase'], 3)}{chosen}",
                  file=sys.stderr)
    metrics = {name: series_metrics(f) for name, f in fold_out.items() if name not in errors and f}
    return {
        "path": str(s.path),
        "step_minutes": s.step_minutes,
        "points": len(s.y),
        "gaps_filled": s.gaps_filled,
        "duplicates_summed": s.duplicates_summed,
        "folds_spec": [{"fold": f.index, "train_from": str(s.ds[f.train_start]),
                        "origin": str(s.ds[f.origin]), "train_days": (f.origin - f.train_start) / s.per_day}
                       for f in folds],
        "metrics": metrics,
        "folds": {k: v for k, v in fold_out.items() if k not in errors},
        "errors": errors,
        "actuals": actuals,
        "forecasts": {k: v for k, v in forecasts.items() if k not in errors},
    }


def clock_check(res: dict) -> float | None:
    """Largest |queuecast seasonal-naive - statsforecast SeasonalNaive| over all test steps: both
    repeat last week, so anything but 0 means queuecast read the training clock differently."""
    a, b = res["forecasts"].get("qc:seasonal-naive"), res["forecasts"].get(BASELINE)
    if not a or not b or len(a) != len(b):
        return None
    return max(float(np.max(np.abs(np.array(x["yhat"]) - np.array(y["yhat"])))) for x, y in zip(a, b))


def select(all_names: list[str], patterns: str | None) -> tuple[list[str], list[str]]:
    """(shown, needed): the forecasters asked for, plus the baseline and median3's members."""
    if patterns:
        pats = [p.strip() for p in patterns.split(",") if p.strip()]
        shown = [n for n in all_names if any(fnmatch.fnmatchcase(n, p) for p in pats)]
        unknown = [p for p in pats if not any(fnmatch.fnmatchcase(n, p) for n in all_names)]
        if unknown:
            sys.exit(f"--models: no forecaster matches {unknown}; known: {', '.join(all_names)}")
    else:
        shown = list(all_names)
    if BASELINE not in shown:
        shown = [n for n in all_names if n in shown or n == BASELINE]
    extra = set(MEDIAN_MEMBERS) if "median3" in shown else set()
    needed = [n for n in all_names if n in shown or n in extra]
    needed = [n for n in needed if n != "median3"] + (["median3"] if "median3" in needed else [])
    return shown, needed


# ---------------------------------------------------------------------------------------------
# Output


def fmt(v, digits=3, pct=False):
    if v is None:
        return "—"
    return f"{100 * v:.1f} %" if pct else f"{v:.{digits}f}"


def print_series_table(name: str, res: dict, shown: list[str]) -> None:
    base = res["metrics"].get(BASELINE, {})
    spec = res["folds_spec"]
    gaps = f"; {res['gaps_filled']} missing steps filled with 0" if res["gaps_filled"] else ""
    print(f"\n### {name} ({res['points']} points at {res['step_minutes']} min{gaps}; "
          f"train {min(f['train_days'] for f in spec):g}–{max(f['train_days'] for f in spec):g} days; "
          f"test from {spec[0]['origin']})\n")
    print("| forecaster | MASE | rel. MASE | WAPE | coverage 95 % | MSIS | rel. MSIS | s / forecast | CPU s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for f in shown:
        m = res["metrics"].get(f)
        if m is None:
            print(f"| {f} | failed: {res['errors'].get(f, 'not run')[:80]} ||||||||")
            continue
        rel = lambda k: m[k] / base[k] if m[k] is not None and base.get(k) else None  # noqa: E731
        print(f"| {f} | {fmt(m['mase'])} | {fmt(rel('mase'))} | {fmt(m['wape'], pct=True)} | "
              f"{fmt(m['coverage'], pct=True)} | {fmt(m['msis'])} | {fmt(rel('msis'))} | "
              f"{fmt(m['seconds_median'], 2)} | {fmt(m['cpu_seconds_median'], 2)} |")
    diff = res.get("clock_check_max_abs_diff")
    if diff:
        print(f"\n**Warning:** queuecast's seasonal-naive differs from statsforecast's by up to {diff:g}: "
              "the two read the clock differently, so these scores are not comparable.")
    picks = [f.get("chosen") for f in res["folds"].get("qc:auto", [])]
    if picks:
        print(f"\n`auto` chose per fold: {', '.join(str(p) for p in picks)}")


def print_summary(summary: dict, shown: list[str], n_series: int) -> None:
    print(f"\n## Summary over {n_series} series (geometric means relative to {BASELINE})\n")
    print("| forecaster | rel. MASE (geo-mean) | rel. MSIS (geo-mean) | coverage 95 % range | "
          "median s / forecast | median CPU s | beats naive (MASE) |")
    print("|---|---|---|---|---|---|---|")
    for f in shown:
        m = summary[f]
        note = "" if m["series"] == n_series else f" (on {m['series']} of {n_series} series)"
        print(f"| {f}{note} | {fmt(m['geomean_rel_mase'])} | {fmt(m['geomean_rel_msis'])} | "
              f"{fmt(m['coverage_min'], pct=True)} – {fmt(m['coverage_max'], pct=True)} | "
              f"{fmt(m['seconds_median'], 2)} | {fmt(m['cpu_seconds_median'], 2)} | "
              f"{m['beats_naive_mase']}/{m['series']} |")


def versions(qc_bin: Path) -> dict:
    out = {"python": platform.python_version()}
    for mod in ("statsforecast", "prophet", "pandas", "numpy", "cmdstanpy", "coreforecast", "statsmodels"):
        try:
            out[mod] = __import__(mod).__version__
        except Exception:  # noqa: BLE001
            out[mod] = None
    qc = subprocess.run([str(qc_bin), "--version"], capture_output=True, text=True)
    out["queuecast"] = qc.stdout.strip()
    out["queuecast_binary"] = str(qc_bin)
    out["queuecast_binary_mtime"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(qc_bin.stat().st_mtime))
    git = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True)
    out["repo_head"] = git.stdout.strip() or None
    return out


def write_json(path: Path, obj) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=1) + "\n")
    os.replace(tmp, path)


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="See the module docstring for the protocol and metrics.")
    ap.add_argument("csv", nargs="*", type=Path, help="extra `ds,y` CSVs to benchmark")
    ap.add_argument("--no-shared", action="store_true",
                    help="skip the shared datasets and the synthetic fixtures (only the CSVs given)")
    ap.add_argument("--train-days", type=int, default=90,
                    help="days of training before each origin (default 90: queuecast's history.days)")
    ap.add_argument("--folds", type=int, default=4, help="rolling-origin folds (default 4)")
    ap.add_argument("--fold-days", type=int, default=7, help="days per fold = horizon (default 7)")
    ap.add_argument("--models", help="comma-separated forecaster names or globs, e.g. 'qc:*,sf:mstl' "
                                     f"({BASELINE} always runs: it is the baseline)")
    ap.add_argument("--json", type=Path, help="write every metric, fold and forecast here")
    ap.add_argument("--queuecast", type=Path,
                    default=Path(os.environ.get("QUEUECAST_BIN", REPO / "target" / "release" / "queuecast")),
                    help="queuecast binary (default $QUEUECAST_BIN or target/release/queuecast)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per queuecast process")
    ap.add_argument("--qc-holidays", default="",
                    help="public-holiday calendars for queuecast per series, 'GLOB=CODE,...' "
                         "(e.g. 'electricity_vic*=AU-VIC'; the first matching glob wins), passed "
                         "as `--holidays CODE`, as an analyst configures the centre's country; "
                         "the peers get none (statsforecast's MSTL has no holiday input)")
    ap.add_argument("--qc-config", type=Path,
                    help="a queuecast config.toml every queuecast run gets (e.g. [forecast] "
                         "naive_weeks = 2, to measure a setting)")
    args = ap.parse_args()
    if args.folds < 1 or args.fold_days < 1 or args.train_days < 14:
        ap.error("need --folds >= 1, --fold-days >= 1 and --train-days >= 14")
    holidays_for("", args.qc_holidays)  # a malformed spec stops here, before any fit
    # Each queuecast run's working directory is its own temp dir: a relative path would miss.
    args.queuecast = args.queuecast.resolve()
    return args


def main() -> None:
    args = parse_args()
    quiet_stan_logs()
    warnings.filterwarnings("ignore", category=FutureWarning)
    started = time.perf_counter()

    paths = []
    if not args.no_shared:
        shared = shared_datasets()
        if shared is None or not sorted(shared.glob("*.csv")):
            sys.exit(f"no shared datasets found ({shared or 'no shared/datasets above ' + str(REPO)}); "
                     "set QUEUECAST_SHARED_DATASETS or pass --no-shared with CSVs")
        paths = sorted(shared.glob("*.csv")) + [p for p in FIXTURES if p.exists()]
    paths += args.csv
    if not paths:
        sys.exit("no series: give CSVs or drop --no-shared")
    qc_names = []
    if args.queuecast.exists():
        qc_names = [f"qc:{m}" for m in queuecast_models(args.queuecast)]
    else:
        print(f"warning: {args.queuecast} not found (cargo build --release); queuecast skipped",
              file=sys.stderr)
    shown, needed = select(qc_names + list(PY_FORECASTERS), args.models)
    print(f"forecasters: {', '.join(needed)}", file=sys.stderr)
    warm_up(set(needed))

    results = {}
    for path in paths:
        s = read_series(path)
        try:
            folds = make_folds(s, args.folds, args.fold_days, args.train_days)
        except ValueError as e:
            print(f"skip {e}", file=sys.stderr)
            continue
        t0 = time.perf_counter()
        results[s.name] = run_series(s, folds, needed, args.queuecast, args)
        results[s.name]["seconds"] = time.perf_counter() - t0
        results[s.name]["clock_check_max_abs_diff"] = clock_check(results[s.name])
        print(f"{s.name}: {results[s.name]['seconds']:.0f} s", file=sys.stderr)

    if not results:
        sys.exit("no series has enough history for this protocol (see the skips above)")
    summary = summarise(results, shown)
    elapsed = time.perf_counter() - started
    print(f"# Peer benchmark: {args.folds} fold(s) x {args.fold_days} days, train {args.train_days} days, "
          f"forecasts clamped at 0, {LEVEL} % intervals")
    for name, res in results.items():
        print_series_table(name, res, shown)
    print_summary(summary, shown, len(results))
    ver = versions(args.queuecast) if args.queuecast.exists() else {"python": platform.python_version()}
    shown_ver = {k: v for k, v in ver.items() if k not in ("queuecast", "queuecast_binary")}
    print(f"\nWhole run: {elapsed:.0f} s. Versions: {ver.get('queuecast', 'queuecast ?')}, "
          + ", ".join(f"{k} {v}" for k, v in shown_ver.items()))
    if args.json:
        write_json(args.json, {
            "protocol": {"folds": args.folds, "fold_days": args.fold_days, "train_days": args.train_days,
                         "level": LEVEL, "baseline": BASELINE, "clamped_at_zero": True,
                         "prophet_settings": ref.SETTINGS, "seed": SEED},
            "versions": ver,
            "forecasters": shown,
            "seconds_total": elapsed,
            "summary": summary,
            "series": results,
        })
        print(f"wrote {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()

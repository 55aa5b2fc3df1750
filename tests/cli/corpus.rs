//! The bad-file corpus (issue 17): every file a careless export, a typo or a hostile sender
//! can produce, generated here into a temp dir, each run through `queuecast forecast --input`
//! as a user runs it, and checked for its exit code and a fragment of its message. No case may
//! hang: each has a generous timeout (time and memory are measured by
//! `tools/corpus_table.sh`, never asserted here). The fast model keeps CI short; the script
//! measures the default `auto`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, TimeZone, Timelike, Utc};

const BIN: &str = env!("CARGO_BIN_EXE_queuecast");

/// Where a case's bytes come from.
enum Body {
    Text(String),
    Bytes(Vec<u8>),
    /// A sparse file of this many bytes: as big as it says, costing no disk and no time.
    Sparse(u64),
    /// Not a file: the path given is this (a directory, a device, a missing path).
    Path(PathBuf),
}

struct Case {
    name: &'static str,
    body: Body,
    /// Flags after `--input FILE`.
    args: Vec<&'static str>,
    exit: i32,
    /// Must appear in stderr (exit ≠ 0) or in stdout+stderr (exit 0).
    says: &'static str,
}

fn case(name: &'static str, body: Body, exit: i32, says: &'static str) -> Case {
    Case {
        name,
        body,
        args: Vec::new(),
        exit,
        says,
    }
}

fn with(mut c: Case, args: &[&'static str]) -> Case {
    c.args = args.to_vec();
    c
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 4, 1, 0, 0, 0).unwrap()
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `n` rows from `from`, `step` apart, valued by `y(i, t)`, under a `ds,y` header.
fn rows(
    from: DateTime<Utc>,
    n: i64,
    step: TimeDelta,
    y: impl Fn(i64, DateTime<Utc>) -> String,
) -> String {
    let mut s = String::from("ds,y\n");
    for i in 0..n {
        let t = from + step * i as i32;
        s.push_str(&format!("{},{}\n", stamp(t), y(i, t)));
    }
    s
}

/// A believable hourly queue: busy days, quiet nights.
fn volume(_: i64, t: DateTime<Utc>) -> String {
    let base = match t.hour() {
        0..=6 => 2,
        9..=18 => 80,
        _ => 20,
    };
    format!("{}", base + (t.ordinal() % 5))
}

use chrono::Datelike;

fn hourly(days: i64, y: impl Fn(i64, DateTime<Utc>) -> String) -> String {
    rows(start(), days * 24, TimeDelta::hours(1), y)
}

fn good(days: i64) -> String {
    hourly(days, volume)
}

/// A good 28-day file with its row `at` (0-based data row) replaced by `row`.
fn good_but(at: usize, row: &str) -> String {
    let text = good(28);
    let mut lines: Vec<&str> = text.lines().collect();
    lines[at + 1] = row;
    lines.join("\n") + "\n"
}

/// A good 28-day file with `row` appended.
fn good_plus(row: &str) -> String {
    good(28) + row + "\n"
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if big_endian { b"\xFE\xFF" } else { b"\xFF\xFE" });
    }
    for u in text.encode_utf16() {
        out.extend_from_slice(&if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

fn t(s: String) -> Body {
    Body::Text(s)
}

fn corpus() -> Vec<Case> {
    let g = good(28);
    let last = start() + TimeDelta::hours(28 * 24);
    vec![
        // Degenerate series: forecast at once by the obvious model, with a note.
        case("constant.csv", t(hourly(28, |_, _| "7".into())), 0, "are 7"),
        case(
            "all_zero.csv",
            t(hourly(28, |_, _| "0".into())),
            0,
            "forecast is zero",
        ),
        case(
            "all_1e300.csv",
            t(hourly(28, |_, _| "1e300".into())),
            0,
            "1.000e300",
        ),
        case(
            "one_1e300.csv",
            t(good_but(
                100,
                &format!("{},1e300", stamp(start() + TimeDelta::hours(100))),
            )),
            0,
            "beyond any contact volume",
        ),
        case(
            "huge_1e12.csv",
            t(hourly(28, |i, _| format!("{}", 1e12 + i as f64))),
            0,
            "beyond any contact volume",
        ),
        case(
            "twenty_digits.csv",
            t(hourly(28, |i, _| {
                format!("{}", 99_999_999_999_999_999_999u128 + i as u128)
            })),
            0,
            "1.000e20",
        ),
        case(
            "tiny_values.csv",
            t(hourly(28, |i, _| format!("{}e-300", i % 7 + 1))),
            0,
            "forecast",
        ),
        // Year typos and century gaps: a clear error naming the row, at once.
        case(
            "year_2052.csv",
            t(good_plus("2052-04-29T00:00:00Z,5")),
            4,
            "gap of",
        ),
        case(
            "year_2026.csv",
            t(good_plus("2026-04-29T00:00:00Z,5")),
            4,
            "gap of",
        ),
        case(
            "year_2014_first.csv",
            t(good_but(0, "2014-04-01T00:00:00Z,3")),
            4,
            "line 2",
        ),
        case(
            "year_2100.csv",
            t(good_plus("2100-01-01T00:00:00Z,5")),
            4,
            "gap of",
        ),
        case(
            "year_9999.csv",
            t(good_plus("9999-12-31T23:00:00Z,5")),
            4,
            "a typo in the year",
        ),
        case(
            "year_1900.csv",
            t(good_but(5, "1900-04-01T05:00:00Z,5")),
            4,
            "a typo in the year",
        ),
        case(
            "year_0001.csv",
            t(good_plus("0001-01-01T00:00:00Z,5")),
            4,
            "a typo in the year",
        ),
        case(
            "gap_40_days.csv",
            t(good_plus(&format!(
                "{},4",
                stamp(last + TimeDelta::days(40))
            ))),
            4,
            "gap of 40 days",
        ),
        case(
            "gap_20_days.csv",
            t(good_plus(&format!(
                "{},4",
                stamp(last + TimeDelta::days(20))
            ))),
            0,
            "forecast",
        ),
        // Size: refused before reading, whatever the source.
        case(
            "sparse_1gb.csv",
            Body::Sparse(1 << 30),
            4,
            "over the 64 MB limit",
        ),
        case(
            "sparse_65mb.csv",
            Body::Sparse(65 << 20),
            4,
            "limits.max_file_mb",
        ),
        case("dev_zero", Body::Path("/dev/zero".into()), 4, "over 64 MB"),
        case(
            "too_many_rows.csv",
            t(rows(start(), 200_001, TimeDelta::minutes(15), |_, _| {
                "1".into()
            })),
            4,
            "limits.max_buckets",
        ),
        case(
            "long_line.csv",
            t(format!(
                "ds,y\n{},{}\n",
                stamp(start()),
                "9".repeat(1 << 20)
            )),
            4,
            "1048576 characters long",
        ),
        // Encodings and things that are not CSV at all.
        case(
            "utf16le_bom.csv",
            Body::Bytes(utf16(&g, false, true)),
            4,
            "UTF-16 (little-endian)",
        ),
        case(
            "utf16be_bom.csv",
            Body::Bytes(utf16(&g, true, true)),
            4,
            "UTF-16 (big-endian)",
        ),
        case(
            "utf16le_nobom.csv",
            Body::Bytes(utf16(&g, false, false)),
            4,
            "UTF-16",
        ),
        case(
            "binary.bin",
            Body::Bytes((0..=255u8).cycle().take(4096).collect()),
            4,
            "binary",
        ),
        case(
            "gzip.csv.gz",
            Body::Bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03".to_vec()),
            4,
            "gzip.csv.gz",
        ),
        case(
            "html.csv",
            t("<!DOCTYPE html><html><body>Sign in</body></html>\n".into()),
            4,
            "html.csv",
        ),
        case(
            "json.csv",
            t("{\"ds\":\"2024-04-01\",\"y\":3}\n".into()),
            4,
            "json.csv",
        ),
        case(
            "utf8_bom.csv",
            Body::Bytes([b"\xEF\xBB\xBF".as_slice(), g.as_bytes()].concat()),
            0,
            "forecast",
        ),
        case("crlf.csv", t(g.replace('\n', "\r\n")), 0, "forecast"),
        case("semicolon.csv", t(g.replace(',', ";")), 0, "forecast"),
        // Structure.
        case("empty.csv", t(String::new()), 4, "empty.csv"),
        case("header_only.csv", t("ds,y\n".into()), 4, "header_only.csv"),
        case(
            "one_row.csv",
            t(format!("ds,y\n{},3\n", stamp(start()))),
            4,
            "one_row.csv",
        ),
        case(
            "no_header.csv",
            t(g.lines().skip(1).collect::<Vec<_>>().join("\n")),
            4,
            "line 1",
        ),
        case(
            "wrong_header.csv",
            t(g.replacen("ds,y", "date,value", 1)),
            4,
            "line 1",
        ),
        case(
            "three_columns.csv",
            t(good_but(3, "2024-04-01T03:00:00Z,4,9")),
            4,
            "line 5",
        ),
        case(
            "missing_y.csv",
            t(good_but(3, "2024-04-01T03:00:00Z,")),
            4,
            "line 5",
        ),
        case(
            "y_text.csv",
            t(good_but(3, "2024-04-01T03:00:00Z,abc")),
            4,
            "line 5",
        ),
        case(
            "y_negative.csv",
            t(good_but(3, "2024-04-01T03:00:00Z,-3")),
            4,
            "negative",
        ),
        case(
            "y_nan.csv",
            t(good_but(3, "2024-04-01T03:00:00Z,NaN")),
            4,
            "line 5",
        ),
        case(
            "y_inf.csv",
            t(good_but(3, "2024-04-01T03:00:00Z,inf")),
            4,
            "line 5",
        ),
        case(
            "y_1e400.csv",
            t(good_but(3, "2024-04-01T03:00:00Z,1e400")),
            4,
            "line 5",
        ),
        case("ds_garbage.csv", t(good_but(3, "yesterday,4")), 4, "line 5"),
        case(
            "ds_zone_name.csv",
            t(good_but(3, "2024-04-01 03:00 CET,4")),
            4,
            "line 5",
        ),
        case(
            "duplicate.csv",
            t(good_but(3, "2024-04-01T02:00:00Z,4")),
            4,
            "line 5",
        ),
        case(
            "off_grid.csv",
            t(good_but(3, "2024-04-01T03:17:00Z,4")),
            4,
            "lines 5 and 6",
        ),
        case(
            "seven_minute_steps.csv",
            t(rows(start(), 2000, TimeDelta::minutes(7), |_, _| {
                "3".into()
            })),
            4,
            "seven_minute_steps.csv",
        ),
        case(
            "unbalanced_quote.csv",
            t(good_but(3, "\"2024-04-01T03:00:00Z,4")),
            4,
            "line 5",
        ),
        case(
            "unsorted.csv",
            t({
                let mut l: Vec<&str> = g.lines().skip(1).collect();
                l.reverse();
                format!("ds,y\n{}\n", l.join("\n"))
            }),
            0,
            "forecast",
        ),
        case("short_2_days.csv", t(good(2)), 4, "not enough history"),
        with(
            case(
                "dst_gap_local.csv",
                t("ds,y\n2024-03-10 01:00,3\n2024-03-10 02:30,3\n2024-03-10 03:00,3\n".into()),
                4,
                "line 3",
            ),
            &["--time-zone", "America/New_York"],
        ),
        // Paths that are not files.
        case("a_directory", Body::Path("/".into()), 2, "/"),
        case(
            "missing.csv",
            Body::Path("/no/such/dir/missing.csv".into()),
            2,
            "missing.csv",
        ),
        // Flags: unbounded values refused by name before any work.
        with(
            case("days_1e8.csv", t(good(28)), 2, "history.days (--days)"),
            &["--days", "100000000"],
        ),
        with(
            case("days_0.csv", t(good(28)), 2, "history.days"),
            &["--days", "0"],
        ),
        with(
            case(
                "samples_1e7.csv",
                t(good(28)),
                2,
                "forecast.uncertainty_samples",
            ),
            &["--uncertainty-samples", "10000000"],
        ),
        with(
            case("horizon_1e5.csv", t(good(28)), 2, "forecast.horizon_days"),
            &["--horizon-days", "100000"],
        ),
        with(
            case("width_nan.csv", t(good(28)), 2, "forecast.interval_width"),
            &["--interval-width", "NaN"],
        ),
        with(
            case(
                "cps_inf.csv",
                t(good(28)),
                2,
                "forecast.changepoint_prior_scale",
            ),
            &["--changepoint-prior-scale", "inf"],
        ),
        with(
            case("missing_config.csv", t(good(28)), 2, "--config"),
            &["--config", "/no/such/queuecast.toml"],
        ),
        with(
            case("days_window.csv", t(good(28)), 0, "forecast"),
            &["--days", "14"],
        ),
    ]
}

/// Writes the case's file; returns the path to pass to `--input`.
fn materialize(dir: &Path, c: &Case) -> PathBuf {
    let path = dir.join(c.name);
    match &c.body {
        Body::Text(s) => std::fs::write(&path, s).unwrap(),
        Body::Bytes(b) => std::fs::write(&path, b).unwrap(),
        Body::Sparse(n) => std::fs::File::create(&path).unwrap().set_len(*n).unwrap(),
        Body::Path(p) => return p.clone(),
    }
    path
}

/// Runs `forecast --input` with the fast model; kills it after `limit` (a hang is a failure).
fn run(dir: &Path, input: &Path, args: &[&str], limit: Duration) -> (i32, String) {
    let mut child = Command::new(BIN)
        .arg("forecast")
        .arg("--input")
        .arg(input)
        .args(["--model", "seasonal-naive"])
        .args(args)
        .env("QUEUECAST_CONFIG", dir.join("no-config.toml"))
        .env("QUEUECAST_DATA_DIR", dir.join("data"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return (-1, format!("killed after {limit:?}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let o = child.wait_with_output().unwrap();
    let text =
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    (o.status.code().unwrap_or(-1), text)
}

/// The case's failure, if it does not end as the table says.
fn check(dir: &Path, c: &Case, input: &Path) -> Option<String> {
    let (code, text) = run(dir, input, &c.args, Duration::from_secs(120));
    let one_line = text.lines().filter(|l| l.starts_with("queuecast:")).count();
    if code != c.exit || !text.contains(c.says) {
        return Some(format!(
            "{}: exit {code} (want {}), want {:?} in:\n{text}",
            c.name, c.exit, c.says
        ));
    }
    (code != 0 && (one_line != 1 || text.contains("panicked")))
        .then(|| format!("{}: want one error line, no panic:\n{text}", c.name))
}

#[test]
fn every_corpus_file_ends_with_its_exit_code_and_a_clear_message() {
    let keep = std::env::var_os("QUEUECAST_CORPUS_DIR").map(PathBuf::from);
    let tmp = tempfile::tempdir().unwrap();
    let dir = keep.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&dir).unwrap();
    let cases = corpus();
    assert!(cases.len() >= 50, "{} cases", cases.len());
    let inputs: Vec<PathBuf> = cases.iter().map(|c| materialize(&dir, c)).collect();
    let manifest: String = cases
        .iter()
        .zip(&inputs)
        .map(|(c, input)| format!("{}\t{}\t{}\n", c.name, input.display(), c.args.join(" ")))
        .collect();
    // Four at a time: the cases are independent processes.
    let failures: Vec<String> = std::thread::scope(|s| {
        let lanes: Vec<_> = (0..4)
            .map(|lane| {
                let (cases, inputs, dir) = (&cases, &inputs, &dir);
                s.spawn(move || {
                    (lane..cases.len())
                        .step_by(4)
                        .filter_map(|i| check(dir, &cases[i], &inputs[i]))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        lanes.into_iter().flat_map(|l| l.join().unwrap()).collect()
    });
    if let Some(keep) = keep {
        std::fs::File::create(keep.join("cases.tsv"))
            .unwrap()
            .write_all(manifest.as_bytes())
            .unwrap();
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n---\n")
    );
}

/// A closed stdout (`| true`) and a full one (`> /dev/full`): one message, exit 2, no panic.
#[test]
fn a_closed_or_full_stdout_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("good.csv");
    std::fs::write(&input, good(28)).unwrap();
    let sh = format!(
        "{BIN} forecast --input {} --model seasonal-naive --export - | true; echo \"exit=${{PIPESTATUS[0]}}\" >&2",
        input.display()
    );
    let o = Command::new("bash")
        .args(["-c", &sh])
        .env("QUEUECAST_CONFIG", dir.path().join("none.toml"))
        .env("QUEUECAST_DATA_DIR", dir.path().join("data"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    // `true` may exit before or after the write: the broken pipe is reported, or all fit.
    assert!(
        err.contains("exit=0") || (err.contains("exit=2") && err.contains("pipe")),
        "{err}"
    );
    let o = Command::new("bash")
        .args(["-c", &format!("{BIN} config --paths > /dev/full")])
        .env("QUEUECAST_CONFIG", dir.path().join("none.toml"))
        .env("QUEUECAST_DATA_DIR", dir.path().join("data"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("no space left") && !err.contains("panicked"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// Fuzzing, not run by default (`cargo test --test cli -- --ignored fuzz`; set
/// `QUEUECAST_FUZZ_CASES` for more than 2000): random mutations of a good file (bytes flipped,
/// inserted, deleted, lines duplicated or swapped, digits replaced) through the CSV reader and,
/// when it accepts the file, the whole pipeline with the fast model. Nothing may panic; every
/// file ends in a series or an error. Hand-rolled (a seeded xorshift) so the corpus needs no
/// extra dependency and each failure prints the seed that reproduces it.
#[test]
#[ignore = "fuzzing: minutes; run with --ignored"]
fn fuzz_the_csv_reader_and_the_pipeline() {
    use queuecast::config::Config;
    use queuecast::forecast::pipeline::{PipelineInput, run_forecast_named};
    use queuecast::history::{FillMode, parse_csv};
    use queuecast::refs::QueueRef;

    let n: u64 = std::env::var("QUEUECAST_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let base = good(21).into_bytes();
    let mut config = Config::default();
    config.forecast.model = "seasonal-naive".into();
    let mut accepted = 0;
    for seed in 1..=n {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut bytes = base.clone();
        for _ in 0..(1 + next() % 3) {
            let at = (next() as usize) % bytes.len().max(1);
            match next() % 6 {
                0 => bytes[at] = next() as u8,
                1 => bytes.insert(at, next() as u8),
                2 => {
                    bytes.remove(at);
                }
                3 => bytes[at] = b"0123456789-:,;.eE\n "[(next() % 19) as usize],
                4 => {
                    let end = (at + (next() % 64) as usize).min(bytes.len());
                    let copy = bytes[at..end].to_vec();
                    bytes.splice(at..at, copy);
                }
                _ => bytes.truncate(at.max(1)),
            }
        }
        let outcome = std::panic::catch_unwind(|| {
            let tz = chrono_tz::Tz::UTC;
            let Ok((series, summary)) =
                parse_csv(&bytes, Path::new("fuzz.csv"), tz, FillMode::Zero, None)
            else {
                return false;
            };
            let input = PipelineInput {
                series,
                summary,
                queue: QueueRef {
                    id: "fuzz".into(),
                    name: "fuzz".into(),
                },
                config: config.clone(),
                previous: None,
            };
            let _ = run_forecast_named(input);
            true
        });
        accepted += usize::from(outcome.unwrap_or_else(|_| panic!("seed {seed} panicked")));
    }
    // The mutations must leave some files readable, or the pipeline is never fuzzed.
    assert!(accepted > 0, "no mutated file reached the pipeline");
    eprintln!("{accepted} of {n} mutated files reached the pipeline");
}

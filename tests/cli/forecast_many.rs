//! `queuecast forecast` over many queues, against the sandbox over HTTP: patterns, `--all`,
//! `--export-dir` with index.json, one queue failing while the others are exported.

use std::path::Path;
use std::process::Output;

use queuecast::sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, SandboxHandle, SandboxOptions};

use super::forecast::{Env, code, intervals, stderr, write_series};

/// The bundled public series plus "Sales Voice" and "Sales Chat" from CSV files, without the
/// simulated contact centre (`--queues 0`): five queues.
fn sandbox(rt: &tokio::runtime::Runtime, env: &Env) -> SandboxHandle {
    sandbox_with(rt, env, queuecast::sandbox::Faults::default())
}

/// [`sandbox`] with `faults`.
fn sandbox_with(
    rt: &tokio::runtime::Runtime,
    env: &Env,
    faults: queuecast::sandbox::Faults,
) -> SandboxHandle {
    let mut extra = Vec::new();
    for (name, file, days) in [
        ("Sales Voice", "voice.csv", 35),
        ("Sales Chat", "chat.csv", 30),
    ] {
        let path = env.path(file);
        write_series(&path, days);
        extra.push((name.to_string(), path));
    }
    let opts = SandboxOptions {
        extra_queues: extra,
        queue_count: 0,
        faults,
        ..Default::default()
    };
    rt.block_on(queuecast::sandbox::start(opts)).unwrap()
}

fn run(env: &Env, sandbox: &SandboxHandle, args: &[&str]) -> Output {
    let mut all = vec![
        "--days",
        "28",
        "--horizon-days",
        "2",
        "--model",
        "seasonal-naive",
        "--time-zone",
        "Europe/London",
    ];
    all.extend_from_slice(args);
    env.run(
        &all,
        &[
            ("GENESYSCLOUD_API_BASE", &sandbox.base_url()),
            ("GENESYSCLOUD_OAUTHCLIENT_ID", DEMO_CLIENT_ID),
            ("GENESYSCLOUD_OAUTHCLIENT_SECRET", DEMO_CLIENT_SECRET),
        ],
    )
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn all_to_an_export_dir_writes_every_queue_and_an_index_and_one_failure_exits_5() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let env = Env::new();
    let sandbox = sandbox(&rt, &env);
    let queues = sandbox.queues();
    assert_eq!(queues.len(), 5);
    let dir = env.path("out");
    // Sales Chat's export path is taken by a directory: its write fails, the others go on.
    let chat = queues.iter().find(|q| q.name == "Sales Chat").unwrap();
    let chat_file = format!("sales-chat-{}.json", &chat.id.replace('-', "")[..8]);
    std::fs::create_dir_all(dir.join(&chat_file).join("occupied")).unwrap();

    let o = run(
        &env,
        &sandbox,
        &[
            "--all",
            "--export-dir",
            dir.to_str().unwrap(),
            "--jobs",
            "2",
        ],
    );
    assert_eq!(code(&o), 5, "stderr: {}", stderr(&o));
    assert!(
        stderr(&o).contains("1 of 5 queue(s) failed; the others were forecast"),
        "{}",
        stderr(&o)
    );

    let index = read_json(&dir.join("index.json"));
    assert_eq!(index["queuesTotal"], 5);
    assert_eq!(index["succeeded"], 4);
    assert_eq!(index["failed"], 1);
    assert_eq!(index["format"], "json");
    let entries = index["queues"].as_array().unwrap();
    let names: Vec<&str> = entries
        .iter()
        .map(|e| e["queue"]["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted, "the index is in name order");
    for e in entries {
        let id = e["queue"]["id"].as_str().unwrap();
        if id == chat.id {
            assert_eq!(e["status"], "failed");
            assert_eq!(e["error"]["stage"], "export");
            assert!(e.get("file").is_none());
            continue;
        }
        assert_eq!(e["status"], "ok", "{e}");
        assert_eq!(e["model"], "seasonal-naive");
        assert!(e["accuracy"]["wape"].is_number(), "{e}");
        assert!(e["windows"].is_array());
        let export = read_json(&dir.join(e["file"].as_str().unwrap()));
        assert_eq!(export["queue"]["id"], id);
        assert_eq!(intervals(&export).len(), 48, "two days hourly");
        assert_eq!(export["history"]["buckets"], 28 * 24);
    }
    // No temporary file is left behind by the atomic writes.
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files.len(), 6, "{files:?}");
    assert!(files.contains(&"index.json".to_string()));

    let stdout = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1 + 5 + 1, "{stdout}");
    assert!(lines[0].starts_with("QUEUE"));
    let chat_line = lines.iter().find(|l| l.starts_with("Sales Chat")).unwrap();
    assert!(chat_line.contains("FAILED export: "), "{chat_line}");
    assert_eq!(lines[6], "5 queue(s): 4 forecast, 1 failed");
    // Every forecast was kept for the next drift check.
    let store = queuecast::store::Store::new(env.data_dir());
    for q in queues.iter().filter(|q| q.id != chat.id) {
        assert!(store.load_forecast(&q.id).unwrap().is_some(), "{}", q.name);
    }
}

#[test]
fn several_queue_patterns_print_a_table_and_a_typo_is_a_usage_error() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let env = Env::new();
    let sandbox = sandbox(&rt, &env);
    let bike = sandbox
        .queues()
        .into_iter()
        .find(|q| q.name.starts_with("Public data: Bikeshare"))
        .unwrap();
    let o = run(&env, &sandbox, &["--queue", "sales*", "--queue", &bike.id]);
    assert_eq!(code(&o), 0, "stderr: {}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let names: Vec<&str> = stdout
        .lines()
        .skip(1)
        .map(|l| l.split("  ").next().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            bike.name.as_str(),
            "Sales Chat",
            "Sales Voice",
            "3 queue(s): 3 forecast, 0 failed"
        ],
        "{stdout}"
    );
    assert!(!env.path("out").exists());

    let o = run(&env, &sandbox, &["--queue", "Sales*", "--queue", "Biling*"]);
    assert_eq!(code(&o), 2, "stderr: {}", stderr(&o));
    assert!(
        stderr(&o).contains("--queue \"Biling*\" matches no queue"),
        "{}",
        stderr(&o)
    );
    assert!(o.stdout.is_empty());
}

/// `--verbose` over several queues says on stderr, per queue and naming it, what it says for
/// one (its warnings and the band note); without it the run's stderr stays as it was: at most
/// the one line counting the queues with warnings.
#[test]
fn verbose_over_several_queues_notes_each_queue_on_stderr() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let env = Env::new();
    let sandbox = sandbox(&rt, &env);
    let o = run(&env, &sandbox, &["--queue", "Sales*"]);
    assert_eq!(code(&o), 0, "stderr: {}", stderr(&o));
    let err = stderr(&o);
    assert!(err.lines().count() <= 1, "{err}");
    let counted = "queue(s) have warnings, run one queue alone, or add --export-dir, to see them";
    assert!(err.lines().all(|l| l.ends_with(counted)), "{err}");
    let o = run(&env, &sandbox, &["--queue", "Sales*", "--verbose"]);
    assert_eq!(code(&o), 0, "stderr: {}", stderr(&o));
    let err = stderr(&o);
    if err.contains("have warnings") {
        assert!(
            err.contains("have warnings, each printed above with its queue"),
            "{err}"
        );
        let per_queue = "queuecast: warning: Sales ";
        assert!(err.lines().any(|l| l.starts_with(per_queue)), "{err}");
    }
    for name in ["Sales Chat", "Sales Voice"] {
        let notes: Vec<&str> = err
            .lines()
            .filter(|l| l.starts_with(&format!("queuecast: note: {name}: ")))
            .collect();
        assert_eq!(notes.len(), 1, "{name}: {err}");
        assert!(notes[0].contains("band"), "{}", notes[0]);
    }
    assert!(err.lines().all(|l| l.starts_with("queuecast: ")), "{err}");
    rt.block_on(sandbox.shutdown());
}

#[test]
fn many_queue_flags_that_cannot_work_together_are_refused() {
    let env = Env::new();
    let csv = env.path("calls.csv");
    write_series(&csv, 30);
    let o = env.run(
        &[
            "--input",
            csv.to_str().unwrap(),
            "--queue",
            "A",
            "--queue",
            "B",
        ],
        &[],
    );
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("--input forecasts one file"),
        "{}",
        stderr(&o)
    );
    let o = env.run(&["--all", "--export", "x.json"], &[]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("use --export-dir DIR"),
        "{}",
        stderr(&o)
    );
    let o = env.run(&["--all", "--jobs", "0"], &[]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--jobs 0"), "{}", stderr(&o));
}

#[test]
fn an_unreachable_api_before_any_queue_is_exit_3_and_writes_no_index() {
    let env = Env::new();
    let cfg = env.path("fast.toml");
    std::fs::write(
        &cfg,
        "[genesys]\nmax_retries = 0\nconnect_timeout_secs = 2\n",
    )
    .unwrap();
    let dir = env.path("out");
    let o = env.run(
        &[
            "--all",
            "--export-dir",
            dir.to_str().unwrap(),
            "--api-base",
            "http://127.0.0.1:1",
        ],
        &[
            ("QUEUECAST_CONFIG", cfg.to_str().unwrap()),
            ("GENESYSCLOUD_OAUTHCLIENT_ID", "id"),
            ("GENESYSCLOUD_OAUTHCLIENT_SECRET", "s3cret-value"),
        ],
    );
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(!stderr(&o).contains("s3cret-value"));
    assert!(!dir.join("index.json").exists());
}

#[test]
fn check_drift_over_many_queues_exits_10_when_any_queue_missed() {
    use chrono::{DurationRound, TimeDelta, Utc};
    use queuecast::forecast::ForecastPoint;

    let rt = tokio::runtime::Runtime::new().unwrap();
    let env = Env::new();
    let sandbox = sandbox(&rt, &env);
    let voice = sandbox
        .queues()
        .into_iter()
        .find(|q| q.name == "Sales Voice")
        .unwrap();
    // Sales Voice's last forecast was double the two days of actuals since: WAPE 100 %.
    let end = Utc::now().duration_trunc(TimeDelta::hours(1)).unwrap();
    let actuals: Vec<_> = sandbox
        .series(&voice.id)
        .unwrap()
        .into_iter()
        .filter(|p| p.ts < end && p.ts >= end - TimeDelta::hours(48))
        .collect();
    assert_eq!(actuals.len(), 48);
    let future = actuals
        .iter()
        .map(|p| ForecastPoint {
            ts: p.ts,
            yhat: p.y * 2.0 + 1.0,
            yhat_lower: 0.0,
            yhat_upper: p.y * 3.0 + 1.0,
        })
        .collect();
    let mut saved = super::forecast::saved_for(&voice.id, future);
    saved.generated_at = end - TimeDelta::hours(48);
    queuecast::store::Store::new(env.data_dir())
        .save_forecast(&saved)
        .unwrap();

    let o = run(&env, &sandbox, &["--queue", "Sales*", "--check-drift"]);
    assert_eq!(code(&o), 10, "stderr: {}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let line = |name: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap()
            .to_string()
    };
    assert!(line("Sales Voice").ends_with("RETRAIN"), "{stdout}");
    assert!(line("Sales Chat").ends_with(" -"), "{stdout}");
    assert!(
        stdout.contains("2 queue(s): 2 forecast, 0 failed, 1 with retraining recommended"),
        "{stdout}"
    );
}

/// Issue 13: SIGINT (Ctrl-C) during `forecast --all --export-dir D`, once some export exists:
/// the run stops with exit 130; index.json says `interrupted`, lists exactly the queues that
/// finished (each listed export whole and parseable) and names the ones never forecast; no
/// temporary file is left. While the run goes, the index already says `running`.
#[test]
fn sigint_during_an_export_run_leaves_an_index_that_says_interrupted() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let env = Env::new();
    // Slow answers and one queue a fetch (the fetch limit holds one queue's 28 days): the run
    // takes seconds, so the signal lands mid-run.
    let opts = SandboxOptions {
        queue_count: 24,
        faults: queuecast::sandbox::Faults {
            latency: std::time::Duration::from_millis(100),
            ..Default::default()
        },
        ..Default::default()
    };
    let sandbox = rt.block_on(queuecast::sandbox::start(opts)).unwrap();
    let cfg = env.path("one-at-a-time.toml");
    std::fs::write(&cfg, "[limits]\nmax_fetch_buckets = 672\n").unwrap();
    let dir = env.path("out");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_queuecast"))
        .args(["forecast", "--all", "--jobs", "1", "--days", "28"])
        .args(["--horizon-days", "2", "--model", "prophet-seed"])
        .args(["--time-zone", queuecast::sandbox::DEFAULT_TIME_ZONE.name()])
        .arg("--export-dir")
        .arg(&dir)
        .env("QUEUECAST_CONFIG", &cfg)
        .env("QUEUECAST_DATA_DIR", env.data_dir())
        .env("GENESYSCLOUD_API_BASE", sandbox.base_url())
        .env("GENESYSCLOUD_OAUTHCLIENT_ID", DEMO_CLIENT_ID)
        .env("GENESYSCLOUD_OAUTHCLIENT_SECRET", DEMO_CLIENT_SECRET)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let exports = |dir: &Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .map(|d| {
                d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .filter(|n| n != "index.json")
                    .collect()
            })
            .unwrap_or_default()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    // A finished export, not the temporary file of an atomic write still under way.
    let finished = |dir: &Path| exports(dir).iter().any(|n| !n.starts_with(".queuecast-"));
    while !finished(&dir) {
        assert!(std::time::Instant::now() < deadline, "no export appeared");
        assert!(child.try_wait().unwrap().is_none(), "the run ended early");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let running = read_json(&dir.join("index.json"));
    assert!(
        ["running", "complete"].contains(&running["run"].as_str().unwrap()),
        "{running}"
    );
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(code(&o), 130, "stderr: {}", stderr(&o));
    assert!(stderr(&o).contains("interrupted: "), "{}", stderr(&o));

    let index = read_json(&dir.join("index.json"));
    assert_eq!(index["run"], "interrupted", "{index}");
    let done = index["queues"].as_array().unwrap();
    let not_run = index["notRun"].as_array().unwrap();
    eprintln!(
        "interrupted: {} finished, {} not run",
        done.len(),
        not_run.len()
    );
    assert!(!done.is_empty(), "{index}");
    assert!(
        !not_run.is_empty(),
        "the run finished before the signal: {index}"
    );
    assert_eq!(index["queuesTotal"], sandbox.queues().len());
    assert_eq!(done.len() + not_run.len(), sandbox.queues().len());
    let listed: Vec<String> = done
        .iter()
        .filter_map(|e| e["file"].as_str().map(str::to_string))
        .collect();
    for file in &listed {
        let export = read_json(&dir.join(file));
        assert!(export["queue"]["id"].is_string(), "{file}");
    }
    // Every file in the directory is the index or a listed export: nothing partial, no temp.
    let mut on_disk = exports(&dir);
    on_disk.sort();
    let mut want = listed.clone();
    want.sort();
    assert_eq!(on_disk, want);
    rt.block_on(sandbox.shutdown());
}

/// The simulated contact centre's chat and email queues serve no voice: headless, as on the
/// board, each is counted by its own media and forecast, not failed with "no conversations".
#[test]
fn a_queue_serving_none_of_the_counted_media_is_forecast_on_its_own_media() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let env = Env::new();
    let opts = SandboxOptions {
        queue_count: 24,
        ..Default::default()
    };
    let sandbox = rt.block_on(queuecast::sandbox::start(opts)).unwrap();
    let dir = env.path("out");
    let o = run(
        &env,
        &sandbox,
        &[
            "--queue",
            "*Chat*",
            "--queue",
            "*Voice*",
            "--export-dir",
            dir.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 0, "stderr: {}", stderr(&o));
    let index = read_json(&dir.join("index.json"));
    let entries = index["queues"].as_array().unwrap();
    let (mut chats, mut voices) = (0, 0);
    for e in entries {
        assert_eq!(e["status"], "ok", "{e}");
        let name = e["queue"]["name"].as_str().unwrap();
        let export = read_json(&dir.join(e["file"].as_str().unwrap()));
        let counted = &export["history"]["counted"]["mediaTypes"];
        if name.contains("Chat") {
            chats += 1;
            assert_eq!(counted, &serde_json::json!(["chat"]), "{name}");
            let total: f64 = intervals(&export).iter().map(|(_, y)| y).sum();
            assert!(total > 0.0, "{name}: a chat forecast with volume");
        } else {
            voices += 1;
            assert_eq!(counted, &serde_json::json!(["voice"]), "{name}");
        }
    }
    assert!(chats >= 2 && voices >= 2, "{chats} chat, {voices} voice");
    rt.block_on(sandbox.shutdown());
}

/// Issue 13's acceptance: a queue whose fetch fails (the sandbox's per-queue fault) is
/// reported in index.json and the exit code, and the others are exported.
#[test]
fn a_queue_whose_fetch_fails_is_in_the_index_and_the_exit_code_and_the_others_succeed() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let env = Env::new();
    let faults = queuecast::sandbox::Faults {
        fail_queues: vec!["Sales Voice".into()],
        ..Default::default()
    };
    let sandbox = sandbox_with(&rt, &env, faults);
    // The default retry policy (ten retries, backoff from 0.5 s) with a 2 s deadline in place
    // of the default 180 s: the failing group's call ends in a retry-deadline error whose last
    // answer was a 503, and the group is split until the failing queue is alone.
    std::fs::write(
        env.path("no-config.toml"),
        "[genesys]\nretry_deadline_secs = 2\n",
    )
    .unwrap();
    let dir = env.path("out");
    let o = run(
        &env,
        &sandbox,
        &["--all", "--export-dir", dir.to_str().unwrap()],
    );
    assert_eq!(code(&o), 5, "stderr: {}", stderr(&o));
    let index = read_json(&dir.join("index.json"));
    let counts = (index["succeeded"].as_u64(), index["failed"].as_u64());
    assert_eq!(counts, (Some(4), Some(1)), "{index}");
    for e in index["queues"].as_array().unwrap() {
        if e["queue"]["name"] == "Sales Voice" {
            assert_eq!(e["status"], "failed", "{e}");
            assert_eq!(e["error"]["stage"], "fetch", "{e}");
            let message = e["error"]["message"].as_str().unwrap();
            assert!(message.contains("503"), "{e}");
            assert!(message.contains("genesys.retry_deadline_secs"), "{e}");
            assert!(e.get("file").is_none());
        } else {
            assert_eq!(e["status"], "ok", "{e}");
            assert!(dir.join(e["file"].as_str().unwrap()).is_file(), "{e}");
        }
    }
    rt.block_on(sandbox.shutdown());
}

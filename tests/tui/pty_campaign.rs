//! Issue 12 acceptance through a real pseudo-terminal: for each dialing mode the form offers,
//! a campaign created from the dashboard is accepted by the sandbox, and the body it received
//! validates against the OpenAPI subset with the mode's required fields present. Then issue
//! 12's "create without schedule": a draft with no schedule, and a later submit that attaches
//! one to the same campaign.

use queuecast::sandbox::{self, SandboxOptions};
use serde_json::Value;

use super::common::openapi;
use super::pty::Term;

/// The fastest model: these tests are about the campaign, not the forecast.
/// The quartile windows: these flows need windows, and the first queue's roster in the
/// sandbox leaves none with enough spare agents (capacity windows are tested in `staffing`).
const CONFIG: &str = "[forecast]\nmodel = \"seasonal-naive\"\n[staffing]\nwindows = \"quartile\"\n";

/// The form's modes in the order ←/→ cycles them, with the fields each must send (official
/// SDK `build/docs/Campaign.md`: `queue` and `script` for every mode but agentless;
/// `edgeGroup`/`site` and `callAnalysisResponseSet` for every mode but preview; `abandonRate`
/// for progressive, power and predictive).
const MODES: [(&str, &[&str]); 4] = [
    ("preview", &[]),
    (
        "progressive",
        &["site", "callAnalysisResponseSet", "abandonRate"],
    ),
    ("power", &["site", "callAnalysisResponseSet", "abandonRate"]),
    (
        "predictive",
        &["site", "callAnalysisResponseSet", "abandonRate"],
    ),
];
const ALWAYS: [&str; 8] = [
    "name",
    "contactList",
    "queue",
    "script",
    "dialingMode",
    "phoneColumns",
    "callerName",
    "callerAddress",
];

/// Opens the review and fills every field of preview mode; focus ends on Caller address.
fn fill_review(s: &mut Term) {
    s.send("c");
    s.wait_for("◀ choose", 30);
    for k in ["j", "l", "j", "l", "j", "j", "\r"] {
        s.send(k);
    }
    s.send("Acme Renewals");
    for k in ["\r", "j", "\r"] {
        s.send(k);
    }
    s.send("+13175550100");
    s.send("\r");
}

/// Dialing mode `index` (← → cycles from preview) and, when it dials, the first call
/// analysis response set (the org's default site is preselected); focus ends on Call analysis.
fn choose_mode(s: &mut Term, index: usize) {
    s.send("k");
    s.send("k");
    for _ in 0..index {
        s.send("l");
    }
    for _ in 0..6 {
        s.send("j");
    }
    if index > 0 {
        s.send("l");
    }
}

#[test]
fn each_dialing_mode_creates_a_campaign_the_sandbox_and_the_schema_accept() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let handle = rt
        .block_on(sandbox::start(SandboxOptions::default()))
        .unwrap();
    for (index, (mode, needs)) in MODES.iter().enumerate() {
        let before = handle.create_bodies().len();
        let mut s = Term::dashboard(&handle.base_url(), 30, 160, CONFIG, &[]);
        s.open_first_queue(handle.queues().len());
        fill_review(&mut s);
        choose_mode(&mut s, index);
        s.send("s");
        let confirm = s.wait_for("Confirm", 10);
        assert!(confirm.contains("Genesys will start"), "{mode}:\n{confirm}");
        s.send("y");
        let screen = s.wait_for("✓ created", 30);
        let bodies = handle.create_bodies();
        assert_eq!(bodies.len(), before + 1, "{mode}: one create\n{screen}");
        let body = bodies.last().unwrap();
        assert_eq!(body["dialingMode"], *mode, "{body}");
        let errs = openapi::errors("Campaign", body);
        assert!(errs.is_empty(), "{mode}: {errs:?}\n{body:#}");
        for field in ALWAYS.iter().chain(needs.iter()) {
            let v = &body[*field];
            assert!(!v.is_null() && v != "", "{mode} sends no {field}: {body:#}");
        }
        if needs.is_empty() {
            for k in [
                "site",
                "edgeGroup",
                "callAnalysisResponseSet",
                "abandonRate",
            ] {
                assert!(body.get(k).is_none(), "{mode} sends {k}: {body}");
            }
        }
        // The panel stays: name, id, selfUri, schedule, errors; the form is read-only.
        let id = handle.campaigns().last().unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        // The panel shows the selfUri once the "created" toast above it has gone.
        let screen = s.wait_for(&format!("/api/v2/outbound/campaigns/{id}"), 15);
        for needle in [
            " Campaign ",
            "read-only",
            &format!("/api/v2/outbound/campaigns/{id}"),
            "Genesys starts it",
            "none reported",
        ] {
            assert!(screen.contains(needle), "{mode}: no {needle:?}\n{screen}");
        }
        assert!(handle.schedule(&id).is_some(), "{mode}: schedule stored");
        s.send("q");
        assert!(s.wait_exit(10).success(), "{mode}: q quits");
    }
    rt.block_on(handle.shutdown());
}

/// The sandbox's stored campaign for the only create of this run.
fn only_campaign(handle: &sandbox::SandboxHandle, before: usize) -> Value {
    let all = handle.campaigns();
    assert_eq!(all.len(), before + 1, "exactly one campaign: {all:#?}");
    all.last().unwrap().clone()
}

/// `d` creates the campaign with no schedule after a confirm that says it will not dial;
/// `s` then attaches the schedule to that same campaign. Genesys's `errors[]` are shown.
#[test]
fn a_draft_without_schedule_then_its_schedule_attached_in_the_pty() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut opts = SandboxOptions::default();
    opts.faults.campaign_errors = vec!["Contact list is empty: no callable contacts".into()];
    let handle = rt.block_on(sandbox::start(opts)).unwrap();
    let before = handle.campaigns().len();
    let mut s = Term::dashboard(&handle.base_url(), 30, 160, CONFIG, &[]);
    s.open_first_queue(handle.queues().len());
    fill_review(&mut s);
    s.send("d");
    let confirm = s.wait_for("Confirm", 10);
    assert!(confirm.contains("WITHOUT a schedule"), "{confirm}");
    assert!(confirm.contains("will not dial"), "{confirm}");
    s.send("y");
    let screen = s.wait_for("✓ created", 30);
    let c = only_campaign(&handle, before);
    let id = c["id"].as_str().unwrap();
    assert!(handle.schedule(id).is_none(), "a draft has no schedule");
    for needle in [
        "none: it stays off and will not dial",
        "✗ Contact list is empty: no callable contacts",
        "campaign draft, no schedule, 1 error(s)",
    ] {
        assert!(screen.contains(needle), "no {needle:?}\n{screen}");
    }
    s.send("s");
    let confirm = s.wait_for("Attach the schedule of campaign", 10);
    assert!(confirm.contains("Genesys will start"), "{confirm}");
    s.send("y");
    let screen = s.wait_for("Genesys starts it", 30);
    let again = only_campaign(&handle, before);
    assert_eq!(again["id"], c["id"], "the same campaign");
    assert!(handle.schedule(id).is_some(), "schedule attached\n{screen}");
    assert!(screen.contains("campaign scheduled"), "{screen}");
    s.send("q");
    assert!(s.wait_exit(10).success());
    rt.block_on(handle.shutdown());
}

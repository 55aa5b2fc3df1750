//! Fault injection: the plain settings the server reads, and the command-line flags that set them.
//!
//! The flags live here, beside the settings they fill, so `cli` embeds them (`#[command(flatten)]`)
//! and the sandbox never imports the CLI.

use std::fmt;
use std::time::Duration;

use super::data::QueueData;
use super::{DEFAULT_FAULT_SEED, SandboxError};

/// Fault injection, all off by default.
#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    /// Delay before every response.
    pub latency: Duration,
    /// Fraction (0–1) of authorised API requests answered with 503.
    pub error_rate: f64,
    /// Requests per `rate_limit_window` per token before 429 (0 = unlimited).
    pub rate_limit: u32,
    /// Window of the rate limit: a minute for the CLI; tests shorten it to keep Retry-After small.
    pub rate_limit_window: Duration,
    /// Lifetime of issued tokens.
    pub token_ttl: Duration,
    /// Longest aggregates interval accepted, in days (0 = unlimited).
    pub max_query_days: u32,
    /// Seed of the error-rate RNG.
    pub seed: u64,
    /// Permissions the OAuth client lacks: operations that need one of them answer 403.
    pub denied_permissions: Vec<String>,
    /// A campaign create is stored at once but answered this much later, as when Genesys
    /// completes a create whose client has already given up.
    pub create_answer_delay: Duration,
    /// What the successive campaign lookups (`GET /api/v2/outbound/campaigns`) get, in order,
    /// before they are answered normally.
    pub lookup_faults: Vec<LookupFault>,
    /// Queues (names or ids) whose aggregates queries get a 503: any query whose filter keeps
    /// one of them fails, so a client's per-queue error handling can be tested.
    pub fail_queues: Vec<String>,
    /// Most predicates accepted in a filter's or a clause's list (0 = no limit). A sandbox
    /// setting to exercise a client's chunking; Genesys documents no such limit.
    pub max_predicates: u32,
    /// The first this many conversation aggregates queries get a 503, later ones an answer:
    /// a passing outage, so the retry notice of a client can be watched.
    pub unavailable_aggregates: u32,

    /// Error conditions every created campaign reports in its read-only `errors[]`
    /// (`RestErrorDetail`: `error`, optional `details`), each written `error` or
    /// `error: details`, as Genesys lists what keeps a stored campaign from dialing.
    pub campaign_errors: Vec<String>,
    /// The org has no telephony sites (an org without an edge): only preview dialing works.
    pub no_sites: bool,
    /// The org has no call analysis response sets: only preview dialing works.
    pub no_response_sets: bool,
}

/// One scripted answer to a campaign lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupFault {
    /// 503 `service.unavailable`.
    Unavailable,
    /// The right answer, this much later.
    Slow(Duration),
}

impl LookupFault {
    /// Parses `503,503,slow:1500`: a 503, another, then one answered after 1.5 s.
    pub fn parse_list(s: &str) -> Result<Vec<Self>, String> {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once(':') {
                None if p == "503" => Ok(LookupFault::Unavailable),
                Some(("slow", ms)) => ms
                    .parse::<u64>()
                    .map(|ms| LookupFault::Slow(Duration::from_millis(ms)))
                    .map_err(|_| format!("{p:?}: slow:<milliseconds>, e.g. slow:1500")),
                _ => Err(format!(
                    "{p:?} is not a lookup fault: use 503 or slow:<milliseconds>, comma-separated"
                )),
            })
            .collect()
    }
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            latency: Duration::ZERO,
            error_rate: 0.0,
            rate_limit: 0,
            rate_limit_window: Duration::from_secs(60),
            token_ttl: Duration::from_secs(86_400),
            max_query_days: 0,
            seed: DEFAULT_FAULT_SEED,
            denied_permissions: Vec::new(),
            create_answer_delay: Duration::ZERO,
            lookup_faults: Vec::new(),
            fail_queues: Vec::new(),
            max_predicates: 0,
            unavailable_aggregates: 0,

            campaign_errors: Vec::new(),
            no_sites: false,
            no_response_sets: false,
        }
    }
}

impl Faults {
    /// Refuses settings the server cannot honour; the message names the flag to fix.
    pub fn check(&self) -> Result<(), SandboxError> {
        if !(0.0..=1.0).contains(&self.error_rate) || self.error_rate.is_nan() {
            return Err(SandboxError::Faults(format!(
                "--error-rate {} must be between 0.0 and 1.0",
                self.error_rate
            )));
        }
        if self.token_ttl.is_zero() {
            return Err(SandboxError::Faults(
                "--token-ttl must be at least 1 second".into(),
            ));
        }
        if self.rate_limit > 0 && self.rate_limit_window.is_zero() {
            return Err(SandboxError::Faults(
                "rate limit window must be positive".into(),
            ));
        }
        Ok(())
    }

    /// Every `--fail-queue` must name a queue of the org (by name, any case, or id).
    pub(crate) fn check_queues(&self, queues: &[QueueData]) -> Result<(), SandboxError> {
        for wanted in &self.fail_queues {
            if !queues.iter().any(|q| fails(wanted, q)) {
                return Err(SandboxError::Faults(format!(
                    "--fail-queue {wanted:?} is not a queue of the sandbox (use a queue name or id)"
                )));
            }
        }
        Ok(())
    }

    /// The `--fail-queue` entry that names `queue`, if any.
    pub(crate) fn failing(&self, queue: &QueueData) -> Option<&str> {
        self.fail_queues
            .iter()
            .find(|w| fails(w, queue))
            .map(String::as_str)
    }
}

fn fails(wanted: &str, q: &QueueData) -> bool {
    let w = wanted.trim();
    q.id == w || q.name.eq_ignore_ascii_case(w)
}

/// The one-line summary `queuecast sandbox` prints when any fault is on.
impl fmt::Display for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "latency {} ms, error rate {}, rate limit {}/min, token ttl {} s, max query days {}",
            self.latency.as_millis(),
            self.error_rate,
            self.rate_limit,
            self.token_ttl.as_secs(),
            self.max_query_days
        )?;
        if self.max_predicates > 0 {
            write!(f, ", max predicates {}", self.max_predicates)?;
        }
        if !self.fail_queues.is_empty() {
            write!(f, ", failing queues {}", self.fail_queues.join(", "))?;
        }
        if self.unavailable_aggregates > 0 {
            write!(
                f,
                ", first {} aggregates queries 503",
                self.unavailable_aggregates
            )?;
        }
        if !self.denied_permissions.is_empty() {
            write!(f, ", denied {}", self.denied_permissions.join(" "))?;
        }
        if !self.create_answer_delay.is_zero() {
            write!(
                f,
                ", creates answered after {} ms",
                self.create_answer_delay.as_millis()
            )?;
        }
        if !self.lookup_faults.is_empty() {
            write!(f, ", {} scripted lookup faults", self.lookup_faults.len())?;
        }
        if !self.campaign_errors.is_empty() {
            write!(f, ", campaign errors {}", self.campaign_errors.join("; "))?;
        }
        if self.no_sites {
            write!(f, ", no sites")?;
        }
        if self.no_response_sets {
            write!(f, ", no call analysis response sets")?;
        }
        Ok(())
    }
}

/// Fault injection for the sandbox, all off by default.
#[derive(Debug, clap::Args, Clone, Default)]
pub struct FaultArgs {
    /// Delay every response by this many milliseconds
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub latency_ms: u64,
    /// Fraction of API requests answered with 503 (0.0–1.0)
    #[arg(long, value_name = "F", default_value_t = 0.0)]
    pub error_rate: f64,
    /// Requests per minute per token before 429 with Retry-After (0 = unlimited)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub rate_limit: u32,
    /// Lifetime of issued tokens in seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 86_400)]
    pub token_ttl: u64,
    /// Longest aggregates interval accepted, in days (0 = unlimited)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub max_query_days: u32,
    /// Act as an OAuth client without this permission (403 where it is needed); repeatable
    #[arg(long = "deny-permission", value_name = "PERMISSION")]
    pub deny_permissions: Vec<String>,
    /// Store each campaign create at once but answer it this many milliseconds later
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub create_answer_delay_ms: u64,
    /// Scripted answers to the next campaign lookups, e.g. "503,503,slow:1500"
    #[arg(long, value_name = "LIST", value_parser = LookupFaults::parse)]
    pub lookup_faults: Option<LookupFaults>,
    /// Answer 503 to every aggregates query that includes this queue (name or id); repeatable
    #[arg(long = "fail-queue", value_name = "NAME")]
    pub fail_queues: Vec<String>,
    /// Refuse aggregates filters with more predicates than this in one list (0 = no limit;
    /// not a Genesys limit, a test of the client's chunking)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub max_predicates: u32,
    /// Answer 503 to the first N conversation aggregates queries, then serve them
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub unavailable_aggregates: u32,

    /// Every created campaign reports this in its `errors[]` ("error" or "error: details");
    /// repeatable
    #[arg(long = "campaign-error", value_name = "TEXT")]
    pub campaign_errors: Vec<String>,
    /// Serve no telephony sites (an org without an edge: dialing modes other than preview
    /// cannot be used)
    #[arg(long)]
    pub no_sites: bool,
    /// Serve no call analysis response sets (dialing modes other than preview cannot be used)
    #[arg(long)]
    pub no_response_sets: bool,
}

/// The parsed `--lookup-faults` list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LookupFaults(pub Vec<LookupFault>);

impl LookupFaults {
    fn parse(s: &str) -> Result<Self, String> {
        LookupFault::parse_list(s).map(Self)
    }
}

/// What the sandbox org holds (`queuecast sandbox` and `queuecast demo`).
#[derive(Debug, clap::Args, Clone)]
pub struct OrgArgs {
    /// Queues of the simulated contact centre (the first 24 are hand-written, more are
    /// variants of them; e.g. 500 for load tests; 0 = only the public data series)
    #[arg(long = "queues", value_name = "N", default_value_t = super::default_queue_count())]
    pub queue_count: usize,
    /// Seed of the simulated contact centre (same seed, same data)
    #[arg(long, value_name = "N", default_value_t = super::DEFAULT_SEED)]
    pub seed: u64,
    /// The org's analytics data retention in days: nothing older is served
    #[arg(long, value_name = "DAYS", default_value_t = super::DEFAULT_RETENTION_DAYS)]
    pub retention_days: u32,
}

impl Default for OrgArgs {
    fn default() -> Self {
        Self {
            queue_count: super::default_queue_count(),
            seed: super::DEFAULT_SEED,
            retention_days: super::DEFAULT_RETENTION_DAYS,
        }
    }
}

impl From<&FaultArgs> for Faults {
    fn from(a: &FaultArgs) -> Self {
        Self {
            latency: Duration::from_millis(a.latency_ms),
            error_rate: a.error_rate,
            rate_limit: a.rate_limit,
            token_ttl: Duration::from_secs(a.token_ttl),
            max_query_days: a.max_query_days,
            denied_permissions: a.deny_permissions.clone(),
            create_answer_delay: Duration::from_millis(a.create_answer_delay_ms),
            lookup_faults: a.lookup_faults.clone().unwrap_or_default().0,
            fail_queues: a.fail_queues.clone(),
            max_predicates: a.max_predicates,
            unavailable_aggregates: a.unavailable_aggregates,

            campaign_errors: a.campaign_errors.clone(),
            no_sites: a.no_sites,
            no_response_sets: a.no_response_sets,
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cmd {
        #[command(flatten)]
        faults: FaultArgs,
        #[command(flatten)]
        org: OrgArgs,
    }

    #[test]
    fn org_flags_default_to_the_templates_and_the_fixed_seed() {
        let cmd = Cmd::try_parse_from(["x"]).unwrap();
        assert_eq!(cmd.org.queue_count, 24);
        assert_eq!(cmd.org.seed, super::super::DEFAULT_SEED);
        let cmd = Cmd::try_parse_from([
            "x",
            "--queues",
            "500",
            "--seed",
            "7",
            "--retention-days",
            "30",
        ])
        .unwrap();
        assert_eq!(
            (cmd.org.queue_count, cmd.org.seed, cmd.org.retention_days),
            (500, 7, 30)
        );
    }

    fn parse(args: &[&str]) -> Faults {
        let cmd = Cmd::try_parse_from(std::iter::once("x").chain(args.iter().copied())).unwrap();
        Faults::from(&cmd.faults)
    }

    #[test]
    fn no_flags_is_no_faults() {
        assert_eq!(parse(&[]), Faults::default());
    }

    #[test]
    fn flags_map_onto_the_settings() {
        let f = parse(&[
            "--latency-ms",
            "250",
            "--error-rate",
            "0.5",
            "--rate-limit",
            "30",
            "--token-ttl",
            "5",
            "--max-query-days",
            "7",
            "--fail-queue",
            "Billing Voice",
            "--fail-queue",
            "Sales Chat",
            "--max-predicates",
            "10",
        ]);
        assert_eq!(f.latency, Duration::from_millis(250));
        assert_eq!(f.error_rate, 0.5);
        assert_eq!(f.rate_limit, 30);
        assert_eq!(f.token_ttl, Duration::from_secs(5));
        assert_eq!(f.max_query_days, 7);
        assert_eq!(f.fail_queues, ["Billing Voice", "Sales Chat"]);
        assert_eq!(f.max_predicates, 10);
        // Not on the command line: a minute's window and the fixed seed.
        assert_eq!(f.rate_limit_window, Duration::from_secs(60));
        assert_eq!(f.seed, DEFAULT_FAULT_SEED);
        assert_eq!(
            f.to_string(),
            "latency 250 ms, error rate 0.5, rate limit 30/min, token ttl 5 s, max query days 7, \
             max predicates 10, failing queues Billing Voice, Sales Chat"
        );
    }

    #[test]
    fn outbound_fault_flags() {
        let f = parse(&[
            "--deny-permission",
            "outbound:campaign:add",
            "--deny-permission",
            "outbound:campaign:view",
            "--create-answer-delay-ms",
            "2000",
            "--lookup-faults",
            "503, slow:1500,503",
        ]);
        assert_eq!(
            f.denied_permissions,
            ["outbound:campaign:add", "outbound:campaign:view"]
        );
        assert_eq!(f.create_answer_delay, Duration::from_millis(2000));
        assert_eq!(
            f.lookup_faults,
            [
                LookupFault::Unavailable,
                LookupFault::Slow(Duration::from_millis(1500)),
                LookupFault::Unavailable
            ]
        );
        assert!(f.to_string().ends_with(
            ", denied outbound:campaign:add outbound:campaign:view, creates answered after 2000 ms, 3 scripted lookup faults"
        ));
        let f = parse(&["--no-sites", "--no-response-sets"]);
        assert!(f.no_sites && f.no_response_sets);
        assert!(
            f.to_string()
                .ends_with(", no sites, no call analysis response sets"),
            "{f}"
        );
        assert!(!parse(&[]).no_sites);
        let e = LookupFault::parse_list("503,404").unwrap_err();
        assert!(e.contains("\"404\" is not a lookup fault"), "{e}");
        assert!(LookupFault::parse_list("slow:x").is_err());
    }

    #[test]
    fn impossible_settings_name_the_flag() {
        let bad = |f: Faults| f.check().unwrap_err().to_string();
        for rate in [1.5, -0.1, f64::NAN] {
            let e = bad(Faults {
                error_rate: rate,
                ..Faults::default()
            });
            assert!(e.contains("--error-rate"), "{e}");
        }
        let e = bad(Faults {
            token_ttl: Duration::ZERO,
            ..Faults::default()
        });
        assert!(e.contains("--token-ttl"), "{e}");
        let e = bad(Faults {
            rate_limit: 1,
            rate_limit_window: Duration::ZERO,
            ..Faults::default()
        });
        assert!(e.contains("window"), "{e}");
        assert!(Faults::default().check().is_ok());
        let queues = [QueueData::for_test("q-1", "Billing Voice")];
        let named = |w: &str| Faults {
            fail_queues: vec![w.into()],
            ..Faults::default()
        };
        assert!(named("billing voice").check_queues(&queues).is_ok());
        assert!(named("q-1").check_queues(&queues).is_ok());
        assert_eq!(named("q-1").failing(&queues[0]), Some("q-1"));
        assert_eq!(Faults::default().failing(&queues[0]), None);
        let e = named("Billing")
            .check_queues(&queues)
            .unwrap_err()
            .to_string();
        assert!(e.contains("--fail-queue \"Billing\""), "{e}");
        assert!(
            Faults {
                error_rate: 1.0,
                ..Faults::default()
            }
            .check()
            .is_ok()
        );
    }
}

//! Fault injection: the plain settings the server reads, and the command-line flags that set them.
//!
//! The flags live here, beside the settings they fill, so `cli` embeds them (`#[command(flatten)]`)
//! and the sandbox never imports the CLI.

use std::fmt;
use std::time::Duration;

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
        )
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
}

impl From<&FaultArgs> for Faults {
    fn from(a: &FaultArgs) -> Self {
        Self {
            latency: Duration::from_millis(a.latency_ms),
            error_rate: a.error_rate,
            rate_limit: a.rate_limit,
            token_ttl: Duration::from_secs(a.token_ttl),
            max_query_days: a.max_query_days,
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
        ]);
        assert_eq!(f.latency, Duration::from_millis(250));
        assert_eq!(f.error_rate, 0.5);
        assert_eq!(f.rate_limit, 30);
        assert_eq!(f.token_ttl, Duration::from_secs(5));
        assert_eq!(f.max_query_days, 7);
        // Not on the command line: a minute's window and the fixed seed.
        assert_eq!(f.rate_limit_window, Duration::from_secs(60));
        assert_eq!(f.seed, DEFAULT_FAULT_SEED);
        assert_eq!(
            f.to_string(),
            "latency 250 ms, error rate 0.5, rate limit 30/min, token ttl 5 s, max query days 7"
        );
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

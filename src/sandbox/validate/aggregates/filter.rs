//! `filter` of an aggregates query: dimension predicates and clauses joined by "and" / "or",
//! checked in reading order so the first problem found is the one a person reading the body meets
//! first.

use crate::sandbox::wire::ApiError;

/// A filter as sent, before any check. Serde's messages name these structs (`expected struct
/// Filter`), so they keep the wire names in a module of their own.
pub(super) mod raw {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    pub struct Filter {
        #[serde(rename = "type")]
        pub kind: String,
        #[serde(default)]
        pub predicates: Vec<Predicate>,
        #[serde(default)]
        pub clauses: Vec<Clause>,
    }

    #[derive(Debug, Deserialize)]
    pub struct Clause {
        #[serde(rename = "type")]
        pub kind: String,
        #[serde(default)]
        pub predicates: Vec<Predicate>,
    }

    #[derive(Debug, Deserialize)]
    pub struct Predicate {
        #[serde(rename = "type")]
        pub kind: Option<String>,
        pub dimension: Option<String>,
        pub operator: Option<String>,
        pub value: Option<String>,
    }
}

/// A checked filter: its predicates and clauses, combined with "and" (`all`) or "or".
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Filter {
    pub all: bool,
    pub predicates: Vec<Predicate>,
    pub clauses: Vec<Clause>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Clause {
    pub all: bool,
    pub predicates: Vec<Predicate>,
}

/// A dimension predicate. Dimensions the sandbox has no values for are allowed: they never
/// match, never exist.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Predicate {
    pub dimension: String,
    pub op: PredicateOp,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PredicateOp {
    Matches(String),
    Exists,
    NotExists,
}

/// `"and"` → true, `"or"` → false.
fn combinator(kind: &str) -> Result<bool, ApiError> {
    match kind {
        "and" => Ok(true),
        "or" => Ok(false),
        other => Err(ApiError::bad_request(format!(
            "filter type {other:?} is not \"and\" or \"or\""
        ))),
    }
}

/// Checks a filter in reading order: its predicates, then each clause's predicates and type,
/// then its own type.
pub(super) fn check(sent: raw::Filter) -> Result<Filter, ApiError> {
    let predicates = check_predicates(sent.predicates)?;
    let clauses = sent
        .clauses
        .into_iter()
        .map(|c| {
            let predicates = check_predicates(c.predicates)?;
            Ok(Clause {
                all: combinator(&c.kind)?,
                predicates,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(Filter {
        all: combinator(&sent.kind)?,
        predicates,
        clauses,
    })
}

fn check_predicates(sent: Vec<raw::Predicate>) -> Result<Vec<Predicate>, ApiError> {
    sent.into_iter().map(predicate).collect()
}

fn predicate(p: raw::Predicate) -> Result<Predicate, ApiError> {
    if let Some(k) = &p.kind
        && k != "dimension"
    {
        return Err(ApiError::bad_request(format!(
            "filter predicate type {k:?} is not simulated by the sandbox; use dimension predicates on queueId or mediaType"
        )));
    }
    let dimension = p.dimension.ok_or_else(|| {
        ApiError::bad_request("a filter predicate has no dimension (e.g. \"queueId\")")
    })?;
    let op = match p.operator.as_deref().unwrap_or("matches") {
        "matches" => PredicateOp::Matches(p.value.ok_or_else(|| {
            ApiError::bad_request(format!(
                "filter predicate on {dimension} uses operator matches but has no value"
            ))
        })?),
        "exists" => PredicateOp::Exists,
        "notExists" => PredicateOp::NotExists,
        other => {
            return Err(ApiError::bad_request(format!(
                "filter operator {other:?} is not one of matches, exists, notExists"
            )));
        }
    };
    Ok(Predicate { dimension, op })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn check(v: Value) -> Result<Filter, ApiError> {
        super::check(serde_json::from_value(v).unwrap())
    }

    #[test]
    fn filters_are_checked_in_reading_order() {
        let with_filter = |f: Value| check(f).unwrap_err().message;
        let cases = [
            (
                json!({"type": "and", "predicates": [{"type": "metric", "dimension": "queueId"}]}),
                "filter predicate type \"metric\" is not simulated by the sandbox; use dimension predicates on queueId or mediaType",
            ),
            (
                json!({"type": "and", "predicates": [{"value": "x"}]}),
                "a filter predicate has no dimension (e.g. \"queueId\")",
            ),
            (
                json!({"type": "and", "predicates": [{"dimension": "queueId"}]}),
                "filter predicate on queueId uses operator matches but has no value",
            ),
            (
                json!({"type": "and", "predicates": [{"dimension": "queueId", "operator": "like", "value": "x"}]}),
                "filter operator \"like\" is not one of matches, exists, notExists",
            ),
            (
                json!({"type": "and", "clauses": [{"type": "nor", "predicates": []}]}),
                "filter type \"nor\" is not \"and\" or \"or\"",
            ),
            (
                json!({"type": "xor", "predicates": [{"dimension": "queueId", "value": "x"}]}),
                "filter type \"xor\" is not \"and\" or \"or\"",
            ),
            // A clause's bad predicate is found before the clause's bad type.
            (
                json!({"type": "or", "clauses": [{"type": "nor", "predicates": [{"dimension": "queueId"}]}]}),
                "filter predicate on queueId uses operator matches but has no value",
            ),
            // Top-level predicates before clauses, the filter's own type last.
            (
                json!({"type": "xor", "predicates": [{"value": "x"}], "clauses": [{"type": "nor"}]}),
                "a filter predicate has no dimension (e.g. \"queueId\")",
            ),
            (
                json!({"type": "xor", "clauses": [{"type": "nor"}]}),
                "filter type \"nor\" is not \"and\" or \"or\"",
            ),
        ];
        for (f, message) in cases {
            assert_eq!(with_filter(f), message);
        }
    }

    #[test]
    fn operators_and_combinators_are_read() {
        let f = check(
            json!({"type": "or", "clauses": [{"type": "and", "predicates": [
            {"dimension": "queueId", "operator": "exists"},
            {"type": "dimension", "dimension": "userId", "operator": "notExists"}]}]}),
        )
        .unwrap();
        assert!(!f.all && f.predicates.is_empty());
        assert_eq!(
            f.clauses,
            [Clause {
                all: true,
                predicates: vec![
                    Predicate {
                        dimension: "queueId".into(),
                        op: PredicateOp::Exists
                    },
                    Predicate {
                        dimension: "userId".into(),
                        op: PredicateOp::NotExists
                    },
                ]
            }]
        );
        let f = check(
            json!({"type": "and", "predicates": [{"dimension": "mediaType", "value": "voice"}]}),
        )
        .unwrap();
        assert!(f.all && f.clauses.is_empty());
        assert_eq!(
            f.predicates,
            [Predicate {
                dimension: "mediaType".into(),
                op: PredicateOp::Matches("voice".into())
            }],
            "the operator defaults to matches"
        );
    }
}

//! `filter` of an aggregates query: dimension predicates and clauses joined by "and" / "or",
//! checked in reading order so the first problem found is the one a person reading the body meets
//! first. A clause holds predicates only: `ConversationAggregateQueryFilter.md` allows "up to
//! two-levels of nesting" (filter, then clauses), and its Clause model has no clauses field.
//! Genesys documents no limit on the number of predicates; the sandbox's `--max-predicates`
//! fault adds one to test a client's chunking.

use crate::sandbox::wire::ApiError;

/// The dimensions a predicate may name: the `dimension` enum of
/// `ConversationAggregateQueryPredicate` in the OpenAPI subset (Python SDK 269.0.0). `groupBy`
/// takes the same names except `canonicalExternalContactId`.
pub(crate) const DIMENSIONS: &[&str] = &[
    "activeRouting",
    "activeSkillId",
    "addressFrom",
    "addressTo",
    "agentAssistantId",
    "agentBullseyeRing",
    "agentOwned",
    "agentRank",
    "agentScore",
    "ani",
    "assignerId",
    "authenticated",
    "canonicalExternalContactId",
    "conversationId",
    "conversationInitiator",
    "convertedFrom",
    "convertedTo",
    "customerParticipation",
    "deliveryStatus",
    "destinationAddress",
    "direction",
    "disconnectType",
    "divisionId",
    "dnis",
    "edgeId",
    "eligibleAgentCount",
    "errorCode",
    "extendedDeliveryStatus",
    "externalContactId",
    "externalMediaCount",
    "externalOrganizationId",
    "externalTag",
    "firstQueue",
    "flaggedReason",
    "flowInType",
    "flowOutType",
    "groupId",
    "interactionType",
    "journeyActionId",
    "journeyActionMapId",
    "journeyActionMapVersion",
    "journeyCustomerId",
    "journeyCustomerIdType",
    "journeyCustomerSessionId",
    "journeyCustomerSessionIdType",
    "knowledgeBaseId",
    "mediaCount",
    "mediaType",
    "messageType",
    "originatingDirection",
    "originatingSocialMediaPublic",
    "outboundCampaignId",
    "outboundContactId",
    "outboundContactListId",
    "participantName",
    "peerId",
    "proposedAgentId",
    "provider",
    "purpose",
    "queueId",
    "remote",
    "removedSkillId",
    "requestedLanguageId",
    "requestedRouting",
    "requestedRoutingSkillId",
    "roomId",
    "routingPriority",
    "routingRing",
    "routingRule",
    "routingRuleType",
    "scoredAgentId",
    "selectedAgentId",
    "selectedAgentRank",
    "selfServed",
    "sessionDnis",
    "sessionId",
    "skillExpressionId",
    "stationId",
    "teamId",
    "usedRouting",
    "userId",
    "videoPresent",
    "waitingInteractionCount",
    "wrapUpCode",
];

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
/// then its own type. `max_predicates` (0 = none) is the `--max-predicates` fault.
pub(super) fn check(sent: raw::Filter, max_predicates: u32) -> Result<Filter, ApiError> {
    let predicates = check_predicates(sent.predicates, max_predicates, "filter")?;
    let clauses = sent
        .clauses
        .into_iter()
        .map(|c| {
            let predicates = check_predicates(c.predicates, max_predicates, "clause")?;
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

fn check_predicates(
    sent: Vec<raw::Predicate>,
    max: u32,
    whose: &str,
) -> Result<Vec<Predicate>, ApiError> {
    if max > 0 && sent.len() > max as usize {
        return Err(ApiError::bad_request(format!(
            "a {whose} has {} predicates; this sandbox accepts at most {max} per list \
             (--max-predicates); split the query",
            sent.len()
        )));
    }
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
    if !DIMENSIONS.contains(&dimension.as_str()) {
        return Err(ApiError::bad_request(format!(
            "filter dimension {dimension:?} is not a conversation aggregate dimension \
             (e.g. queueId, mediaType, direction, originatingDirection)"
        )));
    }
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
        super::check(serde_json::from_value(v).unwrap(), 0)
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
                json!({"type": "and", "predicates": [{"dimension": "queueID", "value": "x"}]}),
                "filter dimension \"queueID\" is not a conversation aggregate dimension (e.g. queueId, mediaType, direction, originatingDirection)",
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
    fn the_predicate_limit_is_a_fault_setting_per_list() {
        let ids = |n: usize| -> Vec<Value> {
            (0..n)
                .map(|i| json!({"dimension": "queueId", "value": format!("q{i}")}))
                .collect()
        };
        let body = json!({"type": "and",
            "predicates": [{"dimension": "mediaType", "value": "voice"}],
            "clauses": [{"type": "or", "predicates": ids(3)}]});
        let sent = || serde_json::from_value::<raw::Filter>(body.clone()).unwrap();
        assert!(super::check(sent(), 0).is_ok());
        assert!(super::check(sent(), 3).is_ok());
        let e = super::check(sent(), 2).unwrap_err();
        assert_eq!(
            e.message,
            "a clause has 3 predicates; this sandbox accepts at most 2 per list (--max-predicates); split the query"
        );
    }

    #[test]
    fn every_dimension_of_the_schema_is_accepted() {
        assert_eq!(DIMENSIONS.len(), 84);
        for d in DIMENSIONS {
            let f = json!({"type": "and", "predicates": [{"dimension": d, "operator": "exists"}]});
            assert!(check(f).is_ok(), "{d}");
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

//! `metrics` of an aggregates query: the real metric names, and the few the sandbox simulates.
//! A name outside the schema's enum (`nHandled` among them: Genesys counts handled contacts as
//! `tHandle.count`, and `../shared/genesys-api/README.md` (h) says there is no `nHandled`) is a
//! 400, as the real API refuses a value its enum lacks.

use crate::sandbox::wire::ApiError;

/// Metrics the sandbox computes (all in the schema's enum).
pub(crate) const SIMULATED: [&str; 5] = [
    "nOffered",
    "tHandle",
    "tAbandon",
    "nOutboundAttempted",
    "nOutboundConnected",
];

/// Real metric names (the OpenAPI subset's enum, the Python SDK's `ConversationAggregationView`
/// target set): accepted, but without data in the sandbox.
const REAL_METRICS: &[&str] = &[
    "nAgentDeclined",
    "nAlertExpired",
    "nBlindTransferred",
    "nBotInteractions",
    "nCallbackAttempts",
    "nCallbackOverSla",
    "nCallbackScheduled",
    "nCfcOffered",
    "nCobrowseSessions",
    "nConnected",
    "nConsult",
    "nConsultTransferred",
    "nConversations",
    "nError",
    "nOffered",
    "nOutbound",
    "nOutboundAbandoned",
    "nOutboundAttempted",
    "nOutboundConnected",
    "nOverSla",
    "nStateTransitionError",
    "nTakeover",
    "nTransferred",
    "oAudioMessageCount",
    "oCallbackServiceLevel",
    "oExternalAudioMessageCount",
    "oExternalMediaCount",
    "oMediaCount",
    "oMessageCount",
    "oMessageSegmentCount",
    "oMessageTurn",
    "oServiceLevel",
    "oServiceTarget",
    "oSkillExpressionApplications",
    "tAbandon",
    "tAcd",
    "tActiveCallback",
    "tActiveCallbackComplete",
    "tAcw",
    "tAgentResponseTime",
    "tAgentVideoConnected",
    "tAlert",
    "tAnswered",
    "tAverageAgentResponseTime",
    "tAverageCustomerResponseTime",
    "tBarging",
    "tCallbackAbandon",
    "tCallbackConnect",
    "tCallbackNotReached",
    "tCallbackVirtualWait",
    "tCfcAbandon",
    "tCfcAcd",
    "tCfcAnswered",
    "tCfcFlowOut",
    "tCoaching",
    "tCoachingComplete",
    "tConnected",
    "tContacting",
    "tDialing",
    "tFirstConnect",
    "tFirstDial",
    "tFirstEngagement",
    "tFirstResponse",
    "tFlowOut",
    "tHandle",
    "tHeld",
    "tHeldComplete",
    "tIvr",
    "tMonitoring",
    "tMonitoringComplete",
    "tNotResponding",
    "tPark",
    "tParkComplete",
    "tScreenMonitoring",
    "tShortAbandon",
    "tSnippetRecord",
    "tTalk",
    "tTalkComplete",
    "tTransmitting",
    "tUserResponseTime",
    "tVoicemail",
    "tWait",
];

/// `metrics`: required, each a real conversation aggregate metric.
pub(super) fn check(metrics: &[String]) -> Result<(), ApiError> {
    if metrics.is_empty() {
        return Err(ApiError::invalid_field(
            "bad.request",
            "FIELD_REQUIRED",
            "metrics",
            "metrics is required, e.g. [\"nOffered\"]",
        ));
    }
    for m in metrics {
        if !REAL_METRICS.contains(&m.as_str()) {
            return Err(ApiError::bad_request(format!(
                "metric {m:?} is not a conversation aggregate metric (the sandbox simulates {})",
                SIMULATED.join(", ")
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn real_metrics_without_sandbox_data_are_accepted() {
        assert!(check(&names(&["tAbandon", "oServiceLevel", "nOffered"])).is_ok());
        assert!(SIMULATED.iter().all(|m| REAL_METRICS.contains(m)));
        assert!(SIMULATED.iter().all(|m| check(&names(&[m])).is_ok()));
    }

    #[test]
    fn unknown_or_missing_metrics_are_refused() {
        let e = check(&names(&["nOffered", "nOfered"])).unwrap_err();
        assert_eq!(
            e.message,
            "metric \"nOfered\" is not a conversation aggregate metric (the sandbox simulates nOffered, tHandle, tAbandon, nOutboundAttempted, nOutboundConnected)"
        );
        assert!(e.details.is_empty());
        let e = check(&names(&["nHandled"])).unwrap_err();
        assert_eq!(e.status, axum::http::StatusCode::BAD_REQUEST);
        assert!(
            e.message.starts_with("metric \"nHandled\" is not"),
            "{}",
            e.message
        );
        let e = check(&[]).unwrap_err();
        assert_eq!(
            e.details,
            [("FIELD_REQUIRED".to_string(), "metrics".to_string())]
        );
        assert_eq!(e.message, "metrics is required, e.g. [\"nOffered\"]");
    }
}

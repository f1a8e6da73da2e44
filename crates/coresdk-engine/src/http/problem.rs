//! RFC 9457 problem details for the answers that refuse a request. The text is fixed per
//! case: nothing from the request (least of all the token) is ever echoed back.

use crate::error::ErrorCode;
use serde_json::{json, Value};

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refusal {
    /// No bearer token where one is required.
    MissingToken,
    /// Several bearer credentials (two `Authorization` fields, or two folded into one):
    /// which one counts would be a guess.
    AmbiguousToken,
    /// A token that did not verify (`TOKEN_INVALID` or `TOKEN_EXPIRED`).
    BadToken(ErrorCode),
    /// The policy said no.
    Denied,
    /// Evaluation failed and the engine fails closed.
    Failed(ErrorCode),
}

impl Refusal {
    /// The HTTP status answering this refusal.
    pub(super) fn status(self) -> u16 {
        match self {
            Refusal::MissingToken | Refusal::BadToken(_) => 401,
            Refusal::AmbiguousToken => 400,
            Refusal::Denied => 403,
            Refusal::Failed(_) => 500,
        }
    }

    /// The `WWW-Authenticate` challenge (RFC 6750 §3) for a 401 or 400 answer.
    pub(super) fn challenge(self) -> Option<&'static str> {
        match self {
            Refusal::MissingToken => Some("Bearer"),
            Refusal::AmbiguousToken => Some("Bearer error=\"invalid_request\""),
            Refusal::BadToken(_) => Some("Bearer error=\"invalid_token\""),
            Refusal::Denied | Refusal::Failed(_) => None,
        }
    }

    /// The problem document (`application/problem+json`).
    pub(super) fn problem(self, decision_id: Option<&str>) -> Value {
        let (title, detail, code) = match self {
            Refusal::MissingToken => (
                "Unauthorized",
                "a bearer token is required",
                Some(ErrorCode::TokenInvalid),
            ),
            Refusal::AmbiguousToken => (
                "Bad Request",
                "more than one Authorization credential",
                Some(ErrorCode::InvalidArgument),
            ),
            Refusal::BadToken(ErrorCode::TokenExpired) => (
                "Unauthorized",
                "the bearer token has expired",
                Some(ErrorCode::TokenExpired),
            ),
            Refusal::BadToken(code) => {
                ("Unauthorized", "the bearer token is not valid", Some(code))
            }
            Refusal::Denied => ("Forbidden", "the policy does not allow this request", None),
            Refusal::Failed(code) => (
                "Internal Server Error",
                "the authorization decision failed",
                Some(code),
            ),
        };
        let mut problem = json!({
            "type": "about:blank",
            "title": title,
            "status": self.status(),
            "detail": detail,
        });
        if let Some(code) = code {
            problem["code"] = code.as_str().into();
        }
        if let Some(id) = decision_id {
            problem["decision_id"] = id.into();
        }
        problem
    }
}

//! The request-authorization operation: verify once, decide, answer.

use super::input::HttpRequest;
use super::problem::Refusal;
use crate::decision_log::{Origin, TraceContext};
use crate::error::{Error, ErrorCode};
use crate::{json, Decision, PolicyEngine, TokenVerifier};
use serde_json::{Map, Value};

/// How requests are authorized (one per route or per service).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestOptions {
    /// Only these headers go into the input (names in any case); `None`: every header
    /// except the credential-carrying ones, which are never included.
    pub include_headers: Option<Vec<String>>,
    /// A request without a bearer token is evaluated without `claims` instead of being
    /// answered 401. A token that is sent must still verify.
    pub token_optional: bool,
}

/// What to answer a request, and why.
#[derive(Debug, Clone)]
pub struct RequestAuthorization {
    /// The status to answer with: 200 to go on to the handler, else 400, 401, 403 or 500.
    pub status: u16,
    /// True when the handler should run (the policy allowed it, or evaluation failed and
    /// the engine fails open).
    pub allowed: bool,
    /// The input document evaluated (or that would have been, when the token failed).
    pub input: Value,
    /// The verified claims, when a token verified.
    pub claims: Option<Map<String, Value>>,
    /// The decision, when the rule was evaluated.
    pub decision: Option<Decision>,
    /// What went wrong, for the service's own logs (token or evaluation errors; its
    /// message never contains the token).
    pub error: Option<Error>,
    /// The RFC 9457 body (`application/problem+json`) when `status` is not 200.
    pub problem: Option<Value>,
    /// The `WWW-Authenticate` value to send with a 400 or 401.
    pub www_authenticate: Option<&'static str>,
}

impl PolicyEngine {
    /// Authorizes `request`: its bearer token is verified by `verifier` (once), the input
    /// document (docs/HTTP.md) gets the claims as `claims`, and the rule at `rule` is
    /// evaluated. `true` allows (200); `false` or undefined denies (403); a missing or
    /// bad token is 401 without evaluating; an evaluation error or a non-boolean value
    /// takes the engine's fail mode (counted like [`Self::allowed`]'s): open lets the
    /// request through with `error` set, closed answers 500. Never fails: every outcome
    /// is an answer.
    pub fn authorize_request(
        &self,
        verifier: &TokenVerifier,
        rule: &str,
        request: &HttpRequest,
        options: &RequestOptions,
    ) -> RequestAuthorization {
        let mut input = request.input(options.include_headers.as_deref());
        let claims = match bearer_token(request) {
            Ok(Some(token)) => match verifier.verify(token) {
                Ok(claims) => Some(claims),
                Err(e) => return refused(Refusal::BadToken(e.code()), input, None, Some(e)),
            },
            Ok(None) if options.token_optional => None,
            Ok(None) => return refused(Refusal::MissingToken, input, None, None),
            Err(refusal) => return refused(refusal, input, None, None),
        };
        if let Some(claims) = &claims {
            input.insert("claims".into(), Value::Object(claims.clone()));
        }
        let text = json::to_string(&Value::Object(input.clone()));
        let traceparent = match &request.trace {
            Some(_) => None,
            None => request
                .header_values("traceparent")
                .next()
                .and_then(TraceContext::from_traceparent),
        };
        let origin = Origin {
            requested_by: request.client_address.as_deref(),
            trace: request.trace.as_ref().or(traceparent.as_ref()),
        };
        let (decision, error) = match self.evaluate_from(rule, text.as_bytes(), origin) {
            Ok(decision) => match &decision.result {
                Some(Value::Bool(true)) => {
                    return answer(200, input, claims, Some(decision), None);
                }
                Some(Value::Bool(false)) | None => {
                    let id = decision.decision_id.clone();
                    let mut denied = refused(Refusal::Denied, input, Some(&id), None);
                    denied.claims = claims;
                    denied.decision = Some(decision);
                    return denied;
                }
                Some(_) => {
                    let e = Error::new(ErrorCode::EvalError, format!("{rule} is not a boolean"));
                    (Some(decision), e)
                }
            },
            Err(e) => (None, e),
        };
        self.metrics.fail_mode();
        if self.options().fail_open {
            let mut through = answer(200, input, claims, decision, None);
            through.error = Some(error);
            return through;
        }
        let id = decision.as_ref().map(|d| d.decision_id.clone());
        let mut failed = refused(
            Refusal::Failed(error.code()),
            input,
            id.as_deref(),
            Some(error),
        );
        failed.claims = claims;
        failed.decision = decision;
        failed
    }
}

/// The token of the one `Authorization: Bearer <token>` field; `None` when there is no
/// bearer credential (no field, or another scheme); a refusal when there are several.
fn bearer_token(request: &HttpRequest) -> Result<Option<&str>, Refusal> {
    let mut fields = request.header_values("authorization");
    let Some(field) = fields.next() else {
        return Ok(None);
    };
    if fields.next().is_some() {
        return Err(Refusal::AmbiguousToken);
    }
    let field = field.trim();
    let Some((scheme, token)) = field.split_once(' ') else {
        return Ok(None);
    };
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Ok(None);
    }
    // A token is one b64token (RFC 6750 §2.1): a space or comma means several credentials
    // were folded into one field (`Bearer a, Bearer b`).
    if token.contains(|c: char| c == ',' || c.is_whitespace()) {
        return Err(Refusal::AmbiguousToken);
    }
    Ok(Some(token))
}

fn answer(
    status: u16,
    input: Map<String, Value>,
    claims: Option<Map<String, Value>>,
    decision: Option<Decision>,
    error: Option<Error>,
) -> RequestAuthorization {
    RequestAuthorization {
        status,
        allowed: status == 200,
        input: Value::Object(input),
        claims,
        decision,
        error,
        problem: None,
        www_authenticate: None,
    }
}

fn refused(
    refusal: Refusal,
    input: Map<String, Value>,
    decision_id: Option<&str>,
    error: Option<Error>,
) -> RequestAuthorization {
    let mut out = answer(refusal.status(), input, None, None, error);
    out.problem = Some(refusal.problem(decision_id));
    out.www_authenticate = refusal.challenge();
    out
}

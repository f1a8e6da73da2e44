//! HTTP request authorization (the core's `http` module): the request and the answer as
//! they cross the boundary. The framework adapters in `coresdk`'s `http.ts` read the
//! request and write the answer; the core decides everything in between.

use crate::error::{call, Result};
use crate::policy::{decision_json, PolicyEngine};
use crate::task::Work;
use crate::token::TokenVerifier;
use coresdk_engine::json;
use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;
use std::sync::Arc;

/// An HTTP request as a server received it.
#[napi(object)]
pub struct NativeHttpRequest {
    /// The method, e.g. `GET`.
    pub method: String,
    /// The request target (`/a/b?x=1`, or absolute form).
    pub target: String,
    /// Header names and values alternating, as Node's `rawHeaders`.
    pub headers: Vec<String>,
    /// The client's address, when known.
    pub client_address: Option<String>,
    /// The trace id of the span serving the request (hex), for the decision log.
    pub trace_id: Option<String>,
    /// The span id of the span serving the request (hex), for the decision log.
    pub span_id: Option<String>,
}

/// How a request is authorized.
#[napi(object)]
pub struct NativeRequestOptions {
    /// Only these headers go into the input (credentials never do).
    pub include_headers: Option<Vec<String>>,
    /// Decide requests without a token instead of answering 401.
    pub token_optional: Option<bool>,
}

/// The core's answer, with its documents as JSON text.
#[napi(object)]
pub struct NativeRequestAuthorization {
    /// 200, 400, 401, 403 or 500.
    pub status: u32,
    /// True when the handler should run.
    pub allowed: bool,
    /// The input document evaluated, as JSON text.
    pub input_json: String,
    /// The verified claims as JSON text, when a token verified.
    pub claims_json: Option<String>,
    /// The decision as JSON text (as `evaluateSync` returns it), when the rule was evaluated.
    pub decision_json: Option<String>,
    /// The code of what went wrong, if anything did.
    pub error_code: Option<String>,
    /// Its message (never the token).
    pub error_message: Option<String>,
    /// The RFC 9457 problem body as JSON text, when `status` is not 200.
    pub problem_json: Option<String>,
    /// The `WWW-Authenticate` value for a 400 or 401.
    pub www_authenticate: Option<String>,
}

fn request(r: NativeHttpRequest) -> coresdk_engine::HttpRequest {
    let headers = r
        .headers
        .chunks(2)
        .map(|pair| (pair[0].clone(), pair.get(1).cloned().unwrap_or_default()))
        .collect();
    coresdk_engine::HttpRequest {
        method: r.method,
        target: r.target,
        headers,
        client_address: r.client_address,
        trace: r
            .trace_id
            .zip(r.span_id)
            .and_then(|(t, s)| coresdk_engine::TraceContext::from_span(&t, &s)),
    }
}

fn options(o: Option<NativeRequestOptions>) -> coresdk_engine::RequestOptions {
    let o = o.unwrap_or(NativeRequestOptions {
        include_headers: None,
        token_optional: None,
    });
    coresdk_engine::RequestOptions {
        include_headers: o.include_headers,
        token_optional: o.token_optional.unwrap_or(false),
    }
}

fn answer(a: coresdk_engine::RequestAuthorization) -> NativeRequestAuthorization {
    NativeRequestAuthorization {
        status: u32::from(a.status),
        allowed: a.allowed,
        input_json: json::to_string(&a.input),
        claims_json: a
            .claims
            .map(|c| json::to_string(&serde_json::Value::Object(c))),
        decision_json: a.decision.map(decision_json),
        error_code: a.error.as_ref().map(|e| e.code().as_str().to_string()),
        error_message: a.error.map(|e| e.message().to_string()),
        problem_json: a.problem.map(|p| json::to_string(&p)),
        www_authenticate: a.www_authenticate.map(str::to_string),
    }
}

#[napi]
impl PolicyEngine {
    /// Authorizes an HTTP request on the calling thread: the bearer token verified once,
    /// the rule at `rule` evaluated on the request's input document, the answer to send.
    #[napi(catch_unwind)]
    pub fn authorize_request_sync(
        &self,
        verifier: &TokenVerifier,
        rule: String,
        req: NativeHttpRequest,
        opts: Option<NativeRequestOptions>,
    ) -> Result<NativeRequestAuthorization> {
        let (req, opts) = (request(req), options(opts));
        call(|| {
            let a = self
                .inner
                .authorize_request(&verifier.inner, &rule, &req, &opts);
            Ok(answer(a))
        })
    }

    /// [`Self::authorize_request_sync`] on the libuv pool.
    #[napi(catch_unwind, ts_return_type = "Promise<NativeRequestAuthorization>")]
    pub fn authorize_request(
        &self,
        verifier: &TokenVerifier,
        rule: String,
        req: NativeHttpRequest,
        opts: Option<NativeRequestOptions>,
    ) -> AsyncTask<Work<NativeRequestAuthorization>> {
        let engine = Arc::clone(&self.inner);
        let verifier = verifier.inner.clone();
        let (req, opts) = (request(req), options(opts));
        AsyncTask::new(Work::new(move || {
            Ok(answer(
                engine.authorize_request(&verifier, &rule, &req, &opts),
            ))
        }))
    }
}

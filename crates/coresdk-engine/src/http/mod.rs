//! Authorizing an HTTP request in one call: the bearer token verified once, the request
//! turned into a policy input, the rule evaluated, and the answer a server sends (status,
//! RFC 9457 problem body, `WWW-Authenticate`). The framework middleware of both bindings
//! (Express, Fastify, Fetch `Request`, ASGI, ...) only read the request and write the
//! answer; every rule about what the input holds and which status answers lives here.
//! The input document's shape is in docs/HTTP.md.

mod authorize;
mod input;
mod problem;

pub use authorize::{RequestAuthorization, RequestOptions};
pub use input::{HttpRequest, REMOVED_HEADERS};

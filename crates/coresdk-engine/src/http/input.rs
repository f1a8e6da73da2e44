//! The policy input built from an HTTP request (docs/HTTP.md).

use crate::decision_log::TraceContext;
use serde_json::{Map, Value};

/// Headers never copied into the input: they carry credentials (the token is verified
/// and its claims are in the input instead).
pub const REMOVED_HEADERS: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// An HTTP request as a server received it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HttpRequest {
    /// The method, e.g. `GET` (written upper-case into the input).
    pub method: String,
    /// The request target: origin form (`/a/b?x=1`), absolute form
    /// (`https://host/a/b?x=1`, scheme and authority dropped) or `*`.
    pub target: String,
    /// The header fields in the order received; names in any case, repeats allowed.
    pub headers: Vec<(String, String)>,
    /// The client's address (e.g. `203.0.113.7`), when the server knows it.
    pub client_address: Option<String>,
    /// The span the request is served in (the host's OpenTelemetry span), named in the
    /// decision log; `None`: the request's W3C `traceparent` header (the caller's span),
    /// if it has a valid one.
    pub trace: Option<TraceContext>,
}

impl HttpRequest {
    /// The values of header `name` (ASCII case-insensitive), in order.
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The input document: `method`, `path`, `parsed_path`, `parsed_query`, `headers`
    /// (`include` only, when given; never [`REMOVED_HEADERS`]), `client_address` when known.
    pub(super) fn input(&self, include: Option<&[String]>) -> Map<String, Value> {
        let (path, query) = split_target(&self.target);
        let mut input = Map::new();
        input.insert(
            "method".into(),
            self.method.trim().to_ascii_uppercase().into(),
        );
        input.insert("path".into(), path.into());
        input.insert("parsed_path".into(), parsed_path(path));
        input.insert("parsed_query".into(), parsed_query(query));
        input.insert("headers".into(), Value::Object(self.header_map(include)));
        if let Some(address) = &self.client_address {
            input.insert("client_address".into(), address.as_str().into());
        }
        input
    }

    /// Header names lower-cased, repeated fields joined with `, ` (RFC 9110 §5.3).
    fn header_map(&self, include: Option<&[String]>) -> Map<String, Value> {
        let mut headers: Map<String, Value> = Map::new();
        for (name, value) in &self.headers {
            let name = name.trim().to_ascii_lowercase();
            let wanted =
                include.is_none_or(|names| names.iter().any(|n| n.eq_ignore_ascii_case(&name)));
            if name.is_empty() || !wanted || REMOVED_HEADERS.contains(&name.as_str()) {
                continue;
            }
            let value = value.trim();
            match headers.get_mut(&name) {
                Some(Value::String(joined)) => {
                    joined.push_str(", ");
                    joined.push_str(value);
                }
                _ => {
                    headers.insert(name, value.into());
                }
            }
        }
        headers
    }
}

/// The path and the query of a request target (the fragment, never sent, is dropped).
fn split_target(target: &str) -> (&str, &str) {
    let target = target.split('#').next().unwrap_or_default();
    let target = match target.find("://") {
        // Absolute form: the path starts at the first `/` after the authority.
        Some(scheme_end) if !target[..scheme_end].contains(['/', '?']) => {
            let rest = &target[scheme_end + 3..];
            rest.find(['/', '?']).map_or("/", |at| &rest[at..])
        }
        _ => target,
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    (if path.is_empty() { "/" } else { path }, query)
}

/// The path's segments, each percent-decoded on its own (so `%2F` stays inside its
/// segment); a segment that does not decode to UTF-8 is kept as sent. `/` is `[""]`, as
/// OPA's Envoy plugin writes it.
fn parsed_path(path: &str) -> Value {
    let segments = path.strip_prefix('/').unwrap_or(path).split('/');
    Value::Array(
        segments
            .map(|segment| {
                percent_encoding::percent_decode_str(segment)
                    .decode_utf8()
                    .map_or_else(|_| segment.to_string(), |s| s.into_owned())
                    .into()
            })
            .collect(),
    )
}

/// The query's parameters, form-decoded: each name maps to its values in order.
fn parsed_query(query: &str) -> Value {
    let mut params: Map<String, Value> = Map::new();
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        match params
            .entry(name.into_owned())
            .or_insert_with(|| Value::Array(Vec::new()))
        {
            Value::Array(values) => values.push(value.into_owned().into()),
            _ => unreachable!("every entry is an array"),
        }
    }
    Value::Object(params)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(target: &str, headers: &[(&str, &str)]) -> HttpRequest {
        HttpRequest {
            method: "get".into(),
            target: target.into(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            client_address: None,
            trace: None,
        }
    }

    #[test]
    fn targets_split_into_path_and_query() {
        assert_eq!(split_target("/a/b?x=1#f"), ("/a/b", "x=1"));
        assert_eq!(split_target("https://h.test:8443/a?x"), ("/a", "x"));
        assert_eq!(split_target("http://h.test?x=1"), ("/", "x=1"));
        assert_eq!(split_target("*"), ("*", ""));
        assert_eq!(split_target("/a?b=http://x"), ("/a", "b=http://x"));
        assert_eq!(split_target(""), ("/", ""));
    }

    #[test]
    fn segments_and_parameters_are_decoded() {
        assert_eq!(parsed_path("/"), json!([""]));
        assert_eq!(
            parsed_path("/files/a%2Fb/%E2%9C%93"),
            json!(["files", "a/b", "✓"])
        );
        assert_eq!(parsed_path("/bad/%FF"), json!(["bad", "%FF"]));
        assert_eq!(
            parsed_query("tag=a&tag=b+c&q=%C3%A9&empty"),
            json!({"tag": ["a", "b c"], "q": ["é"], "empty": [""]})
        );
    }

    #[test]
    fn credentials_never_reach_the_input() {
        let req = request(
            "/x",
            &[
                ("Authorization", "Bearer t"),
                ("Cookie", "s=1"),
                ("X-Id", "1"),
                ("x-id", "2"),
                ("Proxy-Authorization", "p"),
            ],
        );
        assert_eq!(req.input(None)["headers"], json!({"x-id": "1, 2"}));
        let only = vec!["cookie".to_string(), "X-ID".to_string()];
        assert_eq!(req.input(Some(&only))["headers"], json!({"x-id": "1, 2"}));
        assert_eq!(req.input(None)["method"], json!("GET"));
    }
}

//! The trace a decision was made in: OPA's `trace_id` and `span_id` event fields, as W3C
//! Trace Context writes them (lower-case hex, 32 and 16 digits, not all zero).

use crate::error::{Error, ErrorCode, Result};

/// The ids of the span a decision was made in, for correlating decision logs with traces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceContext {
    trace_id: String,
    span_id: String,
}

impl TraceContext {
    /// The ids as OpenTelemetry gives them (hex, any case). Errors: `INVALID_ARGUMENT`
    /// unless `trace_id` is 32 hex digits and `span_id` 16, neither all zero (W3C's
    /// invalid ids).
    pub fn new(trace_id: &str, span_id: &str) -> Result<Self> {
        match (hex_id(trace_id, 32), hex_id(span_id, 16)) {
            (Some(trace_id), Some(span_id)) => Ok(Self { trace_id, span_id }),
            _ => Err(Error::new(
                ErrorCode::InvalidArgument,
                format!(
                    "a trace context is a 32-digit hex trace id and a 16-digit hex span id, \
                     neither all zero (got {} and {} characters)",
                    trace_id.len(),
                    span_id.len()
                ),
            )),
        }
    }

    /// The span a host's tracer reports (OpenTelemetry's `spanContext()`); `None` for its
    /// invalid all-zero ids ("no span") or anything malformed, so the decision is then
    /// correlated by the request's `traceparent` header if it has one.
    pub fn from_span(trace_id: &str, span_id: &str) -> Option<Self> {
        Self::new(trace_id, span_id).ok()
    }

    /// The context of a W3C `traceparent` header (`00-<trace id>-<parent id>-<flags>`):
    /// the caller's span. `None` for anything else, as the recommendation says a
    /// receiver must treat a malformed header.
    pub fn from_traceparent(header: &str) -> Option<Self> {
        let mut parts = header.trim().split('-');
        let version = parts.next()?;
        let trace_id = parts.next()?;
        let span_id = parts.next()?;
        let flags = parts.next()?;
        let lower_hex = |t: &str, n: usize| {
            t.len() == n && t.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        };
        // Version 00 has exactly four fields; a later one may add more after them.
        let fields_ok = version != "00" || parts.next().is_none();
        let ok = lower_hex(version, 2)
            && version != "ff"
            && fields_ok
            && lower_hex(trace_id, 32)
            && lower_hex(span_id, 16)
            && lower_hex(flags, 2);
        if !ok {
            return None;
        }
        Self::new(trace_id, span_id).ok()
    }

    /// The trace id: 32 lower-case hex digits.
    pub fn trace_id(&self) -> &str {
        &self.trace_id
    }

    /// The span id: 16 lower-case hex digits.
    pub fn span_id(&self) -> &str {
        &self.span_id
    }
}

/// `text` lower-cased when it is `digits` hex digits, not all zero.
fn hex_id(text: &str, digits: usize) -> Option<String> {
    let ok = text.len() == digits
        && text.bytes().all(|b| b.is_ascii_hexdigit())
        && text.bytes().any(|b| b != b'0');
    ok.then(|| text.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    const SPAN: &str = "00f067aa0ba902b7";

    #[test]
    fn ids_are_validated_and_lower_cased() {
        let c = TraceContext::new(&TRACE.to_uppercase(), SPAN).unwrap();
        assert_eq!((c.trace_id(), c.span_id()), (TRACE, SPAN));
        for (t, s) in [
            ("0".repeat(32).as_str(), SPAN),
            (TRACE, "0000000000000000"),
            (&TRACE[1..], SPAN),
            (TRACE, "00f067aa0ba902bz"),
        ] {
            let e = TraceContext::new(t, s).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidArgument);
        }
    }

    #[test]
    fn traceparent_headers_as_the_w3c_recommendation_reads_them() {
        let header = format!("00-{TRACE}-{SPAN}-01");
        let c = TraceContext::from_traceparent(&header).unwrap();
        assert_eq!((c.trace_id(), c.span_id()), (TRACE, SPAN));
        // A later version may carry more fields after the four it shares with 00.
        assert!(TraceContext::from_traceparent(&format!("01-{TRACE}-{SPAN}-01-extra")).is_some());
        for bad in [
            format!("00-{TRACE}-{SPAN}-01-extra"),
            format!("ff-{TRACE}-{SPAN}-01"),
            format!("00-{}-{SPAN}-01", TRACE.to_uppercase()),
            format!("00-{}-{SPAN}-01", "0".repeat(32)),
            format!("00-{TRACE}-{SPAN}"),
            format!("00-{TRACE}-{SPAN}-1"),
            "garbage".to_string(),
            String::new(),
        ] {
            assert!(TraceContext::from_traceparent(&bad).is_none(), "{bad}");
        }
    }
}

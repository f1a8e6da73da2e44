//! GraphQL lexer and parser producing the document shapes OPA's `graphql.*` builtins expose
//! (the structures of the gqlparser library OPA uses), with gqlparser's error messages and
//! positions so that errors read as OPA's do.

mod lexer;
mod query;
mod schema;

use super::ast::*;
use lexer::*;

/// Deepest nesting of selection sets, values and type references accepted; deeper input is
/// rejected instead of exhausting the stack.
pub(crate) const MAX_DEPTH: usize = 256;

/// A parse or validation error as gqlparser reports it: a message and, when known, the
/// 1-based line and column it points at.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GqlError {
    pub message: String,
    pub location: Option<Pos>,
}

impl GqlError {
    pub(crate) fn at(pos: Option<Pos>, message: impl Into<String>) -> Self {
        GqlError {
            message: message.into(),
            location: pos,
        }
    }

    /// gqlparser's `Error()` text: `input:LINE:COL: message`.
    pub(crate) fn go_string(&self) -> String {
        match self.location {
            Some(p) => format!("input:{}:{}: {}", p.line, p.column, self.message),
            None => format!("input: {}", self.message),
        }
    }
}

/// Go's `strconv.Quote`.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Parses a GraphQL executable document (gqlparser's `ParseQuery`).
pub(crate) fn parse_query(text: &str) -> Result<QueryDocument, GqlError> {
    let mut p = Parser::new(text);
    let doc = p.query_document();
    match p.err {
        Some(e) => Err(e),
        None => Ok(doc),
    }
}

/// Parses a GraphQL schema document (gqlparser's `ParseSchema`).
pub(crate) fn parse_schema(text: &str, builtin: bool) -> Result<SchemaDocument, GqlError> {
    let mut p = Parser::new(text);
    let mut doc = p.schema_document();
    if let Some(e) = p.err {
        return Err(e);
    }
    for def in doc.definitions.iter_mut().chain(doc.extensions.iter_mut()) {
        def.builtin = builtin;
    }
    Ok(doc)
}

struct Parser<'a> {
    lexer: Lexer<'a>,
    err: Option<GqlError>,
    peeked: bool,
    peek_token: Token,
    peek_error: Option<GqlError>,
    prev: Token,
    comment: Comments,
    depth: usize,
}

#[derive(Default)]
struct Description {
    text: String,
    comment: Comments,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        let blank = Token {
            kind: Kind::Invalid,
            value: String::new(),
            pos: Pos { line: 0, column: 0 },
        };
        Parser {
            lexer: Lexer::new(text),
            err: None,
            peeked: false,
            peek_token: blank.clone(),
            peek_error: None,
            prev: blank,
            comment: None,
            depth: 0,
        }
    }

    fn lex(&mut self) -> (Token, Option<GqlError>) {
        match self.lexer.read() {
            Ok(t) => (t, None),
            Err((t, e)) => (t, Some(e)),
        }
    }

    /// Reads the next token that is not a comment, collecting the comments before it.
    fn lex_skipping_comments(&mut self) -> (Token, Option<GqlError>, Comments) {
        let mut comments = Vec::new();
        loop {
            let (t, e) = self.lex();
            if t.kind == Kind::Comment && e.is_none() {
                comments.push(t.value);
                continue;
            }
            let group = if comments.is_empty() {
                None
            } else {
                Some(comments)
            };
            return (t, e, group);
        }
    }

    fn peek(&mut self) -> Token {
        if self.err.is_some() {
            return self.prev.clone();
        }
        if !self.peeked {
            let (t, e, c) = self.lex_skipping_comments();
            self.peek_token = t;
            self.peek_error = e;
            if c.is_some() {
                self.comment = c;
            }
            self.peeked = true;
        }
        self.peek_token.clone()
    }

    fn peek_kind(&mut self) -> Kind {
        self.peek().kind
    }

    fn peek_pos(&mut self) -> Option<Pos> {
        if self.err.is_some() {
            return None;
        }
        Some(self.peek().pos)
    }

    fn error(&mut self, tok: &Token, message: String) {
        if self.err.is_none() {
            self.err = Some(GqlError::at(Some(tok.pos), message));
        }
    }

    fn next(&mut self) -> Token {
        if self.err.is_some() {
            return self.prev.clone();
        }
        if self.peeked {
            self.peeked = false;
            self.comment = None;
            self.prev = self.peek_token.clone();
            self.err = self.peek_error.take();
        } else {
            let (t, e, c) = self.lex_skipping_comments();
            self.prev = t;
            self.err = e;
            if c.is_some() {
                self.comment = c;
            }
        }
        self.prev.clone()
    }

    fn expect_keyword(&mut self, value: &str) -> (Token, Comments) {
        let tok = self.peek();
        let comment = self.comment.clone();
        if tok.kind == Kind::Name && tok.value == value {
            return (self.next(), comment);
        }
        self.error(
            &tok,
            format!("Expected {}, found {}", go_quote(value), tok.describe()),
        );
        (tok, comment)
    }

    fn expect(&mut self, kind: Kind) -> (Token, Comments) {
        let tok = self.peek();
        let comment = self.comment.clone();
        if tok.kind == kind {
            return (self.next(), comment);
        }
        self.error(
            &tok,
            format!("Expected {}, found {}", kind.text(), tok.kind.text()),
        );
        (tok, comment)
    }

    fn skip(&mut self, kind: Kind) -> bool {
        if self.err.is_some() {
            return false;
        }
        if self.peek_kind() != kind {
            return false;
        }
        self.next();
        true
    }

    fn unexpected(&mut self) {
        let tok = self.peek();
        self.unexpected_token(&tok);
    }

    fn unexpected_token(&mut self, tok: &Token) {
        self.error(tok, format!("Unexpected {}", tok.describe()));
    }

    fn enter(&mut self) -> bool {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            if self.err.is_none() {
                let tok = self.peek();
                self.error(&tok, "document is nested too deeply".to_string());
            }
            return false;
        }
        true
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn many<T>(&mut self, start: Kind, end: Kind, mut f: impl FnMut(&mut Self) -> T) -> Vec<T> {
        let mut out = Vec::new();
        if !self.skip(start) {
            return out;
        }
        while self.peek_kind() != end && self.err.is_none() {
            out.push(f(self));
        }
        self.next();
        out
    }

    /// gqlparser's `some`: like `many` but at least one item; returns the items and the
    /// comments before the closing token.
    fn some<T>(
        &mut self,
        start: Kind,
        end: Kind,
        mut f: impl FnMut(&mut Self) -> T,
    ) -> (Vec<T>, Comments) {
        let mut out = Vec::new();
        if !self.skip(start) {
            return (out, None);
        }
        let mut called = false;
        while self.peek_kind() != end && self.err.is_none() {
            called = true;
            out.push(f(self));
        }
        if !called {
            let tok = self.peek();
            self.error(
                &tok,
                format!(
                    "expected at least one definition, found {}",
                    tok.kind.text()
                ),
            );
            return (out, None);
        }
        let comment = self.comment.clone();
        self.next();
        (out, comment)
    }
}

/// Every directive location GraphQL defines.
pub(crate) const DIRECTIVE_LOCATIONS: &[&str] = &[
    "QUERY",
    "MUTATION",
    "SUBSCRIPTION",
    "FIELD",
    "FRAGMENT_DEFINITION",
    "FRAGMENT_SPREAD",
    "INLINE_FRAGMENT",
    "VARIABLE_DEFINITION",
    "SCHEMA",
    "SCALAR",
    "OBJECT",
    "FIELD_DEFINITION",
    "ARGUMENT_DEFINITION",
    "INTERFACE",
    "UNION",
    "ENUM",
    "ENUM_VALUE",
    "INPUT_OBJECT",
    "INPUT_FIELD_DEFINITION",
];

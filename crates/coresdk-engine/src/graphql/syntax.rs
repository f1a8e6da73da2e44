//! GraphQL lexer and parser producing the document shapes OPA's `graphql.*` builtins expose
//! (the structures of the gqlparser library OPA uses), with gqlparser's error messages and
//! positions so that errors read as OPA's do.

use super::ast::*;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Invalid,
    Eof,
    Bang,
    Dollar,
    Amp,
    ParenL,
    ParenR,
    Spread,
    Colon,
    Equals,
    At,
    BracketL,
    BracketR,
    BraceL,
    BraceR,
    Pipe,
    Name,
    Int,
    Float,
    String,
    BlockString,
    Comment,
}

impl Kind {
    fn text(self) -> &'static str {
        match self {
            Kind::Invalid => "<Invalid>",
            Kind::Eof => "<EOF>",
            Kind::Bang => "!",
            Kind::Dollar => "$",
            Kind::Amp => "&",
            Kind::ParenL => "(",
            Kind::ParenR => ")",
            Kind::Spread => "...",
            Kind::Colon => ":",
            Kind::Equals => "=",
            Kind::At => "@",
            Kind::BracketL => "[",
            Kind::BracketR => "]",
            Kind::BraceL => "{",
            Kind::BraceR => "}",
            Kind::Pipe => "|",
            Kind::Name => "Name",
            Kind::Int => "Int",
            Kind::Float => "Float",
            Kind::String => "String",
            Kind::BlockString => "BlockString",
            Kind::Comment => "Comment",
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    value: String,
    pos: Pos,
}

impl Token {
    fn describe(&self) -> String {
        if self.value.is_empty() {
            self.kind.text().to_string()
        } else {
            format!("{} {}", self.kind.text(), go_quote(&self.value))
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

struct Lexer<'a> {
    input: &'a [u8],
    text: &'a str,
    start: usize,
    start_runes: usize,
    end: usize,
    end_runes: usize,
    line: usize,
    line_start_runes: usize,
}

type LexResult = Result<Token, (Token, GqlError)>;

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        Lexer {
            input: text.as_bytes(),
            text,
            start: 0,
            start_runes: 0,
            end: 0,
            end_runes: 0,
            line: 1,
            line_start_runes: 0,
        }
    }

    fn token(&self, kind: Kind, value: String) -> Token {
        Token {
            kind,
            value,
            pos: Pos {
                line: self.line,
                column: self.start_runes as i64 - self.line_start_runes as i64 + 1,
            },
        }
    }

    fn raw_token(&self, kind: Kind) -> LexResult {
        let value = self
            .text
            .get(self.start..self.end)
            .unwrap_or("")
            .to_string();
        Ok(self.token(kind, value))
    }

    fn error(&self, message: String) -> LexResult {
        let pos = Pos {
            line: self.line,
            column: self.end_runes as i64 - self.line_start_runes as i64 + 1,
        };
        Err((
            Token {
                kind: Kind::Invalid,
                value: String::new(),
                pos,
            },
            GqlError::at(Some(pos), message),
        ))
    }

    fn peek_char(&self) -> Option<(char, usize)> {
        let rest = self.text.get(self.end..)?;
        rest.chars().next().map(|c| (c, c.len_utf8()))
    }

    fn read(&mut self) -> LexResult {
        self.whitespace();
        self.start = self.end;
        self.start_runes = self.end_runes;
        if self.end >= self.input.len() {
            return self.raw_token(Kind::Eof);
        }
        let r = self.input[self.start];
        self.end += 1;
        self.end_runes += 1;
        let simple = match r {
            b'!' => Some(Kind::Bang),
            b'$' => Some(Kind::Dollar),
            b'&' => Some(Kind::Amp),
            b'(' => Some(Kind::ParenL),
            b')' => Some(Kind::ParenR),
            b':' => Some(Kind::Colon),
            b'=' => Some(Kind::Equals),
            b'@' => Some(Kind::At),
            b'[' => Some(Kind::BracketL),
            b']' => Some(Kind::BracketR),
            b'{' => Some(Kind::BraceL),
            b'}' => Some(Kind::BraceR),
            b'|' => Some(Kind::Pipe),
            _ => None,
        };
        if let Some(kind) = simple {
            return Ok(self.token(kind, String::new()));
        }
        match r {
            b'.' if self.input.get(self.start..self.start + 3) == Some(b"...") => {
                self.end += 2;
                self.end_runes += 2;
                return Ok(self.token(Kind::Spread, String::new()));
            }
            b'#' => return self.read_comment(),
            b'_' | b'a'..=b'z' | b'A'..=b'Z' => return self.read_name(),
            b'-' | b'0'..=b'9' => return self.read_number(),
            b'"' => {
                if self.input.get(self.start..self.start + 3) == Some(b"\"\"\"") {
                    return self.read_block_string();
                }
                return self.read_string();
            }
            _ => {}
        }
        self.end -= 1;
        self.end_runes -= 1;
        if r < 0x20 && r != b'\t' && r != b'\n' && r != b'\r' {
            return self.error(format!(
                "Cannot contain the invalid character \"\\u{:04x}\"",
                r
            ));
        }
        if r == b'\'' {
            return self.error(
                "Unexpected single quote character ('), did you mean to use a double quote (\")?"
                    .to_string(),
            );
        }
        // Go converts the byte (not the whole character) to a string here.
        self.error(format!(
            "Cannot parse the unexpected character \"{}\".",
            char::from(r)
        ))
    }

    fn whitespace(&mut self) {
        while self.end < self.input.len() {
            match self.input[self.end] {
                b'\t' | b' ' | b',' => {
                    self.end += 1;
                    self.end_runes += 1;
                }
                b'\n' => {
                    self.end += 1;
                    self.end_runes += 1;
                    self.line += 1;
                    self.line_start_runes = self.end_runes;
                }
                b'\r' => {
                    self.end += 1;
                    self.end_runes += 1;
                    self.line += 1;
                    self.line_start_runes = self.end_runes;
                    if self.input.get(self.end) == Some(&b'\n') {
                        self.end += 1;
                        self.end_runes += 1;
                    }
                }
                0xef if self.input.get(self.end + 1..self.end + 3) == Some(&[0xbb, 0xbf]) => {
                    self.end += 3;
                    self.end_runes += 1;
                }
                _ => return,
            }
        }
    }

    fn read_comment(&mut self) -> LexResult {
        while let Some((c, w)) = self.peek_char() {
            if c as u32 > 0x1f || c == '\t' {
                self.end += w;
                self.end_runes += 1;
            } else {
                break;
            }
        }
        self.raw_token(Kind::Comment)
    }

    fn accept(&mut self, bytes: &[u8]) -> bool {
        match self.input.get(self.end) {
            Some(b) if bytes.contains(b) => {
                self.end += 1;
                self.end_runes += 1;
                true
            }
            _ => false,
        }
    }

    fn digits(&mut self) -> usize {
        let mut n = 0;
        while self.end < self.input.len() && self.input[self.end].is_ascii_digit() {
            self.end += 1;
            self.end_runes += 1;
            n += 1;
        }
        n
    }

    fn describe_next(&self) -> String {
        match self.input.get(self.end) {
            Some(b) => format!("\"{}\"", char::from(*b)),
            None => "<EOF>".to_string(),
        }
    }

    fn read_number(&mut self) -> LexResult {
        let mut float = false;
        self.end -= 1;
        self.end_runes -= 1;
        self.accept(b"-");
        if self.accept(b"0") {
            let n = self.digits();
            if n != 0 {
                self.end -= n;
                self.end_runes -= n;
                return self.error(format!(
                    "Invalid number, unexpected digit after 0: {}.",
                    self.describe_next()
                ));
            }
        } else if self.digits() == 0 {
            return self.error(format!(
                "Invalid number, expected digit but got: {}.",
                self.describe_next()
            ));
        }
        if self.accept(b".") {
            float = true;
            if self.digits() == 0 {
                return self.error(format!(
                    "Invalid number, expected digit but got: {}.",
                    self.describe_next()
                ));
            }
        }
        if self.accept(b"eE") {
            float = true;
            self.accept(b"-+");
            if self.digits() == 0 {
                return self.error(format!(
                    "Invalid number, expected digit but got: {}.",
                    self.describe_next()
                ));
            }
        }
        self.raw_token(if float { Kind::Float } else { Kind::Int })
    }

    fn read_string(&mut self) -> LexResult {
        let len = self.input.len();
        let mut buf: Option<String> = None;
        self.start += 1;
        self.start_runes += 1;
        while self.end < len {
            let r = self.input[self.end];
            if r == b'\n' || r == b'\r' {
                break;
            }
            if r < 0x20 && r != b'\t' {
                return self.error(format!(
                    "Invalid character within String: \"\\u{:04x}\".",
                    r
                ));
            }
            match r {
                b'"' => {
                    let mut t = self.raw_token(Kind::String)?;
                    if let Some(b) = buf {
                        t.value = b;
                    }
                    self.end += 1;
                    self.end_runes += 1;
                    return Ok(t);
                }
                b'\\' => {
                    if self.end + 1 >= len {
                        self.end += 1;
                        self.end_runes += 1;
                        return self.error("Invalid character escape sequence.".to_string());
                    }
                    let b = buf.get_or_insert_with(|| {
                        self.text
                            .get(self.start..self.end)
                            .unwrap_or("")
                            .to_string()
                    });
                    let escape = self.input[self.end + 1];
                    if escape == b'u' {
                        if self.end + 6 >= len {
                            self.end += 1;
                            self.end_runes += 1;
                            let rest =
                                String::from_utf8_lossy(&self.input[self.end..]).into_owned();
                            return self
                                .error(format!("Invalid character escape sequence: \\{rest}."));
                        }
                        let hex = &self.input[self.end + 2..self.end + 6];
                        match unhex(hex) {
                            Some(v) => {
                                b.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                                self.end += 6;
                                self.end_runes += 6;
                            }
                            None => {
                                self.end += 1;
                                self.end_runes += 1;
                                let bad = String::from_utf8_lossy(
                                    &self.input[self.end..(self.end + 5).min(len)],
                                )
                                .into_owned();
                                return self
                                    .error(format!("Invalid character escape sequence: \\{bad}."));
                            }
                        }
                    } else {
                        let c = match escape {
                            b'"' | b'/' | b'\\' => char::from(escape),
                            b'b' => '\u{8}',
                            b'f' => '\u{c}',
                            b'n' => '\n',
                            b'r' => '\r',
                            b't' => '\t',
                            _ => {
                                self.end += 1;
                                self.end_runes += 1;
                                return self.error(format!(
                                    "Invalid character escape sequence: \\{}.",
                                    char::from(escape)
                                ));
                            }
                        };
                        b.push(c);
                        self.end += 2;
                        self.end_runes += 2;
                    }
                }
                _ => {
                    let (c, w) = self.peek_char().unwrap_or((char::from(r), 1));
                    self.end += w;
                    self.end_runes += 1;
                    if let Some(b) = buf.as_mut() {
                        b.push(c);
                    }
                }
            }
        }
        self.error("Unterminated string.".to_string())
    }

    fn read_block_string(&mut self) -> LexResult {
        let len = self.input.len();
        let mut buf = String::new();
        self.start += 3;
        self.start_runes += 3;
        self.end += 2;
        self.end_runes += 2;
        while self.end < len {
            let r = self.input[self.end];
            if r == b'"' {
                let mut quotes = 1;
                while self.input.get(self.end + quotes) == Some(&b'"') {
                    quotes += 1;
                }
                if quotes >= 3 {
                    for _ in 0..quotes - 3 {
                        buf.push('"');
                    }
                    let t = self.token(Kind::BlockString, block_string_value(&buf));
                    self.end += quotes;
                    self.end_runes += quotes;
                    return Ok(t);
                }
            }
            if r < 0x20 && r != b'\t' && r != b'\n' && r != b'\r' {
                return self.error(format!(
                    "Invalid character within String: \"\\u{:04x}\".",
                    r
                ));
            }
            if r == b'\\' && self.input.get(self.end..self.end + 4) == Some(b"\\\"\"\"") {
                buf.push_str("\"\"\"");
                self.end += 4;
                self.end_runes += 4;
            } else if r == b'\r' {
                if self.input.get(self.end + 1) == Some(&b'\n') {
                    self.end += 1;
                    self.end_runes += 1;
                }
                buf.push('\n');
                self.end += 1;
                self.end_runes += 1;
                self.line += 1;
                self.line_start_runes = self.end_runes;
            } else {
                let (c, w) = self.peek_char().unwrap_or((char::from(r), 1));
                self.end += w;
                self.end_runes += 1;
                buf.push(c);
                if r == b'\n' {
                    self.line += 1;
                    self.line_start_runes = self.end_runes;
                }
            }
        }
        self.error("Unterminated string.".to_string())
    }

    fn read_name(&mut self) -> LexResult {
        while let Some((c, w)) = self.peek_char() {
            if c.is_ascii_alphanumeric() || c == '_' {
                self.end += w;
                self.end_runes += 1;
            } else {
                break;
            }
        }
        self.raw_token(Kind::Name)
    }
}

fn unhex(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for c in b {
        v = (v << 4) | (*c as char).to_digit(16)?;
    }
    Some(v)
}

fn leading_whitespace(s: &str) -> Option<usize> {
    s.bytes().position(|b| b != b' ' && b != b'\t')
}

fn block_string_value(raw: &str) -> String {
    let mut lines: Vec<&str> = raw.split('\n').collect();
    let mut common: Option<usize> = None;
    for line in &lines {
        if let Some(indent) = leading_whitespace(line) {
            if common.is_none_or(|c| indent < c) {
                common = Some(indent);
                if indent == 0 {
                    break;
                }
            }
        }
    }
    if let Some(common) = common {
        for line in lines.iter_mut().skip(1) {
            *line = line.get(common..).unwrap_or("");
        }
    }
    let mut start = 0;
    let mut end = lines.len();
    while start < end && leading_whitespace(lines[start]).is_none() {
        start += 1;
    }
    while start < end && leading_whitespace(lines[end - 1]).is_none() {
        end -= 1;
    }
    lines[start..end].join("\n")
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

    // ---- executable documents ----

    fn query_document(&mut self) -> QueryDocument {
        let mut doc = QueryDocument::default();
        while self.peek_kind() != Kind::Eof {
            if self.err.is_some() {
                return doc;
            }
            let tok = self.peek();
            match tok.kind {
                Kind::Name => match tok.value.as_str() {
                    "query" | "mutation" | "subscription" => {
                        let op = self.operation_definition();
                        doc.operations.push(op);
                    }
                    "fragment" => {
                        let f = self.fragment_definition();
                        doc.fragments.push(f);
                    }
                    _ => self.unexpected(),
                },
                Kind::BraceL => {
                    let op = self.operation_definition();
                    doc.operations.push(op);
                }
                _ => self.unexpected(),
            }
        }
        doc
    }

    fn operation_definition(&mut self) -> OperationDefinition {
        if self.peek_kind() == Kind::BraceL {
            // gqlparser reads its comment after parsing the selection set (Go evaluates
            // the calls in a composite literal before its plain operands): by then none.
            let position = self.peek_pos();
            let selection_set = self.required_selection_set();
            return OperationDefinition {
                position,
                comment: self.comment.clone(),
                operation: "query".to_string(),
                selection_set,
                ..Default::default()
            };
        }
        let mut od = OperationDefinition {
            position: self.peek_pos(),
            comment: self.comment.clone(),
            ..Default::default()
        };
        od.operation = self.operation_type();
        if self.peek_kind() == Kind::Name {
            od.name = self.next().value;
        }
        od.variable_definitions = self.variable_definitions();
        od.directives = self.directives(false);
        od.selection_set = self.required_selection_set();
        od
    }

    fn operation_type(&mut self) -> String {
        let tok = self.next();
        match tok.value.as_str() {
            "query" | "mutation" | "subscription" => tok.value,
            _ => {
                self.unexpected_token(&tok);
                String::new()
            }
        }
    }

    fn variable_definitions(&mut self) -> Vec<VariableDefinition> {
        self.some(Kind::ParenL, Kind::ParenR, |p| p.variable_definition())
            .0
    }

    fn variable_definition(&mut self) -> VariableDefinition {
        let position = self.peek_pos();
        let comment = self.comment.clone();
        let variable = self.variable();
        self.expect(Kind::Colon);
        let ty = self.type_reference();
        let default_value = if self.skip(Kind::Equals) {
            self.value_literal(true)
        } else {
            None
        };
        let directives = self.directives(false);
        VariableDefinition {
            variable,
            ty,
            default_value,
            directives,
            position,
            comment,
        }
    }

    fn variable(&mut self) -> String {
        self.expect(Kind::Dollar);
        self.name()
    }

    fn optional_selection_set(&mut self) -> Vec<Selection> {
        if !self.enter() {
            self.leave();
            return Vec::new();
        }
        let out = self.some(Kind::BraceL, Kind::BraceR, |p| p.selection()).0;
        self.leave();
        out
    }

    fn required_selection_set(&mut self) -> Vec<Selection> {
        let tok = self.peek();
        if tok.kind != Kind::BraceL {
            self.error(&tok, format!("Expected {{, found {}", tok.kind.text()));
            return Vec::new();
        }
        self.optional_selection_set()
    }

    fn selection(&mut self) -> Selection {
        if self.peek_kind() == Kind::Spread {
            return self.fragment();
        }
        Selection::Field(self.field())
    }

    fn field(&mut self) -> Field {
        let position = self.peek_pos();
        let comment = self.comment.clone();
        let alias = self.name();
        let name = if self.skip(Kind::Colon) {
            self.name()
        } else {
            alias.clone()
        };
        let arguments = self.arguments(false);
        let directives = self.directives(false);
        let selection_set = if self.peek_kind() == Kind::BraceL {
            self.optional_selection_set()
        } else {
            Vec::new()
        };
        Field {
            alias,
            name,
            arguments,
            directives,
            selection_set,
            position,
            comment,
        }
    }

    fn arguments(&mut self, is_const: bool) -> Vec<Argument> {
        self.some(Kind::ParenL, Kind::ParenR, |p| p.argument(is_const))
            .0
    }

    fn argument(&mut self, is_const: bool) -> Argument {
        let position = self.peek_pos();
        let comment = self.comment.clone();
        let name = self.name();
        self.expect(Kind::Colon);
        let value = self.value_literal(is_const);
        Argument {
            name,
            value,
            position,
            comment,
        }
    }

    fn fragment(&mut self) -> Selection {
        let (_, comment) = self.expect(Kind::Spread);
        let peek = self.peek();
        if peek.kind == Kind::Name && peek.value != "on" {
            let position = self.peek_pos();
            let name = self.fragment_name();
            let directives = self.directives(false);
            return Selection::FragmentSpread(FragmentSpread {
                name,
                directives,
                position,
                comment,
            });
        }
        let position = self.peek_pos();
        let mut type_condition = String::new();
        if self.peek().value == "on" {
            self.next();
            type_condition = self.name();
        }
        let directives = self.directives(false);
        let selection_set = self.required_selection_set();
        Selection::InlineFragment(InlineFragment {
            type_condition,
            directives,
            selection_set,
            position,
            comment,
        })
    }

    fn fragment_definition(&mut self) -> FragmentDefinition {
        let position = self.peek_pos();
        let comment = self.comment.clone();
        self.expect_keyword("fragment");
        let name = self.fragment_name();
        let variable_definition = self.variable_definitions();
        self.expect_keyword("on");
        let type_condition = self.name();
        let directives = self.directives(false);
        let selection_set = self.required_selection_set();
        FragmentDefinition {
            name,
            variable_definition,
            type_condition,
            directives,
            selection_set,
            position,
            comment,
        }
    }

    fn fragment_name(&mut self) -> String {
        if self.peek().value == "on" {
            self.unexpected();
            return String::new();
        }
        self.name()
    }

    fn value_literal(&mut self, is_const: bool) -> Option<Value> {
        if !self.enter() {
            self.leave();
            return None;
        }
        let v = self.value_literal_inner(is_const);
        self.leave();
        v
    }

    fn value_literal_inner(&mut self, is_const: bool) -> Option<Value> {
        let token = self.peek();
        let kind = match token.kind {
            Kind::BracketL => {
                let position = self.peek_pos();
                let comment = self.comment.clone();
                let children = self.many(Kind::BracketL, Kind::BracketR, |p| ChildValue {
                    name: String::new(),
                    value: p.value_literal(is_const),
                    position: None,
                    comment: None,
                });
                return Some(Value {
                    children,
                    kind: ValueKind::List,
                    position,
                    comment,
                    raw: String::new(),
                });
            }
            Kind::BraceL => {
                let position = self.peek_pos();
                let comment = self.comment.clone();
                let children = self.many(Kind::BraceL, Kind::BraceR, |p| p.object_field(is_const));
                return Some(Value {
                    children,
                    kind: ValueKind::Object,
                    position,
                    comment,
                    raw: String::new(),
                });
            }
            Kind::Dollar => {
                if is_const {
                    self.unexpected();
                    return None;
                }
                // As above: the comment is read after the variable was parsed.
                let raw = self.variable();
                return Some(Value {
                    raw,
                    kind: ValueKind::Variable,
                    position: Some(token.pos),
                    comment: self.comment.clone(),
                    children: Vec::new(),
                });
            }
            Kind::Int => ValueKind::Int,
            Kind::Float => ValueKind::Float,
            Kind::String => ValueKind::String,
            Kind::BlockString => ValueKind::Block,
            Kind::Name => match token.value.as_str() {
                "true" | "false" => ValueKind::Boolean,
                "null" => ValueKind::Null,
                _ => ValueKind::Enum,
            },
            _ => {
                self.unexpected();
                return None;
            }
        };
        self.next();
        Some(Value {
            raw: token.value,
            kind,
            position: Some(token.pos),
            comment: self.comment.clone(),
            children: Vec::new(),
        })
    }

    fn object_field(&mut self, is_const: bool) -> ChildValue {
        let position = self.peek_pos();
        let comment = self.comment.clone();
        let name = self.name();
        self.expect(Kind::Colon);
        let value = self.value_literal(is_const);
        ChildValue {
            name,
            value,
            position,
            comment,
        }
    }

    fn directives(&mut self, is_const: bool) -> Vec<Directive> {
        let mut out = Vec::new();
        while self.peek_kind() == Kind::At {
            if self.err.is_some() {
                break;
            }
            self.expect(Kind::At);
            let position = self.peek_pos();
            let name = self.name();
            let arguments = self.arguments(is_const);
            out.push(Directive {
                name,
                arguments,
                position,
            });
        }
        out
    }

    fn type_reference(&mut self) -> TypeRef {
        if !self.enter() {
            self.leave();
            return TypeRef::default();
        }
        let mut ty = TypeRef::default();
        if self.skip(Kind::BracketL) {
            ty.position = self.peek_pos();
            ty.elem = Some(Box::new(self.type_reference()));
            self.expect(Kind::BracketR);
        } else {
            ty.position = self.peek_pos();
            ty.named_type = self.name();
        }
        if self.skip(Kind::Bang) {
            ty.non_null = true;
        }
        self.leave();
        ty
    }

    fn name(&mut self) -> String {
        self.expect(Kind::Name).0.value
    }

    // ---- schema documents ----

    fn schema_document(&mut self) -> SchemaDocument {
        let mut doc = SchemaDocument::default();
        while self.peek_kind() != Kind::Eof {
            if self.err.is_some() {
                return doc;
            }
            let mut description = Description::default();
            if matches!(self.peek_kind(), Kind::BlockString | Kind::String) {
                description = self.description();
            }
            if self.peek_kind() != Kind::Name {
                self.unexpected();
                break;
            }
            match self.peek().value.as_str() {
                "scalar" | "type" | "interface" | "union" | "enum" | "input" => {
                    let d = self.type_system_definition(description);
                    doc.definitions.push(d);
                }
                "schema" => {
                    let s = self.schema_definition(description);
                    doc.schema.push(s);
                }
                "directive" => {
                    let d = self.directive_definition(description);
                    doc.directives.push(d);
                }
                "extend" => {
                    if !description.text.is_empty() {
                        let prev = self.prev.clone();
                        self.unexpected_token(&prev);
                    }
                    self.type_system_extension(&mut doc);
                }
                _ => {
                    self.unexpected();
                    return doc;
                }
            }
        }
        doc.comment = self.comment.clone();
        doc
    }

    fn description(&mut self) -> Description {
        let tok = self.peek();
        if !matches!(tok.kind, Kind::BlockString | Kind::String) {
            return Description::default();
        }
        let comment = self.comment.clone();
        let text = self.next().value;
        Description { text, comment }
    }

    fn type_system_definition(&mut self, description: Description) -> Definition {
        let tok = self.peek();
        let (kind, keyword) = match tok.value.as_str() {
            "scalar" => ("SCALAR", "scalar"),
            "type" => ("OBJECT", "type"),
            "interface" => ("INTERFACE", "interface"),
            "union" => ("UNION", "union"),
            "enum" => ("ENUM", "enum"),
            _ => ("INPUT_OBJECT", "input"),
        };
        let (_, comment) = self.expect_keyword(keyword);
        let mut def = Definition {
            position: self.peek_pos(),
            kind: kind.to_string(),
            before_description_comment: description.comment,
            description: description.text,
            after_description_comment: comment,
            ..Default::default()
        };
        def.name = self.name();
        match kind {
            "SCALAR" => def.directives = self.directives(true),
            "OBJECT" | "INTERFACE" => {
                def.interfaces = self.implements_interfaces();
                def.directives = self.directives(true);
                let (fields, c) = self.some(Kind::BraceL, Kind::BraceR, |p| p.field_definition());
                def.fields = fields;
                def.end_of_definition_comment = c;
            }
            "UNION" => {
                def.directives = self.directives(true);
                (def.types, def.type_positions) = self.union_member_types();
            }
            "ENUM" => {
                def.directives = self.directives(true);
                let (values, c) =
                    self.some(Kind::BraceL, Kind::BraceR, |p| p.enum_value_definition());
                def.enum_values = values;
                def.end_of_definition_comment = c;
            }
            _ => {
                def.directives = self.directives(true);
                let (fields, c) =
                    self.some(Kind::BraceL, Kind::BraceR, |p| p.input_value_definition());
                def.fields = fields;
                def.end_of_definition_comment = c;
            }
        }
        def
    }

    fn schema_definition(&mut self, description: Description) -> SchemaDefinition {
        let (_, comment) = self.expect_keyword("schema");
        let mut def = SchemaDefinition {
            position: self.peek_pos(),
            before_description_comment: description.comment,
            description: description.text,
            after_description_comment: comment,
            ..Default::default()
        };
        def.directives = self.directives(true);
        let (ops, c) = self.some(Kind::BraceL, Kind::BraceR, |p| {
            p.operation_type_definition()
        });
        def.operation_types = ops;
        def.end_of_definition_comment = c;
        def
    }

    fn operation_type_definition(&mut self) -> OperationTypeDefinition {
        let position = self.peek_pos();
        let comment = self.comment.clone();
        let operation = self.operation_type();
        self.expect(Kind::Colon);
        let ty = self.name();
        OperationTypeDefinition {
            operation,
            ty,
            position,
            comment,
        }
    }

    fn implements_interfaces(&mut self) -> Vec<String> {
        let mut types = Vec::new();
        if self.peek().value == "implements" {
            self.next();
            self.skip(Kind::Amp);
            types.push(self.name());
            while self.skip(Kind::Amp) && self.err.is_none() {
                types.push(self.name());
            }
        }
        types
    }

    fn field_definition(&mut self) -> FieldDefinition {
        let mut def = FieldDefinition::default();
        let desc = self.description();
        if !desc.text.is_empty() {
            def.before_description_comment = desc.comment;
            def.description = desc.text;
        }
        self.peek();
        def.after_description_comment = self.comment.clone();
        def.position = self.peek_pos();
        def.name = self.name();
        def.arguments = self.argument_definitions();
        self.expect(Kind::Colon);
        def.ty = self.type_reference();
        def.directives = self.directives(true);
        def
    }

    fn argument_definitions(&mut self) -> Vec<FieldDefinition> {
        self.some(Kind::ParenL, Kind::ParenR, |p| p.input_value_definition())
            .0
    }

    /// An argument definition or an input field definition (the same shape).
    fn input_value_definition(&mut self) -> FieldDefinition {
        let mut def = FieldDefinition::default();
        let desc = self.description();
        if !desc.text.is_empty() {
            def.before_description_comment = desc.comment;
            def.description = desc.text;
        }
        self.peek();
        def.after_description_comment = self.comment.clone();
        def.position = self.peek_pos();
        def.name = self.name();
        self.expect(Kind::Colon);
        def.ty = self.type_reference();
        if self.skip(Kind::Equals) {
            def.default_value = self.value_literal(true);
        }
        def.directives = self.directives(true);
        def
    }

    fn union_member_types(&mut self) -> (Vec<String>, Vec<Option<Pos>>) {
        let mut types = Vec::new();
        let mut positions = Vec::new();
        if self.skip(Kind::Equals) {
            self.skip(Kind::Pipe);
            positions.push(self.peek_pos());
            types.push(self.name());
            while self.skip(Kind::Pipe) && self.err.is_none() {
                positions.push(self.peek_pos());
                types.push(self.name());
            }
        }
        (types, positions)
    }

    fn enum_value_definition(&mut self) -> EnumValueDefinition {
        let mut def = EnumValueDefinition::default();
        let desc = self.description();
        if !desc.text.is_empty() {
            def.before_description_comment = desc.comment;
            def.description = desc.text;
        }
        self.peek();
        def.after_description_comment = self.comment.clone();
        def.position = self.peek_pos();
        def.name = self.name();
        def.directives = self.directives(true);
        def
    }

    fn type_system_extension(&mut self, doc: &mut SchemaDocument) {
        let (_, comment) = self.expect_keyword("extend");
        let which = self.peek().value;
        if which == "schema" {
            self.expect_keyword("schema");
            let mut def = SchemaDefinition {
                position: self.peek_pos(),
                after_description_comment: comment,
                ..Default::default()
            };
            def.directives = self.directives(true);
            let (ops, c) = self.some(Kind::BraceL, Kind::BraceR, |p| {
                p.operation_type_definition()
            });
            def.operation_types = ops;
            def.end_of_definition_comment = c;
            if def.directives.is_empty() && def.operation_types.is_empty() {
                self.unexpected();
            }
            doc.schema_extension.push(def);
            return;
        }
        let kind = match which.as_str() {
            "scalar" => "SCALAR",
            "type" => "OBJECT",
            "interface" => "INTERFACE",
            "union" => "UNION",
            "enum" => "ENUM",
            "input" => "INPUT_OBJECT",
            _ => {
                self.unexpected();
                return;
            }
        };
        self.expect_keyword(&which);
        let mut def = Definition {
            position: self.peek_pos(),
            after_description_comment: comment,
            kind: kind.to_string(),
            ..Default::default()
        };
        def.name = self.name();
        let empty = match kind {
            "SCALAR" => {
                def.directives = self.directives(true);
                def.directives.is_empty()
            }
            "OBJECT" => {
                def.interfaces = self.implements_interfaces();
                def.directives = self.directives(true);
                let (fields, c) = self.some(Kind::BraceL, Kind::BraceR, |p| p.field_definition());
                def.fields = fields;
                def.end_of_definition_comment = c;
                def.interfaces.is_empty() && def.directives.is_empty() && def.fields.is_empty()
            }
            "INTERFACE" => {
                def.directives = self.directives(true);
                let (fields, c) = self.some(Kind::BraceL, Kind::BraceR, |p| p.field_definition());
                def.fields = fields;
                def.end_of_definition_comment = c;
                def.directives.is_empty() && def.fields.is_empty()
            }
            "UNION" => {
                def.directives = self.directives(true);
                (def.types, def.type_positions) = self.union_member_types();
                def.directives.is_empty() && def.types.is_empty()
            }
            "ENUM" => {
                def.directives = self.directives(true);
                let (values, c) =
                    self.some(Kind::BraceL, Kind::BraceR, |p| p.enum_value_definition());
                def.enum_values = values;
                def.end_of_definition_comment = c;
                def.directives.is_empty() && def.enum_values.is_empty()
            }
            _ => {
                def.directives = self.directives(false);
                let (fields, c) =
                    self.some(Kind::BraceL, Kind::BraceR, |p| p.input_value_definition());
                def.fields = fields;
                def.end_of_definition_comment = c;
                def.directives.is_empty() && def.fields.is_empty()
            }
        };
        if empty {
            self.unexpected();
        }
        doc.extensions.push(def);
    }

    fn directive_definition(&mut self, description: Description) -> DirectiveDefinition {
        let (_, comment) = self.expect_keyword("directive");
        self.expect(Kind::At);
        let mut def = DirectiveDefinition {
            position: self.peek_pos(),
            before_description_comment: description.comment,
            description: description.text,
            after_description_comment: comment,
            ..Default::default()
        };
        def.name = self.name();
        def.arguments = self.argument_definitions();
        let peek = self.peek();
        if peek.kind == Kind::Name && peek.value == "repeatable" {
            def.is_repeatable = true;
            self.skip(Kind::Name);
        }
        self.expect_keyword("on");
        self.skip(Kind::Pipe);
        def.locations.push(self.directive_location());
        while self.skip(Kind::Pipe) && self.err.is_none() {
            def.locations.push(self.directive_location());
        }
        def
    }

    fn directive_location(&mut self) -> String {
        let (name, _) = self.expect(Kind::Name);
        if DIRECTIVE_LOCATIONS.contains(&name.value.as_str()) {
            return name.value;
        }
        self.unexpected_token(&name);
        String::new()
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

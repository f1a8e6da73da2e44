//! The GraphQL lexer: tokens with gqlparser's positions and error messages.

use super::{go_quote, GqlError};
use crate::graphql::ast::Pos;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
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
    pub(super) fn text(self) -> &'static str {
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
pub(super) struct Token {
    pub(super) kind: Kind,
    pub(super) value: String,
    pub(super) pos: Pos,
}

impl Token {
    pub(super) fn describe(&self) -> String {
        if self.value.is_empty() {
            self.kind.text().to_string()
        } else {
            format!("{} {}", self.kind.text(), go_quote(&self.value))
        }
    }
}

pub(super) struct Lexer<'a> {
    pub(super) input: &'a [u8],
    pub(super) text: &'a str,
    pub(super) start: usize,
    pub(super) start_runes: usize,
    pub(super) end: usize,
    pub(super) end_runes: usize,
    pub(super) line: usize,
    pub(super) line_start_runes: usize,
}

type LexResult = Result<Token, (Token, GqlError)>;

impl<'a> Lexer<'a> {
    pub(super) fn new(text: &'a str) -> Self {
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

    pub(super) fn token(&self, kind: Kind, value: String) -> Token {
        Token {
            kind,
            value,
            pos: Pos {
                line: self.line,
                column: self.start_runes as i64 - self.line_start_runes as i64 + 1,
            },
        }
    }

    pub(super) fn raw_token(&self, kind: Kind) -> LexResult {
        let value = self
            .text
            .get(self.start..self.end)
            .unwrap_or("")
            .to_string();
        Ok(self.token(kind, value))
    }

    pub(super) fn error(&self, message: String) -> LexResult {
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

    pub(super) fn peek_char(&self) -> Option<(char, usize)> {
        let rest = self.text.get(self.end..)?;
        rest.chars().next().map(|c| (c, c.len_utf8()))
    }

    pub(super) fn read(&mut self) -> LexResult {
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

    pub(super) fn whitespace(&mut self) {
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

    pub(super) fn read_comment(&mut self) -> LexResult {
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

    pub(super) fn accept(&mut self, bytes: &[u8]) -> bool {
        match self.input.get(self.end) {
            Some(b) if bytes.contains(b) => {
                self.end += 1;
                self.end_runes += 1;
                true
            }
            _ => false,
        }
    }

    pub(super) fn digits(&mut self) -> usize {
        let mut n = 0;
        while self.end < self.input.len() && self.input[self.end].is_ascii_digit() {
            self.end += 1;
            self.end_runes += 1;
            n += 1;
        }
        n
    }

    pub(super) fn describe_next(&self) -> String {
        match self.input.get(self.end) {
            Some(b) => format!("\"{}\"", char::from(*b)),
            None => "<EOF>".to_string(),
        }
    }

    pub(super) fn read_number(&mut self) -> LexResult {
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

    pub(super) fn read_string(&mut self) -> LexResult {
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

    pub(super) fn read_block_string(&mut self) -> LexResult {
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

    pub(super) fn read_name(&mut self) -> LexResult {
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

pub(super) fn unhex(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for c in b {
        v = (v << 4) | (*c as char).to_digit(16)?;
    }
    Some(v)
}

pub(super) fn leading_whitespace(s: &str) -> Option<usize> {
    s.bytes().position(|b| b != b' ' && b != b'\t')
}

pub(super) fn block_string_value(raw: &str) -> String {
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

//! The parse of [`super::canonicalize_json`]: a document kept only to be written in
//! canonical form. Objects are entry lists (no key hashing while parsing), numbers are the
//! doubles JCS writes, and strings without escapes borrow from the input text.

use super::{utf16_order, write_double, write_string};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

pub(super) enum Tree<'a> {
    Null,
    Bool(bool),
    Number(f64),
    String(Cow<'a, str>),
    Array(Vec<Tree<'a>>),
    Object(Vec<(Cow<'a, str>, Tree<'a>)>),
}

impl Tree<'_> {
    /// Whether arrays/objects nest deeper than `remaining` (as `json::depth_exceeds`).
    pub(super) fn depth_exceeds(&self, remaining: usize) -> bool {
        match self {
            Tree::Array(items) => {
                remaining == 0 || items.iter().any(|v| v.depth_exceeds(remaining - 1))
            }
            Tree::Object(entries) => {
                remaining == 0 || entries.iter().any(|(_, v)| v.depth_exceeds(remaining - 1))
            }
            _ => false,
        }
    }

    /// Appends the canonical form, consuming the tree.
    pub(super) fn write(self, out: &mut String) {
        match self {
            Tree::Null => out.push_str("null"),
            Tree::Bool(b) => out.push_str(if b { "true" } else { "false" }),
            Tree::Number(f) => write_double(f, out),
            Tree::String(s) => write_string(&s, out),
            Tree::Array(items) => {
                out.push('[');
                for (i, item) in items.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Tree::Object(mut entries) => {
                // A stable sort keeps duplicate keys in document order; the last one wins,
                // as it does when the text is parsed into a map.
                entries.sort_by(|a, b| utf16_order(&a.0, &b.0));
                out.push('{');
                let mut first = true;
                let mut iter = entries.into_iter().peekable();
                while let Some((key, value)) = iter.next() {
                    if iter.peek().is_some_and(|next| next.0 == key) {
                        continue;
                    }
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    write_string(&key, out);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

impl<'de> Deserialize<'de> for Tree<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TreeVisitor)
    }
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Tree<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Tree::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Self::Value, E> {
        Ok(Tree::Bool(b))
    }
    // Integers become the nearest double, as serde_json's `Number::as_f64` rounds them.
    fn visit_i64<E>(self, n: i64) -> Result<Self::Value, E> {
        Ok(Tree::Number(n as f64))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Self::Value, E> {
        Ok(Tree::Number(n as f64))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Self::Value, E> {
        Ok(Tree::Number(n))
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Tree::String(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Tree::String(Cow::Owned(s.to_owned())))
    }
    fn visit_string<E>(self, s: String) -> Result<Self::Value, E> {
        Ok(Tree::String(Cow::Owned(s)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Tree::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(Key(key)) = map.next_key()? {
            entries.push((key, map.next_value()?));
        }
        Ok(Tree::Object(entries))
    }
}

/// An object key that borrows from the input when it has no escapes (serde's own
/// `Cow<str>` always copies).
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Key(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Key(Cow::Owned(s.to_owned())))
    }
    fn visit_string<E>(self, s: String) -> Result<Self::Value, E> {
        Ok(Key(Cow::Owned(s)))
    }
}

// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! Resumable, self-owned cursor over an [`Object`]'s entries.

use core::ops::Bound;

use super::{Object, Repr};
use crate::value::Value;

impl Object {
    /// Create a resumable cursor over entries in implementation-defined
    /// order. Stable for the lifetime of `&self`. O(1).
    #[inline]
    pub const fn cursor(&self) -> ObjectCursor {
        ObjectCursor {
            inner: ObjectCursorInner::Start,
        }
    }

    /// Advance `cursor` and yield the next entry.
    pub fn next<'a>(&'a self, cursor: &mut ObjectCursor) -> Option<(&'a Value, &'a Value)> {
        match (&self.repr, &mut cursor.inner) {
            (Repr::Empty, _) => None,
            // CoreSDK patch 36: a frozen object resumes by position, O(1), not by a
            // binary search for the last key.
            (Repr::Frozen(v), ObjectCursorInner::Start) => {
                let (k, val) = v.first()?;
                cursor.inner = ObjectCursorInner::At(1);
                Some((k, val))
            }
            (Repr::Frozen(v), ObjectCursorInner::At(i)) => {
                let (k, val) = v.get(*i)?;
                *i = i.saturating_add(1);
                Some((k, val))
            }
            (Repr::Frozen(v), ObjectCursorInner::Key(prev)) => {
                let i = match v.binary_search_by(|(k, _)| k.cmp(prev)) {
                    Ok(i) => i.saturating_add(1),
                    Err(i) => i,
                };
                let (k, val) = v.get(i)?;
                cursor.inner = ObjectCursorInner::At(i.saturating_add(1));
                Some((k, val))
            }
            // The object changed representation between steps (it was mutated, which
            // leaves the order unspecified): resume by position.
            (Repr::BTree(m), ObjectCursorInner::At(i)) => {
                let (k, val) = m.iter().nth(*i)?;
                cursor.inner = ObjectCursorInner::Key(k.clone());
                Some((k, val))
            }
            (Repr::BTree(m), ObjectCursorInner::Start) => {
                let (k, val) = m.iter().next()?;
                cursor.inner = ObjectCursorInner::Key(k.clone());
                Some((k, val))
            }
            (Repr::BTree(m), ObjectCursorInner::Key(prev)) => {
                let (k, val) = m
                    .range((Bound::Excluded(prev.clone()), Bound::Unbounded))
                    .next()?;
                cursor.inner = ObjectCursorInner::Key(k.clone());
                Some((k, val))
            }
        }
    }
}

/// Opaque resumable cursor over an [`Object`]'s entries in
/// implementation-defined order.
///
/// Self-owned: holds no borrow on the `Object`, so it can be stored as a
/// field of a long-lived state struct (e.g. an RVM iteration frame).
#[derive(Debug, Clone)]
pub struct ObjectCursor {
    inner: ObjectCursorInner,
}

#[derive(Debug, Clone)]
enum ObjectCursorInner {
    Start,
    /// Resume after this key (the BTree representation).
    Key(Value),
    /// Resume at this position (the frozen representation; CoreSDK patch 36).
    At(usize),
}

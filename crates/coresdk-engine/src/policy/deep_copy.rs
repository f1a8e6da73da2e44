//! Copies of a data document that share no `Arc` with the original (replica.rs says why
//! that matters), built by walking it instead of printing and re-parsing JSON: no text of
//! the whole document is made, and equal strings within one copy share one allocation (as
//! regorus's own parser shares object keys), so a copy costs less than the original.

use regorus::{Rc, Value};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// A copy of `value` with every string, array, set and object newly allocated. Numbers are
/// copied as they are (a big integer keeps its shared allocation: it is read, never
/// walked).
pub(crate) fn deep_copy(value: &Value) -> Value {
    Copier::default().copy(value)
}

#[derive(Default)]
struct Copier {
    strings: HashSet<Rc<str>>,
}

impl Copier {
    fn copy(&mut self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.string(s)),
            Value::Array(items) => {
                Value::from(items.iter().map(|v| self.copy(v)).collect::<Vec<_>>())
            }
            Value::Set(items) => {
                Value::from(items.iter().map(|v| self.copy(v)).collect::<BTreeSet<_>>())
            }
            Value::Object(fields) => Value::from(
                fields
                    .iter()
                    .map(|(k, v)| (self.copy(k), self.copy(v)))
                    .collect::<BTreeMap<_, _>>(),
            ),
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::Undefined => value.clone(),
        }
    }

    fn string(&mut self, s: &str) -> Rc<str> {
        if let Some(known) = self.strings.get(s) {
            return Rc::clone(known);
        }
        let fresh: Rc<str> = Rc::from(s);
        self.strings.insert(Rc::clone(&fresh));
        fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_equal_and_shares_no_allocation() {
        let original = Value::from_json_str(
            r#"{"users": {"a": {"dept": "d0", "tags": ["x", "d0"], "n": 1.5, "big": 123456789012345678901234567890},
                "b": {"dept": "d0", "tags": [], "n": -3, "on": true, "none": null}}}"#,
        )
        .unwrap();
        let mut with_set = original.clone();
        with_set.as_object_mut().unwrap().insert(
            Value::from("set"),
            Value::from(BTreeSet::from([Value::from("s")])),
        );
        let copy = deep_copy(&with_set);
        assert_eq!(copy, with_set);
        assert_eq!(copy.to_json_str().unwrap(), with_set.to_json_str().unwrap());
        let (Value::Object(a), Value::Object(b)) = (&copy, &with_set) else {
            panic!("objects")
        };
        assert!(!Rc::ptr_eq(a, b));
        let dept = |v: &Value, user: &str| match &v["users"][user]["dept"] {
            Value::String(s) => Rc::clone(s),
            other => panic!("{other:?}"),
        };
        // Equal strings share one allocation within the copy, none with the original.
        assert!(Rc::ptr_eq(&dept(&copy, "a"), &dept(&copy, "b")));
        assert!(!Rc::ptr_eq(&dept(&copy, "a"), &dept(&with_set, "a")));
    }
}

// CoreSDK patch 34: `Value::with_interned_keys`, key interning for hosts that deserialize
// with their own serde setup.

use crate::{Rc, Value};

fn key_ptrs(value: &Value) -> alloc::vec::Vec<*const str> {
    value
        .as_array()
        .expect("array")
        .iter()
        .flat_map(|o| o.as_object().expect("object").keys().cloned().collect::<alloc::vec::Vec<_>>())
        .map(|k| match k {
            Value::String(s) => Rc::as_ptr(&s),
            other => panic!("key {other:?}"),
        })
        .collect()
}

#[test]
fn keys_deserialized_inside_share_one_allocation_and_outside_do_not() {
    let text = r#"[{"dept": "a"}, {"dept": "b"}, {"dept": "c"}]"#;
    let inside: Value =
        Value::with_interned_keys(|| serde_json::from_str(text)).expect("valid json");
    let ptrs = key_ptrs(&inside);
    assert_eq!(ptrs.len(), 3);
    assert!(ptrs.iter().all(|p| core::ptr::eq(*p, ptrs[0])));

    let outside: Value = serde_json::from_str(text).expect("valid json");
    let ptrs = key_ptrs(&outside);
    assert!(!core::ptr::eq(ptrs[0], ptrs[1]));
    assert_eq!(inside, outside);
}

#[test]
fn a_failed_deserialization_inside_leaves_no_table_behind() {
    let failed: Result<Value, _> = Value::with_interned_keys(|| serde_json::from_str(r#"{"k":1,"#));
    assert!(failed.is_err());
    let after: Value = serde_json::from_str(r#"[{"k": 1}, {"k": 2}]"#).expect("valid json");
    let ptrs = key_ptrs(&after);
    assert!(!core::ptr::eq(ptrs[0], ptrs[1]));
}

//! OPA's `graphql.*` builtins, in the `x := graphql.f(...)` form. Every expected value and
//! error message below is what OPA v1.22.2 (`opa eval --strict-builtin-errors`) returns for
//! the same expression.

mod expr;

use coresdk_engine::{ErrorCode, PolicyEngine, PolicyOptions};
use expr::eval_with;
use serde_json::Value;

/// Evaluates `expr` and compares it with OPA's JSON result.
fn assert_opa_value(expr: &str, opa: &str) {
    let want: Value = serde_json::from_str(opa).unwrap();
    assert_eq!(eval_with(expr, false).unwrap(), Some(want), "{expr}");
}

/// Evaluates `expr` with strict builtin errors and compares the message with OPA's (which
/// OPA prefixes with the builtin's name).
fn assert_opa_error(expr: &str, opa: &str) {
    let err = eval_with(expr, true).unwrap_err();
    // CoreSDK classifies some messages by their words ("conflict" reads as a policy
    // conflict); every other builtin error is an evaluation error.
    assert!(
        matches!(err.code(), ErrorCode::EvalError | ErrorCode::PolicyConflict),
        "{expr}: {err}"
    );
    let message = opa.split_once(": ").unwrap().1;
    assert!(err.to_string().contains(message), "{expr}: {err}");
    // Without strict builtin errors the call is undefined, as in OPA.
    assert_eq!(eval_with(expr, false).unwrap(), None, "{expr}");
}

#[test]
fn parse_query_keeps_comments_arguments_fragments_and_directives() {
    assert_opa_value(
        r##"graphql.parse_query(`# lead
query Q($id: ID! = "x" @d) { a: hero(id: $id, list: [1, 2.5], obj: {k: ENUM, s: """ block """}) @include(if: true) { ...F ... on Droid { name } } }
fragment F on Character { id }`)"##,
        r##"{"Fragments": [{"Name": "F", "SelectionSet": [{"Alias": "id", "Name": "id"}], "TypeCondition": "Character"}], "Operations": [{"Comment": {"List": [{"Value": "# lead"}]}, "Name": "Q", "Operation": "query", "SelectionSet": [{"Alias": "a", "Arguments": [{"Name": "id", "Value": {"ExpectedTypeHasDefault": false, "Kind": 0, "Raw": "id"}}, {"Name": "list", "Value": {"Children": [{"Name": "", "Value": {"ExpectedTypeHasDefault": false, "Kind": 1, "Raw": "1"}}, {"Name": "", "Value": {"ExpectedTypeHasDefault": false, "Kind": 2, "Raw": "2.5"}}], "ExpectedTypeHasDefault": false, "Kind": 8, "Raw": ""}}, {"Name": "obj", "Value": {"Children": [{"Name": "k", "Value": {"ExpectedTypeHasDefault": false, "Kind": 7, "Raw": "ENUM"}}, {"Name": "s", "Value": {"ExpectedTypeHasDefault": false, "Kind": 4, "Raw": " block "}}], "ExpectedTypeHasDefault": false, "Kind": 9, "Raw": ""}}], "Directives": [{"Arguments": [{"Name": "if", "Value": {"ExpectedTypeHasDefault": false, "Kind": 5, "Raw": "true"}}], "Location": "", "Name": "include"}], "Name": "hero", "SelectionSet": [{"Name": "F"}, {"SelectionSet": [{"Alias": "name", "Name": "name"}], "TypeCondition": "Droid"}]}], "VariableDefinitions": [{"DefaultValue": {"ExpectedTypeHasDefault": false, "Kind": 3, "Raw": "x"}, "Directives": [{"Location": "", "Name": "d"}], "Type": {"NamedType": "ID", "NonNull": true}, "Used": false, "Variable": "id"}]}]}"##,
    );
}

#[test]
fn parse_schema_keeps_descriptions_comments_extensions_and_directives() {
    assert_opa_value(
        r##"graphql.parse_schema(`"desc" type Query implements & Node { # c
 "f" hero(first: Int = 1): [Character!]! @deprecated } extend schema @d union U = | A | B directive @d(x: Int) repeatable on FIELD | SCHEMA
enum E { A @deprecated }`)"##,
        r##"{"Definitions": [{"BuiltIn": false, "Description": "desc", "Fields": [{"Arguments": [{"DefaultValue": {"ExpectedTypeHasDefault": false, "Kind": 1, "Raw": "1"}, "Description": "", "Name": "first", "Type": {"NamedType": "Int", "NonNull": false}}], "BeforeDescriptionComment": {"List": [{"Value": "# c"}]}, "Description": "f", "Directives": [{"Location": "", "Name": "deprecated"}], "Name": "hero", "Type": {"Elem": {"NamedType": "Character", "NonNull": true}, "NamedType": "", "NonNull": true}}], "Interfaces": ["Node"], "Kind": "OBJECT", "Name": "Query"}, {"BuiltIn": false, "Description": "", "Kind": "UNION", "Name": "U", "Types": ["A", "B"]}, {"BuiltIn": false, "Description": "", "EnumValues": [{"Description": "", "Directives": [{"Location": "", "Name": "deprecated"}], "Name": "A"}], "Kind": "ENUM", "Name": "E"}], "Directives": [{"Arguments": [{"Description": "", "Name": "x", "Type": {"NamedType": "Int", "NonNull": false}}], "Description": "", "IsRepeatable": true, "Locations": ["FIELD", "SCHEMA"], "Name": "d"}], "SchemaExtension": [{"Description": "", "Directives": [{"Location": "", "Name": "d"}]}]}"##,
    );
}

#[test]
fn parse_returns_query_and_schema_asts() {
    assert_opa_value(
        r##"graphql.parse(`{ hero(first: 2) { id } }`, `type Query { hero(first: Int): Character } type Character { id: ID! }`)"##,
        r##"[{"Operations": [{"Name": "", "Operation": "query", "SelectionSet": [{"Alias": "hero", "Arguments": [{"Name": "first", "Value": {"ExpectedTypeHasDefault": false, "Kind": 1, "Raw": "2"}}], "Name": "hero", "SelectionSet": [{"Alias": "id", "Name": "id"}]}]}]}, {"Definitions": [{"BuiltIn": false, "Description": "", "Fields": [{"Arguments": [{"Description": "", "Name": "first", "Type": {"NamedType": "Int", "NonNull": false}}], "Description": "", "Name": "hero", "Type": {"NamedType": "Character", "NonNull": false}}], "Kind": "OBJECT", "Name": "Query"}, {"BuiltIn": false, "Description": "", "Fields": [{"Description": "", "Name": "id", "Type": {"NamedType": "ID", "NonNull": true}}], "Kind": "OBJECT", "Name": "Character"}]}]"##,
    );
}

#[test]
fn parse_and_verify_reports_an_invalid_query_as_false() {
    assert_opa_value(
        r##"graphql.parse_and_verify(`{ hero { nope } }`, `type Query { hero: Character } type Character { id: ID! }`)"##,
        r##"[false, {}, {}]"##,
    );
}

#[test]
fn parse_and_verify_returns_both_asts() {
    assert_opa_value(
        r##"graphql.parse_and_verify(`{ hero { id } }`, `type Query { hero: Character } type Character { id: ID! }`)"##,
        r##"[true, {"Operations": [{"Name": "", "Operation": "query", "SelectionSet": [{"Alias": "hero", "Name": "hero", "SelectionSet": [{"Alias": "id", "Name": "id"}]}]}]}, {"Definitions": [{"BuiltIn": false, "Description": "", "Fields": [{"Description": "", "Name": "hero", "Type": {"NamedType": "Character", "NonNull": false}}], "Kind": "OBJECT", "Name": "Query"}, {"BuiltIn": false, "Description": "", "Fields": [{"Description": "", "Name": "id", "Type": {"NamedType": "ID", "NonNull": true}}], "Kind": "OBJECT", "Name": "Character"}]}]"##,
    );
}

#[test]
fn is_valid_accepts_asts_given_as_objects() {
    assert_opa_value(
        r##"graphql.is_valid(graphql.parse_query(`{ hero { id } }`), graphql.parse_schema(`type Query { hero: Character } type Character { id: ID! }`))"##,
        r##"true"##,
    );
}

#[test]
fn is_valid_allows_same_response_name_for_mergeable_fields() {
    assert_opa_value(
        r##"graphql.is_valid(`{ a: hero { id } a: hero { x: id } }`, `type Query { hero: Character } type Character { id: ID! }`)"##,
        r##"true"##,
    );
}

#[test]
fn schema_is_valid_rejects_undefined_types() {
    assert_opa_value(
        r##"graphql.schema_is_valid(`type Query { a: Nope }`)"##,
        r##"false"##,
    );
}

#[test]
fn schema_is_valid_accepts_implemented_interfaces() {
    assert_opa_value(
        r##"graphql.schema_is_valid(`interface I { a: Int } type Query implements I { a: Int b: I }`)"##,
        r##"true"##,
    );
}

#[test]
fn block_strings_are_dedented() {
    assert_opa_value(
        r##"graphql.parse_query(`{ a(s: """
    x
      y
  """) }`)"##,
        r##"{"Operations": [{"Name": "", "Operation": "query", "SelectionSet": [{"Alias": "a", "Arguments": [{"Name": "s", "Value": {"ExpectedTypeHasDefault": false, "Kind": 4, "Raw": "x\n  y"}}], "Name": "a"}]}]}"##,
    );
}

#[test]
fn parse_reports_overlapping_fields() {
    assert_opa_error(
        r##"graphql.parse(`{ hero { id } hero { id: x } }`, `type Query { hero: Character } type Character { id: ID! x: ID! }`)"##,
        r##"graphql.parse: Fields "hero" conflict because subfields "id" conflict because "id" and "x" are different fields. Use different aliases on the fields to fetch both if this was intentional in GraphQL string at location 1:15"##,
    );
}

#[test]
fn parse_reports_unused_variables() {
    assert_opa_error(
        r##"graphql.parse(`query Q($v: Int) { hero { id } }`, `type Query { hero: Character } type Character { id: ID! }`)"##,
        r##"graphql.parse: Variable "$v" is never used in operation "Q" in GraphQL string at location 1:9"##,
    );
}

#[test]
fn parse_reports_schema_errors_unformatted() {
    assert_opa_error(
        r##"graphql.parse(`{ hero { id } }`, `type Query { hero: Character } type Query { x: Int }`)"##,
        r##"graphql.parse: Error in gqlparser SchemaDocument to Schema conversion: input:1:37: Cannot redeclare type Query."##,
    );
}

#[test]
fn string_escapes_are_decoded() {
    assert_opa_value(
        r##"graphql.parse_query(`{ a(s: "\u00e9\t") }`)"##,
        r##"{"Operations": [{"Name": "", "Operation": "query", "SelectionSet": [{"Alias": "a", "Arguments": [{"Name": "s", "Value": {"ExpectedTypeHasDefault": false, "Kind": 3, "Raw": "é\t"}}], "Name": "a"}]}]}"##,
    );
}

#[test]
fn unterminated_block_string_is_an_invalid_token() {
    assert_opa_error(
        r##"graphql.parse_schema(`type T { a: Int }
"""
unterminated`)"##,
        r##"graphql.parse_schema: Unexpected <Invalid> in GraphQL string at location 3:13"##,
    );
}

#[test]
fn leading_zero_is_an_invalid_token() {
    assert_opa_error(
        r##"graphql.parse_query(`{ a(x: 01) }`)"##,
        r##"graphql.parse_query: Unexpected <Invalid> in GraphQL string at location 1:9"##,
    );
}
fn eval_input(expr: &str, input: &Value) -> Option<Value> {
    let engine = PolicyEngine::new(PolicyOptions::default());
    engine
        .add_module("b.rego", &format!("package b\nx := {expr}\n"))
        .unwrap();
    let input = serde_json::to_vec(input).unwrap();
    engine.evaluate("data.b.x", &input).unwrap().result
}

#[test]
fn nesting_past_the_bound_is_undefined_not_a_crash() {
    let n = 100_000;
    let schema = "type Query { a: Query b(x: [Int]): Int }";
    let inputs = [
        format!("{}{}", "{a".repeat(n), "}".repeat(n)),
        format!("{{ b(x: {}1{}) }}", "[".repeat(n), "]".repeat(n)),
        format!("{{ b(x: {}1{}) }}", "{k:".repeat(n), "}".repeat(n)),
        format!("query ($v: {}Int{}) {{ b }}", "[".repeat(n), "]".repeat(n)),
        format!("{{ {}b{} }}", "... { ".repeat(n), " }".repeat(n)),
    ];
    for q in &inputs {
        let input = serde_json::json!({"q": q, "s": schema});
        assert_eq!(eval_input("graphql.parse_query(input.q)", &input), None);
        assert_eq!(
            eval_input("graphql.is_valid(input.q, input.s)", &input),
            Some(Value::Bool(false))
        );
    }
    // Moderate nesting parses and validates.
    let q = format!("{{{}b{}}}", "a {".repeat(50), "}".repeat(50));
    let input = serde_json::json!({"q": q, "s": schema});
    assert_eq!(
        eval_input("graphql.is_valid(input.q, input.s)", &input),
        Some(Value::Bool(true))
    );
}

#[test]
fn fragment_cycles_and_long_chains_terminate() {
    let schema = "type Query { a: Query b: Int }";
    let mut chain = String::from("{ ...F0 } ");
    for i in 0..200 {
        chain += &format!("fragment F{i} on Query {{ a {{ ...F{} }} }} ", i + 1);
    }
    chain += "fragment F200 on Query { ...F0 }";
    for q in [
        chain.as_str(),
        "fragment F on Query { a { ...F b: a { b } } b } { ...F ...F a { ...F } }",
    ] {
        let input = serde_json::json!({"q": q, "s": schema});
        assert_eq!(
            eval_input("graphql.is_valid(input.q, input.s)", &input),
            Some(Value::Bool(false))
        );
    }
}

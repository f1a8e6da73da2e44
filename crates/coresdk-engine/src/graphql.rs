//! OPA's `graphql.*` builtins (`graphql.parse`, `graphql.parse_and_verify`,
//! `graphql.parse_query`, `graphql.parse_schema`, `graphql.is_valid`,
//! `graphql.schema_is_valid`) as regorus extensions.
//!
//! OPA implements them with the Go library gqlparser; this module reproduces its parser
//! (error messages and positions included), its schema building and its default query
//! validation rules, and returns documents as OPA does: gqlparser's structures with Go
//! field names, positions dropped and null or empty members pruned. Queries and schemas
//! may be given as strings or as such objects. Nesting is bounded so that no input can
//! exhaust the stack.

mod ast;
mod overlap;
mod schema;
mod schema_checks;
mod syntax;
mod validate;

use crate::builtins::type_name;
use anyhow::{anyhow, bail, Result};
use regorus::Value;
use serde_json::Value as Json;
use syntax::GqlError;

type Builtin = fn(&[Value]) -> Result<Value>;

/// Registers the `graphql.*` builtins on `engine`. With `strict` off an error makes the
/// call undefined, as in OPA.
pub(crate) fn register(engine: &mut regorus::Engine, strict: bool) {
    let table: &[(&str, u8, Builtin)] = &[
        ("graphql.parse", 2, parse),
        ("graphql.parse_and_verify", 2, parse_and_verify),
        ("graphql.parse_query", 1, parse_query),
        ("graphql.parse_schema", 1, parse_schema),
        ("graphql.is_valid", 2, is_valid),
        ("graphql.schema_is_valid", 1, schema_is_valid),
    ];
    for (path, nargs, builtin) in table {
        let builtin = *builtin;
        let extension = move |args: Vec<Value>| match builtin(&args) {
            Ok(value) => Ok(value),
            Err(e) if strict => Err(e),
            Err(_) => Ok(Value::Undefined),
        };
        // Registration only fails for a name registered twice: not possible here.
        let _ = engine.add_extension((*path).to_string(), *nargs, Box::new(extension));
    }
}

/// OPA's `formatGqlParserError` applied to gqlparser's error text.
fn format_error(go_text: &str) -> anyhow::Error {
    let parts: Vec<&str> = go_text.splitn(4, ':').collect();
    if parts.len() >= 4 {
        if let (Ok(row), Ok(col)) = (parts[1].parse::<u64>(), parts[2].parse::<u64>()) {
            let msg = parts[3].trim_start_matches(' ');
            let msg = msg.strip_suffix(".\n").unwrap_or(msg);
            return anyhow!("{msg} in GraphQL string at location {row}:{col}");
        }
    }
    anyhow!("GraphQL parse error: {go_text}")
}

fn parse_error(e: GqlError) -> anyhow::Error {
    format_error(&e.go_string())
}

fn validation_error(errors: &[GqlError]) -> anyhow::Error {
    let text: String = errors.iter().map(|e| e.go_string() + "\n").collect();
    format_error(&text)
}

fn operand(args: &[Value], i: usize) -> Result<&Value> {
    args.get(i)
        .ok_or_else(|| anyhow!("missing operand {}", i + 1))
}

fn to_json(value: &Value) -> Result<Json> {
    Ok(serde_json::to_value(value)?)
}

fn from_json(json: Json) -> Result<Value> {
    Ok(serde_json::from_value(json)?)
}

fn string_operand(args: &[Value], i: usize) -> Result<&str> {
    match operand(args, i)? {
        Value::String(s) => Ok(s.as_ref()),
        other => bail!(
            "operand {} must be string but got {}",
            i + 1,
            type_name(other)
        ),
    }
}

fn query_operand(args: &[Value]) -> Result<ast::QueryDocument> {
    match operand(args, 0)? {
        Value::String(s) => syntax::parse_query(s).map_err(parse_error),
        v @ Value::Object(_) => ast::decode_query(&to_json(v)?),
        other => bail!(
            "operand 1 must be one of {{string, object}} but got {}",
            type_name(other)
        ),
    }
}

fn schema_operand(args: &[Value], i: usize) -> Result<ast::SchemaDocument> {
    match operand(args, i)? {
        Value::String(s) => syntax::parse_schema(s, false).map_err(parse_error),
        v @ Value::Object(_) => ast::decode_schema(&to_json(v)?),
        other => bail!(
            "operand {} must be one of {{string, object}} but got {}",
            i + 1,
            type_name(other)
        ),
    }
}

fn build_schema(doc: &ast::SchemaDocument) -> Result<schema::Schema> {
    schema::build_schema(doc).map_err(|e| {
        anyhow!(
            "Error in gqlparser SchemaDocument to Schema conversion: {}",
            e.go_string()
        )
    })
}

/// Parses and validates the query against the schema: the query and schema ASTs.
fn verified(args: &[Value]) -> Result<(Json, Json)> {
    let query = query_operand(args)?;
    let schema_doc = schema_operand(args, 1)?;
    let schema_ast = ast::schema_json(&schema_doc);
    let schema = build_schema(&schema_doc)?;
    let errors = validate::validate_query(&schema, &query);
    if !errors.is_empty() {
        return Err(validation_error(&errors));
    }
    Ok((ast::query_json(&query), schema_ast))
}

fn parse(args: &[Value]) -> Result<Value> {
    let (q, s) = verified(args)?;
    from_json(Json::Array(vec![q, s]))
}

fn parse_and_verify(args: &[Value]) -> Result<Value> {
    match verified(args) {
        Ok((q, s)) => from_json(Json::Array(vec![Json::Bool(true), q, s])),
        Err(_) => from_json(serde_json::json!([false, {}, {}])),
    }
}

fn parse_query(args: &[Value]) -> Result<Value> {
    let doc = syntax::parse_query(string_operand(args, 0)?).map_err(parse_error)?;
    from_json(ast::query_json(&doc))
}

fn parse_schema(args: &[Value]) -> Result<Value> {
    let doc = syntax::parse_schema(string_operand(args, 0)?, false).map_err(parse_error)?;
    from_json(ast::schema_json(&doc))
}

fn is_valid(args: &[Value]) -> Result<Value> {
    let valid = (|| -> Result<bool> {
        let query = query_operand(args)?;
        let schema = build_schema(&schema_operand(args, 1)?)?;
        Ok(validate::validate_query(&schema, &query).is_empty())
    })()
    .unwrap_or(false);
    Ok(Value::from(valid))
}

fn schema_is_valid(args: &[Value]) -> Result<Value> {
    let valid = schema_operand(args, 0)
        .and_then(|doc| build_schema(&doc))
        .is_ok();
    Ok(Value::from(valid))
}

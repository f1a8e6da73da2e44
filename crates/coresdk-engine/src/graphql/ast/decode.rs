//! Conversion back from such objects, as Go's `json.Unmarshal` into gqlparser's
//! structs reads them (a query or schema given to `graphql.*` as an object).

use super::*;
use anyhow::{bail, Result};
use serde_json::{Map, Value as Json};

/// Nesting bound for documents given as objects.
const MAX_DECODE_DEPTH: usize = crate::graphql::syntax::MAX_DEPTH;

fn field<'a>(o: &'a Map<String, Json>, key: &str) -> Option<&'a Json> {
    match o.get(key) {
        Some(Json::Null) | None => None,
        Some(v) => Some(v),
    }
}

fn string_field(o: &Map<String, Json>, key: &str) -> Result<String> {
    match field(o, key) {
        None => Ok(String::new()),
        Some(Json::String(s)) => Ok(s.clone()),
        Some(_) => bail!("cannot unmarshal {key}: not a string"),
    }
}

fn bool_field(o: &Map<String, Json>, key: &str) -> Result<bool> {
    match field(o, key) {
        None => Ok(false),
        Some(Json::Bool(b)) => Ok(*b),
        Some(_) => bail!("cannot unmarshal {key}: not a boolean"),
    }
}

fn array_field<'a>(o: &'a Map<String, Json>, key: &str) -> Result<&'a [Json]> {
    match field(o, key) {
        None => Ok(&[]),
        Some(Json::Array(a)) => Ok(a),
        Some(_) => bail!("cannot unmarshal {key}: not an array"),
    }
}

fn object(v: &Json) -> Result<&Map<String, Json>> {
    match v {
        Json::Object(o) => Ok(o),
        _ => bail!("cannot unmarshal a non-object into a GraphQL node"),
    }
}

fn items<T>(
    o: &Map<String, Json>,
    key: &str,
    depth: usize,
    f: impl Fn(&Map<String, Json>, usize) -> Result<T>,
) -> Result<Vec<T>> {
    check_depth(depth)?;
    array_field(o, key)?
        .iter()
        .filter(|v| !v.is_null())
        .map(|v| f(object(v)?, depth + 1))
        .collect()
}

fn strings(o: &Map<String, Json>, key: &str) -> Result<Vec<String>> {
    array_field(o, key)?
        .iter()
        .map(|v| match v {
            Json::String(s) => Ok(s.clone()),
            Json::Null => Ok(String::new()),
            _ => bail!("cannot unmarshal {key}: not a string"),
        })
        .collect()
}

/// A `CommentGroup` member: `{"List": [{"Value": "# ..."}, ...]}`.
fn comments(o: &Map<String, Json>, key: &str) -> Result<Comments> {
    let Some(group) = field(o, key) else {
        return Ok(None);
    };
    let group = object(group)?;
    let list = items(group, "List", 0, |c, _| string_field(c, "Value"))?;
    // Go keeps an empty group, which OPA's pruning then drops: the same as none.
    Ok(if list.is_empty() { None } else { Some(list) })
}

fn check_depth(depth: usize) -> Result<()> {
    if depth > MAX_DECODE_DEPTH {
        bail!("GraphQL document is nested too deeply");
    }
    Ok(())
}

fn decode_value(o: &Map<String, Json>, depth: usize) -> Result<Value> {
    check_depth(depth)?;
    let kind = match field(o, "Kind") {
        None => ValueKind::Variable,
        Some(Json::Number(n)) => n
            .as_i64()
            .and_then(ValueKind::from_i64)
            .ok_or_else(|| anyhow::anyhow!("cannot unmarshal Kind"))?,
        Some(_) => bail!("cannot unmarshal Kind: not a number"),
    };
    Ok(Value {
        raw: string_field(o, "Raw")?,
        children: items(o, "Children", depth + 1, |c, d| {
            Ok(ChildValue {
                name: string_field(c, "Name")?,
                value: field(c, "Value")
                    .map(|v| decode_value(object(v)?, d))
                    .transpose()?,
                position: None,
                comment: comments(c, "Comment")?,
            })
        })?,
        kind,
        position: None,
        comment: comments(o, "Comment")?,
    })
}

fn decode_type(o: &Map<String, Json>, depth: usize) -> Result<TypeRef> {
    check_depth(depth)?;
    Ok(TypeRef {
        named_type: string_field(o, "NamedType")?,
        elem: field(o, "Elem")
            .map(|v| decode_type(object(v)?, depth + 1).map(Box::new))
            .transpose()?,
        non_null: bool_field(o, "NonNull")?,
        position: None,
    })
}

fn decode_opt_type(o: &Map<String, Json>, depth: usize) -> Result<TypeRef> {
    Ok(field(o, "Type")
        .map(|v| decode_type(object(v)?, depth))
        .transpose()?
        .unwrap_or_default())
}

fn decode_arguments(o: &Map<String, Json>, depth: usize) -> Result<Vec<Argument>> {
    items(o, "Arguments", depth, |a, d| {
        Ok(Argument {
            name: string_field(a, "Name")?,
            value: field(a, "Value")
                .map(|v| decode_value(object(v)?, d))
                .transpose()?,
            position: None,
            comment: comments(a, "Comment")?,
        })
    })
}

fn decode_directives(o: &Map<String, Json>, depth: usize) -> Result<Vec<Directive>> {
    items(o, "Directives", depth, |d, depth| {
        Ok(Directive {
            name: string_field(d, "Name")?,
            arguments: decode_arguments(d, depth)?,
            position: None,
        })
    })
}

/// gqlparser's selection decoding: each object is tried as a `Field` (whose decoder reads
/// only its own members, so this fails only on a member of the wrong type), then as a
/// `FragmentSpread`, then as an `InlineFragment`; what fits none is dropped.
fn decode_selections(o: &Map<String, Json>, depth: usize) -> Result<Vec<Selection>> {
    check_depth(depth)?;
    let mut out = Vec::new();
    for item in array_field(o, "SelectionSet")? {
        let Json::Object(f) = item else { continue };
        let as_field = || -> Result<Field> {
            Ok(Field {
                alias: string_field(f, "Alias")?,
                name: string_field(f, "Name")?,
                arguments: decode_arguments(f, depth)?,
                directives: decode_directives(f, depth)?,
                selection_set: decode_selections(f, depth + 1)?,
                position: None,
                comment: None,
            })
        };
        let as_spread = || -> Result<FragmentSpread> {
            Ok(FragmentSpread {
                name: string_field(f, "Name")?,
                directives: decode_directives(f, depth)?,
                position: None,
                comment: comments(f, "Comment")?,
            })
        };
        let as_inline = || -> Result<InlineFragment> {
            Ok(InlineFragment {
                type_condition: string_field(f, "TypeCondition")?,
                directives: decode_directives(f, depth)?,
                selection_set: decode_selections(f, depth + 1)?,
                position: None,
                comment: None,
            })
        };
        let decoded = as_field()
            .map(Selection::Field)
            .or_else(|_| as_spread().map(Selection::FragmentSpread))
            .or_else(|_| as_inline().map(Selection::InlineFragment));
        match decoded {
            Ok(selection) => out.push(selection),
            Err(e) if e.to_string().contains("nested too deeply") => return Err(e),
            Err(_) => {}
        }
    }
    Ok(out)
}

fn decode_variables(
    o: &Map<String, Json>,
    key: &str,
    depth: usize,
) -> Result<Vec<VariableDefinition>> {
    items(o, key, depth, |v, d| {
        Ok(VariableDefinition {
            variable: string_field(v, "Variable")?,
            ty: decode_opt_type(v, d)?,
            default_value: field(v, "DefaultValue")
                .map(|x| decode_value(object(x)?, d))
                .transpose()?,
            directives: decode_directives(v, d)?,
            position: None,
            comment: comments(v, "Comment")?,
        })
    })
}

/// A query document from the object form OPA accepts.
pub(crate) fn decode_query(v: &Json) -> Result<QueryDocument> {
    let o = object(v)?;
    Ok(QueryDocument {
        operations: items(o, "Operations", 0, |op, d| {
            Ok(OperationDefinition {
                operation: string_field(op, "Operation")?,
                name: string_field(op, "Name")?,
                variable_definitions: decode_variables(op, "VariableDefinitions", d)?,
                directives: decode_directives(op, d)?,
                selection_set: decode_selections(op, d)?,
                position: None,
                comment: None,
            })
        })?,
        fragments: items(o, "Fragments", 0, |f, d| {
            Ok(FragmentDefinition {
                name: string_field(f, "Name")?,
                variable_definition: decode_variables(f, "VariableDefinition", d)?,
                type_condition: string_field(f, "TypeCondition")?,
                directives: decode_directives(f, d)?,
                selection_set: decode_selections(f, d)?,
                position: None,
                comment: None,
            })
        })?,
        comment: comments(o, "Comment")?,
    })
}

fn decode_field_definition(o: &Map<String, Json>, depth: usize) -> Result<FieldDefinition> {
    Ok(FieldDefinition {
        description: string_field(o, "Description")?,
        name: string_field(o, "Name")?,
        arguments: items(o, "Arguments", depth, decode_field_definition)?,
        default_value: field(o, "DefaultValue")
            .map(|x| decode_value(object(x)?, depth))
            .transpose()?,
        ty: decode_opt_type(o, depth)?,
        directives: decode_directives(o, depth)?,
        position: None,
        before_description_comment: comments(o, "BeforeDescriptionComment")?,
        after_description_comment: comments(o, "AfterDescriptionComment")?,
    })
}

fn decode_definition(o: &Map<String, Json>, depth: usize) -> Result<Definition> {
    Ok(Definition {
        kind: string_field(o, "Kind")?,
        description: string_field(o, "Description")?,
        name: string_field(o, "Name")?,
        directives: decode_directives(o, depth)?,
        interfaces: strings(o, "Interfaces")?,
        fields: items(o, "Fields", depth, decode_field_definition)?,
        types: strings(o, "Types")?,
        enum_values: items(o, "EnumValues", depth, |e, d| {
            Ok(EnumValueDefinition {
                description: string_field(e, "Description")?,
                name: string_field(e, "Name")?,
                directives: decode_directives(e, d)?,
                position: None,
                before_description_comment: comments(e, "BeforeDescriptionComment")?,
                after_description_comment: comments(e, "AfterDescriptionComment")?,
            })
        })?,
        builtin: bool_field(o, "BuiltIn")?,
        before_description_comment: comments(o, "BeforeDescriptionComment")?,
        after_description_comment: comments(o, "AfterDescriptionComment")?,
        end_of_definition_comment: comments(o, "EndOfDefinitionComment")?,
        ..Default::default()
    })
}

fn decode_schema_definition(o: &Map<String, Json>, depth: usize) -> Result<SchemaDefinition> {
    Ok(SchemaDefinition {
        description: string_field(o, "Description")?,
        directives: decode_directives(o, depth)?,
        operation_types: items(o, "OperationTypes", depth, |t, _| {
            Ok(OperationTypeDefinition {
                operation: string_field(t, "Operation")?,
                ty: string_field(t, "Type")?,
                position: None,
                comment: comments(t, "Comment")?,
            })
        })?,
        position: None,
        before_description_comment: comments(o, "BeforeDescriptionComment")?,
        after_description_comment: comments(o, "AfterDescriptionComment")?,
        end_of_definition_comment: comments(o, "EndOfDefinitionComment")?,
    })
}

/// A schema document from the object form OPA accepts.
pub(crate) fn decode_schema(v: &Json) -> Result<SchemaDocument> {
    let o = object(v)?;
    Ok(SchemaDocument {
        schema: items(o, "Schema", 0, decode_schema_definition)?,
        schema_extension: items(o, "SchemaExtension", 0, decode_schema_definition)?,
        directives: items(o, "Directives", 0, |d, depth| {
            Ok(DirectiveDefinition {
                description: string_field(d, "Description")?,
                name: string_field(d, "Name")?,
                arguments: items(d, "Arguments", depth, decode_field_definition)?,
                locations: strings(d, "Locations")?,
                is_repeatable: bool_field(d, "IsRepeatable")?,
                position: None,
                before_description_comment: comments(d, "BeforeDescriptionComment")?,
                after_description_comment: comments(d, "AfterDescriptionComment")?,
            })
        })?,
        definitions: items(o, "Definitions", 0, decode_definition)?,
        extensions: items(o, "Extensions", 0, decode_definition)?,
        comment: comments(o, "Comment")?,
    })
}

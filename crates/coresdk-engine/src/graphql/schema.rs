//! Schema building with gqlparser's rules and messages (`ValidateSchemaDocument`): the
//! spec's prelude, the `Schema` OPA's `graphql.*` builtins validate queries against, and
//! the checks of names, type references, arguments and directives. The checks of whole
//! definitions (fields, interfaces, input cycles) are in `schema_checks.rs`.

use super::ast::*;
use super::schema_checks::{validate_definition, validate_input_cycles};
use super::syntax::GqlError;
use std::collections::{HashMap, HashSet};

/// The GraphQL spec's built-in scalars, directives and introspection types, which every
/// schema is merged with before it is validated.
const PRELUDE: &str = r#"
scalar Int
scalar Float
scalar String
scalar Boolean
scalar ID
directive @defer(if: Boolean = true, label: String) on FRAGMENT_SPREAD | INLINE_FRAGMENT
directive @include(if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
directive @skip(if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
directive @deprecated(reason: String = "No longer supported") on FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE
directive @specifiedBy(url: String!) on SCALAR
directive @oneOf on INPUT_OBJECT
type __Schema {
  description: String
  types: [__Type!]!
  queryType: __Type!
  mutationType: __Type
  subscriptionType: __Type
  directives: [__Directive!]!
}
type __Type {
  kind: __TypeKind!
  name: String
  description: String
  specifiedByURL: String
  fields(includeDeprecated: Boolean = false): [__Field!]
  interfaces: [__Type!]
  possibleTypes: [__Type!]
  enumValues(includeDeprecated: Boolean = false): [__EnumValue!]
  inputFields(includeDeprecated: Boolean = false): [__InputValue!]
  ofType: __Type
  isOneOf: Boolean
}
enum __TypeKind { SCALAR OBJECT INTERFACE UNION ENUM INPUT_OBJECT LIST NON_NULL }
type __Field {
  name: String!
  description: String
  args(includeDeprecated: Boolean = false): [__InputValue!]!
  type: __Type!
  isDeprecated: Boolean!
  deprecationReason: String
}
type __InputValue {
  name: String!
  description: String
  type: __Type!
  defaultValue: String
  isDeprecated: Boolean!
  deprecationReason: String
}
type __EnumValue {
  name: String!
  description: String
  isDeprecated: Boolean!
  deprecationReason: String
}
type __Directive {
  name: String!
  description: String
  isRepeatable: Boolean!
  locations: [__DirectiveLocation!]!
  args(includeDeprecated: Boolean = false): [__InputValue!]!
}
enum __DirectiveLocation {
  QUERY MUTATION SUBSCRIPTION FIELD FRAGMENT_DEFINITION FRAGMENT_SPREAD INLINE_FRAGMENT
  VARIABLE_DEFINITION SCHEMA SCALAR OBJECT FIELD_DEFINITION ARGUMENT_DEFINITION INTERFACE
  UNION ENUM ENUM_VALUE INPUT_OBJECT INPUT_FIELD_DEFINITION
}
"#;

/// A validated schema (gqlparser's `Schema`).
#[derive(Debug, Default)]
pub(crate) struct Schema {
    pub(super) types: HashMap<String, Definition>,
    pub(super) directives: HashMap<String, DirectiveDefinition>,
    pub(super) query: Option<String>,
    pub(super) mutation: Option<String>,
    pub(super) subscription: Option<String>,
    pub(super) possible_types: HashMap<String, Vec<String>>,
}

impl Schema {
    /// The definition of the type called `name`.
    pub(crate) fn type_def(&self, name: &str) -> Option<&Definition> {
        self.types.get(name)
    }
}

pub(super) fn is_input_type(d: &Definition) -> bool {
    matches!(d.kind.as_str(), "SCALAR" | "ENUM" | "INPUT_OBJECT")
}

pub(super) fn is_leaf_type(d: &Definition) -> bool {
    matches!(d.kind.as_str(), "SCALAR" | "ENUM")
}

pub(super) fn is_composite_type(d: &Definition) -> bool {
    matches!(d.kind.as_str(), "OBJECT" | "INTERFACE" | "UNION")
}

pub(super) fn err(pos: Option<Pos>, message: String) -> GqlError {
    GqlError::at(pos, message)
}

/// gqlparser's `ValidateSchemaDocument` on the prelude merged with `doc`.
pub(crate) fn build_schema(doc: &SchemaDocument) -> Result<Schema, GqlError> {
    let prelude = super::syntax::parse_schema(PRELUDE, true)?;
    let mut sd = prelude;
    sd.schema.extend(doc.schema.iter().cloned());
    sd.schema_extension
        .extend(doc.schema_extension.iter().cloned());
    sd.directives.extend(doc.directives.iter().cloned());
    sd.definitions.extend(doc.definitions.iter().cloned());
    sd.extensions.extend(doc.extensions.iter().cloned());

    let mut schema = Schema::default();
    let mut order: Vec<String> = Vec::new();
    for def in &sd.definitions {
        if schema.types.contains_key(&def.name) {
            return Err(err(
                def.position,
                format!("Cannot redeclare type {}.", def.name),
            ));
        }
        schema.types.insert(def.name.clone(), def.clone());
        order.push(def.name.clone());
    }
    for ext in &sd.extensions {
        if !schema.types.contains_key(&ext.name) {
            schema.types.insert(
                ext.name.clone(),
                Definition {
                    kind: ext.kind.clone(),
                    name: ext.name.clone(),
                    position: ext.position,
                    ..Default::default()
                },
            );
            order.push(ext.name.clone());
        }
        let Some(def) = schema.types.get_mut(&ext.name) else {
            continue;
        };
        if def.kind != ext.kind {
            return Err(err(
                ext.position,
                format!(
                    "Cannot extend type {} because the base type is a {}, not {}.",
                    ext.name, def.kind, ext.kind
                ),
            ));
        }
        def.directives.extend(ext.directives.iter().cloned());
        def.interfaces.extend(ext.interfaces.iter().cloned());
        def.fields.extend(ext.fields.iter().cloned());
        def.types.extend(ext.types.iter().cloned());
        def.type_positions
            .extend(ext.type_positions.iter().cloned());
        def.enum_values.extend(ext.enum_values.iter().cloned());
    }
    for name in &order {
        let Some(def) = schema.types.get(name) else {
            continue;
        };
        let mut adds: Vec<(String, String)> = Vec::new();
        match def.kind.as_str() {
            "UNION" => {
                for t in &def.types {
                    if schema.types.contains_key(t) {
                        adds.push((def.name.clone(), t.clone()));
                    }
                }
            }
            "INPUT_OBJECT" | "OBJECT" => {
                for i in &def.interfaces {
                    adds.push((i.clone(), def.name.clone()));
                }
                adds.push((def.name.clone(), def.name.clone()));
            }
            "INTERFACE" => {
                for i in &def.interfaces {
                    adds.push((i.clone(), def.name.clone()));
                }
            }
            _ => {}
        }
        for (k, v) in adds {
            schema.possible_types.entry(k).or_default().push(v);
        }
    }
    for dir in &sd.directives {
        if schema.directives.contains_key(&dir.name)
            && !matches!(
                dir.name.as_str(),
                "include" | "skip" | "deprecated" | "specifiedBy" | "defer" | "oneOf"
            )
        {
            return Err(err(
                dir.position,
                format!("Cannot redeclare directive {}.", dir.name),
            ));
        }
        schema.directives.insert(dir.name.clone(), dir.clone());
    }
    if sd.schema.len() > 1 {
        return Err(err(
            sd.schema[1].position,
            "Cannot have multiple schema entry points, consider schema extensions instead."
                .to_string(),
        ));
    }
    for def in sd.schema.iter().chain(sd.schema_extension.iter()) {
        for entry in &def.operation_types {
            if !schema.types.contains_key(&entry.ty) {
                return Err(err(
                    entry.position,
                    format!(
                        "Schema root {} refers to a type {} that does not exist.",
                        entry.operation, entry.ty
                    ),
                ));
            }
            let slot = match entry.operation.as_str() {
                "query" => &mut schema.query,
                "mutation" => &mut schema.mutation,
                _ => &mut schema.subscription,
            };
            *slot = Some(entry.ty.clone());
        }
        validate_directives(&schema, &def.directives, "SCHEMA", None, true)?;
    }

    let mut names: Vec<&String> = schema.types.keys().collect();
    names.sort();
    for name in &names {
        validate_definition(&schema, &schema.types[*name])?;
    }
    validate_input_cycles(&schema, &names)?;
    let mut dnames: Vec<&String> = schema.directives.keys().collect();
    dnames.sort();
    for name in dnames {
        let d = &schema.directives[name];
        validate_name(d.position, &d.name)?;
        validate_args(&schema, &d.arguments, Some(d))?;
    }

    if sd.schema.is_empty() {
        for (slot, name) in [
            (&mut schema.query, "Query"),
            (&mut schema.mutation, "Mutation"),
            (&mut schema.subscription, "Subscription"),
        ] {
            if slot.is_none() && schema.types.contains_key(name) {
                *slot = Some(name.to_string());
            }
        }
    }
    if let Some(q) = schema.query.clone() {
        if let Some(def) = schema.types.get_mut(&q) {
            def.fields.push(FieldDefinition {
                name: "__schema".to_string(),
                ty: TypeRef {
                    named_type: "__Schema".to_string(),
                    non_null: true,
                    ..Default::default()
                },
                ..Default::default()
            });
            def.fields.push(FieldDefinition {
                name: "__type".to_string(),
                ty: TypeRef {
                    named_type: "__Type".to_string(),
                    ..Default::default()
                },
                arguments: vec![FieldDefinition {
                    name: "name".to_string(),
                    ty: TypeRef {
                        named_type: "String".to_string(),
                        non_null: true,
                        ..Default::default()
                    },
                    ..Default::default()
                }],
                ..Default::default()
            });
        }
    }
    Ok(schema)
}

pub(super) fn validate_name(pos: Option<Pos>, name: &str) -> Result<(), GqlError> {
    if name.starts_with("__") {
        return Err(err(
            pos,
            format!(
                "Name \"{name}\" must not begin with \"__\", which is reserved by GraphQL introspection."
            ),
        ));
    }
    Ok(())
}

pub(super) fn validate_type_ref(schema: &Schema, ty: &TypeRef) -> Result<(), GqlError> {
    if !schema.types.contains_key(ty.name()) {
        return Err(err(ty.position, format!("Undefined type {}.", ty.name())));
    }
    Ok(())
}

pub(super) fn validate_args(
    schema: &Schema,
    args: &[FieldDefinition],
    current: Option<&DirectiveDefinition>,
) -> Result<(), GqlError> {
    for arg in args {
        validate_name(arg.position, &arg.name)?;
        validate_type_ref(schema, &arg.ty)?;
        if let Some(def) = schema.types.get(arg.ty.name()) {
            if !is_input_type(def) {
                return Err(err(
                    arg.position,
                    format!(
                        "cannot use {} as argument {} because {} is not a valid input type",
                        arg.ty, arg.name, def.kind
                    ),
                ));
            }
        }
        validate_directives(
            schema,
            &arg.directives,
            "ARGUMENT_DEFINITION",
            current,
            true,
        )?;
    }
    Ok(())
}

pub(super) fn validate_directives(
    schema: &Schema,
    dirs: &[Directive],
    location: &str,
    current: Option<&DirectiveDefinition>,
    single_location: bool,
) -> Result<(), GqlError> {
    let mut seen = HashSet::new();
    for dir in dirs {
        validate_name(dir.position, &dir.name)?;
        if let Some(cur) = current {
            if cur.name == dir.name {
                return Err(err(
                    dir.position,
                    format!("Directive {} cannot refer to itself.", cur.name),
                ));
            }
        }
        let Some(def) = schema.directives.get(&dir.name) else {
            return Err(err(
                dir.position,
                format!("Undefined directive {}.", dir.name),
            ));
        };
        if single_location {
            if seen.contains(&dir.name) && !def.is_repeatable {
                return Err(err(
                    dir.position,
                    format!(
                        "The directive {} can only be used once at this location.",
                        dir.name
                    ),
                ));
            }
            seen.insert(dir.name.clone());
        }
        if !def.locations.iter().any(|l| l == location) {
            return Err(err(
                dir.position,
                format!("Directive {} is not applicable on {}.", dir.name, location),
            ));
        }
        for arg in &dir.arguments {
            if !def.arguments.iter().any(|a| a.name == arg.name) {
                return Err(err(
                    arg.position,
                    format!(
                        "Undefined argument {} for directive {}.",
                        arg.name, dir.name
                    ),
                ));
            }
        }
        for sa in &def.arguments {
            if sa.ty.non_null && sa.default_value.is_none() {
                let given = dir.arguments.iter().find(|a| a.name == sa.name);
                let missing = match given {
                    None => true,
                    Some(a) => a.value.as_ref().is_some_and(|v| v.kind == ValueKind::Null),
                };
                if missing {
                    return Err(err(
                        dir.position,
                        format!(
                            "Argument {} for directive {} cannot be null.",
                            sa.name, dir.name
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

pub(super) fn kind_list(kinds: &[&str]) -> String {
    kinds.join(", ")
}

//! Schema building and query validation with gqlparser's rules and messages (the checks
//! OPA's `graphql.*` builtins apply).

use super::ast::*;
use super::overlap::{FieldInfo, Overlap, OverlapState};
use super::syntax::{go_quote, GqlError, MAX_DEPTH};
use std::collections::{BTreeMap, HashMap, HashSet};

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
    types: HashMap<String, Definition>,
    directives: HashMap<String, DirectiveDefinition>,
    query: Option<String>,
    mutation: Option<String>,
    subscription: Option<String>,
    possible_types: HashMap<String, Vec<String>>,
}

impl Schema {
    /// The definition of the type called `name`.
    pub(crate) fn type_def(&self, name: &str) -> Option<&Definition> {
        self.types.get(name)
    }
}

fn is_input_type(d: &Definition) -> bool {
    matches!(d.kind.as_str(), "SCALAR" | "ENUM" | "INPUT_OBJECT")
}

fn is_leaf_type(d: &Definition) -> bool {
    matches!(d.kind.as_str(), "SCALAR" | "ENUM")
}

fn is_composite_type(d: &Definition) -> bool {
    matches!(d.kind.as_str(), "OBJECT" | "INTERFACE" | "UNION")
}

fn err(pos: Option<Pos>, message: String) -> GqlError {
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

fn validate_name(pos: Option<Pos>, name: &str) -> Result<(), GqlError> {
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

fn validate_type_ref(schema: &Schema, ty: &TypeRef) -> Result<(), GqlError> {
    if !schema.types.contains_key(ty.name()) {
        return Err(err(ty.position, format!("Undefined type {}.", ty.name())));
    }
    Ok(())
}

fn validate_args(
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

fn validate_directives(
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

fn kind_list(kinds: &[&str]) -> String {
    kinds.join(", ")
}

fn validate_definition(schema: &Schema, def: &Definition) -> Result<(), GqlError> {
    for field in &def.fields {
        validate_name(field.position, &field.name)?;
        validate_type_ref(schema, &field.ty)?;
        validate_args(schema, &field.arguments, None)?;
        let loc = if def.kind == "INPUT_OBJECT" {
            "INPUT_FIELD_DEFINITION"
        } else {
            "FIELD_DEFINITION"
        };
        validate_directives(schema, &field.directives, loc, None, true)?;
    }
    for t in &def.types {
        match schema.types.get(t) {
            None => {
                return Err(err(
                    def.position,
                    format!("Undefined type {}.", go_quote(t)),
                ))
            }
            Some(td) if td.kind != "OBJECT" => {
                return Err(err(
                    def.position,
                    format!("{} type {} must be OBJECT.", def.kind, go_quote(t)),
                ))
            }
            _ => {}
        }
    }
    for intf in &def.interfaces {
        validate_implements(schema, def, intf)?;
    }
    match def.kind.as_str() {
        "OBJECT" | "INTERFACE" => {
            if def.fields.is_empty() {
                return Err(err(
                    def.position,
                    format!("{} {}: must define one or more fields.", def.kind, def.name),
                ));
            }
            for field in &def.fields {
                if let Some(t) = schema.types.get(field.ty.name()) {
                    if !matches!(
                        t.kind.as_str(),
                        "SCALAR" | "OBJECT" | "INTERFACE" | "UNION" | "ENUM"
                    ) {
                        return Err(err(
                            field.position,
                            format!(
                                "{} {}: field must be one of {}.",
                                def.kind,
                                def.name,
                                kind_list(&["SCALAR", "OBJECT", "INTERFACE", "UNION", "ENUM"])
                            ),
                        ));
                    }
                }
            }
        }
        "ENUM" => {
            if def.enum_values.is_empty() {
                return Err(err(
                    def.position,
                    format!(
                        "{} {}: must define one or more unique enum values.",
                        def.kind, def.name
                    ),
                ));
            }
            for value in &def.enum_values {
                if matches!(value.name.as_str(), "true" | "false" | "null") {
                    return Err(err(
                        def.position,
                        format!("{} {}: non-enum value {}.", def.kind, def.name, value.name),
                    ));
                }
                validate_directives(schema, &value.directives, "ENUM_VALUE", None, true)?;
            }
        }
        "INPUT_OBJECT" => {
            if def.fields.is_empty() {
                return Err(err(
                    def.position,
                    format!(
                        "{} {}: must define one or more input fields.",
                        def.kind, def.name
                    ),
                ));
            }
            for field in &def.fields {
                if let Some(t) = schema.types.get(field.ty.name()) {
                    if !matches!(t.kind.as_str(), "SCALAR" | "ENUM" | "INPUT_OBJECT") {
                        return Err(err(
                            field.position,
                            format!(
                                "{} {}: field must be one of {}.",
                                t.kind,
                                field.name,
                                kind_list(&["SCALAR", "ENUM", "INPUT_OBJECT"])
                            ),
                        ));
                    }
                }
            }
        }
        _ => {}
    }
    for (i, f1) in def.fields.iter().enumerate() {
        if let Some(f2) = def.fields[i + 1..].iter().find(|f2| f2.name == f1.name) {
            return Err(err(
                f2.position,
                format!("Field {}.{} can only be defined once.", def.name, f2.name),
            ));
        }
    }
    for (i, v1) in def.enum_values.iter().enumerate() {
        if let Some(v2) = def.enum_values[i + 1..]
            .iter()
            .find(|v2| v2.name == v1.name)
        {
            return Err(err(
                v2.position,
                format!(
                    "Enum value {}.{} can only be defined once.",
                    def.name, v2.name
                ),
            ));
        }
    }
    let aligned = def.type_positions.len() == def.types.len();
    for (i, t1) in def.types.iter().enumerate() {
        if let Some(j) = def.types[i + 1..].iter().position(|t| t == t1) {
            let pos = match def.type_positions.get(i + 1 + j) {
                Some(Some(p)) if aligned => Some(*p),
                _ => def.position,
            };
            return Err(err(
                pos,
                format!("Union type {} can only include type {} once.", def.name, t1),
            ));
        }
    }
    if !def.builtin {
        validate_name(def.position, &def.name)?;
    }
    validate_directives(schema, &def.directives, &def.kind, None, false)
}

fn validate_implements(schema: &Schema, def: &Definition, intf_name: &str) -> Result<(), GqlError> {
    let Some(intf) = schema.types.get(intf_name) else {
        return Err(err(
            def.position,
            format!("Undefined type {}.", go_quote(intf_name)),
        ));
    };
    if intf.kind != "INTERFACE" {
        return Err(err(
            def.position,
            format!(
                "{} is a non interface type {}.",
                go_quote(intf_name),
                intf.kind
            ),
        ));
    }
    for required in &intf.fields {
        let Some(found) = def.fields.iter().find(|f| f.name == required.name) else {
            return Err(err(
                def.position,
                format!(
                    "For {} to implement {} it must have a field called {}.",
                    def.name, intf.name, required.name
                ),
            ));
        };
        if !is_covariant(schema, &required.ty, &found.ty, 0) {
            return Err(err(
                found.position,
                format!(
                    "For {} to implement {} the field {} must have type {}.",
                    def.name, intf.name, required.name, required.ty
                ),
            ));
        }
        for ra in &required.arguments {
            let Some(fa) = found.arguments.iter().find(|a| a.name == ra.name) else {
                return Err(err(found.position, format!(
                    "For {} to implement {} the field {} must have the same arguments but it is missing {}.",
                    def.name, intf.name, required.name, ra.name
                )));
            };
            if !is_compatible(&ra.ty, &fa.ty) {
                return Err(err(fa.position, format!(
                    "For {} to implement {} the field {} must have the same arguments but {} has the wrong type.",
                    def.name, intf.name, required.name, ra.name
                )));
            }
        }
        for fa in &found.arguments {
            if !required.arguments.iter().any(|a| a.name == fa.name)
                && fa.ty.non_null
                && fa.default_value.is_none()
            {
                return Err(err(fa.position, format!(
                    "For {} to implement {} any additional arguments on {} must be optional or have a default value but {} is required.",
                    def.name, intf.name, found.name, fa.name
                )));
            }
        }
    }
    for transitive in &intf.interfaces {
        if !def.interfaces.contains(transitive) {
            if *transitive == def.name {
                return Err(err(
                    def.position,
                    format!(
                        "Type {} cannot implement {} because it would create a circular reference.",
                        def.name, intf_name
                    ),
                ));
            }
            return Err(err(
                def.position,
                format!(
                    "Type {} must implement {} because it is implemented by {}.",
                    def.name, transitive, intf_name
                ),
            ));
        }
    }
    Ok(())
}

fn is_covariant(schema: &Schema, required: &TypeRef, actual: &TypeRef, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    if required.non_null && !actual.non_null {
        return false;
    }
    if !required.named_type.is_empty() {
        if required.named_type == actual.named_type {
            return true;
        }
        return schema
            .possible_types
            .get(&required.named_type)
            .is_some_and(|pts| pts.contains(&actual.named_type));
    }
    match (&required.elem, &actual.elem) {
        (Some(r), Some(a)) => is_covariant(schema, r, a, depth + 1),
        _ => false,
    }
}

/// gqlparser's `Type.IsCompatible`: can a value of type `t` be used where `other` is expected.
fn is_compatible(t: &TypeRef, other: &TypeRef) -> bool {
    let (mut t, mut other) = (t, other);
    loop {
        if t.named_type != other.named_type {
            return false;
        }
        if other.non_null && !t.non_null {
            return false;
        }
        match (&t.elem, &other.elem) {
            (Some(_), None) => return false,
            (Some(a), Some(b)) => {
                t = a;
                other = b;
            }
            (None, _) => return true,
        }
    }
}

fn validate_input_cycles(schema: &Schema, names: &[&String]) -> Result<(), GqlError> {
    let mut visited: HashSet<String> = HashSet::new();
    let mut path: Vec<&FieldDefinition> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();

    fn detect<'a>(
        schema: &'a Schema,
        def: &'a Definition,
        visited: &mut HashSet<String>,
        path: &mut Vec<&'a FieldDefinition>,
        index: &mut HashMap<String, usize>,
    ) -> Result<(), GqlError> {
        if !visited.insert(def.name.clone()) {
            return Ok(());
        }
        if path.len() > MAX_DEPTH {
            return Err(err(def.position, "schema is nested too deeply".to_string()));
        }
        index.insert(def.name.clone(), path.len());
        for field in &def.fields {
            if !field.ty.non_null || field.ty.named_type.is_empty() {
                continue;
            }
            let Some(ft) = schema.types.get(&field.ty.named_type) else {
                continue;
            };
            if ft.kind != "INPUT_OBJECT" {
                continue;
            }
            path.push(field);
            if let Some(&ci) = index.get(&ft.name) {
                let names: Vec<&str> = path[ci..].iter().map(|f| f.name.as_str()).collect();
                return Err(err(
                    path[ci].position,
                    format!(
                        "Cannot reference Input Object {} within itself through a series of non-null fields: {}.",
                        go_quote(&ft.name),
                        go_quote(&names.join("."))
                    ),
                ));
            }
            detect(schema, ft, visited, path, index)?;
            path.pop();
        }
        index.remove(&def.name);
        Ok(())
    }

    for name in names {
        let def = &schema.types[*name];
        if def.kind == "INPUT_OBJECT" {
            detect(schema, def, &mut visited, &mut path, &mut index)?;
        }
    }
    Ok(())
}

// ---- query validation ----

struct Walker<'a> {
    schema: &'a Schema,
    doc: &'a QueryDocument,
    errors: Vec<GqlError>,
    /// Variables of the operation being walked, with whether each was used.
    vars: Option<(&'a OperationDefinition, Vec<bool>)>,
    spread_seen: HashSet<String>,
    in_fragment_definitions: bool,
    used_fragments: HashSet<String>,
    depth: usize,
    too_deep: bool,
    field_info: HashMap<*const Field, FieldInfo<'a>>,
    overlap_state: OverlapState,
    frags: Fragments<'a>,
}

/// The document's fragments by name (the first of each name, as gqlparser's `ForName`).
pub(crate) type Fragments<'a> = HashMap<&'a str, &'a FragmentDefinition>;

/// Where a value sits: the type expected there and the definition of its named type.
#[derive(Clone, Copy)]
struct Expect<'a> {
    ty: Option<&'a TypeRef>,
    def: Option<&'a Definition>,
    has_default: bool,
}

const NO_EXPECT: Expect<'static> = Expect {
    ty: None,
    def: None,
    has_default: false,
};

fn value_string(v: &Value) -> String {
    match v.kind {
        ValueKind::Variable => format!("${}", v.raw),
        ValueKind::String | ValueKind::Block => go_quote(&v.raw),
        ValueKind::List => {
            let items: Vec<String> = v
                .children
                .iter()
                .map(|c| {
                    c.value
                        .as_ref()
                        .map(value_string)
                        .unwrap_or_else(|| "<nil>".into())
                })
                .collect();
            format!("[{}]", items.join(","))
        }
        ValueKind::Object => {
            let items: Vec<String> = v
                .children
                .iter()
                .map(|c| {
                    format!(
                        "{}:{}",
                        c.name,
                        c.value
                            .as_ref()
                            .map(value_string)
                            .unwrap_or_else(|| "<nil>".into())
                    )
                })
                .collect();
            format!("{{{}}}", items.join(","))
        }
        _ => v.raw.clone(),
    }
}

impl<'a> Walker<'a> {
    fn add(&mut self, pos: Option<Pos>, message: String) {
        self.errors.push(GqlError::at(pos, message));
    }

    fn type_def(&self, name: &str) -> Option<&'a Definition> {
        self.schema.types.get(name)
    }

    /// OverlappingFieldsCanBeMerged on one selection set.
    fn overlap(&mut self, set: &'a [Selection]) {
        let state = std::mem::take(&mut self.overlap_state);
        let mut o = Overlap::new(self.schema, &self.frags, &self.field_info, state);
        let conflicts = o.within(set);
        let (state, exhausted) = o.finish();
        self.overlap_state = state;
        self.too_deep |= exhausted;
        for c in conflicts {
            let message = c.message();
            self.add(c.position, message);
        }
    }

    fn walk(&mut self) {
        let doc = self.doc;
        // UniqueOperationNames / UniqueFragmentNames are reported as their nodes are walked.
        let mut op_names: HashMap<&str, usize> = HashMap::new();
        for op in &doc.operations {
            self.spread_seen.clear();
            self.walk_operation(op, &mut op_names);
        }
        self.in_fragment_definitions = false;
        let mut frag_names: HashMap<&str, usize> = HashMap::new();
        let mut cycle_visited: HashSet<String> = HashSet::new();
        for frag in &doc.fragments {
            self.spread_seen.clear();
            self.walk_fragment(frag, &mut frag_names, &mut cycle_visited);
        }
    }

    fn root(&self, operation: &str) -> Option<&'a Definition> {
        let name = match operation {
            "query" | "" => self.schema.query.as_deref(),
            "mutation" => self.schema.mutation.as_deref(),
            "subscription" => self.schema.subscription.as_deref(),
            _ => None,
        };
        name.and_then(|n| self.type_def(n))
    }

    fn walk_operation(&mut self, op: &'a OperationDefinition, names: &mut HashMap<&'a str, usize>) {
        self.vars = Some((op, vec![false; op.variable_definitions.len()]));
        for vd in &op.variable_definitions {
            // KnownTypeNames (OnVariable).
            if self.type_def(vd.ty.name()).is_none() {
                self.add(vd.position, format!("Unknown type \"{}\".", vd.ty.name()));
            }
        }
        let (def, loc) = match op.operation.as_str() {
            "mutation" => (self.root("mutation"), "MUTATION"),
            "subscription" => (self.root("subscription"), "SUBSCRIPTION"),
            _ => (self.root("query"), "QUERY"),
        };
        for vd in &op.variable_definitions {
            if let Some(dv) = &vd.default_value {
                let e = Expect {
                    ty: Some(&vd.ty),
                    def: self.type_def(vd.ty.name()),
                    has_default: false,
                };
                self.walk_value(dv, e);
            }
            let vdef = self.type_def(vd.ty.name());
            self.walk_directives(vdef, &vd.directives, "VARIABLE_DEFINITION");
        }
        self.walk_directives(def, &op.directives, loc);
        self.walk_selection_set(def, &op.selection_set);

        // OnOperation rules, in rule-name order.
        if def.is_none() {
            self.add(
                op.position,
                format!(
                    "Schema does not support operation type \"{}\"",
                    op.operation
                ),
            );
        }
        if op.name.is_empty() && self.doc.operations.len() > 1 {
            self.add(
                op.position,
                "This anonymous operation must be the only defined operation.".to_string(),
            );
        }
        let used = self.vars.take().map(|(_, u)| u).unwrap_or_default();
        for (vd, used) in op.variable_definitions.iter().zip(used) {
            if used {
                continue;
            }
            if op.name.is_empty() {
                self.add(
                    vd.position,
                    format!("Variable \"${}\" is never used.", vd.variable),
                );
            } else {
                self.add(
                    vd.position,
                    format!(
                        "Variable \"${}\" is never used in operation \"{}\".",
                        vd.variable, op.name
                    ),
                );
            }
        }
        self.overlap(&op.selection_set);
        if op.operation == "subscription" && self.schema.subscription.is_some() {
            let name = if op.name.is_empty() {
                "Anonymous Subscription".to_string()
            } else {
                format!("Subscription {}", go_quote(&op.name))
            };
            let mut tops: Vec<(&str, Option<Pos>)> = Vec::new();
            collect_top_fields(
                &self.frags,
                &op.selection_set,
                &mut tops,
                &mut HashSet::new(),
                0,
            );
            if tops.len() > 1 {
                self.add(
                    tops[1].1,
                    format!("{name} must select only one top level field."),
                );
            }
            for (n, p) in &tops {
                if n.starts_with("__") {
                    self.add(
                        *p,
                        format!("{name} must not select an introspection top level field."),
                    );
                }
            }
        }
        if !op.name.is_empty() {
            let count = names.entry(&op.name).or_insert(0);
            *count += 1;
            if *count == 2 {
                self.add(
                    op.position,
                    format!("There can be only one operation named \"{}\".", op.name),
                );
            }
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for vd in &op.variable_definitions {
            let c = seen.entry(&vd.variable).or_insert(0);
            *c += 1;
            if *c == 2 {
                self.add(
                    vd.position,
                    format!("There can be only one variable named \"${}\".", vd.variable),
                );
            }
        }
        for vd in &op.variable_definitions {
            if let Some(d) = self.type_def(vd.ty.name()) {
                if !is_input_type(d) {
                    self.add(
                        vd.position,
                        format!(
                            "Variable \"${}\" cannot be non-input type \"{}\".",
                            vd.variable, vd.ty
                        ),
                    );
                }
            }
        }
    }

    fn walk_fragment(
        &mut self,
        frag: &'a FragmentDefinition,
        names: &mut HashMap<&'a str, usize>,
        cycle_visited: &mut HashSet<String>,
    ) {
        let def = self.type_def(&frag.type_condition);
        self.walk_directives(def, &frag.directives, "FRAGMENT_DEFINITION");
        self.walk_selection_set(def, &frag.selection_set);

        // OnFragment rules, in rule-name order.
        if let Some(d) = def {
            if !frag.type_condition.is_empty() && !is_composite_type(d) {
                self.add(
                    frag.position,
                    format!(
                        "Fragment \"{}\" cannot condition on non composite type \"{}\".",
                        frag.name, frag.type_condition
                    ),
                );
            }
        } else {
            self.add(
                frag.position,
                format!("Unknown type \"{}\".", frag.type_condition),
            );
        }
        self.fragment_cycles(frag, cycle_visited);
        self.in_fragment_definitions = true;
        if !self.used_fragments.contains(&frag.name) {
            self.add(
                frag.position,
                format!("Fragment \"{}\" is never used.", frag.name),
            );
        }
        self.overlap(&frag.selection_set);
        let c = names.entry(&frag.name).or_insert(0);
        *c += 1;
        if *c == 2 {
            self.add(
                frag.position,
                format!("There can be only one fragment named \"{}\".", frag.name),
            );
        }
    }

    fn fragment_cycles(&mut self, start: &'a FragmentDefinition, visited: &mut HashSet<String>) {
        let mut path: Vec<&'a FragmentSpread> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        self.cycles_from(start, visited, &mut path, &mut index);
    }

    fn cycles_from(
        &mut self,
        frag: &'a FragmentDefinition,
        visited: &mut HashSet<String>,
        path: &mut Vec<&'a FragmentSpread>,
        index: &mut HashMap<String, usize>,
    ) {
        if !visited.insert(frag.name.clone()) {
            return;
        }
        if path.len() > MAX_DEPTH {
            self.too_deep = true;
            return;
        }
        let mut spreads = Vec::new();
        collect_spreads(&frag.selection_set, &mut spreads);
        if spreads.is_empty() {
            return;
        }
        index.insert(frag.name.clone(), path.len());
        for spread in spreads {
            let cycle = index.get(&spread.name).copied();
            path.push(spread);
            match cycle {
                None => {
                    if let Some(next) = self.frags.get(spread.name.as_str()).copied() {
                        self.cycles_from(next, visited, path, index);
                    }
                }
                Some(ci) => {
                    let via: Vec<String> = path[ci..path.len() - 1]
                        .iter()
                        .map(|s| format!("\"{}\"", s.name))
                        .collect();
                    let via = if via.is_empty() {
                        String::new()
                    } else {
                        format!(" via {}", via.join(", "))
                    };
                    self.add(
                        spread.position,
                        format!(
                            "Cannot spread fragment \"{}\" within itself{}.",
                            spread.name, via
                        ),
                    );
                }
            }
            path.pop();
        }
        index.remove(&frag.name);
    }

    fn walk_directives(
        &mut self,
        parent: Option<&'a Definition>,
        dirs: &'a [Directive],
        location: &str,
    ) {
        let _ = parent;
        for dir in dirs {
            let def = self.schema.directives.get(&dir.name);
            for arg in &dir.arguments {
                let adef = def.and_then(|d| d.arguments.iter().find(|a| a.name == arg.name));
                self.walk_argument(adef, arg);
            }
            // OnDirective rules, in rule-name order.
            match def {
                Some(d) => {
                    for arg in &dir.arguments {
                        if !d.arguments.iter().any(|a| a.name == arg.name) {
                            let names: Vec<String> =
                                d.arguments.iter().map(|a| a.name.clone()).collect();
                            let msg = format!(
                                "Unknown argument \"{}\" on directive \"@{}\".{}",
                                arg.name,
                                dir.name,
                                suggest_quoted("Did you mean", &arg.name, &names)
                            );
                            self.add(dir.position, msg);
                        }
                    }
                    if !d.locations.iter().any(|l| l == location) {
                        self.add(
                            dir.position,
                            format!(
                                "Directive \"@{}\" may not be used on {}.",
                                dir.name, location
                            ),
                        );
                    }
                    for ad in &d.arguments {
                        if ad.ty.non_null
                            && ad.default_value.is_none()
                            && !dir.arguments.iter().any(|a| a.name == ad.name)
                        {
                            self.add(
                                dir.position,
                                format!(
                                    "Directive \"@{}\" argument \"{}\" of type \"{}\" is required, but it was not provided.",
                                    d.name, ad.name, ad.ty
                                ),
                            );
                        }
                    }
                }
                None => {
                    self.add(
                        dir.position,
                        format!("Unknown directive \"@{}\".", dir.name),
                    );
                }
            }
            self.unique_args(&dir.arguments);
        }
        // UniqueDirectivesPerLocation (OnDirectiveList).
        let mut seen = HashSet::new();
        for dir in dirs {
            let repeatable = self
                .schema
                .directives
                .get(&dir.name)
                .is_some_and(|d| d.is_repeatable);
            if !repeatable && seen.contains(&dir.name) {
                self.add(
                    dir.position,
                    format!(
                        "The directive \"@{}\" can only be used once at this location.",
                        dir.name
                    ),
                );
            }
            seen.insert(dir.name.clone());
        }
    }

    fn unique_args(&mut self, args: &[Argument]) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for arg in args {
            let c = seen.entry(arg.name.as_str()).or_insert(0);
            if *c == 1 {
                self.add(
                    arg.position,
                    format!("There can be only one argument named \"{}\".", arg.name),
                );
            }
            *c += 1;
        }
    }

    fn walk_argument(&mut self, adef: Option<&'a FieldDefinition>, arg: &'a Argument) {
        let Some(value) = &arg.value else { return };
        let e = match adef {
            Some(a) => Expect {
                ty: Some(&a.ty),
                def: self.type_def(a.ty.name()),
                has_default: a
                    .default_value
                    .as_ref()
                    .is_some_and(|d| d.kind != ValueKind::Null),
            },
            None => NO_EXPECT,
        };
        self.walk_value(value, e);
    }

    fn walk_value(&mut self, value: &'a Value, e: Expect<'a>) {
        if !self.enter() {
            self.leave();
            return;
        }
        let mut var_def: Option<&'a VariableDefinition> = None;
        if value.kind == ValueKind::Variable {
            if let Some((op, used)) = self.vars.as_mut() {
                if let Some(i) = op
                    .variable_definitions
                    .iter()
                    .position(|v| v.variable == value.raw)
                {
                    used[i] = true;
                    var_def = Some(&op.variable_definitions[i]);
                }
            }
        }
        match value.kind {
            ValueKind::Object => {
                for child in &value.children {
                    let Some(cv) = &child.value else { continue };
                    let mut ce = NO_EXPECT;
                    if let Some(d) = e.def {
                        if let Some(fd) = d.fields.iter().find(|f| f.name == child.name) {
                            ce = Expect {
                                ty: Some(&fd.ty),
                                def: self.type_def(fd.ty.name()),
                                has_default: fd
                                    .default_value
                                    .as_ref()
                                    .is_some_and(|d| d.kind != ValueKind::Null),
                            };
                        }
                    }
                    self.walk_value(cv, ce);
                }
            }
            ValueKind::List => {
                for child in &value.children {
                    let Some(cv) = &child.value else { continue };
                    let mut ce = NO_EXPECT;
                    if let Some(elem) = e.ty.and_then(|t| t.elem.as_deref()) {
                        ce = Expect {
                            ty: Some(elem),
                            def: e.def,
                            has_default: false,
                        };
                    }
                    self.walk_value(cv, ce);
                }
            }
            _ => {}
        }
        self.value_rules(value, e, var_def);
        self.leave();
    }

    /// The OnValue rules, in rule-name order.
    fn value_rules(
        &mut self,
        value: &'a Value,
        e: Expect<'a>,
        var_def: Option<&'a VariableDefinition>,
    ) {
        // NoUndefinedVariables.
        if let Some((op, _)) = &self.vars {
            if value.kind == ValueKind::Variable && var_def.is_none() {
                let msg = if op.name.is_empty() {
                    format!("Variable \"{}\" is not defined.", value_string(value))
                } else {
                    format!(
                        "Variable \"{}\" is not defined by operation \"{}\".",
                        value_string(value),
                        op.name
                    )
                };
                self.add(value.position, msg);
            }
        }
        // UniqueInputFieldNames.
        if value.kind == ValueKind::Object {
            let mut seen = HashSet::new();
            for c in &value.children {
                if !seen.insert(c.name.as_str()) {
                    self.add(
                        c.position,
                        format!("There can be only one input field named \"{}\".", c.name),
                    );
                }
            }
        }
        // ValuesOfCorrectType.
        if let (Some(def), Some(ty)) = (e.def, e.ty) {
            self.values_of_correct_type(value, def, ty);
        }
        // VariablesInAllowedPosition.
        if let (ValueKind::Variable, Some(ty), Some(vd), true) =
            (value.kind, e.ty, var_def, self.vars.is_some())
        {
            let mut tmp = ty.clone();
            if vd
                .default_value
                .as_ref()
                .is_some_and(|d| d.kind != ValueKind::Null)
                && ty.non_null
            {
                tmp.non_null = false;
            }
            if e.has_default {
                tmp.non_null = false;
            }
            if !is_compatible(&vd.ty, &tmp) {
                self.add(
                    value.position,
                    format!(
                        "Variable \"{}\" of type \"{}\" used in position expecting type \"{}\".",
                        value_string(value),
                        vd.ty,
                        ty
                    ),
                );
            }
        }
    }

    fn values_of_correct_type(&mut self, value: &Value, def: &Definition, ty: &TypeRef) {
        if value.kind == ValueKind::Null && ty.non_null {
            self.add(
                value.position,
                format!(
                    "Expected value of type \"{}\", found {}.",
                    ty,
                    value_string(value)
                ),
            );
        }
        let builtin_scalar =
            ["Int", "Float", "String", "Boolean", "ID"].contains(&def.name.as_str());
        if def.kind == "SCALAR" && !builtin_scalar {
            return;
        }
        let one_of = |names: &[&str]| names.contains(&def.name.as_str());
        let bad = |v: &Value| unexpected_type_message(v, def, ty);
        let parse_failed = match value.kind {
            ValueKind::Int => value.raw.parse::<i64>().is_err(),
            ValueKind::Float => value.raw.parse::<f64>().is_err(),
            ValueKind::Boolean => value.raw != "true" && value.raw != "false",
            _ => false,
        };
        if parse_failed {
            self.add(value.position, bad(value));
        }
        match value.kind {
            ValueKind::Null | ValueKind::Variable => {}
            ValueKind::List => {
                if ty.elem.is_none() {
                    self.add(value.position, bad(value));
                }
            }
            ValueKind::Int => {
                if !one_of(&["Int", "Float", "ID"]) {
                    self.add(value.position, bad(value));
                }
            }
            ValueKind::Float => {
                if !one_of(&["Float"]) {
                    self.add(value.position, bad(value));
                }
            }
            ValueKind::String | ValueKind::Block => {
                if def.kind == "ENUM" {
                    self.add(
                        value.position,
                        format!(
                            "Enum \"{}\" cannot represent non-enum value: {}.{}",
                            ty,
                            value_string(value),
                            suggest_quoted(
                                "Did you mean the enum value",
                                &value.raw,
                                &enum_names(def)
                            )
                        ),
                    );
                } else if !one_of(&["String", "ID"]) {
                    self.add(value.position, bad(value));
                }
            }
            ValueKind::Enum => {
                if def.kind != "ENUM" {
                    let m = bad(value)
                        + &suggest_unquoted(
                            "Did you mean the enum value",
                            &value.raw,
                            &enum_names(def),
                        );
                    self.add(value.position, m);
                } else if !def.enum_values.iter().any(|v| v.name == value.raw) {
                    self.add(
                        value.position,
                        format!(
                            "Value \"{}\" does not exist in \"{}\" enum.{}",
                            value_string(value),
                            ty,
                            suggest_quoted(
                                "Did you mean the enum value",
                                &value.raw,
                                &enum_names(def)
                            )
                        ),
                    );
                }
            }
            ValueKind::Boolean => {
                if !one_of(&["Boolean"]) {
                    self.add(value.position, bad(value));
                }
            }
            ValueKind::Object => {
                for f in &def.fields {
                    if f.ty.non_null
                        && f.default_value.is_none()
                        && !value.children.iter().any(|c| c.name == f.name)
                    {
                        self.add(
                            value.position,
                            format!(
                                "Field \"{}.{}\" of required type \"{}\" was not provided.",
                                def.name, f.name, f.ty
                            ),
                        );
                    }
                }
                if def.directives.iter().any(|d| d.name == "oneOf") {
                    if value.children.len() != 1 {
                        self.add(
                            value.position,
                            format!(
                                "OneOf Input Object \"{}\" must specify exactly one key.",
                                def.name
                            ),
                        );
                    } else {
                        let fv = value.children[0].value.as_ref();
                        if fv.is_none_or(|v| v.kind == ValueKind::Null) {
                            self.add(
                                fv.and_then(|v| v.position),
                                format!(
                                    "Field \"{}.{}\" must be non-null.",
                                    def.name,
                                    def.fields.first().map(|f| f.name.as_str()).unwrap_or("")
                                ),
                            );
                        }
                    }
                }
                for c in &value.children {
                    if !def.fields.iter().any(|f| f.name == c.name) {
                        let names: Vec<String> =
                            def.fields.iter().map(|f| f.name.clone()).collect();
                        self.add(
                            c.position,
                            format!(
                                "Field \"{}\" is not defined by type \"{}\".{}",
                                c.name,
                                def.name,
                                suggest_quoted("Did you mean", &c.name, &names)
                            ),
                        );
                    }
                }
            }
        }
    }

    fn enter(&mut self) -> bool {
        self.depth += 1;
        if self.depth > MAX_DEPTH * 4 {
            self.too_deep = true;
            return false;
        }
        true
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn walk_selection_set(&mut self, parent: Option<&'a Definition>, set: &'a [Selection]) {
        if !self.enter() {
            self.leave();
            return;
        }
        for sel in set {
            self.walk_selection(parent, sel);
        }
        self.leave();
    }

    fn walk_selection(&mut self, parent: Option<&'a Definition>, sel: &'a Selection) {
        match sel {
            Selection::Field(f) => self.walk_field(parent, f),
            Selection::InlineFragment(f) => {
                let next = if f.type_condition.is_empty() {
                    parent
                } else {
                    self.type_def(&f.type_condition)
                };
                self.walk_directives(next, &f.directives, "INLINE_FRAGMENT");
                self.walk_selection_set(next, &f.selection_set);
                // OnInlineFragment rules, in rule-name order.
                if let Some(t) = self.type_def(&f.type_condition) {
                    if !is_composite_type(t) {
                        self.add(
                            f.position,
                            format!(
                                "Fragment cannot condition on non composite type \"{}\".",
                                f.type_condition
                            ),
                        );
                    }
                }
                if !f.type_condition.is_empty() && self.type_def(&f.type_condition).is_none() {
                    self.add(
                        f.position,
                        format!("Unknown type \"{}\".", f.type_condition),
                    );
                }
                self.overlap(&f.selection_set);
                if let Some(p) = parent {
                    if !self.spread_possible(p, &f.type_condition) {
                        self.add(
                            f.position,
                            format!(
                                "Fragment cannot be spread here as objects of type \"{}\" can never be of type \"{}\".",
                                p.name, f.type_condition
                            ),
                        );
                    }
                }
            }
            Selection::FragmentSpread(s) => {
                let def = self.frags.get(s.name.as_str()).copied();
                let next = def.and_then(|d| self.type_def(&d.type_condition));
                self.walk_directives(next, &s.directives, "FRAGMENT_SPREAD");
                if let Some(d) = def {
                    if self.spread_seen.insert(d.name.clone()) {
                        self.walk_directives(next, &d.directives, "FRAGMENT_DEFINITION");
                        self.walk_selection_set(next, &d.selection_set);
                    }
                }
                // OnFragmentSpread rules, in rule-name order.
                if def.is_none() {
                    self.add(s.position, format!("Unknown fragment \"{}\".", s.name));
                }
                if !self.in_fragment_definitions {
                    self.used_fragments.insert(s.name.clone());
                }
                if let (Some(d), Some(p)) = (def, parent) {
                    if !self.spread_possible(p, &d.type_condition) {
                        self.add(
                            s.position,
                            format!(
                                "Fragment \"{}\" cannot be spread here as objects of type \"{}\" can never be of type \"{}\".",
                                s.name, p.name, d.type_condition
                            ),
                        );
                    }
                }
            }
        }
    }

    /// PossibleFragmentSpreads: false when no object of `parent` can be of type `cond`.
    fn spread_possible(&self, parent: &Definition, cond: &str) -> bool {
        let parents: Vec<&str> = match parent.kind.as_str() {
            "OBJECT" => vec![parent.name.as_str()],
            "INTERFACE" | "UNION" => self.possible(&parent.name),
            _ => return true,
        };
        let Some(frag_type) = self.type_def(cond) else {
            return true;
        };
        if !is_composite_type(frag_type) {
            return true;
        }
        self.possible(&frag_type.name)
            .iter()
            .any(|f| parents.contains(f))
    }

    fn possible(&self, name: &str) -> Vec<&str> {
        self.schema
            .possible_types
            .get(name)
            .map(|v| v.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    fn walk_field(&mut self, parent: Option<&'a Definition>, f: &'a Field) {
        let typename;
        let def: Option<&'a FieldDefinition> = if f.name == "__typename" {
            typename = FieldDefinition {
                name: "__typename".to_string(),
                ty: TypeRef {
                    named_type: "String".to_string(),
                    ..Default::default()
                },
                ..Default::default()
            };
            // The synthetic definition only lives for this call; handle it separately.
            let td = &typename;
            return self.walk_field_with(parent, f, Some(td), None);
        } else {
            parent.and_then(|p| p.fields.iter().find(|d| d.name == f.name))
        };
        self.walk_field_with(parent, f, None, def);
    }

    fn walk_field_with(
        &mut self,
        parent: Option<&'a Definition>,
        f: &'a Field,
        synthetic: Option<&FieldDefinition>,
        def: Option<&'a FieldDefinition>,
    ) {
        let next = match (synthetic, def) {
            (Some(s), _) => self.type_def(s.ty.name()),
            (None, Some(d)) => self.type_def(d.ty.name()),
            _ => None,
        };
        self.field_info.insert(
            f as *const Field,
            FieldInfo {
                parent,
                ty: synthetic.or(def).map(|d| d.ty.clone()),
            },
        );
        for arg in &f.arguments {
            let adef = def.and_then(|d| d.arguments.iter().find(|a| a.name == arg.name));
            self.walk_argument(adef, arg);
        }
        self.walk_directives(next, &f.directives, "FIELD");
        self.walk_selection_set(next, &f.selection_set);

        let has_def = synthetic.is_some() || def.is_some();
        // FieldsOnCorrectType.
        if let (Some(p), false) = (parent, has_def) {
            let mut msg = format!("Cannot query field \"{}\" on type \"{}\".", f.name, p.name);
            let types = self.suggested_types(p, &f.name);
            if !types.is_empty() {
                msg += &format!(
                    " Did you mean to use an inline fragment on {}?",
                    quoted_or_list(&types)
                );
            } else if matches!(p.kind.as_str(), "OBJECT" | "INTERFACE") {
                let names: Vec<String> = p.fields.iter().map(|d| d.name.clone()).collect();
                let s = suggestion_list(&f.name, &names);
                if !s.is_empty() {
                    msg += &format!(" Did you mean {}?", quoted_or_list(&s));
                }
            }
            self.add(f.position, msg);
        }
        // KnownArgumentNames.
        if let (Some(d), Some(p)) = (def, parent) {
            for arg in &f.arguments {
                if !d.arguments.iter().any(|a| a.name == arg.name) {
                    let names: Vec<String> = d.arguments.iter().map(|a| a.name.clone()).collect();
                    let msg = format!(
                        "Unknown argument \"{}\" on field \"{}.{}\".{}",
                        arg.name,
                        p.name,
                        f.name,
                        suggest_quoted("Did you mean", &arg.name, &names)
                    );
                    self.add(f.position, msg);
                }
            }
        }
        // MaxIntrospectionDepth.
        if (f.name == "__schema" || f.name == "__type")
            && introspection_too_deep(&self.frags, f, &mut HashSet::new(), 0, 0)
        {
            self.add(
                f.position,
                "Maximum introspection depth exceeded".to_string(),
            );
        }
        // OverlappingFieldsCanBeMerged.
        if self.vars.is_some() {
            self.overlap(&f.selection_set);
        }
        let eff: Option<&FieldDefinition> = synthetic.or(def);
        if let Some(d) = eff {
            // ProvidedRequiredArguments.
            for ad in &d.arguments {
                if ad.ty.non_null
                    && ad.default_value.is_none()
                    && !f.arguments.iter().any(|a| a.name == ad.name)
                {
                    self.add(
                        f.position,
                        format!(
                            "Field \"{}\" argument \"{}\" of type \"{}\" is required, but it was not provided.",
                            f.name, ad.name, ad.ty
                        ),
                    );
                }
            }
            // ScalarLeafs.
            if let Some(t) = self.type_def(d.ty.name()) {
                if is_leaf_type(t) && !f.selection_set.is_empty() {
                    self.add(
                        f.position,
                        format!(
                            "Field \"{}\" must not have a selection since type \"{}\" has no subfields.",
                            f.name, t.name
                        ),
                    );
                }
                if !is_leaf_type(t) && f.selection_set.is_empty() {
                    self.add(
                        f.position,
                        format!(
                            "Field \"{}\" of type \"{}\" must have a selection of subfields. Did you mean \"{} {{ ... }}\"?",
                            f.name, d.ty, f.name
                        ),
                    );
                }
            }
        }
        // UniqueArgumentNames.
        self.unique_args(&f.arguments);
    }

    fn suggested_types(&self, parent: &Definition, name: &str) -> Vec<String> {
        if !matches!(parent.kind.as_str(), "INTERFACE" | "UNION") {
            return Vec::new();
        }
        let mut objects: Vec<String> = Vec::new();
        let mut interfaces: Vec<String> = Vec::new();
        let mut usage: BTreeMap<String, usize> = BTreeMap::new();
        for pt in self.possible(&parent.name) {
            let Some(ptd) = self.type_def(pt) else {
                continue;
            };
            if !ptd.fields.iter().any(|f| f.name == name) {
                continue;
            }
            objects.push(ptd.name.clone());
            for i in &ptd.interfaces {
                if let Some(idef) = self.type_def(i) {
                    if idef.fields.iter().any(|f| f.name == name) {
                        let c = usage.entry(i.clone()).or_insert(0);
                        if *c == 0 {
                            interfaces.push(i.clone());
                        }
                        *c += 1;
                    }
                }
            }
        }
        let mut all = interfaces;
        all.extend(objects);
        all.sort_by(|a, b| {
            let ua = usage.get(a).copied().unwrap_or(0);
            let ub = usage.get(b).copied().unwrap_or(0);
            ub.cmp(&ua).then_with(|| a.cmp(b))
        });
        all
    }
}

/// gqlparser's MaxIntrospectionDepth check: more than two nested `fields`, `interfaces`,
/// `possibleTypes` or `inputFields` selections under an introspection field.
fn introspection_too_deep<'a>(
    frags: &Fragments<'a>,
    field: &'a Field,
    visited: &mut HashSet<&'a str>,
    depth: usize,
    nesting: usize,
) -> bool {
    let mut depth = depth;
    if matches!(
        field.name.as_str(),
        "fields" | "interfaces" | "possibleTypes" | "inputFields"
    ) {
        depth += 1;
        if depth >= 3 {
            return true;
        }
    }
    introspection_set_too_deep(frags, &field.selection_set, visited, depth, nesting + 1)
}

fn introspection_set_too_deep<'a>(
    frags: &Fragments<'a>,
    set: &'a [Selection],
    visited: &mut HashSet<&'a str>,
    depth: usize,
    nesting: usize,
) -> bool {
    if nesting > MAX_DEPTH * 4 {
        return false;
    }
    for sel in set {
        let found = match sel {
            Selection::Field(f) => introspection_too_deep(frags, f, visited, depth, nesting),
            Selection::InlineFragment(i) => {
                introspection_set_too_deep(frags, &i.selection_set, visited, depth, nesting + 1)
            }
            Selection::FragmentSpread(s) => {
                if visited.contains(s.name.as_str()) {
                    false
                } else if let Some(d) = frags.get(s.name.as_str()).copied() {
                    visited.insert(&s.name);
                    let r = introspection_set_too_deep(
                        frags,
                        &d.selection_set,
                        visited,
                        depth,
                        nesting + 1,
                    );
                    visited.remove(s.name.as_str());
                    r
                } else {
                    false
                }
            }
        };
        if found {
            return true;
        }
    }
    false
}

fn collect_spreads<'a>(set: &'a [Selection], out: &mut Vec<&'a FragmentSpread>) {
    let mut stack: Vec<&'a [Selection]> = vec![set];
    while let Some(set) = stack.pop() {
        for sel in set {
            match sel {
                Selection::FragmentSpread(s) => out.push(s),
                Selection::Field(f) => stack.push(&f.selection_set),
                Selection::InlineFragment(f) => stack.push(&f.selection_set),
            }
        }
    }
}

fn collect_top_fields<'a>(
    frags: &Fragments<'a>,
    set: &'a [Selection],
    out: &mut Vec<(&'a str, Option<Pos>)>,
    seen: &mut HashSet<&'a str>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    for sel in set {
        match sel {
            Selection::Field(f) => out.push((&f.name, f.position)),
            Selection::InlineFragment(f) => {
                collect_top_fields(frags, &f.selection_set, out, seen, depth + 1)
            }
            Selection::FragmentSpread(s) => {
                if seen.insert(&s.name) {
                    if let Some(d) = frags.get(s.name.as_str()).copied() {
                        collect_top_fields(frags, &d.selection_set, out, seen, depth + 1);
                    }
                }
            }
        }
    }
}

fn enum_names(def: &Definition) -> Vec<String> {
    def.enum_values.iter().map(|v| v.name.clone()).collect()
}

fn unexpected_type_message(v: &Value, def: &Definition, ty: &TypeRef) -> String {
    let s = value_string(v);
    match ty.to_string().as_str() {
        "Int" | "Int!" => {
            if v.raw.parse::<i32>().is_err() && v.raw.parse::<i128>().is_ok() {
                format!("Int cannot represent non 32-bit signed integer value: {s}")
            } else {
                format!("Int cannot represent non-integer value: {s}")
            }
        }
        "String" | "String!" | "[String]" => {
            format!("String cannot represent a non string value: {s}")
        }
        "Boolean" | "Boolean!" => format!("Boolean cannot represent a non boolean value: {s}"),
        "Float" | "Float!" => format!("Float cannot represent non numeric value: {s}"),
        "ID" | "ID!" => format!("ID cannot represent a non-string and non-integer value: {s}"),
        t => {
            if def.kind == "ENUM" {
                format!("Enum \"{t}\" cannot represent non-enum value: {s}.")
            } else {
                format!("Expected value of type \"{t}\", found {s}.")
            }
        }
    }
}

fn or_list(items: &[String]) -> String {
    let items = &items[..items.len().min(5)];
    if items.len() == 2 {
        return format!("{} or {}", items[0], items[1]);
    }
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i != 0 {
            if i == items.len() - 1 {
                out.push_str(", or ");
            } else {
                out.push_str(", ");
            }
        }
        out.push_str(item);
    }
    out
}

fn quoted_or_list(items: &[String]) -> String {
    let q: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
    or_list(&q)
}

fn suggest_quoted(prefix: &str, typed: &str, options: &[String]) -> String {
    let s = suggestion_list(typed, options);
    if s.is_empty() {
        String::new()
    } else {
        format!(" {} {}?", prefix, quoted_or_list(&s))
    }
}

fn suggest_unquoted(prefix: &str, typed: &str, options: &[String]) -> String {
    let s = suggestion_list(typed, options);
    if s.is_empty() {
        String::new()
    } else {
        format!(" {} {}?", prefix, or_list(&s))
    }
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn suggestion_list(input: &str, options: &[String]) -> Vec<String> {
    let threshold = ((input.len() as f64 * 0.4).floor() as usize + 1).max(1);
    let mut scored: Vec<(usize, String)> = Vec::new();
    for o in options {
        let d = if input == o {
            0
        } else if input.to_lowercase() == o.to_lowercase() {
            1
        } else {
            levenshtein(&input.to_lowercase(), &o.to_lowercase())
        };
        if d <= threshold {
            scored.push((d, o.clone()));
        }
    }
    scored.sort_by_key(|(d, _)| *d);
    scored.into_iter().map(|(_, o)| o).collect()
}

/// Runs gqlparser's default validation rules over `doc`; returns every error found, in
/// the order gqlparser reports them (as closely as this walk reproduces it).
pub(crate) fn validate_query(schema: &Schema, doc: &QueryDocument) -> Vec<GqlError> {
    let mut w = Walker {
        schema,
        doc,
        errors: Vec::new(),
        vars: None,
        spread_seen: HashSet::new(),
        in_fragment_definitions: false,
        used_fragments: HashSet::new(),
        depth: 0,
        too_deep: false,
        field_info: HashMap::new(),
        overlap_state: OverlapState::default(),
        frags: Fragments::new(),
    };
    for f in doc.fragments.iter().rev() {
        w.frags.insert(&f.name, f);
    }
    w.walk();
    if w.too_deep {
        w.errors.push(GqlError::at(
            None,
            "query is nested too deeply or too complex to validate".to_string(),
        ));
    }
    w.errors
}

//! GraphQL documents in the shape of gqlparser's Go structures, their conversion to the
//! Rego objects OPA returns (Go field names; positions, nulls and empty lists/objects
//! pruned) and back from such objects.

use anyhow::{bail, Result};
use serde_json::{Map, Value as Json};

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pos {
    pub line: usize,
    /// Negative for a block string spanning lines, as in gqlparser.
    pub column: i64,
}

/// The comments before a node (gqlparser's `CommentGroup`), `None` when there are none.
pub(crate) type Comments = Option<Vec<String>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum ValueKind {
    #[default]
    Variable = 0,
    Int = 1,
    Float = 2,
    String = 3,
    Block = 4,
    Boolean = 5,
    Null = 6,
    Enum = 7,
    List = 8,
    Object = 9,
}

impl ValueKind {
    fn from_i64(n: i64) -> Option<Self> {
        Some(match n {
            0 => ValueKind::Variable,
            1 => ValueKind::Int,
            2 => ValueKind::Float,
            3 => ValueKind::String,
            4 => ValueKind::Block,
            5 => ValueKind::Boolean,
            6 => ValueKind::Null,
            7 => ValueKind::Enum,
            8 => ValueKind::List,
            9 => ValueKind::Object,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Value {
    pub raw: String,
    pub children: Vec<ChildValue>,
    pub kind: ValueKind,
    pub position: Option<Pos>,
    pub comment: Comments,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ChildValue {
    pub name: String,
    pub value: Option<Value>,
    pub position: Option<Pos>,
    pub comment: Comments,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct TypeRef {
    pub named_type: String,
    pub elem: Option<Box<TypeRef>>,
    pub non_null: bool,
    pub position: Option<Pos>,
}

impl TypeRef {
    /// The innermost named type.
    pub(crate) fn name(&self) -> &str {
        let mut t = self;
        loop {
            if !t.named_type.is_empty() {
                return &t.named_type;
            }
            match &t.elem {
                Some(e) => t = e,
                None => return "",
            }
        }
    }
}

impl std::fmt::Display for TypeRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let bang = if self.non_null { "!" } else { "" };
        if !self.named_type.is_empty() {
            return write!(f, "{}{}", self.named_type, bang);
        }
        match &self.elem {
            Some(e) => write!(f, "[{}]{}", e, bang),
            None => write!(f, "[]{}", bang),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Argument {
    pub name: String,
    pub value: Option<Value>,
    pub position: Option<Pos>,
    pub comment: Comments,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Directive {
    pub name: String,
    pub arguments: Vec<Argument>,
    pub position: Option<Pos>,
}

#[derive(Debug, Clone)]
pub(crate) enum Selection {
    Field(Field),
    FragmentSpread(FragmentSpread),
    InlineFragment(InlineFragment),
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Field {
    pub alias: String,
    pub name: String,
    pub arguments: Vec<Argument>,
    pub directives: Vec<Directive>,
    pub selection_set: Vec<Selection>,
    pub position: Option<Pos>,
    pub comment: Comments,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct FragmentSpread {
    pub name: String,
    pub directives: Vec<Directive>,
    pub position: Option<Pos>,
    pub comment: Comments,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct InlineFragment {
    pub type_condition: String,
    pub directives: Vec<Directive>,
    pub selection_set: Vec<Selection>,
    pub position: Option<Pos>,
    pub comment: Comments,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct VariableDefinition {
    pub variable: String,
    pub ty: TypeRef,
    pub default_value: Option<Value>,
    pub directives: Vec<Directive>,
    pub position: Option<Pos>,
    pub comment: Comments,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct OperationDefinition {
    pub operation: String,
    pub name: String,
    pub variable_definitions: Vec<VariableDefinition>,
    pub directives: Vec<Directive>,
    pub selection_set: Vec<Selection>,
    pub position: Option<Pos>,
    pub comment: Comments,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct FragmentDefinition {
    pub name: String,
    pub variable_definition: Vec<VariableDefinition>,
    pub type_condition: String,
    pub directives: Vec<Directive>,
    pub selection_set: Vec<Selection>,
    pub position: Option<Pos>,
    pub comment: Comments,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct QueryDocument {
    pub operations: Vec<OperationDefinition>,
    pub fragments: Vec<FragmentDefinition>,
    /// Never set by the parser; kept from a document given as an object.
    pub comment: Comments,
}

/// A field, argument or input field definition (gqlparser's `FieldDefinition` and
/// `ArgumentDefinition`, which have the same fields apart from `Arguments`).
#[derive(Debug, Clone, Default)]
pub(crate) struct FieldDefinition {
    pub description: String,
    pub name: String,
    pub arguments: Vec<FieldDefinition>,
    pub default_value: Option<Value>,
    pub ty: TypeRef,
    pub directives: Vec<Directive>,
    pub position: Option<Pos>,
    pub before_description_comment: Comments,
    pub after_description_comment: Comments,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct EnumValueDefinition {
    pub description: String,
    pub name: String,
    pub directives: Vec<Directive>,
    pub position: Option<Pos>,
    pub before_description_comment: Comments,
    pub after_description_comment: Comments,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Definition {
    pub kind: String,
    pub description: String,
    pub name: String,
    pub directives: Vec<Directive>,
    pub interfaces: Vec<String>,
    pub fields: Vec<FieldDefinition>,
    pub types: Vec<String>,
    /// Where each of `types` was named (not part of the returned AST).
    pub type_positions: Vec<Option<Pos>>,
    pub enum_values: Vec<EnumValueDefinition>,
    pub position: Option<Pos>,
    pub builtin: bool,
    pub before_description_comment: Comments,
    pub after_description_comment: Comments,
    pub end_of_definition_comment: Comments,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct DirectiveDefinition {
    pub description: String,
    pub name: String,
    pub arguments: Vec<FieldDefinition>,
    pub locations: Vec<String>,
    pub is_repeatable: bool,
    pub position: Option<Pos>,
    pub before_description_comment: Comments,
    pub after_description_comment: Comments,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct OperationTypeDefinition {
    pub operation: String,
    pub ty: String,
    pub position: Option<Pos>,
    pub comment: Comments,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct SchemaDefinition {
    pub description: String,
    pub directives: Vec<Directive>,
    pub operation_types: Vec<OperationTypeDefinition>,
    pub position: Option<Pos>,
    pub before_description_comment: Comments,
    pub after_description_comment: Comments,
    pub end_of_definition_comment: Comments,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct SchemaDocument {
    pub schema: Vec<SchemaDefinition>,
    pub schema_extension: Vec<SchemaDefinition>,
    pub directives: Vec<DirectiveDefinition>,
    pub definitions: Vec<Definition>,
    pub extensions: Vec<Definition>,
    pub comment: Comments,
}

// ---- conversion to the pruned JSON OPA returns ----

/// Builds a JSON object the way OPA prunes gqlparser's: null values and empty
/// lists/objects are left out.
#[derive(Default)]
struct Obj(Map<String, Json>);

impl Obj {
    fn put(mut self, key: &str, value: Json) -> Self {
        let keep = match &value {
            Json::Null => false,
            Json::Array(a) => !a.is_empty(),
            Json::Object(o) => !o.is_empty(),
            _ => true,
        };
        if keep {
            self.0.insert(key.to_string(), value);
        }
        self
    }
    fn s(self, key: &str, value: &str) -> Self {
        self.put(key, Json::String(value.to_string()))
    }
    fn b(self, key: &str, value: bool) -> Self {
        self.put(key, Json::Bool(value))
    }
    fn list<T>(self, key: &str, items: &[T], f: impl Fn(&T) -> Json) -> Self {
        let arr = items
            .iter()
            .map(f)
            .filter(|v| match v {
                Json::Null => false,
                Json::Array(a) => !a.is_empty(),
                Json::Object(o) => !o.is_empty(),
                _ => true,
            })
            .collect();
        self.put(key, Json::Array(arr))
    }
    fn strings(self, key: &str, items: &[String]) -> Self {
        self.list(key, items, |s| Json::String(s.clone()))
    }
    fn comments(self, key: &str, c: &Comments) -> Self {
        match c {
            Some(list) => self.put(
                key,
                Json::Object(
                    Obj::default()
                        .list("List", list, |v| {
                            Json::Object(Obj::default().s("Value", v).0)
                        })
                        .0,
                ),
            ),
            None => self,
        }
    }
    fn done(self) -> Json {
        Json::Object(self.0)
    }
}

fn opt<T>(v: &Option<T>, f: impl Fn(&T) -> Json) -> Json {
    v.as_ref().map(f).unwrap_or(Json::Null)
}

pub(crate) fn value_json(v: &Value) -> Json {
    Obj::default()
        .s("Raw", &v.raw)
        .list("Children", &v.children, |c| {
            Obj::default()
                .s("Name", &c.name)
                .put("Value", opt(&c.value, value_json))
                .comments("Comment", &c.comment)
                .done()
        })
        .put("Kind", Json::from(v.kind as i64))
        .comments("Comment", &v.comment)
        .b("ExpectedTypeHasDefault", false)
        .done()
}

fn type_json(t: &TypeRef) -> Json {
    Obj::default()
        .s("NamedType", &t.named_type)
        .put("Elem", opt(&t.elem, |e| type_json(e)))
        .b("NonNull", t.non_null)
        .done()
}

fn arguments_json(args: &[Argument]) -> Json {
    let o = Obj::default().list("a", args, |a| {
        Obj::default()
            .s("Name", &a.name)
            .put("Value", opt(&a.value, value_json))
            .comments("Comment", &a.comment)
            .done()
    });
    o.0.get("a").cloned().unwrap_or(Json::Null)
}

fn directives_json(dirs: &[Directive]) -> Json {
    Json::Array(
        dirs.iter()
            .map(|d| {
                Obj::default()
                    .s("Name", &d.name)
                    .put("Arguments", arguments_json(&d.arguments))
                    .s("Location", "")
                    .done()
            })
            .collect(),
    )
}

fn selections_json(sel: &[Selection]) -> Json {
    Json::Array(
        sel.iter()
            .map(|s| match s {
                Selection::Field(f) => Obj::default()
                    .s("Alias", &f.alias)
                    .s("Name", &f.name)
                    .put("Arguments", arguments_json(&f.arguments))
                    .put("Directives", directives_json(&f.directives))
                    .put("SelectionSet", selections_json(&f.selection_set))
                    .comments("Comment", &f.comment)
                    .done(),
                Selection::FragmentSpread(f) => Obj::default()
                    .s("Name", &f.name)
                    .put("Directives", directives_json(&f.directives))
                    .comments("Comment", &f.comment)
                    .done(),
                Selection::InlineFragment(f) => Obj::default()
                    .s("TypeCondition", &f.type_condition)
                    .put("Directives", directives_json(&f.directives))
                    .put("SelectionSet", selections_json(&f.selection_set))
                    .comments("Comment", &f.comment)
                    .done(),
            })
            .filter(|v| v.as_object().is_some_and(|o| !o.is_empty()))
            .collect(),
    )
}

fn variables_json(vars: &[VariableDefinition]) -> Json {
    Json::Array(
        vars.iter()
            .map(|v| {
                Obj::default()
                    .s("Variable", &v.variable)
                    .put("Type", type_json(&v.ty))
                    .put("DefaultValue", opt(&v.default_value, value_json))
                    .put("Directives", directives_json(&v.directives))
                    .comments("Comment", &v.comment)
                    .b("Used", false)
                    .done()
            })
            .collect(),
    )
}

/// The pruned JSON of a query document, as OPA's `graphql.parse_query` returns it.
pub(crate) fn query_json(doc: &QueryDocument) -> Json {
    Obj::default()
        .list("Operations", &doc.operations, |o| {
            Obj::default()
                .s("Operation", &o.operation)
                .s("Name", &o.name)
                .put(
                    "VariableDefinitions",
                    variables_json(&o.variable_definitions),
                )
                .put("Directives", directives_json(&o.directives))
                .put("SelectionSet", selections_json(&o.selection_set))
                .comments("Comment", &o.comment)
                .done()
        })
        .list("Fragments", &doc.fragments, |f| {
            Obj::default()
                .s("Name", &f.name)
                .put("VariableDefinition", variables_json(&f.variable_definition))
                .s("TypeCondition", &f.type_condition)
                .put("Directives", directives_json(&f.directives))
                .put("SelectionSet", selections_json(&f.selection_set))
                .comments("Comment", &f.comment)
                .done()
        })
        .comments("Comment", &doc.comment)
        .done()
}

fn field_definition_json(f: &FieldDefinition, with_arguments: bool) -> Json {
    let mut o = Obj::default()
        .s("Description", &f.description)
        .s("Name", &f.name);
    if with_arguments {
        o = o.list("Arguments", &f.arguments, |a| {
            field_definition_json(a, false)
        });
    }
    o.put("DefaultValue", opt(&f.default_value, value_json))
        .put("Type", type_json(&f.ty))
        .put("Directives", directives_json(&f.directives))
        .comments("BeforeDescriptionComment", &f.before_description_comment)
        .comments("AfterDescriptionComment", &f.after_description_comment)
        .done()
}

fn definition_json(d: &Definition) -> Json {
    Obj::default()
        .s("Kind", &d.kind)
        .s("Description", &d.description)
        .s("Name", &d.name)
        .put("Directives", directives_json(&d.directives))
        .strings("Interfaces", &d.interfaces)
        .list("Fields", &d.fields, |f| field_definition_json(f, true))
        .strings("Types", &d.types)
        .list("EnumValues", &d.enum_values, |e| {
            Obj::default()
                .s("Description", &e.description)
                .s("Name", &e.name)
                .put("Directives", directives_json(&e.directives))
                .comments("BeforeDescriptionComment", &e.before_description_comment)
                .comments("AfterDescriptionComment", &e.after_description_comment)
                .done()
        })
        .b("BuiltIn", d.builtin)
        .comments("BeforeDescriptionComment", &d.before_description_comment)
        .comments("AfterDescriptionComment", &d.after_description_comment)
        .comments("EndOfDefinitionComment", &d.end_of_definition_comment)
        .done()
}

fn schema_definition_json(s: &SchemaDefinition) -> Json {
    Obj::default()
        .s("Description", &s.description)
        .put("Directives", directives_json(&s.directives))
        .list("OperationTypes", &s.operation_types, |o| {
            Obj::default()
                .s("Operation", &o.operation)
                .s("Type", &o.ty)
                .comments("Comment", &o.comment)
                .done()
        })
        .comments("BeforeDescriptionComment", &s.before_description_comment)
        .comments("AfterDescriptionComment", &s.after_description_comment)
        .comments("EndOfDefinitionComment", &s.end_of_definition_comment)
        .done()
}

/// The pruned JSON of a schema document, as OPA's `graphql.parse_schema` returns it.
pub(crate) fn schema_json(doc: &SchemaDocument) -> Json {
    Obj::default()
        .list("Schema", &doc.schema, schema_definition_json)
        .list(
            "SchemaExtension",
            &doc.schema_extension,
            schema_definition_json,
        )
        .list("Directives", &doc.directives, |d| {
            Obj::default()
                .s("Description", &d.description)
                .s("Name", &d.name)
                .list("Arguments", &d.arguments, |a| {
                    field_definition_json(a, false)
                })
                .strings("Locations", &d.locations)
                .b("IsRepeatable", d.is_repeatable)
                .comments("BeforeDescriptionComment", &d.before_description_comment)
                .comments("AfterDescriptionComment", &d.after_description_comment)
                .done()
        })
        .list("Definitions", &doc.definitions, definition_json)
        .list("Extensions", &doc.extensions, definition_json)
        .comments("Comment", &doc.comment)
        .done()
}

// ---- conversion back from objects (Go's json.Unmarshal into gqlparser's structs) ----

/// Nesting bound for documents given as objects.
const MAX_DECODE_DEPTH: usize = super::syntax::MAX_DEPTH;

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

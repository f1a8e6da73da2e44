//! GraphQL documents in the shape of gqlparser's Go structures, their conversion to the
//! Rego objects OPA returns (Go field names; positions, nulls and empty lists/objects
//! pruned) and back from such objects.

mod decode;
mod encode;

pub(crate) use decode::{decode_query, decode_schema};
pub(crate) use encode::{query_json, schema_json};

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

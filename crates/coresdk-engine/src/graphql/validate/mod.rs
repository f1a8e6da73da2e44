//! Query validation with gqlparser's default rules and messages (the checks OPA's
//! `graphql.*` builtins apply), as one walk over the document: operations and fragments
//! (`operations.rs`), values (`values.rs`), selections and fields (`selections.rs`), and
//! the "did you mean" suggestions of the messages (`suggest.rs`).

mod operations;
mod selections;
mod suggest;
mod values;

use super::ast::*;
use super::overlap::{FieldInfo, Overlap, OverlapState};
use super::schema::*;
use super::schema_checks::is_compatible;
use super::syntax::{go_quote, GqlError, MAX_DEPTH};
use selections::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use suggest::*;

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
    pub(super) fn add(&mut self, pos: Option<Pos>, message: String) {
        self.errors.push(GqlError::at(pos, message));
    }

    pub(super) fn type_def(&self, name: &str) -> Option<&'a Definition> {
        self.schema.types.get(name)
    }

    /// OverlappingFieldsCanBeMerged on one selection set.
    pub(super) fn overlap(&mut self, set: &'a [Selection]) {
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

    pub(super) fn walk(&mut self) {
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

    pub(super) fn root(&self, operation: &str) -> Option<&'a Definition> {
        let name = match operation {
            "query" | "" => self.schema.query.as_deref(),
            "mutation" => self.schema.mutation.as_deref(),
            "subscription" => self.schema.subscription.as_deref(),
            _ => None,
        };
        name.and_then(|n| self.type_def(n))
    }

    pub(super) fn enter(&mut self) -> bool {
        self.depth += 1;
        if self.depth > MAX_DEPTH * 4 {
            self.too_deep = true;
            return false;
        }
        true
    }

    pub(super) fn leave(&mut self) {
        self.depth -= 1;
    }
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

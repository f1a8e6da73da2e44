//! gqlparser's OverlappingFieldsCanBeMerged rule: fields with the same response name in
//! one selection (directly, through inline fragments or fragment spreads) must be the same
//! field with the same arguments and compatible types.

use super::ast::*;
use super::schema::Schema;
use super::validate::Fragments;
use std::collections::{HashMap, HashSet};

/// Calls to `find_conflict` allowed per validation; past it the query is rejected as too
/// complex (gqlparser has no bound, and recurses forever on some fragment cycles).
const BUDGET: usize = 5_000_000;

/// What the walk learned about a field: the type it was selected on and the type of its
/// definition, when known.
#[derive(Clone)]
pub(crate) struct FieldInfo<'a> {
    pub parent: Option<&'a Definition>,
    pub ty: Option<TypeRef>,
}

pub(crate) struct Conflict {
    response_name: String,
    message: String,
    sub: Vec<Conflict>,
    pub position: Option<Pos>,
}

impl Conflict {
    fn render(&self, out: &mut String) {
        if self.sub.is_empty() {
            out.push_str(&self.message);
            return;
        }
        for (i, s) in self.sub.iter().enumerate() {
            out.push_str("subfields \"");
            out.push_str(&s.response_name);
            out.push_str("\" conflict because ");
            s.render(out);
            if i != self.sub.len() - 1 {
                out.push_str(" and ");
            }
        }
    }

    pub(crate) fn message(&self) -> String {
        let mut reason = String::new();
        self.render(&mut reason);
        format!(
            "Fields \"{}\" conflict because {}. Use different aliases on the fields to fetch both if this was intentional.",
            self.response_name, reason
        )
    }
}

type FieldsMap<'a> = Vec<(&'a str, Vec<&'a Field>)>;

/// What the rule carries from one check to the next within a validation.
pub(crate) struct OverlapState {
    pairs: HashMap<String, HashMap<String, bool>>,
    budget: usize,
}

impl Default for OverlapState {
    fn default() -> Self {
        OverlapState {
            pairs: HashMap::new(),
            budget: BUDGET,
        }
    }
}

pub(crate) struct Overlap<'a> {
    schema: &'a Schema,
    frags: &'a Fragments<'a>,
    info: &'a HashMap<*const Field, FieldInfo<'a>>,
    compared_pairs: HashMap<String, HashMap<String, bool>>,
    compared_fragments: HashSet<String>,
    budget: usize,
    depth: usize,
    /// Set when the budget or the nesting bound was exceeded.
    exhausted: bool,
}

fn response_name(f: &Field) -> &str {
    if f.alias.is_empty() {
        &f.name
    } else {
        &f.alias
    }
}

fn fields_and_spreads(set: &[Selection]) -> (FieldsMap<'_>, Vec<&FragmentSpread>) {
    let mut map: FieldsMap = Vec::new();
    let mut spreads = Vec::new();
    let mut stack: Vec<std::slice::Iter<'_, Selection>> = vec![set.iter()];
    while let Some(top) = stack.last_mut() {
        let Some(sel) = top.next() else {
            stack.pop();
            continue;
        };
        match sel {
            Selection::Field(f) => {
                let name = response_name(f);
                match map.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, v)) => v.push(f),
                    None => map.push((name, vec![f])),
                }
            }
            Selection::InlineFragment(i) => stack.push(i.selection_set.iter()),
            Selection::FragmentSpread(s) => spreads.push(s),
        }
    }
    (map, spreads)
}

fn same_fields(a: &FieldsMap, b: &FieldsMap) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|((na, fa), (nb, fb))| {
            na == nb && fa.len() == fb.len() && fa.iter().zip(fb).all(|(x, y)| std::ptr::eq(*x, *y))
        })
}

fn same_value(a: Option<&Value>, b: Option<&Value>, depth: usize) -> bool {
    let (Some(a), Some(b)) = (a, b) else {
        return a.is_none() && b.is_none();
    };
    if depth > super::syntax::MAX_DEPTH
        || a.kind != b.kind
        || a.raw != b.raw
        || a.children.len() != b.children.len()
    {
        return false;
    }
    let mut ca: Vec<&ChildValue> = a.children.iter().collect();
    let mut cb: Vec<&ChildValue> = b.children.iter().collect();
    if a.kind == ValueKind::Object {
        ca.sort_by(|x, y| x.name.cmp(&y.name));
        cb.sort_by(|x, y| x.name.cmp(&y.name));
    }
    ca.iter()
        .zip(cb)
        .all(|(x, y)| x.name == y.name && same_value(x.value.as_ref(), y.value.as_ref(), depth + 1))
}

fn same_arguments(a: &[Argument], b: &[Argument]) -> bool {
    a.len() == b.len()
        && a.iter().all(|x| {
            b.iter()
                .any(|y| x.name == y.name && same_value(x.value.as_ref(), y.value.as_ref(), 0))
        })
}

impl<'a> Overlap<'a> {
    /// A checker continuing from `state` (the fragment pairs already compared and the work
    /// budget left, which gqlparser keeps for a whole validation).
    pub(crate) fn new(
        schema: &'a Schema,
        frags: &'a Fragments<'a>,
        info: &'a HashMap<*const Field, FieldInfo<'a>>,
        state: OverlapState,
    ) -> Self {
        Overlap {
            schema,
            frags,
            info,
            compared_pairs: state.pairs,
            compared_fragments: HashSet::new(),
            budget: state.budget,
            depth: 0,
            exhausted: false,
        }
    }

    /// The state to continue from, and whether a bound was exceeded.
    pub(crate) fn finish(self) -> (OverlapState, bool) {
        (
            OverlapState {
                pairs: self.compared_pairs,
                budget: self.budget,
            },
            self.exhausted,
        )
    }

    fn fragment(&self, name: &str) -> Option<&'a FragmentDefinition> {
        self.frags.get(name).copied()
    }

    /// Conflicts within one selection set.
    pub(crate) fn within(&mut self, set: &'a [Selection]) -> Vec<Conflict> {
        let mut out = Vec::new();
        if set.is_empty() {
            return out;
        }
        let (fields, spreads) = fields_and_spreads(set);
        for (_, fs) in &fields {
            for (i, a) in fs.iter().enumerate() {
                for b in &fs[i + 1..] {
                    if let Some(c) = self.find_conflict(false, a, b) {
                        out.push(c);
                    }
                }
            }
        }
        self.compared_fragments.clear();
        for (i, sa) in spreads.iter().enumerate() {
            self.between_fields_and_fragment(&mut out, false, &fields, sa);
            for sb in &spreads[i + 1..] {
                self.between_fragments(&mut out, false, sa, sb);
            }
        }
        out
    }

    fn between_fields_and_fragment(
        &mut self,
        out: &mut Vec<Conflict>,
        exclusive: bool,
        fields: &FieldsMap<'a>,
        spread: &'a FragmentSpread,
    ) {
        if !self.compared_fragments.insert(spread.name.clone()) {
            return;
        }
        let Some(def) = self.fragment(&spread.name) else {
            return;
        };
        let (fields_b, spreads) = fields_and_spreads(&def.selection_set);
        if same_fields(fields, &fields_b) || !self.spend() {
            return;
        }
        self.between(out, exclusive, fields, &fields_b);
        for s in spreads {
            if s.name == spread.name {
                continue;
            }
            self.between_fields_and_fragment(out, exclusive, fields, s);
        }
        self.depth -= 1;
    }

    fn pair_seen(&self, a: &str, b: &str, exclusive: bool) -> bool {
        match self.compared_pairs.get(a).and_then(|m| m.get(b)) {
            None => false,
            Some(result) => exclusive || !result,
        }
    }

    fn between_fragments(
        &mut self,
        out: &mut Vec<Conflict>,
        exclusive: bool,
        a: &'a FragmentSpread,
        b: &'a FragmentSpread,
    ) {
        if a.name == b.name || self.pair_seen(&a.name, &b.name, exclusive) {
            return;
        }
        if !self.spend() {
            return;
        }
        for (x, y) in [(&a.name, &b.name), (&b.name, &a.name)] {
            self.compared_pairs
                .entry(x.clone())
                .or_default()
                .insert(y.clone(), exclusive);
        }
        let (Some(da), Some(db)) = (self.fragment(&a.name), self.fragment(&b.name)) else {
            return;
        };
        let (fa, sa) = fields_and_spreads(&da.selection_set);
        let (fb, sb) = fields_and_spreads(&db.selection_set);
        self.between(out, exclusive, &fa, &fb);
        for s in sb {
            self.between_fragments(out, exclusive, a, s);
        }
        for s in sa {
            self.between_fragments(out, exclusive, s, b);
        }
        self.depth -= 1;
    }

    fn between(
        &mut self,
        out: &mut Vec<Conflict>,
        exclusive: bool,
        a: &FieldsMap<'a>,
        b: &FieldsMap<'a>,
    ) {
        for (name, fields_a) in a {
            let Some((_, fields_b)) = b.iter().find(|(n, _)| n == name) else {
                continue;
            };
            for fa in fields_a {
                for fb in fields_b {
                    if let Some(c) = self.find_conflict(exclusive, fa, fb) {
                        out.push(c);
                    }
                }
            }
        }
    }

    /// Counts one step of work and one level of nesting; false (and `exhausted`) once
    /// either bound is passed. A true return must be paired with `self.depth -= 1`.
    fn spend(&mut self) -> bool {
        if self.budget == 0 || self.depth > super::syntax::MAX_DEPTH {
            self.exhausted = true;
            return false;
        }
        self.budget -= 1;
        self.depth += 1;
        true
    }

    fn find_conflict(
        &mut self,
        parent_exclusive: bool,
        a: &'a Field,
        b: &'a Field,
    ) -> Option<Conflict> {
        let ia = self.info.get(&(a as *const Field))?;
        let ib = self.info.get(&(b as *const Field))?;
        let (pa, pb) = (ia.parent?, ib.parent?);
        if !self.spend() {
            return None;
        }
        let result = self.find_conflict_inner(parent_exclusive, a, b, ia, ib, pa, pb);
        self.depth -= 1;
        result
    }

    #[allow(clippy::too_many_arguments)]
    fn find_conflict_inner(
        &mut self,
        parent_exclusive: bool,
        a: &'a Field,
        b: &'a Field,
        ia: &FieldInfo<'a>,
        ib: &FieldInfo<'a>,
        pa: &Definition,
        pb: &Definition,
    ) -> Option<Conflict> {
        let exclusive = parent_exclusive
            || (pa.name != pb.name
                && pa.kind == "OBJECT"
                && pb.kind == "OBJECT"
                && ia.ty.is_some()
                && ib.ty.is_some());
        let name = response_name(a).to_string();
        if !exclusive {
            if a.name != b.name {
                return Some(Conflict {
                    response_name: name,
                    message: format!("\"{}\" and \"{}\" are different fields", a.name, b.name),
                    sub: Vec::new(),
                    position: b.position,
                });
            }
            if !same_arguments(&a.arguments, &b.arguments) {
                return Some(Conflict {
                    response_name: name,
                    message: "they have differing arguments".to_string(),
                    sub: Vec::new(),
                    position: b.position,
                });
            }
        }
        if let (Some(ta), Some(tb)) = (&ia.ty, &ib.ty) {
            if self.types_conflict(ta, tb) {
                return Some(Conflict {
                    response_name: name,
                    message: format!("they return conflicting types \"{ta}\" and \"{tb}\""),
                    sub: Vec::new(),
                    position: b.position,
                });
            }
        }
        let sub = self.between_sub_selections(exclusive, &a.selection_set, &b.selection_set);
        if sub.is_empty() {
            return None;
        }
        Some(Conflict {
            response_name: name,
            message: String::new(),
            sub,
            position: b.position,
        })
    }

    fn between_sub_selections(
        &mut self,
        exclusive: bool,
        a: &'a [Selection],
        b: &'a [Selection],
    ) -> Vec<Conflict> {
        let mut out = Vec::new();
        let (fa, sa) = fields_and_spreads(a);
        let (fb, sb) = fields_and_spreads(b);
        self.between(&mut out, exclusive, &fa, &fb);
        for s in &sb {
            self.compared_fragments.clear();
            self.between_fields_and_fragment(&mut out, exclusive, &fa, s);
        }
        for s in &sa {
            self.compared_fragments.clear();
            self.between_fields_and_fragment(&mut out, exclusive, &fb, s);
        }
        for x in &sa {
            for y in &sb {
                self.between_fragments(&mut out, exclusive, x, y);
            }
        }
        out
    }

    fn types_conflict(&self, a: &TypeRef, b: &TypeRef) -> bool {
        let (mut a, mut b) = (a, b);
        loop {
            match (&a.elem, &b.elem) {
                (Some(x), Some(y)) => {
                    a = x;
                    b = y;
                    continue;
                }
                (Some(_), None) | (None, Some(_)) => return true,
                (None, None) => {}
            }
            if a.non_null != b.non_null {
                return true;
            }
            let leaf = |n: &str| {
                self.schema
                    .type_def(n)
                    .is_some_and(|d| matches!(d.kind.as_str(), "SCALAR" | "ENUM"))
            };
            return leaf(&a.named_type) && leaf(&b.named_type) && a.named_type != b.named_type;
        }
    }
}

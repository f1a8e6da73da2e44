//! Selection sets and fields: fields on their parent types, fragment spreads and inline
//! fragments where they are possible, overlapping fields, introspection depth.

use super::*;

impl<'a> Walker<'a> {
    pub(super) fn walk_selection_set(
        &mut self,
        parent: Option<&'a Definition>,
        set: &'a [Selection],
    ) {
        if !self.enter() {
            self.leave();
            return;
        }
        for sel in set {
            self.walk_selection(parent, sel);
        }
        self.leave();
    }

    pub(super) fn walk_selection(&mut self, parent: Option<&'a Definition>, sel: &'a Selection) {
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
    pub(super) fn spread_possible(&self, parent: &Definition, cond: &str) -> bool {
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

    pub(super) fn possible(&self, name: &str) -> Vec<&str> {
        self.schema
            .possible_types
            .get(name)
            .map(|v| v.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    pub(super) fn walk_field(&mut self, parent: Option<&'a Definition>, f: &'a Field) {
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

    pub(super) fn walk_field_with(
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

    pub(super) fn suggested_types(&self, parent: &Definition, name: &str) -> Vec<String> {
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
pub(super) fn introspection_too_deep<'a>(
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

pub(super) fn introspection_set_too_deep<'a>(
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

pub(super) fn collect_spreads<'a>(set: &'a [Selection], out: &mut Vec<&'a FragmentSpread>) {
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

pub(super) fn collect_top_fields<'a>(
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

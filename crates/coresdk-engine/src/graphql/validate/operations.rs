//! Operations and fragments: names, variables, root types, fragment definitions and
//! cycles, directives and arguments.

use super::*;

impl<'a> Walker<'a> {
    pub(super) fn walk_operation(
        &mut self,
        op: &'a OperationDefinition,
        names: &mut HashMap<&'a str, usize>,
    ) {
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

    pub(super) fn walk_fragment(
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

    pub(super) fn fragment_cycles(
        &mut self,
        start: &'a FragmentDefinition,
        visited: &mut HashSet<String>,
    ) {
        let mut path: Vec<&'a FragmentSpread> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        self.cycles_from(start, visited, &mut path, &mut index);
    }

    pub(super) fn cycles_from(
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

    pub(super) fn walk_directives(
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

    pub(super) fn unique_args(&mut self, args: &[Argument]) {
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

    pub(super) fn walk_argument(&mut self, adef: Option<&'a FieldDefinition>, arg: &'a Argument) {
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
}

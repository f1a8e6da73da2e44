// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! Static checks OPA's compiler makes before a policy is accepted, run on demand by
//! [`crate::Engine::check_policy`]: calls to functions that nothing defines, and rules
//! that depend on themselves.

use super::Interpreter;
use crate::ast::*;
use crate::lexer::Span;
use crate::query::traversal::traverse;
use crate::utils::get_path_string;
use crate::*;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use anyhow::{bail, Result};

/// Every expression and query reachable from a rule: heads, bodies, `with` values and
/// comprehension queries.
fn rule_exprs(rule: &Rule, out: &mut Vec<Ref<Expr>>) {
    match rule {
        Rule::Spec { head, bodies, .. } => {
            match head {
                RuleHead::Compr { refr, assign, .. } => {
                    out.push(refr.clone());
                    if let Some(assign) = assign {
                        out.push(assign.value.clone());
                    }
                }
                RuleHead::Set { refr, key, .. } => {
                    out.push(refr.clone());
                    out.extend(key.iter().cloned());
                }
                RuleHead::Func {
                    refr, args, assign, ..
                } => {
                    out.push(refr.clone());
                    out.extend(args.iter().cloned());
                    if let Some(assign) = assign {
                        out.push(assign.value.clone());
                    }
                }
            }
            for body in bodies {
                if let Some(assign) = &body.assign {
                    out.push(assign.value.clone());
                }
                query_exprs(&body.query, out);
            }
        }
        Rule::Default { value, .. } => out.push(value.clone()),
    }
}

fn query_exprs(query: &Query, out: &mut Vec<Ref<Expr>>) {
    for stmt in &query.stmts {
        match &stmt.literal {
            Literal::SomeVars { .. } => (),
            Literal::SomeIn {
                key,
                value,
                collection,
                ..
            } => {
                out.extend(key.iter().cloned());
                out.push(value.clone());
                out.push(collection.clone());
            }
            Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => out.push(expr.clone()),
            Literal::Every { domain, query, .. } => {
                out.push(domain.clone());
                query_exprs(query, out);
            }
        }
        for with in &stmt.with_mods {
            out.push(with.r#as.clone());
        }
    }
}

/// The type of a literal operand, when the expression is one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Number,
    Set,
    Other,
}

fn literal_kind(expr: &Expr) -> Option<Kind> {
    match expr {
        Expr::Number { .. } => Some(Kind::Number),
        Expr::Set { .. } | Expr::SetCompr { .. } => Some(Kind::Set),
        Expr::String { .. }
        | Expr::RawString { .. }
        | Expr::Bool { .. }
        | Expr::Null { .. }
        | Expr::Array { .. }
        | Expr::Object { .. }
        | Expr::ArrayCompr { .. }
        | Expr::ObjectCompr { .. } => Some(Kind::Other),
        _ => None,
    }
}

/// OPA's name of an arithmetic operator whose literal operands it rejects: numbers for
/// every operator, or sets for `-`.
fn arith_type_error(op: &ArithOp, lhs: &Expr, rhs: &Expr) -> Option<&'static str> {
    let (name, allowed): (&str, &[Kind]) = match op {
        ArithOp::Add => ("plus", &[Kind::Number]),
        ArithOp::Sub => ("minus", &[Kind::Number, Kind::Set]),
        ArithOp::Mul => ("mul", &[Kind::Number]),
        ArithOp::Div => ("div", &[Kind::Number]),
        ArithOp::Mod => ("rem", &[Kind::Number]),
    };
    let (l, r) = (literal_kind(lhs), literal_kind(rhs));
    let bad = |k: Option<Kind>| k.is_some_and(|k| !allowed.contains(&k));
    (bad(l) || bad(r)).then_some(name)
}

/// Calls every sub-expression of `roots`, comprehension queries included.
fn visit_all(roots: Vec<Ref<Expr>>, f: &mut dyn FnMut(&Ref<Expr>) -> Result<()>) -> Result<()> {
    let mut pending = roots;
    while let Some(root) = pending.pop() {
        traverse(&root, &mut |expr| {
            f(expr)?;
            match expr.as_ref() {
                Expr::ArrayCompr { term, query, .. } | Expr::SetCompr { term, query, .. } => {
                    pending.push(term.clone());
                    query_exprs(query, &mut pending);
                }
                Expr::ObjectCompr {
                    key, value, query, ..
                } => {
                    pending.push(key.clone());
                    pending.push(value.clone());
                    query_exprs(query, &mut pending);
                }
                _ => (),
            }
            Ok(true)
        })?;
    }
    Ok(())
}

impl Interpreter {
    /// True when a call to `path` (as written, in the current module) reaches something:
    /// a function of some module, a default function, an extension, or a builtin.
    fn call_target_exists(&self, path: &str) -> bool {
        let resolved = self
            .rewrite_path_through_imports(path)
            .unwrap_or_else(|| path.into());
        let in_module = alloc::format!("{}.{}", self.current_module_path, path);
        [path, resolved.as_str(), in_module.as_str()]
            .iter()
            .any(|candidate| {
                self.compiled_policy.functions.contains_key(*candidate)
                    || self.is_default_function(candidate)
                    || self.extensions.contains_key(*candidate)
                    || *candidate == "print"
                    || crate::builtins::BUILTINS.contains_key(*candidate)
            })
            || self.lookup_function_by_name(path).is_some()
    }

    /// True when a call to `path` reaches one of OPA's deprecated builtins (which Rego v1
    /// modules may not call), not a function of the policy with the same name.
    fn is_deprecated_builtin(&self, path: &str) -> bool {
        #[cfg(feature = "opa-deprecated")]
        {
            crate::builtins::deprecated::DEPRECATED.contains(&path)
                && self.lookup_function_by_name(path).is_none()
        }
        #[cfg(not(feature = "opa-deprecated"))]
        {
            let _ = path;
            false
        }
    }

    /// Rejects calls to functions that no module, extension or builtin defines, and
    /// arithmetic or set operators applied to literals of the wrong type, as OPA's type
    /// checker does (`rego_type_error: undefined function f`, `plus: invalid
    /// argument(s)`), instead of failing each evaluation that reaches them.
    pub(crate) fn check_function_calls(&mut self) -> Result<()> {
        let saved_module_path = self.current_module_path.clone();
        let outcome = self.check_function_calls_in_modules();
        self.current_module_path = saved_module_path;
        outcome
    }

    fn check_function_calls_in_modules(&mut self) -> Result<()> {
        for module in self.compiled_policy.modules.clone().iter() {
            self.current_module_path = get_path_string(&module.package.refr, Some("data"))?;
            let mut roots = Vec::new();
            for rule in &module.policy {
                rule_exprs(rule, &mut roots);
            }
            let mut error: Option<(Span, String)> = None;
            visit_all(roots, &mut |expr| {
                if error.is_some() {
                    return Ok(());
                }
                match expr.as_ref() {
                    Expr::Call { span, fcn, .. } => {
                        // Calls through computed references are checked when evaluated.
                        if let Ok(path) = get_path_string(fcn, None) {
                            if module.rego_v1 && self.is_deprecated_builtin(&path) {
                                error = Some((
                                    span.clone(),
                                    alloc::format!(
                                        "deprecated built-in function calls in expression: {path}"
                                    ),
                                ));
                            } else if !self.call_target_exists(&path) {
                                error = Some((
                                    span.clone(),
                                    alloc::format!("undefined function {path}"),
                                ));
                            }
                        }
                    }
                    Expr::ArithExpr {
                        span, op, lhs, rhs, ..
                    } => {
                        if let Some(name) = arith_type_error(op, lhs, rhs) {
                            error =
                                Some((span.clone(), alloc::format!("{name}: invalid argument(s)")));
                        }
                    }
                    Expr::BinExpr {
                        span, op, lhs, rhs, ..
                    } => {
                        if [lhs, rhs]
                            .iter()
                            .any(|e| literal_kind(e).is_some_and(|k| k != Kind::Set))
                        {
                            let name = match op {
                                BinOp::Union => "or",
                                BinOp::Intersection => "and",
                            };
                            error =
                                Some((span.clone(), alloc::format!("{name}: invalid argument(s)")));
                        }
                    }
                    _ => (),
                }
                Ok(())
            })?;
            if let Some((span, message)) = error {
                bail!(span.error(&message));
            }
        }
        Ok(())
    }
}

/// The static part of a reference chain (`data.p.q[x].r` gives `data.p.q`), and the
/// expressions indexing it dynamically (`x`), which are visited on their own.
fn static_prefix(expr: &Expr, dynamic: &mut Vec<Ref<Expr>>) -> Option<Vec<String>> {
    match expr {
        Expr::Var { span, .. } => Some(alloc::vec![span.text().into()]),
        Expr::RefDot { refr, field, .. } => {
            let mut path = static_prefix(refr, dynamic)?;
            if path.len() == path_len_marker(&path) {
                path.push(field.0.text().into());
            }
            Some(path)
        }
        Expr::RefBrack { refr, index, .. } => {
            let mut path = static_prefix(refr, dynamic)?;
            match index.as_ref() {
                Expr::String { value, .. } if path.len() == path_len_marker(&path) => {
                    path.push(value.as_string().ok()?.as_ref().into());
                }
                _ => {
                    dynamic.push(index.clone());
                    // Everything after a dynamic index stays out of the static part.
                    path.push(String::from("\u{0}"));
                }
            }
            Some(path)
        }
        _ => None,
    }
}

/// The length of a path up to a dynamic-index marker.
fn path_len_marker(path: &[String]) -> usize {
    path.iter().position(|p| p == "\u{0}").unwrap_or(path.len())
}

/// Variables a rule declares for itself (`:=`, `some`, arguments, `every`), which shadow
/// rules of the same name.
fn local_vars(roots: &[Ref<Expr>], queries: &[Ref<Query>], out: &mut BTreeSet<String>) {
    fn declared(expr: &Expr, out: &mut BTreeSet<String>) {
        match expr {
            Expr::Var { span, .. } => {
                out.insert(span.text().into());
            }
            Expr::Array { items, .. } => items.iter().for_each(|i| declared(i, out)),
            Expr::Object { fields, .. } => fields.iter().for_each(|(_, _, v)| declared(v, out)),
            _ => (),
        }
    }
    fn in_query(query: &Query, out: &mut BTreeSet<String>) {
        for stmt in &query.stmts {
            match &stmt.literal {
                Literal::SomeVars { vars, .. } => {
                    for v in vars {
                        out.insert(v.text().into());
                    }
                }
                Literal::SomeIn { key, value, .. } => {
                    key.iter().for_each(|k| declared(k, out));
                    declared(value, out);
                }
                Literal::Every {
                    key, value, query, ..
                } => {
                    if let Some(key) = key {
                        out.insert(key.text().into());
                    }
                    out.insert(value.text().into());
                    in_query(query, out);
                }
                Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => {
                    if let Expr::AssignExpr {
                        op: AssignOp::ColEq,
                        lhs,
                        ..
                    } = expr.as_ref()
                    {
                        declared(lhs, out);
                    }
                }
            }
        }
    }
    roots.iter().for_each(|r| declared(r, out));
    queries.iter().for_each(|q| in_query(q, out));
}

/// Rule paths a rule's value depends on.
struct Dependencies<'a> {
    interpreter: &'a Interpreter,
    locals: BTreeSet<String>,
    /// Every rule and function path of the policy.
    nodes: &'a BTreeSet<String>,
    found: BTreeSet<String>,
}

impl Dependencies<'_> {
    /// Records the rule paths that a reference to `path` reads: the rule at it, every
    /// rule below it (a package or a prefix) when `include_below`, and the rule it
    /// reaches into.
    fn record(&mut self, path: &str, include_below: bool) {
        let below = alloc::format!("{path}.");
        for node in self.nodes.range(path.to_string()..) {
            if node == path || (include_below && node.starts_with(&below)) {
                self.found.insert(node.clone());
            } else if !node.starts_with(&below) {
                break;
            }
        }
        let mut prefix = path;
        while let Some(dot) = prefix.rfind('.') {
            prefix = &prefix[..dot];
            if self.nodes.contains(prefix) {
                self.found.insert(prefix.into());
            }
        }
    }

    /// The absolute path a reference (as written in the current module) names, if it names
    /// a document under `data`.
    fn absolute(&self, parts: &[String]) -> Option<String> {
        let parts = &parts[..path_len_marker(parts)];
        let (first, rest) = parts.split_first()?;
        let mut path = if first == "data" {
            String::from("data")
        } else if first == "input" || self.locals.contains(first) {
            return None;
        } else if let Some(import) = self.interpreter.rewrite_path_through_imports(first) {
            import
        } else {
            alloc::format!("{}.{first}", self.interpreter.current_module_path)
        };
        for part in rest {
            path.push('.');
            path.push_str(part);
        }
        Some(path)
    }

    fn visit(&mut self, roots: Vec<Ref<Expr>>) -> Result<()> {
        let mut pending = roots;
        while let Some(root) = pending.pop() {
            traverse(&root, &mut |expr| {
                match expr.as_ref() {
                    Expr::Var { .. } | Expr::RefDot { .. } | Expr::RefBrack { .. } => {
                        if let Some(parts) = static_prefix(expr, &mut pending) {
                            // After a dynamic index only the rules on the static path are
                            // known dependencies (`data[x]` is not a read of every rule).
                            let below = path_len_marker(&parts) == parts.len();
                            if let Some(path) = self.absolute(&parts) {
                                self.record(&path, below);
                            }
                        }
                        return Ok(false);
                    }
                    Expr::Call { fcn, .. } => {
                        if let Ok(path) = get_path_string(fcn, None) {
                            let parts: Vec<String> = path.split('.').map(String::from).collect();
                            if let Some(path) = self.absolute(&parts) {
                                if self.nodes.contains(&path) {
                                    self.found.insert(path);
                                }
                            }
                        }
                    }
                    Expr::ArrayCompr { term, query, .. } | Expr::SetCompr { term, query, .. } => {
                        pending.push(term.clone());
                        query_exprs(query, &mut pending);
                    }
                    Expr::ObjectCompr {
                        key, value, query, ..
                    } => {
                        pending.push(key.clone());
                        pending.push(value.clone());
                        query_exprs(query, &mut pending);
                    }
                    _ => (),
                }
                Ok(true)
            })?;
        }
        Ok(())
    }
}

/// The expressions of a rule a value depends on (not the head's own path), and its
/// queries (for local variables).
fn rule_value_parts(rule: &Rule) -> (Vec<Ref<Expr>>, Vec<Ref<Expr>>, Vec<Ref<Query>>) {
    let mut exprs = Vec::new();
    let mut args = Vec::new();
    let mut queries = Vec::new();
    match rule {
        Rule::Spec { head, bodies, .. } => {
            match head {
                RuleHead::Compr { assign, .. } => {
                    exprs.extend(assign.iter().map(|a| a.value.clone()));
                }
                RuleHead::Set { key, .. } => exprs.extend(key.iter().cloned()),
                RuleHead::Func {
                    args: a, assign, ..
                } => {
                    args.extend(a.iter().cloned());
                    exprs.extend(assign.iter().map(|a| a.value.clone()));
                }
            }
            for body in bodies {
                exprs.extend(body.assign.iter().map(|a| a.value.clone()));
                query_exprs(&body.query, &mut exprs);
                queries.push(body.query.clone());
            }
        }
        Rule::Default { value, .. } => exprs.push(value.clone()),
    }
    (exprs, args, queries)
}

impl Interpreter {
    /// Rejects rules that depend on themselves, directly or through other rules and
    /// functions, as OPA's compiler does (`rego_recursion_error`), instead of failing at
    /// evaluation.
    pub(crate) fn check_recursion(&mut self) -> Result<()> {
        let saved_module_path = self.current_module_path.clone();
        let outcome = self.check_recursion_in_modules();
        self.current_module_path = saved_module_path;
        outcome
    }

    fn check_recursion_in_modules(&mut self) -> Result<()> {
        let policy = self.compiled_policy.clone();
        let mut nodes: BTreeSet<String> = policy.rules.keys().cloned().collect();
        nodes.extend(policy.functions.keys().cloned());
        // Which node each rule belongs to.
        let mut node_of: BTreeMap<Ref<Rule>, String> = BTreeMap::new();
        for (path, rules) in policy.rules.iter() {
            for rule in rules {
                node_of.insert(rule.clone(), path.clone());
            }
        }
        for (path, (rules, _, _)) in policy.functions.iter() {
            for rule in rules {
                node_of.insert(rule.clone(), path.clone());
            }
        }
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut spans: BTreeMap<String, Span> = BTreeMap::new();
        for module in policy.modules.iter() {
            self.current_module_path = get_path_string(&module.package.refr, Some("data"))?;
            for rule in &module.policy {
                let Some(node) = node_of.get(rule) else {
                    continue;
                };
                let (exprs, args, queries) = rule_value_parts(rule);
                let mut locals = BTreeSet::new();
                local_vars(&args, &queries, &mut locals);
                let mut deps = Dependencies {
                    interpreter: self,
                    locals,
                    nodes: &nodes,
                    found: BTreeSet::new(),
                };
                deps.visit(exprs)?;
                let found = deps.found;
                spans
                    .entry(node.clone())
                    .or_insert_with(|| match rule.as_ref() {
                        Rule::Spec { span, .. } | Rule::Default { span, .. } => span.clone(),
                    });
                edges.entry(node.clone()).or_default().extend(found);
            }
        }
        if let Some(cycle) = find_cycle(&edges) {
            let span = &spans[&cycle[0]];
            bail!(span.error(&alloc::format!(
                "rule {} is recursive: {}",
                cycle[0],
                cycle.join(" -> ")
            )));
        }
        Ok(())
    }
}

/// A cycle of the graph, as the path from its first node back to it, if there is one.
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    // Iterative depth-first search: 0 unvisited, 1 on the stack, 2 done.
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    for start in edges.keys() {
        if state.get(start.as_str()).copied().unwrap_or(0) != 0 {
            continue;
        }
        let mut stack: Vec<(&str, Vec<&str>)> = Vec::new();
        let next = |n: &str| -> Vec<&str> {
            edges
                .get(n)
                .map(|s| s.iter().map(String::as_str).collect())
                .unwrap_or_default()
        };
        state.insert(start, 1);
        stack.push((start, next(start)));
        while let Some((node, children)) = stack.last_mut() {
            let node = *node;
            match children.pop() {
                Some(child) => match state.get(child).copied().unwrap_or(0) {
                    0 => {
                        state.insert(child, 1);
                        let grandchildren = next(child);
                        stack.push((child, grandchildren));
                    }
                    1 => {
                        let from = stack.iter().position(|(n, _)| *n == child)?;
                        let mut cycle: Vec<String> = stack[from..]
                            .iter()
                            .map(|(n, _)| String::from(*n))
                            .collect();
                        cycle.push(child.into());
                        return Some(cycle);
                    }
                    _ => (),
                },
                None => {
                    state.insert(node, 2);
                    stack.pop();
                }
            }
        }
    }
    None
}

/// The ground start of a rule's reference, `p.q` of `p.q[x]` or `p.q["r"]` of
/// `p.q["r"][x]`: where OPA's rule tree holds the rule.
fn ground_prefix(refr: &Expr, out: &mut Vec<String>) -> bool {
    match refr {
        Expr::Var { span, .. } => {
            out.push(span.text().to_string());
            true
        }
        Expr::RefDot { refr, field, .. } => {
            if ground_prefix(refr, out) {
                out.push(field.0.text().to_string());
            }
            true
        }
        Expr::RefBrack { refr, index, .. } => {
            if ground_prefix(refr, out) {
                if let Expr::String { value, .. } = index.as_ref() {
                    if let Ok(key) = value.as_string() {
                        out.push(key.as_ref().to_string());
                        return true;
                    }
                }
            }
            false
        }
        _ => false,
    }
}

/// True when base data holds `path` as OPA's storage sees it: a value at the path, or a
/// value that is not an object on the way to it.
fn data_holds(data: &Value, path: &[String]) -> bool {
    let mut value = data;
    for (depth, key) in path.iter().enumerate() {
        match value {
            Value::Object(fields) => match fields.get(&Value::from(key.as_str())) {
                Some(next) => value = next,
                None => return false,
            },
            _ => return depth > 0,
        }
    }
    true
}

impl Interpreter {
    /// OPA's check of base against virtual documents: a rule whose path holds base data,
    /// or lies below base data that is not an object, is refused (`conflicting rule for
    /// data path a/b found`) instead of one of the two silently winning.
    pub(crate) fn check_data_conflicts(&self) -> Result<()> {
        for module in self.compiled_policy.modules.iter() {
            let package = get_path_string(&module.package.refr, None)?;
            for rule in &module.policy {
                let refr = match rule.as_ref() {
                    Rule::Spec { head, .. } => match head {
                        RuleHead::Compr { refr, .. }
                        | RuleHead::Set { refr, .. }
                        | RuleHead::Func { refr, .. } => refr,
                    },
                    Rule::Default { refr, .. } => refr,
                };
                let mut path: Vec<String> = package.split('.').map(str::to_string).collect();
                ground_prefix(refr, &mut path);
                if data_holds(&self.init_data, &path) {
                    bail!(rule.span().error(&alloc::format!(
                        "conflicting rule for data path {} found",
                        path.join("/")
                    )));
                }
            }
        }
        Ok(())
    }
}

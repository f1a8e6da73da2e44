//! Which rule paths the register VM answers as OPA does.
//!
//! The differential test against OPA (tests/differential, OPA's conformance cases asked
//! as rule paths of both evaluators) found the VM of regorus 0.14.1 answering differently
//! where OPA reports a conflict (a complete rule or function with two values, an object
//! with a key twice), for functions (`default` functions, functions at ref heads, dynamic
//! calls), default values that are not constants, rules at ref heads with variables,
//! lookups of virtual documents by a computed key or of whole packages, base data indexed
//! by a number, builtin errors in calls with an output argument, and `print`, which it does
//! not gather. A path whose program or policy has any of these runs on the interpreter:
//! the checks are deliberately wider than the bugs, so a form the VM has not been proven
//! on is not guessed at.

use regorus::rvm::instructions::ComprehensionMode;
use regorus::rvm::program::{Program, RuleType};
use regorus::unstable::{Expr, Literal, Module, Query, Ref, Rule, RuleHead, BUILTINS};
use regorus::CompiledPolicy;

/// Most definitions a rule reached from a compiled path may have. The VM evaluates every
/// definition of a rule; the interpreter's rule index (regorus patch 32) visits only those
/// whose guards can hold on the input, so a rule of many definitions runs faster there:
/// on the 600-definition benchmark policy 5 µs against the VM's 206 µs, while on `rbac`
/// the VM answers in 4.7 µs against 19 µs (examples/bench_policy.rs, 2026-12-07).
pub(super) const MAX_DEFINITIONS: usize = 16;

/// Whether the VM answers `program` as OPA does, judged by what it was compiled to.
pub(super) fn program_supported(program: &Program) -> bool {
    let rules_ok = program.rule_infos.iter().all(|rule| {
        let conflict_free = match rule.rule_type {
            // Definitions with different values conflict (OPA reports it, the VM does not)
            // unless the compiler proved every definition yields the same constant.
            RuleType::Complete => rule.definitions.len() <= 1 || rule.early_exit_on_first_success,
            RuleType::PartialSet => true,
            RuleType::PartialObject => false,
        };
        conflict_free && rule.function_info.is_none() && rule.definitions.len() <= MAX_DEFINITIONS
    });
    let data = &program.instruction_data;
    rules_ok
        && !program.builtin_info_table.iter().any(|b| b.name == "print")
        && !data
            .comprehension_begin_params
            .iter()
            .any(|c| matches!(c.mode, ComprehensionMode::Object))
        && data.virtual_data_document_lookup_params.is_empty()
        && data.function_call_params.is_empty()
}

/// Whether every rule `program` reaches is written, in `policy`, in a form the VM answers
/// as OPA does.
pub(super) fn policy_supported(policy: &CompiledPolicy, program: &Program) -> bool {
    let packages: Vec<String> = policy
        .get_modules()
        .iter()
        .filter_map(|m| static_path(&m.package.refr))
        .map(|parts| format!("data.{}", parts.join(".")))
        .collect();
    let reached: Vec<&str> = program.rule_infos.iter().map(|r| r.name.as_str()).collect();
    let mut ok = true;
    for (module, package) in policy.get_modules().iter().zip(&packages) {
        let names: Vec<String> = module
            .policy
            .iter()
            .filter_map(|rule| static_path(head_of(rule)))
            .filter_map(|parts| parts.into_iter().next())
            .collect();
        let mut check = Check {
            packages: &packages,
            names: &names,
            ok,
        };
        for import in &module.imports {
            check.reference(&import.refr);
        }
        for rule in &module.policy {
            // A head that is not a plain path may define any path: always checked.
            let path =
                static_path(head_of(rule)).map(|parts| format!("{package}.{}", parts.join(".")));
            if path.is_none_or(|path| reached.iter().any(|r| overlaps(r, &path))) {
                check.rule(rule);
            }
        }
        ok = check.ok;
    }
    ok
}

/// How many rules of `modules` define `path` (`data.<package>.<rule>`), counted from their
/// heads; rules at heads that are not plain paths are not counted.
pub(super) fn definitions_at(modules: &[Ref<Module>], path: &str) -> usize {
    let mut n = 0;
    for module in modules {
        let Some(package) = static_path(&module.package.refr) else {
            continue;
        };
        let prefix = format!("data.{}.", package.join("."));
        let Some(rule) = path.strip_prefix(&prefix) else {
            continue;
        };
        n += module
            .policy
            .iter()
            .filter(|r| static_path(head_of(r)).is_some_and(|parts| parts.join(".") == rule))
            .count();
    }
    n
}

/// The reference a rule's head defines.
fn head_of(rule: &Rule) -> &Expr {
    match rule {
        Rule::Default { refr, .. } => refr,
        Rule::Spec { head, .. } => match head {
            RuleHead::Compr { refr, .. }
            | RuleHead::Set { refr, .. }
            | RuleHead::Func { refr, .. } => refr,
        },
    }
}

/// Whether one of two rule paths is the other or under it.
fn overlaps(a: &str, b: &str) -> bool {
    let under = |long: &str, short: &str| {
        long.strip_prefix(short)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
    };
    under(a, b) || under(b, a)
}

struct Check<'a> {
    /// `data.<package>` of every module.
    packages: &'a [String],
    /// The first name of every rule head of the module being checked.
    names: &'a [String],
    ok: bool,
}

impl Check<'_> {
    fn rule(&mut self, rule: &Rule) {
        match rule {
            Rule::Default { value, .. } => self.ok &= ground(value),
            Rule::Spec { head, bodies, .. } => {
                match head {
                    RuleHead::Compr { refr, assign, .. } => {
                        self.ok &= static_path(refr).is_some();
                        // A value that varies with the bindings of a body or of its own
                        // iteration can conflict, which the VM does not report: a value
                        // is a constant, or one value of a rule without a body.
                        if let Some(assign) = assign {
                            let bodiless = bodies.iter().all(|b| b.query.stmts.is_empty());
                            self.ok &= ground(&assign.value)
                                || (bodiless && single_valued(&assign.value, self.names));
                            self.expr(&assign.value);
                        }
                    }
                    RuleHead::Set { refr, key, .. } => {
                        self.ok &= static_path(refr).is_some();
                        if let Some(key) = key {
                            self.expr(key);
                        }
                    }
                    RuleHead::Func { .. } => self.ok = false,
                }
                for body in bodies {
                    self.query(&body.query);
                }
            }
        }
    }

    fn query(&mut self, query: &Query) {
        for stmt in &query.stmts {
            self.ok &= stmt.with_mods.is_empty();
            match &stmt.literal {
                Literal::SomeVars { .. } => {}
                Literal::SomeIn {
                    key,
                    value,
                    collection,
                    ..
                } => self.membership(key.as_ref(), value, collection),
                Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => self.expr(expr),
                Literal::Every { domain, query, .. } => {
                    self.expr(domain);
                    self.query(query);
                }
            }
        }
    }

    fn expr(&mut self, expr: &Expr) {
        match expr {
            Expr::String { .. }
            | Expr::RawString { .. }
            | Expr::Number { .. }
            | Expr::Bool { .. }
            | Expr::Null { .. }
            | Expr::Var { .. } => {}
            Expr::Array { items, .. } | Expr::Set { items, .. } => {
                items.iter().for_each(|e| self.expr(e));
            }
            Expr::TemplateString { parts, .. } => parts.iter().for_each(|e| self.expr(e)),
            Expr::Object { fields, .. } => {
                for (_, key, value) in fields {
                    self.expr(key);
                    self.expr(value);
                }
            }
            Expr::ArrayCompr { term, query, .. } | Expr::SetCompr { term, query, .. } => {
                self.expr(term);
                self.query(query);
            }
            Expr::ObjectCompr {
                key, value, query, ..
            } => {
                self.expr(key);
                self.expr(value);
                self.query(query);
            }
            Expr::Call { fcn, params, .. } => {
                // A builtin given an output argument (`yaml.unmarshal(s, x)`).
                if let Some(name) = static_path(fcn) {
                    if let Some((_, arity)) = BUILTINS.get(name.join(".").as_str()) {
                        self.ok &= params.len() <= usize::from(*arity);
                    }
                }
                self.expr(fcn);
                params.iter().for_each(|e| self.expr(e));
            }
            Expr::UnaryExpr { expr, .. } => self.expr(expr),
            Expr::Membership {
                key,
                value,
                collection,
                ..
            } => self.membership(key.as_ref(), value, collection),
            Expr::RefDot { .. } | Expr::RefBrack { .. } => self.reference(expr),
            Expr::BinExpr { lhs, rhs, .. }
            | Expr::BoolExpr { lhs, rhs, .. }
            | Expr::ArithExpr { lhs, rhs, .. }
            | Expr::AssignExpr { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
        }
    }

    /// `key, value in collection`, in `some` or as an expression.
    fn membership(&mut self, key: Option<&Ref<Expr>>, value: &Expr, collection: &Expr) {
        if let Some(key) = key {
            self.expr(key);
        }
        self.expr(value);
        self.expr(collection);
    }

    /// A whole reference chain: no whole package read through `data`, no number index.
    fn reference(&mut self, expr: &Expr) {
        if let Some(parts) = static_path(expr) {
            if parts.first().is_some_and(|root| root == "data") {
                let path = parts.join(".");
                let prefix = format!("{path}.");
                self.ok &= !self
                    .packages
                    .iter()
                    .any(|p| *p == path || p.starts_with(&prefix));
            }
        }
        let mut at = expr;
        loop {
            match at {
                Expr::RefDot { refr, .. } => at = refr,
                Expr::RefBrack { refr, index, .. } => {
                    self.ok &= !matches!(**index, Expr::Number { .. });
                    self.expr(index);
                    at = refr;
                }
                root => return self.expr(root),
            }
        }
    }
}

/// The parts of a reference made of names and string keys only (`data.a["b"].c`).
fn static_path(expr: &Expr) -> Option<Vec<String>> {
    match expr {
        Expr::Var { value, .. } => Some(vec![value.as_string().ok()?.to_string()]),
        Expr::RefDot { refr, field, .. } => {
            let mut parts = static_path(refr)?;
            parts.push(field.1.as_string().ok()?.to_string());
            Some(parts)
        }
        Expr::RefBrack { refr, index, .. } => match &**index {
            Expr::String { value, .. } | Expr::RawString { value, .. } => {
                let mut parts = static_path(refr)?;
                parts.push(value.as_string().ok()?.to_string());
                Some(parts)
            }
            _ => None,
        },
        _ => None,
    }
}

/// An expression with one value: no variable it could iterate over (only `data`,
/// `input` and the module's rules are named; a comprehension is one value whatever it
/// binds inside).
fn single_valued(expr: &Expr, names: &[String]) -> bool {
    let one = |e: &Expr| single_valued(e, names);
    match expr {
        Expr::String { .. }
        | Expr::RawString { .. }
        | Expr::Number { .. }
        | Expr::Bool { .. }
        | Expr::Null { .. }
        | Expr::ArrayCompr { .. }
        | Expr::SetCompr { .. }
        | Expr::ObjectCompr { .. } => true,
        Expr::Var { value, .. } => value.as_string().is_ok_and(|name| {
            matches!(name.as_ref(), "data" | "input") || names.iter().any(|n| **n == **name)
        }),
        Expr::Array { items, .. } | Expr::Set { items, .. } => items.iter().all(|e| one(e)),
        Expr::TemplateString { parts, .. } => parts.iter().all(|e| one(e)),
        Expr::Object { fields, .. } => fields.iter().all(|(_, k, v)| one(k) && one(v)),
        Expr::Call { params, .. } => params.iter().all(|e| one(e)),
        Expr::UnaryExpr { expr, .. } => one(expr),
        Expr::RefDot { refr, .. } => one(refr),
        Expr::RefBrack { refr, index, .. } => one(refr) && one(index),
        Expr::BinExpr { lhs, rhs, .. }
        | Expr::BoolExpr { lhs, rhs, .. }
        | Expr::ArithExpr { lhs, rhs, .. } => one(lhs) && one(rhs),
        Expr::Membership {
            key,
            value,
            collection,
            ..
        } => key.as_ref().is_none_or(|k| one(k)) && one(value) && one(collection),
        Expr::AssignExpr { .. } => false,
    }
}

/// A constant: scalars, and arrays, sets and objects of constants.
fn ground(expr: &Expr) -> bool {
    match expr {
        Expr::String { .. }
        | Expr::RawString { .. }
        | Expr::Number { .. }
        | Expr::Bool { .. }
        | Expr::Null { .. } => true,
        Expr::Array { items, .. } | Expr::Set { items, .. } => items.iter().all(|e| ground(e)),
        Expr::Object { fields, .. } => fields.iter().all(|(_, k, v)| ground(k) && ground(v)),
        _ => false,
    }
}

// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! A rule index in the manner of OPA's (`v1/ast/index.go`), CoreSDK patch 32.
//!
//! The definitions registered at one rule path are evaluated one after another. Most
//! policies with many definitions guard each one with equalities on the input
//! (`input.method == "GET"`, `input.kind = "Pod"`), and on a given input all but a few of
//! those guards fail. The index is a trie over the guarded input references: looking the
//! input up in it yields the definitions whose guards can all hold (the candidates), in
//! their original order, and only those are evaluated.
//!
//! A definition is left out of the candidates only when one of its body's literals
//! compares a ground `input` reference with `==` or `=` against a string, boolean or null
//! constant, with no `with` modifier and no negation, and the input's value there differs
//! (or is undefined). Such a body cannot succeed, so skipping it changes no value. As in
//! OPA, bodies that call `print` (at their top level or in `not` and `every`) are never
//! skipped, nor are functions, definitions with more than one body (`else` chains) and
//! definitions without a guard: they are candidates for every input.

use crate::ast::{AssignOp, BoolOp, Expr, Literal, Query, Ref, Rule, RuleHead};
use crate::value::Value;
use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// How many distinct input references one index branches on; guards on further
/// references are ignored (the definition stays a candidate for them).
const MAX_REFERENCES: usize = 16;

/// The index of the definitions registered at one rule path.
#[derive(Debug)]
pub struct RuleIndex {
    /// The definitions, in registration order; candidates are positions in it.
    rules: Vec<Ref<Rule>>,
    /// Positions of the partial (set and object) definitions that have a guard. When
    /// such a definition is not a candidate it is still evaluated, as if its body failed:
    /// a partial rule whose bodies all fail still defines an empty set or object.
    partial: Vec<u32>,
    /// The input references branched on, as key paths below `input`: the most tested
    /// first, so the top of the trie splits the most definitions.
    references: Vec<Vec<Value>>,
    root: Node,
}

#[derive(Debug, Default)]
struct Node {
    /// Definitions whose guards all hold once the path to this node matched.
    rules: Vec<u32>,
    /// The branch on the reference at this node's depth, if any definition below tests it.
    branch: Option<Box<Branch>>,
}

#[derive(Debug, Default)]
struct Branch {
    /// Definitions requiring the reference to equal a value.
    values: BTreeMap<Value, Node>,
    /// Definitions that do not test the reference.
    any: Node,
}

/// One guard of a body: the input reference (by position in `references`) must equal
/// `value` for the body to succeed.
struct Guard {
    reference: usize,
    value: Value,
}

impl RuleIndex {
    /// Builds the index of `rules`, or `None` when no definition has a guard (every
    /// definition is a candidate for every input; looking up would only cost time).
    pub fn build(rules: &[Ref<Rule>]) -> Option<Self> {
        if rules.len() < 2 || u32::try_from(rules.len()).is_err() {
            return None;
        }
        let guards: Vec<Vec<(Vec<Value>, Value)>> = rules.iter().map(rule_guards).collect();

        // Order the references by how many definitions test them, then by first use.
        let mut counted: Vec<(Vec<Value>, usize, usize)> = Vec::new();
        for (position, (reference, _)) in guards.iter().flatten().enumerate() {
            match counted.iter_mut().find(|(r, _, _)| r == reference) {
                Some(entry) => entry.1 = entry.1.saturating_add(1),
                None => counted.push((reference.clone(), 1, position)),
            }
        }
        if counted.is_empty() {
            return None;
        }
        counted.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
        counted.truncate(MAX_REFERENCES);
        let references: Vec<Vec<Value>> = counted.into_iter().map(|(r, _, _)| r).collect();

        let mut root = Node::default();
        let mut partial = Vec::new();
        // Positions fit in u32: the length was checked above.
        for ((position, rule), rule_guards) in (0_u32..).zip(rules).zip(guards) {
            if !rule_guards.is_empty() && is_partial(rule) {
                partial.push(position);
            }
            let mut resolved: Vec<Guard> = Vec::new();
            for (reference, value) in rule_guards {
                let Some(at) = references.iter().position(|r| *r == reference) else {
                    continue;
                };
                // A second guard on the same reference adds nothing the first does not
                // (both must hold); keeping the first is enough to stay a candidate.
                if resolved.iter().all(|g| g.reference != at) {
                    resolved.push(Guard {
                        reference: at,
                        value,
                    });
                }
            }
            resolved.sort_by_key(|g| g.reference);
            root.insert(0, &resolved, position);
        }
        Some(RuleIndex {
            rules: rules.to_vec(),
            partial,
            references,
            root,
        })
    }

    /// The definitions to evaluate on `input`, in registration order, each with `true`
    /// when its bodies are to be skipped as failing (a partial definition that is not
    /// a candidate).
    pub fn candidates(&self, input: &Value) -> Vec<(Ref<Rule>, bool)> {
        let values: Vec<&Value> = self
            .references
            .iter()
            .map(|path| path.iter().fold(input, |v, key| &v[key]))
            .collect();
        let mut found: Vec<u32> = Vec::new();
        self.root.collect(0, &values, &mut found);
        found.sort_unstable();
        let mut selected: Vec<(u32, bool)> = found.iter().map(|&i| (i, false)).collect();
        for &i in &self.partial {
            if found.binary_search(&i).is_err() {
                selected.push((i, true));
            }
        }
        selected.sort_unstable();
        selected
            .into_iter()
            .filter_map(|(i, skip)| {
                let rule = self.rules.get(usize::try_from(i).ok()?)?;
                Some((rule.clone(), skip))
            })
            .collect()
    }
}

impl Node {
    fn insert(&mut self, depth: usize, guards: &[Guard], rule: u32) {
        let Some((first, rest)) = guards.split_first() else {
            self.rules.push(rule);
            return;
        };
        let branch = self.branch.get_or_insert_with(Box::default);
        if first.reference == depth {
            branch
                .values
                .entry(first.value.clone())
                .or_default()
                .insert(depth.saturating_add(1), rest, rule);
        } else {
            branch.any.insert(depth.saturating_add(1), guards, rule);
        }
    }

    fn collect(&self, depth: usize, values: &[&Value], found: &mut Vec<u32>) {
        found.extend_from_slice(&self.rules);
        let Some(branch) = &self.branch else {
            return;
        };
        if let Some(value) = values.get(depth) {
            if is_indexed_value(value) {
                if let Some(node) = branch.values.get(*value) {
                    node.collect(depth.saturating_add(1), values, found);
                }
            }
        }
        branch.any.collect(depth.saturating_add(1), values, found);
    }
}

/// True for a set definition (`p contains x`) or an object one (`p[k] := v`).
fn is_partial(rule: &Ref<Rule>) -> bool {
    match rule.as_ref() {
        Rule::Spec { head, .. } => match head {
            RuleHead::Set { .. } => true,
            RuleHead::Compr { refr, .. } => matches!(refr.as_ref(), Expr::RefBrack { .. }),
            RuleHead::Func { .. } => false,
        },
        _ => false,
    }
}

/// The guards of a definition: none when it is not indexable.
fn rule_guards(rule: &Ref<Rule>) -> Vec<(Vec<Value>, Value)> {
    let Rule::Spec { head, bodies, .. } = rule.as_ref() else {
        return Vec::new();
    };
    if matches!(head, RuleHead::Func { .. }) {
        return Vec::new();
    }
    let [body] = bodies.as_slice() else {
        return Vec::new();
    };
    if body.is_else || calls_print(&body.query) {
        return Vec::new();
    }
    let mut guards = Vec::new();
    for stmt in &body.query.stmts {
        if !stmt.with_mods.is_empty() {
            continue;
        }
        let Literal::Expr { expr, .. } = &stmt.literal else {
            continue;
        };
        let (lhs, rhs) = match expr.as_ref() {
            Expr::BoolExpr {
                op: BoolOp::Eq,
                lhs,
                rhs,
                ..
            }
            | Expr::AssignExpr {
                op: AssignOp::Eq,
                lhs,
                rhs,
                ..
            } => (lhs, rhs),
            _ => continue,
        };
        let guard = match (input_path(lhs), constant(rhs)) {
            (Some(path), Some(value)) => Some((path, value)),
            _ => match (input_path(rhs), constant(lhs)) {
                (Some(path), Some(value)) => Some((path, value)),
                _ => None,
            },
        };
        guards.extend(guard);
    }
    guards
}

/// The key path below `input` of a ground reference to the input (`input.a["b"]`).
fn input_path(expr: &Ref<Expr>) -> Option<Vec<Value>> {
    let mut keys = Vec::new();
    let mut at = expr;
    loop {
        match at.as_ref() {
            Expr::RefDot { refr, field, .. } => {
                keys.push(field.1.clone());
                at = refr;
            }
            Expr::RefBrack { refr, index, .. } => {
                match index.as_ref() {
                    Expr::String { value, .. } | Expr::RawString { value, .. } => {
                        keys.push(value.clone());
                    }
                    _ => return None,
                }
                at = refr;
            }
            Expr::Var { span, .. } if span.text() == "input" && !keys.is_empty() => {
                keys.reverse();
                return Some(keys);
            }
            _ => return None,
        }
    }
}

/// A string, boolean or null literal.
fn constant(expr: &Ref<Expr>) -> Option<Value> {
    match expr.as_ref() {
        Expr::String { value, .. }
        | Expr::RawString { value, .. }
        | Expr::Bool { value, .. }
        | Expr::Null { value, .. } => Some(value.clone()),
        _ => None,
    }
}

/// The values a guard can compare equal to: what `constant` admits.
const fn is_indexed_value(value: &Value) -> bool {
    matches!(value, Value::String(_) | Value::Bool(_) | Value::Null)
}

/// True when the query calls `print` at its top level, under `not` or in `every`.
fn calls_print(query: &Query) -> bool {
    query.stmts.iter().any(|stmt| match &stmt.literal {
        Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => is_print(expr),
        Literal::Every { query: every, .. } => calls_print(every),
        Literal::SomeVars { .. } | Literal::SomeIn { .. } => false,
    })
}

fn is_print(expr: &Ref<Expr>) -> bool {
    match expr.as_ref() {
        Expr::Call { fcn, .. } => {
            matches!(fcn.as_ref(), Expr::Var { span, .. } if span.text() == "print")
        }
        _ => false,
    }
}

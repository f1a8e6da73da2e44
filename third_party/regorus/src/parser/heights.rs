// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! How deep the syntax tree being parsed is.
//!
//! Every pass after the parser (analysis, scheduling, evaluation, dropping the tree) walks
//! it recursively, so a tree of unbounded height overflows the stack of whichever thread
//! loads or evaluates the policy. Nesting in the source (`[[[...]]]`, `f(f(f(...)))`) is
//! not the only way to build one: the parser builds left-associative operator chains
//! (`1 + 1 + ... + 1`) and reference chains (`input.a.a.a...`) in loops, each link one
//! level deeper. The parser therefore records the height of every expression and query as
//! it builds them and refuses any that would be taller than [`MAX_HEIGHT`].

use crate::ast::{Expr, Literal, Query};

/// Most levels a policy's syntax tree may have. Far above what people write (a
/// reference `input.a.b.c` is 4 levels, each nested call, collection or operator one
/// more), far below what overflows a thread's stack.
pub const MAX_HEIGHT: u16 = 128;

/// Most terms and queries the parser may be inside at once (`[[[...]]]`, `f(f(...))`,
/// `every` in `every`). The parser recurses through a dozen functions per level, so this
/// is lower than [`MAX_HEIGHT`]: 64 levels take about 1 MiB of stack in a debug build.
pub const MAX_NESTING: u16 = 64;

/// Height of every expression and query built so far, by index.
///
/// Backtracking keeps the table (see `Parser::restore`); a clone starts empty, so that
/// saving the parser's state before an attempt stays cheap.
#[derive(Default)]
pub struct Heights {
    exprs: alloc::vec::Vec<u16>,
    queries: alloc::vec::Vec<u16>,
}

impl Clone for Heights {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl Heights {
    /// Height of an expression already built (a leaf, 1, if it was never recorded).
    pub fn expr(&self, expr: &Expr) -> u16 {
        self.exprs.get(expr.eidx() as usize).copied().unwrap_or(1)
    }

    fn query(&self, query: &Query) -> u16 {
        self.queries.get(query.qidx as usize).copied().unwrap_or(1)
    }

    /// Height of `expr` from the heights of its children.
    pub fn of_expr(&self, expr: &Expr) -> u16 {
        let h = |e: &Expr| self.expr(e);
        let children = match expr {
            Expr::Array { items, .. } | Expr::Set { items, .. } => {
                items.iter().map(|e| h(e)).max().unwrap_or(0)
            }
            Expr::TemplateString { parts, .. } => parts.iter().map(|e| h(e)).max().unwrap_or(0),
            Expr::Object { fields, .. } => fields
                .iter()
                .map(|(_, k, v)| h(k).max(h(v)))
                .max()
                .unwrap_or(0),
            Expr::ArrayCompr { term, query, .. } | Expr::SetCompr { term, query, .. } => {
                h(term).max(self.query(query))
            }
            Expr::ObjectCompr {
                key, value, query, ..
            } => h(key).max(h(value)).max(self.query(query)),
            Expr::Call { fcn, params, .. } => params.iter().map(|e| h(e)).fold(h(fcn), u16::max),
            Expr::UnaryExpr { expr, .. } => h(expr),
            Expr::RefDot { refr, .. } => h(refr),
            Expr::RefBrack { refr, index, .. } => h(refr).max(h(index)),
            Expr::BinExpr { lhs, rhs, .. }
            | Expr::BoolExpr { lhs, rhs, .. }
            | Expr::ArithExpr { lhs, rhs, .. }
            | Expr::AssignExpr { lhs, rhs, .. } => h(lhs).max(h(rhs)),
            #[cfg(feature = "rego-extensions")]
            Expr::OrExpr { lhs, rhs, .. } => h(lhs).max(h(rhs)),
            Expr::Membership {
                key,
                value,
                collection,
                ..
            } => key
                .as_ref()
                .map_or(0, |k| h(k))
                .max(h(value))
                .max(h(collection)),
            _ => 0,
        };
        children.saturating_add(1)
    }

    /// Height of `query` from the heights of the expressions and queries in it.
    pub fn of_query(&self, query: &Query) -> u16 {
        let h = |e: &Expr| self.expr(e);
        let mut children = 0;
        for stmt in &query.stmts {
            let literal = match &stmt.literal {
                Literal::SomeVars { .. } => 0,
                Literal::SomeIn {
                    key,
                    value,
                    collection,
                    ..
                } => key
                    .as_ref()
                    .map_or(0, |k| h(k))
                    .max(h(value))
                    .max(h(collection)),
                Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => h(expr),
                Literal::Every { domain, query, .. } => h(domain).max(self.query(query)),
            };
            let with = stmt
                .with_mods
                .iter()
                .map(|m| h(&m.refr).max(h(&m.r#as)))
                .max()
                .unwrap_or(0);
            children = children.max(literal).max(with);
        }
        children.saturating_add(1)
    }

    /// Records the height of the expression with index `eidx`.
    pub fn record_expr(&mut self, eidx: u32, height: u16) {
        record(&mut self.exprs, eidx, height);
    }

    /// Records the height of the query with index `qidx`.
    pub fn record_query(&mut self, qidx: u32, height: u16) {
        record(&mut self.queries, qidx, height);
    }

    /// Forgets what was built at or after these indexes: after backtracking the parser
    /// hands them out again.
    pub fn truncate(&mut self, eidx: u32, qidx: u32) {
        self.exprs.truncate(eidx as usize);
        self.queries.truncate(qidx as usize);
    }
}

fn record(table: &mut alloc::vec::Vec<u16>, idx: u32, height: u16) {
    let idx = idx as usize;
    if table.len() <= idx {
        // Indexes in between belong to leaves, built without a record.
        table.resize(idx + 1, 1);
    }
    table[idx] = height;
}

// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! CoreSDK patch 31: which user queries report the value of their one expression even
//! when it is `false`, as OPA's `rego` package does (`RewriteToCaptureValue`): the query
//! `data.t.x == 2` answers one row whose expression is `false`. OPA captures the value
//! only when the query has one expression, that expression is not negated, not an
//! assignment or unification, and nothing in it iterates (a ref with a variable after
//! its head, or the relation builtin `walk`); comprehensions are not looked into. In
//! every other query a `false` expression fails the query. regorus kept a row for every
//! failed single-expression query (a failed `not` or an iteration included) and for
//! failed queries whose recorded expressions were all true; it now keeps one only for a
//! captured query.

use crate::ast::{Expr, ExprRef, Literal, Query};
use crate::query::traversal::traverse;

/// Whether OPA reports the value of `query`'s one expression even when it is false.
pub(crate) fn captures_value(query: &Query) -> bool {
    let [stmt] = query.stmts.as_slice() else {
        return false;
    };
    let Literal::Expr { expr, .. } = &stmt.literal else {
        return false;
    };
    !matches!(expr.as_ref(), Expr::AssignExpr { .. }) && !iterates(expr)
}

/// Whether `expr` iterates as OPA's `iteration` check sees it.
fn iterates(expr: &ExprRef) -> bool {
    let mut found = false;
    let _ = traverse(expr, &mut |e| {
        match e.as_ref() {
            Expr::RefBrack { index, .. } if matches!(index.as_ref(), Expr::Var { .. }) => {
                found = true;
            }
            Expr::Call { fcn, .. } if is_walk(fcn) => found = true,
            _ => {}
        }
        Ok(!found)
    });
    found
}

fn is_walk(fcn: &ExprRef) -> bool {
    matches!(fcn.as_ref(), Expr::Var { span, .. } if span.text() == "walk")
}

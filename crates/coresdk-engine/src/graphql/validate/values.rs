//! Values: literal and variable values checked against their expected types
//! (gqlparser's `ValuesOfCorrectType` and its neighbours).

use super::*;

impl<'a> Walker<'a> {
    pub(super) fn walk_value(&mut self, value: &'a Value, e: Expect<'a>) {
        if !self.enter() {
            self.leave();
            return;
        }
        let mut var_def: Option<&'a VariableDefinition> = None;
        if value.kind == ValueKind::Variable {
            if let Some((op, used)) = self.vars.as_mut() {
                if let Some(i) = op
                    .variable_definitions
                    .iter()
                    .position(|v| v.variable == value.raw)
                {
                    used[i] = true;
                    var_def = Some(&op.variable_definitions[i]);
                }
            }
        }
        match value.kind {
            ValueKind::Object => {
                for child in &value.children {
                    let Some(cv) = &child.value else { continue };
                    let mut ce = NO_EXPECT;
                    if let Some(d) = e.def {
                        if let Some(fd) = d.fields.iter().find(|f| f.name == child.name) {
                            ce = Expect {
                                ty: Some(&fd.ty),
                                def: self.type_def(fd.ty.name()),
                                has_default: fd
                                    .default_value
                                    .as_ref()
                                    .is_some_and(|d| d.kind != ValueKind::Null),
                            };
                        }
                    }
                    self.walk_value(cv, ce);
                }
            }
            ValueKind::List => {
                for child in &value.children {
                    let Some(cv) = &child.value else { continue };
                    let mut ce = NO_EXPECT;
                    if let Some(elem) = e.ty.and_then(|t| t.elem.as_deref()) {
                        ce = Expect {
                            ty: Some(elem),
                            def: e.def,
                            has_default: false,
                        };
                    }
                    self.walk_value(cv, ce);
                }
            }
            _ => {}
        }
        self.value_rules(value, e, var_def);
        self.leave();
    }

    /// The OnValue rules, in rule-name order.
    pub(super) fn value_rules(
        &mut self,
        value: &'a Value,
        e: Expect<'a>,
        var_def: Option<&'a VariableDefinition>,
    ) {
        // NoUndefinedVariables.
        if let Some((op, _)) = &self.vars {
            if value.kind == ValueKind::Variable && var_def.is_none() {
                let msg = if op.name.is_empty() {
                    format!("Variable \"{}\" is not defined.", value_string(value))
                } else {
                    format!(
                        "Variable \"{}\" is not defined by operation \"{}\".",
                        value_string(value),
                        op.name
                    )
                };
                self.add(value.position, msg);
            }
        }
        // UniqueInputFieldNames.
        if value.kind == ValueKind::Object {
            let mut seen = HashSet::new();
            for c in &value.children {
                if !seen.insert(c.name.as_str()) {
                    self.add(
                        c.position,
                        format!("There can be only one input field named \"{}\".", c.name),
                    );
                }
            }
        }
        // ValuesOfCorrectType.
        if let (Some(def), Some(ty)) = (e.def, e.ty) {
            self.values_of_correct_type(value, def, ty);
        }
        // VariablesInAllowedPosition.
        if let (ValueKind::Variable, Some(ty), Some(vd), true) =
            (value.kind, e.ty, var_def, self.vars.is_some())
        {
            let mut tmp = ty.clone();
            if vd
                .default_value
                .as_ref()
                .is_some_and(|d| d.kind != ValueKind::Null)
                && ty.non_null
            {
                tmp.non_null = false;
            }
            if e.has_default {
                tmp.non_null = false;
            }
            if !is_compatible(&vd.ty, &tmp) {
                self.add(
                    value.position,
                    format!(
                        "Variable \"{}\" of type \"{}\" used in position expecting type \"{}\".",
                        value_string(value),
                        vd.ty,
                        ty
                    ),
                );
            }
        }
    }

    pub(super) fn values_of_correct_type(&mut self, value: &Value, def: &Definition, ty: &TypeRef) {
        if value.kind == ValueKind::Null && ty.non_null {
            self.add(
                value.position,
                format!(
                    "Expected value of type \"{}\", found {}.",
                    ty,
                    value_string(value)
                ),
            );
        }
        let builtin_scalar =
            ["Int", "Float", "String", "Boolean", "ID"].contains(&def.name.as_str());
        if def.kind == "SCALAR" && !builtin_scalar {
            return;
        }
        let one_of = |names: &[&str]| names.contains(&def.name.as_str());
        let bad = |v: &Value| unexpected_type_message(v, def, ty);
        let parse_failed = match value.kind {
            ValueKind::Int => value.raw.parse::<i64>().is_err(),
            ValueKind::Float => value.raw.parse::<f64>().is_err(),
            ValueKind::Boolean => value.raw != "true" && value.raw != "false",
            _ => false,
        };
        if parse_failed {
            self.add(value.position, bad(value));
        }
        match value.kind {
            ValueKind::Null | ValueKind::Variable => {}
            ValueKind::List => {
                if ty.elem.is_none() {
                    self.add(value.position, bad(value));
                }
            }
            ValueKind::Int => {
                if !one_of(&["Int", "Float", "ID"]) {
                    self.add(value.position, bad(value));
                }
            }
            ValueKind::Float => {
                if !one_of(&["Float"]) {
                    self.add(value.position, bad(value));
                }
            }
            ValueKind::String | ValueKind::Block => {
                if def.kind == "ENUM" {
                    self.add(
                        value.position,
                        format!(
                            "Enum \"{}\" cannot represent non-enum value: {}.{}",
                            ty,
                            value_string(value),
                            suggest_quoted(
                                "Did you mean the enum value",
                                &value.raw,
                                &enum_names(def)
                            )
                        ),
                    );
                } else if !one_of(&["String", "ID"]) {
                    self.add(value.position, bad(value));
                }
            }
            ValueKind::Enum => {
                if def.kind != "ENUM" {
                    let m = bad(value)
                        + &suggest_unquoted(
                            "Did you mean the enum value",
                            &value.raw,
                            &enum_names(def),
                        );
                    self.add(value.position, m);
                } else if !def.enum_values.iter().any(|v| v.name == value.raw) {
                    self.add(
                        value.position,
                        format!(
                            "Value \"{}\" does not exist in \"{}\" enum.{}",
                            value_string(value),
                            ty,
                            suggest_quoted(
                                "Did you mean the enum value",
                                &value.raw,
                                &enum_names(def)
                            )
                        ),
                    );
                }
            }
            ValueKind::Boolean => {
                if !one_of(&["Boolean"]) {
                    self.add(value.position, bad(value));
                }
            }
            ValueKind::Object => {
                for f in &def.fields {
                    if f.ty.non_null
                        && f.default_value.is_none()
                        && !value.children.iter().any(|c| c.name == f.name)
                    {
                        self.add(
                            value.position,
                            format!(
                                "Field \"{}.{}\" of required type \"{}\" was not provided.",
                                def.name, f.name, f.ty
                            ),
                        );
                    }
                }
                if def.directives.iter().any(|d| d.name == "oneOf") {
                    if value.children.len() != 1 {
                        self.add(
                            value.position,
                            format!(
                                "OneOf Input Object \"{}\" must specify exactly one key.",
                                def.name
                            ),
                        );
                    } else {
                        let fv = value.children[0].value.as_ref();
                        if fv.is_none_or(|v| v.kind == ValueKind::Null) {
                            self.add(
                                fv.and_then(|v| v.position),
                                format!(
                                    "Field \"{}.{}\" must be non-null.",
                                    def.name,
                                    def.fields.first().map(|f| f.name.as_str()).unwrap_or("")
                                ),
                            );
                        }
                    }
                }
                for c in &value.children {
                    if !def.fields.iter().any(|f| f.name == c.name) {
                        let names: Vec<String> =
                            def.fields.iter().map(|f| f.name.clone()).collect();
                        self.add(
                            c.position,
                            format!(
                                "Field \"{}\" is not defined by type \"{}\".{}",
                                c.name,
                                def.name,
                                suggest_quoted("Did you mean", &c.name, &names)
                            ),
                        );
                    }
                }
            }
        }
    }
}

pub(super) fn enum_names(def: &Definition) -> Vec<String> {
    def.enum_values.iter().map(|v| v.name.clone()).collect()
}

pub(super) fn unexpected_type_message(v: &Value, def: &Definition, ty: &TypeRef) -> String {
    let s = value_string(v);
    match ty.to_string().as_str() {
        "Int" | "Int!" => {
            if v.raw.parse::<i32>().is_err() && v.raw.parse::<i128>().is_ok() {
                format!("Int cannot represent non 32-bit signed integer value: {s}")
            } else {
                format!("Int cannot represent non-integer value: {s}")
            }
        }
        "String" | "String!" | "[String]" => {
            format!("String cannot represent a non string value: {s}")
        }
        "Boolean" | "Boolean!" => format!("Boolean cannot represent a non boolean value: {s}"),
        "Float" | "Float!" => format!("Float cannot represent non numeric value: {s}"),
        "ID" | "ID!" => format!("ID cannot represent a non-string and non-integer value: {s}"),
        t => {
            if def.kind == "ENUM" {
                format!("Enum \"{t}\" cannot represent non-enum value: {s}.")
            } else {
                format!("Expected value of type \"{t}\", found {s}.")
            }
        }
    }
}

//! The schema checks of whole definitions (gqlparser's `validateDefinition`): fields,
//! arguments, interface implementation (covariance), enum and union members, and cycles
//! of non-null input objects.

use super::ast::*;
use super::schema::*;
use super::syntax::{go_quote, GqlError, MAX_DEPTH};
use std::collections::{HashMap, HashSet};

pub(super) fn validate_definition(schema: &Schema, def: &Definition) -> Result<(), GqlError> {
    for field in &def.fields {
        validate_name(field.position, &field.name)?;
        validate_type_ref(schema, &field.ty)?;
        validate_args(schema, &field.arguments, None)?;
        let loc = if def.kind == "INPUT_OBJECT" {
            "INPUT_FIELD_DEFINITION"
        } else {
            "FIELD_DEFINITION"
        };
        validate_directives(schema, &field.directives, loc, None, true)?;
    }
    for t in &def.types {
        match schema.types.get(t) {
            None => {
                return Err(err(
                    def.position,
                    format!("Undefined type {}.", go_quote(t)),
                ))
            }
            Some(td) if td.kind != "OBJECT" => {
                return Err(err(
                    def.position,
                    format!("{} type {} must be OBJECT.", def.kind, go_quote(t)),
                ))
            }
            _ => {}
        }
    }
    for intf in &def.interfaces {
        validate_implements(schema, def, intf)?;
    }
    match def.kind.as_str() {
        "OBJECT" | "INTERFACE" => {
            if def.fields.is_empty() {
                return Err(err(
                    def.position,
                    format!("{} {}: must define one or more fields.", def.kind, def.name),
                ));
            }
            for field in &def.fields {
                if let Some(t) = schema.types.get(field.ty.name()) {
                    if !matches!(
                        t.kind.as_str(),
                        "SCALAR" | "OBJECT" | "INTERFACE" | "UNION" | "ENUM"
                    ) {
                        return Err(err(
                            field.position,
                            format!(
                                "{} {}: field must be one of {}.",
                                def.kind,
                                def.name,
                                kind_list(&["SCALAR", "OBJECT", "INTERFACE", "UNION", "ENUM"])
                            ),
                        ));
                    }
                }
            }
        }
        "ENUM" => {
            if def.enum_values.is_empty() {
                return Err(err(
                    def.position,
                    format!(
                        "{} {}: must define one or more unique enum values.",
                        def.kind, def.name
                    ),
                ));
            }
            for value in &def.enum_values {
                if matches!(value.name.as_str(), "true" | "false" | "null") {
                    return Err(err(
                        def.position,
                        format!("{} {}: non-enum value {}.", def.kind, def.name, value.name),
                    ));
                }
                validate_directives(schema, &value.directives, "ENUM_VALUE", None, true)?;
            }
        }
        "INPUT_OBJECT" => {
            if def.fields.is_empty() {
                return Err(err(
                    def.position,
                    format!(
                        "{} {}: must define one or more input fields.",
                        def.kind, def.name
                    ),
                ));
            }
            for field in &def.fields {
                if let Some(t) = schema.types.get(field.ty.name()) {
                    if !matches!(t.kind.as_str(), "SCALAR" | "ENUM" | "INPUT_OBJECT") {
                        return Err(err(
                            field.position,
                            format!(
                                "{} {}: field must be one of {}.",
                                t.kind,
                                field.name,
                                kind_list(&["SCALAR", "ENUM", "INPUT_OBJECT"])
                            ),
                        ));
                    }
                }
            }
        }
        _ => {}
    }
    for (i, f1) in def.fields.iter().enumerate() {
        if let Some(f2) = def.fields[i + 1..].iter().find(|f2| f2.name == f1.name) {
            return Err(err(
                f2.position,
                format!("Field {}.{} can only be defined once.", def.name, f2.name),
            ));
        }
    }
    for (i, v1) in def.enum_values.iter().enumerate() {
        if let Some(v2) = def.enum_values[i + 1..]
            .iter()
            .find(|v2| v2.name == v1.name)
        {
            return Err(err(
                v2.position,
                format!(
                    "Enum value {}.{} can only be defined once.",
                    def.name, v2.name
                ),
            ));
        }
    }
    let aligned = def.type_positions.len() == def.types.len();
    for (i, t1) in def.types.iter().enumerate() {
        if let Some(j) = def.types[i + 1..].iter().position(|t| t == t1) {
            let pos = match def.type_positions.get(i + 1 + j) {
                Some(Some(p)) if aligned => Some(*p),
                _ => def.position,
            };
            return Err(err(
                pos,
                format!("Union type {} can only include type {} once.", def.name, t1),
            ));
        }
    }
    if !def.builtin {
        validate_name(def.position, &def.name)?;
    }
    validate_directives(schema, &def.directives, &def.kind, None, false)
}

pub(super) fn validate_implements(
    schema: &Schema,
    def: &Definition,
    intf_name: &str,
) -> Result<(), GqlError> {
    let Some(intf) = schema.types.get(intf_name) else {
        return Err(err(
            def.position,
            format!("Undefined type {}.", go_quote(intf_name)),
        ));
    };
    if intf.kind != "INTERFACE" {
        return Err(err(
            def.position,
            format!(
                "{} is a non interface type {}.",
                go_quote(intf_name),
                intf.kind
            ),
        ));
    }
    for required in &intf.fields {
        let Some(found) = def.fields.iter().find(|f| f.name == required.name) else {
            return Err(err(
                def.position,
                format!(
                    "For {} to implement {} it must have a field called {}.",
                    def.name, intf.name, required.name
                ),
            ));
        };
        if !is_covariant(schema, &required.ty, &found.ty, 0) {
            return Err(err(
                found.position,
                format!(
                    "For {} to implement {} the field {} must have type {}.",
                    def.name, intf.name, required.name, required.ty
                ),
            ));
        }
        for ra in &required.arguments {
            let Some(fa) = found.arguments.iter().find(|a| a.name == ra.name) else {
                return Err(err(found.position, format!(
                    "For {} to implement {} the field {} must have the same arguments but it is missing {}.",
                    def.name, intf.name, required.name, ra.name
                )));
            };
            if !is_compatible(&ra.ty, &fa.ty) {
                return Err(err(fa.position, format!(
                    "For {} to implement {} the field {} must have the same arguments but {} has the wrong type.",
                    def.name, intf.name, required.name, ra.name
                )));
            }
        }
        for fa in &found.arguments {
            if !required.arguments.iter().any(|a| a.name == fa.name)
                && fa.ty.non_null
                && fa.default_value.is_none()
            {
                return Err(err(fa.position, format!(
                    "For {} to implement {} any additional arguments on {} must be optional or have a default value but {} is required.",
                    def.name, intf.name, found.name, fa.name
                )));
            }
        }
    }
    for transitive in &intf.interfaces {
        if !def.interfaces.contains(transitive) {
            if *transitive == def.name {
                return Err(err(
                    def.position,
                    format!(
                        "Type {} cannot implement {} because it would create a circular reference.",
                        def.name, intf_name
                    ),
                ));
            }
            return Err(err(
                def.position,
                format!(
                    "Type {} must implement {} because it is implemented by {}.",
                    def.name, transitive, intf_name
                ),
            ));
        }
    }
    Ok(())
}

pub(super) fn is_covariant(
    schema: &Schema,
    required: &TypeRef,
    actual: &TypeRef,
    depth: usize,
) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    if required.non_null && !actual.non_null {
        return false;
    }
    if !required.named_type.is_empty() {
        if required.named_type == actual.named_type {
            return true;
        }
        return schema
            .possible_types
            .get(&required.named_type)
            .is_some_and(|pts| pts.contains(&actual.named_type));
    }
    match (&required.elem, &actual.elem) {
        (Some(r), Some(a)) => is_covariant(schema, r, a, depth + 1),
        _ => false,
    }
}

/// gqlparser's `Type.IsCompatible`: can a value of type `t` be used where `other` is expected.
pub(super) fn is_compatible(t: &TypeRef, other: &TypeRef) -> bool {
    let (mut t, mut other) = (t, other);
    loop {
        if t.named_type != other.named_type {
            return false;
        }
        if other.non_null && !t.non_null {
            return false;
        }
        match (&t.elem, &other.elem) {
            (Some(_), None) => return false,
            (Some(a), Some(b)) => {
                t = a;
                other = b;
            }
            (None, _) => return true,
        }
    }
}

pub(super) fn validate_input_cycles(schema: &Schema, names: &[&String]) -> Result<(), GqlError> {
    let mut visited: HashSet<String> = HashSet::new();
    let mut path: Vec<&FieldDefinition> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();

    fn detect<'a>(
        schema: &'a Schema,
        def: &'a Definition,
        visited: &mut HashSet<String>,
        path: &mut Vec<&'a FieldDefinition>,
        index: &mut HashMap<String, usize>,
    ) -> Result<(), GqlError> {
        if !visited.insert(def.name.clone()) {
            return Ok(());
        }
        if path.len() > MAX_DEPTH {
            return Err(err(def.position, "schema is nested too deeply".to_string()));
        }
        index.insert(def.name.clone(), path.len());
        for field in &def.fields {
            if !field.ty.non_null || field.ty.named_type.is_empty() {
                continue;
            }
            let Some(ft) = schema.types.get(&field.ty.named_type) else {
                continue;
            };
            if ft.kind != "INPUT_OBJECT" {
                continue;
            }
            path.push(field);
            if let Some(&ci) = index.get(&ft.name) {
                let names: Vec<&str> = path[ci..].iter().map(|f| f.name.as_str()).collect();
                return Err(err(
                    path[ci].position,
                    format!(
                        "Cannot reference Input Object {} within itself through a series of non-null fields: {}.",
                        go_quote(&ft.name),
                        go_quote(&names.join("."))
                    ),
                ));
            }
            detect(schema, ft, visited, path, index)?;
            path.pop();
        }
        index.remove(&def.name);
        Ok(())
    }

    for name in names {
        let def = &schema.types[*name];
        if def.kind == "INPUT_OBJECT" {
            detect(schema, def, &mut visited, &mut path, &mut index)?;
        }
    }
    Ok(())
}

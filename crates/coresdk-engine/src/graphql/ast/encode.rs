//! Conversion to the pruned JSON OPA returns: Go field names, positions, nulls and
//! empty lists/objects left out.

use super::*;
use serde_json::{Map, Value as Json};

/// Builds a JSON object the way OPA prunes gqlparser's: null values and empty
/// lists/objects are left out.
#[derive(Default)]
struct Obj(Map<String, Json>);

impl Obj {
    fn put(mut self, key: &str, value: Json) -> Self {
        let keep = match &value {
            Json::Null => false,
            Json::Array(a) => !a.is_empty(),
            Json::Object(o) => !o.is_empty(),
            _ => true,
        };
        if keep {
            self.0.insert(key.to_string(), value);
        }
        self
    }
    fn s(self, key: &str, value: &str) -> Self {
        self.put(key, Json::String(value.to_string()))
    }
    fn b(self, key: &str, value: bool) -> Self {
        self.put(key, Json::Bool(value))
    }
    fn list<T>(self, key: &str, items: &[T], f: impl Fn(&T) -> Json) -> Self {
        let arr = items
            .iter()
            .map(f)
            .filter(|v| match v {
                Json::Null => false,
                Json::Array(a) => !a.is_empty(),
                Json::Object(o) => !o.is_empty(),
                _ => true,
            })
            .collect();
        self.put(key, Json::Array(arr))
    }
    fn strings(self, key: &str, items: &[String]) -> Self {
        self.list(key, items, |s| Json::String(s.clone()))
    }
    fn comments(self, key: &str, c: &Comments) -> Self {
        match c {
            Some(list) => self.put(
                key,
                Json::Object(
                    Obj::default()
                        .list("List", list, |v| {
                            Json::Object(Obj::default().s("Value", v).0)
                        })
                        .0,
                ),
            ),
            None => self,
        }
    }
    fn done(self) -> Json {
        Json::Object(self.0)
    }
}

fn opt<T>(v: &Option<T>, f: impl Fn(&T) -> Json) -> Json {
    v.as_ref().map(f).unwrap_or(Json::Null)
}

pub(crate) fn value_json(v: &Value) -> Json {
    Obj::default()
        .s("Raw", &v.raw)
        .list("Children", &v.children, |c| {
            Obj::default()
                .s("Name", &c.name)
                .put("Value", opt(&c.value, value_json))
                .comments("Comment", &c.comment)
                .done()
        })
        .put("Kind", Json::from(v.kind as i64))
        .comments("Comment", &v.comment)
        .b("ExpectedTypeHasDefault", false)
        .done()
}

fn type_json(t: &TypeRef) -> Json {
    Obj::default()
        .s("NamedType", &t.named_type)
        .put("Elem", opt(&t.elem, |e| type_json(e)))
        .b("NonNull", t.non_null)
        .done()
}

fn arguments_json(args: &[Argument]) -> Json {
    let o = Obj::default().list("a", args, |a| {
        Obj::default()
            .s("Name", &a.name)
            .put("Value", opt(&a.value, value_json))
            .comments("Comment", &a.comment)
            .done()
    });
    o.0.get("a").cloned().unwrap_or(Json::Null)
}

fn directives_json(dirs: &[Directive]) -> Json {
    Json::Array(
        dirs.iter()
            .map(|d| {
                Obj::default()
                    .s("Name", &d.name)
                    .put("Arguments", arguments_json(&d.arguments))
                    .s("Location", "")
                    .done()
            })
            .collect(),
    )
}

fn selections_json(sel: &[Selection]) -> Json {
    Json::Array(
        sel.iter()
            .map(|s| match s {
                Selection::Field(f) => Obj::default()
                    .s("Alias", &f.alias)
                    .s("Name", &f.name)
                    .put("Arguments", arguments_json(&f.arguments))
                    .put("Directives", directives_json(&f.directives))
                    .put("SelectionSet", selections_json(&f.selection_set))
                    .comments("Comment", &f.comment)
                    .done(),
                Selection::FragmentSpread(f) => Obj::default()
                    .s("Name", &f.name)
                    .put("Directives", directives_json(&f.directives))
                    .comments("Comment", &f.comment)
                    .done(),
                Selection::InlineFragment(f) => Obj::default()
                    .s("TypeCondition", &f.type_condition)
                    .put("Directives", directives_json(&f.directives))
                    .put("SelectionSet", selections_json(&f.selection_set))
                    .comments("Comment", &f.comment)
                    .done(),
            })
            .filter(|v| v.as_object().is_some_and(|o| !o.is_empty()))
            .collect(),
    )
}

fn variables_json(vars: &[VariableDefinition]) -> Json {
    Json::Array(
        vars.iter()
            .map(|v| {
                Obj::default()
                    .s("Variable", &v.variable)
                    .put("Type", type_json(&v.ty))
                    .put("DefaultValue", opt(&v.default_value, value_json))
                    .put("Directives", directives_json(&v.directives))
                    .comments("Comment", &v.comment)
                    .b("Used", false)
                    .done()
            })
            .collect(),
    )
}

/// The pruned JSON of a query document, as OPA's `graphql.parse_query` returns it.
pub(crate) fn query_json(doc: &QueryDocument) -> Json {
    Obj::default()
        .list("Operations", &doc.operations, |o| {
            Obj::default()
                .s("Operation", &o.operation)
                .s("Name", &o.name)
                .put(
                    "VariableDefinitions",
                    variables_json(&o.variable_definitions),
                )
                .put("Directives", directives_json(&o.directives))
                .put("SelectionSet", selections_json(&o.selection_set))
                .comments("Comment", &o.comment)
                .done()
        })
        .list("Fragments", &doc.fragments, |f| {
            Obj::default()
                .s("Name", &f.name)
                .put("VariableDefinition", variables_json(&f.variable_definition))
                .s("TypeCondition", &f.type_condition)
                .put("Directives", directives_json(&f.directives))
                .put("SelectionSet", selections_json(&f.selection_set))
                .comments("Comment", &f.comment)
                .done()
        })
        .comments("Comment", &doc.comment)
        .done()
}

fn field_definition_json(f: &FieldDefinition, with_arguments: bool) -> Json {
    let mut o = Obj::default()
        .s("Description", &f.description)
        .s("Name", &f.name);
    if with_arguments {
        o = o.list("Arguments", &f.arguments, |a| {
            field_definition_json(a, false)
        });
    }
    o.put("DefaultValue", opt(&f.default_value, value_json))
        .put("Type", type_json(&f.ty))
        .put("Directives", directives_json(&f.directives))
        .comments("BeforeDescriptionComment", &f.before_description_comment)
        .comments("AfterDescriptionComment", &f.after_description_comment)
        .done()
}

fn definition_json(d: &Definition) -> Json {
    Obj::default()
        .s("Kind", &d.kind)
        .s("Description", &d.description)
        .s("Name", &d.name)
        .put("Directives", directives_json(&d.directives))
        .strings("Interfaces", &d.interfaces)
        .list("Fields", &d.fields, |f| field_definition_json(f, true))
        .strings("Types", &d.types)
        .list("EnumValues", &d.enum_values, |e| {
            Obj::default()
                .s("Description", &e.description)
                .s("Name", &e.name)
                .put("Directives", directives_json(&e.directives))
                .comments("BeforeDescriptionComment", &e.before_description_comment)
                .comments("AfterDescriptionComment", &e.after_description_comment)
                .done()
        })
        .b("BuiltIn", d.builtin)
        .comments("BeforeDescriptionComment", &d.before_description_comment)
        .comments("AfterDescriptionComment", &d.after_description_comment)
        .comments("EndOfDefinitionComment", &d.end_of_definition_comment)
        .done()
}

fn schema_definition_json(s: &SchemaDefinition) -> Json {
    Obj::default()
        .s("Description", &s.description)
        .put("Directives", directives_json(&s.directives))
        .list("OperationTypes", &s.operation_types, |o| {
            Obj::default()
                .s("Operation", &o.operation)
                .s("Type", &o.ty)
                .comments("Comment", &o.comment)
                .done()
        })
        .comments("BeforeDescriptionComment", &s.before_description_comment)
        .comments("AfterDescriptionComment", &s.after_description_comment)
        .comments("EndOfDefinitionComment", &s.end_of_definition_comment)
        .done()
}

/// The pruned JSON of a schema document, as OPA's `graphql.parse_schema` returns it.
pub(crate) fn schema_json(doc: &SchemaDocument) -> Json {
    Obj::default()
        .list("Schema", &doc.schema, schema_definition_json)
        .list(
            "SchemaExtension",
            &doc.schema_extension,
            schema_definition_json,
        )
        .list("Directives", &doc.directives, |d| {
            Obj::default()
                .s("Description", &d.description)
                .s("Name", &d.name)
                .list("Arguments", &d.arguments, |a| {
                    field_definition_json(a, false)
                })
                .strings("Locations", &d.locations)
                .b("IsRepeatable", d.is_repeatable)
                .comments("BeforeDescriptionComment", &d.before_description_comment)
                .comments("AfterDescriptionComment", &d.after_description_comment)
                .done()
        })
        .list("Definitions", &doc.definitions, definition_json)
        .list("Extensions", &doc.extensions, definition_json)
        .comments("Comment", &doc.comment)
        .done()
}

//! Parsing executable documents: operations, variables, selections, fragments, values,
//! directives and type references.

use super::*;

impl<'a> Parser<'a> {
    pub(super) fn query_document(&mut self) -> QueryDocument {
        let mut doc = QueryDocument::default();
        while self.peek_kind() != Kind::Eof {
            if self.err.is_some() {
                return doc;
            }
            let tok = self.peek();
            match tok.kind {
                Kind::Name => match tok.value.as_str() {
                    "query" | "mutation" | "subscription" => {
                        let op = self.operation_definition();
                        doc.operations.push(op);
                    }
                    "fragment" => {
                        let f = self.fragment_definition();
                        doc.fragments.push(f);
                    }
                    _ => self.unexpected(),
                },
                Kind::BraceL => {
                    let op = self.operation_definition();
                    doc.operations.push(op);
                }
                _ => self.unexpected(),
            }
        }
        doc
    }

    pub(super) fn operation_definition(&mut self) -> OperationDefinition {
        if self.peek_kind() == Kind::BraceL {
            // gqlparser reads its comment after parsing the selection set (Go evaluates
            // the calls in a composite literal before its plain operands): by then none.
            let position = self.peek_pos();
            let selection_set = self.required_selection_set();
            return OperationDefinition {
                position,
                comment: self.comment.clone(),
                operation: "query".to_string(),
                selection_set,
                ..Default::default()
            };
        }
        let mut od = OperationDefinition {
            position: self.peek_pos(),
            comment: self.comment.clone(),
            ..Default::default()
        };
        od.operation = self.operation_type();
        if self.peek_kind() == Kind::Name {
            od.name = self.next().value;
        }
        od.variable_definitions = self.variable_definitions();
        od.directives = self.directives(false);
        od.selection_set = self.required_selection_set();
        od
    }

    pub(super) fn operation_type(&mut self) -> String {
        let tok = self.next();
        match tok.value.as_str() {
            "query" | "mutation" | "subscription" => tok.value,
            _ => {
                self.unexpected_token(&tok);
                String::new()
            }
        }
    }

    pub(super) fn variable_definitions(&mut self) -> Vec<VariableDefinition> {
        self.some(Kind::ParenL, Kind::ParenR, |p| p.variable_definition())
            .0
    }

    pub(super) fn variable_definition(&mut self) -> VariableDefinition {
        let position = self.peek_pos();
        let comment = self.comment.clone();
        let variable = self.variable();
        self.expect(Kind::Colon);
        let ty = self.type_reference();
        let default_value = if self.skip(Kind::Equals) {
            self.value_literal(true)
        } else {
            None
        };
        let directives = self.directives(false);
        VariableDefinition {
            variable,
            ty,
            default_value,
            directives,
            position,
            comment,
        }
    }

    pub(super) fn variable(&mut self) -> String {
        self.expect(Kind::Dollar);
        self.name()
    }

    pub(super) fn optional_selection_set(&mut self) -> Vec<Selection> {
        if !self.enter() {
            self.leave();
            return Vec::new();
        }
        let out = self.some(Kind::BraceL, Kind::BraceR, |p| p.selection()).0;
        self.leave();
        out
    }

    pub(super) fn required_selection_set(&mut self) -> Vec<Selection> {
        let tok = self.peek();
        if tok.kind != Kind::BraceL {
            self.error(&tok, format!("Expected {{, found {}", tok.kind.text()));
            return Vec::new();
        }
        self.optional_selection_set()
    }

    pub(super) fn selection(&mut self) -> Selection {
        if self.peek_kind() == Kind::Spread {
            return self.fragment();
        }
        Selection::Field(self.field())
    }

    pub(super) fn field(&mut self) -> Field {
        let position = self.peek_pos();
        let comment = self.comment.clone();
        let alias = self.name();
        let name = if self.skip(Kind::Colon) {
            self.name()
        } else {
            alias.clone()
        };
        let arguments = self.arguments(false);
        let directives = self.directives(false);
        let selection_set = if self.peek_kind() == Kind::BraceL {
            self.optional_selection_set()
        } else {
            Vec::new()
        };
        Field {
            alias,
            name,
            arguments,
            directives,
            selection_set,
            position,
            comment,
        }
    }

    pub(super) fn arguments(&mut self, is_const: bool) -> Vec<Argument> {
        self.some(Kind::ParenL, Kind::ParenR, |p| p.argument(is_const))
            .0
    }

    pub(super) fn argument(&mut self, is_const: bool) -> Argument {
        let position = self.peek_pos();
        let comment = self.comment.clone();
        let name = self.name();
        self.expect(Kind::Colon);
        let value = self.value_literal(is_const);
        Argument {
            name,
            value,
            position,
            comment,
        }
    }

    pub(super) fn fragment(&mut self) -> Selection {
        let (_, comment) = self.expect(Kind::Spread);
        let peek = self.peek();
        if peek.kind == Kind::Name && peek.value != "on" {
            let position = self.peek_pos();
            let name = self.fragment_name();
            let directives = self.directives(false);
            return Selection::FragmentSpread(FragmentSpread {
                name,
                directives,
                position,
                comment,
            });
        }
        let position = self.peek_pos();
        let mut type_condition = String::new();
        if self.peek().value == "on" {
            self.next();
            type_condition = self.name();
        }
        let directives = self.directives(false);
        let selection_set = self.required_selection_set();
        Selection::InlineFragment(InlineFragment {
            type_condition,
            directives,
            selection_set,
            position,
            comment,
        })
    }

    pub(super) fn fragment_definition(&mut self) -> FragmentDefinition {
        let position = self.peek_pos();
        let comment = self.comment.clone();
        self.expect_keyword("fragment");
        let name = self.fragment_name();
        let variable_definition = self.variable_definitions();
        self.expect_keyword("on");
        let type_condition = self.name();
        let directives = self.directives(false);
        let selection_set = self.required_selection_set();
        FragmentDefinition {
            name,
            variable_definition,
            type_condition,
            directives,
            selection_set,
            position,
            comment,
        }
    }

    pub(super) fn fragment_name(&mut self) -> String {
        if self.peek().value == "on" {
            self.unexpected();
            return String::new();
        }
        self.name()
    }

    pub(super) fn value_literal(&mut self, is_const: bool) -> Option<Value> {
        if !self.enter() {
            self.leave();
            return None;
        }
        let v = self.value_literal_inner(is_const);
        self.leave();
        v
    }

    pub(super) fn value_literal_inner(&mut self, is_const: bool) -> Option<Value> {
        let token = self.peek();
        let kind = match token.kind {
            Kind::BracketL => {
                let position = self.peek_pos();
                let comment = self.comment.clone();
                let children = self.many(Kind::BracketL, Kind::BracketR, |p| ChildValue {
                    name: String::new(),
                    value: p.value_literal(is_const),
                    position: None,
                    comment: None,
                });
                return Some(Value {
                    children,
                    kind: ValueKind::List,
                    position,
                    comment,
                    raw: String::new(),
                });
            }
            Kind::BraceL => {
                let position = self.peek_pos();
                let comment = self.comment.clone();
                let children = self.many(Kind::BraceL, Kind::BraceR, |p| p.object_field(is_const));
                return Some(Value {
                    children,
                    kind: ValueKind::Object,
                    position,
                    comment,
                    raw: String::new(),
                });
            }
            Kind::Dollar => {
                if is_const {
                    self.unexpected();
                    return None;
                }
                // As above: the comment is read after the variable was parsed.
                let raw = self.variable();
                return Some(Value {
                    raw,
                    kind: ValueKind::Variable,
                    position: Some(token.pos),
                    comment: self.comment.clone(),
                    children: Vec::new(),
                });
            }
            Kind::Int => ValueKind::Int,
            Kind::Float => ValueKind::Float,
            Kind::String => ValueKind::String,
            Kind::BlockString => ValueKind::Block,
            Kind::Name => match token.value.as_str() {
                "true" | "false" => ValueKind::Boolean,
                "null" => ValueKind::Null,
                _ => ValueKind::Enum,
            },
            _ => {
                self.unexpected();
                return None;
            }
        };
        self.next();
        Some(Value {
            raw: token.value,
            kind,
            position: Some(token.pos),
            comment: self.comment.clone(),
            children: Vec::new(),
        })
    }

    pub(super) fn object_field(&mut self, is_const: bool) -> ChildValue {
        let position = self.peek_pos();
        let comment = self.comment.clone();
        let name = self.name();
        self.expect(Kind::Colon);
        let value = self.value_literal(is_const);
        ChildValue {
            name,
            value,
            position,
            comment,
        }
    }

    pub(super) fn directives(&mut self, is_const: bool) -> Vec<Directive> {
        let mut out = Vec::new();
        while self.peek_kind() == Kind::At {
            if self.err.is_some() {
                break;
            }
            self.expect(Kind::At);
            let position = self.peek_pos();
            let name = self.name();
            let arguments = self.arguments(is_const);
            out.push(Directive {
                name,
                arguments,
                position,
            });
        }
        out
    }

    pub(super) fn type_reference(&mut self) -> TypeRef {
        if !self.enter() {
            self.leave();
            return TypeRef::default();
        }
        let mut ty = TypeRef::default();
        if self.skip(Kind::BracketL) {
            ty.position = self.peek_pos();
            ty.elem = Some(Box::new(self.type_reference()));
            self.expect(Kind::BracketR);
        } else {
            ty.position = self.peek_pos();
            ty.named_type = self.name();
        }
        if self.skip(Kind::Bang) {
            ty.non_null = true;
        }
        self.leave();
        ty
    }

    pub(super) fn name(&mut self) -> String {
        self.expect(Kind::Name).0.value
    }

    // ---- schema documents ----
}

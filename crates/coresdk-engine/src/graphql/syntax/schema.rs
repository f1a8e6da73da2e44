//! Parsing schema documents: type, schema and directive definitions and extensions.

use super::*;

impl<'a> Parser<'a> {
    pub(super) fn schema_document(&mut self) -> SchemaDocument {
        let mut doc = SchemaDocument::default();
        while self.peek_kind() != Kind::Eof {
            if self.err.is_some() {
                return doc;
            }
            let mut description = Description::default();
            if matches!(self.peek_kind(), Kind::BlockString | Kind::String) {
                description = self.description();
            }
            if self.peek_kind() != Kind::Name {
                self.unexpected();
                break;
            }
            match self.peek().value.as_str() {
                "scalar" | "type" | "interface" | "union" | "enum" | "input" => {
                    let d = self.type_system_definition(description);
                    doc.definitions.push(d);
                }
                "schema" => {
                    let s = self.schema_definition(description);
                    doc.schema.push(s);
                }
                "directive" => {
                    let d = self.directive_definition(description);
                    doc.directives.push(d);
                }
                "extend" => {
                    if !description.text.is_empty() {
                        let prev = self.prev.clone();
                        self.unexpected_token(&prev);
                    }
                    self.type_system_extension(&mut doc);
                }
                _ => {
                    self.unexpected();
                    return doc;
                }
            }
        }
        doc.comment = self.comment.clone();
        doc
    }

    pub(super) fn description(&mut self) -> Description {
        let tok = self.peek();
        if !matches!(tok.kind, Kind::BlockString | Kind::String) {
            return Description::default();
        }
        let comment = self.comment.clone();
        let text = self.next().value;
        Description { text, comment }
    }

    pub(super) fn type_system_definition(&mut self, description: Description) -> Definition {
        let tok = self.peek();
        let (kind, keyword) = match tok.value.as_str() {
            "scalar" => ("SCALAR", "scalar"),
            "type" => ("OBJECT", "type"),
            "interface" => ("INTERFACE", "interface"),
            "union" => ("UNION", "union"),
            "enum" => ("ENUM", "enum"),
            _ => ("INPUT_OBJECT", "input"),
        };
        let (_, comment) = self.expect_keyword(keyword);
        let mut def = Definition {
            position: self.peek_pos(),
            kind: kind.to_string(),
            before_description_comment: description.comment,
            description: description.text,
            after_description_comment: comment,
            ..Default::default()
        };
        def.name = self.name();
        match kind {
            "SCALAR" => def.directives = self.directives(true),
            "OBJECT" | "INTERFACE" => {
                def.interfaces = self.implements_interfaces();
                def.directives = self.directives(true);
                let (fields, c) = self.some(Kind::BraceL, Kind::BraceR, |p| p.field_definition());
                def.fields = fields;
                def.end_of_definition_comment = c;
            }
            "UNION" => {
                def.directives = self.directives(true);
                (def.types, def.type_positions) = self.union_member_types();
            }
            "ENUM" => {
                def.directives = self.directives(true);
                let (values, c) =
                    self.some(Kind::BraceL, Kind::BraceR, |p| p.enum_value_definition());
                def.enum_values = values;
                def.end_of_definition_comment = c;
            }
            _ => {
                def.directives = self.directives(true);
                let (fields, c) =
                    self.some(Kind::BraceL, Kind::BraceR, |p| p.input_value_definition());
                def.fields = fields;
                def.end_of_definition_comment = c;
            }
        }
        def
    }

    pub(super) fn schema_definition(&mut self, description: Description) -> SchemaDefinition {
        let (_, comment) = self.expect_keyword("schema");
        let mut def = SchemaDefinition {
            position: self.peek_pos(),
            before_description_comment: description.comment,
            description: description.text,
            after_description_comment: comment,
            ..Default::default()
        };
        def.directives = self.directives(true);
        let (ops, c) = self.some(Kind::BraceL, Kind::BraceR, |p| {
            p.operation_type_definition()
        });
        def.operation_types = ops;
        def.end_of_definition_comment = c;
        def
    }

    pub(super) fn operation_type_definition(&mut self) -> OperationTypeDefinition {
        let position = self.peek_pos();
        let comment = self.comment.clone();
        let operation = self.operation_type();
        self.expect(Kind::Colon);
        let ty = self.name();
        OperationTypeDefinition {
            operation,
            ty,
            position,
            comment,
        }
    }

    pub(super) fn implements_interfaces(&mut self) -> Vec<String> {
        let mut types = Vec::new();
        if self.peek().value == "implements" {
            self.next();
            self.skip(Kind::Amp);
            types.push(self.name());
            while self.skip(Kind::Amp) && self.err.is_none() {
                types.push(self.name());
            }
        }
        types
    }

    pub(super) fn field_definition(&mut self) -> FieldDefinition {
        let mut def = FieldDefinition::default();
        let desc = self.description();
        if !desc.text.is_empty() {
            def.before_description_comment = desc.comment;
            def.description = desc.text;
        }
        self.peek();
        def.after_description_comment = self.comment.clone();
        def.position = self.peek_pos();
        def.name = self.name();
        def.arguments = self.argument_definitions();
        self.expect(Kind::Colon);
        def.ty = self.type_reference();
        def.directives = self.directives(true);
        def
    }

    pub(super) fn argument_definitions(&mut self) -> Vec<FieldDefinition> {
        self.some(Kind::ParenL, Kind::ParenR, |p| p.input_value_definition())
            .0
    }

    /// An argument definition or an input field definition (the same shape).
    pub(super) fn input_value_definition(&mut self) -> FieldDefinition {
        let mut def = FieldDefinition::default();
        let desc = self.description();
        if !desc.text.is_empty() {
            def.before_description_comment = desc.comment;
            def.description = desc.text;
        }
        self.peek();
        def.after_description_comment = self.comment.clone();
        def.position = self.peek_pos();
        def.name = self.name();
        self.expect(Kind::Colon);
        def.ty = self.type_reference();
        if self.skip(Kind::Equals) {
            def.default_value = self.value_literal(true);
        }
        def.directives = self.directives(true);
        def
    }

    pub(super) fn union_member_types(&mut self) -> (Vec<String>, Vec<Option<Pos>>) {
        let mut types = Vec::new();
        let mut positions = Vec::new();
        if self.skip(Kind::Equals) {
            self.skip(Kind::Pipe);
            positions.push(self.peek_pos());
            types.push(self.name());
            while self.skip(Kind::Pipe) && self.err.is_none() {
                positions.push(self.peek_pos());
                types.push(self.name());
            }
        }
        (types, positions)
    }

    pub(super) fn enum_value_definition(&mut self) -> EnumValueDefinition {
        let mut def = EnumValueDefinition::default();
        let desc = self.description();
        if !desc.text.is_empty() {
            def.before_description_comment = desc.comment;
            def.description = desc.text;
        }
        self.peek();
        def.after_description_comment = self.comment.clone();
        def.position = self.peek_pos();
        def.name = self.name();
        def.directives = self.directives(true);
        def
    }

    pub(super) fn type_system_extension(&mut self, doc: &mut SchemaDocument) {
        let (_, comment) = self.expect_keyword("extend");
        let which = self.peek().value;
        if which == "schema" {
            self.expect_keyword("schema");
            let mut def = SchemaDefinition {
                position: self.peek_pos(),
                after_description_comment: comment,
                ..Default::default()
            };
            def.directives = self.directives(true);
            let (ops, c) = self.some(Kind::BraceL, Kind::BraceR, |p| {
                p.operation_type_definition()
            });
            def.operation_types = ops;
            def.end_of_definition_comment = c;
            if def.directives.is_empty() && def.operation_types.is_empty() {
                self.unexpected();
            }
            doc.schema_extension.push(def);
            return;
        }
        let kind = match which.as_str() {
            "scalar" => "SCALAR",
            "type" => "OBJECT",
            "interface" => "INTERFACE",
            "union" => "UNION",
            "enum" => "ENUM",
            "input" => "INPUT_OBJECT",
            _ => {
                self.unexpected();
                return;
            }
        };
        self.expect_keyword(&which);
        let mut def = Definition {
            position: self.peek_pos(),
            after_description_comment: comment,
            kind: kind.to_string(),
            ..Default::default()
        };
        def.name = self.name();
        let empty = match kind {
            "SCALAR" => {
                def.directives = self.directives(true);
                def.directives.is_empty()
            }
            "OBJECT" => {
                def.interfaces = self.implements_interfaces();
                def.directives = self.directives(true);
                let (fields, c) = self.some(Kind::BraceL, Kind::BraceR, |p| p.field_definition());
                def.fields = fields;
                def.end_of_definition_comment = c;
                def.interfaces.is_empty() && def.directives.is_empty() && def.fields.is_empty()
            }
            "INTERFACE" => {
                def.directives = self.directives(true);
                let (fields, c) = self.some(Kind::BraceL, Kind::BraceR, |p| p.field_definition());
                def.fields = fields;
                def.end_of_definition_comment = c;
                def.directives.is_empty() && def.fields.is_empty()
            }
            "UNION" => {
                def.directives = self.directives(true);
                (def.types, def.type_positions) = self.union_member_types();
                def.directives.is_empty() && def.types.is_empty()
            }
            "ENUM" => {
                def.directives = self.directives(true);
                let (values, c) =
                    self.some(Kind::BraceL, Kind::BraceR, |p| p.enum_value_definition());
                def.enum_values = values;
                def.end_of_definition_comment = c;
                def.directives.is_empty() && def.enum_values.is_empty()
            }
            _ => {
                def.directives = self.directives(false);
                let (fields, c) =
                    self.some(Kind::BraceL, Kind::BraceR, |p| p.input_value_definition());
                def.fields = fields;
                def.end_of_definition_comment = c;
                def.directives.is_empty() && def.fields.is_empty()
            }
        };
        if empty {
            self.unexpected();
        }
        doc.extensions.push(def);
    }

    pub(super) fn directive_definition(&mut self, description: Description) -> DirectiveDefinition {
        let (_, comment) = self.expect_keyword("directive");
        self.expect(Kind::At);
        let mut def = DirectiveDefinition {
            position: self.peek_pos(),
            before_description_comment: description.comment,
            description: description.text,
            after_description_comment: comment,
            ..Default::default()
        };
        def.name = self.name();
        def.arguments = self.argument_definitions();
        let peek = self.peek();
        if peek.kind == Kind::Name && peek.value == "repeatable" {
            def.is_repeatable = true;
            self.skip(Kind::Name);
        }
        self.expect_keyword("on");
        self.skip(Kind::Pipe);
        def.locations.push(self.directive_location());
        while self.skip(Kind::Pipe) && self.err.is_none() {
            def.locations.push(self.directive_location());
        }
        def
    }

    pub(super) fn directive_location(&mut self) -> String {
        let (name, _) = self.expect(Kind::Name);
        if DIRECTIVE_LOCATIONS.contains(&name.value.as_str()) {
            return name.value;
        }
        self.unexpected_token(&name);
        String::new()
    }
}

//! The node kinds and fields of tree-sitter's PHP grammar that the analysis
//! reads, by number: a node's kind and a field are looked up in tables built once
//! from the grammar, not compared as strings at every node (the walk's hot path).
//! The grammar for code without tags (what `eval` runs) numbers them otherwise: a
//! node's grammar is told by its number of kinds (a test checks they differ).

use std::sync::LazyLock;
use tree_sitter::{Language, Node};

macro_rules! table {
    ($ty:ident, $names:ident, $($variant:ident = $name:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum $ty {
            $($variant,)*
        }
        const $names: &[($ty, &str)] = &[$(($ty::$variant, $name),)*];
    };
}

table! {
    K,
    KIND_NAMES,
    Program = "program",
    CompoundStatement = "compound_statement",
    ColonBlock = "colon_block",
    DeclarationList = "declaration_list",
    NamespaceDefinition = "namespace_definition",
    DeclareStatement = "declare_statement",
    ElseClause = "else_clause",
    ExpressionStatement = "expression_statement",
    EchoStatement = "echo_statement",
    IfStatement = "if_statement",
    ElseIfClause = "else_if_clause",
    SwitchStatement = "switch_statement",
    WhileStatement = "while_statement",
    DoStatement = "do_statement",
    ForStatement = "for_statement",
    ForeachStatement = "foreach_statement",
    TryStatement = "try_statement",
    ReturnStatement = "return_statement",
    BreakStatement = "break_statement",
    ContinueStatement = "continue_statement",
    GlobalDeclaration = "global_declaration",
    FunctionStaticDeclaration = "function_static_declaration",
    UnsetStatement = "unset_statement",
    ConstDeclaration = "const_declaration",
    ConstElement = "const_element",
    PhpTag = "php_tag",
    Text = "text",
    TextInterpolation = "text_interpolation",
    Comment = "comment",
    EmptyStatement = "empty_statement",
    NamedLabelStatement = "named_label_statement",
    GotoStatement = "goto_statement",
    NamespaceUseDeclaration = "namespace_use_declaration",
    FunctionDefinition = "function_definition",
    ClassDeclaration = "class_declaration",
    InterfaceDeclaration = "interface_declaration",
    TraitDeclaration = "trait_declaration",
    EnumDeclaration = "enum_declaration",
    PhpEndTag = "php_end_tag",
    MethodDeclaration = "method_declaration",
    DefaultStatement = "default_statement",
    CatchClause = "catch_clause",
    FinallyClause = "finally_clause",
    Pair = "pair",
    String = "string",
    EncapsedString = "encapsed_string",
    Heredoc = "heredoc",
    Nowdoc = "nowdoc",
    Integer = "integer",
    Boolean = "boolean",
    Null = "null",
    Float = "float",
    Name = "name",
    QualifiedName = "qualified_name",
    VariableName = "variable_name",
    DynamicVariableName = "dynamic_variable_name",
    SubscriptExpression = "subscript_expression",
    MemberAccessExpression = "member_access_expression",
    NullsafeMemberAccessExpression = "nullsafe_member_access_expression",
    ScopedPropertyAccessExpression = "scoped_property_access_expression",
    ClassConstantAccessExpression = "class_constant_access_expression",
    BinaryExpression = "binary_expression",
    UnaryOpExpression = "unary_op_expression",
    CastExpression = "cast_expression",
    ParenthesizedExpression = "parenthesized_expression",
    ErrorSuppressionExpression = "error_suppression_expression",
    Argument = "argument",
    CloneExpression = "clone_expression",
    ByRef = "by_ref",
    ConditionalExpression = "conditional_expression",
    AssignmentExpression = "assignment_expression",
    ReferenceAssignmentExpression = "reference_assignment_expression",
    AugmentedAssignmentExpression = "augmented_assignment_expression",
    UpdateExpression = "update_expression",
    FunctionCallExpression = "function_call_expression",
    MemberCallExpression = "member_call_expression",
    NullsafeMemberCallExpression = "nullsafe_member_call_expression",
    ScopedCallExpression = "scoped_call_expression",
    ObjectCreationExpression = "object_creation_expression",
    AnonymousFunction = "anonymous_function",
    ArrowFunction = "arrow_function",
    IncludeExpression = "include_expression",
    IncludeOnceExpression = "include_once_expression",
    RequireExpression = "require_expression",
    RequireOnceExpression = "require_once_expression",
    ShellCommandExpression = "shell_command_expression",
    PrintIntrinsic = "print_intrinsic",
    ArrayCreationExpression = "array_creation_expression",
    MatchExpression = "match_expression",
    StringContent = "string_content",
    EscapeSequence = "escape_sequence",
    HeredocStart = "heredoc_start",
    HeredocEnd = "heredoc_end",
    NowdocString = "nowdoc_string",
    ListLiteral = "list_literal",
    ArrayElementInitializer = "array_element_initializer",
    VariadicUnpacking = "variadic_unpacking",
    AnonymousFunctionUseClause = "anonymous_function_use_clause",
    VariadicParameter = "variadic_parameter",
    SimpleParameter = "simple_parameter",
    StaticVariableDeclaration = "static_variable_declaration",
    VariadicPlaceholder = "variadic_placeholder",
    Arguments = "arguments",
    AnonymousClass = "anonymous_class",
    ExitStatement = "exit_statement",
}

table! {
    F,
    FIELD_NAMES,
    Alternative = "alternative",
    Argument = "argument",
    Arguments = "arguments",
    Body = "body",
    Condition = "condition",
    ConditionalExpressions = "conditional_expressions",
    DefaultValue = "default_value",
    Function = "function",
    Initialize = "initialize",
    Left = "left",
    Name = "name",
    Object = "object",
    Operator = "operator",
    Parameters = "parameters",
    ReferenceModifier = "reference_modifier",
    ReturnExpression = "return_expression",
    Right = "right",
    Scope = "scope",
    Type = "type",
    Update = "update",
    Value = "value",
}

struct Tables {
    /// The grammar's number of node kinds (which grammar a node is of).
    count: usize,
    kinds: Vec<Option<K>>,
    fields: Vec<u16>,
}

fn tables(language: &Language) -> Tables {
    let mut kinds =
        vec![None; usize::from(u16::try_from(language.node_kind_count()).unwrap_or(u16::MAX))];
    for (k, name) in KIND_NAMES {
        // 0: the grammar has no such kind (code without tags has no HTML).
        let id = usize::from(language.id_for_node_kind(name, true));
        if id == 0 {
            continue;
        }
        if let Some(slot) = kinds.get_mut(id) {
            *slot = Some(*k);
        }
    }
    let fields = FIELD_NAMES
        .iter()
        .map(|(_, name)| language.field_id_for_name(name).map_or(0, |id| id.get()))
        .collect();
    Tables {
        count: language.node_kind_count(),
        kinds,
        fields,
    }
}

static FILE: LazyLock<Tables> = LazyLock::new(|| tables(&tree_sitter_php::LANGUAGE_PHP.into()));
static CODE: LazyLock<Tables> =
    LazyLock::new(|| tables(&tree_sitter_php::LANGUAGE_PHP_ONLY.into()));

/// The tables of the grammar a node was parsed with.
fn of(node: Node) -> &'static Tables {
    if node.language().node_kind_count() == FILE.count {
        &FILE
    } else {
        &CODE
    }
}

/// The kind of a node, if the analysis names it.
pub(crate) fn kind(node: Node) -> Option<K> {
    of(node)
        .kinds
        .get(usize::from(node.kind_id()))
        .copied()
        .flatten()
}

/// A node's child in a field.
pub(crate) fn field<'t>(node: Node<'t>, f: F) -> Option<Node<'t>> {
    let id = of(node).fields.get(f as usize).copied().unwrap_or(0);
    if id == 0 {
        return None;
    }
    node.child_by_field_id(id)
}

/// A node's children in a field (`alternative` repeats).
pub(crate) fn fields<'t>(node: Node<'t>, f: F) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    let id = of(node).fields.get(f as usize).copied().unwrap_or(0);
    match std::num::NonZeroU16::new(id) {
        Some(id) => node.children_by_field_id(id, &mut cursor).collect(),
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind and field the analysis reads is in both grammars, and the
    /// grammars are told apart by their number of kinds.
    #[test]
    fn both_grammars_have_every_name() {
        let php: Language = tree_sitter_php::LANGUAGE_PHP.into();
        let only: Language = tree_sitter_php::LANGUAGE_PHP_ONLY.into();
        assert_ne!(php.node_kind_count(), only.node_kind_count());
        for (language, html) in [(&php, true), (&only, false)] {
            for (_, name) in KIND_NAMES {
                let html_only = matches!(*name, "text" | "text_interpolation");
                if html || !html_only {
                    assert_ne!(language.id_for_node_kind(name, true), 0, "{name}");
                }
            }
            for (_, name) in FIELD_NAMES {
                assert!(language.field_id_for_name(name).is_some(), "{name}");
            }
        }
    }

    #[test]
    fn kinds_of_both_grammars() {
        let mut p = tree_sitter::Parser::new();
        p.set_language(&tree_sitter_php::LANGUAGE_PHP_ONLY.into())
            .unwrap();
        let t = p.parse("$a = 1;", None).unwrap();
        assert_eq!(kind(t.root_node()), Some(K::Program));
        p.set_language(&tree_sitter_php::LANGUAGE_PHP.into())
            .unwrap();
        let t = p.parse("<?php $a = 1;", None).unwrap();
        assert_eq!(kind(t.root_node()), Some(K::Program));
        let stmt = t.root_node().named_child(1).unwrap();
        assert_eq!(kind(stmt), Some(K::ExpressionStatement));
        let assign = stmt.named_child(0).unwrap();
        assert!(field(assign, F::Left).is_some_and(|l| kind(l) == Some(K::VariableName)));
    }
}

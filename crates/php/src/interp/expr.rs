//! Expressions: literals (with PHP's escapes), variables and variable variables,
//! offsets into strings, arrays, `$_SERVER` and `$GLOBALS`, operators folded on
//! known strings and numbers (`.`, `^`, `|`, `&`, `~`), assignments to every kind
//! of target, closures, and the constructs that are sinks (`include`, backticks).
//! What cannot be known is unknown and carries the data of its operands.

use super::Interp;
use crate::catalog;
use crate::facts::{Step, short};
use crate::fold;
use crate::syntax::{F, K, field, kind};
use crate::value::{Closure, Flags, How, Key, Shape, Val, join, push_step};
use std::rc::Rc;
use tree_sitter::Node;

/// Bytes of a known end kept for a value put together.
const TAIL: usize = 32;
/// Longest string put together at analysis time; longer ones are unknown.
pub(super) const STR_MAX: usize = 1 << 20;
/// Most elements an array literal keeps.
pub(super) const ARRAY_MAX: usize = 4096;

impl<'a> Interp<'a, '_> {
    pub(super) fn expr(&mut self, node: Node<'a>) -> Val<'a> {
        if !self.tick() || !self.enter() {
            return Val::unknown();
        }
        let v = stacker::maybe_grow(super::STACK_RED_ZONE, super::STACK_SEGMENT, || {
            self.expr_here(node)
        });
        self.nesting -= 1;
        v
    }

    fn expr_here(&mut self, node: Node<'a>) -> Val<'a> {
        match kind(node) {
            Some(K::String) | Some(K::EncapsedString) | Some(K::Heredoc) => self.literal(node),
            Some(K::Nowdoc) => {
                let body = field(node, F::Value)
                    .map(|b| self.text(b).to_vec())
                    .unwrap_or_default();
                Val::str(body, How::PLAIN)
            }
            Some(K::Integer) => parse_int(self.text(node)).map_or_else(Val::unknown, Val::int),
            Some(K::Boolean) => Val::of(Shape::Bool(self.text(node).eq_ignore_ascii_case(b"true"))),
            Some(K::Null) => Val::of(Shape::Null),
            Some(K::Float) => Val::unknown(),
            Some(K::Name) => self.bareword(node),
            Some(K::VariableName) => {
                let name = self.var_name(node).unwrap_or_default();
                self.read_var(&name, node)
            }
            Some(K::DynamicVariableName) => self.dynamic_var(node),
            Some(K::SubscriptExpression) => self.subscript(node),
            Some(K::MemberAccessExpression) | Some(K::NullsafeMemberAccessExpression) => {
                if let Some(o) = field(node, F::Object) {
                    self.expr(o);
                }
                let name = field(node, F::Name);
                self.property(name)
            }
            Some(K::ScopedPropertyAccessExpression) => self.property(field(node, F::Name)),
            Some(K::ClassConstantAccessExpression) => Val::unknown(),
            Some(K::BinaryExpression) => self.binary(node),
            Some(K::UnaryOpExpression) => self.unary(node),
            Some(K::CastExpression) => {
                let v = match field(node, F::Value) {
                    Some(v) => self.expr(v),
                    None => Val::unknown(),
                };
                let ty = field(node, F::Type)
                    .map(|t| self.text(t).to_ascii_lowercase())
                    .unwrap_or_default();
                match &ty[..] {
                    b"string" | b"binary" | b"array" | b"object" => v,
                    b"int" | b"integer" => v.as_int().map_or_else(Val::unknown, Val::int),
                    _ => Val::unknown(),
                }
            }
            Some(K::ParenthesizedExpression)
            | Some(K::ErrorSuppressionExpression)
            | Some(K::Argument)
            | Some(K::CloneExpression)
            | Some(K::ByRef) => match node.named_child(0) {
                Some(inner) => self.expr(inner),
                None => Val::unknown(),
            },
            Some(K::ConditionalExpression) => {
                let cond = field(node, F::Condition)
                    .map(|c| self.expr(c))
                    .unwrap_or_default();
                let truth = cond.truthy();
                let body = match field(node, F::Body) {
                    Some(b) => self.expr(b),
                    None => cond,
                };
                let alt = field(node, F::Alternative)
                    .map(|a| self.expr(a))
                    .unwrap_or_default();
                match truth {
                    Some(true) => body,
                    Some(false) => alt,
                    None => join(&body, &alt),
                }
            }
            Some(K::AssignmentExpression) | Some(K::ReferenceAssignmentExpression) => {
                let v = field(node, F::Right)
                    .map(|r| self.expr(r))
                    .unwrap_or_default();
                if let Some(l) = field(node, F::Left) {
                    self.assign(l, v.clone());
                }
                v
            }
            Some(K::AugmentedAssignmentExpression) => self.augmented(node),
            Some(K::UpdateExpression) => {
                let Some(target) = field(node, F::Argument) else {
                    return Val::unknown();
                };
                let old = self.expr(target);
                let plus = field(node, F::Operator).is_some_and(|o| self.text(o) == b"++");
                let new = match (&old.shape, plus) {
                    // PHP increments a non-numeric string like a counter: "a" → "b",
                    // "Az" → "Ba", "zz" → "aaa" (non-alphanumeric webshells count so).
                    (Shape::Str(s, how), true) if numeric(s).is_none() => increment(s)
                        .map_or_else(Val::unknown, |s| Val::str(s, *how | How::ASSEMBLED)),
                    _ => old.as_int().map_or_else(Val::unknown, |i| {
                        Val::int(if plus {
                            i.wrapping_add(1)
                        } else {
                            i.wrapping_sub(1)
                        })
                    }),
                };
                self.assign(target, new.clone());
                new
            }
            Some(K::FunctionCallExpression) => self.call(node),
            Some(K::MemberCallExpression) | Some(K::NullsafeMemberCallExpression) => {
                self.method_call(node)
            }
            Some(K::ScopedCallExpression) => self.static_call(node),
            Some(K::ObjectCreationExpression) => self.new_object(node),
            Some(K::AnonymousFunction) | Some(K::ArrowFunction) => self.closure(node),
            Some(K::IncludeExpression)
            | Some(K::IncludeOnceExpression)
            | Some(K::RequireExpression)
            | Some(K::RequireOnceExpression) => {
                let path = node
                    .named_child(0)
                    .map(|p| self.expr(p))
                    .unwrap_or_default();
                self.include_sink(&path, node);
                Val::unknown()
            }
            Some(K::ShellCommandExpression) => {
                let cmd = self.interpolate(node);
                self.command_sink("backticks", &cmd, node);
                Val::unknown()
            }
            Some(K::PrintIntrinsic) => {
                if let Some(a) = node.named_child(0) {
                    let v = self.expr(a);
                    self.echo(&v);
                }
                Val::int(1)
            }
            Some(K::ArrayCreationExpression) => self.array(node),
            Some(K::MatchExpression) => {
                if let Some(c) = field(node, F::Condition) {
                    self.expr(c);
                }
                let mut result: Option<Val<'a>> = None;
                if let Some(body) = field(node, F::Body) {
                    let mut c = body.walk();
                    for arm in body.named_children(&mut c) {
                        if let Some(conds) = field(arm, F::ConditionalExpressions) {
                            self.any(conds);
                        }
                        if let Some(r) = field(arm, F::ReturnExpression) {
                            let v = self.expr(r);
                            result = Some(match result {
                                Some(old) => join(&old, &v),
                                None => v,
                            });
                        }
                    }
                }
                result.unwrap_or_default()
            }
            // Whatever else: its parts are walked (sinks may hide inside), and the
            // value carries their data.
            _ => self.any(node),
        }
    }

    /// Walks every named child (statements too: error recovery) and returns an
    /// unknown value carrying their data.
    pub(super) fn any(&mut self, node: Node<'a>) -> Val<'a> {
        let mut out = Val::unknown();
        let mut c = node.walk();
        for child in node.named_children(&mut c) {
            if child.is_error() || child.kind().ends_with("_statement") {
                self.stmt(child);
                continue;
            }
            let v = self.expr(child);
            if !v.flags_deep().is_empty() {
                out = join(&out, &Val::tainted_by(&v));
            }
        }
        out
    }

    /// A quoted string or heredoc: known when every interpolated part is known.
    fn literal(&mut self, node: Node<'a>) -> Val<'a> {
        let parts = match kind(node) {
            Some(K::Heredoc) => field(node, F::Value),
            _ => Some(node),
        };
        match parts {
            Some(p) => self.interpolate(p),
            None => Val::str(Vec::new(), How::PLAIN),
        }
    }

    /// The parts of a string, heredoc body or backtick command, joined.
    pub(super) fn interpolate(&mut self, node: Node<'a>) -> Val<'a> {
        let mut bytes = Vec::new();
        let mut how = How::PLAIN;
        let mut unknown: Option<Val<'a>> = None;
        let mut parts = 0;
        // The known text after the last unknown part.
        let mut after_unknown: Vec<u8> = Vec::new();
        let mut c = node.walk();
        for part in node.named_children(&mut c) {
            match kind(part) {
                Some(K::StringContent) | Some(K::NowdocString) => {
                    bytes.extend_from_slice(self.text(part));
                    after_unknown.extend_from_slice(self.text(part));
                }
                Some(K::EscapeSequence) => {
                    let (b, escaped) = unescape(self.text(part));
                    after_unknown.extend_from_slice(&b);
                    bytes.extend(b);
                    if escaped {
                        how = how | How::ESCAPED;
                    }
                }
                Some(K::HeredocStart) | Some(K::HeredocEnd) => {}
                _ => {
                    let v = self.expr(part);
                    match v.as_text() {
                        Some((s, h)) => {
                            bytes.extend_from_slice(&s);
                            after_unknown.extend_from_slice(&s);
                            how = how | h | How::ASSEMBLED;
                        }
                        None => {
                            parts += 1;
                            after_unknown.clear();
                            unknown = Some(match unknown {
                                Some(old) => join(&old, &Val::tainted_by(&v)),
                                None => Val::tainted_by(&v),
                            });
                        }
                    }
                }
            }
        }
        match unknown {
            Some(mut u) => {
                if !u.flags.is_empty() && (!bytes.is_empty() || parts > 1) {
                    u.flags |= Flags::MIXED;
                }
                if !after_unknown.is_empty() {
                    let from = after_unknown.len().saturating_sub(TAIL);
                    u.tail = Some(Rc::new(after_unknown[from..].to_vec()));
                }
                u
            }
            None => Val::str(bytes, how),
        }
    }

    /// A bare name: a constant defined in the code, PHP's own constants (unknown),
    /// or (PHP 5–7) an undefined constant, which is its own name as a string:
    /// obfuscators write `t64o__t2Cqp` for `'t64o__t2Cqp'`.
    fn bareword(&mut self, node: Node<'a>) -> Val<'a> {
        let name = self.text(node);
        if let Some(v) = self.consts.get(name) {
            return v.clone();
        }
        // The file's own path: a name can be cut from it (`substr(__FILE__, -10, -4)`
        // in a file named `assert.php`).
        if let Some(path) = &self.file_path {
            match name {
                b"__FILE__" => return Val::str(path.clone(), How::ASSEMBLED),
                b"__DIR__" => {
                    let dir = path.rsplitn(2, |&b| b == b'/').nth(1).unwrap_or_default();
                    return Val::str(dir.to_vec(), How::ASSEMBLED);
                }
                _ => {}
            }
        }
        if name.iter().any(u8::is_ascii_lowercase) {
            return Val::str(name.to_vec(), How::ASSEMBLED);
        }
        Val::unknown()
    }

    fn dynamic_var(&mut self, node: Node<'a>) -> Val<'a> {
        let Some(inner) = node.named_child(0) else {
            return Val::unknown();
        };
        let name = self.expr(inner);
        let mut out: Option<Val<'a>> = None;
        for alt in name.alternatives() {
            let v = match alt.as_str() {
                Some((n, _)) => {
                    let n = n.into_owned();
                    self.read_var(&n, node)
                }
                None => self.read_var(b"\0unknown", node),
            };
            out = Some(match out {
                Some(o) => join(&o, &v),
                None => v,
            });
        }
        out.unwrap_or_default()
    }

    fn subscript(&mut self, node: Node<'a>) -> Val<'a> {
        let Some(base_node) = node.named_child(0) else {
            return Val::unknown();
        };
        let base = self.expr(base_node);
        let key = node.named_child(1).map(|k| self.expr(k));
        self.index(&base, key.as_ref(), node)
    }

    /// `base[key]` (`key` `None`: not known).
    pub(super) fn index(
        &mut self,
        base: &Val<'a>,
        key: Option<&Val<'a>>,
        node: Node<'a>,
    ) -> Val<'a> {
        let key_str = key.and_then(|k| k.as_str()).map(|(s, _)| s.into_owned());
        match &base.shape {
            Shape::Server => match &key_str {
                Some(k) if !catalog::request_server_key(k) => Val::unknown(),
                _ => {
                    let mut v = Val::unknown().with_flags(Flags::REQUEST);
                    if let Some(k) = &key_str {
                        v.add_field(k);
                    }
                    self.source_step(v, base, node)
                }
            },
            Shape::Globals => match &key_str {
                Some(k) if catalog::request_variable(k) || k == b"_SERVER" => {
                    self.read_var(k, node)
                }
                Some(k) => self.read_global(k),
                None => Val::unknown(),
            },
            Shape::Array(items) => {
                let found = key.and_then(|k| array_key(k)).map(|k| {
                    // A list's element `i` is at position `i`.
                    let direct = match k {
                        Key::Int(i) => usize::try_from(i)
                            .ok()
                            .and_then(|i| items.get(i))
                            .filter(|(ik, _)| *ik == k),
                        Key::Str(_) => None,
                    };
                    direct
                        .or_else(|| items.iter().rev().find(|(ik, _)| *ik == k))
                        .map(|(_, v)| v.clone())
                });
                match found {
                    Some(Some(v)) => v,
                    Some(None) => Val::unknown(),
                    None => items
                        .iter()
                        .fold(Val::unknown(), |acc, (_, v)| join(&acc, v)),
                }
            }
            Shape::Str(s, how) => match key.and_then(Val::as_int) {
                Some(i) => {
                    let at = if i < 0 { s.len() as i64 + i } else { i };
                    match usize::try_from(at).ok().and_then(|at| s.get(at)) {
                        Some(b) => Val::str(vec![*b], *how | How::ASSEMBLED),
                        None => Val::str(Vec::new(), *how),
                    }
                }
                None => Val::unknown(),
            },
            Shape::Choice(alts) => {
                let alts = alts.clone();
                let mut out: Option<Val<'a>> = None;
                for a in alts.iter() {
                    let v = self.index(a, key, node);
                    out = Some(match out {
                        Some(o) => join(&o, &v),
                        None => v,
                    });
                }
                out.unwrap_or_default()
            }
            // An element of an array never set: null, or the request's under
            // register_globals when the code reads it before setting it.
            Shape::Null => Val::unknown().with_flags(base.flags.only(Flags::UNSET)),
            _ => {
                let mut v = Val::tainted_by(base);
                if base.flags_deep().has(Flags::REQUEST) {
                    if let Some(k) = &key_str {
                        v.add_field(k);
                        if catalog::secret_field(k) {
                            v.flags |= Flags::SECRET;
                        }
                        if k == b"tmp_name" {
                            v.flags |= Flags::UPLOAD;
                        }
                    }
                    return self.source_step(v, base, node);
                }
                v
            }
        }
    }

    /// A request value read through `node` (`$_POST['cmd']`): its step is the
    /// whole expression, replacing the bare variable's step on the same line.
    fn source_step(&self, mut v: Val<'a>, base: &Val<'a>, node: Node<'a>) -> Val<'a> {
        let line = self.place(node).1;
        let text = short(self.text(node));
        let prev = match &base.trail {
            Some(t) if t.step.line == line && text.starts_with(&t.step.text) => t.prev.clone(),
            other => other.clone(),
        };
        v.trail = push_step(&prev, Step { line, text });
        v
    }

    fn property(&mut self, name: Option<Node<'a>>) -> Val<'a> {
        if let Some(v) = &self.props_from {
            return v.clone();
        }
        let Some(name) = name else {
            return Val::unknown();
        };
        let key = match kind(name) {
            Some(K::Name) => self.text(name).to_vec(),
            Some(K::VariableName) if self.src_is_static_prop(name) => {
                self.var_name(name).unwrap_or_default()
            }
            _ => match self.expr(name).as_str() {
                Some((s, _)) => s.into_owned(),
                None => return Val::unknown(),
            },
        };
        self.props.get(&key).cloned().unwrap_or_default()
    }

    /// `Foo::$bar` names the property `bar` (not the variable `$bar`).
    fn src_is_static_prop(&self, name: Node<'a>) -> bool {
        name.parent()
            .is_some_and(|p| kind(p) == Some(K::ScopedPropertyAccessExpression))
    }

    fn binary(&mut self, node: Node<'a>) -> Val<'a> {
        let op = field(node, F::Operator)
            .map(|o| self.text(o).to_ascii_lowercase())
            .unwrap_or_default();
        if op == b"." {
            return self.concat_chain(node);
        }
        let l = field(node, F::Left)
            .map(|n| self.expr(n))
            .unwrap_or_default();
        let r = field(node, F::Right)
            .map(|n| self.expr(n))
            .unwrap_or_default();
        match &op[..] {
            b"." => concat(&l, &r),
            b"^" | b"|" | b"&" => bitwise(op[0], &l, &r),
            b"+" | b"-" | b"*" | b"%" | b"<<" | b">>" => match (l.as_int(), r.as_int()) {
                (Some(a), Some(b)) => arithmetic(op[0], a, b).map_or_else(Val::unknown, Val::int),
                _ => Val::unknown(),
            },
            b"??" => match l.shape {
                Shape::Null => r,
                _ if l.is_scalar() => l,
                _ => join(&l, &r),
            },
            b"==" | b"===" | b"!=" | b"!==" | b"<>" => {
                self.password_gate(&l, &r, node);
                let eq = if op.len() == 3 {
                    strict_eq(&l, &r)
                } else {
                    loose_eq(&l, &r)
                };
                let negate = op.starts_with(b"!") || op == b"<>";
                known_bool(eq.map(|e| e != negate))
            }
            b"<" | b">" | b"<=" | b">=" => known_bool(order(&l, &r).map(|o| match &op[..] {
                b"<" => o.is_lt(),
                b">" => o.is_gt(),
                b"<=" => o.is_le(),
                _ => o.is_ge(),
            })),
            b"&&" | b"and" => known_bool(match (l.truthy(), r.truthy()) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            }),
            b"||" | b"or" => known_bool(match (l.truthy(), r.truthy()) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            }),
            b"xor" => known_bool(l.truthy().zip(r.truthy()).map(|(a, b)| a != b)),
            _ => Val::unknown(),
        }
    }

    /// `a . b . c …`: the grammar nests it to the left, as deep as it is long;
    /// walked as a list, appending in place.
    fn concat_chain(&mut self, node: Node<'a>) -> Val<'a> {
        let mut rights = Vec::new();
        let mut left = node;
        while kind(left) == Some(K::BinaryExpression)
            && field(left, F::Operator).is_some_and(|o| self.text(o) == b".")
        {
            let (Some(l), Some(r)) = (field(left, F::Left), field(left, F::Right)) else {
                break;
            };
            rights.push(r);
            left = l;
        }
        let mut acc = self.expr(left);
        for r in rights.into_iter().rev() {
            let v = self.expr(r);
            acc = append(acc, &v);
        }
        acc
    }

    fn unary(&mut self, node: Node<'a>) -> Val<'a> {
        let v = field(node, F::Argument)
            .map(|a| self.expr(a))
            .unwrap_or_default();
        let op = field(node, F::Operator)
            .map(|o| self.text(o))
            .unwrap_or_default();
        match op {
            b"~" => match &v.shape {
                Shape::Str(s, how) => {
                    Val::str(s.iter().map(|b| !b).collect(), *how | How::TRANSFORMED)
                }
                Shape::Int(i) => Val::int(!i),
                _ => Val::tainted_by(&v),
            },
            b"-" => v
                .as_int()
                .map_or_else(Val::unknown, |i| Val::int(i.wrapping_neg())),
            b"!" => known_bool(v.truthy().map(|t| !t)),
            b"+" => v.as_int().map_or_else(Val::unknown, Val::int),
            _ => Val::unknown(),
        }
    }

    fn augmented(&mut self, node: Node<'a>) -> Val<'a> {
        let (Some(target), Some(right)) = (field(node, F::Left), field(node, F::Right)) else {
            return Val::unknown();
        };
        let op = field(node, F::Operator)
            .map(|o| self.text(o).to_vec())
            .unwrap_or_default();
        if op == b".=" && kind(target) == Some(K::VariableName) {
            let r = self.expr(right);
            if let Some(name) = self.var_name(target)
                && let Some(v) = self.append_var(&name, &r)
            {
                return v;
            }
            let old = self.expr(target);
            let new = concat(&old, &r);
            self.assign(target, new.clone());
            return new;
        }
        let old = self.expr(target);
        let r = self.expr(right);
        let new = match &op[..] {
            b".=" => concat(&old, &r),
            b"^=" | b"|=" | b"&=" => bitwise(op[0], &old, &r),
            b"??=" => join(&old, &r),
            b"+=" | b"-=" | b"*=" | b"%=" | b"<<=" | b">>=" => match (old.as_int(), r.as_int()) {
                (Some(a), Some(b)) => arithmetic(op[0], a, b).map_or_else(Val::unknown, Val::int),
                _ => Val::unknown(),
            },
            _ => Val::unknown(),
        };
        self.assign(target, new.clone());
        new
    }

    /// Stores a value into an assignment target.
    pub(super) fn assign(&mut self, target: Node<'a>, v: Val<'a>) {
        match kind(target) {
            Some(K::VariableName) => {
                if let Some(name) = self.var_name(target) {
                    self.write_var(&name, v, target);
                }
            }
            Some(K::ByRef) | Some(K::ParenthesizedExpression) => {
                if let Some(inner) = target.named_child(0) {
                    self.assign(inner, v);
                }
            }
            Some(K::DynamicVariableName) => {
                let name = target
                    .named_child(0)
                    .map(|n| self.expr(n))
                    .unwrap_or_default();
                match name.as_str() {
                    Some((n, _)) => {
                        let n = n.into_owned();
                        self.write_var(&n, v, target);
                    }
                    None => {
                        let line = self.place(target).1;
                        let text = short(self.text(target));
                        let mut v = Val::tainted_by(&v);
                        v.trail = push_step(&v.trail, Step { line, text });
                        self.write_unknown_var(v);
                    }
                }
            }
            Some(K::SubscriptExpression) => {
                let Some(base_node) = target.named_child(0) else {
                    return;
                };
                let key = target.named_child(1).map(|k| self.expr(k));
                // `$t[k] = v` on a variable holding an array changes it in place
                // (before the array is read: a second reference would copy it).
                let v = match self.var_name(base_node) {
                    Some(name) if kind(base_node) == Some(K::VariableName) => {
                        match self.store_var(&name, key.as_ref(), v, base_node) {
                            Ok(()) => return,
                            Err(v) => v,
                        }
                    }
                    _ => v,
                };
                let base = self.expr(base_node);
                // `$GLOBALS['x'] = …` (however `$GLOBALS` is spelled) writes `$x`.
                if matches!(base.shape, Shape::Globals) {
                    if let Some((k, _)) = key.as_ref().and_then(Val::as_str) {
                        let k = k.into_owned();
                        self.write_global(&k, v);
                    }
                    return;
                }
                let new = store(&base, key.as_ref(), v);
                self.assign(base_node, new);
            }
            Some(K::MemberAccessExpression)
            | Some(K::NullsafeMemberAccessExpression)
            | Some(K::ScopedPropertyAccessExpression) => {
                let Some(name) = field(target, F::Name) else {
                    return;
                };
                let key = match kind(name) {
                    Some(K::Name) => self.text(name).to_vec(),
                    _ => self.var_name(name).unwrap_or_default(),
                };
                let joined = match self.props.get(&key) {
                    Some(old) => join(old, &v),
                    None => v,
                };
                self.props.insert(key, joined);
            }
            Some(K::ListLiteral) | Some(K::ArrayCreationExpression) => {
                let mut next = 0i64;
                let mut c = target.walk();
                let elems: Vec<Node<'a>> = target.named_children(&mut c).collect();
                for elem in elems {
                    let (key, dest) = match (kind(elem), elem.named_child_count()) {
                        (Some(K::ArrayElementInitializer), 2) => {
                            let k = elem.named_child(0).map(|k| self.expr(k));
                            (k, elem.named_child(1))
                        }
                        (Some(K::ArrayElementInitializer), _) => {
                            next += 1;
                            (Some(Val::int(next - 1)), elem.named_child(0))
                        }
                        _ => {
                            next += 1;
                            (Some(Val::int(next - 1)), Some(elem))
                        }
                    };
                    let Some(dest) = dest else { continue };
                    let part = self.index(&v, key.as_ref(), dest);
                    self.assign(dest, part);
                }
            }
            _ => {}
        }
    }

    fn array(&mut self, node: Node<'a>) -> Val<'a> {
        let mut items: Vec<(Key, Val<'a>)> = Vec::new();
        let mut next = 0i64;
        let mut c = node.walk();
        for elem in node.named_children(&mut c) {
            if kind(elem) != Some(K::ArrayElementInitializer) {
                continue;
            }
            if items.len() >= ARRAY_MAX {
                let rest = self.any(elem);
                items.push((Key::Str(b"\0more".to_vec()), rest));
                continue;
            }
            let first = elem.named_child(0);
            match (elem.named_child_count(), first.and_then(kind)) {
                (2, _) => {
                    let k = elem
                        .named_child(0)
                        .map(|k| self.expr(k))
                        .unwrap_or_default();
                    let v = elem
                        .named_child(1)
                        .map(|v| self.expr(v))
                        .unwrap_or_default();
                    match array_key(&k) {
                        Some(key) => {
                            if let Key::Int(i) = key {
                                next = next.max(i + 1);
                            }
                            items.retain(|(ik, _)| *ik != key);
                            items.push((key, v));
                        }
                        None => {
                            // An unknown key: its data (and the value) still flow.
                            items.push((Key::Str(b"\0key".to_vec()), Val::tainted_by(&k)));
                            items.push((Key::Str(b"\0value".to_vec()), v));
                        }
                    }
                }
                (_, Some(K::VariadicUnpacking)) => {
                    let v = first
                        .and_then(|f| f.named_child(0))
                        .map(|s| self.expr(s))
                        .unwrap_or_default();
                    match &v.shape {
                        Shape::Array(spread) => {
                            for (_, sv) in spread.iter() {
                                items.push((Key::Int(next), sv.clone()));
                                next += 1;
                            }
                        }
                        _ => {
                            items.push((Key::Int(next), Val::tainted_by(&v)));
                            next += 1;
                        }
                    }
                }
                _ => {
                    let v = first.map(|f| self.expr(f)).unwrap_or_default();
                    items.push((Key::Int(next), v));
                    next += 1;
                }
            }
        }
        Val::of(Shape::Array(Rc::new(items)))
    }

    fn closure(&mut self, node: Node<'a>) -> Val<'a> {
        let arrow = kind(node) == Some(K::ArrowFunction);
        let Some(body) = field(node, F::Body) else {
            return Val::unknown();
        };
        let params = field(node, F::Parameters)
            .map(|p| self.param_names(p))
            .unwrap_or_default();
        let mut captured = Vec::new();
        if arrow {
            captured = self.snapshot_vars();
        } else {
            let mut c = node.walk();
            for child in node.named_children(&mut c) {
                if kind(child) != Some(K::AnonymousFunctionUseClause) {
                    continue;
                }
                let mut c2 = child.walk();
                for var in child.named_children(&mut c2) {
                    if let Some(name) = self.var_name(var) {
                        let v = self.read_var(&name, var);
                        captured.push((name, v));
                    }
                }
            }
        }
        let c = Rc::new(Closure {
            params,
            body,
            source: self.src,
            captured,
            arrow,
        });
        self.closures.push(c.clone());
        Val::of(Shape::Closure(c))
    }

    /// The names of a parameter list's parameters.
    pub(super) fn param_names(&self, params: Node<'a>) -> Vec<Vec<u8>> {
        let mut c = params.walk();
        params
            .named_children(&mut c)
            .filter_map(|p| field(p, F::Name))
            .filter_map(|n| self.var_name(n))
            .collect()
    }

    /// Something was printed: request data printed feeds output-buffer callbacks.
    pub(super) fn echo(&mut self, v: &Val<'a>) {
        if self.echoed.is_none() && v.flags_deep().has(Flags::REQUEST) {
            self.echoed = Some(Val::tainted_by(v));
        }
    }
}

fn known_bool<'a>(b: Option<bool>) -> Val<'a> {
    b.map_or_else(Val::unknown, |b| Val::of(Shape::Bool(b)))
}

/// PHP's `++` on a string of letters and digits; `None` on anything else.
fn increment(s: &[u8]) -> Option<Vec<u8>> {
    if s.is_empty() {
        return Some(b"1".to_vec());
    }
    if !s.iter().all(u8::is_ascii_alphanumeric) {
        return None;
    }
    let mut out = s.to_vec();
    for i in (0..out.len()).rev() {
        let (next, carry) = match out[i] {
            b'z' => (b'a', true),
            b'Z' => (b'A', true),
            b'9' => (b'0', true),
            c => (c + 1, false),
        };
        out[i] = next;
        if !carry {
            return Some(out);
        }
    }
    // Carried past the first character: one more in front, of its kind.
    let first = match s[0] {
        b'a'..=b'z' => b'a',
        b'A'..=b'Z' => b'A',
        _ => b'1',
    };
    out.insert(0, first);
    Some(out)
}

/// A numeric string's value.
fn numeric(s: &[u8]) -> Option<f64> {
    std::str::from_utf8(s).ok()?.trim().parse().ok()
}

/// `==` on known scalars, as PHP 8 compares.
fn loose_eq(l: &Val, r: &Val) -> Option<bool> {
    if !l.is_scalar() || !r.is_scalar() {
        return None;
    }
    Some(match (&l.shape, &r.shape) {
        (Shape::Bool(b), _) => r.truthy()? == *b,
        (_, Shape::Bool(b)) => l.truthy()? == *b,
        (Shape::Null, Shape::Null) => true,
        (Shape::Null, Shape::Str(s, _)) | (Shape::Str(s, _), Shape::Null) => s.is_empty(),
        (Shape::Null, Shape::Int(i)) | (Shape::Int(i), Shape::Null) => *i == 0,
        (Shape::Int(a), Shape::Int(b)) => a == b,
        (Shape::Str(a, _), Shape::Str(b, _)) => match (numeric(a), numeric(b)) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        },
        (Shape::Int(i), Shape::Str(s, _)) | (Shape::Str(s, _), Shape::Int(i)) => match numeric(s) {
            Some(x) => x == *i as f64,
            None => i.to_string().as_bytes() == s.as_slice(),
        },
        _ => return None,
    })
}

/// `===` on known scalars.
fn strict_eq(l: &Val, r: &Val) -> Option<bool> {
    if !l.is_scalar() || !r.is_scalar() {
        return None;
    }
    Some(match (&l.shape, &r.shape) {
        (Shape::Str(a, _), Shape::Str(b, _)) => a == b,
        (Shape::Int(a), Shape::Int(b)) => a == b,
        (Shape::Bool(a), Shape::Bool(b)) => a == b,
        (Shape::Null, Shape::Null) => true,
        _ => false,
    })
}

/// `<`, `>`… on known numbers and numeric strings (or two strings).
fn order(l: &Val, r: &Val) -> Option<std::cmp::Ordering> {
    let num = |v: &Val| match &v.shape {
        Shape::Str(s, _) => numeric(s),
        _ if v.is_scalar() => v.as_int().map(|i| i as f64),
        _ => None,
    };
    match (num(l), num(r)) {
        (Some(a), Some(b)) => a.partial_cmp(&b),
        _ => match (&l.shape, &r.shape) {
            (Shape::Str(a, _), Shape::Str(b, _)) => Some(a.cmp(b)),
            _ => None,
        },
    }
}

/// `acc . v`, appending to `acc`'s bytes when they are not shared.
fn append<'a>(mut acc: Val<'a>, v: &Val<'a>) -> Val<'a> {
    if let (Shape::Str(bytes, how), Some((add, add_how))) = (&mut acc.shape, v.as_text())
        && bytes.len() + add.len() <= STR_MAX
    {
        Rc::make_mut(bytes).extend_from_slice(&add);
        *how = *how | add_how | How::ASSEMBLED;
        return acc;
    }
    concat(&acc, v)
}

/// `a . b`.
pub(super) fn concat<'a>(l: &Val<'a>, r: &Val<'a>) -> Val<'a> {
    match (l.as_text(), r.as_text()) {
        (Some((a, ha)), Some((b, hb))) if a.len() + b.len() <= STR_MAX => {
            let mut s = Vec::with_capacity(a.len() + b.len());
            s.extend_from_slice(&a);
            s.extend_from_slice(&b);
            let mut v = Val::str(s, ha | hb | How::ASSEMBLED);
            v.flags = (l.flags | r.flags).only(Flags::UNSET);
            v
        }
        _ => {
            let tainted = if l.flags_deep().is_empty() { r } else { l };
            let mut v = Val::tainted_by(tainted);
            v.flags |= l.flags_deep() | r.flags_deep();
            let empty = |x: &Val| x.as_str().is_some_and(|(s, _)| s.is_empty());
            if !v.flags.is_empty() && !empty(l) && !empty(r) {
                v.flags |= Flags::MIXED;
            }
            v.tail = r
                .known_end()
                .map(|end| Rc::new(end[end.len().saturating_sub(TAIL)..].to_vec()));
            if let Some(f) = r.fields_deep() {
                for name in f.iter() {
                    v.add_field(name);
                }
            }
            v
        }
    }
}

/// `a ^ b`, `a | b`, `a & b`: on two strings, byte by byte (how obfuscators build
/// names from unreadable literals); at run time on strings, a decoder.
fn bitwise<'a>(op: u8, l: &Val<'a>, r: &Val<'a>) -> Val<'a> {
    match (&l.shape, &r.shape) {
        (Shape::Int(a), Shape::Int(b)) => Val::int(match op {
            b'|' => a | b,
            b'&' => a & b,
            _ => a ^ b,
        }),
        (Shape::Str(a, ha), Shape::Str(b, hb)) => {
            Val::str(fold::bitwise(op, a, b), *ha | *hb | How::TRANSFORMED)
        }
        (Shape::Int(_), _) | (_, Shape::Int(_)) => Val::unknown(),
        _ => {
            let mut v = concat(l, r);
            v.shape = Shape::Unknown;
            if op == b'^' {
                v.flags |= Flags::DECODED;
            }
            v
        }
    }
}

fn arithmetic(op: u8, a: i64, b: i64) -> Option<i64> {
    match op {
        b'+' => a.checked_add(b),
        b'-' => a.checked_sub(b),
        b'*' => a.checked_mul(b),
        b'%' => a.checked_rem(b),
        b'<' => u32::try_from(b).ok().and_then(|b| a.checked_shl(b)),
        b'>' => u32::try_from(b).ok().and_then(|b| a.checked_shr(b)),
        _ => None,
    }
}

/// The array key a value makes (PHP: numeric strings are integer keys).
fn array_key(k: &Val) -> Option<Key> {
    match &k.shape {
        Shape::Int(i) => Some(Key::Int(*i)),
        Shape::Str(s, _) => match std::str::from_utf8(s)
            .ok()
            .and_then(|t| t.parse::<i64>().ok())
        {
            Some(i) if i.to_string().as_bytes() == s.as_slice() => Some(Key::Int(i)),
            _ => Some(Key::Str(s.as_ref().clone())),
        },
        _ => None,
    }
}

/// `base` with `base[key] = v` (`key` `None`: `$a[] = v`, or not known).
fn store<'a>(base: &Val<'a>, key: Option<&Val<'a>>, v: Val<'a>) -> Val<'a> {
    match &base.shape {
        Shape::Array(items) => {
            let mut items = items.as_ref().clone();
            put(&mut items, key, v);
            if items.len() > ARRAY_MAX {
                return Val::tainted_by(&Val::of(Shape::Array(Rc::new(items))));
            }
            Val::of(Shape::Array(Rc::new(items)))
        }
        Shape::Null => store(&Val::of(Shape::Array(Rc::new(Vec::new()))), key, v),
        Shape::Unknown if base.flags.is_empty() && base.trail.is_none() => {
            // A new array (`$a['k'] = v` on an unset variable).
            store(&Val::of(Shape::Array(Rc::new(Vec::new()))), key, v)
        }
        Shape::Str(s, how) => match key.and_then(Val::as_int).zip(v.as_str()) {
            Some((i, (c, _))) if i >= 0 && (i as usize) < s.len() && !c.is_empty() => {
                let mut s = s.as_ref().clone();
                s[i as usize] = c[0];
                Val::str(s, *how | How::ASSEMBLED)
            }
            _ => join(&Val::tainted_by(base), &Val::tainted_by(&v)),
        },
        _ => join(&Val::tainted_by(base), &Val::tainted_by(&v)),
    }
}

/// Sets `items[key]` (appends with no key); an entry of the same key moves to
/// the end, as the analysis keeps PHP's insertion order only approximately.
pub(super) fn put<'a>(items: &mut Vec<(Key, Val<'a>)>, key: Option<&Val<'a>>, v: Val<'a>) {
    match key.map(|k| array_key(k)) {
        Some(Some(k)) => {
            items.retain(|(ik, _)| *ik != k);
            items.push((k, v));
        }
        Some(None) => items.push((Key::Str(b"\0value".to_vec()), v)),
        None => {
            let next = items
                .iter()
                .filter_map(|(k, _)| match k {
                    Key::Int(i) => Some(*i + 1),
                    Key::Str(_) => None,
                })
                .max()
                .unwrap_or(0);
            items.push((Key::Int(next), v));
        }
    }
}

/// An escape sequence's bytes, and whether it hides a character (hex, octal or
/// Unicode) rather than naming a control character.
fn unescape(seq: &[u8]) -> (Vec<u8>, bool) {
    let Some(rest) = seq.strip_prefix(b"\\") else {
        return (seq.to_vec(), false);
    };
    let one = |b: u8| (vec![b], false);
    match rest.first() {
        Some(b'n') => one(b'\n'),
        Some(b't') => one(b'\t'),
        Some(b'r') => one(b'\r'),
        Some(b'v') => one(0x0b),
        Some(b'e') => one(0x1b),
        Some(b'f') => one(0x0c),
        Some(b'\\') => one(b'\\'),
        Some(b'$') => one(b'$'),
        Some(b'"') => one(b'"'),
        Some(b'\'') => one(b'\''),
        Some(b'x' | b'X') => {
            let h = std::str::from_utf8(&rest[1..]).unwrap_or("");
            match u8::from_str_radix(h, 16) {
                Ok(b) => (vec![b], true),
                Err(_) => (seq.to_vec(), false),
            }
        }
        Some(b'u') => {
            let h = std::str::from_utf8(rest)
                .unwrap_or("")
                .trim_start_matches("u{")
                .trim_end_matches('}');
            match u32::from_str_radix(h, 16).ok().and_then(char::from_u32) {
                Some(ch) => (ch.to_string().into_bytes(), true),
                None => (seq.to_vec(), false),
            }
        }
        Some(b'0'..=b'7') => {
            let o = std::str::from_utf8(rest).unwrap_or("");
            match u32::from_str_radix(o, 8) {
                Ok(n) => (vec![(n & 0xff) as u8], true),
                Err(_) => (seq.to_vec(), false),
            }
        }
        _ => (seq.to_vec(), false),
    }
}

/// A PHP integer literal: decimal, `0x`, `0b`, `0o` or leading-zero octal, `_`.
fn parse_int(text: &[u8]) -> Option<i64> {
    let t: String = String::from_utf8_lossy(text)
        .replace('_', "")
        .to_ascii_lowercase();
    if let Some(h) = t.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()
    } else if let Some(b) = t.strip_prefix("0b") {
        i64::from_str_radix(b, 2).ok()
    } else if let Some(o) = t.strip_prefix("0o") {
        i64::from_str_radix(o, 8).ok()
    } else if t.len() > 1 && t.starts_with('0') {
        i64::from_str_radix(&t[1..], 8).ok()
    } else {
        t.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_integers() {
        assert_eq!(unescape(b"\\x41"), (b"A".to_vec(), true));
        assert_eq!(unescape(b"\\101"), (b"A".to_vec(), true));
        assert_eq!(unescape(b"\\u{41}"), (b"A".to_vec(), true));
        assert_eq!(unescape(b"\\n"), (b"\n".to_vec(), false));
        assert_eq!(unescape(b"\\q"), (b"\\q".to_vec(), false));
        assert_eq!(parse_int(b"0x1F"), Some(31));
        assert_eq!(parse_int(b"017"), Some(15));
        assert_eq!(parse_int(b"1_000"), Some(1000));
        assert_eq!(parse_int(b"0"), Some(0));
        assert_eq!(increment(b"a").unwrap(), b"b");
        assert_eq!(increment(b"Az").unwrap(), b"Ba");
        assert_eq!(increment(b"zz").unwrap(), b"aaa");
        assert_eq!(increment(b"a9").unwrap(), b"b0");
        assert_eq!(increment(b"a!"), None);
    }
}

//! Statements: blocks in order, branches each run from the state before them and
//! joined after, loops run twice (so what one iteration assigns reaches the next),
//! `return`, `global`, `static`, `unset`, constants. Definitions were registered
//! before the walk and are skipped here. Whatever the grammar could not parse
//! (ERROR nodes) is walked for what it holds.

use super::{Flow, Interp};
use crate::syntax::{F, K, field, fields, kind};
use crate::value::{How, Key, Shape, Val, join};

/// Most iterations of a loop followed exactly.
const EXACT_ITERATIONS: usize = 1 << 20;
use tree_sitter::Node;

/// Statement kinds that never hold code to walk.
const INERT: &[K] = &[
    K::PhpTag,
    K::Text,
    K::TextInterpolation,
    K::Comment,
    K::EmptyStatement,
    K::NamedLabelStatement,
    K::GotoStatement,
    K::NamespaceUseDeclaration,
    K::FunctionDefinition,
    K::ClassDeclaration,
    K::InterfaceDeclaration,
    K::TraitDeclaration,
    K::EnumDeclaration,
    K::PhpEndTag,
];

impl<'a> Interp<'a, '_> {
    pub(super) fn stmt(&mut self, node: Node<'a>) {
        if !self.tick() || !self.enter() {
            return;
        }
        stacker::maybe_grow(super::STACK_RED_ZONE, super::STACK_SEGMENT, || {
            self.stmt_here(node)
        });
        self.nesting -= 1;
    }

    fn stmt_here(&mut self, node: Node<'a>) {
        let k = kind(node);
        if k.is_some_and(|k| INERT.contains(&k)) {
            return;
        }
        match k {
            Some(K::Program)
            | Some(K::CompoundStatement)
            | Some(K::ColonBlock)
            | Some(K::DeclarationList)
            | Some(K::NamespaceDefinition)
            | Some(K::DeclareStatement)
            | Some(K::ElseClause) => self.block(node),
            Some(K::ExpressionStatement) => {
                let mut c = node.walk();
                for child in node.named_children(&mut c) {
                    self.expr(child);
                }
            }
            Some(K::EchoStatement) => {
                let mut c = node.walk();
                for child in node.named_children(&mut c) {
                    let v = self.expr(child);
                    self.echo(&v);
                }
            }
            Some(K::IfStatement) => self.if_stmt(node),
            Some(K::ElseIfClause) => {
                if let Some(c) = field(node, F::Condition) {
                    self.expr(c);
                }
                if let Some(b) = field(node, F::Body) {
                    self.stmt(b);
                }
            }
            Some(K::SwitchStatement) => self.switch_stmt(node),
            Some(K::WhileStatement) | Some(K::DoStatement) | Some(K::ForStatement) => {
                self.loop_stmt(node)
            }
            Some(K::ForeachStatement) => self.foreach_stmt(node),
            Some(K::TryStatement) => self.try_stmt(node),
            Some(K::ReturnStatement) => {
                let v = match node.named_child(0) {
                    Some(e) => self.expr(e),
                    None => Val::unknown(),
                };
                self.set_return(v);
                self.flow = Flow::Return;
            }
            Some(K::BreakStatement) | Some(K::ContinueStatement) => {
                let levels = node
                    .named_child(0)
                    .and_then(|n| self.expr(n).as_int())
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|n| *n > 0)
                    .unwrap_or(1);
                self.flow = if k == Some(K::BreakStatement) {
                    Flow::Break(levels)
                } else {
                    Flow::Continue(levels)
                };
            }
            Some(K::GlobalDeclaration) => {
                let mut c = node.walk();
                for child in node.named_children(&mut c) {
                    if let Some(name) = self.var_name(child) {
                        self.add_global_alias(&name);
                    }
                }
            }
            Some(K::FunctionStaticDeclaration) => {
                let mut c = node.walk();
                for decl in node.named_children(&mut c) {
                    let (Some(name), value) = (
                        field(decl, F::Name).and_then(|n| self.var_name(n)),
                        field(decl, F::Value),
                    ) else {
                        continue;
                    };
                    let v = value.map(|v| self.expr(v)).unwrap_or_default();
                    self.write_var(&name, v, decl);
                }
            }
            Some(K::UnsetStatement) => {
                let mut c = node.walk();
                for child in node.named_children(&mut c) {
                    if let Some(name) = self.var_name(child) {
                        self.unset_var(&name);
                    }
                }
            }
            Some(K::ConstDeclaration) => {
                let mut c = node.walk();
                for elem in node.named_children(&mut c) {
                    if kind(elem) != Some(K::ConstElement) {
                        continue;
                    }
                    let (Some(name), Some(value)) = (elem.named_child(0), elem.named_child(1))
                    else {
                        continue;
                    };
                    let v = self.expr(value);
                    let name = self.text(name).to_vec();
                    self.consts.insert(name, v);
                }
            }
            _ if node.is_error() => self.block(node),
            // An expression where a statement was expected (error recovery).
            _ => {
                self.expr(node);
            }
        }
    }

    pub(super) fn block(&mut self, node: Node<'a>) {
        let mut c = node.walk();
        for child in node.named_children(&mut c) {
            if self.cut.is_some() || self.flow != Flow::Normal {
                return;
            }
            self.stmt(child);
        }
    }

    /// `$name` of a plain variable node.
    pub(super) fn var_name(&self, node: Node<'a>) -> Option<Vec<u8>> {
        match kind(node) {
            Some(K::VariableName) => Some(self.text(node.named_child(0)?).to_vec()),
            Some(K::ByRef) => self.var_name(node.named_child(0)?),
            _ => None,
        }
    }

    /// Runs each arm from the current state and joins the results; without a
    /// default arm, the state before counts as one more outcome.
    fn branches(&mut self, arms: &[Node<'a>], has_default: bool) {
        let base = self.snapshot();
        let mut outs = Vec::with_capacity(arms.len() + 1);
        for arm in arms {
            self.restore(base.clone());
            self.stmt(*arm);
            self.end_arm();
            outs.push(self.snapshot());
        }
        if !has_default {
            outs.push(base.clone());
        }
        let joined = self.join_all(&base, outs);
        self.restore(joined);
    }

    /// After a branch taken or not: a `break`, `continue` or `return` in it may or
    /// may not happen.
    fn end_arm(&mut self) {
        if self.flow != Flow::Normal {
            self.uncertain_exit = true;
            self.flow = Flow::Normal;
        }
    }

    fn if_stmt(&mut self, node: Node<'a>) {
        let truth = field(node, F::Condition).and_then(|c| self.expr(c).truthy());
        if let Some(t) = truth {
            // A known condition: only the branch PHP takes.
            if t {
                if let Some(b) = field(node, F::Body) {
                    self.stmt(b);
                }
                return;
            }
            let alts: Vec<Node<'a>> = fields(node, F::Alternative);
            for alt in alts {
                if kind(alt) == Some(K::ElseClause) {
                    self.stmt(alt);
                    return;
                }
                // `elseif (cond)`: known or not, decided like an `if`.
                let cond = field(alt, F::Condition).and_then(|c| self.expr(c).truthy());
                match cond {
                    Some(true) => {
                        if let Some(b) = field(alt, F::Body) {
                            self.stmt(b);
                        }
                        return;
                    }
                    Some(false) => {}
                    None => {
                        let base = self.snapshot();
                        if let Some(b) = field(alt, F::Body) {
                            self.stmt(b);
                        }
                        self.end_arm();
                        let out = self.snapshot();
                        let joined = self.join_all(&base, vec![base.clone(), out]);
                        self.restore(joined);
                    }
                }
            }
            return;
        }
        let mut arms = Vec::new();
        if let Some(b) = field(node, F::Body) {
            arms.push(b);
        }
        let mut has_else = false;
        for alt in fields(node, F::Alternative) {
            has_else |= kind(alt) == Some(K::ElseClause);
            arms.push(alt);
        }
        self.branches(&arms, has_else);
    }

    fn switch_stmt(&mut self, node: Node<'a>) {
        if let Some(c) = field(node, F::Condition) {
            self.expr(c);
        }
        let Some(body) = field(node, F::Body) else {
            return;
        };
        let mut arms = Vec::new();
        let mut has_default = false;
        let mut c = body.walk();
        for case in body.named_children(&mut c) {
            has_default |= kind(case) == Some(K::DefaultStatement);
            if let Some(v) = field(case, F::Value) {
                self.expr(v);
            }
            arms.push(case);
        }
        // A case's statements are its named children after the value.
        let base = self.snapshot();
        let mut outs = Vec::with_capacity(arms.len() + 1);
        for arm in arms {
            self.restore(base.clone());
            let value = field(arm, F::Value).map(|v| v.id());
            let mut c = arm.walk();
            for s in arm.named_children(&mut c) {
                if Some(s.id()) != value && self.flow == Flow::Normal {
                    self.stmt(s);
                }
            }
            // `break` (and `continue`) end the switch; a `return` may or may not happen.
            match self.flow {
                Flow::Break(n) | Flow::Continue(n) if n > 1 => self.end_arm(),
                Flow::Return => self.end_arm(),
                _ => self.flow = Flow::Normal,
            }
            outs.push(self.snapshot());
        }
        if !has_default {
            outs.push(base.clone());
        }
        let joined = self.join_all(&base, outs);
        self.restore(joined);
    }

    /// `while`, `do`, `for`: followed iteration by iteration while the condition
    /// is known (a decoder's loop over a known string), otherwise the body twice,
    /// each time joined with the state before.
    fn loop_stmt(&mut self, node: Node<'a>) {
        if let Some(init) = field(node, F::Initialize) {
            self.expr(init);
        }
        let cond = field(node, F::Condition);
        let body = field(node, F::Body);
        let update = field(node, F::Update);
        self.loop_depth += 1;
        let mut first = kind(node) == Some(K::DoStatement);
        let exact = self.exact_loop(
            |me| {
                let go = if first {
                    Some(true)
                } else {
                    cond.and_then(|c| me.expr(c).truthy())
                };
                first = false;
                go
            },
            body,
            update,
        );
        if !exact {
            self.approximate_loop(|me| {
                if let Some(c) = cond {
                    me.expr(c);
                }
                if let Some(b) = body {
                    me.stmt(b);
                }
                me.end_arm();
                if let Some(u) = update {
                    me.expr(u);
                }
            });
        }
        self.loop_depth -= 1;
    }

    /// A loop whose conditions are not known: one iteration joined with not
    /// running it; a second only when the first gave a variable new data (what one
    /// iteration assigns can reach the next).
    fn approximate_loop(&mut self, mut iteration: impl FnMut(&mut Self)) {
        for pass in 0..2 {
            let base = self.snapshot();
            iteration(self);
            let out = self.snapshot();
            let grew = out.tainted_more_than(&base);
            let joined = self.join_all(&base, vec![base.clone(), out]);
            self.restore(joined);
            if pass == 0 && !grew {
                break;
            }
        }
    }

    /// Runs a loop exactly while `next` says whether to go on; false when it had to
    /// stop (a condition not known, an exit that may or may not happen, the limit),
    /// leaving the rest to the approximate run.
    fn exact_loop(
        &mut self,
        mut next: impl FnMut(&mut Self) -> Option<bool>,
        body: Option<Node<'a>>,
        update: Option<Node<'a>>,
    ) -> bool {
        let uncertain = std::mem::replace(&mut self.uncertain_exit, false);
        let mut done = false;
        let start = self.steps;
        for _ in 0..EXACT_ITERATIONS {
            if self.cut.is_some() {
                done = true;
                break;
            }
            if self.steps - start > self.exact_steps {
                break;
            }
            match next(self) {
                Some(false) => {
                    done = true;
                    break;
                }
                Some(true) => {}
                None => break,
            }
            if let Some(b) = body {
                self.stmt(b);
            }
            match self.flow {
                Flow::Break(n) => {
                    self.flow = if n > 1 {
                        Flow::Break(n - 1)
                    } else {
                        Flow::Normal
                    };
                    done = true;
                    break;
                }
                Flow::Continue(n) if n > 1 => {
                    self.flow = Flow::Continue(n - 1);
                    done = true;
                    break;
                }
                Flow::Continue(_) => self.flow = Flow::Normal,
                Flow::Return => {
                    done = true;
                    break;
                }
                Flow::Normal => {}
            }
            if self.uncertain_exit {
                break;
            }
            if let Some(u) = update {
                self.expr(u);
            }
        }
        self.uncertain_exit |= uncertain;
        self.exact_steps = self.exact_steps.saturating_sub(self.steps - start);
        done
    }

    /// `foreach ($list as $k => $v)`: key and value carry what the list carries.
    fn foreach_stmt(&mut self, node: Node<'a>) {
        let mut c = node.walk();
        let named: Vec<Node<'a>> = node
            .named_children(&mut c)
            .filter(|n| kind(*n) != Some(K::Comment))
            .collect();
        let body = field(node, F::Body);
        let parts: Vec<Node<'a>> = named
            .iter()
            .copied()
            .filter(|n| Some(n.id()) != body.map(|b| b.id()))
            .collect();
        let Some(&list_node) = parts.first() else {
            return;
        };
        let list = self.expr(list_node);
        let target = parts.get(1).copied();
        self.loop_depth += 1;
        let exact = match &list.shape {
            Shape::Array(items) if items.len() <= EXACT_ITERATIONS => {
                let items = items.clone();
                let mut i = 0;
                self.exact_loop(
                    |me| {
                        let Some((k, v)) = items.get(i) else {
                            return Some(false);
                        };
                        i += 1;
                        me.bind(target, key_val(k), v.clone());
                        Some(true)
                    },
                    body,
                    None,
                )
            }
            _ => false,
        };
        if !exact {
            let (key, value) = element_of(&list);
            self.approximate_loop(|me| {
                me.bind(target, key.clone(), value.clone());
                if let Some(b) = body {
                    me.stmt(b);
                }
                me.end_arm();
            });
        }
        self.loop_depth -= 1;
    }

    /// Binds a `foreach` target (`$v`, `$k => $v`, `list(…)`).
    fn bind(&mut self, target: Option<Node<'a>>, key: Val<'a>, value: Val<'a>) {
        match target {
            Some(pair) if kind(pair) == Some(K::Pair) => {
                if let Some(k) = pair.named_child(0) {
                    self.assign(k, key);
                }
                if let Some(v) = pair.named_child(1) {
                    self.assign(v, value);
                }
            }
            Some(t) => self.assign(t, value),
            None => {}
        }
    }

    /// The `try` body runs; then maybe one of the `catch` bodies; then `finally`.
    fn try_stmt(&mut self, node: Node<'a>) {
        if let Some(b) = field(node, F::Body) {
            self.stmt(b);
        }
        let mut catches = Vec::new();
        let mut finally = None;
        let mut c = node.walk();
        for child in node.named_children(&mut c) {
            match kind(child) {
                Some(K::FinallyClause) => finally = field(child, F::Body),
                Some(K::CatchClause) => catches.extend(field(child, F::Body)),
                _ => {}
            }
        }
        self.branches(&catches, false);
        if let Some(f) = finally {
            self.stmt(f);
        }
    }
}

fn key_val<'a>(k: &Key) -> Val<'a> {
    match k {
        Key::Int(i) => Val::int(*i),
        Key::Str(s) => Val::str(s.clone(), How::PLAIN),
    }
}

/// What a `foreach` binds: a key and a value carrying the list's data.
fn element_of<'a>(list: &Val<'a>) -> (Val<'a>, Val<'a>) {
    match &list.shape {
        Shape::Array(items) if !items.is_empty() => {
            let mut key: Option<Val<'a>> = None;
            let mut value: Option<Val<'a>> = None;
            for (k, v) in items.iter() {
                let kv = key_val(k);
                key = Some(match key {
                    Some(old) => join(&old, &kv),
                    None => kv,
                });
                value = Some(match value {
                    Some(old) => join(&old, v),
                    None => v.clone(),
                });
            }
            (key.unwrap_or_default(), value.unwrap_or_default())
        }
        _ => (Val::tainted_by(list), Val::tainted_by(list)),
    }
}

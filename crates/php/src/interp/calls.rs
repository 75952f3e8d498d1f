//! Calls: PHP's own functions (sources, sinks, callbacks, decoders, folding),
//! functions and methods defined in the code (inlined with their arguments'
//! values, memoised, bounded), closures, and dynamic calls whose callee is a value
//! (`$f(…)`, `(expr)(…)`, callbacks, `new ReflectionFunction($f)`).

use super::env::Frame;
use super::{Flow, FnDef, Interp};
use crate::catalog;
use crate::facts::{FactKind, Origin, Step, short};
use crate::fold;
use crate::syntax::{F, K, field, kind};
use crate::value::{Closure, Flags, Handle, How, Key, Shape, Val, join};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::rc::Rc;
use tree_sitter::Node;

/// Deepest nesting of inlined calls.
const CALL_DEPTH: usize = 8;
/// Steps a function may spend in all its inlined calls together; once spent, its
/// further calls are summarised by what its earlier calls returned (a small
/// decoder called a thousand times is inlined every time, a big one once).
const INLINE_STEPS: u64 = 20_000;
/// Most methods a request-named method call may reach that are followed.
const EVERY_METHOD_MAX: usize = 32;
/// Most variables an arrow function captures.
const CAPTURE_MAX: usize = 256;

/// How a callee was reached.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Via {
    /// `$f(…)`, `(expr)(…)`, `$o->$m()`.
    Dynamic,
    /// Given to a function that calls it back.
    Callback,
}

impl<'a> Interp<'a, '_> {
    /// `f(…)`: by name, or through the value of an expression.
    pub(super) fn call(&mut self, node: Node<'a>) -> Val<'a> {
        let (args, nodes) = self.args(field(node, F::Arguments));
        let Some(f) = field(node, F::Function) else {
            return Val::unknown();
        };
        match kind(f) {
            Some(K::Name) | Some(K::QualifiedName) => {
                let name = last_segment(self.text(f)).to_ascii_lowercase();
                self.named(&name, &args, &nodes, node)
            }
            _ => {
                let callee = self.expr(f);
                self.invoke(&callee, &args, node, Via::Dynamic)
            }
        }
    }

    /// The values of an argument list (spread arrays expanded) and their nodes.
    pub(super) fn args(&mut self, list: Option<Node<'a>>) -> (Vec<Val<'a>>, Vec<Node<'a>>) {
        let mut vals = Vec::new();
        let mut nodes = Vec::new();
        let Some(list) = list else {
            return (vals, nodes);
        };
        let mut c = list.walk();
        for arg in list.named_children(&mut c) {
            let inner = match kind(arg) {
                Some(K::Argument) => arg.named_children(&mut arg.walk()).last(),
                Some(K::VariadicPlaceholder) | Some(K::Comment) => continue,
                _ => Some(arg),
            };
            let Some(inner) = inner else { continue };
            if kind(inner) == Some(K::VariadicUnpacking) {
                let v = inner
                    .named_child(0)
                    .map(|s| self.expr(s))
                    .unwrap_or_default();
                match &v.shape {
                    Shape::Array(items) => {
                        for (_, item) in items.iter() {
                            vals.push(item.clone());
                            nodes.push(inner);
                        }
                    }
                    _ => {
                        vals.push(v);
                        nodes.push(inner);
                    }
                }
                continue;
            }
            vals.push(self.expr(inner));
            nodes.push(inner);
        }
        (vals, nodes)
    }

    /// A call of the function `name` (lower case) with evaluated arguments.
    pub(super) fn named(
        &mut self,
        name: &[u8],
        args: &[Val<'a>],
        nodes: &[Node<'a>],
        site: Node<'a>,
    ) -> Val<'a> {
        let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
        match name {
            b"eval" => {
                self.code_sink("eval", &arg(0), site);
                return Val::unknown();
            }
            b"assert" => {
                // PHP before 8 runs a string assertion as code.
                self.code_sink("assert", &arg(0), site);
                return Val::unknown();
            }
            b"create_function" => return self.create_function(&arg(0), &arg(1), site),
            b"preg_replace" | b"preg_filter" => self.preg_e(&arg(0), &arg(1), &arg(2), site),
            b"mb_ereg_replace" | b"mb_eregi_replace"
                if arg(3).as_str().is_some_and(|(o, _)| o.contains(&b'e')) =>
            {
                let code = join(&arg(1), &Val::tainted_by(&arg(2)));
                let n = String::from_utf8_lossy(name).into_owned();
                self.code_sink(&n, &code, site);
            }
            b"extract" | b"import_request_variables" => {
                let from = if name == b"extract" {
                    arg(0)
                } else {
                    Val::unknown().with_flags(Flags::REQUEST)
                };
                match &from.shape {
                    Shape::Array(items) => {
                        for (k, v) in items.iter() {
                            if let Key::Str(k) = k {
                                self.write_var(k, v.clone(), site);
                            }
                        }
                    }
                    _ => {
                        let line = self.place(site).1;
                        let mut v = Val::tainted_by(&from);
                        if !v.flags.is_empty() {
                            v.trail = crate::value::push_step(
                                &v.trail,
                                Step {
                                    line,
                                    text: short(self.text(site)),
                                },
                            );
                        }
                        self.write_unknown_var(v);
                    }
                }
                return Val::unknown();
            }
            b"parse_str" | b"mb_parse_str" => {
                let v = Val::tainted_by(&arg(0));
                match nodes.get(1) {
                    Some(out) => self.assign(*out, v),
                    None => self.write_unknown_var(v),
                }
                return Val::unknown();
            }
            b"define" => {
                if let Some((n, _)) = arg(0).as_str() {
                    self.consts.insert(n.into_owned(), arg(1));
                }
                return Val::unknown();
            }
            b"constant" => {
                return arg(0)
                    .as_str()
                    .and_then(|(n, _)| self.consts.get(n.as_ref()).cloned())
                    .unwrap_or_default();
            }
            b"compact" => {
                let mut items = Vec::new();
                for a in args {
                    if let Some((n, _)) = a.as_str() {
                        let n = n.into_owned();
                        let v = self.read_var(&n, site);
                        items.push((Key::Str(n), v));
                    }
                }
                return Val::of(Shape::Array(Rc::new(items)));
            }
            b"func_get_args" => {
                let items = self
                    .frame_args()
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (Key::Int(i as i64), v))
                    .collect();
                return Val::of(Shape::Array(Rc::new(items)));
            }
            b"func_get_arg" => {
                let n = arg(0).as_int().and_then(|n| usize::try_from(n).ok());
                return n
                    .and_then(|n| self.frame_args().get(n).cloned())
                    .unwrap_or_default();
            }
            b"unserialize" => {
                let data = arg(0);
                if data.flags_deep().has(Flags::REQUEST) && self.unserialized.is_none() {
                    self.unserialized = Some((Val::tainted_by(&data), site, self.src));
                }
                return Val::tainted_by(&data);
            }
            b"mail" | b"mb_send_mail" => {
                self.mail_sink(args, site);
                return Val::unknown();
            }
            b"file_put_contents" => {
                self.write_sink("file_put_contents", &arg(0), &arg(1), site);
                return Val::unknown();
            }
            b"fwrite" | b"fputs" | b"gzwrite" => {
                if let Shape::Handle(h) = &arg(0).shape {
                    match h.as_ref() {
                        Handle::File(path) => {
                            let path = path.clone();
                            self.write_sink("fwrite", &path, &arg(1), site);
                        }
                        Handle::Remote => self.exfil("fwrite", &arg(1), site),
                        Handle::Input | Handle::Shell => {}
                    }
                }
                return Val::unknown();
            }
            b"move_uploaded_file" => {
                self.upload_sink(&arg(0), &arg(1), site);
                return Val::unknown();
            }
            b"copy" => {
                self.copy_sink(&arg(0), &arg(1), site);
                return Val::unknown();
            }
            b"getenv" => {
                let header = arg(0)
                    .as_str()
                    .is_some_and(|(k, _)| catalog::request_server_key(&k));
                return if header {
                    Val::unknown().with_flags(Flags::REQUEST).step(|| Step {
                        line: self.place(site).1,
                        text: short(self.text(site)),
                    })
                } else {
                    Val::unknown()
                };
            }
            b"md5" | b"sha1" | b"crypt" | b"hash" | b"hash_hmac" | b"md5_file" | b"sha1_file" => {
                let data = if matches!(name, b"hash" | b"hash_hmac") {
                    arg(1)
                } else {
                    arg(0)
                };
                // A hash of request data: compared with a literal, a password gate.
                let folded = fold::call(name, args, self.limits.decoded);
                return match folded {
                    Some(v) => v,
                    None if data.flags_deep().has(Flags::REQUEST) => {
                        let mut v = Val::tainted_by(&data);
                        v.flags = Flags::HASH;
                        v
                    }
                    None => Val::unknown(),
                };
            }
            b"password_verify" => {
                let mut hashed = Val::tainted_by(&arg(0));
                if hashed.flags.has(Flags::REQUEST) {
                    hashed.flags = Flags::HASH;
                    self.password_gate(&hashed, &arg(1), site);
                }
                return Val::unknown();
            }
            b"curl_setopt" => {
                self.exfil("curl_setopt", &arg(2), site);
                return Val::unknown();
            }
            b"chr" => {
                if let Some(v) = fold::call(name, args, self.limits.decoded) {
                    return v;
                }
                return Val::tainted_by(&arg(0)).with_flags(Flags::DECODED);
            }
            _ => {}
        }
        if catalog::COMMAND_RUNNERS
            .iter()
            .any(|r| r.as_bytes() == name)
        {
            let mut cmd = arg(0);
            if name == b"pcntl_exec" {
                cmd = join(&cmd, &Val::tainted_by(&arg(1)));
            }
            let n = String::from_utf8_lossy(name).into_owned();
            self.command_sink(&n, &cmd, site);
            return if matches!(name, b"popen" | b"proc_open") {
                Val::of(Shape::Handle(Rc::new(Handle::Remote)))
            } else {
                Val::unknown()
            };
        }
        if let Some(at) = catalog::runs_query(name) {
            let at = at.unwrap_or(args.len().saturating_sub(1));
            self.query_sink(&String::from_utf8_lossy(name), &arg(at), site);
            return Val::unknown();
        }
        if let Some(cb) = catalog::callback(name) {
            return self.callback_call(name, cb, args, site);
        }
        if catalog::opens_stream(name) {
            return self.open_stream(name, &arg(0), site);
        }
        if catalog::reads_stream(name) {
            return match &arg(0).shape {
                Shape::Handle(h) => match h.as_ref() {
                    Handle::Input => self.request_read(site),
                    Handle::Remote => Val::unknown().with_flags(Flags::REMOTE),
                    Handle::File(_) | Handle::Shell => Val::unknown(),
                },
                _ => Val::unknown(),
            };
        }
        if catalog::reads_path(name) {
            let path = arg(0);
            if let Some((p, _)) = path.as_str() {
                if p.eq_ignore_ascii_case(b"php://input") {
                    return self.request_read(site);
                }
                if is_url(&p) {
                    return Val::unknown().with_flags(Flags::REMOTE);
                }
                return Val::unknown();
            }
            self.exfil(&String::from_utf8_lossy(name), &path, site);
            self.read_sink(&String::from_utf8_lossy(name), &path, site);
            // A path or URL the request chose: its content is the request's.
            let f = path.flags_deep();
            return if f.has(Flags::REQUEST) {
                Val::tainted_by(&path)
            } else {
                Val::unknown()
            };
        }
        if catalog::reads_request(name) {
            return self.request_read(site);
        }
        if catalog::reads_network(name) {
            for a in args {
                self.exfil(&String::from_utf8_lossy(name), a, site);
            }
            return Val::unknown().with_flags(Flags::REMOTE);
        }
        if let Some(mut v) = fold::call(name, args, self.limits.decoded) {
            // A global never set folds as null; it stays marked as such.
            v.flags |= args
                .iter()
                .fold(Flags::default(), |f, a| f | a.flags)
                .only(Flags::UNSET);
            return v;
        }
        if catalog::DECODERS.iter().any(|d| d.as_bytes() == name) {
            let mut v = union(args);
            v.flags |= Flags::DECODED;
            return v;
        }
        if catalog::passes_data(name) {
            return union(args);
        }
        if let Some(def) = self.functions.get(name).copied() {
            return self.call_user(def, args, nodes, site);
        }
        Val::unknown()
    }

    /// Reading the request body or headers.
    fn request_read(&self, site: Node<'a>) -> Val<'a> {
        let line = self.place(site).1;
        Val::unknown().with_flags(Flags::REQUEST).step(|| Step {
            line,
            text: short(self.text(site)),
        })
    }

    fn open_stream(&mut self, name: &[u8], target: &Val<'a>, site: Node<'a>) -> Val<'a> {
        if matches!(name, b"fopen" | b"gzopen") && target.as_str().is_none() {
            self.read_sink("fopen", target, site);
        }
        let handle = match name {
            b"fopen" | b"gzopen" => match target.as_str() {
                Some((p, _)) if p.eq_ignore_ascii_case(b"php://input") => Handle::Input,
                Some((p, _)) if is_url(&p) => Handle::Remote,
                _ => Handle::File(target.clone()),
            },
            _ => Handle::Remote,
        };
        Val::of(Shape::Handle(Rc::new(handle)))
    }

    /// `array_map($cb, …)`, `ob_start($cb)`, `usort($a, $cb)`…: the callback is
    /// called with the data of the other arguments.
    fn callback_call(
        &mut self,
        name: &[u8],
        cb: catalog::Callback,
        args: &[Val<'a>],
        site: Node<'a>,
    ) -> Val<'a> {
        let at = cb.at.unwrap_or(args.len().saturating_sub(1));
        let Some(callee) = args.get(at).cloned() else {
            return Val::unknown();
        };
        // Functions that call back with their own arguments, in order; the others
        // (array and regex functions) with pieces of their data.
        let positional = matches!(
            name,
            b"call_user_func"
                | b"call_user_func_array"
                | b"forward_static_call"
                | b"forward_static_call_array"
                | b"register_shutdown_function"
                | b"register_tick_function"
        );
        let spread = name.ends_with(b"_array");
        let mut data: Vec<Val<'a>> = Vec::new();
        if positional {
            for (i, a) in args.iter().enumerate() {
                match (&a.shape, spread) {
                    _ if i == at => {}
                    (Shape::Array(items), true) => {
                        data.extend(items.iter().map(|(_, v)| v.clone()))
                    }
                    _ => data.push(a.clone()),
                }
            }
        } else {
            let pieces: Vec<Val<'a>> = args
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != at)
                .map(|(_, a)| join(&Val::tainted_by(a), &element_join(a)))
                .collect();
            let all = union(&pieces);
            data = vec![all.clone(), all.clone(), all];
        }
        if name == b"ob_start" {
            let runs_code = callee.alternatives().iter().any(|alt| {
                alt.as_str()
                    .is_some_and(|(n, _)| catalog::is_runner(&n.to_ascii_lowercase()))
            });
            if runs_code {
                self.ob_runners.push((site, self.src));
            }
        }
        let result = self.invoke(&callee, &data, site, Via::Callback);
        if matches!(
            name,
            b"call_user_func"
                | b"call_user_func_array"
                | b"forward_static_call"
                | b"forward_static_call_array"
        ) {
            result
        } else {
            union(args)
        }
    }

    /// Calls a callable value.
    pub(super) fn invoke(
        &mut self,
        callee: &Val<'a>,
        args: &[Val<'a>],
        site: Node<'a>,
        via: Via,
    ) -> Val<'a> {
        let mut result: Option<Val<'a>> = None;
        for alt in callee.alternatives() {
            let v = match &alt.shape {
                Shape::Str(name, how) => {
                    let name = name.to_ascii_lowercase();
                    let name = last_segment(&name);
                    if let Some((_, method)) = split_static(name) {
                        self.call_method_named(method, args, site)
                    } else {
                        let shown = String::from_utf8_lossy(name).into_owned();
                        if catalog::is_dangerous_callee(name)
                            && (how.hidden() || alt.flags.has(Flags::DECODED))
                        {
                            self.fact(
                                FactKind::HiddenFunction,
                                &shown,
                                site,
                                alt,
                                Some(name.to_vec()),
                            );
                        }
                        if via == Via::Callback && catalog::is_runner(name) {
                            self.fact(
                                FactKind::RunnerCallback,
                                &shown,
                                site,
                                alt,
                                Some(name.to_vec()),
                            );
                        }
                        self.named(name, args, &[], site)
                    }
                }
                Shape::Closure(c) => {
                    let c = c.clone();
                    self.call_closure(&c, args)
                }
                Shape::Callable(inner) => {
                    let inner = inner.as_ref().clone();
                    self.invoke(&inner, args, site, via)
                }
                Shape::Array(items) => {
                    // [$object, 'method'] or ['Class', 'method'].
                    let method = items.get(1).map(|(_, m)| m.clone()).unwrap_or_default();
                    self.dynamic_method(&method, args, site)
                }
                _ => self.unknown_callee(alt, args, site),
            };
            result = Some(match result {
                Some(r) => join(&r, &v),
                None => v,
            });
        }
        result.unwrap_or_default()
    }

    /// A callee that is not known: chosen by the request, or computed by a decoder.
    fn unknown_callee(&mut self, callee: &Val<'a>, args: &[Val<'a>], site: Node<'a>) -> Val<'a> {
        let flags = callee.flags_deep();
        let text = short(self.text(site));
        if flags.has(Flags::REQUEST) {
            self.fact(FactKind::RequestFunction, &text, site, callee, None);
        } else if callee.flags.has(Flags::UNSET)
            && args
                .iter()
                .any(|a| a.flags_deep().has(Flags::REQUEST) || a.flags_deep().has(Flags::UNSET))
        {
            // `$x($_POST[…])` with `$x` never set: named by the request under
            // register_globals.
            self.fact(FactKind::RegisterGlobals, &text, site, callee, None);
        } else if flags.has(Flags::DECODED) && !flags.has(Flags::MIXED) {
            // A name a decoder computed whole (a name with a written prefix, such
            // as `'imagecreatefrom' . $type`, belongs to the prefix's family).
            self.fact(FactKind::HiddenFunction, &text, site, callee, None);
        }
        Val::unknown()
    }

    /// A method called by name on an object of unknown class: the methods of that
    /// name defined in the code.
    fn call_method_named(&mut self, name: &[u8], args: &[Val<'a>], site: Node<'a>) -> Val<'a> {
        let defs: Vec<FnDef<'a>> = self
            .methods
            .get(name)
            .map(|d| d.iter().take(2).copied().collect())
            .unwrap_or_default();
        let mut result: Option<Val<'a>> = None;
        for def in defs {
            let v = self.call_user(def, args, &[], site);
            result = Some(match result {
                Some(r) => join(&r, &v),
                None => v,
            });
        }
        result.unwrap_or_default()
    }

    /// Every method defined in the code, with these arguments (a few).
    fn call_every_method(&mut self, args: &[Val<'a>], site: Node<'a>) -> Val<'a> {
        let mut defs: Vec<FnDef<'a>> = self.methods.values().flatten().copied().collect();
        defs.sort_by_key(|d| d.node.start_byte());
        defs.truncate(EVERY_METHOD_MAX);
        let mut result = Val::unknown();
        for def in defs {
            let v = self.call_user(def, args, &[], site);
            result = join(&result, &v);
        }
        result
    }

    /// Runs a function defined in the code with these arguments.
    pub(super) fn call_user(
        &mut self,
        def: FnDef<'a>,
        args: &[Val<'a>],
        nodes: &[Node<'a>],
        site: Node<'a>,
    ) -> Val<'a> {
        let id = def.node.id();
        let Some(body) = field(def.node, F::Body) else {
            return Val::unknown();
        };
        if self.call_stack.contains(&id) || self.call_stack.len() >= CALL_DEPTH {
            return union(args);
        }
        if let Some(spent) = self.inlined.get(&id)
            && spent.steps > INLINE_STEPS
        {
            let summary = spent.returned.clone();
            return join(&union(args), &summary);
        }
        let key = (id, signature(args));
        if let Some(v) = self.memo.get(&key) {
            return v.clone();
        }
        let steps_before = self.steps;
        let saved_src = self.src;
        self.src = def.source;
        let mut frame = Frame::new(true);
        frame.args = args.to_vec();
        let mut refs: Vec<(Node<'a>, Vec<u8>)> = Vec::new();
        let params = field(def.node, F::Parameters);
        let mut bound: Vec<(Vec<u8>, Val<'a>)> = Vec::new();
        if let Some(params) = params {
            let mut c = params.walk();
            for (i, p) in params.named_children(&mut c).enumerate() {
                let Some(name) = field(p, F::Name).and_then(|n| self.var_name(n)) else {
                    continue;
                };
                let v = if kind(p) == Some(K::VariadicParameter) {
                    let rest = args
                        .iter()
                        .skip(i)
                        .enumerate()
                        .map(|(j, v)| (Key::Int(j as i64), v.clone()))
                        .collect();
                    Val::of(Shape::Array(Rc::new(rest)))
                } else {
                    match args.get(i) {
                        Some(v) => v.clone(),
                        None => field(p, F::DefaultValue)
                            .map(|d| self.expr(d))
                            .unwrap_or_default(),
                    }
                };
                // The call's line and text only for a tainted argument (finding
                // the line walks the tree).
                let v = v.step(|| Step {
                    line: self.place_in(saved_src, site).1,
                    text: short(self.text_in(saved_src, site)),
                });
                if field(p, F::ReferenceModifier).is_some()
                    && let Some(n) = nodes.get(i)
                {
                    refs.push((*n, name.clone()));
                }
                bound.push((name, v));
            }
        }
        frame.vars.extend(bound);
        self.push_frame(frame);
        self.call_stack.push(id);
        let saved = self.enter_body();
        self.stmt(body);
        self.leave_body(saved);
        self.call_stack.pop();
        let frame = self.pop_frame();
        self.src = saved_src;
        for (node, name) in refs {
            if let Some(v) = frame.vars.get(&name) {
                self.assign(node, v.clone());
            }
        }
        let ret = frame.ret.unwrap_or_default();
        self.memo.insert(key, ret.clone());
        let spent = self.inlined.entry(id).or_default();
        spent.steps += self.steps - steps_before;
        spent.returned = join(&spent.returned, &Val::tainted_by(&ret));
        ret
    }

    pub(super) fn call_closure(&mut self, c: &Rc<Closure<'a>>, args: &[Val<'a>]) -> Val<'a> {
        let id = c.body.id();
        if self.call_stack.contains(&id) || self.call_stack.len() >= CALL_DEPTH {
            return union(args);
        }
        self.ran.insert(id);
        let mut frame = Frame::new(true);
        frame.args = args.to_vec();
        frame.vars.extend(c.captured.iter().cloned());
        for (i, name) in c.params.iter().enumerate() {
            frame
                .vars
                .insert(name.clone(), args.get(i).cloned().unwrap_or_default());
        }
        let saved_src = self.src;
        self.src = c.source;
        self.push_frame(frame);
        self.call_stack.push(id);
        let saved = self.enter_body();
        let ret = if c.arrow {
            self.expr(c.body)
        } else {
            self.stmt(c.body);
            Val::unknown()
        };
        self.leave_body(saved);
        self.call_stack.pop();
        let frame = self.pop_frame();
        self.src = saved_src;
        if c.arrow {
            ret
        } else {
            frame.ret.unwrap_or_default()
        }
    }

    /// Control flow starts afresh in a function body (or evaluated code).
    pub(super) fn enter_body(&mut self) -> (Flow, bool) {
        (
            std::mem::replace(&mut self.flow, Flow::Normal),
            std::mem::replace(&mut self.uncertain_exit, false),
        )
    }

    pub(super) fn leave_body(&mut self, (flow, uncertain): (Flow, bool)) {
        self.flow = flow;
        self.uncertain_exit = uncertain;
    }

    /// `$o->m(…)`, `$o->$m(…)`.
    pub(super) fn method_call(&mut self, node: Node<'a>) -> Val<'a> {
        let object = field(node, F::Object)
            .map(|o| self.expr(o))
            .unwrap_or_default();
        let (args, _) = self.args(field(node, F::Arguments));
        let Some(name_node) = field(node, F::Name) else {
            return Val::unknown();
        };
        if kind(name_node) != Some(K::Name) {
            let name = self.expr(name_node);
            return self.dynamic_method(&name, &args, node);
        }
        let name = self.text(name_node).to_ascii_lowercase();
        if let Shape::Handle(h) = &object.shape
            && matches!(h.as_ref(), Handle::Shell)
            && matches!(&name[..], b"exec" | b"run" | b"shellexecute")
        {
            let cmd = args.first().cloned().unwrap_or_default();
            let n = String::from_utf8_lossy(&name).into_owned();
            self.command_sink(&n, &cmd, node);
            return Val::unknown();
        }
        match (&object.shape, &name[..]) {
            (Shape::Callable(inner), b"invoke" | b"invokeargs" | b"__invoke") => {
                let inner = inner.as_ref().clone();
                let args = if name == b"invokeargs" {
                    spread_first(&args)
                } else {
                    args
                };
                self.invoke(&inner, &args, node, Via::Dynamic)
            }
            (Shape::Closure(c), b"call" | b"__invoke") => {
                let c = c.clone();
                let args = if name == b"call" {
                    args.get(1..).unwrap_or(&[]).to_vec()
                } else {
                    args
                };
                self.call_closure(&c, &args)
            }
            _ => self.call_method_named(&name, &args, node),
        }
    }

    /// A method whose name is a value.
    fn dynamic_method(&mut self, name: &Val<'a>, args: &[Val<'a>], site: Node<'a>) -> Val<'a> {
        let mut result: Option<Val<'a>> = None;
        for alt in name.alternatives() {
            let v = match alt.as_str() {
                Some((m, _)) => {
                    let m = m.to_ascii_lowercase();
                    self.call_method_named(&m, args, site)
                }
                None => {
                    if alt.flags_deep().has(Flags::REQUEST) {
                        let text = short(self.text(site));
                        self.fact(FactKind::RequestMethod, &text, site, alt, None);
                        // The request may name any of them.
                        self.call_every_method(args, site)
                    } else {
                        Val::unknown()
                    }
                }
            };
            result = Some(match result {
                Some(r) => join(&r, &v),
                None => v,
            });
        }
        result.unwrap_or_default()
    }

    /// `A::m(…)`, `parent::m(…)`, `A::$m(…)`.
    pub(super) fn static_call(&mut self, node: Node<'a>) -> Val<'a> {
        let (args, _) = self.args(field(node, F::Arguments));
        let Some(name_node) = field(node, F::Name) else {
            return Val::unknown();
        };
        if kind(name_node) != Some(K::Name) {
            let name = self.expr(name_node);
            return self.dynamic_method(&name, &args, node);
        }
        // A class of this file, or the class the code is in; not a library's
        // class that happens to share a method name with one here.
        let own = field(node, F::Scope).is_none_or(|scope| {
            let scope = last_segment(self.text(scope)).to_ascii_lowercase();
            matches!(&scope[..], b"self" | b"static" | b"parent")
                || self.class_names.contains(&scope)
        });
        if !own {
            return Val::unknown();
        }
        let name = self.text(name_node).to_ascii_lowercase();
        self.call_method_named(&name, &args, node)
    }

    /// `new C(…)`: the constructor runs; `new $c` names a class from a value.
    pub(super) fn new_object(&mut self, node: Node<'a>) -> Val<'a> {
        let (args, _) = self.args(
            node.named_children(&mut node.walk())
                .find(|c| kind(*c) == Some(K::Arguments)),
        );
        let Some(class) = node.named_child(0) else {
            return Val::unknown();
        };
        match kind(class) {
            Some(K::Name) | Some(K::QualifiedName) => {
                let name = last_segment(self.text(class)).to_ascii_lowercase();
                if name == b"reflectionfunction" {
                    return Val::of(Shape::Callable(Rc::new(
                        args.first().cloned().unwrap_or_default(),
                    )));
                }
                // Windows' shell objects through COM: their methods run programs.
                if name == b"com"
                    && args.first().and_then(Val::as_str).is_some_and(|(p, _)| {
                        let p = p.to_ascii_lowercase();
                        p.starts_with(b"wscript.shell") || p.starts_with(b"shell.application")
                    })
                {
                    return Val::of(Shape::Handle(Rc::new(Handle::Shell)));
                }
                if let Some(def) = self.classes.get(&name).copied() {
                    self.call_user(def, &args, &[], node);
                }
                Val::unknown()
            }
            Some(K::AnonymousClass) | Some(K::Arguments) => Val::unknown(),
            _ => {
                let c = self.expr(class);
                let flags = c.flags_deep();
                let text = short(self.text(node));
                if flags.has(Flags::REQUEST) {
                    self.fact(FactKind::RequestMethod, &text, node, &c, None);
                }
                Val::unknown()
            }
        }
    }

    /// `create_function('$a', 'code')`: the code is parsed (when known) into a
    /// closure; code from the request or a decoder is a sink right away.
    fn create_function(&mut self, params: &Val<'a>, body: &Val<'a>, site: Node<'a>) -> Val<'a> {
        let Some((code, how)) = body.as_str() else {
            self.code_sink("create_function", body, site);
            return Val::unknown();
        };
        let code = code.into_owned();
        if how.has(How::TRANSFORMED) || how.has(How::ESCAPED) {
            self.fact(
                FactKind::HiddenCode,
                "create_function",
                site,
                body,
                Some(code.clone()),
            );
        }
        let names: Vec<Vec<u8>> = params
            .as_str()
            .map(|(p, _)| {
                p.split(|&b| b == b',')
                    .filter_map(|s| {
                        let s = s.trim_ascii();
                        let s = s.rsplit(|&b| b == b' ').next().unwrap_or(s);
                        s.strip_prefix(b"$").map(<[u8]>::to_vec)
                    })
                    .collect()
            })
            .unwrap_or_default();
        match self.parse_code(&code, site, Origin::Decoded) {
            Some((root, source)) => Val::of(Shape::Closure(Rc::new(Closure {
                params: names,
                body: root,
                source,
                captured: Vec::new(),
                arrow: false,
            }))),
            None => Val::unknown(),
        }
    }

    /// The current frame's variables, for an arrow function.
    pub(super) fn snapshot_vars(&self) -> Vec<(Vec<u8>, Val<'a>)> {
        let vars = &self.locals.last().unwrap_or(&self.global).vars;
        vars.iter()
            .take(CAPTURE_MAX)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Functions, methods and closures the walk never called: run once with
    /// unknown arguments, so what they do with request data is seen.
    pub(super) fn run_uncalled(&mut self) {
        let mut defs: Vec<FnDef<'a>> = self.functions.values().copied().collect();
        defs.extend(self.methods.values().flatten().copied());
        defs.sort_by_key(|d| d.node.start_byte());
        for def in defs {
            if self.cut.is_some() {
                return;
            }
            if !self.inlined.contains_key(&def.node.id()) {
                self.src = def.source;
                if catalog::may_matter(self.text(def.node)) {
                    self.call_user(def, &[], &[], def.node);
                }
            }
        }
        for c in std::mem::take(&mut self.closures) {
            if self.cut.is_some() {
                return;
            }
            if !self.ran.contains(&c.body.id()) {
                self.call_closure(&c, &[]);
            }
        }
    }
}

/// `Foo\bar` → `bar`; `\system` → `system`.
fn last_segment(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b'\\') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// `Class::method` → (`Class`, `method`).
fn split_static(name: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = memchr::memmem::find(name, b"::")?;
    Some((&name[..at], &name[at + 2..]))
}

fn is_url(p: &[u8]) -> bool {
    let lower = p.to_ascii_lowercase();
    ["http://", "https://", "ftp://", "ftps://"]
        .iter()
        .any(|s| lower.starts_with(s.as_bytes()))
}

/// An unknown value carrying the data of all `vals`.
fn union<'a>(vals: &[Val<'a>]) -> Val<'a> {
    vals.iter()
        .filter(|v| !v.flags_deep().is_empty())
        .fold(Val::unknown(), |acc, v| join(&acc, &Val::tainted_by(v)))
}

/// What the elements of an array carry.
fn element_join<'a>(v: &Val<'a>) -> Val<'a> {
    match &v.shape {
        Shape::Array(items) => items
            .iter()
            .fold(Val::unknown(), |acc, (_, e)| join(&acc, e)),
        _ => Val::tainted_by(v),
    }
}

/// `invokeArgs([$a, $b])`: the first argument's elements.
fn spread_first<'a>(args: &[Val<'a>]) -> Vec<Val<'a>> {
    match args.first().map(|a| &a.shape) {
        Some(Shape::Array(items)) => items.iter().map(|(_, v)| v.clone()).collect(),
        _ => args.to_vec(),
    }
}

/// What distinguishes two calls for the memo: each argument's flags and constant.
fn signature(args: &[Val]) -> u64 {
    let mut h = DefaultHasher::new();
    for a in args {
        a.flags_deep().hash(&mut h);
        match &a.shape {
            Shape::Str(s, how) => {
                s.hash(&mut h);
                how.hash(&mut h);
            }
            Shape::Int(i) => i.hash(&mut h),
            Shape::Closure(c) => c.body.id().hash(&mut h),
            Shape::Array(items) => items.len().hash(&mut h),
            _ => 0u8.hash(&mut h),
        }
    }
    h.finish()
}

//! The abstract interpreter: walks the syntax tree in program order, computing
//! for every expression a [`Val`] (what is known of it, where its data comes from)
//! and recording a [`Fact`] whenever tainted or hidden data reaches a sink.
//!
//! - `env`: variables, scopes, branches and their joins;
//! - `stmt`: statements and control flow (branches joined, loops run twice);
//! - `expr`: expressions, constant folding of operators, sources;
//! - `calls`: PHP's functions, user functions inlined, callbacks and dynamic calls;
//! - `sinks`: code, command, include, file and mail sinks and the facts they give.
//!
//! Code decoded at analysis time (`eval(base64_decode('…'))`) is parsed and walked
//! in the same scope, recursively, within the [`Limits`].

mod calls;
mod env;
mod expr;
mod sinks;
mod stmt;

use crate::facts::{Fact, Facts, Origin};
use crate::parse::Parsers;
use crate::syntax::{F, K, field, kind};
use crate::value::Val;
use crate::{Cut, Limits};
use env::Frame;
use std::collections::HashMap;
use std::time::Instant;
use tree_sitter::{Node, Tree};
use typed_arena::Arena;

/// A parsed piece of code: the analysed file, or code decoded from it.
pub(crate) struct Source {
    pub bytes: Vec<u8>,
    pub tree: Tree,
    /// For decoded or written code: the offset and line, in the analysed file, of
    /// the call that runs or writes it (facts inside it point there).
    pub anchor: Option<(usize, u32)>,
    pub origin: Origin,
}

/// A function or method defined in the code.
#[derive(Clone, Copy)]
pub(crate) struct FnDef<'a> {
    pub node: Node<'a>,
    pub source: usize,
}

/// Where control goes after a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Normal,
    /// `break N` (levels left).
    Break(u32),
    /// `continue N`.
    Continue(u32),
    Return,
}

/// What a function's inlined calls cost so far, and what they returned.
#[derive(Default)]
pub(crate) struct Spent<'a> {
    pub steps: u64,
    pub returned: Val<'a>,
}

/// Steps a file may spend in loops followed exactly (decoders' loops); beyond,
/// loops are approximated.
const EXACT_STEPS: u64 = 400_000;

/// Most nodes looked at for first uses of variables.
const FIRST_USES_MAX: usize = 4_000_000;

/// Most request field names looked for in a file.
const FIELDS_MAX: usize = 4096;

/// The names of the fields a file's forms and links send (`name="cmd"`,
/// `name=cmd`, `?cmd=`, `&cmd=`).
fn request_fields(bytes: &[u8]) -> std::collections::HashSet<&[u8]> {
    let mut fields = std::collections::HashSet::new();
    let is_name = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    let mut add = |from: usize| {
        let name_len = bytes[from..].iter().take_while(|b| is_name(b)).count();
        if name_len > 0 && fields.len() < FIELDS_MAX {
            fields.insert(&bytes[from..from + name_len]);
        }
    };
    for at in memchr::memmem::find_iter(bytes, b"name=") {
        let mut i = at + 5;
        if matches!(bytes.get(i), Some(b'"' | b'\'' | b'\\')) {
            i += 1;
        }
        if matches!(bytes.get(i), Some(b'"' | b'\'')) {
            i += 1;
        }
        add(i);
    }
    for (i, w) in bytes.windows(2).enumerate() {
        if matches!(w[0], b'?' | b'&') && is_name(&w[1]) {
            let end = i + 1 + bytes[i + 1..].iter().take_while(|b| is_name(b)).count();
            if bytes.get(end) == Some(&b'=') {
                add(i + 1);
            }
        }
    }
    fields
}

/// Whether a variable node is written where it stands: an assignment's target, a
/// parameter, a loop or `list()` target, a `global`/`static` declaration.
fn is_written(node: Node, bytes: &[u8]) -> bool {
    let Some(parent) = node.parent() else {
        return false;
    };
    match kind(parent) {
        Some(K::AssignmentExpression)
        | Some(K::AugmentedAssignmentExpression)
        | Some(K::ReferenceAssignmentExpression) => {
            field(parent, F::Left).is_some_and(|l| l.id() == node.id())
        }
        Some(K::ForeachStatement) => parent.named_child(0).is_some_and(|l| l.id() != node.id()),
        Some(K::SimpleParameter)
        | Some(K::VariadicParameter)
        | Some(K::StaticVariableDeclaration)
        | Some(K::GlobalDeclaration)
        | Some(K::ListLiteral)
        | Some(K::Pair)
        | Some(K::CatchClause)
        | Some(K::ByRef) => true,
        Some(K::Argument) => output_argument(parent, bytes),
        _ => false,
    }
}

/// An argument a PHP function writes its result into (`exec($c, $out)`,
/// `preg_match($p, $s, $m)`).
fn output_argument(argument: Node, bytes: &[u8]) -> bool {
    let Some(call) = argument.parent().and_then(|args| args.parent()) else {
        return false;
    };
    let Some(name) = field(call, F::Function) else {
        return false;
    };
    let position = {
        let mut c = argument.walk();
        argument.parent().map(|args| {
            args.named_children(&mut c)
                .position(|a| a.id() == argument.id())
        })
    };
    let Some(Some(position)) = position else {
        return false;
    };
    let name = bytes
        .get(name.byte_range())
        .unwrap_or_default()
        .to_ascii_lowercase();
    crate::catalog::output_arguments(&name).contains(&position)
}

/// Deepest nesting of statements and expressions walked (calls included).
const MAX_NESTING: usize = 2000;
/// Stack kept free for one level of the walk; below it, a new segment of
/// [`STACK_SEGMENT`] is allocated (`stacker`).
pub(crate) const STACK_RED_ZONE: usize = 64 << 10;
pub(crate) const STACK_SEGMENT: usize = 2 << 20;

/// Steps between two looks at the clock.
const CLOCK_EVERY: u64 = 2048;

pub(crate) struct Interp<'a, 'p> {
    arena: &'a Arena<Source>,
    sources: Vec<&'a Source>,
    /// The source whose nodes are being walked.
    src: usize,
    parsers: &'p mut Parsers,
    limits: &'p Limits,
    deadline: Instant,
    steps: u64,
    decoded_bytes: usize,
    /// Structure bytes parsed so far (the file's, then decoded code's): see
    /// [`crate::Limits::structure`].
    pub structure: usize,
    /// The walk stopped early (time or steps).
    pub cut: Option<Cut>,
    /// Some decoded code was not analysed (nesting or size limit); the walk went on.
    pub skipped: Option<Cut>,
    /// Nesting of code decoded at analysis time.
    eval_depth: usize,
    /// Nesting of the walk (statements and expressions within each other).
    nesting: usize,
    /// Nesting of loops (for mail in a loop).
    loop_depth: usize,
    /// Where control goes: followed exactly where conditions are known.
    flow: Flow,
    /// A branch whose condition was not known left a loop or function: loops
    /// run with known conditions can no longer be followed exactly.
    uncertain_exit: bool,

    functions: HashMap<Vec<u8>, FnDef<'a>>,
    /// Methods by lower-case name (all classes together).
    methods: HashMap<Vec<u8>, Vec<FnDef<'a>>>,
    /// Constructors by lower-case class name.
    classes: HashMap<Vec<u8>, FnDef<'a>>,
    /// The analysed file's host path (`__FILE__`), when known.
    pub file_path: Option<Vec<u8>>,
    /// Variables whose first appearance reads them (see `first_uses`).
    first_read: std::collections::HashSet<Vec<u8>>,
    /// Lower-case names of the classes (and traits, enums) defined in the code.
    class_names: std::collections::HashSet<Vec<u8>>,
    consts: HashMap<Vec<u8>, Val<'a>>,
    /// Object properties by name, all objects together.
    props: HashMap<Vec<u8>, Val<'a>>,
    /// When set, every property holds this (an object the request unserialized).
    props_from: Option<Val<'a>>,
    /// The global scope, and the scopes of the functions being inlined.
    global: Frame<'a>,
    locals: Vec<Frame<'a>>,
    /// Function definitions being inlined (innermost last).
    call_stack: Vec<usize>,
    memo: HashMap<(usize, u64), Val<'a>>,
    /// What each function's inlined calls cost and returned (by definition node id).
    inlined: HashMap<usize, Spent<'a>>,
    /// Steps left for loops followed exactly.
    exact_steps: u64,
    /// Closures created, and the bodies of those that ran (by node id).
    closures: Vec<std::rc::Rc<crate::value::Closure<'a>>>,
    ran: std::collections::HashSet<usize>,

    /// Request data was printed (what an output-buffer callback receives).
    echoed: Option<Val<'a>>,
    /// `ob_start` calls given a code runner as callback (with their source).
    ob_runners: Vec<(Node<'a>, usize)>,
    /// Request data given to `unserialize`, and where (with its source).
    unserialized: Option<(Val<'a>, Node<'a>, usize)>,

    pub facts: Facts,
}

impl<'a, 'p> Interp<'a, 'p> {
    pub fn new(arena: &'a Arena<Source>, parsers: &'p mut Parsers, limits: &'p Limits) -> Self {
        Interp {
            arena,
            sources: Vec::new(),
            src: 0,
            parsers,
            limits,
            deadline: Instant::now() + limits.time,
            steps: 0,
            decoded_bytes: 0,
            structure: 0,
            cut: None,
            skipped: None,
            eval_depth: 0,
            nesting: 0,
            loop_depth: 0,
            flow: Flow::Normal,
            uncertain_exit: false,
            functions: HashMap::new(),
            methods: HashMap::new(),
            classes: HashMap::new(),
            class_names: std::collections::HashSet::new(),
            first_read: std::collections::HashSet::new(),
            file_path: None,
            consts: HashMap::new(),
            props: HashMap::new(),
            props_from: None,
            global: Frame::new(false),
            locals: Vec::new(),
            call_stack: Vec::new(),
            memo: HashMap::new(),
            inlined: HashMap::new(),
            exact_steps: EXACT_STEPS,
            closures: Vec::new(),
            ran: std::collections::HashSet::new(),
            echoed: None,
            ob_runners: Vec::new(),
            unserialized: None,
            facts: Facts::default(),
        }
    }

    /// Walks a whole file.
    pub fn run(&mut self, source: Source) {
        let id = self.add_source(source);
        let root = self.sources[id].tree.root_node();
        self.src = id;
        self.stmt(root);
        self.run_uncalled();
        self.after_run();
    }

    /// Registers a parsed source and the functions and classes it defines.
    fn add_source(&mut self, source: Source) -> usize {
        let source: &'a Source = self.arena.alloc(source);
        let id = self.sources.len();
        self.sources.push(source);
        self.register(source.tree.root_node(), id);
        self.first_uses(source.tree.root_node(), id);
        id
    }

    /// Records the variables whose first appearance in the code reads them and
    /// whose name is a field of a form or link in the file: the ones PHP 4's
    /// register_globals fills from the request (`<input name="cmd">` … `$cmd`).
    /// A variable set in one branch and read after the others, or one an
    /// application's other files set, is only the code's own.
    fn first_uses(&mut self, root: Node<'a>, source: usize) {
        let bytes = &self.sources[source].bytes;
        let fields = request_fields(bytes);
        if fields.is_empty() {
            return;
        }
        let mut seen: std::collections::HashSet<&'a [u8]> = std::collections::HashSet::new();
        let mut cursor = root.walk();
        let mut steps = 0usize;
        loop {
            let node = cursor.node();
            if kind(node) == Some(K::VariableName)
                && let Some(name) = node.named_child(0).and_then(|n| bytes.get(n.byte_range()))
                && seen.insert(name)
                && fields.contains(name)
                && !is_written(node, bytes)
            {
                self.first_read.insert(name.to_vec());
            }
            steps += 1;
            if steps > FIRST_USES_MAX {
                return;
            }
            if cursor.goto_first_child() || cursor.goto_next_sibling() {
                continue;
            }
            loop {
                if !cursor.goto_parent() {
                    return;
                }
                if cursor.goto_next_sibling() {
                    break;
                }
            }
        }
    }

    /// Finds function, method and class definitions anywhere in the tree (an
    /// explicit stack: the tree may be deeper than the thread's stack allows).
    fn register(&mut self, root: Node<'a>, source: usize) {
        let mut stack: Vec<(Node<'a>, Option<Vec<u8>>)> = vec![(root, None)];
        while let Some((node, class)) = stack.pop() {
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                match kind(child) {
                    Some(K::FunctionDefinition) => {
                        if let Some(name) = self.name_of(child, source) {
                            let def = self.def(child, source);
                            self.functions.entry(name).or_insert(def);
                        }
                        if let Some(body) = field(child, F::Body) {
                            stack.push((body, None));
                        }
                    }
                    Some(K::MethodDeclaration) => {
                        if let Some(name) = self.name_of(child, source) {
                            let def = self.def(child, source);
                            if name == b"__construct"
                                && let Some(c) = &class
                            {
                                self.classes.entry(c.clone()).or_insert(def);
                            }
                            self.methods.entry(name).or_default().push(def);
                        }
                    }
                    Some(K::ClassDeclaration)
                    | Some(K::TraitDeclaration)
                    | Some(K::EnumDeclaration) => {
                        let class = self.name_of(child, source);
                        if let Some(c) = &class {
                            self.class_names.insert(c.clone());
                        }
                        if let Some(body) = field(child, F::Body) {
                            stack.push((body, class));
                        }
                    }
                    // Definitions nested in statements (`if (!function_exists('f')) { … }`).
                    _ if child.named_child_count() > 0 => stack.push((child, class.clone())),
                    _ => {}
                }
            }
        }
    }

    fn def(&mut self, node: Node<'a>, source: usize) -> FnDef<'a> {
        FnDef { node, source }
    }

    /// The lower-case name of a definition.
    fn name_of(&self, node: Node<'a>, source: usize) -> Option<Vec<u8>> {
        let name = field(node, F::Name)?;
        Some(self.sources[source].bytes[name.byte_range()].to_ascii_lowercase())
    }

    /// The bytes of a node of the current source.
    fn text(&self, node: Node<'a>) -> &'a [u8] {
        self.text_in(self.src, node)
    }

    /// The text of a node of source `src`.
    fn text_in(&self, src: usize, node: Node<'a>) -> &'a [u8] {
        let source: &'a Source = self.sources[src];
        source.bytes.get(node.byte_range()).unwrap_or_default()
    }

    /// Offset and line of a node, in the analysed file.
    fn place(&self, node: Node<'a>) -> (usize, u32) {
        self.place_in(self.src, node)
    }

    /// Offset and line of a node of source `src`, in the analysed file.
    fn place_in(&self, src: usize, node: Node<'a>) -> (usize, u32) {
        match self.sources[src].anchor {
            Some(anchor) => anchor,
            None => (node.start_byte(), node.start_position().row as u32 + 1),
        }
    }

    /// Counts a step; false once a limit is reached (the walk then unwinds).
    fn tick(&mut self) -> bool {
        if self.cut.is_some() {
            return false;
        }
        self.steps += 1;
        if self.steps > self.limits.steps {
            self.cut = Some(Cut::Steps);
            return false;
        }
        if self.steps.is_multiple_of(CLOCK_EVERY) && Instant::now() > self.deadline {
            self.cut = Some(Cut::Time);
            return false;
        }
        true
    }

    /// Enters a nested statement or expression; false (and nothing entered) past
    /// the nesting limit, which keeps the walk's stack bounded.
    fn enter(&mut self) -> bool {
        if self.nesting >= MAX_NESTING {
            self.skipped = Some(Cut::Nesting);
            return false;
        }
        self.nesting += 1;
        true
    }

    /// What only the whole file tells: output-buffer callbacks fed request data,
    /// and magic methods run on an object the request unserialized.
    fn after_run(&mut self) {
        if let Some(echoed) = self.echoed.clone() {
            for (site, source) in std::mem::take(&mut self.ob_runners) {
                self.src = source;
                self.fact(
                    crate::FactKind::RequestCode,
                    "ob_start callback",
                    site,
                    &echoed,
                    None,
                );
            }
        }
        if let Some((data, site, source)) = self.unserialized.take() {
            self.src = source;
            let before = self.facts.list.len();
            let magic: Vec<FnDef<'a>> = [
                &b"__destruct"[..],
                b"__wakeup",
                b"__tostring",
                b"__unserialize",
                b"__call",
                b"__get",
            ]
            .iter()
            .filter_map(|m| self.methods.get(*m))
            .flatten()
            .copied()
            .collect();
            let saved = std::mem::take(&mut self.props);
            for def in magic {
                self.props_from = Some(data.clone());
                self.memo.clear();
                self.inlined.clear();
                self.call_user(def, &[], &[], site);
            }
            self.props_from = None;
            self.props = saved;
            if self.facts.list.len() > before {
                self.fact(
                    crate::FactKind::ObjectInjection,
                    "unserialize",
                    site,
                    &data,
                    None,
                );
            }
        }
    }

    pub fn into_facts(self) -> Vec<Fact> {
        self.facts.list
    }
}

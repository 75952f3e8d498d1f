//! What the analysis knows of a PHP value: its shape (a string or number known at
//! analysis time, an array of known elements, a closure, one of a few
//! alternatives, or unknown), where it may come from (request data, decoded at run
//! time, the network, an uploaded file) and the trail of steps that brought it
//! there, for the finding.

use crate::facts::Step;
use std::rc::Rc;
use tree_sitter::Node;

/// Where a value's data may come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) struct Flags(u8);

impl Flags {
    /// Chosen by whoever sends the request: superglobals, request headers, the body.
    pub const REQUEST: Flags = Flags(1);
    /// Computed at run time by a decoder (base64, inflate, XOR, `chr`…) from data
    /// the analysis could not fold.
    pub const DECODED: Flags = Flags(2);
    /// Read from the network (a URL, a socket, curl).
    pub const REMOTE: Flags = Flags(4);
    /// A request field named like a password (`pass`, `pwd`…).
    pub const SECRET: Flags = Flags(8);
    /// The temporary path of an uploaded file (`$_FILES[…]['tmp_name']`).
    pub const UPLOAD: Flags = Flags(16);
    /// A hash of request data (not the data: a hash compared with a literal is a
    /// password check).
    pub const HASH: Flags = Flags(32);
    /// Put together with other text (a path prefix, a command's options): the
    /// request chooses part of the value, not all of it.
    pub const MIXED: Flags = Flags(64);
    /// A global variable the code never sets: null, or under PHP 4's
    /// `register_globals` whatever the request says.
    pub const UNSET: Flags = Flags(128);

    pub fn has(self, other: Flags) -> bool {
        self.0 & other.0 != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// These flags, restricted to `keep`.
    pub fn only(self, keep: Flags) -> Flags {
        Flags(self.0 & keep.0)
    }
}

impl std::ops::BitOr for Flags {
    type Output = Flags;
    fn bitor(self, o: Flags) -> Flags {
        Flags(self.0 | o.0)
    }
}

impl std::ops::BitOrAssign for Flags {
    fn bitor_assign(&mut self, o: Flags) {
        self.0 |= o.0;
    }
}

/// How a string known at analysis time was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) struct How(u8);

impl How {
    pub const PLAIN: How = How(0);
    /// Hex, octal or Unicode escapes (`"\x65val"`).
    pub const ESCAPED: How = How(1);
    /// Put together from pieces (`'ev'.'al'`, barewords, `chr()`, offsets).
    pub const ASSEMBLED: How = How(2);
    /// Decoded, reversed, rotated or XOR-ed at analysis time.
    pub const TRANSFORMED: How = How(4);

    pub fn has(self, other: How) -> bool {
        self.0 & other.0 != 0
    }

    /// Anything but a plain literal: the name was hidden from a reader.
    pub fn hidden(self) -> bool {
        self.0 != 0
    }
}

impl std::ops::BitOr for How {
    type Output = How;
    fn bitor(self, o: How) -> How {
        How(self.0 | o.0)
    }
}

/// The steps that brought a value where it is (newest last), shared and bounded.
#[derive(Debug)]
pub(crate) struct Trail {
    pub step: Step,
    pub prev: Option<Rc<Trail>>,
    pub len: usize,
}

/// Steps kept per trail: the source and the first hops after it.
const TRAIL_MAX: usize = 8;

/// Extends a trail by one step (beyond [`TRAIL_MAX`], the trail is kept as is).
pub(crate) fn push_step(trail: &Option<Rc<Trail>>, step: Step) -> Option<Rc<Trail>> {
    let len = trail.as_ref().map_or(0, |t| t.len);
    if len >= TRAIL_MAX || trail.as_ref().is_some_and(|t| t.step == step) {
        return trail.clone();
    }
    Some(Rc::new(Trail {
        step,
        prev: trail.clone(),
        len: len + 1,
    }))
}

/// The steps of a trail, oldest first.
pub(crate) fn steps(trail: &Option<Rc<Trail>>) -> Vec<Step> {
    let mut out = Vec::new();
    let mut t = trail.as_ref();
    while let Some(node) = t {
        out.push(node.step.clone());
        t = node.prev.as_ref();
    }
    out.reverse();
    out
}

/// An array key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Key {
    Int(i64),
    Str(Vec<u8>),
}

/// A callable value defined in the analysed code.
#[derive(Debug)]
pub(crate) struct Closure<'a> {
    /// Parameter names, in order.
    pub params: Vec<Vec<u8>>,
    /// The body (a compound statement, an expression, or a parsed program).
    pub body: Node<'a>,
    /// Which source the nodes belong to.
    pub source: usize,
    /// Variables captured with `use` (or the whole scope for arrow functions).
    pub captured: Vec<(Vec<u8>, Val<'a>)>,
    /// An arrow function: the body is an expression whose value is returned.
    pub arrow: bool,
}

/// What an opened stream reads from or writes to.
#[derive(Debug, Clone)]
pub(crate) enum Handle<'a> {
    /// A file, with its path.
    File(Val<'a>),
    /// The request body (`php://input`).
    Input,
    /// A URL, a socket or a curl handle.
    Remote,
    /// A Windows shell object (`new COM('WScript.Shell')`): its methods run
    /// programs.
    Shell,
}

#[derive(Debug, Clone, Default)]
pub(crate) enum Shape<'a> {
    #[default]
    Unknown,
    Str(Rc<Vec<u8>>, How),
    Int(i64),
    Bool(bool),
    Null,
    Array(Rc<Vec<(Key, Val<'a>)>>),
    /// One of these (after branches that assigned different values).
    Choice(Rc<Vec<Val<'a>>>),
    Closure(Rc<Closure<'a>>),
    /// A callable wrapped in an object (`new ReflectionFunction($f)`).
    Callable(Rc<Val<'a>>),
    /// `$_SERVER`: request data under `HTTP_*` and a few other keys.
    Server,
    /// `$GLOBALS`: every global variable by name.
    Globals,
    Handle(Rc<Handle<'a>>),
}

/// A value: its shape, where its data may come from, and how it got here.
#[derive(Debug, Clone, Default)]
pub(crate) struct Val<'a> {
    pub shape: Shape<'a>,
    pub flags: Flags,
    pub trail: Option<Rc<Trail>>,
    /// Request field names this value carries (`$_POST['pass']` → `pass`), a few.
    pub fields: Option<Rc<Vec<Vec<u8>>>>,
    /// For a value put together from unknown and known pieces: the known end
    /// (`$dir . '/x.php'` ends in `/x.php`), a few bytes.
    pub tail: Option<Rc<Vec<u8>>>,
}

/// Most alternatives a [`Shape::Choice`] keeps.
const CHOICES: usize = 8;
/// Largest arrays joined element by element.
const ARRAY_JOIN: usize = 64;
/// Most request field names a value remembers.
const FIELDS: usize = 12;

impl<'a> Val<'a> {
    pub fn unknown() -> Val<'a> {
        Val::default()
    }

    pub fn str(bytes: Vec<u8>, how: How) -> Val<'a> {
        Val {
            shape: Shape::Str(Rc::new(bytes), how),
            ..Val::default()
        }
    }

    pub fn int(i: i64) -> Val<'a> {
        Val {
            shape: Shape::Int(i),
            ..Val::default()
        }
    }

    pub fn of(shape: Shape<'a>) -> Val<'a> {
        Val {
            shape,
            ..Val::default()
        }
    }

    /// An unknown value carrying what `from` carries.
    pub fn tainted_by(from: &Val<'a>) -> Val<'a> {
        Val {
            shape: Shape::Unknown,
            flags: from.flags_deep(),
            trail: from.trail_deep(),
            fields: from.fields_deep(),
            tail: None,
        }
    }

    /// How the value ends, when known: the whole string, or the known tail of
    /// one put together.
    pub fn known_end(&self) -> Option<std::borrow::Cow<'_, [u8]>> {
        match self.as_str() {
            Some((s, _)) => Some(s),
            None => self
                .tail
                .as_deref()
                .map(|t| std::borrow::Cow::Borrowed(t.as_slice())),
        }
    }

    pub fn with_flags(mut self, flags: Flags) -> Val<'a> {
        self.flags |= flags;
        self
    }

    /// The string value, if known (a number is its decimal form).
    pub fn as_str(&self) -> Option<(std::borrow::Cow<'_, [u8]>, How)> {
        match &self.shape {
            Shape::Str(s, how) => Some((std::borrow::Cow::Borrowed(s.as_slice()), *how)),
            Shape::Int(i) => Some((
                std::borrow::Cow::Owned(i.to_string().into_bytes()),
                How::PLAIN,
            )),
            Shape::Bool(true) => Some((std::borrow::Cow::Borrowed(b"1"), How::PLAIN)),
            Shape::Bool(false) | Shape::Null => Some((std::borrow::Cow::Borrowed(b""), How::PLAIN)),
            _ => None,
        }
    }

    /// The value as PHP turns it into text when it is put into a string: the
    /// string, and an array as `Array` (non-alphanumeric webshells start so).
    pub fn as_text(&self) -> Option<(std::borrow::Cow<'_, [u8]>, How)> {
        match &self.shape {
            Shape::Array(_) => Some((std::borrow::Cow::Borrowed(b"Array"), How::ASSEMBLED)),
            _ => self.as_str(),
        }
    }

    /// The integer value, as PHP converts (`"12abc"` is 12, `"abc"` is 0).
    pub fn as_int(&self) -> Option<i64> {
        match &self.shape {
            Shape::Int(i) => Some(*i),
            Shape::Bool(b) => Some(i64::from(*b)),
            Shape::Null => Some(0),
            Shape::Str(s, _) => Some(leading_int(s)),
            _ => None,
        }
    }

    /// Whether PHP takes the value as true, when known.
    pub fn truthy(&self) -> Option<bool> {
        if self.flags.has(Flags::UNSET) {
            // Null, unless register_globals lets the request set it.
            return None;
        }
        match &self.shape {
            Shape::Int(i) => Some(*i != 0),
            Shape::Bool(b) => Some(*b),
            Shape::Null => Some(false),
            Shape::Str(s, _) => Some(!(s.is_empty() || s.as_slice() == b"0")),
            Shape::Array(items) => Some(!items.is_empty()),
            Shape::Closure(_) | Shape::Callable(_) | Shape::Handle(_) => Some(true),
            _ => None,
        }
    }

    /// Whether the value is a known scalar (string, number, boolean, null).
    pub fn is_scalar(&self) -> bool {
        matches!(
            self.shape,
            Shape::Str(..) | Shape::Int(_) | Shape::Bool(_) | Shape::Null
        ) && !self.flags.has(Flags::UNSET)
    }

    /// Flags of the value and of everything it holds.
    pub fn flags_deep(&self) -> Flags {
        let mut f = self.flags;
        match &self.shape {
            Shape::Array(items) => {
                for (_, v) in items.iter() {
                    f |= v.flags_deep();
                }
            }
            Shape::Choice(alts) => {
                for v in alts.iter() {
                    f |= v.flags_deep();
                }
            }
            Shape::Server => f |= Flags::REQUEST,
            Shape::Handle(h) if matches!(**h, Handle::Input) => f |= Flags::REQUEST,
            _ => {}
        }
        f
    }

    /// The trail of the value or of the first tainted thing it holds.
    pub fn trail_deep(&self) -> Option<Rc<Trail>> {
        if self.trail.is_some() {
            return self.trail.clone();
        }
        match &self.shape {
            Shape::Array(items) => items.iter().find_map(|(_, v)| v.trail_deep()),
            Shape::Choice(alts) => alts.iter().find_map(Val::trail_deep),
            _ => None,
        }
    }

    pub fn fields_deep(&self) -> Option<Rc<Vec<Vec<u8>>>> {
        let mut all: Vec<Vec<u8>> = Vec::new();
        self.collect_fields(&mut all);
        (!all.is_empty()).then(|| Rc::new(all))
    }

    fn collect_fields(&self, all: &mut Vec<Vec<u8>>) {
        if let Some(f) = &self.fields {
            for name in f.iter() {
                if all.len() < FIELDS && !all.contains(name) {
                    all.push(name.clone());
                }
            }
        }
        match &self.shape {
            Shape::Array(items) => items.iter().for_each(|(_, v)| v.collect_fields(all)),
            Shape::Choice(alts) => alts.iter().for_each(|v| v.collect_fields(all)),
            _ => {}
        }
    }

    /// Adds a request field name.
    pub fn add_field(&mut self, name: &[u8]) {
        let mut all: Vec<Vec<u8>> = self.fields.as_deref().cloned().unwrap_or_default();
        if all.len() < FIELDS && !all.iter().any(|n| n == name) {
            all.push(name.to_vec());
        }
        self.fields = Some(Rc::new(all));
    }

    /// The alternatives of a value: itself, or each of a choice.
    pub fn alternatives(&self) -> Vec<&Val<'a>> {
        match &self.shape {
            Shape::Choice(alts) => alts.iter().collect(),
            _ => vec![self],
        }
    }

    /// Adds a step to the trail of a tainted value (untainted values keep none).
    pub fn step(mut self, step: impl FnOnce() -> Step) -> Val<'a> {
        if !self.flags_deep().is_empty() {
            let base = self.trail_deep();
            self.trail = push_step(&base, step());
        }
        self
    }

    /// The same value (the same shared data), cheaply: most joins are of a
    /// variable that no branch changed.
    fn same_value(&self, other: &Val<'a>) -> bool {
        let trail = match (&self.trail, &other.trail) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        if self.flags != other.flags || !trail {
            return false;
        }
        match (&self.shape, &other.shape) {
            (Shape::Unknown, Shape::Unknown)
            | (Shape::Server, Shape::Server)
            | (Shape::Globals, Shape::Globals) => true,
            (Shape::Array(a), Shape::Array(b)) => Rc::ptr_eq(a, b),
            (Shape::Choice(a), Shape::Choice(b)) => Rc::ptr_eq(a, b),
            (Shape::Closure(a), Shape::Closure(b)) => Rc::ptr_eq(a, b),
            (Shape::Handle(a), Shape::Handle(b)) => Rc::ptr_eq(a, b),
            _ => self.same_constant(other),
        }
    }

    fn same_constant(&self, other: &Val<'a>) -> bool {
        match (&self.shape, &other.shape) {
            (Shape::Str(a, _), Shape::Str(b, _)) => a == b,
            (Shape::Int(a), Shape::Int(b)) => a == b,
            (Shape::Bool(a), Shape::Bool(b)) => a == b,
            (Shape::Null, Shape::Null) => true,
            _ => false,
        }
    }
}

/// PHP's integer conversion of a string: leading whitespace, a sign, digits.
fn leading_int(s: &[u8]) -> i64 {
    let t = s.trim_ascii_start();
    let (neg, digits) = match t.first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut n: i64 = 0;
    for &d in digits.iter().take_while(|d| d.is_ascii_digit()) {
        n = n.saturating_mul(10).saturating_add(i64::from(d - b'0'));
    }
    if neg { -n } else { n }
}

/// What a variable holds after two branches: the same constant, one of a few
/// constants, or an unknown value carrying what either carried.
pub(crate) fn join<'a>(a: &Val<'a>, b: &Val<'a>) -> Val<'a> {
    if a.same_value(b) || a.same_constant(b) {
        return a.clone();
    }
    let mut alts: Vec<Val<'a>> = Vec::new();
    for v in a.alternatives().into_iter().chain(b.alternatives()) {
        if !alts.iter().any(|o| o.same_constant(v)) {
            alts.push(v.clone());
        }
    }
    let constants = alts
        .iter()
        .all(|v| v.is_scalar() || matches!(v.shape, Shape::Closure(_)));
    if constants && alts.len() <= CHOICES {
        return Val::of(Shape::Choice(Rc::new(alts)));
    }
    // Small arrays join element by element (tables built in branches).
    if let (Shape::Array(x), Shape::Array(y)) = (&a.shape, &b.shape)
        && x.len() <= ARRAY_JOIN
        && y.len() <= ARRAY_JOIN
    {
        let mut items: Vec<(Key, Val<'a>)> = x.as_ref().clone();
        for (k, v) in y.iter() {
            match items.iter_mut().find(|(ik, _)| ik == k) {
                Some((_, iv)) => *iv = join(iv, v),
                None => items.push((k.clone(), v.clone())),
            }
        }
        return Val::of(Shape::Array(Rc::new(items)));
    }
    let flags = a.flags_deep() | b.flags_deep();
    let trail = if a.flags_deep().is_empty() {
        b.trail_deep()
    } else {
        a.trail_deep()
    };
    let mut fields = a.fields_deep();
    if fields.is_none() {
        fields = b.fields_deep();
    }
    Val {
        shape: Shape::Unknown,
        flags,
        trail,
        fields,
        tail: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_keep_constants_and_taint() {
        let a = Val::str(b"system".to_vec(), How::PLAIN);
        let b = Val::str(b"passthru".to_vec(), How::PLAIN);
        let j = join(&a, &b);
        assert_eq!(j.alternatives().len(), 2);
        let t = Val::unknown().with_flags(Flags::REQUEST);
        let j = join(&j, &t);
        assert!(matches!(j.shape, Shape::Unknown));
        assert!(j.flags.has(Flags::REQUEST));
        assert!(join(&a, &a.clone()).as_str().is_some());
    }

    #[test]
    fn trails_are_bounded() {
        let mut v = Val::unknown().with_flags(Flags::REQUEST);
        for i in 0..20 {
            v = v.step(|| Step {
                line: i,
                text: format!("s{i}"),
            });
        }
        let s = steps(&v.trail);
        assert_eq!(s.len(), TRAIL_MAX);
        assert_eq!(s[0].text, "s0");
    }
}

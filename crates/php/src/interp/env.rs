//! Variables: one frame per function call (the global frame first), `global`
//! aliases, `$GLOBALS`, superglobals, variables created by `extract()` or `$$k`
//! from request data, and the snapshot/join of a frame around branches.

use super::Interp;
use crate::catalog;
use crate::facts::{Step, short};
use crate::value::{Flags, Shape, Val, join};
use std::collections::HashMap;
use tree_sitter::Node;

pub(crate) struct Frame<'a> {
    pub vars: HashMap<Vec<u8>, Val<'a>>,
    /// Names bound to the global frame by `global $x`.
    pub globals: Vec<Vec<u8>>,
    /// What the function returns (joined over its `return`s).
    pub ret: Option<Val<'a>>,
    /// Variables not assigned in the code may hold this: `extract($_POST)`,
    /// `foreach ($_GET as $k => $v) $$k = $v;`.
    pub extracted: Option<Val<'a>>,
    /// The arguments the call was given (`func_get_args`).
    pub args: Vec<Val<'a>>,
    pub is_function: bool,
}

impl<'a> Frame<'a> {
    pub fn new(is_function: bool) -> Frame<'a> {
        Frame {
            vars: HashMap::new(),
            globals: Vec::new(),
            ret: None,
            extracted: None,
            args: Vec::new(),
            is_function,
        }
    }
}

/// What branches change: the variables of the current frame.
#[derive(Clone)]
pub(crate) struct Snapshot<'a> {
    vars: HashMap<Vec<u8>, Val<'a>>,
    extracted: Option<Val<'a>>,
}

impl<'a> Snapshot<'a> {
    /// Some variable carries data it did not carry in `before`.
    pub fn tainted_more_than(&self, before: &Snapshot<'a>) -> bool {
        self.vars.iter().any(|(k, v)| {
            let now = v.flags_deep();
            !now.is_empty() && before.vars.get(k).is_none_or(|b| b.flags_deep() != now)
        }) || (self.extracted.is_some() && before.extracted.is_none())
    }
}

impl<'a> Interp<'a, '_> {
    fn frame(&mut self) -> &mut Frame<'a> {
        match self.locals.last_mut() {
            Some(f) => f,
            None => &mut self.global,
        }
    }

    fn current(&self) -> &Frame<'a> {
        self.locals.last().unwrap_or(&self.global)
    }

    pub(super) fn snapshot(&self) -> Snapshot<'a> {
        let f = self.current();
        Snapshot {
            vars: f.vars.clone(),
            extracted: f.extracted.clone(),
        }
    }

    pub(super) fn restore(&mut self, s: Snapshot<'a>) {
        let f = self.frame();
        f.vars = s.vars;
        f.extracted = s.extracted;
    }

    /// The state after one of several branches ran: a variable set in only some
    /// of them may also hold what it held before (`base`).
    pub(super) fn join_all(&self, base: &Snapshot<'a>, outs: Vec<Snapshot<'a>>) -> Snapshot<'a> {
        let mut result = base.clone();
        let mut first = true;
        for out in outs {
            if first {
                result = out;
                first = false;
                continue;
            }
            let mut vars = HashMap::with_capacity(result.vars.len().max(out.vars.len()));
            // A variable one outcome never set: what reading it unset gives
            // matters only for register_globals' variables.
            for (k, v) in result.vars.iter() {
                let joined = match (out.vars.get(k), self.unset_global(k)) {
                    (Some(o), _) => join(v, o),
                    (None, Some(u)) => join(v, &u),
                    (None, None) => v.clone(),
                };
                vars.insert(k.clone(), joined);
            }
            for (k, v) in out.vars {
                if let std::collections::hash_map::Entry::Vacant(slot) = vars.entry(k) {
                    let v = match self.unset_global(slot.key()) {
                        Some(u) => join(&v, &u),
                        None => v,
                    };
                    slot.insert(v);
                }
            }
            result.vars = vars;
            result.extracted = match (result.extracted, out.extracted) {
                (Some(a), Some(b)) => Some(join(&a, &b)),
                (a, b) => a.or(b),
            };
        }
        result
    }

    /// What a global the code reads before setting holds while unset (null, or
    /// the request's under register_globals); `None` for other variables.
    fn unset_global(&self, name: &[u8]) -> Option<Val<'a>> {
        (self.locals.is_empty()
            && self.global.extracted.is_none()
            && self.first_read.contains(name))
        .then(|| Val::of(Shape::Null).with_flags(Flags::UNSET))
    }

    /// Reads `$name`.
    pub(super) fn read_var(&mut self, name: &[u8], node: Node<'a>) -> Val<'a> {
        if catalog::request_variable(name) {
            let line = self.place(node).1;
            return Val::unknown().with_flags(Flags::REQUEST).step(|| Step {
                line,
                text: format!("${}", String::from_utf8_lossy(name)),
            });
        }
        match name {
            b"_SERVER" => return Val::of(Shape::Server),
            b"GLOBALS" => return Val::of(Shape::Globals),
            // PHP's own variables: the object, the command line, the last error,
            // the headers of the last HTTP fetch.
            b"this" | b"argv" | b"argc" | b"php_errormsg" | b"http_response_header" => {
                return Val::unknown();
            }
            _ => {}
        }
        let f = self.current();
        if f.globals.iter().any(|g| g == name) {
            return self.read_global(name);
        }
        if let Some(v) = f.vars.get(name) {
            return v.clone();
        }
        if let Some(v) = &f.extracted {
            return v.clone();
        }
        if self.locals.is_empty() && self.first_read.contains(name) {
            // A global the code reads before it ever sets it: null, unless
            // register_globals is on.
            let line = self.place(node).1;
            let text = short(self.text(node));
            return Val::of(Shape::Null)
                .with_flags(Flags::UNSET)
                .step(|| Step { line, text });
        }
        if self.locals.is_empty() {
            return Val::of(Shape::Null);
        }
        Val::unknown()
    }

    /// `$name .= v` in place when both are known strings (a decoder's loop appends
    /// one byte at a time: copying the string each time would be quadratic).
    pub(super) fn append_var(&mut self, name: &[u8], v: &Val<'a>) -> Option<Val<'a>> {
        let (add, add_how) = v.as_str()?;
        let global = self.current().globals.iter().any(|g| g == name);
        let frame = if global {
            &mut self.global
        } else {
            self.frame()
        };
        let slot = frame.vars.get_mut(name)?;
        let Shape::Str(s, how) = &mut slot.shape else {
            if matches!(slot.shape, Shape::Null) {
                *slot = Val::str(add.into_owned(), add_how | crate::value::How::ASSEMBLED);
                return Some(slot.clone());
            }
            return None;
        };
        if s.len() + add.len() > super::expr::STR_MAX {
            return None;
        }
        std::rc::Rc::make_mut(s).extend_from_slice(&add);
        *how = *how | add_how | crate::value::How::ASSEMBLED;
        Some(slot.clone())
    }

    /// `$name[key] = v` in place when `$name` holds an array (a loop that fills a
    /// table one entry at a time: copying the array each time would be
    /// quadratic). Gives `v` back when the variable holds no such array.
    pub(super) fn store_var(
        &mut self,
        name: &[u8],
        key: Option<&Val<'a>>,
        v: Val<'a>,
        node: Node<'a>,
    ) -> Result<(), Val<'a>> {
        if catalog::request_variable(name) || matches!(name, b"_SERVER" | b"this" | b"GLOBALS") {
            return Err(v);
        }
        let global = self.current().globals.iter().any(|g| g == name);
        let frame = if global {
            &mut self.global
        } else {
            self.frame()
        };
        let Some(slot) = frame.vars.get_mut(name) else {
            return Err(v);
        };
        let Shape::Array(items) = &mut slot.shape else {
            return Err(v);
        };
        if items.len() >= super::expr::ARRAY_MAX {
            return Err(v);
        }
        super::expr::put(std::rc::Rc::make_mut(items), key, v);
        // As a fresh array written to the variable: no flags of its own, a step
        // naming the variable when what it holds is tainted.
        let array = Val::of(std::mem::take(&mut slot.shape)).step(|| Step {
            line: self.place(node).1,
            text: short(self.text(node)),
        });
        let frame = if global {
            &mut self.global
        } else {
            self.frame()
        };
        frame.vars.insert(name.to_vec(), array);
        Ok(())
    }

    /// Reads a variable of the global frame (`$GLOBALS['x']`, `global $x`).
    pub(super) fn read_global(&self, name: &[u8]) -> Val<'a> {
        let g = &self.global;
        g.vars
            .get(name)
            .cloned()
            .or_else(|| g.extracted.clone())
            .unwrap_or_default()
    }

    /// Writes `$name`; a tainted value gains a step naming the variable.
    pub(super) fn write_var(&mut self, name: &[u8], v: Val<'a>, node: Node<'a>) {
        if name == b"GLOBALS" {
            // `$GLOBALS = array('x' => …)` sets each global.
            if let Shape::Array(items) = &v.shape {
                for (k, item) in items.iter() {
                    if let crate::value::Key::Str(k) = k {
                        self.write_global(k, item.clone());
                    }
                }
            }
            return;
        }
        if catalog::request_variable(name) || matches!(name, b"_SERVER" | b"this") {
            return;
        }
        // The line is found only for a tainted value (finding it walks the tree).
        let v = v.step(|| Step {
            line: self.place(node).1,
            text: short(self.text(node)),
        });
        if self.current().globals.iter().any(|g| g == name) {
            self.global.vars.insert(name.to_vec(), v);
        } else {
            self.frame().vars.insert(name.to_vec(), v);
        }
    }

    pub(super) fn write_global(&mut self, name: &[u8], v: Val<'a>) {
        self.global.vars.insert(name.to_vec(), v);
    }

    pub(super) fn unset_var(&mut self, name: &[u8]) {
        self.frame().vars.remove(name);
    }

    /// A write to a variable whose name is not known: any variable may now hold it.
    pub(super) fn write_unknown_var(&mut self, v: Val<'a>) {
        if v.flags_deep().is_empty() {
            return;
        }
        let f = self.frame();
        f.extracted = Some(match f.extracted.take() {
            Some(old) => join(&old, &v),
            None => Val::tainted_by(&v),
        });
    }

    pub(super) fn add_global_alias(&mut self, name: &[u8]) {
        let f = self.frame();
        if f.is_function && !f.globals.iter().any(|g| g == name) {
            f.globals.push(name.to_vec());
        }
    }

    pub(super) fn set_return(&mut self, v: Val<'a>) {
        let f = self.frame();
        f.ret = Some(match f.ret.take() {
            Some(old) => join(&old, &v),
            None => v,
        });
    }

    pub(super) fn push_frame(&mut self, frame: Frame<'a>) {
        self.locals.push(frame);
    }

    pub(super) fn pop_frame(&mut self) -> Frame<'a> {
        self.locals.pop().unwrap_or_else(|| Frame::new(false))
    }

    pub(super) fn frame_args(&self) -> Vec<Val<'a>> {
        self.current().args.clone()
    }
}

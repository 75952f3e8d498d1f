//! todo
pub struct History;
impl crate::Check for History {
    fn name(&self) -> &'static str {
        "history"
    }
    fn about(&self) -> &'static str {
        ""
    }
    fn run(&self, _ctx: &mut crate::Context) {}
}

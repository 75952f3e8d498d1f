//! todo
pub struct Php;
impl crate::Check for Php {
    fn name(&self) -> &'static str {
        "php"
    }
    fn about(&self) -> &'static str {
        ""
    }
    fn run(&self, _ctx: &mut crate::Context) {}
}

//! todo
pub struct Accounts;
impl crate::Check for Accounts {
    fn name(&self) -> &'static str {
        "accounts"
    }
    fn about(&self) -> &'static str {
        ""
    }
    fn run(&self, _ctx: &mut crate::Context) {}
}

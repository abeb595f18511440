//! The most common node-building mistakes give readable compiler errors.

#[test]
fn node_building_mistakes() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/compile_fail/*.rs");
}

//! The startup benchmark's project: one node, `x + 1`, from `params:x`.

use std::process::ExitCode;

use weir::prelude::*;

fn increment(x: Param<i64>) -> i64 {
    *x + 1
}

fn main() -> ExitCode {
    Project::new("weir_one_node")
        .pipeline(
            "__default__",
            Pipeline::new([node(increment)
                .inputs("params:x")
                .outputs("y")
                .name("increment")]),
        )
        .default_root(env!("CARGO_MANIFEST_DIR"))
        .main()
}

use weir_core::{Param, node};

struct Options {
    size: f64,
}

fn scale(x: f64, options: Param<Options>) -> f64 {
    x * options.size
}

fn main() {
    let _ = node(scale).inputs(["x", "params:options"]).outputs("y");
}

use weir_core::node;

#[derive(Clone)]
struct Model {
    slope: f64,
}

fn predict(model: Model, x: f64) -> f64 {
    model.slope * x
}

fn main() {
    let _ = node(predict).inputs(["model", "x"]).outputs("y");
}

use weir_core::{Data, node};

struct Model {
    slope: f64,
}

impl Data for Model {}

fn predict(model: Model) -> f64 {
    model.slope
}

fn main() {
    let _ = node(predict).inputs("model").outputs("y");
}

use weir_core::node;

struct Report {
    rows: usize,
}

fn summarise(rows: Vec<f64>) -> Report {
    Report { rows: rows.len() }
}

fn main() {
    let _ = node(summarise).inputs("rows").outputs("report");
}

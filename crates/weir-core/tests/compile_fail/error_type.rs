use weir_core::node;

struct NotAnError;

fn parse(text: String) -> Result<u64, NotAnError> {
    text.parse().map_err(|_| NotAnError)
}

fn main() {
    let _ = node(parse).inputs("text").outputs("number");
}

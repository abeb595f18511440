//! The spaceflights project's command line (temporary until the Project builder lands).
fn main() {
    let _ = spaceflights::register_pipelines();
}

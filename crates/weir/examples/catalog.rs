//! Kedro's spaceflights configuration, unchanged, over the tutorial's real data: the catalog
//! is read from `conf/`, the raw tables load with the shapes pandas gives, an intermediate table
//! is saved as Parquet and a versioned model as Weir's binary "pickle".
//!
//! ```sh
//! cargo run -p weir --example catalog
//! ```

use std::path::Path;
use std::sync::Arc;

use weir::prelude::*;

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, Data)]
struct Model {
    features: Vec<String>,
    coefficients: Vec<f64>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let spaceflights = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/spaceflights");
    // A project folder laid out as `kedro new` makes it: conf/ and data/01_raw.
    let project = tempfile::tempdir()?;
    let raw = project.path().join("data/01_raw");
    std::fs::create_dir_all(&raw)?;
    for file in ["companies.csv", "reviews.csv", "shuttles.xlsx"] {
        std::fs::copy(spaceflights.join("data/01_raw").join(file), raw.join(file))?;
    }

    let loader = ConfigLoader::new(spaceflights.join("conf")).runtime_params(
        weir::config::parse_runtime_params("model_options.test_size=0.25")?,
    );
    let parameters = loader.parameters()?;
    println!("parameters: {parameters}");

    let registry = weir::datasets::registry(SerdeTypes::new().with::<Model>());
    let config = CatalogConfig::from_node(&loader.catalog()?, loader.credentials()?)?
        .project_root(project.path());
    for (name, why) in config.unsupported_entries(&registry) {
        println!("note: '{name}' is kept but cannot be used: {why}");
    }
    let mut catalog = config.build(Arc::new(registry))?;
    catalog.add_parameters(parameters);

    for name in ["companies", "reviews", "shuttles"] {
        let frame = catalog.load_as::<DataFrame>(name)?;
        let (rows, columns) = frame.shape();
        println!(
            "{name:<10} {rows:>6} rows x {columns:>2} columns   ({})",
            catalog.get(name)?.map(|d| d.describe()).unwrap_or_default()
        );
    }
    let companies = catalog.load_as::<DataFrame>("companies")?;
    catalog.save("preprocessed_companies", companies)?;
    let features: Vec<String> = serde_json::from_value(
        catalog.load_as::<serde_json::Value>("params:model_options.features")?,
    )?;
    catalog.save(
        "regressor",
        Model {
            coefficients: vec![0.0; features.len()],
            features,
        },
    )?;
    println!(
        "saved data/02_intermediate/preprocessed_companies.parquet and data/06_models/regressor.pickle/{}/regressor.pickle",
        config.current_save_version()
    );
    Ok(())
}

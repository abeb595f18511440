//! `data_processing`: preprocess companies and shuttles, then join them with the reviews into
//! the model input table.

pub mod nodes;

use weir::prelude::*;

/// The pipeline, as in Kedro's tutorial (same node, dataset and parameter names).
pub fn create_pipeline() -> Pipeline {
    Pipeline::new([
        node(nodes::preprocess_companies)
            .inputs("companies")
            .outputs("preprocessed_companies")
            .name("preprocess_companies_node")
            .tags("preprocessing"),
        node(nodes::preprocess_shuttles)
            .inputs("shuttles")
            .outputs("preprocessed_shuttles")
            .name("preprocess_shuttles_node")
            .tags("preprocessing"),
        node(nodes::create_model_input_table)
            .inputs(["preprocessed_shuttles", "preprocessed_companies", "reviews"])
            .outputs("model_input_table")
            .name("create_model_input_table_node"),
    ])
}

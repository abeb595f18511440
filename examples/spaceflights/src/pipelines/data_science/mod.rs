//! `data_science`: split the model input table, fit a linear regression, evaluate it.

pub mod nodes;

use weir::prelude::*;

/// The pipeline, as in Kedro's tutorial (same node, dataset and parameter names).
pub fn create_pipeline() -> Pipeline {
    Pipeline::new([
        node(nodes::split_data)
            .inputs(["model_input_table", "params:model_options"])
            .outputs(["X_train", "X_test", "y_train", "y_test"])
            .name("split_data_node"),
        node(nodes::train_model)
            .inputs(["X_train", "y_train"])
            .outputs("regressor")
            .name("train_model_node"),
        node(nodes::evaluate_model)
            .inputs(["regressor", "X_test", "y_test"])
            .outputs("metrics")
            .name("evaluate_model_node"),
    ])
}

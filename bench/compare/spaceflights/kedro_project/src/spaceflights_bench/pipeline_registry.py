"""The tutorial's data_processing and data_science pipelines; `__default__` runs both."""
from kedro.pipeline import Pipeline, node

from . import nodes


def register_pipelines():
    data_processing = Pipeline(
        [
            node(nodes.preprocess_companies, "companies", "preprocessed_companies",
                 name="preprocess_companies_node"),
            node(nodes.preprocess_shuttles, "shuttles", "preprocessed_shuttles",
                 name="preprocess_shuttles_node"),
            node(nodes.create_model_input_table,
                 ["preprocessed_shuttles", "preprocessed_companies", "reviews"],
                 "model_input_table", name="create_model_input_table_node"),
        ]
    )
    data_science = Pipeline(
        [
            node(nodes.split_data, ["model_input_table", "params:model_options"],
                 ["X_train", "X_test", "y_train", "y_test"], name="split_data_node"),
            node(nodes.train_model, ["X_train", "y_train"], "regressor", name="train_model_node"),
            node(nodes.evaluate_model, ["regressor", "X_test", "y_test"], "metrics",
                 name="evaluate_model_node"),
        ]
    )
    return {
        "data_processing": data_processing,
        "data_science": data_science,
        "__default__": data_processing + data_science,
    }

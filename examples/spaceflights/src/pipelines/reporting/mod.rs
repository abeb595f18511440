//! `reporting`: the mean passenger capacity per shuttle type, as a chart saved as JSON (Plotly's
//! figure format) and as an image (SVG).

pub mod nodes;

use weir::prelude::*;

/// The pipeline.
pub fn create_pipeline() -> Pipeline {
    Pipeline::new([
        node(nodes::compare_passenger_capacity)
            .inputs("preprocessed_shuttles")
            .outputs("shuttle_passenger_capacity")
            .name("compare_passenger_capacity_node"),
        node(nodes::passenger_capacity_chart)
            .inputs("shuttle_passenger_capacity")
            .outputs("shuttle_passenger_capacity_plot_go")
            .name("passenger_capacity_chart_node"),
        node(nodes::passenger_capacity_image)
            .inputs("shuttle_passenger_capacity")
            .outputs("shuttle_passenger_capacity_plot_svg")
            .name("passenger_capacity_image_node"),
    ])
}

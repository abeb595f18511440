//! The reporting nodes: the mean passenger capacity of each shuttle type, as a table, as a
//! Plotly figure (JSON) and as an SVG image.

use std::fmt::Write as _;

use weir::polars::prelude::*;

/// The mean passenger capacity per shuttle type, sorted by type (pandas' `groupby().mean()`).
pub fn compare_passenger_capacity(preprocessed_shuttles: DataFrame) -> PolarsResult<DataFrame> {
    preprocessed_shuttles
        .lazy()
        .group_by([col("shuttle_type")])
        .agg([col("passenger_capacity").cast(DataType::Float64).mean()])
        .sort(["shuttle_type"], SortMultipleOptions::default())
        .collect()
}

fn bars(table: &DataFrame) -> PolarsResult<Vec<(String, f64)>> {
    let types = table.column("shuttle_type")?.str()?;
    let capacities = table.column("passenger_capacity")?.f64()?;
    Ok(types
        .iter()
        .zip(capacities.iter())
        .map(|(kind, capacity)| (kind.unwrap_or("").to_owned(), capacity.unwrap_or(f64::NAN)))
        .collect())
}

/// A Plotly bar chart (`go.Figure([go.Bar(...)])` in the tutorial), as Plotly's JSON.
pub fn passenger_capacity_chart(table: DataFrame) -> PolarsResult<serde_json::Value> {
    let bars = bars(&table)?;
    Ok(serde_json::json!({
        "data": [{
            "type": "bar",
            "x": bars.iter().map(|(kind, _)| kind.clone()).collect::<Vec<_>>(),
            "y": bars.iter().map(|(_, capacity)| *capacity).collect::<Vec<_>>(),
        }],
        "layout": {
            "title": {"text": "Shuttle Passenger capacity"},
            "xaxis": {"title": {"text": "Shuttles"}},
            "yaxis": {"title": {"text": "Average passenger capacity"}},
        }
    }))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The same chart as an SVG image (horizontal bars, one per shuttle type).
pub fn passenger_capacity_image(table: DataFrame) -> PolarsResult<String> {
    let bars = bars(&table)?;
    let (left, top, bar_height, gap, plot_width) = (140.0, 50.0, 28.0, 8.0, 420.0);
    let largest = bars
        .iter()
        .map(|(_, capacity)| *capacity)
        .filter(|c| c.is_finite())
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let height = top + bars.len() as f64 * (bar_height + gap) + 40.0;
    let width = left + plot_width + 80.0;
    let mut svg = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">"#
    );
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="26" font-size="17" text-anchor="middle">Shuttle Passenger capacity</text>"#,
        width / 2.0
    );
    for (index, (kind, capacity)) in bars.iter().enumerate() {
        let y = top + index as f64 * (bar_height + gap);
        let length = if capacity.is_finite() {
            capacity / largest * plot_width
        } else {
            0.0
        };
        let _ = writeln!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect x="{left}" y="{y:.1}" width="{length:.1}" height="{bar_height}" fill="#636efa"><title>{}: {capacity:.3}</title></rect><text x="{:.1}" y="{:.1}">{capacity:.2}</text>"##,
            left - 8.0,
            y + bar_height * 0.65,
            escape(kind),
            escape(kind),
            left + length + 6.0,
            y + bar_height * 0.65,
        );
    }
    let axis_y = top + bars.len() as f64 * (bar_height + gap);
    let _ = writeln!(
        svg,
        r#"<line x1="{left}" y1="{}" x2="{left}" y2="{axis_y}" stroke="black"/><text x="{}" y="{}" text-anchor="middle">Average passenger capacity</text>"#,
        top - 6.0,
        left + plot_width / 2.0,
        axis_y + 24.0
    );
    svg.push_str("</svg>\n");
    Ok(svg)
}

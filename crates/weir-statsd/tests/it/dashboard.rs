//! The Grafana dashboard.

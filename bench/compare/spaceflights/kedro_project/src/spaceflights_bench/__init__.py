"""W5 of bench/compare: Kedro's spaceflights tutorial (data_processing + data_science)."""

"""Kedro's pandas datasets on the benchmark table: prints one JSON line of timings (seconds)."""
import json
import sys
import tempfile
import time
from pathlib import Path

from kedro_datasets.pandas import CSVDataset, ParquetDataset

data = Path(sys.argv[1])
out = Path(tempfile.mkdtemp())
timings = {}

start = time.perf_counter()
frame = CSVDataset(filepath=str(data / "table.csv")).load()
timings["csv_load"] = time.perf_counter() - start
rows = len(frame)

start = time.perf_counter()
CSVDataset(filepath=str(out / "table.csv"), save_args={"index": False}).save(frame)
timings["csv_save"] = time.perf_counter() - start

start = time.perf_counter()
frame = ParquetDataset(filepath=str(data / "table.parquet")).load()
timings["parquet_load"] = time.perf_counter() - start

start = time.perf_counter()
ParquetDataset(filepath=str(out / "table.parquet")).save(frame)
timings["parquet_save"] = time.perf_counter() - start

timings["rows"] = rows
print(json.dumps(timings))

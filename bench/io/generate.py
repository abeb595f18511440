"""Writes the 1M-row table both sides of the I/O benchmark read (CSV and Parquet)."""
import sys
from pathlib import Path

import numpy as np
import pandas as pd

rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(3)
frame = pd.DataFrame(
    {
        "id": np.arange(rows, dtype=np.int64),
        "company_id": rng.integers(0, 50_000, rows),
        "price": rng.normal(2000.0, 500.0, rows).round(2),
        "rating": np.where(rng.random(rows) < 0.05, np.nan, rng.uniform(0, 100, rows).round(1)),
        "location": rng.choice(["Isle of Man", "Niue", "Malta", "Tuvalu", "Jersey"], rows),
        "shuttle_type": rng.choice(["Type V5", "Type F5", "Type V2"], rows),
        "approved": rng.choice(["t", "f"], rows),
    }
)
frame.to_csv(out / "table.csv", index=False)
frame.to_parquet(out / "table.parquet", index=False)
print(f"wrote {rows} rows to {out}")

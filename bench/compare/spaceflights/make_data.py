"""W5's raw data: the spaceflights tutorial's companies, reviews and shuttles, replicated COPIES
times (166 by default), every id of copy r shifted by r x 100000 so each copy joins only with
itself. Shuttles are written as CSV (the tutorial's xlsx, read once with pandas and openpyxl).

    python make_data.py <tutorial data folder> <out folder> [--copies 166]

Companies and reviews are rewritten line by line, so every value keeps its text; only the id
fields change. Writes `<out>/{companies,reviews,shuttles}.csv` and `<out>/DONE` (the copy count);
does nothing when DONE already says the same count.
"""

import argparse
import csv
import io
import os

import pandas as pd

SHIFT = 100_000


def replicate(rows, id_columns, copies, out):
    """Writes the header, then `copies` copies of `rows` with the id columns shifted."""
    writer = csv.writer(out, lineterminator="\n")
    header, body = rows[0], rows[1:]
    indexes = [header.index(name) for name in id_columns]
    for row in body:
        for i in indexes:
            if row[i] != "" and int(row[i]) >= SHIFT:
                raise SystemExit(f"id {row[i]} in {header[i]} is not below {SHIFT}: copies would collide")
    writer.writerow(header)
    for copy in range(copies):
        offset = copy * SHIFT
        for row in body:
            shifted = list(row)
            for i in indexes:
                if shifted[i] != "":
                    shifted[i] = str(int(shifted[i]) + offset)
            writer.writerow(shifted)


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("source")
    parser.add_argument("out")
    parser.add_argument("--copies", type=int, default=166)
    args = parser.parse_args()
    done = os.path.join(args.out, "DONE")
    if os.path.exists(done) and open(done).read().strip() == str(args.copies):
        return
    os.makedirs(args.out, exist_ok=True)
    if os.path.exists(done):
        os.remove(done)
    shuttles = pd.read_excel(os.path.join(args.source, "shuttles.xlsx"), engine="openpyxl")
    shuttle_rows = list(csv.reader(io.StringIO(shuttles.to_csv(index=False))))
    inputs = {
        "companies": (read_rows(os.path.join(args.source, "companies.csv")), ["id"]),
        "reviews": (read_rows(os.path.join(args.source, "reviews.csv")), ["shuttle_id"]),
        "shuttles": (shuttle_rows, ["id", "company_id"]),
    }
    for name, (rows, ids) in inputs.items():
        path = os.path.join(args.out, f"{name}.csv")
        with open(path + ".tmp", "w", newline="", encoding="utf-8") as out:
            replicate(rows, ids, args.copies, out)
        os.replace(path + ".tmp", path)
        print(f"{path}: {(len(rows) - 1) * args.copies:,} rows, {os.path.getsize(path) / 2**20:.0f} MiB")
    with open(done, "w") as f:
        f.write(f"{args.copies}\n")


if __name__ == "__main__":
    main()

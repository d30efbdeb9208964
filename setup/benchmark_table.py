#!/usr/bin/env python3
# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One table of the figures of every benchmark that setup/benchmark.sh ran.

Reads the JSON lines that the benchmark scripts append with ``--summary``
(one per headline figure: the figure, the yardstick measured in the same
run, their ratio, the goal of README.rst and whether it is met), prints them
as an aligned plain-text table and, on request, writes the same table as
Markdown and as reStructuredText (the format of README.rst's tables).
"""

import argparse
import json
import os
import sys
from pathlib import Path

HEADER = (
    "Benchmark",
    "Figure",
    "Value",
    "Unit",
    "Yardstick, same run",
    "Ratio",
    "Goal",
    "Met",
)
# Columns of numbers, aligned on the right.
NUMERIC = {2, 5}
RATIO_NOTE = (
    "Ratio: how many times better than the yardstick (above 1 is better): "
    "the figure divided by the yardstick for a rate, the yardstick divided "
    "by the figure for a duration."
)
QUICK_NOTE = (
    "Quick mode: sizes smaller than README.rst's, so the figures and goals "
    "only show that every benchmark runs; the goals are for the full sizes."
)


def number(value):
    """A figure as README.rst writes them: thousands separated, and as many
    decimals as a figure of its size deserves."""
    if value is None:
        return "n/a"
    if isinstance(value, int) or abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def cells(row):
    """The cells of one row of the table, as text."""
    if row.get("yardstick_name"):
        yardstick = (
            f"{row['yardstick_name']}: "
            f"{number(row['yardstick'])} {row['yardstick_unit']}"
        )
        ratio = "n/a" if row["ratio"] is None else f"{number(row['ratio'])}×"
    else:
        yardstick, ratio = "none", ""
    met = {True: "yes", False: "NO", None: "?"}[row["goal_met"]]
    return (
        row["benchmark"],
        row["figure"],
        number(row["value"]),
        row["unit"],
        yardstick,
        ratio,
        row["goal"] or "none",
        met if row["goal"] else "",
    )


def widths(table):
    return [max(len(line[column]) for line in table) for column in range(len(HEADER))]


def aligned(line, sizes, gap="  "):
    return gap.join(
        text.rjust(size) if column in NUMERIC else text.ljust(size)
        for column, (text, size) in enumerate(zip(line, sizes, strict=True))
    ).rstrip()


def plain(rows):
    table = [HEADER, *rows]
    sizes = widths(table)
    rule = "  ".join("-" * size for size in sizes)
    return [aligned(HEADER, sizes), rule, *(aligned(line, sizes) for line in rows)]


def markdown(rows):
    def line(texts):
        return "| " + " | ".join(text.replace("|", "\\|") for text in texts) + " |"

    rule = ["---:" if column in NUMERIC else "---" for column in range(len(HEADER))]
    return [line(HEADER), "|" + "|".join(rule) + "|", *(line(texts) for texts in rows)]


def restructured_text(rows):
    """A simple table: no cell of its first column is empty (an empty one
    would continue the row above)."""
    table = [HEADER, *rows]
    sizes = widths(table)
    rule = "  ".join("=" * size for size in sizes)
    return [
        rule,
        aligned(HEADER, sizes),
        rule,
        *(aligned(line, sizes) for line in rows),
        rule,
    ]


def goals_line(records):
    judged = [record["goal_met"] for record in records if record["goal"]]
    met = sum(1 for verdict in judged if verdict)
    unknown = sum(1 for verdict in judged if verdict is None)
    line = f"Goals met: {met} of {len(judged)}"
    return line + (f" ({unknown} could not be told)." if unknown else ".")


def read_records(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write(path, lines):
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("summary", help="the JSON lines written with --summary")
    parser.add_argument("--title", default="Benchmarks", help="printed first")
    parser.add_argument("--quick", action="store_true", help="sizes of quick mode")
    parser.add_argument("--markdown", help="also write the table here as Markdown")
    parser.add_argument("--rst", help="also write the table here as reStructuredText")
    return parser.parse_args()


def main():
    args = parse_arguments()
    path = Path(args.summary)
    records = read_records(path) if path.exists() else []
    if not records:
        print(f"{args.title}: no benchmark recorded a figure.")
        return 0
    rows = [cells(record) for record in records]
    notes = [RATIO_NOTE, goals_line(records)]
    if args.quick:
        notes.append(QUICK_NOTE)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    notes.append(f"Load average at the end: {load}.")
    print("\n".join([args.title, "", *plain(rows), "", *notes]))
    # A paragraph each in the documents.
    paragraphs = "\n\n".join(notes)
    if args.markdown:
        write(args.markdown, [args.title, "", *markdown(rows), "", paragraphs])
    if args.rst:
        write(args.rst, [args.title, "", *restructured_text(rows), "", paragraphs])
    return 0


if __name__ == "__main__":
    sys.exit(main())

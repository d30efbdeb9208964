#!/usr/bin/env python3
# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Summarise an Odoo test log: tests run, failures and errors.

Odoo logs one "N failed, M error(s) of T tests" line per phase (at install,
post install); this adds them up and lists the failing tests.
"""

import re
import sys

RESULT_RE = re.compile(
    r"odoo\.tests\.result: (\d+) failed, (\d+) error\(s\) of (\d+) tests"
)
FAIL_RE = re.compile(r"(?:ERROR|FAIL): (test\w+ \([\w.]+\)|\w+\.test\w+)")


def counts(lines):
    failed = total = 0
    for line in lines:
        match = RESULT_RE.search(line)
        if match:
            failed += int(match.group(1)) + int(match.group(2))
            total += int(match.group(3))
    return total - failed, failed


def main(argv):
    only_counts = argv[1:2] == ["--counts"]
    path = argv[-1]
    with open(path, encoding="utf-8", errors="replace") as handle:
        lines = handle.readlines()
    passed, failed = counts(lines)
    if only_counts:
        print(passed, failed)
        return 0
    for line in lines:
        if " ERROR " in line and FAIL_RE.search(line):
            print("  " + line.strip()[:200])
    print(f"odoo tests: {passed} passed, {failed} failed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""Compare the outputs of two clean runs of the workflow, file by file (CI, issue 17 item 8).

    python .ci/compare_runs.py RUN_A RUN_B

RUN_A and RUN_B are working folders (each with results/ and resources/). The writeup
(``results/report/writeup.pdf`` and its HTML) and every model file (``*.npz``, ``*.pt`` and
their ``.sha256``) must be byte-identical, and so must every other output, except that a JSON
file may differ in its run times (the keys ``nnrec.report.render.TIMING_KEY`` matches: wall and
CPU times, epoch times...) and Snakemake's benchmark tables are not compared. Prints each
difference (for a binary file the first differing byte, for JSON the first differing key) and
exits 1 when there is one.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

# the same rule as the writeup's reproducible mode (nnrec.report.render.TIMING_KEY), repeated here
# so that this script runs without the package installed
TIMING_KEY = re.compile(r"(?:^|_)(?:time|times|seconds|runtime)(?:_|$)")
FOLDERS = ("results", "resources")
SKIP = re.compile(r"(^|/)(downloads|\.[^/]*staging|\.[^/]*work)(/|$)")  # verified source copies, scratch


def files(root: Path) -> dict[str, Path]:
    out = {}
    for folder in FOLDERS:
        for p in sorted((root / folder).rglob("*")):
            rel = p.relative_to(root).as_posix()
            if p.is_file() and not SKIP.search(rel):
                out[rel] = p
    return out


def first_byte_difference(a: bytes, b: bytes) -> str:
    i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
    return (f"{len(a)} vs {len(b)} bytes, first difference at byte {i}: "
            f"{a[max(0, i - 20):i + 20]!r} vs {b[max(0, i - 20):i + 20]!r}")


def without_timings(data):
    if isinstance(data, dict):
        return {k: ("<run time>" if TIMING_KEY.search(str(k)) else without_timings(v)) for k, v in data.items()}
    if isinstance(data, list):
        return [without_timings(v) for v in data]
    return data


def first_json_difference(a, b, where: str = "") -> str | None:
    if type(a) is not type(b):
        return f"{where or '/'}: {a!r} vs {b!r}"[:300]
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{where or '/'}: keys {list(a)} vs {list(b)}"[:300]
        for k in a:
            d = first_json_difference(a[k], b[k], f"{where}/{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{where or '/'}: {len(a)} vs {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_json_difference(x, y, f"{where}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{where or '/'}: {a!r} vs {b!r}"[:300]


def compare(run_a: Path, run_b: Path) -> tuple[list[str], int]:
    """(the differences found, as lines; the number of files compared)."""
    fa, fb = files(run_a), files(run_b)
    problems = [f"only in {run_a}: {rel}" for rel in sorted(set(fa) - set(fb))]
    problems += [f"only in {run_b}: {rel}" for rel in sorted(set(fb) - set(fa))]
    for rel in sorted(set(fa) & set(fb)):
        a, b = fa[rel].read_bytes(), fb[rel].read_bytes()
        if a == b:
            continue
        if rel.endswith(".json"):
            try:
                ja, jb = json.loads(a), json.loads(b)
            except ValueError as exc:
                problems.append(f"{rel}: not JSON ({exc})")
                continue
            d = first_json_difference(without_timings(ja), without_timings(jb))
            if d is None:
                continue  # only run times differ
            problems.append(f"{rel}: {d}")
        else:
            problems.append(f"{rel}: {first_byte_difference(a, b)}")
    for must in ("results/report/writeup.pdf",):
        if must not in fa:
            problems.append(f"{must} missing in {run_a}")
    return problems, len(set(fa) & set(fb))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    run_a, run_b = (Path(a) for a in argv)
    problems, n = compare(run_a, run_b)
    models = sum(1 for p in files(run_a) if p.endswith((".npz", ".pt", ".sha256")))
    if problems:
        print(f"{len(problems)} difference(s) between {run_a} and {run_b} ({n} files compared):")
        for p in problems:
            print("  " + p)
        return 1
    print(f"identical: {n} files in {', '.join(FOLDERS)} (the PDF, {models} model files and checksums; JSON up to run times)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

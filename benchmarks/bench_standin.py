"""Speed of the NIST36 stand-in: generate all 16,200 images (10,800 / 3,600 / 1,800) and write
the three .mat files, as the prepare_nist36 fallback does.

    python benchmarks/bench_standin.py [--workers 2] [--config config.yaml] [--out benchmarks/standin_speed.json]

Prints and (with --out) writes: seconds in total, per split, images per second, the file sizes,
the worker count and the machine's CPU count and load average (the issue's target: < 60 s on
the 2-core machine). Output goes to a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--config", type=Path, default=Path("config.yaml"))
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args(argv)

    import yaml

    from nnrec.common import write_json
    from nnrec.data.standin import SPLITS, generate_nist36, resolve

    full = yaml.safe_load(a.config.read_text()) if a.config.exists() else {}
    cfg = resolve((full or {}).get("standin"))
    n_images = 36 * sum(int(cfg["counts"][s]) for s in SPLITS)
    load0 = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        paths = generate_nist36(cfg, tmp, workers=a.workers)
        total = time.perf_counter() - t0
        sizes = {s: p.stat().st_size for s, p in paths.items()}
    res = {
        "images": n_images,
        "seconds": round(total, 2),
        "images_per_s": round(n_images / total, 1),
        "workers": a.workers,
        "cpu_count": os.cpu_count(),
        "loadavg_before": [round(x, 2) for x in load0],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "bytes": sizes,
        "target_s": 60,
    }
    print(json.dumps(res, indent=1))
    if a.out:
        write_json(a.out, res)
    return res


if __name__ == "__main__":
    main()

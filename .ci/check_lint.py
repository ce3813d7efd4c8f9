"""Run `snakemake --lint` and fail on any kind of warning other than the documented ones.

    python .ci/check_lint.py            # exit 0: only documented kinds; 1: a new kind (listed)

The documented kind (README, "Lint"): every rule runs in the one Python environment that
`pip install -e .` makes, so Snakemake's advice to give each rule a conda environment or container
is not followed. (Snakemake's `--lint json` is not wired to its command line, so the text is parsed.)
"""

import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCUMENTED = {"Specify a conda environment or container for each rule."}


def lint_titles(snakefile: Path = REPO / "Snakefile") -> list[str]:
    """The title of every lint Snakemake reports for ``snakefile`` (one entry per occurrence)."""
    with tempfile.TemporaryDirectory() as wd:
        r = subprocess.run([sys.executable, "-m", "snakemake", "--lint", "--snakefile", str(snakefile),
                            "--directory", wd], capture_output=True, text=True, timeout=300)
    out = r.stdout + r.stderr
    if "Lints for" not in out and "Congratulations" not in out:
        raise RuntimeError(f"snakemake --lint did not run:\n{out[-3000:]}")
    return [m.group(1) for m in re.finditer(r"^\s{4}\* (.+?):$", out, re.M)]


def undocumented(titles: list[str]) -> list[str]:
    return sorted({t for t in titles if t not in DOCUMENTED})


def main() -> int:
    titles = lint_titles()
    new = undocumented(titles)
    print(f"snakemake --lint: {len(titles)} warning(s), kinds: {sorted(set(titles))}")
    if new:
        print("undocumented kinds of lint (fix them, or document them in README 'Lint' and here):")
        for t in new:
            print(f"  - {t}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Print the rules to which a Snakemake profile gives a GPU (`set-resources: <rule>: gpu: N>0`).

    python .ci/slurm/gpu_rules.py [PROFILE_DIR]      # default: workflow/profiles/slurm

run-test.sh checks that Slurm allocated a GPU to the jobs of exactly these rules.
"""

import sys
from pathlib import Path

import yaml


def gpu_rules(profile_config: dict) -> list[str]:
    """Rule names whose set-resources ask for gpu > 0 (dict form or 'rule:gpu=N' list form)."""
    sr = profile_config.get("set-resources") or {}
    if isinstance(sr, list):  # ["rule:gpu=1", ...]
        parsed: dict[str, dict] = {}
        for item in sr:
            rule, _, kv = str(item).partition(":")
            key, _, value = kv.partition("=")
            parsed.setdefault(rule.strip(), {})[key.strip()] = value.strip()
        sr = parsed
    out = []
    for rule, resources in sr.items():
        try:
            if int((resources or {}).get("gpu", 0)) > 0:
                out.append(rule)
        except (TypeError, ValueError):
            raise SystemExit(f"set-resources {rule}: gpu must be an integer, got {resources.get('gpu')!r}")
    return out


def main(profile: Path) -> None:
    path = profile / "config.yaml"
    if not path.exists():
        raise SystemExit(f"{path}: no such profile file")
    print(" ".join(gpu_rules(yaml.safe_load(path.read_text()) or {})))


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[2] / "workflow" / "profiles" / "slurm"
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default)

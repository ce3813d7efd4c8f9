#!/usr/bin/env bash
# Run the `test` configuration of the workflow through Slurm (workflow/profiles/slurm) on a one-node
# cluster on this machine, then check that
#   - every job of the DAG went through Slurm (sacct lists it COMPLETED; also in jobcomp.txt),
#   - jobs of the rules the profile gives a GPU were allocated one by Slurm (a fake GPU: the node
#     has none; see start-cluster.sh) and ran on the CPU,
#   - results/summary.json has the same keys (and the same non-null keys) as a local run's,
#   - results/report/writeup.pdf exists.
#
#   bash .ci/slurm/run-test.sh              # starts the cluster when needed, leaves it running
#   NNREC_SLURM_STOP=1 bash .ci/slurm/run-test.sh   # ... and stops it afterwards
#   bash .ci/slurm/stop-cluster.sh          # stop it later
#
# Environment (all optional):
#   NNREC_MIRROR          data mirror (default: ../shared/data beside the checkout, else /work/shared/data)
#   NNREC_SLURM_WORKDIR   a fresh copy of the checkout in which the Slurm run writes resources/,
#                         results/, logs/ (default /tmp/nnrec-slurm-run; replaced at each run, so
#                         the run is complete every time)
#   NNREC_SLURM_REFERENCE summary.json of a local run of the test configuration to compare with
#                         (default: results/summary.json of the checkout when it exists, as after
#                         .ci/run's local run; else the script runs the test configuration locally
#                         in $NNREC_SLURM_WORKDIR-local, from the same copy of the code; force
#                         that with NNREC_SLURM_REFERENCE=local)
#   NNREC_SLURM_TARGETS   targets (default: the whole DAG, rule all)
#   NNREC_SLURM_DIR, NNREC_SLURM_GPUS (default 1 here), NNREC_SLURM_ACCOUNTING  see start-cluster.sh
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$REPO"
start=$(date +%s)
log() { echo "[slurm-test $(date -u +%T)] $*"; }
die() { echo "[slurm-test] FAILED: $*" >&2; exit 1; }

if [ -z "${NNREC_MIRROR:-}" ]; then
  for m in "$REPO/../shared/data" /work/shared/data; do [ -d "$m" ] && NNREC_MIRROR="$(cd "$m" && pwd)" && break; done
fi
export NNREC_MIRROR="${NNREC_MIRROR:-}"
WORK="${NNREC_SLURM_WORKDIR:-/tmp/nnrec-slurm-run}"
export NNREC_SLURM_GPUS="${NNREC_SLURM_GPUS:-1}"
PY="${PYTHON:-python3}"

# 1. The executor plugin (pinned; it is not a dependency of the project itself).
if ! "$PY" -c "import snakemake_executor_plugin_slurm" 2>/dev/null; then
  log "installing snakemake-executor-plugin-slurm"
  "$PY" -m pip install -q 'snakemake-executor-plugin-slurm==2.8.0' 'snakemake-executor-plugin-slurm-jobstep==0.6.1'
fi

# 2. The cluster.
bash "$REPO/.ci/slurm/start-cluster.sh"
# shellcheck disable=SC1091
. "${NNREC_SLURM_DIR:-/tmp/nnrec-slurm}/env.sh"
CPUS="$(sinfo -h -N -o '%c' | head -1)"
if [ "${NNREC_SLURM_STOP:-0}" = 1 ]; then trap 'bash "$REPO/.ci/slurm/stop-cluster.sh"' EXIT; fi

# With slurmdbd (the default) the plugin follows jobs with sacct, and the check reads sacct. Without
# it (NNREC_SLURM_ACCOUNTING=none) sacct cannot answer ("Slurm accounting storage is disabled"): job
# states then come from slurmctld through squeue, which keeps finished jobs for MinJobAge (6 h here).
if sacct -n -X >/dev/null 2>&1; then STATUS=sacct; else STATUS=squeue; fi

# The rules to which the profile gives a GPU (checked below: Slurm allocated one to their jobs).
GPU_RULES="$("$PY" "$REPO/.ci/slurm/gpu_rules.py" "$REPO/workflow/profiles/slurm")"
if [ -n "$GPU_RULES" ] && [ "$NNREC_SLURM_GPUS" = 0 ]; then
  die "the profile gives GPUs to: $GPU_RULES, but NNREC_SLURM_GPUS=0 (no GPU on the test node)"
fi

# 3. The Slurm run, in a fresh copy of the checkout (tracked and untracked-but-not-ignored files),
# so that it neither reads nor overwrites the checkout's own resources/ and results/.
copy_tree() {  # dest
  rm -rf "$1"; mkdir -p "$1"
  if git -C "$REPO" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$REPO" ls-files -z --cached --others --exclude-standard \
      | tar -C "$REPO" --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -C "$1" -xf -
  else
    tar -C "$REPO" --exclude=./results --exclude=./resources --exclude=./logs --exclude=./.snakemake \
      --exclude=./.venv -cf - . | tar -C "$1" -xf -
  fi
}
copy_tree "$WORK"
REF="${NNREC_SLURM_REFERENCE:-}"
if [ -z "${NNREC_SLURM_TARGETS:-}" ] && { [ -z "$REF" ] || [ "$REF" = local ]; }; then
  if [ "$REF" != local ] && [ -s "$REPO/results/summary.json" ]; then
    REF="$REPO/results/summary.json"
  else  # the local reference run uses the same snapshot of the code as the Slurm run
    REF=""; rm -rf "$WORK-local"; cp -a "$WORK" "$WORK-local"
  fi
fi
SNAKE=(snakemake --snakefile "$WORK/Snakefile" --configfile "$WORK/config.test.yaml")
log "Slurm run in $WORK (mirror: ${NNREC_MIRROR:-none}; status via $STATUS; GPU rules: ${GPU_RULES:-none})"
t0=$(date +%s)
set +e
"${SNAKE[@]}" --profile "$WORK/workflow/profiles/slurm" --directory "$WORK" \
  --slurm-no-account --slurm-status-command "$STATUS" --cores "$CPUS" --max-threads "$CPUS" \
  ${NNREC_SLURM_TARGETS:-} 2>&1 | tee "$WORK/slurm-run.log"
rc=${PIPESTATUS[0]}
set -e
slurm_s=$(( $(date +%s) - t0 ))
[ "$rc" = 0 ] || die "snakemake through Slurm exited $rc (log: $WORK/slurm-run.log, Slurm logs: $WORK/.snakemake/slurm_logs)"
log "Slurm run took $slurm_s s"

# 4. Every job went through Slurm.
RUN_ID="$(sed -n 's/.*SLURM run ID: \([A-Za-z0-9_-]*\).*/\1/p' "$WORK/slurm-run.log" | head -1)"
[ -n "$RUN_ID" ] || die "no 'SLURM run ID' in the snakemake log"
if [ "$STATUS" = sacct ]; then
  sacct -X -n -P --name "$RUN_ID" -S "$(date -d "@$t0" +%FT%T)" -o JobID,JobName,Comment,State,AllocTRES \
    >"$WORK/slurm-jobs.txt"
else
  squeue -t all -h --name "$RUN_ID" -O 'JobID:|,Name:|,Comment:|,State:|,tres-per-job:|,tres-alloc:' \
    | sed 's/ *|/|/g' >"$WORK/slurm-jobs.txt"
fi
"$PY" "$REPO/.ci/slurm/check_run.py" --jobs "$WORK/slurm-jobs.txt" --snakemake-log "$WORK/slurm-run.log" \
  --gpu-rules "$GPU_RULES" --jobcomp "${NNREC_SLURM_DIR:-/tmp/nnrec-slurm}/jobcomp.txt" \
  --run-id "$RUN_ID"

# 5. Same summary keys as a local run; the PDF.
if [ -z "${NNREC_SLURM_TARGETS:-}" ]; then
  if [ -z "$REF" ]; then
    log "no local summary.json to compare with: running the test configuration locally"
    t1=$(date +%s)
    snakemake --snakefile "$WORK-local/Snakefile" --configfile "$WORK-local/config.test.yaml" \
      --cores "$CPUS" --directory "$WORK-local" --quiet rules >"$WORK/local-run.log" 2>&1 \
      || die "local run failed ($WORK/local-run.log)"
    log "local run took $(( $(date +%s) - t1 )) s"
    REF="$WORK-local/results/summary.json"
  fi
  test -s "$WORK/results/report/writeup.pdf" || die "no results/report/writeup.pdf"
  "$PY" "$REPO/.ci/slurm/check_run.py" --summary "$WORK/results/summary.json" --reference "$REF"
  log "PDF: $WORK/results/report/writeup.pdf ($(du -h "$WORK/results/report/writeup.pdf" | cut -f1))"
fi
log "OK: Slurm run $slurm_s s, whole script $(( $(date +%s) - start )) s"

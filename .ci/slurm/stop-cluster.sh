#!/usr/bin/env bash
# Stop the single-node test cluster started by start-cluster.sh: cancel its jobs, stop slurmd,
# slurmctld, slurmdbd and its MariaDB (by their pid files in NNREC_SLURM_DIR), and munged when
# start-cluster.sh started it. The accounting database stays in NNREC_SLURM_DIR/db unless --purge.
#   bash .ci/slurm/stop-cluster.sh [--keep-munge] [--keep-accounting] [--purge]
#   (--purge also deletes NNREC_SLURM_DIR, with the accounting database)
set -uo pipefail

DIR="${NNREC_SLURM_DIR:-/tmp/nnrec-slurm}"
export SLURM_CONF="$DIR/slurm.conf"
KEEP_MUNGE=0; KEEP_ACCT=0; PURGE=0
for a in "$@"; do
  case "$a" in
    --keep-munge) KEEP_MUNGE=1 ;;
    --keep-accounting) KEEP_ACCT=1 ;;
    --purge) PURGE=1 ;;
    *) echo "usage: $0 [--keep-munge] [--keep-accounting] [--purge]" >&2; exit 2 ;;
  esac
done

stop_pidfile() {  # name pidfile
  local pid
  [ -s "$2" ] || return 0
  pid="$(cat "$2")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    echo "[stop-cluster] stopped $1 ($pid)"
  fi
  rm -f "$2"
}

if [ -f "$SLURM_CONF" ] && scontrol ping >/dev/null 2>&1; then
  scancel --user="$(id -un)" 2>/dev/null || true
fi
stop_pidfile slurmd "$DIR/slurmd.pid"
stop_pidfile slurmctld "$DIR/slurmctld.pid"
if [ "$KEEP_ACCT" = 0 ]; then
  stop_pidfile slurmdbd "$DIR/slurmdbd.pid"
  stop_pidfile mariadbd "$DIR/db/run/mariadb.pid"
fi
if [ "$KEEP_MUNGE" = 0 ] && [ -f "$DIR/munged.ours" ]; then
  stop_pidfile munged /run/munge/munged.pid
  rm -f "$DIR/munged.ours"
fi
if [ "$PURGE" = 1 ]; then
  for f in slurm.conf gres.conf cgroup.conf slurmdbd.conf; do
    [ "$(readlink "/etc/slurm/$f" || true)" = "$DIR/$f" ] && rm -f "/etc/slurm/$f"
  done
  rm -rf "$DIR" && echo "[stop-cluster] removed $DIR and its /etc/slurm links"
fi
exit 0

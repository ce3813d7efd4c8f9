#!/usr/bin/env bash
# Start a single-node Slurm cluster on this machine (slurmctld + slurmd, munge authentication),
# for testing the workflow's Slurm profile. Idempotent: a cluster already answering is reused.
#
#   bash .ci/slurm/start-cluster.sh          # then sinfo, sbatch, squeue -t all ... as usual
#   bash .ci/slurm/stop-cluster.sh
#
# Everything (config, state, logs, pid files) lives in NNREC_SLURM_DIR (default /tmp/nnrec-slurm).
# /etc/slurm/{slurm,gres,cgroup,slurmdbd}.conf become symbolic links to it, because the jobs' nested `srun`
# (snakemake-executor-plugin-slurm-jobstep strips SLURM_CONF from its environment) only finds the
# default location; an existing /etc/slurm/slurm.conf that is not such a link (a real cluster's) is
# never replaced: the script stops instead. Clients may also `source "$NNREC_SLURM_DIR/env.sh"`.
#
# The node is this machine with its real CPUs and memory (from `slurmd -C`).
# Job records: Slurm 22.05's sacct reads slurmdbd only (with accounting_storage/none it answers
# "Slurm accounting storage is disabled"; the text-file storage and `sacct --completion` are gone),
# and slurmdbd needs MySQL/MariaDB. So by default (NNREC_SLURM_ACCOUNTING=slurmdbd) the script runs a
# private MariaDB (data in $NNREC_SLURM_DIR/db, 127.0.0.1:3307, ~5 s to start) and slurmdbd, and sacct
# works. NNREC_SLURM_ACCOUNTING=none skips both (no mariadb-server install): sacct then cannot answer,
# but slurmctld keeps finished jobs for MinJobAge seconds (NNREC_SLURM_JOB_AGE, default 6 h), where
# `squeue -t all` lists them. Either way JobCompType=jobcomp/filetxt appends one line per finished
# job to $NNREC_SLURM_DIR/jobcomp.txt.
# Optional fake GPUs: NNREC_SLURM_GPUS=N declares N `gpu` generic resources backed by /dev/null-like
# devices, so jobs that ask `--gpus=1` are scheduled and run (on the CPU): this tests the profile's
# GPU mapping on a machine without a GPU.
#
# Needs root (installs Debian's slurm-wlm, munge, and for slurmdbd slurmdbd + mariadb-server, when
# missing; runs munged as user munge and mariadbd as user mysql).
set -euo pipefail

DIR="${NNREC_SLURM_DIR:-/tmp/nnrec-slurm}"
CTLD_PORT="${NNREC_SLURM_CTLD_PORT:-6817}"
SLURMD_PORT="${NNREC_SLURM_SLURMD_PORT:-6818}"
JOB_AGE="${NNREC_SLURM_JOB_AGE:-21600}"
GPUS="${NNREC_SLURM_GPUS:-0}"
PARTITION="${NNREC_SLURM_PARTITION:-main}"
ACCOUNTING="${NNREC_SLURM_ACCOUNTING:-slurmdbd}"   # slurmdbd (sacct works) | none (lighter)
DBD_PORT="${NNREC_SLURM_DBD_PORT:-6819}"
DB_PORT="${NNREC_SLURM_DB_PORT:-3307}"
case "$ACCOUNTING" in slurmdbd|none) ;; *) echo "NNREC_SLURM_ACCOUNTING must be slurmdbd or none" >&2; exit 2;; esac

log() { echo "[start-cluster $(date -u +%T)] $*"; }
die() { echo "[start-cluster] ERROR: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (starts munged as user munge and slurmd as root)"

# 1. Packages (Debian): only when missing.
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null \
   || ! command -v sacct >/dev/null || ! command -v munged >/dev/null; then
  command -v apt-get >/dev/null || die "slurmctld/slurmd/munged missing and apt-get unavailable: install slurm-wlm and munge"
  log "installing slurm-wlm and munge (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq slurm-wlm munge >/dev/null
fi
if [ "$ACCOUNTING" = slurmdbd ] && { ! command -v slurmdbd >/dev/null || ! command -v mariadbd >/dev/null; }; then
  command -v apt-get >/dev/null || die "slurmdbd/mariadbd missing and apt-get unavailable (or use NNREC_SLURM_ACCOUNTING=none)"
  log "installing slurmdbd and mariadb-server (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq slurmdbd mariadb-server >/dev/null
fi

mkdir -p "$DIR"/{state,spool,log} /etc/slurm
if [ -e /etc/slurm/slurm.conf ] && [ "$(readlink /etc/slurm/slurm.conf || true)" != "$DIR/slurm.conf" ]; then
  die "/etc/slurm/slurm.conf exists and is not this script's link to $DIR/slurm.conf: is this a real cluster? (remove it to use the test cluster)"
fi
export SLURM_CONF="$DIR/slurm.conf"
printf 'export SLURM_CONF=%q\n' "$SLURM_CONF" >"$DIR/env.sh"

# 2. munge: reuse a running daemon that answers, else start one (as user munge, its own pid file).
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  log "munged already running"
else
  if [ ! -s /etc/munge/munge.key ]; then
    log "creating /etc/munge/munge.key"
    if command -v mungekey >/dev/null; then mungekey --create --keyfile=/etc/munge/munge.key; else create-munge-key -f; fi
  fi
  chown munge:munge /etc/munge /etc/munge/munge.key && chmod 0700 /etc/munge && chmod 0400 /etc/munge/munge.key
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
  log "starting munged"
  runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/munged.pid
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n | unmunge >/dev/null || die "munged does not answer (see /var/log/munge/munged.log)"
  echo started >"$DIR/munged.ours"  # stop-cluster.sh stops munged only when we started it
fi


alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# 2b. Job accounting: a private MariaDB (its own data folder, 127.0.0.1:$DB_PORT) and slurmdbd.
if [ "$ACCOUNTING" = slurmdbd ]; then
  DB="$DIR/db"
  SOCK="$DB/run/mysql.sock"
  if ! mariadb -S "$SOCK" -e 'select 1' >/dev/null 2>&1; then
    mkdir -p "$DB/data" "$DB/run"; chown -R mysql:mysql "$DB"
    if [ ! -d "$DB/data/mysql" ]; then
      log "creating the accounting database in $DB/data"
      mariadb-install-db --user=mysql --datadir="$DB/data" --auth-root-authentication-method=socket \
        --skip-test-db >"$DIR/log/mariadb-install.log" 2>&1 || die "mariadb-install-db failed ($DIR/log/mariadb-install.log)"
    fi
    log "starting mariadbd (127.0.0.1:$DB_PORT)"
    runuser -u mysql -- /usr/sbin/mariadbd --datadir="$DB/data" --socket="$SOCK" --port="$DB_PORT" \
      --bind-address=127.0.0.1 --pid-file="$DB/run/mariadb.pid" --log-error="$DB/run/mariadb.log" \
      --innodb-buffer-pool-size=64M --innodb-lock-wait-timeout=900 >/dev/null 2>&1 &
    for _ in $(seq 60); do mariadb -S "$SOCK" -e 'select 1' >/dev/null 2>&1 && break; sleep 0.5; done
    mariadb -S "$SOCK" -e 'select 1' >/dev/null 2>&1 || die "mariadbd does not answer ($DB/run/mariadb.log)"
  fi
  mariadb -S "$SOCK" -e "CREATE DATABASE IF NOT EXISTS slurm_acct_db;
    CREATE OR REPLACE USER 'slurm'@'127.0.0.1' IDENTIFIED BY 'nnrec-test-cluster';
    GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';" || die "cannot create the accounting database"
  cat >"$DIR/slurmdbd.conf.new" <<EOF
# Written by .ci/slurm/start-cluster.sh (test cluster; the database listens on 127.0.0.1 only).
AuthType=auth/munge
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort=$DBD_PORT
SlurmUser=root
LogFile=$DIR/log/slurmdbd.log
PidFile=$DIR/slurmdbd.pid
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$DB_PORT
StorageUser=slurm
StoragePass=nnrec-test-cluster
StorageLoc=slurm_acct_db
EOF
  chmod 600 "$DIR/slurmdbd.conf.new"
  if alive "$DIR/slurmdbd.pid" && cmp -s "$DIR/slurmdbd.conf" "$DIR/slurmdbd.conf.new"; then
    rm -f "$DIR/slurmdbd.conf.new"
  else
    if alive "$DIR/slurmdbd.pid"; then kill "$(cat "$DIR/slurmdbd.pid")"; sleep 1; fi
    mv "$DIR/slurmdbd.conf.new" "$DIR/slurmdbd.conf"
    ln -sfn "$DIR/slurmdbd.conf" /etc/slurm/slurmdbd.conf
    log "starting slurmdbd (127.0.0.1:$DBD_PORT)"
    slurmdbd
  fi
  ACCT_LINES="AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=$DBD_PORT
AccountingStoreFlags=job_comment"
  [ "$GPUS" -gt 0 ] && ACCT_LINES="$ACCT_LINES
AccountingStorageTRES=gres/gpu"
else
  # no slurmdbd: sacct cannot answer; finished jobs stay in slurmctld (squeue -t all) for MinJobAge
  ACCT_LINES="AccountingStorageType=accounting_storage/none"
fi

# 3. Configuration for one node: this machine as slurmd -C sees it, reached at 127.0.0.1 (no DNS).
NODE="$(hostname -s)"
NODELINE="$(slurmd -C | head -1)"
CPUS="$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<<"$NODELINE")"
MEM="$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$NODELINE")"
[ -n "$CPUS" ] && [ -n "$MEM" ] || die "cannot read CPUs/RealMemory from 'slurmd -C': $NODELINE"
GRES_NODE=""; GRES_TYPES=""
: >"$DIR/gres.conf.new"
if [ "$GPUS" -gt 0 ]; then
  GRES_TYPES="GresTypes=gpu"
  GRES_NODE="Gres=gpu:$GPUS"
  # slurmd drops file-less GPUs, and wants character devices: /dev/null clones, fakegpu0..N-1
  files=""
  for i in $(seq 0 $((GPUS - 1))); do
    [ -c "$DIR/fakegpu$i" ] || mknod "$DIR/fakegpu$i" c 1 3 2>/dev/null || break
    files="${files:+$files,}$DIR/fakegpu$i"
  done
  if [ "$(tr ',' '\n' <<<"$files" | grep -c .)" != "$GPUS" ]; then
    [ "$GPUS" = 1 ] || die "mknod not permitted here: only NNREC_SLURM_GPUS=1 (File=/dev/null) works"
    files=/dev/null
  fi
  echo "NodeName=$NODE Name=gpu Count=$GPUS File=$files" >"$DIR/gres.conf.new"
fi
cat >"$DIR/slurm.conf.new" <<EOF
# Written by .ci/slurm/start-cluster.sh: single-node test cluster on $NODE.
ClusterName=nnrec
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
# containers: no cgroup plugins, processes tracked through /proc
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
# CPUs and memory are consumable: a job gets what it asks (--cpus-per-task, --mem)
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
# job records: $ACCOUNTING; finished jobs also stay in slurmctld (squeue -t all) for MinJobAge s and
# every finished job is appended to jobcomp.txt
$ACCT_LINES
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=30
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/jobcomp.txt
MinJobAge=$JOB_AGE
MaxJobCount=100000
$GRES_TYPES
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM $GRES_NODE State=UNKNOWN
PartitionName=$PARTITION Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF

if [ "$ACCOUNTING" = slurmdbd ]; then  # the cluster must be known to slurmdbd before slurmctld starts
  acctmgr() { SLURM_CONF="$DIR/slurm.conf.new" sacctmgr "$@"; }
  for _ in $(seq 60); do acctmgr -n list cluster >/dev/null 2>&1 && break; sleep 0.5; done
  acctmgr -n list cluster >/dev/null 2>&1 || die "slurmdbd does not answer ($DIR/log/slurmdbd.log)"
  acctmgr -n -P list cluster format=cluster | grep -qx nnrec || acctmgr -i add cluster nnrec >/dev/null
fi

same() { cmp -s "$DIR/$1" "$DIR/$1.new"; }

if alive "$DIR/slurmctld.pid" && alive "$DIR/slurmd.pid" && scontrol ping >/dev/null 2>&1 \
   && same slurm.conf && same gres.conf; then
  log "cluster already running with this configuration"
  rm -f "$DIR/slurm.conf.new" "$DIR/gres.conf.new"
else
  # a cluster left from an earlier start (other settings, or half dead): stop it first
  if [ -e "$DIR/slurmctld.pid" ] || [ -e "$DIR/slurmd.pid" ]; then
    log "restarting the cluster (configuration changed or a daemon is down)"
    bash "$(dirname "$0")/stop-cluster.sh" --keep-munge --keep-accounting >/dev/null 2>&1 || true
  fi
  mv "$DIR/slurm.conf.new" "$SLURM_CONF"; mv "$DIR/gres.conf.new" "$DIR/gres.conf"
  # no cgroup plugins are configured; an empty cgroup.conf beside slurm.conf keeps slurmd quiet
  : >"$DIR/cgroup.conf"
  for f in slurm.conf gres.conf cgroup.conf; do ln -sfn "$DIR/$f" "/etc/slurm/$f"; done

  log "starting slurmctld and slurmd ($NODE: $CPUS CPUs, $MEM MB, $GPUS fake GPUs)"
  # -c: a clean start (no jobs from a previous run's state)
  slurmctld -c -f "$SLURM_CONF"
  slurmd -f "$SLURM_CONF" 2>/dev/null
fi

# 4. Wait until the node takes jobs.
for i in $(seq 60); do
  for d in slurmctld slurmd; do  # a daemon that died at start (bad config): say why, do not wait
    if [ "$i" -gt 5 ] && ! alive "$DIR/$d.pid"; then
      tail -5 "$DIR/log/$d.log" >&2; die "$d is not running (log: $DIR/log/$d.log)"
    fi
  done
  state="$(sinfo -h -N -o '%t' 2>/dev/null | head -1 || true)"
  case "$state" in idle|mix|alloc) break ;; esac
  sleep 1
done
case "${state:-}" in
  idle|mix|alloc) ;;
  *) scontrol update nodename="$(hostname -s)" state=resume 2>/dev/null || true; sleep 2
     state="$(sinfo -h -N -o '%t' | head -1)"
     case "$state" in idle|mix|alloc) ;; *) die "node state '$state' (logs: $DIR/log/)";; esac ;;
esac
log "cluster up: $(sinfo -h -o '%P %D nodes, %c CPUs, %m MB, %G')"
log "use it with: source $DIR/env.sh"

#!/bin/bash
# Submits a sharded seatsim run to Slurm: N array tasks, then a merge that starts when all
# of them have succeeded (a failed shard leaves the merge pending; fix it and resubmit that
# task with --array=K).
#
#   deploy/slurm/submit.sh SCENARIO TRIALS SHARDS OUT
#   deploy/slurm/submit.sh scenarios/synthetic/national.toml 100000 50 /shared/runs/national
#
# OUT must be on a filesystem that every node sees. Set SEATSIM to the binary's path if
# `seatsim` is not on the nodes' PATH.
set -euo pipefail
if [ $# -ne 4 ]; then
    echo "usage: $0 SCENARIO TRIALS SHARDS OUT" >&2
    exit 2
fi
here=$(dirname "$(realpath "$0")")
export SCENARIO TRIALS SHARDS OUT
SCENARIO=$(realpath "$1")
TRIALS=$2
SHARDS=$3
OUT=$(realpath -m "$4")
mkdir -p "$OUT/shards"

array=$(sbatch --parsable --array="1-$SHARDS" --export=ALL "$here/shard.sbatch")
merge=$(sbatch --parsable --dependency="afterok:$array" --export=ALL "$here/merge.sbatch")
echo "shards: job array $array (1-$SHARDS); merge: job $merge -> $OUT/result"

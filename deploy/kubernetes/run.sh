#!/bin/bash
# Runs the sharded job, then the merge, on the current kubectl context.
#   deploy/kubernetes/run.sh [TIMEOUT]     (default 24h)
set -euo pipefail
here=$(dirname "$(realpath "$0")")
timeout=${1:-24h}
kubectl apply -f "$here/shards.yaml"
kubectl wait --for=condition=complete job/seatsim-shards --timeout="$timeout"
kubectl apply -f "$here/merge.yaml"
kubectl wait --for=condition=complete job/seatsim-merge --timeout=1h
kubectl logs job/seatsim-merge

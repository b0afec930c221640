#!/bin/bash
# Submit the array (one task per shard) and, once every task has succeeded,
# the merge:
#
#   SPEC=spec.json DIR=out examples/slurm/submit.sh [SBATCH OPTIONS FOR THE ARRAY..]
#
# e.g. `examples/slurm/submit.sh --array=0-15 --partition=cpu` for 16 shards.
# SPEC, DIR, LANGEVIN and BACKEND are as in array.sbatch; each task's log is
# $DIR/slurm-ARRAYJOB_TASK.out, the merge's $DIR/slurm-JOB.out. Prints the two
# job ids; the result is $DIR/result.json.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
export SPEC=${SPEC:-examples/double-well.json}
export DIR=${DIR:-langevin-out}
mkdir -p "$DIR"

# --parsable prints "JOBID" or "JOBID;CLUSTER"
ARRAY_JOB_ID=$(sbatch --parsable --output="$DIR/slurm-%A_%a.out" "$@" "$HERE/array.sbatch")
ARRAY_JOB_ID=${ARRAY_JOB_ID%%;*}
MERGE_JOB_ID=$(sbatch --parsable --output="$DIR/slurm-%j.out" --dependency="afterok:$ARRAY_JOB_ID" --kill-on-invalid-dep=yes "$HERE/merge.sbatch")
MERGE_JOB_ID=${MERGE_JOB_ID%%;*}
echo "array job $ARRAY_JOB_ID, merge job $MERGE_JOB_ID: the result will be $DIR/result.json"

#!/bin/bash
# One spec split over GNU parallel: 4 shards (CPU backend) on this machine, or
# on a few machines over ssh, then one merge. The merged result is the one a
# single `langevin run SPEC --backend cpu` gives, bit for bit, bar the
# provenance (createdAt, host, device, the timings and the "shards" section).
# A shard holds whole tiles of 4096 particles: N is at most particles / 4096,
# rounded up.
#
#   examples/parallel.sh [SPEC]          (default examples/double-well.json)
#   HOSTS=host1,host2 examples/parallel.sh spec.json
#
# LANGEVIN is the command (default "npx langevin"). Every machine needs Node 20
# and langevin; over ssh the spec is sent along (--transferfile) and each part
# fetched back (--return) and removed there (--cleanup).
set -eu

SPEC=${1:-examples/double-well.json}
LANGEVIN=${LANGEVIN:-npx langevin}
N=4

if [ -z "${HOSTS:-}" ]; then
  # this machine: {} is the shard index 0..3 (--shard I/N is 0-based)
  # shellcheck disable=SC2086 # LANGEVIN is a command line
  parallel -j "$N" --halt now,fail=1 $LANGEVIN run "$SPEC" --backend cpu --shard {}/"$N" --out part-{}.json ::: $(seq 0 $((N - 1)))
  # the same with --shard auto: it reads PARALLEL_SEQ (1, 2, ..) - 1 and needs --shards
  # (-N0: the inputs only count the jobs, none is appended to the command)
  #   parallel -j 4 -N0 $LANGEVIN run "$SPEC" --backend cpu --shard auto --shards 4 --out 'part-$((PARALLEL_SEQ - 1)).json' ::: 1 2 3 4
else
  # a few machines (`ssh host` must work without a password), one shard at a
  # time on each (-j 1: a shard uses every CPU of its host). --workdir ...
  # makes a scratch folder on each host, removed after. (Leave this machine,
  # ':', out of HOSTS: nothing is transferred to it, and its jobs would run in
  # an empty scratch folder.)
  # shellcheck disable=SC2086
  parallel -j 1 --sshlogin "$HOSTS" --workdir ... --transferfile "$SPEC" --return part-{}.json --cleanup --halt now,fail=1 \
    $LANGEVIN run "$SPEC" --backend cpu --shard {}/"$N" --out part-{}.json ::: $(seq 0 $((N - 1)))
fi

# shellcheck disable=SC2086
$LANGEVIN merge part-*.json --out result.json
echo "result.json: $N shards of $SPEC merged"

#!/bin/sh
# The long lockstep differential run of walt's raft against etcd 3.4's
# (README, Raft conformance): seeded schedules through both, every Ready
# compared line for line; stops at the first difference.
#
# Usage: scripts/raft-differential.sh [--seeds N] [--from S] [--verbose]   (default 100000 seeds from 0)
set -eu
cd "$(dirname "$0")/.."
npx tsc -p .
exec node dist/test/raft/lockstep/run.js "$@"

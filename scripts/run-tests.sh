#!/bin/sh
# npm test: every *.test.js under dist/test, two files at a time; the files
# that start real etcd on the fixtures' fixed ports run after the rest, one at
# a time, so that no two etcds contend for a port or the two cores.
set -u
cd "$(dirname "$0")/.."
# A fresh build: a test file deleted from test/ must not linger in dist.
rm -rf dist && npm run build --silent || exit 1
serial=$(find dist/test -name '*.test.js' \( -path '*/interop/*' -o -name 'version-rules-live.test.js' \) | sort)
parallel=$(find dist/test -name '*.test.js' | sort | grep -vxF "$serial")
node --test --test-concurrency=2 $parallel
status=$?
node --test --test-concurrency=1 $serial || status=1
exit $status

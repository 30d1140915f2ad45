#!/usr/bin/env bash
# Build walt's Go oracle (test/oracle/oracle.go), or another of walt's Go
# programs (the bench's, under bench/go/), against Debian's etcd 3.4
# sources (package golang-etcd-server-dev, under /usr/share/gocode/src) in
# GOPATH mode with Debian's golang-go. No network, no go.mod, no downloads.
#
# Usage: test/oracle/build.sh OUTPUT_BINARY [PACKAGE_DIR]   (default: test/oracle)
#
# Equivalent to, from the repository root:
#   GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS=-mod=mod go build -o OUT ./test/oracle
# (In GOPATH mode a package outside GOPATH builds fine: its imports are
# resolved from $GOPATH/src. -mod=mod is accepted and ignored there.)
set -euo pipefail
out=${1:?usage: build.sh OUTPUT_BINARY [PACKAGE_DIR]}
case $out in /*) ;; *) out=$PWD/$out ;; esac
cd "${2:-$(dirname "$0")}"
export GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS=-mod=mod GOPROXY=off
# go needs a build cache; fall back to a temp one when HOME is unset
if [ -z "${GOCACHE:-}" ] && [ -z "${HOME:-}" ]; then
  export GOCACHE=${TMPDIR:-/tmp}/walt-oracle-gocache
fi
go vet .
go build -o "$out" .

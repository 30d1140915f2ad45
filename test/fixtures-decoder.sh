#!/usr/bin/env bash
# A --stream-decoder for walt's tests and for recording fixtures/etcd-dump-logs:
# reads one hex line per entry and answers one line, in the form the mode names.
#   upper  OK|<the hex, upper-cased>          (the status|data form)
#   plain  <the hex, upper-cased>             (no '|': etcd-dump-logs warns)
#   split  OK|<first half>|<second half>      (a '|' in the data: it warns too)
# At the end it writes a line to stderr, which etcd-dump-logs passes on.
set -u
mode=${1:-upper}
n=0
while IFS= read -r line; do
  hex=${line^^}
  case $mode in
    upper) printf 'OK|%s\n' "$hex" ;;
    plain) printf '%s\n' "$hex" ;;
    split) half=$((${#hex} / 2)); printf 'OK|%s|%s\n' "${hex:0:half}" "${hex:half}" ;;
    *) echo "fixtures-decoder.sh: unknown mode $mode" >&2; exit 2 ;;
  esac
  n=$((n + 1))
done
echo "decoded $n entries" >&2

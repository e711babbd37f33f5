#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# httptap-record --filter on a saved capture: only matching flows are written,
# --count counts written flows, and a bad expression is a usage error (exit 2)
# naming the column.
set -u
record=$1
capture=$2
fail() { echo "FAIL: $*" >&2; exit 1; }

n=$("$record" --read "$capture" --filter 'method:POST or status>=300' | wc -l)
[ "$n" = 2 ] || fail "expected 2 flows, got $n"
urls=$("$record" --read "$capture" --filter '-path:/one -/f[io]/' | sed 's/.*"url":"\([^"]*\)".*/\1/' | sort -u | tr '\n' ' ')
[ "$urls" = "http://127.0.0.1:8080/six http://example.test/three http://example.test/two " ] || fail "urls: $urls"
n=$("$record" --read "$capture" --filter 'host=example.test' --count 2 | wc -l)
[ "$n" = 2 ] || fail "--count with --filter: $n"
n=$("$record" --read "$capture" --filter 'host=nowhere' | wc -l)
[ "$n" = 0 ] || fail "no match: $n"

out=$("$record" --read "$capture" --filter 'status>=' 2>&1)
rc=$?
[ "$rc" = 2 ] || fail "bad filter: exit $rc"
echo "$out" | head -1 | grep -qF "httptap-record: --filter: filter syntax error at column 9: expected a value after 'status>='" \
    || fail "message: $(echo "$out" | head -1)"
echo ok

#!/usr/bin/env bash
# One measured run of a counter-store jar, for A/B comparisons of two builds (alternate them:
# A B A B A B, same warm-up, same window):
#
#   perf/scripts/store-ab.sh LABEL JAR PORT ["JAVA_OPTS"]
#
# Starts the jar as a one-node group on PORT (fresh data dir), warms it up with WARM (default
# 3000000) INCR and INV.RESERVE requests at -P 16 -c 50 (JIT warm-up is slow), measures N
# (default 2000000) of each and prints one line: LABEL incr=<req/s> reserve=<req/s> load=<1-min load>.
set -euo pipefail
LABEL=$1 JAR=$2 PORT=$3 OPTS=${4:--Xms2g -Xmx2g}
N=${N:-2000000}
WARM=${WARM:-3000000}
DIR=$(mktemp -d)
# shellcheck disable=SC2086 # OPTS holds several flags
java $OPTS -jar "$JAR" --port "$PORT" --bind 127.0.0.1 --data-dir "$DIR" > "$DIR/log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$DIR"' EXIT
for _ in $(seq 1 150); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.2; done
redis-cli -p "$PORT" INV.CREATE stock 100000000000000 >/dev/null
rate() {
  redis-benchmark -p "$PORT" -c 50 -n "$1" -P 16 -r 100000000000 --csv "${@:2}" 2>/dev/null \
    | tail -n 1 | cut -d, -f2 | tr -d '"'
}
rate "$WARM" INCR counter >/dev/null
rate "$WARM" INV.RESERVE stock 1 __rand_int__ >/dev/null
incr=$(rate "$N" INCR counter)
reserve=$(rate "$N" INV.RESERVE stock 1 __rand_int__)
echo "$LABEL incr=$incr reserve=$reserve load=$(cut -d' ' -f1 /proc/loadavg)"

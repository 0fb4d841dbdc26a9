#!/usr/bin/env bash
# One measured run of a counter-store jar under purchase load with snapshots on, for A/B
# comparisons of two builds of the snapshot (alternate them: A B A B):
#
#   perf/scripts/snapshot-ab.sh LABEL JAR PORT ["JAVA_OPTS"]
#
# Starts the jar as a one-node group on PORT (fresh data dir, --snapshot-every SNAP, default 2000
# log entries), fills it with FILL (default 1000000) pending reservations, each by a user of its
# own (INV.RESERVE stock 1 <id> USER u<id>, -P 16 -c 50: they stay retained, with a holder each),
# then measures N (default 1000000) more of the same (or, with MEASURE=incr, N unpipelined INCR
# from 50 clients: every request its own log entry, so snapshots come often and a stall of the
# apply thread shows in the latency) and prints one line: LABEL, req/s, p50/p99/max
# latency (ms) from redis-benchmark, the snapshots frozen during the measurement and their freeze
# times on the apply thread (min/median/max µs, from the store's log), and the 1-minute load.
set -euo pipefail
LABEL=$1 JAR=$2 PORT=$3 OPTS=${4:--Xms4g -Xmx4g}
N=${N:-1000000}
FILL=${FILL:-1000000}
SNAP=${SNAP:-2000}
DIR=$(mktemp -d)
# shellcheck disable=SC2086 # OPTS holds several flags
java $OPTS -jar "$JAR" --port "$PORT" --bind 127.0.0.1 --data-dir "$DIR" --snapshot-every "$SNAP" > "$DIR/log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$DIR"' EXIT
for _ in $(seq 1 150); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.2; done
redis-cli -p "$PORT" INV.CREATE stock 100000000000000 >/dev/null
reserve() {
  redis-benchmark -p "$PORT" -c 50 -n "$1" -P 16 -r 100000000000 --csv \
    INV.RESERVE stock 1 __rand_int__ USER u__rand_int__ 2>/dev/null | tail -n 1 | tr -d '"'
}
reserve "$FILL" >/dev/null
before=$(grep -c "frozen in" "$DIR/log" || true)
# csv: test,rps,avg,min,p50,p95,p99,max
if [ "${MEASURE:-reserve}" = incr ]; then
  row=$(redis-benchmark -p "$PORT" -c 50 -n "$N" -P 1 --csv INCR counter 2>/dev/null | tail -n 1 | tr -d '"')
else
  row=$(reserve "$N")
fi
freezes=$(grep "frozen in" "$DIR/log" | tail -n +"$((before + 1))" | sed 's/.*frozen in \([0-9]*\) .*/\1/' | sort -n)
count=$(echo "$freezes" | grep -c . || true)
if [ "$count" -gt 0 ]; then
  stats="min=$(echo "$freezes" | head -1) median=$(echo "$freezes" | sed -n "$(((count + 1) / 2))p") max=$(echo "$freezes" | tail -1)"
else
  stats="none"
fi
pending=$(redis-cli -p "$PORT" INV.GET stock | sed -n 6p)
echo "$LABEL rps=$(echo "$row" | cut -d, -f2) p50=$(echo "$row" | cut -d, -f5) p99=$(echo "$row" | cut -d, -f7) max=$(echo "$row" | cut -d, -f8) reserved=$pending snapshots=$count freeze_us[$stats] load=$(cut -d' ' -f1 /proc/loadavg)"

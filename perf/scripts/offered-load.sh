#!/usr/bin/env bash
# Latency against offered load, for the counter-store and a real Redis in one run: requests arrive
# at a fixed rate (open loop, dev.seckill.perf.OfferedLoad), stepped up until each server saturates.
#
#   perf/scripts/offered-load.sh ["10000 25000 50000 ..."]
#
# Starts its own Redis (port 6901, AOF on, appendfsync everysec, as compare-redis.sh does) and a
# counter-store (port 6902, one-node group, every answer fsync'd; STORE_JAVA_OPTS, default
# -Xms6g -Xmx6g: each reservation stays in memory), warms the store up with WARMUP (default
# 4000000) redis-benchmark requests of each command (its JIT needs millions), then for each
# command (INCR; reserve: Redis's Lua check-and-decrement by EVALSHA vs INV.RESERVE with a fresh
# request id each) offers each rate for STEP_SECONDS (default 10) over CONNECTIONS (default 50)
# connections, Redis first, and stops a server's steps after the first rate it could not keep up
# with. Latency runs from each request's intended send time (no coordinated omission).
# Rows go to perf/results/offered-<date>.csv; charts.sh draws p50/p99 against offered load.
# PROFILE=1 also profiles the store over its reserve steps (perf/profiles/offered-reserve.*).
set -euo pipefail
cd "$(dirname "$0")/../.."
RATES=${1:-10000 25000 50000 75000 100000 150000 200000 300000 400000 600000 800000}
CONNECTIONS=${CONNECTIONS:-50}
STEP_SECONDS=${STEP_SECONDS:-10}
WARMUP=${WARMUP:-4000000}
REDIS_PORT=${REDIS_PORT:-6901}
STORE_PORT=${STORE_PORT:-6902}
OUT=perf/results
mkdir -p "$OUT"
CSV="$OUT/offered-$(date -u +%Y%m%dT%H%M%SZ).csv"
WORK=$(mktemp -d)
. perf/scripts/servers.sh
trap 'stop_servers; rm -rf "$WORK"' EXIT
[ -f perf/target/benchmarks.jar ] || { echo "build first: ./mvnw -q -DskipTests package" >&2; exit 1; }

PROFILER=
if [ "${PROFILE:-0}" = 1 ]; then PROFILER=$(perf/scripts/profile.sh agent "$WORK/profile"); fi
start_servers ${STORE_JAVA_OPTS:--Xms6g -Xmx6g} $PROFILER

echo "warming up the store: $WARMUP INCR and $WARMUP INV.RESERVE (-P 16), then one step of each command"
redis-benchmark -p $STORE_PORT -c 50 -P 16 -n "$WARMUP" -r 100000000000 -q INCR counter | tr "\r" "\n" | tail -n 1
redis-benchmark -p $STORE_PORT -c 50 -P 16 -n "$WARMUP" -r 100000000000 -q INV.RESERVE stock 1 __rand_int__ | tr "\r" "\n" | tail -n 1

# offer TARGET PORT LABEL command...: the steps, rows appended to the CSV
offer() {
  local target=$1 port=$2 label=$3; shift 3
  java -Xms256m -Xmx256m -XX:+UseSerialGC -cp perf/target/benchmarks.jar dev.seckill.perf.OfferedLoad \
    --port "$port" --target "$target" --label "$label" --connections "$CONNECTIONS" --seconds "$STEP_SECONDS" \
    --rates "$(echo $RATES | tr ' ' ',')" --csv "$CSV" -- "$@"
}
# the generator's own JIT and the servers' first connections, not recorded
java -cp perf/target/benchmarks.jar dev.seckill.perf.OfferedLoad --port $STORE_PORT --connections "$CONNECTIONS" \
  --seconds 5 --rates 20000 -- INV.RESERVE stock 1 __id__ > /dev/null

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
offer redis $REDIS_PORT INCR INCR counter
offer store $STORE_PORT INCR INCR counter
offer redis $REDIS_PORT reserve EVALSHA "$SHA" 1 stock 1
from=$(date +%s)
offer store $STORE_PORT reserve INV.RESERVE stock 1 __id__
to=$(date +%s)
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
redis-cli -p $STORE_PORT INFO stats | grep -E 'commands_per_entry|log_entries' || true
if [ -n "$PROFILER" ]; then
  perf/scripts/profile.sh report offered-reserve "$WORK/profile" "$from" "$to" "counter-store under open-loop INV.RESERVE steps" > /dev/null
  echo "profile: perf/profiles/offered-reserve.html"
fi
echo "raw figures: $CSV"

#!/usr/bin/env bash
# How cost grows, with the counter-store alone: throughput and latency (p50/p99 as redis-benchmark
# measures them) and heap per item, as one thing grows at a time.
#
#   perf/scripts/sweep.sh skus         [N ...]   SKUs in the store (default 1 1000 1000000); a fresh store
#                                                per N; INV.RESERVE spread at random over all N SKUs
#   perf/scripts/sweep.sh reservations [M ...]   pending reservations retained (default 0 100000 1000000
#                                                3000000); one store, filled up step by step
#   perf/scripts/sweep.sh connections  [C ...]   client connections (default 10 50 500 1000 5000); one store
#
# Environment: REQUESTS per measured run (default 500000; reservations and connections: 200000), PIPELINE (default 16,
# connections: 1), CLIENTS (default 50), STORE_JAVA_OPTS (default -Xms4g -Xmx4g), PORT (default 6481).
# Each measured run follows a warm-up run of the same size, so the JIT has compiled the hot paths.
#
# Memory is the heap in use after a full GC (jcmd GC.run, then GC.heap_info), before and after the
# items were added: "bytes per item" includes everything an item costs (map entries, strings, its
# change-feed row until the sync acknowledges it).
#
# Why not redis-benchmark's -r alone: it draws every __rand_int__ from the same range, so with 1,000
# SKUs the request ids would repeat after 1,000 values (and a repeated id only replays its answer).
# The request id is therefore built from several __rand_int__ (each drawn on its own), which gives at
# least 10^12 distinct ids whatever the SKU count.
#
# Output: one CSV row per point in perf/results/sweep-<kind>-<date>.csv, and a table on stdout.
set -euo pipefail
cd "$(dirname "$0")/../.."
KIND=${1:?usage: perf/scripts/sweep.sh skus|reservations|connections [points...]}
shift
PORT=${PORT:-6481}
CLIENTS=${CLIENTS:-50}
JAR=counter-store/target/counter-store.jar
OUT=perf/results
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
CSV="$OUT/sweep-$KIND-$STAMP.csv"
WORK=$(mktemp -d)
STORE_PID=
stop_store() {
  if [ -n "$STORE_PID" ]; then
    kill "$STORE_PID" 2>/dev/null || true
    wait "$STORE_PID" 2>/dev/null || true
    STORE_PID=
  fi
}
trap 'stop_store; rm -rf "$WORK"' EXIT

command -v redis-benchmark >/dev/null || { echo "redis-benchmark missing: apt-get install redis-tools" >&2; exit 1; }
command -v jcmd >/dev/null || { echo "jcmd missing: it comes with the JDK" >&2; exit 1; }
[ -f "$JAR" ] || { echo "build first: ./mvnw -q -DskipTests package -pl counter-store -am" >&2; exit 1; }
# thousands of connections need as many file descriptors, in the store and in redis-benchmark
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
mkdir -p "$OUT"

start_store() {
  rm -rf "$WORK/store"
  # shellcheck disable=SC2086
  java ${STORE_JAVA_OPTS:--Xms4g -Xmx4g} -jar "$JAR" --port "$PORT" --bind 127.0.0.1 \
    --data-dir "$WORK/store" > "$WORK/store.log" 2>&1 &
  STORE_PID=$!
  for _ in $(seq 1 150); do
    redis-cli -p "$PORT" ping >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "the store did not start; its log:" >&2
  cat "$WORK/store.log" >&2
  exit 1
}

# heap in use after a full GC, in bytes (the second GC: the first still finds start-up leftovers)
heap_used() {
  jcmd "$STORE_PID" GC.run >/dev/null
  jcmd "$STORE_PID" GC.run >/dev/null
  jcmd "$STORE_PID" GC.heap_info | awk '/ heap / && /used/ {
    for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K.*/, "", v); print v * 1024; exit } }'
}

info_field() {
  redis-cli -p "$PORT" INFO inventory | tr -d '\r' | awk -F: -v k="$1" '$1 == k { print $2 }'
}

# bench <clients> <pipeline> <requests> <range> <command...>: "rps,avg,p50,p99,max" from redis-benchmark --csv
bench() {
  local c=$1 p=$2 n=$3 r=$4
  shift 4
  timeout 150 redis-benchmark -p "$PORT" -c "$c" -n "$n" -P "$p" -r "$r" --csv "$@" 2>/dev/null | tail -n 1 |
    tr -d '"' | awk -F, '{ print $2 "," $3 "," $5 "," $7 "," $8 }'
}

# a request id of k __rand_int__ placeholders: range^k distinct ids
request_id() {
  local k=$1 id=r
  for _ in $(seq 1 "$k"); do id="${id}__rand_int__"; done
  echo "$id"
}

# bytes per item, or nothing when the heap grew by less than 8 MB (below what a heap reading resolves)
per_item() { # before after items
  awk -v b="$1" -v a="$2" -v n="$3" 'BEGIN { if (n > 0 && a - b >= 8388608) printf "%d", (a - b) / n }'
}

# placeholders needed for >= 10^12 ids when each is drawn from [0, n), at most 8 (ids stay under 128 bytes)
placeholders_for() {
  awk -v n="$1" 'BEGIN { if (n < 2) { print 1; exit } k = int(12 / (log(n) / log(10))); if (k * log(n) / log(10) < 12) k++; if (k > 8) k = 8; print k }'
}

echo "sweep,x,clients,pipeline,requests,rps,avg_ms,p50_ms,p99_ms,max_ms,heap_used_mb,bytes_per_item" > "$CSV"
row() { # sweep x clients pipeline requests "rps,avg,p50,p99,max" heap_bytes bytes_per_item
  local heap_mb
  heap_mb=$(awk -v h="$7" 'BEGIN { printf "%.1f", h / 1048576 }')
  echo "$1,$2,$3,$4,$5,$6,$heap_mb,$8" >> "$CSV"
  IFS=, read -r rps avg p50 p99 max <<< "$6"
  printf '%-13s %10s  -c %-5s -P %-3s  %12s req/s  p50 %7s ms  p99 %7s ms  heap %9s MB  %s\n' \
    "$1" "$2" "$3" "$4" "$rps" "$p50" "$p99" "$heap_mb" "${8:+$8 bytes/item}"
}

sweep_skus() {
  local n=${REQUESTS:-500000} p=${PIPELINE:-16}
  local points=${*:-1 1000 1000000}
  for s in $points; do
    start_store
    local before after per rid sku range
    before=$(heap_used)
    # SKU ids are what __rand_int__ becomes: 12 digits, zero-padded; stock that never runs out
    awk -v n="$s" 'BEGIN { for (i = 0; i < n; i++)
        printf "*3\r\n$10\r\nINV.CREATE\r\n$12\r\n%012d\r\n$15\r\n100000000000000\r\n", i }' |
      redis-cli -p "$PORT" --pipe > "$WORK/pipe.log"
    grep -q 'errors: 0' "$WORK/pipe.log" || { cat "$WORK/pipe.log" >&2; exit 1; }
    after=$(heap_used)
    per=$(per_item "$before" "$after" "$s")
    if [ "$s" = 1 ]; then sku=000000000000; range=100000000000; rid=$(request_id 1)
    else sku=__rand_int__; range=$s; rid=$(request_id "$(placeholders_for "$s")"); fi
    bench "$CLIENTS" "$p" "$n" "$range" INV.RESERVE "$sku" 1 "$rid" > /dev/null
    row skus "$s" "$CLIENTS" "$p" "$n" "$(bench "$CLIENTS" "$p" "$n" "$range" INV.RESERVE "$sku" 1 "$rid")" "$after" "$per"
    stop_store
  done
}

sweep_reservations() {
  local n=${REQUESTS:-200000} p=${PIPELINE:-16} base pending heap per
  start_store
  redis-cli -p "$PORT" INV.CREATE stock 100000000000000 > /dev/null
  redis-cli -p "$PORT" INV.CREATE warm 100000000000000 > /dev/null
  # warm-up on reservations that expire within a second, so none is retained when counting starts
  bench "$CLIENTS" "$p" 1000000 100000000000 INV.RESERVE warm 1 w__rand_int__ TTL 1000 > /dev/null
  for _ in $(seq 1 60); do [ "$(info_field pending_reservations)" = 0 ] && break; sleep 0.5; done
  base=$(heap_used)
  local points=${*:-0 100000 1000000 3000000}
  for m in $points; do
    pending=$(info_field pending_reservations)
    if [ "$m" -gt "$pending" ]; then # fill up to m, pipelined deep: this part is not measured
      bench "$CLIENTS" 64 $((m - pending)) 100000000000 INV.RESERVE stock 1 f__rand_int__ > /dev/null
    fi
    pending=$(info_field pending_reservations)
    heap=$(heap_used)
    per=$(per_item "$base" "$heap" "$pending")
    # the measured run adds n reservations of its own; x is the count it started from
    row reservations "$pending" "$CLIENTS" "$p" "$n" \
      "$(bench "$CLIENTS" "$p" "$n" 100000000000 INV.RESERVE stock 1 r__rand_int__)" "$heap" "$per"
  done
  stop_store
}

sweep_connections() {
  local n=${REQUESTS:-200000} p=${PIPELINE:-1} heap
  start_store
  redis-cli -p "$PORT" INV.CREATE stock 100000000000000 > /dev/null
  bench 50 16 500000 100000000000 INV.RESERVE stock 1 w__rand_int__ > /dev/null # warm-up
  local points=${*:-10 50 500 1000 5000}
  for c in $points; do
    local result
    result=$(bench "$c" "$p" "$n" 100000000000 INV.RESERVE stock 1 r__rand_int__)
    heap=$(heap_used)
    row connections "$c" "$c" "$p" "$n" "$result" "$heap" ""
  done
  stop_store
}

case "$KIND" in
  skus) sweep_skus "$@" ;;
  reservations) sweep_reservations "$@" ;;
  connections) sweep_connections "$@" ;;
  *) echo "unknown sweep '$KIND': skus, reservations or connections" >&2; exit 2 ;;
esac
echo "raw figures: $CSV"

#!/usr/bin/env bash
# Side by side, in one run, same redis-benchmark settings: the counter-store against a real Redis.
#
#   perf/scripts/compare-redis.sh [requests-per-test]     (default 1000000 for -P 16, 1/10 of it for -P 1)
#
# One run gives the whole side-by-side table: INCR and reserve, Redis under appendfsync everysec
# and always, -P 1 and -P 16, 50 and 500 connections (CLIENTS="50 500"), each with its ratio.
#
# Redis runs as its own instance (port 6479, AOF on, appendfsync everysec, then always), so the
# machine's shared Redis is left alone; its reserve is the usual Lua check-and-decrement
# (EVALSHA). The counter-store runs from counter-store/target/counter-store.jar (build it first:
# ./mvnw -q -DskipTests package) as a one-node group: every INV.RESERVE answer is fsync'd.
# STORE_JAVA_OPTS sets its JVM flags (default -Xms4g -Xmx4g: every reservation stays in memory).
# The store is warmed up first, in rounds of WARMUP_ROUND (default 1000000) INCR and as many
# INV.RESERVE (-P 16), until the JIT has settled: a round in which the C2 compiler threads used
# under 3% of the store's CPU (at most WARMUP_ROUNDS, default 12). Right after start a run goes
# at half speed; the number of rounds it took is printed.
# PIPELINES sets the pipeline depths (default "1 16"); with any other list the run is a pipeline
# sweep and its CSV is named pipelines-<date>.csv, so charts.sh draws throughput against depth.
# Prints one CSV row per test to perf/results/compare-<date>.csv and a table with the ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-1000000}
N1=$((N / 10))
CLIENTS_LIST=${CLIENTS:-50 500}
REDIS_PORT=${REDIS_PORT:-6479}
STORE_PORT=${STORE_PORT:-6480}
OUT=perf/results
mkdir -p "$OUT"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
PIPELINES=${PIPELINES:-1 16}
KIND=$([ "$PIPELINES" = "1 16" ] && echo compare || echo pipelines)
CSV="$OUT/$KIND-$STAMP.csv"
WORK=$(mktemp -d)
. perf/scripts/servers.sh
trap 'stop_servers; rm -rf "$WORK"' EXIT

PROFILER=
if [ "${PROFILE:-0}" = 1 ]; then PROFILER=$(perf/scripts/profile.sh agent "$WORK/profile"); fi
start_servers ${STORE_JAVA_OPTS:--Xms4g -Xmx4g} $PROFILER

# rate <port> <pipeline> <requests> <command...>: requests per second as redis-benchmark reports it
CLIENTS=50
rate() {
  local port=$1 p=$2 n=$3; shift 3
  redis-benchmark -p "$port" -c "$CLIENTS" -n "$n" -P "$p" -r 100000000000 --csv "$@" 2>/dev/null \
    | tail -n 1 | cut -d, -f2 | tr -d '"'
}

# CPU ticks of the store's threads whose name starts with $1 (all threads when empty)
ticks() {
  local t sum=0 stat
  for t in /proc/$STORE_PID/task/*; do
    [ -z "$1" ] || [[ "$(cat "$t/comm" 2>/dev/null)" == "$1"* ]] || continue
    stat=$(cat "$t/stat" 2>/dev/null) || continue
    sum=$((sum + $(echo "${stat##*) }" | awk '{ print $12 + $13 }')))
  done
  echo $sum
}

# warm-up: the JIT keeps compiling Ratis, Netty and our paths for millions of requests; measure
# only once a round of load no longer keeps the compiler busy
ROUND=${WARMUP_ROUND:-1000000}
warmed=0
for round in $(seq 1 "${WARMUP_ROUNDS:-12}"); do
  c2_before=$(ticks "C2 CompilerThre"); all_before=$(ticks "")
  incr=$(rate $STORE_PORT 16 "$ROUND" INCR counter)
  reserve=$(rate $STORE_PORT 16 "$ROUND" INV.RESERVE stock 1 __rand_int__)
  rate $STORE_PORT 1 $((ROUND / 20)) INV.RESERVE stock 1 __rand_int__ >/dev/null
  c2=$(( $(ticks "C2 CompilerThre") - c2_before )); all=$(( $(ticks "") - all_before ))
  share=$(awk -v a="$c2" -v b="$all" 'BEGIN { printf "%.1f", (b > 0 ? 100 * a / b : 0) }')
  echo "warm-up round $round: INCR $incr/s, INV.RESERVE $reserve/s (-P 16), C2 compiler ${share}% of the store's CPU"
  warmed=$((round * (2 * ROUND + ROUND / 20)))
  if awk -v s="$share" 'BEGIN { exit !(s < 3) }'; then break; fi
done
echo "warm-up: $warmed requests until the JIT settled (or the round limit)"

echo "test,pipeline,clients,redis_rps,store_rps,ratio" > "$CSV"
TABLE="$WORK/table"
row() {
  local name=$1 p=$2 r=$3 s=$4
  local ratio
  ratio=$(awk -v s="$s" -v r="$r" 'BEGIN { printf "%.2f", s / r }')
  echo "$name,$p,$CLIENTS,$r,$s,$ratio" >> "$CSV"
  printf '%-38s -P %-3s -c %-4s redis %10s   store %10s   store/redis %s\n' "$name" "$p" "$CLIENTS" "$r" "$s" "$ratio" | tee -a "$TABLE"
}

for CLIENTS in $CLIENTS_LIST; do
  redis-cli -p $REDIS_PORT config set appendfsync everysec >/dev/null
  for p in $PIPELINES; do
    n=$([ "$p" = 1 ] && echo $N1 || echo $N)
    redis_incr=$(rate $REDIS_PORT $p $n INCR counter)
    store_incr=$(rate $STORE_PORT $p $n INCR counter)
    row "INCR (redis everysec)" $p "$redis_incr" "$store_incr"
    redis_lua=$(rate $REDIS_PORT $p $n EVALSHA "$SHA" 1 stock 1)
    store_res=$(rate $STORE_PORT $p $n INV.RESERVE stock 1 __rand_int__)
    row "reserve (Lua everysec vs INV.RESERVE)" $p "$redis_lua" "$store_res"
  done
  redis-cli -p $REDIS_PORT config set appendfsync always >/dev/null
  for p in $PIPELINES; do
    n=$([ "$p" = 1 ] && echo $((N1 / 2)) || echo $((N / 2)))
    redis_lua=$(rate $REDIS_PORT $p $n EVALSHA "$SHA" 1 stock 1)
    store_res=$(rate $STORE_PORT $p $n INV.RESERVE stock 1 __rand_int__)
    row "reserve (Lua always vs INV.RESERVE)" $p "$redis_lua" "$store_res"
  done
done
echo
echo "the whole table (store/redis: above 1 means the store is faster; load average now $(cut -d' ' -f1-3 /proc/loadavg)):"
cat "$TABLE"
redis-cli -p $STORE_PORT INFO stats | grep -E 'commands_per_entry|log_entries' || true
echo "raw figures: $CSV"

# PROFILE=1: the store's CPU profile under INCR and INV.RESERVE (-P 16 -c 50), each for about
# PROFILE_SECONDS (default 40) at full load; only the profiler windows inside each run are kept
if [ -n "$PROFILER" ]; then
  CLIENTS=50
  for what in INCR INV.RESERVE; do
    test=$([ $what = INCR ] && echo "INCR (redis everysec)" || echo "reserve (Lua everysec vs INV.RESERVE)")
    measured=$(awk -F, -v t="$test" '$1 == t && $2 == 16 && $3 == 50 { r = $5 } END { printf "%d", r }' "$CSV")
    n=$(( ${measured:-100000} * ${PROFILE_SECONDS:-40} ))
    name=store-$(echo $what | tr 'A-Z.' 'a-z-' | sed 's/^inv-//')-P16
    from=$(date +%s)
    if [ $what = INCR ]; then rate $STORE_PORT 16 $n INCR counter >/dev/null; else rate $STORE_PORT 16 $n INV.RESERVE stock 1 __rand_int__ >/dev/null; fi
    perf/scripts/profile.sh report "$name" "$WORK/profile" "$from" "$(date +%s)" \
      "counter-store under redis-benchmark $what -P 16 -c 50, after $warmed warm-up requests" | head -n 14
  done
fi

#!/usr/bin/env bash
# Side by side, in one run, same redis-benchmark settings: the counter-store against a real Redis.
#
#   perf/scripts/compare-redis.sh [requests-per-test]     (default 1000000 for -P 16, 1/10 of it for -P 1)
#
# Redis runs as its own instance (port 6479, AOF on, appendfsync everysec, then always), so the
# machine's shared Redis is left alone; its reserve is the usual Lua check-and-decrement
# (EVALSHA). The counter-store runs from counter-store/target/counter-store.jar (build it first:
# ./mvnw -q -DskipTests package) as a one-node group: every INV.RESERVE answer is fsync'd.
# STORE_JAVA_OPTS sets its JVM flags (default -Xms2g -Xmx2g). The store is warmed up first.
# PIPELINES sets the pipeline depths (default "1 16"); with any other list the run is a pipeline
# sweep and its CSV is named pipelines-<date>.csv, so charts.sh draws throughput against depth.
# Prints one CSV row per test to perf/results/compare-<date>.csv and a table with the ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-1000000}
N1=$((N / 10))
CLIENTS=${CLIENTS:-50}
REDIS_PORT=6479
STORE_PORT=6480
OUT=perf/results
mkdir -p "$OUT"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
PIPELINES=${PIPELINES:-1 16}
KIND=$([ "$PIPELINES" = "1 16" ] && echo compare || echo pipelines)
CSV="$OUT/$KIND-$STAMP.csv"
WORK=$(mktemp -d)
trap 'kill $STORE_PID 2>/dev/null || true; redis-cli -p $REDIS_PORT shutdown nosave >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

command -v redis-benchmark >/dev/null || { echo "redis-benchmark missing: apt-get install redis-tools redis-server" >&2; exit 1; }
[ -f counter-store/target/counter-store.jar ] || { echo "build first: ./mvnw -q -DskipTests package" >&2; exit 1; }

# a Redis of our own, AOF on
redis-server --port $REDIS_PORT --bind 127.0.0.1 --dir "$WORK" --save "" --appendonly yes \
  --appendfsync everysec --daemonize yes --logfile "$WORK/redis.log"
# the counter-store, one-node group, fsync before every reply
java ${STORE_JAVA_OPTS:--Xms2g -Xmx2g} -jar counter-store/target/counter-store.jar --port $STORE_PORT --bind 127.0.0.1 \
  --data-dir "$WORK/store" > "$WORK/store.log" 2>&1 &
STORE_PID=$!
for _ in $(seq 1 100); do
  redis-cli -p $STORE_PORT ping >/dev/null 2>&1 && redis-cli -p $REDIS_PORT ping >/dev/null 2>&1 && break
  sleep 0.2
done

STOCK=100000000000000
LUA='local a = tonumber(redis.call("GET", KEYS[1]) or "0") local q = tonumber(ARGV[1]) if a < q then return -1 end return redis.call("DECRBY", KEYS[1], q)'
redis-cli -p $REDIS_PORT set stock $STOCK >/dev/null
SHA=$(redis-cli -p $REDIS_PORT script load "$LUA")
redis-cli -p $STORE_PORT INV.CREATE stock $STOCK >/dev/null

# rate <port> <pipeline> <requests> <command...>: requests per second as redis-benchmark reports it
rate() {
  local port=$1 p=$2 n=$3; shift 3
  redis-benchmark -p "$port" -c "$CLIENTS" -n "$n" -P "$p" -r 100000000000 --csv "$@" 2>/dev/null \
    | tail -n 1 | cut -d, -f2 | tr -d '"'
}

# warm-up: the JVM compiles its hot paths in the first seconds; measure after that, not during
rate $STORE_PORT 16 $N INCR counter >/dev/null
rate $STORE_PORT 16 $N INV.RESERVE stock 1 __rand_int__ >/dev/null
rate $STORE_PORT 1 $N1 INV.RESERVE stock 1 __rand_int__ >/dev/null

echo "test,pipeline,clients,redis_rps,store_rps,ratio" > "$CSV"
row() {
  local name=$1 p=$2 r=$3 s=$4
  local ratio
  ratio=$(awk -v s="$s" -v r="$r" 'BEGIN { printf "%.2f", s / r }')
  echo "$name,$p,$CLIENTS,$r,$s,$ratio" >> "$CSV"
  printf '%-34s -P %-3s redis %12s   store %12s   store/redis %s\n' "$name" "$p" "$r" "$s" "$ratio"
}

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
redis-cli -p $STORE_PORT INFO stats | grep -E 'commands_per_entry|log_entries' || true
echo "raw figures: $CSV"

#!/usr/bin/env bash
# What the embedded platform costs while nobody buys: for each jar, starts it in an empty
# directory, creates one sale, makes one reservation (15 min TTL, so the store has an expiry
# pending), waits SETTLE seconds (15) for start-up work and the JIT, then counts over
# IDLE_SECONDS (10) the Raft log entries the store writes (INFO persistence log_applied_index: every one is an
# fsync, and on a group of three a round of replication) and the CPU the process burns.
#
#   perf/scripts/idle-cost.sh old.jar seckill-service/target/seckill-service.jar
#
# Needs redis-cli (redis-tools). Ports: PORT (23080), STORE_PORT (23379).
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 jar [jar ...]" >&2; exit 2; }
SETTLE=${SETTLE:-15}
SECONDS_IDLE=${IDLE_SECONDS:-10}
PORT=${PORT:-23080}
STORE_PORT=${STORE_PORT:-23379}
export SECKILL_SERVICE_TOKEN=idle-svc-token SECKILL_ADMIN_TOKEN=idle-adm-token
command -v redis-cli > /dev/null || { echo "redis-cli is not installed (apt-get install redis-tools)" >&2; exit 2; }
WORK=$(mktemp -d)
PID=
stop() { if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=; fi; }
trap 'stop; rm -rf "$WORK"' EXIT
applied() { redis-cli -p "$STORE_PORT" INFO persistence | tr -d '\r' | awk -F: '$1 == "log_applied_index" { print $2 }'; }
ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' /proc/"$PID"/stat; }

for jar in "$@"; do
  jar=$(realpath "$jar")
  rm -rf "$WORK/run" && mkdir -p "$WORK/run" && cd "$WORK/run"
  java -jar "$jar" --server.port="$PORT" --store.embedded.port="$STORE_PORT" > service.log 2>&1 &
  PID=$!
  for _ in $(seq 120); do curl -fsS "localhost:$PORT/actuator/health" 2>/dev/null | grep -q '"UP"' && break; sleep 1; done
  curl -fsS -o /dev/null -H "Authorization: Bearer $SECKILL_ADMIN_TOKEN" -H 'Content-Type: application/json' \
    "localhost:$PORT/api/v1/sales" -d '{"id":"idle","sku":"idle-sku","stock":10,"perUserLimit":2,"reservationTtl":"PT15M"}'
  curl -fsS -o /dev/null -H "Authorization: Bearer $SECKILL_SERVICE_TOKEN" -H 'Content-Type: application/json' \
    -H 'Idempotency-Key: idle-1' "localhost:$PORT/api/v1/sales/idle/orders" -d '{"userId":"idle-user","quantity":1}'
  sleep "$SETTLE"
  a=$(applied); t0=$(ticks)
  sleep "$SECONDS_IDLE"
  b=$(applied); t1=$(ticks)
  echo "IDLE jar=$(basename "$jar") log_entries=$(( b - a )) over ${SECONDS_IDLE}s cpu_ms=$(( (t1 - t0) * 1000 / $(getconf CLK_TCK) ))"
  stop
done

#!/usr/bin/env bash
# CPU time of the seckill-service process per purchase, for one or more builds, alternating: a
# figure that a busy shared box changes far less than answers/s. For each round and each jar it
# starts the embedded platform in an empty directory, warms it up, then drives three kinds of
# purchases with wrk (perf/wrk/buy.lua) and reads the process's utime+stime from /proc/PID/stat
# before and after each:
#   reserve  every request a new buyer of one unit of a sale with plenty of stock (201)
#   replay   the same Idempotency-Keys (and users) again, cycling (201, the first answer)
#   soldout  a sale whose only unit is gone: the local sold-out flag answers 409, no store call
#
#   perf/scripts/http-cpu.sh old=/tmp/old.jar new=seckill-service/target/seckill-service.jar
#
# One line per measurement: CPU label=... round=... kind=... requests=... cpu_us_per_request=...
# rps=... answers={...}. The in-process inventory sync is off (seckill.sync.enabled=false; SYNC=true turns it on) so its
# write-behind into H2, which runs on after the load, is not counted against the requests.
# Environment: ROUNDS (2), DURATION (10s per measurement), WARMUP (20: seconds of new buyers
# first, for the JIT, then half that on the sold-out path), CONNECTIONS (100), THREADS (2), PORT (22080), STORE_PORT (22379),
# JAVA_OPTS (none), PROFILE (empty; else a file prefix: async-profiler, a collapsed-stack file per
# 10 s). Last, per jar and round, kind=idle: the CPU the process burns with no requests over
# DURATION (timers, the store's ticks, JIT), which the per-request figures include.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 label=jar [label=jar ...]" >&2; exit 2; }
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-20}
CONNECTIONS=${CONNECTIONS:-100}
THREADS=${THREADS:-2}
PORT=${PORT:-22080}
STORE_PORT=${STORE_PORT:-22379}
URL=http://127.0.0.1:$PORT
HERE=$(cd "$(dirname "$0")/.." && pwd)
export SECKILL_SERVICE_TOKEN=cpu-svc-token SECKILL_ADMIN_TOKEN=cpu-adm-token
command -v wrk > /dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
WORK=$(mktemp -d)
PID=
stop() { if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=; fi; }
trap 'stop; rm -rf "$WORK"' EXIT

# one line per thread: tid, utime+stime, group name (the kernel's 15 characters, numbers dropped)
thread_ticks() {
  { cat /proc/"$PID"/task/*/stat 2>/dev/null || true; } | awk '{
    lp = index($0, "("); rp = 0
    for (i = length($0); i > lp; i--) if (substr($0, i, 1) == ")") { rp = i; break }
    name = substr($0, lp + 1, rp - lp - 1)
    split(substr($0, rp + 2), f, " ")
    sub(/[-#_ .]*[0-9]+$/, "", name); sub(/[-#_ .]+$/, "", name); gsub(/ /, "_", name)
    print $1, f[12] + f[13], name }'
}

ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' /proc/"$PID"/stat; }

start() {
  mkdir -p "$WORK/run" && rm -rf "$WORK/run"/* && cd "$WORK/run"
  local agent=()
  if [ -n "${PROFILE:-}" ]; then
    # one file per 10 s (the %t in the name): pick those of the measurement, not the start
    agent=("-agentpath:/work/prof/libasyncProfiler.so=start,event=cpu,interval=1ms,threads,loop=10s,collapsed,file=$PROFILE-$1-%t.collapsed")
  fi
  # shellcheck disable=SC2086
  java ${JAVA_OPTS:-} "${agent[@]}" -jar "$2" --server.port="$PORT" --store.embedded.port="$STORE_PORT" \
    --seckill.sync.enabled="${SYNC:-false}" > "$WORK/service.log" 2>&1 &
  PID=$!
  cd - > /dev/null
  for _ in $(seq 1 300); do
    curl -fs "$URL/actuator/health" > /dev/null 2>&1 && return 0
    kill -0 "$PID" 2>/dev/null || { tail -n 30 "$WORK/service.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "the service did not come up" >&2
  exit 1
}

sale() { # id stock
  local code
  code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $SECKILL_ADMIN_TOKEN" \
    -H 'Content-Type: application/json' "$URL/api/v1/sales" \
    -d "{\"id\":\"$1\",\"sku\":\"$1\",\"stock\":$2,\"perUserLimit\":2,\"reservationTtl\":\"PT30M\"}")
  [ "$code" = 201 ] || { echo "creating sale $1 answered $code" >&2; exit 1; }
}

drive() { # sale prefix duration [wrap]: wrk's summary line into $WORK/result
  WRK_RESULT_FILE="$WORK/result" wrk -t "$THREADS" -c "$CONNECTIONS" -d "$3" --timeout 5s \
    -s "$HERE/wrk/buy.lua" "$URL" -- "$1" "$SECKILL_SERVICE_TOKEN" "$2" ${4:-} > /dev/null
}

measure() { # label round kind sale prefix [wrap]
  local before after requests
  [ "${BY_THREAD:-}" = 1 ] && thread_ticks > "$WORK/threads-before"
  before=$(ticks)
  drive "$4" "$5" "$DURATION" "${6:-}"
  after=$(ticks)
  [ "${BY_THREAD:-}" = 1 ] && thread_ticks > "$WORK/threads-after"
  requests=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' "$WORK/result" | head -n 1)
  echo "CPU label=$1 round=$2 kind=$3 requests=$requests cpu_s=$(( (after - before) / 100 )).$(printf %02d $(( (after - before) % 100 )))" \
    "cpu_us_per_request=$(( (after - before) * 10000 / (requests > 0 ? requests : 1) ))" \
    "$(grep -o 'rps=[0-9]*' "$WORK/result") $(grep -o 'p99_ms=[0-9.]*' "$WORK/result") $(grep -o 'answers={[^}]*}' "$WORK/result")"
  if [ "${BY_THREAD:-}" = 1 ]; then
    # threads started during the measurement count from zero; ticks are 10 ms
    awk -v req="$requests" -v label="$1" -v kind="$3" 'NR == FNR { b[$1] = $2; next }
      { g[$3] += $2 - ($1 in b ? b[$1] : 0) }
      END { for (n in g) if (g[n] > 0) printf "  THREADS label=%s kind=%s group=%s cpu_us_per_request=%.1f\n", label, kind, n, g[n] * 10000 / (req > 0 ? req : 1) }' \
      "$WORK/threads-before" "$WORK/threads-after" | sort -t= -k5 -g -r
  fi
}

for round in $(seq 1 "$ROUNDS"); do
  for arg in "$@"; do
    label=${arg%%=*}
    jar=$(realpath "${arg#*=}") # start() runs it from an empty directory
    start "$label-$round" "$jar"
    sale warm 100000000
    drive warm w "${WARMUP}s"
    sale gone 1
    drive gone g "$(( WARMUP / 2 ))s" # sells the unit, then warms the sold-out path
    sale plenty 100000000
    measure "$label" "$round" reserve plenty p
    created=$(sed -n 's/^created=//p' "$WORK/result")
    measure "$label" "$round" replay plenty p $(( created / THREADS / 2 > 0 ? created / THREADS / 2 : 1 ))
    measure "$label" "$round" soldout gone g2
    before=$(ticks); sleep "${DURATION%s}"; after=$(ticks)
    echo "CPU label=$label round=$round kind=idle cpu_s=$(( (after - before) / 100 )).$(printf %02d $(( (after - before) % 100 )))" \
      "(the process's own background over $DURATION, no requests)"
    stop
  done
done

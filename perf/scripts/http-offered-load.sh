#!/usr/bin/env bash
# Latency of the purchase API against offered load: buyers arrive at a fixed rate (open loop,
# dev.seckill.perf.HttpOfferedLoad), stepped up until the service saturates. Starts its own
# embedded platform; build first (./mvnw -q -DskipTests package).
#
#   perf/scripts/http-offered-load.sh ["250 500 1000 ..."]
#   SOLD_OUT=1 perf/scripts/http-offered-load.sh      # the sold-out path instead
#   SPIKE=1 perf/scripts/http-offered-load.sh         # a flash sale: demand 100x the stock
#
# Starts java -jar seckill-service/target/seckill-service.jar (or SERVICE_JAR, absolute or from
# the repository root; SERVICE_LOG=file keeps its log; SERVICE_JAVA_OPTS, default
# -Xms2g -Xmx2g) in a fresh temporary folder (its store, log and H2 database start empty), on
# HTTP_PORT (8911) with its embedded store's RESP port on STORE_PORT (6911) and tokens of its
# own. Warms it up with WARMUP_SECONDS (30) of purchases at WARMUP_RATE (2000/s) on a throwaway
# sale (and with SPIKE=1 WARMUP_SOLD_OUT_SECONDS, 150, of WARMUP_SOLD_OUT_RATE, 5000/s, against a
# sold-out sale, so the sold-out path is compiled too, and WARMUP_RUSHES, 5, flash sales of 3 s at
# WARMUP_RUSH_RATE, 15000/s, so the sell-out is), then creates the measured sale (each
# measurement's generator JVM first warms itself for GENERATOR_WARMUP_SECONDS, 10, at
# WARMUP_SOLD_OUT_RATE against a sold-out sale, unrecorded): STOCK units (100000000: every purchase succeeds, the
# purchase path), or with SOLD_OUT=1 SOLD_OUT_STOCK (100) units, so nearly every answer is the
# 409 SOLD_OUT of the service's local sold-out flag; with SPIKE=1 each rate gets a fresh sale of
# rate x STEP_SECONDS / DEMAND (100) units, so the step opens with the rush that sells it out
# (those purchases' latency counts in the step's percentiles) and goes on against the sold-out
# flag, as a real flash sale does. Each rate is offered for STEP_SECONDS (10)
# over at most CONNECTIONS (200) kept-alive connections, one request outstanding on each (a
# request due while all are busy waits in the generator and its wait counts); the steps stop
# after the first one the service could not keep up with. Every request is a new buyer of one
# unit (its own userId and Idempotency-Key). Latency runs from each request's intended send time.
#
# Rows go to perf/results/http-offered-<date>.csv (SOLD_OUT=1: http-offered-soldout-<date>.csv,
# SPIKE=1: http-offered-spike-<date>.csv), and per 50 ms of each step (requests, 201s, answers
# slower than 50 ms, the slowest) to the same name ending -timeline.csv;
# charts.sh draws perf/charts/http-offered-latency.png. At the end the sale is read back: OK when
# total == available + reserved + sold, reserved + sold <= stock, and reserved + sold equals the
# 201s counted (plus at most the requests sent but never answered and those answered 503, whose
# store call may have gone through after it timed out). Prints the generator's and
# the service's CPU per request. Exit status 1 when the check fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
SOLD_OUT=${SOLD_OUT:-0}
SPIKE=${SPIKE:-0}
DEMAND=${DEMAND:-100}
if [ "$SPIKE" = 1 ]; then
  DEFAULT_RATES="5000 10000 15000 20000 25000"
  KIND=spike
  LABEL=spike
elif [ "$SOLD_OUT" = 1 ]; then
  DEFAULT_RATES="500 1000 2000 4000 8000 16000 32000"
  KIND=soldout
  LABEL=sold-out
  STOCK=${SOLD_OUT_STOCK:-100}
else
  DEFAULT_RATES="250 500 1000 2000 4000 8000 16000"
  KIND=
  LABEL=purchase
  STOCK=${STOCK:-100000000}
fi
RATES=${1:-$DEFAULT_RATES}
STEP_SECONDS=${STEP_SECONDS:-10}
CONNECTIONS=${CONNECTIONS:-200}
WARMUP_SECONDS=${WARMUP_SECONDS:-30}
WARMUP_RATE=${WARMUP_RATE:-2000}
# the JIT keeps recompiling the hot paths for about 3 minutes of load on two slow cores (C2 took
# 16, 7, 5, 3, then under 1% of the service's CPU in successive 40 s windows): a service in a real
# sale has been up for hours, so a spike is measured after the sold-out path has settled too
WARMUP_SOLD_OUT_SECONDS=${WARMUP_SOLD_OUT_SECONDS:-$([ "$SPIKE" = 1 ] && echo 150 || echo 0)}
WARMUP_SOLD_OUT_RATE=${WARMUP_SOLD_OUT_RATE:-5000}
GENERATOR_WARMUP_SECONDS=${GENERATOR_WARMUP_SECONDS:-10}
# SPIKE=1: small flash sales before the measured ones, so the sell-out itself (the store's SOLDOUT
# answers, the flag going up, the stock-aware gate) has run before, as in a service that has held
# sales: without them the first measured rush paid for the JIT's deoptimisation and recompiling
WARMUP_RUSHES=${WARMUP_RUSHES:-$([ "$SPIKE" = 1 ] && echo 5 || echo 0)}
WARMUP_RUSH_RATE=${WARMUP_RUSH_RATE:-15000}
HTTP_PORT=${HTTP_PORT:-8911}
STORE_PORT=${STORE_PORT:-6911}
LIMIT=2
URL=http://127.0.0.1:$HTTP_PORT
SERVICE_JAR=$(realpath -m "${SERVICE_JAR:-seckill-service/target/seckill-service.jar}")
[ -f perf/target/benchmarks.jar ] && [ -f "$SERVICE_JAR" ] || { echo "build first: ./mvnw -q -DskipTests package" >&2; exit 1; }
OUT=perf/results
mkdir -p "$OUT"
CSV="$OUT/http-offered-${KIND:+$KIND-}$(date -u +%Y%m%dT%H%M%SZ).csv"
TIMELINE="${CSV%.csv}-timeline.csv"
WORK=$(mktemp -d)
SERVICE_PID=
stop_service() {
  if [ -n "$SERVICE_PID" ]; then kill "$SERVICE_PID" 2>/dev/null || true; wait "$SERVICE_PID" 2>/dev/null || true; fi
  # SERVICE_LOG=file keeps the service's log (snapshots, warnings) beyond the run
  if [ -n "${SERVICE_LOG:-}" ] && [ -f "$WORK/service.log" ]; then cp "$WORK/service.log" "$SERVICE_LOG"; fi
  rm -rf "$WORK"
}
trap stop_service EXIT

# tokens of this run only, in the environment (not on command lines: those show in ps)
SECKILL_SERVICE_TOKEN=svc-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
SECKILL_ADMIN_TOKEN=adm-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
export SECKILL_SERVICE_TOKEN SECKILL_ADMIN_TOKEN

echo "starting the platform on $URL (store RESP port $STORE_PORT) in $WORK"
(cd "$WORK" && exec java ${SERVICE_JAVA_OPTS:--Xms2g -Xmx2g} -jar "$SERVICE_JAR" --server.port="$HTTP_PORT" \
  --store.embedded.port="$STORE_PORT" > "$WORK/service.log" 2>&1) &
SERVICE_PID=$!
for _ in $(seq 1 240); do
  curl -fsS "$URL/actuator/health" 2>/dev/null | grep -q '"status":"UP"' && break
  kill -0 "$SERVICE_PID" 2>/dev/null || { echo "the service stopped:" >&2; tail -n 30 "$WORK/service.log" >&2; exit 1; }
  sleep 0.5
done
curl -fsS "$URL/actuator/health" | grep -q '"status":"UP"' || { echo "the service did not come up in 120 s" >&2; exit 1; }

# create_sale ID STOCK, or exit
create_sale() {
  local code
  code=$(curl -sS -o "$WORK/created.json" -w '%{http_code}' -H "Authorization: Bearer $SECKILL_ADMIN_TOKEN" \
    -H 'Content-Type: application/json' "$URL/api/v1/sales" \
    -d "{\"id\":\"$1\",\"sku\":\"$1\",\"stock\":$2,\"perUserLimit\":$LIMIT,\"reservationTtl\":\"PT30M\"}")
  [ "$code" = 201 ] || { echo "creating sale $1 answered $code: $(cat "$WORK/created.json")" >&2; exit 1; }
}

# offer SALE RATES SECONDS [flags...]: the generator's steps against SALE
offer() {
  local sale=$1 rates=$2 seconds=$3; shift 3
  java -Xms256m -Xmx256m -XX:+UseSerialGC -cp perf/target/benchmarks.jar dev.seckill.perf.HttpOfferedLoad \
    --url "$URL" --sale "$sale" --connections "$CONNECTIONS" --rates "$(echo $rates | tr ' ' ',')" \
    --seconds "$seconds" "$@"
}

# CPU seconds (user + system) the service's JVM has used so far
service_cpu() { awk '{ printf "%.2f", ($14 + $15) / '"$(getconf CLK_TCK)"' }' "/proc/$SERVICE_PID/stat"; }

RUN=$(date -u +%Y%m%d%H%M%S)-$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')
if [ "$WARMUP_SECONDS" != 0 ]; then
  echo "warming up: $WARMUP_SECONDS s of purchases at $WARMUP_RATE/s on sale http-warm-$RUN"
  create_sale "http-warm-$RUN" 100000000
  offer "http-warm-$RUN" "$WARMUP_RATE" "$WARMUP_SECONDS" --label warm-up | grep -v "^target," || true
  sleep 2 # what the warm-up left in flight (at most CONNECTIONS requests) is answered before the steps
fi
# a sale of one unit, sold out at once: the generator warms its own JIT on it before each
# measurement (--warm-sale; a new JVM would otherwise measure its interpreter in the first second)
create_sale "http-warm-soldout-$RUN" 1
if [ "$WARMUP_SOLD_OUT_SECONDS" != 0 ]; then
  # a service in a real sale has answered sold-out crowds before: the JIT has that path compiled
  echo "warming up the sold-out path: $WARMUP_SOLD_OUT_SECONDS s at $WARMUP_SOLD_OUT_RATE/s on sale http-warm-soldout-$RUN (1 unit)"
  offer "http-warm-soldout-$RUN" "$WARMUP_SOLD_OUT_RATE" "$WARMUP_SOLD_OUT_SECONDS" --label warm-up-sold-out | grep -v "^target," || true
  sleep 2
fi

for i in $(seq 1 "$WARMUP_RUSHES"); do
  units=$(( WARMUP_RUSH_RATE * 3 / DEMAND ))
  [ "$i" = 1 ] && echo "warming up the sell-out: $WARMUP_RUSHES flash sales of $units units, 3 s at $WARMUP_RUSH_RATE/s each"
  create_sale "http-warm-rush-$RUN-$i" "$units"
  offer "http-warm-rush-$RUN-$i" "$WARMUP_RUSH_RATE" 3 --label warm-up-rush | grep -v "^target,\|^#" || true
  sleep 1
done

# measure SALE STOCK RATES: the steps against one sale, the CPU they cost, and the check of the
# sale's counts afterwards; sets verdict to FAILED if the check fails
measure() {
  local sale=$1 stock=$2 rates=$3
  create_sale "$sale" "$stock"
  echo "offering $rates /s to sale $sale ($stock units, $LABEL path), $STEP_SECONDS s each, at most $CONNECTIONS connections"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  local cpu_before cpu_after
  cpu_before=$(service_cpu)
  offer "$sale" "$rates" "$STEP_SECONDS" --label "$LABEL" --csv "$CSV" --timeline "$TIMELINE" \
    --warm-sale "http-warm-soldout-$RUN" --warm-rate "$WARMUP_SOLD_OUT_RATE" --warm-seconds "$GENERATOR_WARMUP_SECONDS" \
    | tee "$WORK/steps.out"
  cpu_after=$(service_cpu)
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  # where in each step the slow answers were: the rush at its start, or later (GC, compilation)
  for rate in $rates; do
    awk -F, -v r="$rate" '$2 == r { if ($3 < 500) { a += $6; ca += $5 } else { b += $6 }; if ($7 > m) { m = $7; at = $3 } }
      END { printf "answers slower than 50 ms at %d/s: %d sent in the first 0.5 s (%d bought there), %d later; the slowest %.0f ms, sent at %d ms\n", r, a, ca, b, m, at }' \
      <(tail -n +2 "$TIMELINE" | grep "^$LABEL,$rate," | tail -n "$(( STEP_SECONDS * 20 + 1 ))")
  done

  local totals created unanswered unavailable
  totals=$(grep '^# totals' "$WORK/steps.out")
  created=$(echo "$totals" | sed 's/.*created_201=\([0-9]*\).*/\1/')
  unanswered=$(echo "$totals" | sed 's/.*sent_unanswered=\([0-9]*\).*/\1/')
  # a 503 after a store call timed out (store.command-timeout) may still have reserved: its buyer does
  # not know, and would retry with the same Idempotency-Key to learn the first answer
  unavailable=$(tail -n "$(echo $rates | wc -w)" "$CSV" | awk -F, '{ n += $16 } END { print n + 0 }')
  # the service's CPU is read around the whole generator run, its own warm-up included: count those requests too
  local warmed
  warmed=$(sed -n 's/^# the generator warmed up: \([0-9]*\) requests.*/\1/p' "$WORK/steps.out")
  tail -n "$(echo $rates | wc -w)" "$CSV" | awk -F, -v from="$cpu_before" -v to="$cpu_after" -v warmed="${warmed:-0}" '{ n += $6; g += $6 * $19 }
    END { if (n > 0) printf "CPU per request over the steps: service %.0f us (its whole JVM, sync included, over %d requests with the generator warm-up), generator %.1f us\n", (to - from) * 1e6 / (n + warmed), n + warmed, g / n }'
  [ "$unanswered" -eq 0 ] || sleep 3 # let the service finish what was still on its way
  local answer total available reserved sold held problems=""
  answer=$(curl -sS -H "Authorization: Bearer $SECKILL_SERVICE_TOKEN" "$URL/api/v1/sales/$sale")
  stock_of() { echo "$answer" | grep -o "\"$1\":[0-9]*" | head -n 1 | cut -d: -f2; }
  total=$(stock_of total); available=$(stock_of available); reserved=$(stock_of reserved); sold=$(stock_of sold)
  held=$((reserved + sold))
  [ "$total" -eq $((available + reserved + sold)) ] || problems+=" total!=available+reserved+sold"
  [ "$held" -le "$stock" ] || problems+=" OVERSOLD"
  [ "$held" -ge "$created" ] || problems+=" fewer_units_than_201s"
  [ "$held" -le $((created + unanswered + unavailable)) ] || problems+=" more_units_than_201s_plus_unknown"
  [ -z "$problems" ] || verdict=FAILED
  echo "HTTP-OFFERED $([ -z "$problems" ] && echo OK || echo FAILED) sale=$sale stock=$stock reserved=$reserved sold=$sold available=$available" \
    "answered_201=$created sent_unanswered=$unanswered answered_503=$unavailable${problems:+ problems:$problems}"
}

verdict=OK
if [ "$SPIKE" = 1 ]; then
  n=0
  for rate in $RATES; do
    n=$((n + 1))
    measure "http-$RUN-$n-$rate" $(( rate * STEP_SECONDS / DEMAND > 0 ? rate * STEP_SECONDS / DEMAND : 1 )) "$rate"
  done
else
  measure "http-$RUN" "$STOCK" "$RATES"
fi
echo "raw figures: $CSV, $TIMELINE"
[ "$verdict" = OK ]

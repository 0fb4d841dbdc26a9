#!/usr/bin/env bash
# A purchase spike against a running seckill-service, driven by wrk (a load generator that costs
# little CPU, so more of a shared box goes to the service). Starts nothing itself.
#
#   SECKILL_SERVICE_TOKEN=svc-... SECKILL_ADMIN_TOKEN=adm-... perf/scripts/http-wrk.sh [stock] [limit]
#
# Creates a sale of its own (id and SKU wrk-<time>-<hex>, `stock` units, default 1000; per-user
# `limit`, default 2) through the admin API, then runs wrk with perf/wrk/buy.lua: every request is
# a new buyer of one unit with its own userId and Idempotency-Key. At the end it reads the sale
# back and checks: total == available + reserved + sold, reserved + sold <= stock (no oversell),
# and reserved + sold == the 201 answers counted (wrk drops the answers still on their way when
# time is up and those of requests it timed out, and a 503 after a store timeout may have reserved,
# so up to CONNECTIONS + socket errors + 503s more may have been reserved than counted; the check allows that and prints the difference as
# unanswered_at_end). With a stock that sells out well before the end, the two are equal. One line: WRK OK|FAILED ... with rps, p50/p99 and answers by status.
#
# Environment: URL (http://127.0.0.1:8080), DURATION (10s), CONNECTIONS (200), THREADS (2),
# WARMUP (0: seconds of the same load on a throwaway sale first, for the JIT), TIMEOUT (5s).
set -euo pipefail
STOCK=${1:-1000}
LIMIT=${2:-2}
URL=${URL:-http://127.0.0.1:8080}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-200}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-0}
TIMEOUT=${TIMEOUT:-5s}
: "${SECKILL_SERVICE_TOKEN:?set SECKILL_SERVICE_TOKEN (printed by the service at start)}"
: "${SECKILL_ADMIN_TOKEN:?set SECKILL_ADMIN_TOKEN (printed by the service at start)}"
command -v wrk > /dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# create_sale ID STOCK: the admin API's answer, or exit
create_sale() {
  local code
  code=$(curl -sS -o "$WORK/created.json" -w '%{http_code}' -H "Authorization: Bearer $SECKILL_ADMIN_TOKEN" \
    -H 'Content-Type: application/json' "$URL/api/v1/sales" \
    -d "{\"id\":\"$1\",\"sku\":\"$1\",\"stock\":$2,\"perUserLimit\":$LIMIT,\"reservationTtl\":\"PT30M\"}")
  [ "$code" = 201 ] || { echo "creating sale $1 answered $code: $(cat "$WORK/created.json")" >&2; exit 1; }
}

# spike ID PREFIX SECONDS: wrk against sale ID, figures into $WORK/result
spike() {
  WRK_RESULT_FILE="$WORK/result" wrk -t "$THREADS" -c "$CONNECTIONS" -d "$3" --timeout "$TIMEOUT" \
    -s "$HERE/wrk/buy.lua" "$URL" -- "$1" "$SECKILL_SERVICE_TOKEN" "$2" > "$WORK/wrk.out"
}

RUN=$(date -u +%Y%m%d%H%M%S)-$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')
if [ "$WARMUP" != 0 ]; then
  create_sale "wrk-warm-$RUN" 100000000
  spike "wrk-warm-$RUN" "w$RUN" "${WARMUP}s"
  echo "warm-up: $(head -n 1 "$WORK/result")"
fi
SALE="wrk-$RUN"
create_sale "$SALE" "$STOCK"
spike "$SALE" "$RUN" "$DURATION"

line=$(head -n 1 "$WORK/result")
created=$(sed -n 's/^created=//p' "$WORK/result")
socket_errors=$(sed -n 's/^socket_errors=//p' "$WORK/result")
sale=$(curl -sS -H "Authorization: Bearer $SECKILL_SERVICE_TOKEN" "$URL/api/v1/sales/$SALE")
stock_of() { echo "$sale" | grep -o "\"$1\":[0-9]*" | head -n 1 | cut -d: -f2; }
total=$(stock_of total); available=$(stock_of available); reserved=$(stock_of reserved); sold=$(stock_of sold)
held=$((reserved + sold))
verdict=OK
problems=""
[ "$total" -eq $((available + reserved + sold)) ] || { verdict=FAILED; problems+=" total!=available+reserved+sold"; }
[ "$held" -le "$STOCK" ] || { verdict=FAILED; problems+=" OVERSOLD"; }
[ "$held" -ge "$created" ] || { verdict=FAILED; problems+=" fewer_units_than_201s"; }
# answers wrk never read (in flight at the end, one per connection at most, or timed out), and 503s:
# a 503 after the store call timed out may still have reserved; its buyer retries with the same
# Idempotency-Key to learn the first answer (seckill-service/README.md, known limits)
unavailable=$(echo "$line" | grep -o '503:[0-9]*' | cut -d: -f2 || true) # grep finds none when there was no 503
[ "$held" -le $((created + CONNECTIONS + socket_errors + ${unavailable:-0})) ] || { verdict=FAILED; problems+=" more_units_than_201s_plus_unread"; }
echo "WRK $verdict sale=$SALE stock=$STOCK reserved=$reserved sold=$sold available=$available answered_201=$created" \
  "unanswered_at_end=$((held - created)) $line${problems:+ problems:$problems}"
[ "$verdict" = OK ]

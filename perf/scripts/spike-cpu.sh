#!/usr/bin/env bash
# JMeter's own CPU per request during the spike (the load generator's cost, which on one box
# competes with the service): runs the -Pspike build against a running platform, finds the JMeter
# JVM the build starts, and once all buyer threads are up measures that JVM with thread-cpu.sh over
# the steady part of the spike; the requests sent in the same window come from JMeter's raw results.
#
#   SECKILL_SERVICE_TOKEN=... SECKILL_ADMIN_TOKEN=... perf/scripts/spike-cpu.sh [-Dspike.port=... -Dspike.buyers=N ...]
#
# Prints thread-cpu.sh's table for the JMeter JVM and "JMeter CPU per request: X ms". The spike's
# own closing line (SPIKE OK / FAILED) and the build's result are printed too; the exit status is
# the build's.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUYERS=2000
DURATION=10
for a in "$@"; do
  case $a in
    -Dspike.buyers=*) BUYERS=${a#*=} ;;
    -Dspike.duration=*) DURATION=${a#*=} ;;
  esac
done
WINDOW=$((DURATION - 3))
[ "$WINDOW" -ge 2 ] || { echo "spike.duration must be at least 5 s" >&2; exit 2; }
LOG=$(mktemp)
MVN=
# if this script stops early, the build it started must not go on loading the machine
trap 'if [ -n "$MVN" ] && kill -0 $MVN 2>/dev/null; then kill $MVN; fi; rm -f "$LOG" "$LOG.cpu"' EXIT

./mvnw -B -ntp -pl perf -Pspike verify -DskipTests "$@" > "$LOG" 2>&1 &
MVN=$!

descendants() { local p; for p in $(cat /proc/"$1"/task/*/children 2>/dev/null); do echo "$p"; descendants "$p"; done; }
JMETER=
for _ in $(seq 1 1200); do
  for p in $(descendants $MVN); do
    if { tr '\0' ' ' < /proc/"$p"/cmdline; } 2>/dev/null | grep -q -- '-jar ApacheJMeter'; then JMETER=$p; fi
  done
  [ -n "$JMETER" ] && break
  kill -0 $MVN 2>/dev/null || break
  sleep 0.5
done
[ -n "$JMETER" ] || { cat "$LOG"; echo "no JMeter JVM found" >&2; exit 1; }
# the gate opens when every buyer thread ("spike 1-N") is up
for _ in $(seq 1 1200); do
  [ "$(cat /proc/"$JMETER"/task/*/comm 2>/dev/null | grep -c '^spike ')" -ge "$BUYERS" ] && break
  kill -0 "$JMETER" 2>/dev/null || break
  sleep 0.1
done
sleep 1
from_ms=$(date +%s%3N)
perf/scripts/thread-cpu.sh "$JMETER" sleep "$WINDOW" | tee "$LOG.cpu" || echo "could not measure JMeter's JVM (it ended?)"
to_ms=$(date +%s%3N)
status=0
wait $MVN || status=$?
MVN=
grep -E 'SPIKE (OK|FAILED)|BUILD (SUCCESS|FAILURE)' "$LOG" | sed 's/^\[INFO\] //' || true
RAW=$(ls -1t perf/target/jmeter/results/*.csv | head -n 1)
requests=$(awk -F, -v a="$from_ms" -v b="$to_ms" '$1 ~ /^[0-9]+$/ && $3 !~ /^(set-up|tear-down)/ && $1 >= a && $1 < b { n++ } END { print n + 0 }' "$RAW")
cpu=$(sed -nE 's/.*process [0-9]+: ([0-9.]+) CPU s.*/\1/p' "$LOG.cpu")
awk -v c="$cpu" -v n="$requests" -v w="$WINDOW" 'BEGIN {
  printf "JMeter CPU per request: %.3f ms (%.1f CPU s over %d requests sent in the %d s window, %.0f requests/s)\n", n ? 1000 * c / n : 0, c, n, w, n / w }'
exit $status

#!/usr/bin/env bash
# Where a running JVM's CPU goes while a command runs (a load test, a benchmark): CPU seconds per
# group of threads, read from /proc before and after (no agent, no restart, nothing to install).
#
#   perf/scripts/thread-cpu.sh <pid> <command...>
#
# Threads are grouped by the name the kernel keeps (its first 15 characters), with trailing
# numbers dropped: "http-nio-8080-exec-17" and "-exec-3" fall into "http-nio-8080". Threads that
# start during the run count from zero. Also prints the CPU the command itself used (with all it
# waited for: the load generator's cost) and the whole machine's busy share over the run.
set -euo pipefail
PID=${1:?usage: perf/scripts/thread-cpu.sh <pid> <command...>}
shift
[ $# -gt 0 ] || { echo "usage: perf/scripts/thread-cpu.sh <pid> <command...>" >&2; exit 2; }
[ -d "/proc/$PID" ] || { echo "no process $PID" >&2; exit 1; }
HZ=$(getconf CLK_TCK)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# one line per thread: tid, utime+stime in ticks, group name
snapshot() {
  local t name stat
  for t in /proc/"$PID"/task/*; do
    name=$(cat "$t/comm" 2>/dev/null) || continue
    stat=$(cat "$t/stat" 2>/dev/null) || continue
    # the fields after the ")" closing the name: state is 1st, utime 12th, stime 13th
    echo "${t##*/} $(echo "${stat##*) }" | awk '{ print $12 + $13 }') $(echo "$name" | sed -E 's/[-#_ .]*[0-9]+$//; s/[-#_ .]+$//; s/ /_/g')"
  done
}
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }

snapshot > "$WORK/before"
read -r busy0 all0 <<< "$(busy)"
start=$(date +%s.%N)
status=0
"$@" || status=$?
end=$(date +%s.%N)
# CPU of the command and everything it waited for (a load generator's own cost)
times > "$WORK/times" # in this shell: a subshell has no children of its own
command_cpu=$(tail -n 1 "$WORK/times" | awk '{ s = 0; for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); s += p[1] * 60 + p[2] } print s }')
read -r busy1 all1 <<< "$(busy)"
snapshot > "$WORK/after"

awk -v hz="$HZ" -v wall="$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" -v mbusy="$((busy1 - busy0))" -v mall="$((all1 - all0))" \
    -v cores="$(nproc)" -v ccpu="$command_cpu" '
  FNR == NR { before[$1] = $2; next }
  { d = $2 - ($1 in before ? before[$1] : 0); if (d > 0) { cpu[$3] += d; total += d } }
  END {
    printf "\nwall %.1f s; process %d: %.1f CPU s (%.0f%% of %d cores); the command: %.1f CPU s; whole machine busy %.0f%%\n",
      wall, pid, total / hz, 100 * total / hz / wall / cores, cores, ccpu, 100 * mbusy / mall
    printf "%-24s %10s %8s\n", "threads", "CPU s", "share"
    n = 0
    for (g in cpu) order[++n] = g
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (cpu[order[j]] > cpu[order[i]]) { t = order[i]; order[i] = order[j]; order[j] = t }
    for (i = 1; i <= n; i++) if (cpu[order[i]] / total >= 0.005)
      printf "%-24s %10.2f %7.1f%%\n", order[i], cpu[order[i]] / hz, 100 * cpu[order[i]] / total
  }' pid="$PID" "$WORK/before" "$WORK/after"
exit $status

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

# one line per thread: tid, utime+stime in ticks, group name. One cat and one awk for all threads
# (not a process per thread): JMeter runs thousands of threads, and forking for each would cost
# seconds of CPU on the very machine being measured.
snapshot() {
  # a thread may end between listing and reading: cat then fails, and that is fine
  { cat /proc/"$PID"/task/*/stat 2>/dev/null || true; } | awk '{
    lp = index($0, "("); rp = 0
    for (i = length($0); i > lp; i--) if (substr($0, i, 1) == ")") { rp = i; break }
    name = substr($0, lp + 1, rp - lp - 1)
    split(substr($0, rp + 2), f, " ") # state is f[1], utime f[12], stime f[13]
    sub(/[-#_ .]*[0-9]+$/, "", name); sub(/[-#_ .]+$/, "", name); gsub(/ /, "_", name)
    print $1, f[12] + f[13], name }'
}
# CPU ticks of the whole process, threads that ended included
process_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' /proc/"$PID"/stat; }
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }

snapshot > "$WORK/before"
process0=$(process_ticks)
read -r busy0 all0 <<< "$(busy)"
start=$(date +%s.%N)
status=0
"$@" || status=$?
end=$(date +%s.%N)
# CPU of the command and everything it waited for (a load generator's own cost)
times > "$WORK/times" # in this shell: a subshell has no children of its own
command_cpu=$(tail -n 1 "$WORK/times" | awk '{ s = 0; for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); s += p[1] * 60 + p[2] } print s }')
read -r busy1 all1 <<< "$(busy)"
process1=$(process_ticks 2>/dev/null || echo "$process0")
snapshot > "$WORK/after"

awk -v hz="$HZ" -v wall="$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" -v mbusy="$((busy1 - busy0))" -v mall="$((all1 - all0))" \
    -v cores="$(nproc)" -v ccpu="$command_cpu" -v ptotal="$((process1 - process0))" '
  FNR == NR { before[$1] = $2; next }
  { d = $2 - ($1 in before ? before[$1] : 0); if (d > 0) { cpu[$3] += d; total += d } }
  END {
    if (ptotal < total) ptotal = total
    printf "\nwall %.1f s; process %d: %.1f CPU s (%.0f%% of %d cores); the command: %.1f CPU s; whole machine busy %.0f%%\n",
      wall, pid, ptotal / hz, 100 * ptotal / hz / wall / cores, cores, ccpu, 100 * mbusy / mall
    if (ptotal > total) printf "(%.1f CPU s of it on threads that ended during the run: not in the table)\n", (ptotal - total) / hz
    printf "%-24s %10s %8s\n", "threads", "CPU s", "share"
    n = 0
    for (g in cpu) order[++n] = g
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (cpu[order[j]] > cpu[order[i]]) { t = order[i]; order[i] = order[j]; order[j] = t }
    for (i = 1; i <= n; i++) if (total > 0 && cpu[order[i]] / total >= 0.005)
      printf "%-24s %10.2f %7.1f%%\n", order[i], cpu[order[i]] / hz, 100 * cpu[order[i]] / total
  }' pid="$PID" "$WORK/before" "$WORK/after"
exit $status

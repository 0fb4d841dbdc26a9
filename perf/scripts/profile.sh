#!/usr/bin/env bash
# CPU (or allocation) profiles of a JVM as artefacts: a flame graph (HTML), the collapsed stacks
# and a text summary (CPU share by thread group, top frames) in perf/profiles/.
#
#   perf/scripts/profile.sh run NAME [-- ] command...     profile every JVM the command starts, whole run
#   perf/scripts/profile.sh agent DIR [cpu|alloc|wall]     print the -agentpath flag for a JVM's command line
#   perf/scripts/profile.sh report NAME DIR FROM TO [title]
#                                                          merge the profile windows DIR holds between two
#                                                          times (epoch seconds) into perf/profiles/NAME.*
#
# The profiler is async-profiler 4.2, whose library perf/target/benchmarks.jar carries (build the
# perf module first: ./mvnw -q -DskipTests package); it is unpacked to perf/target/async-profiler/.
# The JVM is started with the profiler running (-agentpath:...=start,...,loop=10s): attaching it
# to a running JVM with `jcmd <pid> JVMTI.agent_load` loses the options on this JDK ("event must
# not be empty"). With loop=10s the profiler writes one collapsed-stack file per 10 s window,
# named after the time it wrote it (the window's end); `report` keeps the windows that lie wholly inside [FROM, TO],
# so a script marks the steady part of its run (after the warm-up) and profiles only that.
# compare-redis.sh and offered-load.sh do this with PROFILE=1. EVENT (cpu, alloc, wall) picks
# what is sampled; cpu samples every millisecond of CPU time, per thread.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
WINDOW=${PROFILE_WINDOW:-10}

library() {
  local lib=$ROOT/perf/target/async-profiler/linux-x64/libasyncProfiler.so
  if [ ! -f "$lib" ]; then
    [ -f "$ROOT/perf/target/benchmarks.jar" ] || { echo "build the perf module first: ./mvnw -q -DskipTests package" >&2; exit 1; }
    mkdir -p "$ROOT/perf/target/async-profiler"
    (cd "$ROOT/perf/target/async-profiler" && unzip -q -o "$ROOT/perf/target/benchmarks.jar" 'linux-x64/libasyncProfiler.so')
  fi
  echo "$lib"
}

agent() { # DIR [event]
  local dir=$1 event=${2:-${EVENT:-cpu}} opts
  mkdir -p "$dir"
  case $event in
    cpu) opts="event=cpu,interval=1ms" ;;
    wall) opts="event=wall,interval=5ms" ;;
    alloc) opts="event=alloc,alloc=512k" ;;
    *) echo "unknown event $event (cpu, alloc, wall)" >&2; exit 2 ;;
  esac
  echo "-agentpath:$(library)=start,$opts,threads,loop=${WINDOW}s,collapsed,file=$dir/p-%p-%t.collapsed"
}

report() { # NAME DIR FROM TO [title]
  local name=$1 dir=$2 from=$3 to=$4 title=${5:-$1} files=() f stamp end
  for f in "$dir"/p-*.collapsed; do
    [ -s "$f" ] || continue
    # named after the time it was written, the end of its window: yyyyMMdd-HHmmss, local time
    stamp=$(basename "$f" .collapsed | sed -E 's/^p-[0-9]+-//')
    end=$(date -d "$(echo "$stamp" | sed -E 's/^(....)(..)(..)-(..)(..)(..)$/\1-\2-\3 \4:\5:\6/')" +%s)
    if [ $((end - WINDOW)) -ge "$from" ] && [ "$end" -le "$to" ]; then files+=("$f"); fi
  done
  [ ${#files[@]} -gt 0 ] || { echo "no $WINDOW-s profile window lies inside that span in $dir" >&2; return 1; }
  mkdir -p "$ROOT/perf/profiles"
  cat "${files[@]}" > "$dir/merged.collapsed"
  python3 "$ROOT/perf/scripts/flamegraph.py" "$dir/merged.collapsed" "$ROOT/perf/profiles/$name" \
    "$title ($(( ${#files[@]} * WINDOW )) s, $(date -u -d @"$from" +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg))"
}

case ${1:-} in
  agent) shift; agent "$@" ;;
  report) shift; report "$@" ;;
  run)
    shift
    name=${1:?usage: perf/scripts/profile.sh run NAME [--] command...}
    shift
    [ "${1:-}" = "--" ] && shift
    dir=$(mktemp -d)
    from=$(date +%s)
    status=0
    JAVA_TOOL_OPTIONS="${JAVA_TOOL_OPTIONS:-} $(agent "$dir")" "$@" || status=$?
    report "$name" "$dir" "$from" "$(( $(date +%s) + WINDOW ))" "$name: $*" || true
    rm -rf "$dir"
    exit $status ;;
  *) sed -n '2,20p' "$0" >&2; exit 2 ;;
esac

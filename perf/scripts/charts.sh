#!/usr/bin/env bash
# Turns the raw figures in perf/results/ into the PNG charts in perf/charts/ that RESULTS.md embeds.
#
#   perf/scripts/charts.sh
#
# Needs gnuplot (Debian: apt-get install gnuplot-nox). Reads, taking the newest file of each kind:
#   compare-*.csv            (compare-redis.sh)  -> compare-throughput.png: Redis and us side by side,
#                                                   per pipeline depth and connection count, ratio on top
#   pipelines-*.csv          (PIPELINES=... compare-redis.sh) -> compare-pipeline.png: the same by depth
#   jmh-*.csv                (JMH -rf csv)       -> jmh-hot-parts.png: each benchmark next to its baseline
#   sweep-{skus,reservations,connections}-*.csv (sweep.sh) -> sweep-*.png: throughput, p50/p99, bytes per item
#   spike-*.csv              (below)             -> spike-timeline.png: answers per second by kind, p50/p99
#   offered-*.csv            (offered-load.sh)   -> offered-latency.png: p50/p99 against offered load, Redis and us
#   http-offered-*.csv       (http-offered-load.sh) -> http-offered-latency.png: the purchase API's p50/p99 against
#                                                   offered load (newest purchase-path and newest sold-out file)
#   http-offered-spike-*-timeline.csv (SPIKE=1)  -> http-offered-spike-timeline.png: per step, the slowest answer
#                                                   and the share slower than 50 ms per 50 ms (SPIKE_TIMELINE=file;
#                                                   SPIKE_CHART=name.png draws it under another name)
# With chart names as arguments (e.g. spike_rush_chart) it draws only those.
# JMeter's raw results (perf/target/jmeter/results/*.csv from the -Pspike run) are first reduced to
# one row per second in perf/results/spike-<run>.csv, so the timeline survives a `mvn clean`.
set -euo pipefail
cd "$(dirname "$0")/../.."
RESULTS=perf/results
CHARTS=perf/charts
command -v gnuplot >/dev/null || { echo "gnuplot missing: apt-get install gnuplot-nox" >&2; exit 1; }
mkdir -p "$CHARTS"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

newest() { ls -1 $1 2>/dev/null | sort | tail -n 1 || true; }

COMMON='set terminal pngcairo size 1100,650 font "DejaVu Sans,11" noenhanced
set grid ytics lc rgb "#dddddd"
set border 3
set tics nomirror
set key top left opaque box lc rgb "#cccccc"
set datafile separator "\t"'

# --- JMeter raw results -> one row per second -----------------------------------------------------
# timeStamp,elapsed,label,responseCode,...,grpThreads,allThreads,URL,Latency,IdleTime,Connect: the first
# four columns never hold commas, and the last six are counted from the end (messages may hold commas)
spike_timeline() { # raw.csv out.csv
  awk -F, '$1 ~ /^[0-9]+$/ && $3 !~ /^(set-up|tear-down)/ { print $1 "," $2 "," $4 "," $(NF - 5) }' "$1" |
    sort -t, -k1,1n > "$WORK/spike.sorted"
  [ -s "$WORK/spike.sorted" ] || return 0
  local t0
  t0=$(head -n 1 "$WORK/spike.sorted" | cut -d, -f1)
  # second, elapsed, kind; then sorted by second and elapsed for the percentiles
  awk -F, -v t0="$t0" '{
      s = int(($1 - t0) / 1000); c = $3
      k = (c == "201" || c == "200") ? "reserved" : (c == "409") ? "sold_out" : (c == "403") ? "limit" \
        : (c == "429" || c == "503") ? "shed" : "other"
      print s "," $2 "," k "," $4 }' "$WORK/spike.sorted" | sort -t, -k1,1n -k2,2n > "$WORK/spike.keyed"
  awk -F, '{ n[$1]++ } END { for (s in n) print s "," n[s] }' "$WORK/spike.keyed" | sort -t, -k1,1n > "$WORK/spike.counts"
  awk -F, 'FNR == NR { total[$1] = $2; next }
      !started || $1 != cur { if (started) emit(); started = 1; cur = $1; i = 0; delete k; p50 = p99 = threads = 0 }
      { i++; k[$3]++; if ($4 + 0 > threads) threads = $4 + 0
        if (i == int(total[cur] * 0.50 + 0.999)) p50 = $2
        if (i == int(total[cur] * 0.99 + 0.999)) p99 = $2 }
      END { if (started) emit() }
      function emit() { printf "%d,%d,%d,%d,%d,%d,%d,%d,%d,%d\n", cur, total[cur], k["reserved"], k["sold_out"], k["limit"], k["shed"], k["other"], p50, p99, threads }' \
    "$WORK/spike.counts" "$WORK/spike.keyed" > "$WORK/spike.rows"
  { echo "second,answers,reserved,sold_out,limit,shed,other,p50_ms,p99_ms,buyer_threads"; cat "$WORK/spike.rows"; } > "$2"
}
for raw in perf/target/jmeter/results/*.csv; do
  [ -f "$raw" ] || continue
  out="$RESULTS/spike-$(basename "$raw" .csv | sed 's/-seckill-spike$//').csv"
  if [ ! -f "$out" ]; then
    spike_timeline "$raw" "$out"
    [ -f "$out" ] && echo "spike timeline: $out"
  fi
done

# --- Redis vs counter-store -----------------------------------------------------------------------
compare_chart() {
  local files=() f
  for f in $(ls -1 "$RESULTS"/compare-*.csv 2>/dev/null | sort); do files+=("$f"); done
  [ ${#files[@]} -gt 0 ] || return 0
  # newest file per connection count; one panel per (connections, pipeline)
  awk -F, 'FNR > 1 { key = $3 "," $2 "," $1; row[key] = $0; if (!(key in seen)) { seen[key] = 1; order[++n] = key } }
      END { for (i = 1; i <= n; i++) print row[order[i]] }' "${files[@]}" > "$WORK/compare.rows"
  local c p panels=0
  for c in $(cut -d, -f3 "$WORK/compare.rows" | sort -un); do
    for p in $(cut -d, -f2 "$WORK/compare.rows" | sort -un); do
      awk -F, -v c="$c" -v p="$p" '$3 == c && $2 == p {
          t = $1; sub(/ \(redis everysec\)/, "", t); sub(/\(Lua /, "(Redis AOF ", t); sub(/ vs INV.RESERVE/, "", t)
          printf "%s\t%s\t%s\t%s\n", t, $4, $5, $6 }' "$WORK/compare.rows" > "$WORK/compare-$c-$p.dat"
      [ -s "$WORK/compare-$c-$p.dat" ] || continue
      panels=$((panels + 1))
      cat >> "$WORK/compare.plot" <<EOF
set title "-c $c  -P $p"
set xrange [-0.6:$(wc -l < "$WORK/compare-$c-$p.dat") - 0.4]
plot '$WORK/compare-$c-$p.dat' using (\$2/1000):xtic(1) title 'Redis' lc rgb '#9e9e9e', \\
     '' using (\$3/1000) title 'counter-store' lc rgb '#1f77b4', \\
     '' using (\$0 + 1.0/6):(\$3/1000):(sprintf('%.2fx', \$4)) with labels offset 0,0.8 font ',10' notitle
EOF
    done
  done
  local rows=$(( (panels + 1) / 2 ))
  gnuplot <<EOF
$COMMON
set terminal pngcairo size 1300,$((rows * 420 + 60)) font "DejaVu Sans,10" noenhanced
set output '$CHARTS/compare-throughput.png'
set multiplot layout $rows,2 title "Requests/s, Redis vs counter-store in the same redis-benchmark run (label: store / Redis)\nreserve = Redis's Lua check-and-decrement vs INV.RESERVE (fsync'd before the answer)" font ",12"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 1
set ylabel "thousand requests/s"
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
set xtics font ",9"
load '$WORK/compare.plot'
unset multiplot
EOF
  echo "chart: $CHARTS/compare-throughput.png"
}

# --- Redis vs counter-store by pipeline depth (compare-redis.sh with PIPELINES) ----------------------
pipeline_chart() {
  local f
  f=$(newest "$RESULTS/pipelines-*.csv")
  [ -n "$f" ] || return 0
  : > "$WORK/pipelines.plot"
  local i=0 t
  while IFS= read -r t; do
    i=$((i + 1))
    awk -F, -v t="$t" 'NR > 1 && $1 == t { printf "%s\t%s\t%s\t%s\n", $2, $4 / 1000, $5 / 1000, $6 }' "$f" > "$WORK/pipelines-$i.dat"
    cat >> "$WORK/pipelines.plot" <<EOF
set title "$(echo "$t" | sed 's/ (redis everysec)//; s/(Lua /(Redis AOF /; s/ vs INV.RESERVE//')"
plot '$WORK/pipelines-$i.dat' using 1:2 with linespoints lw 2 pt 7 lc rgb '#7f7f7f' title 'Redis', \\
     '' using 1:3 with linespoints lw 2 pt 5 lc rgb '#1f77b4' title 'counter-store', \\
     '' using 1:3:(sprintf('%.2fx', \$4)) with labels offset 0,1 font ',9' notitle
EOF
  done < <(awk -F, 'NR > 1 && !seen[$1]++ { print $1 }' "$f")
  gnuplot <<EOF
$COMMON
set terminal pngcairo size $((i * 430 + 40)),480 font "DejaVu Sans,10" noenhanced
set output '$CHARTS/compare-pipeline.png'
set multiplot layout 1,$i title "Requests/s by pipeline depth, Redis vs counter-store in one run, -c $(awk -F, 'NR == 2 { print $3 }' "$f") (label: store / Redis); $(basename "$f")" font ",11"
set logscale x 2
set xlabel "pipeline depth (-P)"
set ylabel "thousand requests/s"
set yrange [0:*]
set offsets graph 0.05, graph 0.05, graph 0.1, 0
set key top left
load '$WORK/pipelines.plot'
unset multiplot
EOF
  echo "chart: $CHARTS/compare-pipeline.png"
}

# --- JMH --------------------------------------------------------------------------------------------
jmh_chart() {
  local f
  f=$(newest "$RESULTS/jmh-*.csv")
  [ -n "$f" ] || return 0
  # "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit",params...
  tr -d '\r' < "$f" | awk -F, 'NR == 1 { for (i = 8; i <= NF; i++) { h = $i; gsub(/"|Param: /, "", h); param[i] = h } next }
      { b = $1; gsub(/"/, "", b); sub(/.*\.perf\./, "", b); sub(/Benchmark\./, ".", b)
        extra = ""
        for (i = 8; i <= NF; i++) { v = $i; gsub(/"/, "", v); if (v != "") extra = extra " " param[i] "=" v }
        err = $6; if (err == "NaN") err = 0
        printf "%s%s\t%.3f\t%.3f\t%d\n", b, extra, $5 / 1e6, err / 1e6, (b ~ /baseline/) ? 10395294 : 2062260 }' > "$WORK/jmh.dat"
  local n
  n=$(wc -l < "$WORK/jmh.dat")
  gnuplot <<EOF
$COMMON
set terminal pngcairo size 1100,$((n * 26 + 140)) font "DejaVu Sans,10" noenhanced
set output '$CHARTS/jmh-hot-parts.png'
set title "JMH, one thread: million ops/s (grey: the baseline to beat; whisker: 99.9% error)"
set style fill solid 0.8 border -1
set logscale x 10
set xrange [0.5:*]
set xlabel "million ops/s, log scale (dashed: the book's 10 M/s target); $(basename "$f")"
set ytics font ",9"
set yrange [-0.6:$n - 0.4]
set grid xtics lc rgb "#dddddd"
unset key
set arrow from 10, graph 0 to 10, graph 1 nohead dt 2 lc rgb "#d62728"
plot '$WORK/jmh.dat' using 2:($n - 1 - \$0):(0.5):2:($n - 1.35 - \$0):($n - 0.65 - \$0):4:ytic(1) with boxxyerror lc rgb variable, \
     '' using 2:($n - 1 - \$0):(\$2 - \$3 > 0.5 ? \$2 - \$3 : 0.5):(\$2 + \$3) with xerrorbars pt 0 lc rgb '#333333'
EOF
  echo "chart: $CHARTS/jmh-hot-parts.png"
}

# --- sweeps -------------------------------------------------------------------------------------------
sweep_chart() { # kind x-label x-scale (a number to divide x by, or "log")
  local f
  f=$(newest "$RESULTS/sweep-$1-*.csv")
  [ -n "$f" ] || return 0
  # sweep,x,clients,pipeline,requests,rps,avg_ms,p50_ms,p99_ms,max_ms,heap_used_mb,bytes_per_item
  awk -F, 'NR > 1 { printf "%s\t%s\t%s\t%s\t%s\t%s\n", $2, $6 / 1000, $8, $9, $11, ($12 == "" ? "NaN" : $12) }' "$f" > "$WORK/sweep.dat"
  local pipeline
  pipeline=$(awk -F, 'NR == 2 { print "-P " $4 (("'"$1"'" == "connections") ? "" : ", -c " $3) }' "$f")
  gnuplot <<EOF
$COMMON
set output '$CHARTS/sweep-$1.png'
set title "counter-store alone, INV.RESERVE $pipeline: throughput and latency by $2"
$(if [ "$3" = log ]; then echo 'set logscale x 10'; echo 'set format x "%.0s%c"'; echo "set xlabel \"$2 (log scale); $(basename "$f")\"";
  else echo "set xlabel \"$2; $(basename "$f")\""; echo 'set xrange [0:*]'; fi)
set ylabel "thousand requests/s"
set y2label "latency, ms (log scale)"
set yrange [0:*]
set logscale y2 10
set y2tics
set key outside bottom center horizontal
set bmargin 6
set offsets graph 0.05, graph 0.05, 0, 0
x(v) = $(if [ "$3" = log ]; then echo '(v < 1 ? 0.5 : v)'; else echo "(v / $3)"; fi)
plot '$WORK/sweep.dat' using (x(\$1)):2 with linespoints lw 2 pt 7 lc rgb '#1f77b4' title 'requests/s', \
     '' using (x(\$1)):3 axes x1y2 with linespoints lw 1.5 pt 5 dt 2 lc rgb '#2ca02c' title 'p50 ms', \
     '' using (x(\$1)):4 axes x1y2 with linespoints lw 1.5 pt 9 dt 2 lc rgb '#d62728' title 'p99 ms', \
     '' using (x(\$1)):2:(strcol(6) eq 'NaN' ? '' : sprintf('%d B/item', \$6)) with labels offset 0,-1.2 font ',9' notitle
EOF
  echo "chart: $CHARTS/sweep-$1.png"
}

# --- spike timeline -----------------------------------------------------------------------------------
spike_chart() {
  local f
  f=$(newest "$RESULTS/spike-*.csv")
  [ -n "$f" ] && [ "$(wc -l < "$f")" -gt 1 ] || return 0
  awk -F, 'NR > 1 { OFS = "\t"; print $1, $3, $4, $5, $6, $7, $8, $9, ($10 == "" ? "NaN" : $10) }' "$f" > "$WORK/spike.dat"
  gnuplot <<EOF
$COMMON
set output '$CHARTS/spike-timeline.png'
set title "JMeter spike: answers per second by kind, and latency; $(basename "$f")"
set xlabel "seconds since the first order"
set ylabel "answers/s (stacked)"
set y2label "latency, ms"
set y2tics
set yrange [0:*]
set y2range [0:*]
set style fill solid 0.7 noborder
set key outside bottom center horizontal maxrows 2
set bmargin 9
plot '$WORK/spike.dat' using 1:(\$2+\$3+\$4+\$5+\$6) with filledcurves x1 lc rgb '#7f7f7f' title 'other (outside the contract)', \
     '' using 1:(\$2+\$3+\$4+\$5) with filledcurves x1 lc rgb '#ff7f0e' title '429/503 shed, Retry-After', \
     '' using 1:(\$2+\$3+\$4) with filledcurves x1 lc rgb '#9467bd' title '403 PURCHASE_LIMIT', \
     '' using 1:(\$2+\$3) with filledcurves x1 lc rgb '#aec7e8' title '409 SOLD_OUT / INSUFFICIENT_STOCK', \
     '' using 1:2 with filledcurves x1 lc rgb '#2ca02c' title '201 reserved (and replays)', \
     '' using 1:7 axes x1y2 with linespoints lw 2 pt 7 lc rgb '#1f1f1f' title 'p50 ms', \
     '' using 1:8 axes x1y2 with linespoints lw 2 pt 5 lc rgb '#d62728' title 'p99 ms', \
     '' using 1:9 with lines lw 2 dt 3 lc rgb '#000000' title 'buyer threads running'
EOF
  echo "chart: $CHARTS/spike-timeline.png"
}

# --- latency against offered load (offered-load.sh) ------------------------------------------------------
offered_chart() {
  local f
  f=$(newest "$RESULTS/offered-*.csv")
  [ -n "$f" ] || return 0
  : > "$WORK/offered.plot"
  local i=0 cmd target
  # target,command,connections,offered_rps,achieved_rps,requests,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,errors
  for cmd in $(awk -F, 'NR > 1 && !seen[$2]++ { print $2 }' "$f"); do
    i=$((i + 1))
    for target in redis store; do
      # a step the server could not keep up with (achieved below 90% of offered) gets a red ring
      awk -F, -v c="$cmd" -v t="$target" 'NR > 1 && $1 == t && $2 == c {
          printf "%s\t%s\t%s\t%s\t%d\n", $4 / 1000, $7, $9, $5 / 1000, ($5 < 0.9 * $4) }' "$f" > "$WORK/offered-$i-$target.dat"
    done
    cat >> "$WORK/offered.plot" <<EOF
set title "$([ "$cmd" = reserve ] && echo "reserve: Redis's Lua check-and-decrement (EVALSHA) vs INV.RESERVE" || echo "$cmd")"
plot '$WORK/offered-$i-redis.dat' using 1:2 with linespoints lw 2 pt 7 dt 2 lc rgb '#7f7f7f' title 'Redis p50', \\
     '' using 1:3 with linespoints lw 2 pt 5 lc rgb '#7f7f7f' title 'Redis p99', \\
     '$WORK/offered-$i-store.dat' using 1:2 with linespoints lw 2 pt 7 dt 2 lc rgb '#1f77b4' title 'counter-store p50', \\
     '' using 1:3 with linespoints lw 2 pt 5 lc rgb '#1f77b4' title 'counter-store p99', \\
     '$WORK/offered-$i-redis.dat' using (\$5 > 0 ? \$1 : NaN):3 with points pt 6 ps 2.5 lc rgb '#d62728' notitle, \\
     '$WORK/offered-$i-store.dat' using (\$5 > 0 ? \$1 : NaN):3 with points pt 6 ps 2.5 lc rgb '#d62728' title 'not kept up (achieved < 90% of offered)'
EOF
  done
  [ $i -gt 0 ] || return 0
  gnuplot <<EOF
$COMMON
set terminal pngcairo size $((i * 650 + 40)),560 font "DejaVu Sans,10" noenhanced
set output '$CHARTS/offered-latency.png'
set multiplot layout 1,$i title "Latency against offered load (open loop, from each request's intended send time), -c $(awk -F, 'NR == 2 { print $3 }' "$f"); $(basename "$f")" font ",11"
set logscale xy 10
set xlabel "offered load, thousand requests/s (log scale)"
set ylabel "latency, ms (log scale)"
set offsets graph 0.05, graph 0.05, 0, 0
set key outside bottom center horizontal maxrows 3
set bmargin 9
load '$WORK/offered.plot'
unset multiplot
EOF
  echo "chart: $CHARTS/offered-latency.png"
}

# --- the purchase API's latency against offered load (http-offered-load.sh) -------------------------------
http_offered_chart() {
  : > "$WORK/http-offered.plot"
  local i=0 f title
  for f in "$(newest "$RESULTS/http-offered-2*.csv")" "$(newest "$RESULTS/http-offered-soldout-*.csv")"; do
    [ -n "$f" ] || continue
    i=$((i + 1))
    # ...,max_ms,errors,created_201,conflict_409,throttled_429,unavailable_503,other_status,unanswered,...:
    # a step the service could not keep up with (achieved < 90% of offered, answers missing, or over
    # 10% fast rejections and errors) gets a red ring
    awk -F, 'NR > 1 { printf "%s\t%s\t%s\t%d\n", $4, $7, $9, ($5 < 0.9 * $4 || $18 > 0 || ($15 + $16 + $17) * 10 > $6) }' \
      "$f" > "$WORK/http-offered-$i.dat"
    case "$f" in
      *soldout*) title="sold-out path (nearly all 409 SOLD_OUT from the local flag)" ;;
      *) title="purchase path (every buyer reserves a unit: 201)" ;;
    esac
    cat >> "$WORK/http-offered.plot" <<EOF
set title "$title\n$(basename "$f"), at most $(awk -F, 'NR == 2 { print $3 }' "$f") connections"
plot '$WORK/http-offered-$i.dat' using 1:2 with linespoints lw 2 pt 7 dt 2 lc rgb '#1f77b4' title 'p50', \\
     '' using 1:3 with linespoints lw 2 pt 5 lc rgb '#1f77b4' title 'p99', \\
     '' using (\$4 > 0 ? \$1 : NaN):3 with points pt 6 ps 2.5 lc rgb '#d62728' title 'not kept up'
EOF
  done
  [ $i -gt 0 ] || return 0
  gnuplot <<EOF
$COMMON
set terminal pngcairo size $((i * 650 + 40)),560 font "DejaVu Sans,10" noenhanced
set output '$CHARTS/http-offered-latency.png'
set multiplot layout 1,$i title "Purchase API (POST /api/v1/sales/{id}/orders): latency against offered load\nopen loop, from each request's intended send time, one request in flight per kept-alive connection" font ",11"
set logscale xy 10
set xlabel "offered load, requests/s (log scale)"
set ylabel "latency, ms (log scale)"
set offsets graph 0.05, graph 0.05, 0, 0
set key outside bottom center horizontal
set bmargin 7
load '$WORK/http-offered.plot'
unset multiplot
EOF
  echo "chart: $CHARTS/http-offered-latency.png"
}

# --- where in a spike step the slow answers were (http-offered-load.sh SPIKE=1 timelines) ---------------
spike_rush_chart() {
  local f steps
  f=${SPIKE_TIMELINE:-$(newest "$RESULTS/http-offered-spike-*-timeline.csv")}
  [ -n "$f" ] || return 0
  # label,offered_per_s,bucket_start_ms,requests,created_201,slow,max_ms: one gnuplot block per step
  awk -F, 'NR > 1 { if ($3 == 0 && n++) printf "\n\n"; printf "%s\t%s\t%s\n", $3 / 1000, $7, 100 * $6 / $4 }' \
    "$f" > "$WORK/rush.dat"
  steps=$(awk -F, 'NR > 1 && $3 == 0' "$f" | wc -l)
  gnuplot <<EOF
$COMMON
set terminal pngcairo size 1100,$((steps * 260 + 120)) font "DejaVu Sans,10" noenhanced
set output '$CHARTS/${SPIKE_CHART:-http-offered-spike-timeline.png}'
set multiplot layout $steps,1 title "Purchase API under a flash-sale spike: where in each 10 s step the slow answers were\n$(basename "$f"): per 50 ms of intended send time, the slowest answer and the share slower than 50 ms" font ",11"
set xlabel "intended send time in the step, s"
set ylabel "slowest answer, ms"
set y2label "slower than 50 ms, %"
set y2range [0:100]
set y2tics
set yrange [0:*]
set key top right
set style fill solid 0.35 noborder
rates = "$(awk -F, 'NR > 1 && $3 == 0 { printf "%s ", $2 }' "$f")"
do for [i=0:$((steps - 1))] {
  set title sprintf("step %d: %s requests/s offered", i + 1, word(rates, i + 1))
  plot '$WORK/rush.dat' index i using 1:3 axes x1y2 with boxes lc rgb '#ff7f0e' title 'slower than 50 ms (%)', \\
       '' index i using 1:2 with lines lw 2 lc rgb '#1f77b4' title 'slowest answer (ms)', \\
       50 with lines dt 2 lc rgb '#d62728' title 'the 50 ms target'
}
unset multiplot
EOF
  echo "chart: $CHARTS/${SPIKE_CHART:-http-offered-spike-timeline.png}"
}

# charts.sh [name ...]: only those charts (e.g. spike_rush_chart), else all of them
if [ $# -gt 0 ]; then
  for chart in "$@"; do "$chart"; done
  exit 0
fi
compare_chart
pipeline_chart
offered_chart
http_offered_chart
jmh_chart
sweep_chart skus "SKUs" log
sweep_chart reservations "pending reservations retained, millions" 1000000
sweep_chart connections "connections" log
spike_chart
spike_rush_chart

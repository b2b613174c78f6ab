#!/usr/bin/env bash
# The smallest heap that answers, whole process: for each variant, bisects -Xmx (in MB) for the
# least heap under which HeapProbe still writes its complete response. Serial GC, so the figure
# is the live data plus the collector's needs, not a parallel collector's regions.
#   benchmarks/memory.sh [quick] [runner] [ROWS]
#     quick: a coarser bisection (4 MB steps); runner: only the runner syncs;
#     ROWS: the rows of the long runner sync (default 2,000,000; the shorter one has a quarter)
# Variants: (a) one generator over rows in memory; FunctionHandler and the Lambda handler over the
# same rows (a full 5.5 MB direct response); the same handler with rows made page by page, once
# into a direct response and once into a 50 MB staged object. Then whole syncs through the
# runner's `tributary sync` (in-process connector, rows made page by page, each 5.5 MB response
# applied to a DuckDB file in a temporary folder): one response's rows, a quarter of ROWS and
# ROWS, against the handler's one direct response (direct-paged). DuckDB's own memory is native,
# outside the Java heap measured here.
set -euo pipefail
cd "$(dirname "$0")/.."
step=1; only_runner=false; rows=2000000
for arg in "$@"; do
  case "$arg" in
    quick) step=4 ;;
    runner) only_runner=true ;;
    *[!0-9]*|'') echo "usage: benchmarks/memory.sh [quick] [runner] [ROWS]" >&2; exit 64 ;;
    *) rows=$arg ;;
  esac
done
mvn -B -q -DskipTests -pl benchmarks -am package dependency:build-classpath \
    -DincludeScope=runtime -Dmdep.outputFile=target/runtime.classpath >/dev/null
cp="benchmarks/target/classes:$(cat benchmarks/target/runtime.classpath)"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT # the runner syncs' DuckDB files, even after an OOM
answers() { # mb variant [rows]
  java -XX:+UseSerialGC -Xmx"$1"m -Djava.io.tmpdir="$tmp" -cp "$cp" \
      dev.tributary.benchmarks.memory.HeapProbe "${@:2}" >/dev/null 2>&1
}
smallest() { # variant [rows]: bisect between a heap that fails and one that answers
  local lo=4 hi=512
  answers "$hi" "$@" || { echo "$* fails even with ${hi} MB" >&2; return 1; }
  while (( hi - lo > step )); do
    local mid=$(( (lo + hi) / 2 ))
    if answers "$mid" "$@"; then hi=$mid; else lo=$mid; fi
  done
  echo "$hi"
}
ratio() { echo "$1 / $2" | bc -l; }
if ! $only_runner; then
  printf '%-14s %12s %10s\n' variant "smallest MB" "vs (a)"
  a=$(smallest generator)
  printf '%-14s %12s %10s\n' generator "$a" "1.00"
  for v in handler lambda staged-paged direct-paged; do
    m=$(smallest "$v")
    printf '%-14s %12s %10.2f\n' "$v" "$m" "$(ratio "$m" "$a")"
  done
  echo
  one=$m
else
  one=$(smallest direct-paged)
  printf '%-14s %12s\n' direct-paged "$one"
fi
printf '%-28s %12s %16s %14s\n' "runner sync into DuckDB" "smallest MB" "vs direct-paged" "vs one call"
single=""
for n in 47500 $(( rows / 4 )) "$rows"; do
  m=$(smallest runner-sync "$n")
  single=${single:-$m}
  printf '%-28s %12s %16.2f %14.2f\n' "$n rows" "$m" "$(ratio "$m" "$one")" \
      "$(ratio "$m" "$single")"
done

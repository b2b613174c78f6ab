#!/usr/bin/env bash
# The smallest heap that answers, whole process: for each variant, bisects -Xmx (in MB) for the
# least heap under which HeapProbe still writes its complete response. Serial GC, so the figure
# is the live data plus the collector's needs, not a parallel collector's regions.
#   benchmarks/memory.sh [quick]    (quick: a coarser bisection)
# Variants: (a) one generator over rows in memory; FunctionHandler and the Lambda handler over the
# same rows (a full 5.5 MB direct response); the same handler with rows made page by page, once
# into a direct response and once into a 50 MB staged object.
set -euo pipefail
cd "$(dirname "$0")/.."
step=1; [[ "${1:-}" == quick ]] && step=4
mvn -B -q -DskipTests -pl benchmarks -am package dependency:build-classpath \
    -DincludeScope=runtime -Dmdep.outputFile=target/runtime.classpath >/dev/null
cp="benchmarks/target/classes:$(cat benchmarks/target/runtime.classpath)"
answers() { # variant mb
  java -XX:+UseSerialGC -Xmx"$2"m -cp "$cp" dev.tributary.benchmarks.memory.HeapProbe "$1" >/dev/null 2>&1
}
smallest() { # variant: bisect between a heap that fails and one that answers
  local lo=4 hi=512
  answers "$1" "$hi" || { echo "$1 fails even with ${hi} MB" >&2; return 1; }
  while (( hi - lo > step )); do
    local mid=$(( (lo + hi) / 2 ))
    if answers "$1" "$mid"; then hi=$mid; else lo=$mid; fi
  done
  echo "$hi"
}
printf '%-14s %12s %10s\n' variant "smallest MB" "vs (a)"
a=$(smallest generator)
printf '%-14s %12s %10s\n' generator "$a" "1.00"
for v in handler lambda direct-paged staged-paged; do
  m=$(smallest "$v")
  printf '%-14s %12s %10.2f\n' "$v" "$m" "$(echo "$m / $a" | bc -l)"
done

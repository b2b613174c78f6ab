#!/usr/bin/env bash
# Cold start, whole process: the first complete response through Tributary's Lambda handler against
# a bare Jackson RequestStreamHandler writing the same 2,000 rows (reference d), run alternately
# RUNS times each, with default flags and with -XX:TieredStopAtLevel=1 + AppCDS (-Xshare:on, so a
# stale archive fails instead of being ignored). Prints medians, spreads, ratios and classes loaded.
#   benchmarks/coldstart.sh [RUNS]    (default 15)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-15}
mvn -B -q -DskipTests -pl benchmarks -am package dependency:build-classpath \
    -DincludeScope=runtime -Dmdep.outputFile=target/runtime.classpath >/dev/null
# AppCDS takes jars only, not class folders.
cp="$(ls benchmarks/target/tributary-benchmarks-*.jar):$(cat benchmarks/target/runtime.classpath)"
main=dev.tributary.benchmarks.cold.ColdStart
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
for v in bare tributary; do   # one AppCDS archive per handler, made by a training run
  java -XX:ArchiveClassesAtExit="$work/$v.jsa" -XX:TieredStopAtLevel=1 -cp "$cp" "$main" "$v" >/dev/null 2>&1
done
once() { # flags-name handler extra-flags...
  local name=$1 v=$2; shift 2
  java "$@" -cp "$cp" "$main" "$v" | sed "s/^/$name $v /"
}
# Alternately, run by run, so a change in the machine's load falls on both handlers alike.
for _ in $(seq "$runs"); do
  for v in bare tributary; do
    once default "$v"
    once tiered1+cds "$v" -XX:TieredStopAtLevel=1 -Xshare:on -XX:SharedArchiveFile="$work/$v.jsa"
  done
done > "$work/raw.txt"
python3 - "$work/raw.txt" <<'PY'
import sys, statistics as st
rows = {}
for line in open(sys.argv[1]):
    flags, v, ms, cpu, classes, _ = line.split()
    rows.setdefault((flags, v), []).append(
        (int(ms.split("=")[1]), int(classes.split("=")[1]), int(cpu.split("=")[1])))
# "vs bare": the ratio of the medians; "paired": the median (and spread) of each run's ratio to
# the bare run just before it, which a change in the machine's load disturbs less.
# "cpu": the process's CPU time (all threads) up to the response, less disturbed by other load.
print(f"{'flags':<12} {'handler':<10} {'median ms':>9} {'spread ms':>11} {'classes':>8} {'vs bare':>8} {'paired':>16}"
      f" {'cpu ms':>7} {'cpu vs bare':>11}")
for flags in ("default", "tiered1+cds"):
    bare_ms = [m for m, _, _ in rows[(flags, "bare")]]
    bare = st.median(bare_ms)
    bare_cpu = st.median(c for _, _, c in rows[(flags, "bare")])
    for v in ("bare", "tributary"):
        ms = [m for m, _, _ in rows[(flags, v)]]
        cl = st.median(c for _, c, _ in rows[(flags, v)])
        cpu = st.median(c for _, _, c in rows[(flags, v)])
        r = [t / b for t, b in zip(ms, bare_ms)]
        paired = "" if v == "bare" else f"{st.median(r):.2f} ({min(r):.2f}–{max(r):.2f})"
        print(f"{flags:<12} {v:<10} {st.median(ms):>9.0f} {min(ms):>5}–{max(ms):<5} {cl:>8.0f} {st.median(ms)/bare:>8.2f} {paired:>16}"
              f" {cpu:>7.0f} {cpu/bare_cpu:>11.2f}")
PY
echo
echo "the first call alone, in a process already started (median of $runs):"
for _ in $(seq "$runs"); do
  for spec in "bare call" "tributary call" "tributary primed"; do
    echo "$spec $(java -cp "$cp" "$main" $spec)"
  done
done | python3 -c "
import sys, statistics as st
ms = {}
for l in sys.stdin:
    f = l.split()
    ms.setdefault(f[0] + ' ' + f[1], []).append(float(f[2].split('=')[1]))
for spec, v in ms.items():
    print(f'  {spec:<18} {st.median(v):7.1f} ms  ({min(v):.1f}–{max(v):.1f})')
"

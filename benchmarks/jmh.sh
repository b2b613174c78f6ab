#!/usr/bin/env bash
# Runs the JMH benchmarks under benchmarks/ (all, or those matching $1), e.g.
#   benchmarks/jmh.sh ResponseKeys
# Figures go in the README with the command that made them; the machine is shared and noisy, so
# compare benchmarks run side by side in one run, not against figures from another day.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl benchmarks -am package dependency:build-classpath \
    -DincludeScope=runtime -Dmdep.outputFile=target/runtime.classpath >/dev/null
exec java -cp "benchmarks/target/classes:$(cat benchmarks/target/runtime.classpath)" \
    org.openjdk.jmh.Main "${1:-.}" "${@:2}"

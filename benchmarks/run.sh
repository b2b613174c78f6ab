#!/usr/bin/env bash
# Runs the whole-process benchmarks and simulations; figures go in the README.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl benchmarks -am package dependency:build-classpath \
    -DincludeScope=runtime -Dmdep.outputFile=target/runtime.classpath >/dev/null
java -cp "benchmarks/target/classes:$(cat benchmarks/target/runtime.classpath)" \
    dev.tributary.benchmarks.ColdStartSimulation

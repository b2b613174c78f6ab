#!/usr/bin/env bash
# What a child table's partition costs in state: bytes per partition, the share of the default
# maxStateBytes that maxPartitions (10,000) of them take, and decode+encode time per partition.
#   benchmarks/state.sh [PARTITIONS] [REPETITIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl benchmarks -am package dependency:build-classpath \
    -DincludeScope=runtime -Dmdep.outputFile=target/runtime.classpath >/dev/null
exec java -cp "benchmarks/target/classes:$(cat benchmarks/target/runtime.classpath)" \
    dev.tributary.internal.StatePartitions "$@"

#!/usr/bin/env bash
# Time per million rows into PostgreSQL (DestinationThroughput); arguments pass through:
# --rows N (default 1,000,000), --batch N (rows per response, default 10,000), --url postgresql://…
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl benchmarks -am package dependency:build-classpath \
    -DincludeScope=runtime -Dmdep.outputFile=target/runtime.classpath >/dev/null
java -cp "benchmarks/target/classes:$(cat benchmarks/target/runtime.classpath)" \
    dev.tributary.benchmarks.DestinationThroughput "$@"

#!/usr/bin/env bash
# The response path side by side: one Jackson generator (a), the naive handler (b) and Tributary,
# with Instant and ISO-string cursors; prints medians, spreads, allocation and ratios.
#   benchmarks/ratios.sh [response]     # rows in memory (about 2 minutes)
#   benchmarks/ratios.sh passthrough    # a JSON source page to the response
#   add quick for fewer iterations
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl benchmarks -am package dependency:build-classpath \
    -DincludeScope=runtime -Dmdep.outputFile=target/runtime.classpath >/dev/null
exec java -cp "benchmarks/target/classes:$(cat benchmarks/target/runtime.classpath)" \
    dev.tributary.benchmarks.Ratios "$@"

#!/usr/bin/env bash
# Prints what each cloud's deployment weighs: each adapter's jar plus its runtime dependencies
# (the platform's provided jars excluded), and the example's deployable artifacts.
# Builds what it measures (mvn package, tests skipped).
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -B -q -DskipTests package dependency:build-classpath -DincludeScope=runtime \
    -Dmdep.outputFile=target/runtime.classpath >/dev/null

mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1000000 }'; }

printf '%-60s %s\n' "deployment" "size"
for m in core http aws-lambda aws-lambda-s3 gcp-function azure-function scheduled; do
  total=$(stat -c %s "$m"/target/tributary-*-SNAPSHOT.jar | head -1)
  for jar in $(tr ':' ' ' < "$m/target/runtime.classpath"); do
    # The adapters' optional scheduled sync (and what only it needs) is not in a Fivetran deployment.
    if [ "$m" != scheduled ] && [[ "$jar" =~ /(tributary-scheduled|tributary-destination|postgresql|checker-qual|aws-lambda-java-events|joda-time)- ]]; then
      continue
    fi
    total=$((total + $(stat -c %s "$jar")))
  done
  printf '%-60s %s\n' "$m: jar + runtime dependencies" "$(mb "$total")"
done
for f in examples/orders-api/target/orders-api-lambda.jar \
         examples/orders-api/target/deploy-gcp/orders-api-gcp.jar; do
  printf '%-60s %s\n' "$f" "$(mb "$(stat -c %s "$f")")"
done
app=examples/orders-api-azure/target/azure-functions/tributary-orders
printf '%-60s %s\n' "$app/" "$(mb "$(du -sb "$app" | cut -f1)")"

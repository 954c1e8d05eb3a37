#!/usr/bin/env bash
# The whole test suite, as CI runs it (README "Run all tests"):
#   1. start real Kafka (plain and SASL_SSL), Elasticsearch (plain and secured), a Flink standalone cluster
#      and the beacon collector on loopback (scripts/stack.sh), unless BEACONFLOW_TEST_USE_RUNNING_STACK=1
#      and they are up;
#   2. mvn verify: Spotless check, unit and operator-harness tests (*Test), then MiniCluster and
#      real-server integration tests (*ITCase), the real-browser one included (collector
#      BrowserEndToEndITCase: Debian chromium + chromedriver from .ci/install-deps.sh, npm ci of
#      the pinned Faro / OpenTelemetry SDKs from the npm registry);
#   3. the README's demo command, to its summary, then the notebooks executed headless against
#      Elasticsearch filled with that run's documents;
#   4. stop what step 1 started.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

started=0
cleanup() {
  if [ "$started" = 1 ] && [ "${BEACONFLOW_TEST_KEEP_STACK:-0}" != 1 ]; then
    scripts/stack.sh down >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

echo "== [1/3] real servers (Kafka, Elasticsearch, Flink, the collector) on loopback"
if [ "${BEACONFLOW_TEST_USE_RUNNING_STACK:-0}" != 1 ]; then
  started=1
fi
# kafka-secure: a SASL_SSL broker for KafkaSecurityITCase (started side by side, ~10 s).
# collector: StackCollectorITCase posts to it (it starts after Kafka; its jar is built if needed).
scripts/stack.sh up kafka kafka-secure es es-secure flink collector
eval "$(scripts/stack.sh env)"

echo "== [2/3] mvn verify (format check, unit tests, integration tests)"
mvn -B -ntp verify

echo "== [3/3] the README demo, to its summary; then the notebooks on its documents"
out="$(mktemp -d)"
./beaconflow demo --duration 2h --quiet --out "$out" | tee "$out/console.txt"
grep -q "Beaconflow demo summary" "$out/console.txt"
scripts/test-notebooks.sh --load "$out"
echo "== all tests passed"

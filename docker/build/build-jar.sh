#!/usr/bin/env bash
# The compose stack's one-shot build: copies the repository (mounted read-only at /src) without
# its build outputs, builds the shaded job jar and the collector jar with Maven (cache in the m2
# volume) and puts them in the job-jar volume that the submitter, the traffic generator and the
# collector mount. Skipped when both jars in the volume are newer than every source file
# (BEACONFLOW_REBUILD=1 forces a build).
set -euo pipefail
out=/job/beaconflow-job.jar
cout=/job/beaconflow-collector.jar
if [ "${BEACONFLOW_REBUILD:-0}" != 1 ] && [ -f "$out" ] && [ -f "$cout" ] &&
  [ -z "$(find /src/pom.xml /src/config /src/detectors /src/jobs /src/collector -path '*/target' -prune -o -type f -newer "$out" -print -quit)" ] &&
  [ -z "$(find /src/pom.xml /src/config /src/collector -path '*/target' -prune -o -type f -newer "$cout" -print -quit)" ]; then
  echo "build: $out is up to date"
  exit 0
fi
rm -rf /build && mkdir -p /build
tar -C /src --exclude=./.git --exclude='*/target' --exclude=./target --exclude=./.stack \
  --exclude=./demo-out -cf - . | tar -C /build -xf -
cd /build
# -Dmaven.test.skip: jars only; the tests (Flink, Selenium, real servers) run in CI, not here.
mvn -q -B -Dmaven.test.skip=true -Dspotless.check.skip=true -pl jobs,collector -am package
cp jobs/target/beaconflow-job.jar "$out.tmp" && mv "$out.tmp" "$out"
cp collector/target/beaconflow-collector.jar "$cout.tmp" && mv "$cout.tmp" "$cout"
echo "build: $out and $cout built"

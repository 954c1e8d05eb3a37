#!/usr/bin/env bash
# The compose stack's one-shot build: copies the repository (mounted read-only at /src) without
# its build outputs, builds the shaded job jar with Maven (cache in the m2 volume) and puts it in
# the job-jar volume that the submitter and the traffic generator mount. Skipped when the jar in
# the volume is newer than every source file (BEACONFLOW_REBUILD=1 forces a build).
set -euo pipefail
out=/job/beaconflow-job.jar
if [ "${BEACONFLOW_REBUILD:-0}" != 1 ] && [ -f "$out" ] &&
  [ -z "$(find /src/pom.xml /src/detectors /src/jobs -path '*/target' -prune -o -type f -newer "$out" -print -quit)" ]; then
  echo "build: $out is up to date"
  exit 0
fi
rm -rf /build && mkdir -p /build
tar -C /src --exclude=./.git --exclude='*/target' --exclude=./target --exclude=./.stack \
  --exclude=./demo-out -cf - . | tar -C /build -xf -
cd /build
mvn -q -B -DskipTests -Dspotless.check.skip=true -pl jobs -am package
cp jobs/target/beaconflow-job.jar "$out.tmp" && mv "$out.tmp" "$out"
echo "build: $out built"

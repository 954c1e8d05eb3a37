# shellcheck shell=bash
# The beacon collector (collector/): browser beacons into the stack's Kafka.
# Sourced by scripts/stack.sh after lib/common.sh, never run on its own.

# ----------------------------------------------------------------------------------------------
# The beacon collector (collector/, ./beaconflow collect): browser SDK beacons into rum-raw of
# the stack's Kafka, with flink-conf/collector.yaml. Needs Kafka, so it starts after it.
# ----------------------------------------------------------------------------------------------

COLLECTOR_PORT=${BEACONFLOW_COLLECTOR_PORT:-4318}
COLLECTOR_PID=$RUN_DIR/collector.pid
COLLECTOR_OUT=$LOG_DIR/collector/collector.log
COLLECTOR_JAR=$BF_REPO_DIR/collector/target/beaconflow-collector.jar

# The launcher builds the collector's jar when it is missing or older than its sources.
collector_build() {
  "$BF_REPO_DIR/beaconflow" collect --help >/dev/null || die "building the collector failed"
}

# Health: /readyz answers 200 only while the collector's Kafka producer reaches the broker.
collector_healthy() {
  curl -fsS --max-time 5 "http://$BF_HOST:$COLLECTOR_PORT/readyz" >/dev/null 2>&1
}

collector_up() {
  if pid_alive "$COLLECTOR_PID" collector; then
    wait_healthy collector "$UP_TIMEOUT" "$COLLECTOR_PID" collector collector_healthy "$COLLECTOR_OUT"
    return
  fi
  port_open "$KAFKA_PORT" ||
    die "the collector writes to Kafka on $BF_HOST:$KAFKA_PORT, which is not up: scripts/stack.sh up kafka collector"
  require_port_free "$COLLECTOR_PORT" "the collector (BEACONFLOW_COLLECTOR_PORT)"
  log "starting the collector on $BF_HOST:$COLLECTOR_PORT"
  # It runs from a copy: `mvn package` (the test suite) rewrites collector/target's jar, and a JVM
  # whose jar changes under it fails on its next class load.
  mkdir -p "$H/lib/collector"
  cp "$COLLECTOR_JAR" "$H/lib/collector/beaconflow-collector.jar"
  local -a cmd
  mapfile -t cmd < <(markers collector)
  spawn "$COLLECTOR_PID" "$COLLECTOR_OUT" "$JAVA" -Xmx256m "${cmd[@]}" -jar "$H/lib/collector/beaconflow-collector.jar" \
    --config "$BF_REPO_DIR/flink-conf/collector.yaml" --listen "$BF_HOST:$COLLECTOR_PORT" \
    --bootstrap-servers "$BF_HOST:$KAFKA_PORT"
  wait_healthy collector "$UP_TIMEOUT" "$COLLECTOR_PID" collector collector_healthy "$COLLECTOR_OUT"
}

collector_down() { stop_process collector "$COLLECTOR_PID" collector; }

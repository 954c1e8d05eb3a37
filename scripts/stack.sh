#!/usr/bin/env bash
# Starts and stops real Kafka, Elasticsearch and Flink servers on this machine, without
# Docker, from Maven Central artifacts only, bound to 127.0.0.1 only.
#
#   scripts/stack.sh up [kafka|kafka-secure|es|es-secure|flink|collector ...] [--secure] [--taskmanagers N]
#   scripts/stack.sh down [service ...]        scripts/stack.sh status
#   scripts/stack.sh env                       scripts/stack.sh logs <service> [-f] [-n LINES]
#   scripts/stack.sh tm start|stop|kill9 [id]  scripts/stack.sh tm list
#   scripts/stack.sh jm start|stop|kill9       scripts/stack.sh reset [service ...]
#   scripts/stack.sh fetch                     scripts/stack.sh smoke
#
# `up` waits on real health checks (Kafka metadata, ES cluster health, Flink REST overview,
# the collector's /readyz) and is a no-op when the service is already healthy. See scripts/README.md.
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

ALL_SERVICES=(kafka kafka-secure es es-secure flink collector)

usage() {
  sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}

# Serializes commands that start or stop processes, so two callers (e.g. parallel test JVMs)
# never start the same server twice.
take_lock() {
  mkdir -p "$RUN_DIR"
  exec 9>"$RUN_DIR/stack.lock"
  flock -w "$((UP_TIMEOUT * 4 + 300))" 9 || die "another scripts/stack.sh holds $RUN_DIR/stack.lock"
}

# ----------------------------------------------------------------------------------------------
# Generic process handling
# ----------------------------------------------------------------------------------------------

tail_log() { # file [lines]
  local f=$1 n=${2:-40}
  if [[ -s "$f" ]]; then
    printf '[stack] ---- last %s lines of %s ----\n' "$n" "$f" >&2
    tail -n "$n" "$f" >&2
    printf '[stack] ----\n' >&2
  else
    log "(no log at $f)"
  fi
}

# Polls <check> once a second until it passes. Fails early if the process behind <pidfile>
# dies, and after <timeout> seconds; either way prints the last lines of the given logs.
wait_healthy() { # name, timeout, pidfile, service, check-function, logs...
  local name=$1 timeout=$2 pidfile=$3 service=$4 check=$5
  shift 5
  local start=$SECONDS f
  while true; do
    if "$check"; then
      log "$name is healthy ($((SECONDS - start)) s)"
      return 0
    fi
    if ! pid_alive "$pidfile" "$service"; then
      log "$name exited during startup"
      for f in "$@"; do tail_log "$f"; done
      return 1
    fi
    if ((SECONDS - start >= timeout)); then
      log "$name did not become healthy within ${timeout} s (BEACONFLOW_UP_TIMEOUT)"
      for f in "$@"; do tail_log "$f"; done
      return 1
    fi
    sleep 1
  done
}

# SIGTERM, then SIGKILL after DOWN_TIMEOUT seconds.
stop_process() { # name, pidfile, service
  local name=$1 pidfile=$2 service=$3 pid waited=0
  if ! pid_alive "$pidfile" "$service"; then
    rm -f "$pidfile"
    log "$name is not running"
    return 0
  fi
  pid=$(pid_of "$pidfile")
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= DOWN_TIMEOUT * 5)); then
      log "$name did not exit ${DOWN_TIMEOUT} s after SIGTERM: sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$pidfile"
  log "$name stopped"
}

kill9_process() { # name, pidfile, service
  local pid
  pid_alive "$2" "$3" || die "$1 is not running"
  pid=$(pid_of "$2")
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$2"
  log "$1 (pid $pid) killed with SIGKILL"
}

# Starts a JVM in its own session, detached from our stdin/stdout, and records its pid.
spawn() { # pidfile, stdout-file, command...
  local pidfile=$1 out=$2
  shift 2
  mkdir -p "$(dirname "$pidfile")" "$(dirname "$out")"
  setsid nohup "$@" </dev/null >>"$out" 2>&1 9>&- &
  local pid=$! i
  echo "$pid" >"$pidfile"
  # Until the forked shell has exec'd java, /proc/<pid>/cmdline lacks our markers and
  # pid_alive would call the new process dead.
  for ((i = 0; i < 100; i++)); do
    [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" == *" -Dbeaconflow.home=$H "* ]] && return 0
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.05
  done
}

require_port_free() { # port, what
  if port_open "$1"; then
    die "port $BF_HOST:$1 needed for $2 is already taken by a process this stack did not start" \
      "($(ss -ltnpH "sport = :$1" 2>/dev/null | awk '{print $NF}' | head -n 1)). Stop it, or" \
      "choose another port with the BEACONFLOW_*_PORT variables (scripts/README.md)."
  fi
}

# ----------------------------------------------------------------------------------------------
# Downloads (Maven Central through the local ~/.m2 cache)
# ----------------------------------------------------------------------------------------------

# Copies the runtime dependencies of scripts/deps/<name>/pom.xml into <dir>, once per pom
# content (a stamp with the pom's hash makes re-runs instant and pom edits effective).
fetch_pom() { # name, dir
  local pom=$BF_SCRIPTS_DIR/deps/$1/pom.xml dir=$2 stamp tmp
  stamp=$(sha256sum "$pom" | cut -c1-16)
  if [[ -f "$dir/.stamp" && "$(<"$dir/.stamp")" == "$stamp" ]]; then
    return 0
  fi
  log "resolving $1 from Maven Central into $dir"
  tmp="$dir.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  # shellcheck disable=SC2086 # BEACONFLOW_MVN_ARGS is a list of words
  if ! mvn -B -q ${BEACONFLOW_MVN_ARGS:-} -f "$pom" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$tmp" >"$tmp.log" 2>&1; then
    cat "$tmp.log" >&2
    rm -rf "$tmp" "$tmp.log"
    die "could not resolve $pom (see Maven output above)"
  fi
  rm -f "$tmp.log"
  echo "$stamp" >"$tmp/.stamp"
  rm -rf "$dir"
  mv "$tmp" "$dir"
}

fetch_kafka() { fetch_pom kafka "$LIB_KAFKA"; }

fetch_flink() {
  fetch_pom flink "$LIB_FLINK"
  # The Prometheus reporter is a plugin: it must sit in its own folder under plugins/.
  local v dir=$FLINK_PLUGINS/metrics-prometheus
  v=$(pom_property "$BF_SCRIPTS_DIR/deps/flink/pom.xml" flink.version)
  if [[ ! -f "$dir/flink-metrics-prometheus-$v.jar" ]]; then
    mkdir -p "$dir"
    # shellcheck disable=SC2086
    mvn -B -q ${BEACONFLOW_MVN_ARGS:-} dependency:copy -Dartifact="org.apache.flink:flink-metrics-prometheus:$v" \
      -DoutputDirectory="$dir" >/dev/null 2>&1 ||
      log "note: flink-metrics-prometheus:$v not resolved; the Prometheus reporter stays unavailable"
  fi
}

# ----------------------------------------------------------------------------------------------
# Kafka: one KRaft node that is both broker and controller
# ----------------------------------------------------------------------------------------------

KAFKA_PID=$RUN_DIR/kafka.pid
KAFKA_LOG=$LOG_DIR/kafka/server.log
KAFKA_OUT=$LOG_DIR/kafka/stdout.log

write_kafka_config() {
  mkdir -p "$KAFKA_CONF" "$KAFKA_DATA" "$LOG_DIR/kafka"
  cat >"$KAFKA_CONF/server.properties" <<EOF
# Generated by scripts/stack.sh on every start; edit the script, not this file.
# Single KRaft node: broker and controller in one process.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$BF_HOST:$KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
# Loopback only, for clients and for the controller.
listeners=PLAINTEXT://$BF_HOST:$KAFKA_PORT,CONTROLLER://$BF_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$BF_HOST:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DATA
# Tests create a fresh topic per test; let the first produce create it.
auto.create.topics.enable=true
num.partitions=1
default.replication.factor=1
# One broker: every internal topic has a single replica.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Flink's exactly-once Kafka sink keeps a transaction open up to its transaction.timeout.ms
# (1 h by default in the connector); the broker default cap of 15 min would reject it.
transaction.max.timeout.ms=3600000
# Consumers in tests should not wait 3 s for a rebalance.
group.initial.rebalance.delay.ms=0
# Keep a week of data, and small segments so retention acts on a dev machine.
log.retention.hours=168
log.segment.bytes=104857600
EOF
  write_kafka_log4j "$KAFKA_CONF/log4j2.properties" "$KAFKA_LOG"
  write_kafka_tools_log4j
  # Client settings for our own health checks: fail fast instead of the 60 s default.
  cat >"$KAFKA_CONF/healthcheck-client.properties" <<'EOF'
request.timeout.ms=5000
default.api.timeout.ms=8000
EOF
}

# Broker log4j2 config: <file> logging to <log file>.
write_kafka_log4j() { # file, log-file
  cat >"$1" <<EOF
# Generated by scripts/stack.sh. Broker log: $2
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = File
appender.file.type = RollingFile
appender.file.name = File
appender.file.fileName = $2
appender.file.filePattern = $2.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 100MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.apache.name = org.apache.kafka
logger.apache.level = INFO
logger.statechange.name = state.change.logger
logger.statechange.level = WARN
EOF
}

write_kafka_tools_log4j() {
  mkdir -p "$KAFKA_CONF"
  cat >"$KAFKA_CONF/tools-log4j2.properties" <<'EOF'
# Generated by scripts/stack.sh. Command-line tools: warnings only, on stderr.
rootLogger.level = WARN
rootLogger.appenderRef.stderr.ref = STDERR
appender.stderr.type = Console
appender.stderr.name = STDERR
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = [%d] %p %m (%c)%n
EOF
}

# Runs a Kafka tool class with the broker's classpath (used by scripts/kafka.sh too).
kafka_tool() { # class, args...
  "$JAVA" -Xmx256m -Dlog4j2.configurationFile="$KAFKA_CONF/tools-log4j2.properties" \
    -cp "$(classpath_of "$LIB_KAFKA")" "$@"
}

# Health: the broker answers a metadata request (topic listing) from the admin client.
kafka_healthy() {
  port_open "$KAFKA_PORT" || return 1
  kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BF_HOST:$KAFKA_PORT" \
    --command-config "$KAFKA_CONF/healthcheck-client.properties" --list >/dev/null 2>&1
}

# The topics of the shipped job configuration (flink-conf/beaconflow.yaml), created before a job
# can be submitted: a Kafka source started on a missing topic fails over until something creates
# it, and auto-creation would give the raw topic a single partition (so one source subtask).
KAFKA_JOB_TOPICS=(rum-raw:${BEACONFLOW_RAW_PARTITIONS:-4} rum-deadletter:1 rum-late:1 rum-server-spans:${BEACONFLOW_RAW_PARTITIONS:-4})

kafka_job_topics() {
  local spec existing
  existing=$(kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BF_HOST:$KAFKA_PORT" \
    --command-config "$KAFKA_CONF/healthcheck-client.properties" --list 2>/dev/null) || existing=""
  for spec in "${KAFKA_JOB_TOPICS[@]}"; do
    grep -qx "${spec%%:*}" <<<"$existing" && continue
    log "creating Kafka topic ${spec%%:*} (${spec##*:} partitions)"
    kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BF_HOST:$KAFKA_PORT" \
      --command-config "$KAFKA_CONF/healthcheck-client.properties" --create --if-not-exists \
      --topic "${spec%%:*}" --partitions "${spec##*:}" --replication-factor 1 >>"$KAFKA_OUT" 2>&1 ||
      die "could not create Kafka topic ${spec%%:*} (see $KAFKA_OUT)"
  done
}

kafka_up() {
  if pid_alive "$KAFKA_PID" kafka; then
    wait_healthy kafka "$UP_TIMEOUT" "$KAFKA_PID" kafka kafka_healthy "$KAFKA_LOG" "$KAFKA_OUT"
    kafka_job_topics
    return
  fi
  fetch_kafka
  require_port_free "$KAFKA_PORT" "Kafka (BEACONFLOW_KAFKA_PORT)"
  require_port_free "$KAFKA_CONTROLLER_PORT" "the Kafka controller (BEACONFLOW_KAFKA_CONTROLLER_PORT)"
  write_kafka_config
  if [[ ! -f "$KAFKA_DATA/meta.properties" ]]; then
    local cluster_id
    cluster_id=$(kafka_tool kafka.tools.StorageTool random-uuid)
    log "formatting Kafka storage in $KAFKA_DATA (cluster id $cluster_id)"
    kafka_tool kafka.tools.StorageTool format --ignore-formatted -t "$cluster_id" \
      -c "$KAFKA_CONF/server.properties" >>"$KAFKA_OUT" 2>&1 ||
      {
        tail_log "$KAFKA_OUT"
        die "Kafka storage format failed"
      }
  fi
  log "starting Kafka on $BF_HOST:$KAFKA_PORT"
  local -a cmd
  mapfile -t cmd < <(markers kafka)
  spawn "$KAFKA_PID" "$KAFKA_OUT" "$JAVA" "-Xms$KAFKA_HEAP" "-Xmx$KAFKA_HEAP" \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true "${cmd[@]}" \
    -Dkafka.logs.dir="$LOG_DIR/kafka" -Dlog4j2.configurationFile="$KAFKA_CONF/log4j2.properties" \
    -cp "$(classpath_of "$LIB_KAFKA")" kafka.Kafka "$KAFKA_CONF/server.properties"
  wait_healthy kafka "$UP_TIMEOUT" "$KAFKA_PID" kafka kafka_healthy "$KAFKA_LOG" "$KAFKA_OUT"
  kafka_job_topics
}

kafka_down() { stop_process kafka "$KAFKA_PID" kafka; }

# ----------------------------------------------------------------------------------------------
# kafka-secure: a second single-node Kafka whose only client listener is SASL_SSL (SCRAM-SHA-512
# over TLS), to test the job's Kafka security settings against a real broker. Optional, like
# es-secure: `up kafka-secure`. Certificates come from keytool (part of every JDK), passwords
# are generated; all of it under $SECRETS_DIR/kafka-secure (0700, files 0600).
# ----------------------------------------------------------------------------------------------

KS_PID=$RUN_DIR/kafka-secure.pid
KS_CONF=$H/conf/kafka-secure
KS_DATA=$H/data/kafka-secure
KS_LOG_DIR=$LOG_DIR/kafka-secure
KS_LOG=$KS_LOG_DIR/server.log
KS_OUT=$KS_LOG_DIR/stdout.log
KS_SECRETS=$SECRETS_DIR/kafka-secure
KS_CA=$KS_SECRETS/ca.crt
KS_CLIENT_PROPS=$KS_SECRETS/client.properties

keytool_bin() {
  if [[ "$JAVA" == */* ]]; then echo "$(dirname "$JAVA")/keytool"; else echo keytool; fi
}

# Once: a CA and a broker key pair for CN/SAN localhost + 127.0.0.1 signed by it (PKCS12), the
# CA certificate as PEM for clients (Kafka reads PEM trust stores: no trust-store password).
ks_setup_tls() {
  local d=$KS_SECRETS kt
  (umask 077 && mkdir -p "$d")
  chmod 700 "$d"
  [[ -s "$d/broker.p12" && -s "$KS_CA" ]] && return 0
  kt=$(keytool_bin)
  log "creating a CA and a broker certificate for kafka-secure (keytool)"
  rm -f "$d/ca.p12" "$d/broker.p12" "$KS_CA"
  # Passwords reach keytool through the environment, never the command line.
  local -x KS_STORE_PASSWORD
  KS_STORE_PASSWORD=$(secret kafka-secure-store-password)
  local san="SAN=dns:localhost,ip:$BF_HOST"
  (
    umask 077
    set -e
    "$kt" -genkeypair -alias ca -keyalg RSA -keysize 2048 -validity 3650 \
      -dname "CN=Beaconflow local Kafka CA" -ext bc:c -storetype PKCS12 \
      -keystore "$d/ca.p12" -storepass:env KS_STORE_PASSWORD
    "$kt" -exportcert -rfc -alias ca -keystore "$d/ca.p12" -storepass:env KS_STORE_PASSWORD \
      -file "$KS_CA"
    "$kt" -genkeypair -alias broker -keyalg RSA -keysize 2048 -validity 3650 -dname "CN=localhost" \
      -ext "$san" -storetype PKCS12 -keystore "$d/broker.p12" -storepass:env KS_STORE_PASSWORD
    "$kt" -certreq -alias broker -keystore "$d/broker.p12" -storepass:env KS_STORE_PASSWORD \
      -file "$d/broker.csr"
    "$kt" -gencert -rfc -alias ca -keystore "$d/ca.p12" -storepass:env KS_STORE_PASSWORD \
      -infile "$d/broker.csr" -outfile "$d/broker.crt" -validity 3650 -ext "$san"
    "$kt" -importcert -noprompt -alias ca -file "$KS_CA" -keystore "$d/broker.p12" \
      -storepass:env KS_STORE_PASSWORD
    "$kt" -importcert -noprompt -alias broker -file "$d/broker.crt" -keystore "$d/broker.p12" \
      -storepass:env KS_STORE_PASSWORD
  ) >>"$KS_OUT" 2>&1 || {
    tail_log "$KS_OUT"
    die "keytool failed to create the kafka-secure certificates"
  }
  rm -f "$d/broker.csr" "$d/broker.crt"
  chmod 600 "$d"/*
}

# The broker's config (mode 0600: it holds the keystore and inter-broker passwords) and the
# client properties our health check, scripts/kafka.sh and `env` users share.
ks_write_config() {
  local store admin client
  store=$(secret kafka-secure-store-password)
  admin=$(secret kafka-secure-admin-password)
  client=$(secret kafka-secure-client-password)
  (umask 077 && mkdir -p "$KS_CONF")
  chmod 700 "$KS_CONF"
  mkdir -p "$KS_DATA" "$KS_LOG_DIR"
  (umask 077 && cat >"$KS_CONF/server.properties") <<EOF
# Generated by scripts/stack.sh on every start; edit the script, not this file.
# Single KRaft node; clients only over SASL_SSL (SCRAM-SHA-512 + TLS). The controller listener
# stays plaintext on loopback: only this process connects to it.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$BF_HOST:$KAFKA_SECURE_CONTROLLER_PORT
controller.listener.names=CONTROLLER
listeners=SASL_SSL://$BF_HOST:$KAFKA_SECURE_PORT,CONTROLLER://$BF_HOST:$KAFKA_SECURE_CONTROLLER_PORT
advertised.listeners=SASL_SSL://$BF_HOST:$KAFKA_SECURE_PORT
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
inter.broker.listener.name=SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$admin";
super.users=User:admin
ssl.keystore.type=PKCS12
ssl.keystore.location=$KS_SECRETS/broker.p12
ssl.keystore.password=$store
ssl.key.password=$store
ssl.truststore.type=PEM
ssl.truststore.location=$KS_CA
ssl.client.auth=none
log.dirs=$KS_DATA
auto.create.topics.enable=true
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
transaction.max.timeout.ms=3600000
group.initial.rebalance.delay.ms=0
log.retention.hours=168
log.segment.bytes=104857600
EOF
  chmod 600 "$KS_CONF/server.properties"
  write_kafka_log4j "$KS_CONF/log4j2.properties" "$KS_LOG"
  write_kafka_tools_log4j
  (umask 077 && cat >"$KS_CLIENT_PROPS") <<EOF
# Client settings for the kafka-secure broker (health checks; --command-config of the tools).
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$KAFKA_SECURE_USER" password="$client";
ssl.truststore.type=PEM
ssl.truststore.location=$KS_CA
# TLS and SCRAM add round trips: on a loaded machine 5 s (the plain broker's check) is too short.
request.timeout.ms=20000
default.api.timeout.ms=40000
EOF
  chmod 600 "$KS_CLIENT_PROPS"
}

# Health: an authenticated admin metadata request over TLS succeeds.
ks_healthy() {
  port_open "$KAFKA_SECURE_PORT" || return 1
  kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BF_HOST:$KAFKA_SECURE_PORT" \
    --command-config "$KS_CLIENT_PROPS" --list >/dev/null 2>&1
}

ks_up() {
  if pid_alive "$KS_PID" kafka-secure; then
    wait_healthy kafka-secure "$UP_TIMEOUT" "$KS_PID" kafka-secure ks_healthy "$KS_LOG" "$KS_OUT"
    return
  fi
  fetch_kafka
  require_port_free "$KAFKA_SECURE_PORT" "kafka-secure (BEACONFLOW_KAFKA_SECURE_PORT)"
  require_port_free "$KAFKA_SECURE_CONTROLLER_PORT" \
    "the kafka-secure controller (BEACONFLOW_KAFKA_SECURE_CONTROLLER_PORT)"
  mkdir -p "$KS_LOG_DIR"
  ks_setup_tls
  ks_write_config
  if [[ ! -f "$KS_DATA/meta.properties" ]]; then
    local cluster_id admin client
    cluster_id=$(kafka_tool kafka.tools.StorageTool random-uuid)
    admin=$(secret kafka-secure-admin-password)
    client=$(secret kafka-secure-client-password)
    log "formatting kafka-secure storage in $KS_DATA with SCRAM users admin and $KAFKA_SECURE_USER"
    # SCRAM credentials are stored in the metadata log at format time (KRaft has no ZooKeeper
    # to write them to before the broker accepts a login).
    kafka_tool kafka.tools.StorageTool format --ignore-formatted -t "$cluster_id" \
      -c "$KS_CONF/server.properties" \
      --add-scram "SCRAM-SHA-512=[name=admin,password=$admin]" \
      --add-scram "SCRAM-SHA-512=[name=$KAFKA_SECURE_USER,password=$client]" >>"$KS_OUT" 2>&1 ||
      {
        tail_log "$KS_OUT"
        die "kafka-secure storage format failed"
      }
  fi
  log "starting kafka-secure (SASL_SSL) on $BF_HOST:$KAFKA_SECURE_PORT"
  local -a cmd
  mapfile -t cmd < <(markers kafka-secure)
  spawn "$KS_PID" "$KS_OUT" "$JAVA" "-Xms$KAFKA_HEAP" "-Xmx$KAFKA_HEAP" \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true "${cmd[@]}" \
    -Dkafka.logs.dir="$KS_LOG_DIR" -Dlog4j2.configurationFile="$KS_CONF/log4j2.properties" \
    -cp "$(classpath_of "$LIB_KAFKA")" kafka.Kafka "$KS_CONF/server.properties"
  wait_healthy kafka-secure "$UP_TIMEOUT" "$KS_PID" kafka-secure ks_healthy "$KS_LOG" "$KS_OUT"
}

ks_down() { stop_process kafka-secure "$KS_PID" kafka-secure; }

# ----------------------------------------------------------------------------------------------
# Elasticsearch: "es" (plain HTTP, no security) and "es-secure" (TLS + users), one node each
# ----------------------------------------------------------------------------------------------

# Java 21+ for Elasticsearch 9 (the Maven zip has no bundled JDK).
es_java_home() {
  if [[ -n "${BEACONFLOW_ES_JAVA_HOME:-}" ]]; then
    echo "$BEACONFLOW_ES_JAVA_HOME"
    return
  fi
  local d v
  for d in /usr/lib/jvm/*/; do
    d=${d%/}
    [[ -x "$d/bin/java" && -f "$d/release" ]] || continue
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$d/release")
    if [[ -n "$v" ]] && ((v >= 21)); then
      echo "$d"
      return
    fi
  done
  die "Elasticsearch 9 needs Java 21 or newer and none was found under /usr/lib/jvm." \
    "Install one (.ci/install-deps.sh) or set BEACONFLOW_ES_JAVA_HOME."
}

# When we are root, Elasticsearch runs as $ES_USER (it refuses root).
es_as_user() { [[ $EUID -eq 0 ]]; }

ensure_es_user() {
  es_as_user || return 0
  if ! id -u "$ES_USER" >/dev/null 2>&1; then
    log "creating system user $ES_USER to run Elasticsearch (it refuses to run as root)"
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
      "$ES_USER"
  fi
}

as_es_user() { # command...
  if es_as_user; then
    runuser -u "$ES_USER" -- "$@"
  else
    "$@"
  fi
}

# Where the Elasticsearch files live: $BEACONFLOW_HOME/es, unless $ES_USER cannot reach that
# path (e.g. a checkout under /root, mode 700); then a folder under /var/lib/beaconflow,
# linked from $BEACONFLOW_HOME/es, so the layout seen from the repo stays the same.
es_root() {
  local link=$H/es fallback
  if [[ -L "$link" ]]; then
    readlink -f "$link"
    return
  fi
  if es_as_user && ! runuser -u "$ES_USER" -- test -x "$H"; then
    fallback=/var/lib/beaconflow/es-$(printf '%s' "$H" | sha256sum | cut -c1-12)
    log "user $ES_USER cannot reach $H: keeping Elasticsearch files in $fallback"
    mkdir -p "$fallback"
    chmod 755 /var/lib/beaconflow
    if [[ -d "$link" ]]; then
      cp -a "$link/." "$fallback/"
      rm -rf "$link"
    fi
    ln -sfn "$fallback" "$link"
    echo "$fallback"
    return
  fi
  mkdir -p "$link"
  echo "$link"
}

ES_VERSION=$(pom_property "$BF_SCRIPTS_DIR/deps/es/pom.xml" es.version)

fetch_es() {
  ensure_es_user
  local root dist zipdir
  root=$(es_root)
  dist=$root/elasticsearch-$ES_VERSION
  [[ -x "$dist/bin/elasticsearch" ]] && return 0
  zipdir=$H/lib/es
  fetch_pom es "$zipdir"
  log "unpacking Elasticsearch $ES_VERSION into $dist"
  rm -rf "$dist.tmp"
  mkdir -p "$dist.tmp"
  unzip -q "$zipdir/elasticsearch-$ES_VERSION.zip" -d "$dist.tmp"
  mv "$dist.tmp/elasticsearch-$ES_VERSION" "$dist"
  rm -rf "$dist.tmp"
  if es_as_user; then chown -R "$ES_USER:" "$dist"; fi
}

# Sets ES_* variables for instance "es" or "es-secure".
es_instance() { # name
  ES_NAME=$1
  ES_ROOT=$(es_root)
  ES_DIST=$ES_ROOT/elasticsearch-$ES_VERSION
  ES_INST=$ES_ROOT/$ES_NAME
  ES_CONF=$ES_INST/config
  ES_PIDFILE=$ES_INST/run/es.pid
  if [[ $ES_NAME == es-secure ]]; then
    ES_HTTP=$ES_SECURE_PORT
    ES_TRANSPORT=$ES_SECURE_TRANSPORT_PORT
    ES_CLUSTER=beaconflow-secure
  else
    ES_HTTP=$ES_PORT
    ES_TRANSPORT=$ES_TRANSPORT_PORT
    ES_CLUSTER=beaconflow
  fi
  ES_LOG=$ES_INST/logs/$ES_CLUSTER.log
  ES_OUT=$ES_INST/logs/launcher.log
  ES_CA=$ES_CONF/certs/ca/ca.crt
  # Client credentials live with the other secrets (mode 0600 in a 0700 folder), not in the
  # node's folder, which the Elasticsearch user owns and others can list.
  ES_CREDENTIALS=$SECRETS_DIR/$ES_NAME.env
  ES_OLD_CREDENTIALS=$ES_INST/credentials.env
  if [[ $ES_NAME == es-secure && -f "$ES_OLD_CREDENTIALS" && ! -f "$ES_CREDENTIALS" ]]; then
    # A node set up by an older stack.sh (world-readable file, fixed password): move the file;
    # es_up replaces that password by a generated one the next time the node starts.
    secrets_dir >/dev/null
    (umask 077 && cp "$ES_OLD_CREDENTIALS" "$ES_CREDENTIALS")
    chmod 600 "$ES_CREDENTIALS"
    rm -f "$ES_OLD_CREDENTIALS"
  fi
}

# The password every es-secure node had before passwords were generated: public, so replaced.
ES_SECURE_OLD_FIXED_PASSWORD=beaconflow-dev-secret

# Health: cluster health reaches yellow (the query itself waits up to 2 s server-side).
es_healthy() {
  local -a auth=()
  if [[ $ES_NAME == es-secure ]]; then
    [[ -f "$ES_CREDENTIALS" ]] || return 1
    # shellcheck source=/dev/null
    source "$ES_CREDENTIALS"
    auth=(--cacert "$ES_CA" -u "$ES_SECURE_USER:$ES_SECURE_PASSWORD")
    curl -fsS -o /dev/null --max-time 5 "${auth[@]}" \
      "https://$BF_HOST:$ES_HTTP/_cluster/health?wait_for_status=yellow&timeout=2s" 2>/dev/null
  else
    curl -fsS -o /dev/null --max-time 5 \
      "http://$BF_HOST:$ES_HTTP/_cluster/health?wait_for_status=yellow&timeout=2s" 2>/dev/null
  fi
}

write_es_config() {
  mkdir -p "$ES_CONF" "$ES_INST/data" "$ES_INST/logs" "$ES_INST/tmp" "$ES_INST/run"
  # Defaults from the distribution (jvm.options, log4j2.properties, roles, ...), once.
  if [[ ! -f "$ES_CONF/jvm.options" ]]; then
    cp -r "$ES_DIST/config/." "$ES_CONF/"
  fi
  # The distribution writes the GC log and crash files relative to the working directory.
  sed -i -e "s|^-XX:ErrorFile=.*|-XX:ErrorFile=$ES_INST/logs/hs_err_pid%p.log|" \
    -e "s|file=[^:]*gc.log:|file=$ES_INST/logs/gc.log:|" "$ES_CONF/jvm.options"
  {
    cat <<EOF
# Generated by scripts/stack.sh on every start; edit the script, not this file.
cluster.name: $ES_CLUSTER
node.name: $ES_NAME
path.data: $ES_INST/data
path.logs: $ES_INST/logs
# Loopback only. Binding to loopback also keeps the node in development mode (the
# production bootstrap checks, e.g. vm.max_map_count, only warn).
network.host: $BF_HOST
http.port: $ES_HTTP
transport.port: $ES_TRANSPORT
discovery.type: single-node
# A developer disk that is 90 % full must not turn every index read-only.
cluster.routing.allocation.disk.threshold_enabled: false
EOF
    if [[ $ES_NAME == es-secure ]]; then
      cat <<'EOF'
# Security on: users from the file realm (elasticsearch-users), TLS on HTTP with a
# self-signed CA made by elasticsearch-certutil. The transport layer stays plain: a
# single-node cluster on loopback never opens it to another node.
xpack.security.enabled: true
xpack.security.http.ssl.enabled: true
xpack.security.http.ssl.key: certs/http/http.key
xpack.security.http.ssl.certificate: certs/http/http.crt
xpack.security.http.ssl.certificate_authorities: [ "certs/ca/ca.crt" ]
xpack.security.transport.ssl.enabled: false
EOF
    else
      cat <<'EOF'
# No security: plain HTTP without credentials, for tests and local development.
xpack.security.enabled: false
EOF
    fi
  } >"$ES_CONF/elasticsearch.yml"
  if es_as_user; then chown -R "$ES_USER:" "$ES_INST"; fi
}

es_tool_env() { # prints env assignments for the ES command-line tools
  printf '%s\n' "ES_JAVA_HOME=$(es_java_home)" "ES_PATH_CONF=$ES_CONF" "ES_TMPDIR=$ES_INST/tmp" \
    "ES_JAVA_OPTS=-Xms64m -Xmx256m"
}

# Once per es-secure instance: a CA and an HTTP certificate for 127.0.0.1/localhost, and a
# superuser in the file realm. Credentials are kept in credentials.env (printed by `env`).
setup_es_security() {
  local -a tool_env
  mapfile -t tool_env < <(es_tool_env)
  if [[ ! -f "$ES_CONF/certs/http/http.crt" ]]; then
    log "creating a CA and an HTTP certificate for es-secure (elasticsearch-certutil)"
    local work=$ES_INST/tmp/certgen
    rm -rf "$work"
    mkdir -p "$work" "$ES_CONF/certs"
    if es_as_user; then chown -R "$ES_USER:" "$ES_INST"; fi
    as_es_user env "${tool_env[@]}" "$ES_DIST/bin/elasticsearch-certutil" ca --silent --pem \
      --days 3650 --out "$work/ca.zip" >>"$ES_OUT" 2>&1 || {
      tail_log "$ES_OUT"
      die "elasticsearch-certutil ca failed"
    }
    unzip -q -o "$work/ca.zip" -d "$work"
    as_es_user env "${tool_env[@]}" "$ES_DIST/bin/elasticsearch-certutil" cert --silent --pem \
      --days 3650 --ca-cert "$work/ca/ca.crt" --ca-key "$work/ca/ca.key" --name http \
      --dns localhost --ip "$BF_HOST" --out "$work/http.zip" >>"$ES_OUT" 2>&1 || {
      tail_log "$ES_OUT"
      die "elasticsearch-certutil cert failed"
    }
    unzip -q -o "$work/http.zip" -d "$work"
    mkdir -p "$ES_CONF/certs/ca" "$ES_CONF/certs/http"
    cp "$work/ca/ca.crt" "$work/ca/ca.key" "$ES_CONF/certs/ca/"
    cp "$work/http/http.crt" "$work/http/http.key" "$ES_CONF/certs/http/"
    chmod 600 "$ES_CONF/certs/ca/ca.key" "$ES_CONF/certs/http/http.key"
    chmod 644 "$ES_CONF/certs/ca/ca.crt"
    rm -rf "$work"
    if es_as_user; then chown -R "$ES_USER:" "$ES_CONF"; fi
  fi
  if [[ ! -f "$ES_CREDENTIALS" ]]; then
    # A generated password unless one is given: a fixed one in a repository is public.
    local user=$ES_SECURE_USER password=${BEACONFLOW_ES_SECURE_PASSWORD:-$(random_secret)}
    log "creating Elasticsearch superuser '$user' for es-secure (elasticsearch-users)"
    as_es_user env "${tool_env[@]}" "$ES_DIST/bin/elasticsearch-users" useradd "$user" \
      -p "$password" -r superuser >>"$ES_OUT" 2>&1 || {
      tail_log "$ES_OUT"
      die "elasticsearch-users useradd failed"
    }
    write_es_credentials "$user" "$password"
  else
    # shellcheck source=/dev/null
    source "$ES_CREDENTIALS"
    if [[ "$ES_SECURE_PASSWORD" == "$ES_SECURE_OLD_FIXED_PASSWORD" && -z "${BEACONFLOW_ES_SECURE_PASSWORD:-}" ]]; then
      local password
      password=$(random_secret)
      log "replacing the old fixed password of '$ES_SECURE_USER' on es-secure by a generated one"
      as_es_user env "${tool_env[@]}" "$ES_DIST/bin/elasticsearch-users" passwd "$ES_SECURE_USER" \
        -p "$password" >>"$ES_OUT" 2>&1 || {
        tail_log "$ES_OUT"
        die "elasticsearch-users passwd failed"
      }
      write_es_credentials "$ES_SECURE_USER" "$password"
    fi
  fi
}

write_es_credentials() { # user, password
  secrets_dir >/dev/null
  (umask 077 && printf 'ES_SECURE_USER=%q\nES_SECURE_PASSWORD=%q\n' "$1" "$2" >"$ES_CREDENTIALS.tmp")
  chmod 600 "$ES_CREDENTIALS.tmp"
  mv "$ES_CREDENTIALS.tmp" "$ES_CREDENTIALS"
}

es_up() { # name
  fetch_es
  es_instance "$1"
  if pid_alive "$ES_PIDFILE" "$ES_NAME"; then
    wait_healthy "$ES_NAME" "$UP_TIMEOUT" "$ES_PIDFILE" "$ES_NAME" es_healthy "$ES_LOG" "$ES_OUT"
    return
  fi
  require_port_free "$ES_HTTP" "$ES_NAME HTTP"
  require_port_free "$ES_TRANSPORT" "$ES_NAME transport"
  write_es_config
  if [[ $ES_NAME == es-secure ]]; then setup_es_security; fi
  local java_home
  java_home=$(es_java_home)
  local -a mk
  mapfile -t mk < <(markers "$ES_NAME")
  log "starting $ES_NAME (Elasticsearch $ES_VERSION, Java $(basename "$java_home")) on $BF_HOST:$ES_HTTP"
  rm -f "$ES_PIDFILE"
  local -a cmd=(env "ES_JAVA_HOME=$java_home" "ES_PATH_CONF=$ES_CONF" "ES_TMPDIR=$ES_INST/tmp"
    "ES_JAVA_OPTS=-Xms$ES_HEAP -Xmx$ES_HEAP ${mk[*]}"
    "$ES_DIST/bin/elasticsearch" -d -p "$ES_PIDFILE")
  if es_as_user; then cmd=(runuser -u "$ES_USER" -- "${cmd[@]}"); fi
  # -d: the launcher returns once the node has started (or failed); the node writes its pid.
  # setsid: the node gets its own session, so closing our terminal does not hang it up.
  if ! (cd "$ES_INST" && timeout "$UP_TIMEOUT" setsid "${cmd[@]}") >>"$ES_OUT" 2>&1 </dev/null 9>&-; then
    log "$ES_NAME failed to start"
    tail_log "$ES_OUT"
    tail_log "$ES_LOG"
    exit 1
  fi
  wait_healthy "$ES_NAME" "$UP_TIMEOUT" "$ES_PIDFILE" "$ES_NAME" es_healthy "$ES_LOG" "$ES_OUT"
}

es_down() { # name
  es_instance "$1"
  stop_process "$ES_NAME" "$ES_PIDFILE" "$ES_NAME"
}

# ----------------------------------------------------------------------------------------------
# Flink: a standalone session cluster (1 JobManager, N TaskManagers)
# ----------------------------------------------------------------------------------------------

JM_PID=$RUN_DIR/flink-jobmanager.pid
JM_LOG=$LOG_DIR/flink/jobmanager.log
JM_OUT=$LOG_DIR/flink/jobmanager.out
tm_pidfile() { echo "$RUN_DIR/flink-taskmanager-$1.pid"; }
tm_logfile() { echo "$LOG_DIR/flink/taskmanager-$1.log"; }
tm_outfile() { echo "$LOG_DIR/flink/taskmanager-$1.out"; }

# Sets one flat key in the generated config.yaml (replacing the repo's line, or appending).
set_flink_key() { # key, value
  local f=$FLINK_CONF/config.yaml
  if grep -q "^$1:" "$f"; then
    awk -v k="$1" -v v="$2" 'index($0, k ":") == 1 { print k ": " v; next } { print }' "$f" >"$f.tmp"
    mv "$f.tmp" "$f"
  else
    printf '%s: %s\n' "$1" "$2" >>"$f"
  fi
}

write_flink_config() {
  local src=$BF_REPO_DIR/flink-conf
  mkdir -p "$FLINK_CONF" "$LOG_DIR/flink" "$FLINK_DATA/tmp" "$FLINK_DATA/upload" \
    "$FLINK_DATA/checkpoints" "$FLINK_DATA/savepoints"
  cp "$src/config.yaml" "$FLINK_CONF/config.yaml.tmp"
  mv "$FLINK_CONF/config.yaml.tmp" "$FLINK_CONF/config.yaml"
  cp "$src"/log4j*.properties "$FLINK_CONF/"
  {
    echo
    echo "# ---- rewritten by scripts/stack.sh for the local loopback stack ----"
  } >>"$FLINK_CONF/config.yaml"
  local k
  for k in jobmanager.rpc.address jobmanager.bind-host taskmanager.bind-host taskmanager.host \
    rest.address rest.bind-address; do
    set_flink_key "$k" "$BF_HOST"
  done
  set_flink_key jobmanager.rpc.port "$FLINK_RPC_PORT"
  set_flink_key rest.port "$FLINK_REST_PORT"
  set_flink_key execution.checkpointing.dir \
    "${BEACONFLOW_FLINK_CHECKPOINT_DIR:-file://$FLINK_DATA/checkpoints}"
  set_flink_key execution.checkpointing.savepoint-dir \
    "${BEACONFLOW_FLINK_SAVEPOINT_DIR:-file://$FLINK_DATA/savepoints}"
  set_flink_key io.tmp.dirs "$FLINK_DATA/tmp"
  set_flink_key web.upload.dir "$FLINK_DATA/upload"
}

# The JVM options Flink's own launcher would use: config.yaml's env.java.* lines, then the
# memory flags computed by Flink itself (BashJavaUtils, exactly as bin/taskmanager.sh does).
flink_jvm_opts() { # jobmanager|taskmanager
  local opts
  opts="$(flink_conf_value env.java.default-opts.all) $(flink_conf_value env.java.opts.all)"
  opts="$opts $(flink_conf_value "env.java.opts.$1")"
  echo "$opts"
}

# Prints two lines: JVM memory flags, then "-D key=value" dynamic properties.
flink_resource_params() { # JM|TM, extra -D args...
  local kind=$1 out
  shift
  out=$("$JAVA" -Xmx128m -cp "$(classpath_of "$LIB_FLINK")" \
    -Dlog4j2.configurationFile="$FLINK_CONF/log4j-cli.properties" -Dlog.file=/dev/null \
    org.apache.flink.runtime.util.bash.BashJavaUtils "GET_${kind}_RESOURCE_PARAMS" \
    --configDir "$FLINK_CONF" "$@" 2>&1) || {
    printf '%s\n' "$out" >&2
    die "Flink rejected the memory settings in flink-conf/config.yaml (see above)"
  }
  printf '%s\n' "$out" | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p' | tail -n 2
}

flink_env() {
  export FLINK_CONF_DIR=$FLINK_CONF FLINK_LIB_DIR=$LIB_FLINK FLINK_PLUGINS_DIR=$FLINK_PLUGINS
  export FLINK_OPT_DIR=$H/flink-opt
}

rest_get() { # path
  curl -fsS --max-time 5 "http://$BF_HOST:$FLINK_REST_PORT$1" 2>/dev/null
}

json_int() { # key (reads JSON on stdin)
  local json
  json=$(cat)
  if [[ "$json" =~ \"$1\":([0-9]+) ]]; then echo "${BASH_REMATCH[1]}"; fi
}

jm_rest_healthy() { rest_get /overview >/dev/null; }

jm_start() {
  if pid_alive "$JM_PID" flink-jobmanager; then
    wait_healthy jobmanager "$UP_TIMEOUT" "$JM_PID" flink-jobmanager jm_rest_healthy "$JM_LOG" "$JM_OUT"
    return
  fi
  fetch_flink
  require_port_free "$FLINK_REST_PORT" "the Flink REST API (BEACONFLOW_FLINK_REST_PORT)"
  require_port_free "$FLINK_RPC_PORT" "the Flink JobManager RPC (BEACONFLOW_FLINK_RPC_PORT)"
  write_flink_config
  flink_env
  local params jvm dyn
  params=$(flink_resource_params JM)
  jvm=$(sed -n 1p <<<"$params")
  dyn=$(sed -n 2p <<<"$params")
  local -a mk opts
  mapfile -t mk < <(markers flink-jobmanager)
  read -r -a opts <<<"$(flink_jvm_opts jobmanager) $jvm"
  log "starting Flink JobManager (REST on http://$BF_HOST:$FLINK_REST_PORT)"
  # shellcheck disable=SC2086 # $dyn is a list of "-D key=value" words
  spawn "$JM_PID" "$JM_OUT" "$JAVA" "${opts[@]}" "${mk[@]}" \
    -Dlog.file="$JM_LOG" -Dlog4j.configurationFile="file:$FLINK_CONF/log4j.properties" \
    -cp "$(classpath_of "$LIB_FLINK")" \
    org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
    --configDir "$FLINK_CONF" $dyn
  wait_healthy jobmanager "$UP_TIMEOUT" "$JM_PID" flink-jobmanager jm_rest_healthy "$JM_LOG" "$JM_OUT"
}

jm_stop() { stop_process "Flink JobManager" "$JM_PID" flink-jobmanager; }

tm_running_ids() {
  local f id
  for f in "$RUN_DIR"/flink-taskmanager-*.pid; do
    [[ -e "$f" ]] || continue
    id=${f##*/flink-taskmanager-}
    id=${id%.pid}
    if pid_alive "$f" "flink-taskmanager-$id"; then echo "$id"; else rm -f "$f"; fi
  done | sort -n
}

next_tm_id() {
  local id=1
  while pid_alive "$(tm_pidfile "$id")" "flink-taskmanager-$id"; do id=$((id + 1)); done
  echo "$id"
}

TM_WAIT_ID=
tm_registered() {
  local tms
  tms=$(rest_get /taskmanagers) || return 1
  [[ "$tms" == *"\"id\":\"tm-$TM_WAIT_ID\""* ]]
}

tm_start() { # [id]
  local id=${1:-}
  [[ -z "$id" ]] && id=$(next_tm_id)
  [[ "$id" =~ ^[0-9]+$ ]] || die "TaskManager id must be a number, got '$id'"
  local pidfile
  pidfile=$(tm_pidfile "$id")
  TM_WAIT_ID=$id
  if pid_alive "$pidfile" "flink-taskmanager-$id"; then
    wait_healthy "taskmanager-$id" "$UP_TIMEOUT" "$pidfile" "flink-taskmanager-$id" tm_registered \
      "$(tm_logfile "$id")" "$(tm_outfile "$id")"
    return
  fi
  pid_alive "$JM_PID" flink-jobmanager || die "the Flink JobManager is not running: scripts/stack.sh up flink"
  [[ -f "$FLINK_CONF/config.yaml" ]] || write_flink_config
  flink_env
  local params jvm dyn
  params=$(flink_resource_params TM -D taskmanager.cpu.cores=2)
  jvm=$(sed -n 1p <<<"$params")
  dyn=$(sed -n 2p <<<"$params")
  local -a mk opts
  mapfile -t mk < <(markers "flink-taskmanager-$id")
  read -r -a opts <<<"$(flink_jvm_opts taskmanager) $jvm"
  log "starting Flink TaskManager tm-$id"
  # shellcheck disable=SC2086 # $dyn is a list of "-D key=value" words
  spawn "$pidfile" "$(tm_outfile "$id")" "$JAVA" "${opts[@]}" "${mk[@]}" \
    -Dlog.file="$(tm_logfile "$id")" -Dlog4j.configurationFile="file:$FLINK_CONF/log4j.properties" \
    -cp "$(classpath_of "$LIB_FLINK")" org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
    --configDir "$FLINK_CONF" $dyn -D "taskmanager.resource-id=tm-$id"
  wait_healthy "taskmanager-$id" "$UP_TIMEOUT" "$pidfile" "flink-taskmanager-$id" tm_registered \
    "$(tm_logfile "$id")" "$(tm_outfile "$id")"
}

tm_pick() { # [id] -> id of a running TaskManager (the lowest when none given)
  local id=${1:-}
  if [[ -z "$id" ]]; then
    id=$(tm_running_ids | head -n 1)
    [[ -n "$id" ]] || die "no Flink TaskManager is running"
  fi
  echo "$id"
}

tm_stop() { # id
  stop_process "Flink TaskManager tm-$1" "$(tm_pidfile "$1")" "flink-taskmanager-$1"
}

FLINK_WANT_TMS=1
flink_cluster_healthy() {
  local o tms free running
  o=$(rest_get /overview) || return 1
  tms=$(json_int taskmanagers <<<"$o")
  free=$(json_int slots-available <<<"$o")
  running=$(json_int jobs-running <<<"$o")
  ((${tms:-0} >= FLINK_WANT_TMS)) && ((${free:-0} >= 1 || ${running:-0} >= 1))
}

flink_up() { # taskmanagers
  FLINK_WANT_TMS=$1
  jm_start
  local id
  for ((id = 1; id <= FLINK_WANT_TMS; id++)); do
    tm_start "$id"
  done
  wait_healthy "Flink cluster" "$UP_TIMEOUT" "$JM_PID" flink-jobmanager flink_cluster_healthy "$JM_LOG"
}

flink_down() {
  local id
  for id in $(tm_running_ids); do tm_stop "$id"; done
  jm_stop
}

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

# ----------------------------------------------------------------------------------------------
# Commands
# ----------------------------------------------------------------------------------------------

secure_wanted() { [[ "${BEACONFLOW_ES_SECURE:-0}" == 1 || "${BF_SECURE:-0}" == 1 ]]; }

cmd_up() {
  local -a services=()
  local tms=${BEACONFLOW_FLINK_TASKMANAGERS:-1}
  BF_SECURE=0
  while (($#)); do
    case $1 in
      --secure) BF_SECURE=1 ;;
      --taskmanagers | -n)
        tms=${2:?--taskmanagers needs a number}
        shift
        ;;
      --taskmanagers=*) tms=${1#*=} ;;
      kafka | kafka-secure | es | es-secure | flink | collector) services+=("$1") ;;
      *) die "unknown service or option for up: '$1' (services: kafka kafka-secure es es-secure flink collector)" ;;
    esac
    shift
  done
  [[ "$tms" =~ ^[1-9][0-9]*$ ]] || die "--taskmanagers must be a positive number, got '$tms'"
  if ((${#services[@]} == 0)); then services=(kafka es flink collector); fi
  if secure_wanted && [[ " ${services[*]} " == *" es "* && " ${services[*]} " != *" es-secure "* ]]; then
    services+=(es-secure)
  fi
  take_lock
  local start=$SECONDS s
  local -a ordered=()
  for s in kafka kafka-secure es es-secure flink; do
    [[ " ${services[*]} " == *" $s "* ]] && ordered+=("$s")
  done
  # Downloads first, one at a time (Maven's local repository is not safe for parallel writers).
  for s in "${ordered[@]}"; do
    case $s in
      kafka | kafka-secure) fetch_kafka ;;
      es | es-secure) fetch_es ;;
      flink) fetch_flink ;;
    esac
  done
  local collector=0
  if [[ " ${services[*]} " == *" collector "* ]]; then
    collector=1
    collector_build
  fi
  if [[ "${BEACONFLOW_UP_PARALLEL:-1}" == 1 && ${#ordered[@]} -gt 1 ]]; then
    # The servers do not depend on each other: start them side by side, each with its own
    # buffered output, printed whole when it finishes.
    local tmp failed=()
    tmp=$(mktemp -d)
    local -A pids=()
    log "starting ${ordered[*]} in parallel"
    for s in "${ordered[@]}"; do
      (up_one "$s" "$tms") >"$tmp/$s.log" 2>&1 &
      pids[$s]=$!
    done
    for s in "${ordered[@]}"; do
      if wait "${pids[$s]}"; then cat "$tmp/$s.log" >&2; else
        cat "$tmp/$s.log" >&2
        failed+=("$s")
      fi
    done
    rm -rf "$tmp"
    ((${#failed[@]} == 0)) || die "failed to start: ${failed[*]} (details above)"
  else
    for s in "${ordered[@]}"; do up_one "$s" "$tms"; done
  fi
  # After the others: the collector is ready only once Kafka is.
  if ((collector)); then
    collector_up
    ordered+=(collector)
  fi
  log "up: ${ordered[*]} ready in $((SECONDS - start)) s"
}

up_one() { # service, taskmanagers
  case $1 in
    kafka) kafka_up ;;
    kafka-secure) ks_up ;;
    es) es_up es ;;
    es-secure) es_up es-secure ;;
    flink) flink_up "$2" ;;
  esac
}

cmd_down() {
  local -a services=("$@")
  if ((${#services[@]} == 0)); then services=("${ALL_SERVICES[@]}"); fi
  take_lock
  local s
  for s in collector flink es-secure es kafka-secure kafka; do
    [[ " ${services[*]} " == *" $s "* ]] || continue
    case $s in
      collector) collector_down ;;
      kafka) kafka_down ;;
      kafka-secure) ks_down ;;
      es | es-secure) if [[ -d "$H/es" ]]; then es_down "$s"; fi ;;
      flink) flink_down ;;
    esac
  done
  for s in "${services[@]}"; do
    case $s in kafka | kafka-secure | es | es-secure | flink | collector) ;; *) die "unknown service '$s'" ;; esac
  done
}

status_line() { printf '%-20s %-10s %s\n' "$1" "$2" "$3"; }

cmd_status() {
  # Kafka
  if pid_alive "$KAFKA_PID" kafka; then
    if kafka_healthy; then
      status_line kafka up "pid $(pid_of "$KAFKA_PID")  bootstrap $BF_HOST:$KAFKA_PORT"
    else
      status_line kafka unhealthy "pid $(pid_of "$KAFKA_PID")  no metadata from $BF_HOST:$KAFKA_PORT"
    fi
  else
    status_line kafka down ""
  fi
  if pid_alive "$KS_PID" kafka-secure; then
    if ks_healthy; then
      status_line kafka-secure up "pid $(pid_of "$KS_PID")  SASL_SSL $BF_HOST:$KAFKA_SECURE_PORT"
    else
      status_line kafka-secure unhealthy "pid $(pid_of "$KS_PID")  no metadata from $BF_HOST:$KAFKA_SECURE_PORT"
    fi
  else
    status_line kafka-secure down ""
  fi
  # Elasticsearch
  local name h
  for name in es es-secure; do
    if [[ ! -d "$H/es" ]]; then
      status_line "$name" down ""
      continue
    fi
    es_instance "$name"
    if pid_alive "$ES_PIDFILE" "$name"; then
      if es_healthy; then
        if [[ $name == es-secure ]]; then
          h=$(curl -fsS --max-time 5 --cacert "$ES_CA" -u "$ES_SECURE_USER:$ES_SECURE_PASSWORD" \
            "https://$BF_HOST:$ES_HTTP/_cluster/health" | grep -o '"status":"[a-z]*"' | cut -d'"' -f4)
          status_line "$name" up "pid $(pid_of "$ES_PIDFILE")  https://$BF_HOST:$ES_HTTP ($h)"
        else
          h=$(curl -fsS --max-time 5 "http://$BF_HOST:$ES_HTTP/_cluster/health" |
            grep -o '"status":"[a-z]*"' | cut -d'"' -f4)
          status_line "$name" up "pid $(pid_of "$ES_PIDFILE")  http://$BF_HOST:$ES_HTTP ($h)"
        fi
      else
        status_line "$name" unhealthy "pid $(pid_of "$ES_PIDFILE")  cluster health not yellow"
      fi
    else
      status_line "$name" down ""
    fi
  done
  # Flink
  if pid_alive "$JM_PID" flink-jobmanager; then
    local o
    if o=$(rest_get /overview); then
      status_line flink-jobmanager up "pid $(pid_of "$JM_PID")  http://$BF_HOST:$FLINK_REST_PORT ($(json_int taskmanagers <<<"$o") TaskManagers, $(json_int slots-available <<<"$o")/$(json_int slots-total <<<"$o") slots free, $(json_int jobs-running <<<"$o") jobs running)"
    else
      status_line flink-jobmanager unhealthy "pid $(pid_of "$JM_PID")  REST not answering"
    fi
  else
    status_line flink-jobmanager down ""
  fi
  if pid_alive "$COLLECTOR_PID" collector; then
    if collector_healthy; then
      status_line collector up "pid $(pid_of "$COLLECTOR_PID")  http://$BF_HOST:$COLLECTOR_PORT"
    else
      status_line collector unhealthy "pid $(pid_of "$COLLECTOR_PID")  /readyz not 200 (Kafka unreachable?)"
    fi
  else
    status_line collector down ""
  fi
  local id tms
  tms=$(rest_get /taskmanagers || true)
  for id in $(tm_running_ids); do
    if grep -q "\"id\":\"tm-$id\"" <<<"$tms"; then
      status_line "flink-taskmanager-$id" up "pid $(pid_of "$(tm_pidfile "$id")")  registered as tm-$id"
    else
      status_line "flink-taskmanager-$id" unregistered "pid $(pid_of "$(tm_pidfile "$id")")"
    fi
  done
}

cmd_env() {
  printf 'export BEACONFLOW_HOME=%q\n' "$H"
  printf 'export BEACONFLOW_KAFKA_BOOTSTRAP=%q\n' "$BF_HOST:$KAFKA_PORT"
  printf 'export BEACONFLOW_ES_URL=%q\n' "http://$BF_HOST:$ES_PORT"
  printf 'export BEACONFLOW_FLINK_REST=%q\n' "http://$BF_HOST:$FLINK_REST_PORT"
  printf 'export BEACONFLOW_FLINK_CONF_DIR=%q\n' "$FLINK_CONF"
  printf 'export BEACONFLOW_COLLECTOR_URL=%q\n' "http://$BF_HOST:$COLLECTOR_PORT"
  # The user-id salt the job needs (there is no default outside the demo): generated once per
  # stack and kept, so hashed user ids stay stable across runs. A salt already exported wins.
  if [[ -z "${BEACONFLOW_USER_ID_SALT:-}" ]]; then
    printf 'export BEACONFLOW_USER_ID_SALT=%q\n' "$(secret user-id-salt)"
  fi
  if [[ -s "$KS_CLIENT_PROPS" ]]; then
    printf 'export BEACONFLOW_KAFKA_SECURE_BOOTSTRAP=%q\n' "$BF_HOST:$KAFKA_SECURE_PORT"
    printf 'export BEACONFLOW_KAFKA_SECURE_USER=%q\n' "$KAFKA_SECURE_USER"
    printf 'export BEACONFLOW_KAFKA_SECURE_PASSWORD=%q\n' "$(secret kafka-secure-client-password)"
    printf 'export BEACONFLOW_KAFKA_SECURE_CA_CERT=%q\n' "$KS_CA"
  fi
  if [[ -d "$H/es" ]]; then
    es_instance es-secure
    if [[ -f "$ES_CREDENTIALS" ]]; then
      # shellcheck source=/dev/null
      source "$ES_CREDENTIALS"
      printf 'export BEACONFLOW_ES_SECURE_URL=%q\n' "https://$BF_HOST:$ES_SECURE_PORT"
      printf 'export BEACONFLOW_ES_SECURE_USER=%q\n' "$ES_SECURE_USER"
      printf 'export BEACONFLOW_ES_SECURE_PASSWORD=%q\n' "$ES_SECURE_PASSWORD"
      printf 'export BEACONFLOW_ES_SECURE_CA_CERT=%q\n' "$ES_CA"
      local fp
      fp=$(openssl x509 -in "$ES_CA" -noout -fingerprint -sha256 2>/dev/null | cut -d= -f2 | tr -d :)
      [[ -n "$fp" ]] && printf 'export BEACONFLOW_ES_SECURE_CA_FINGERPRINT=%q\n' "$fp"
    fi
  fi
}

cmd_logs() {
  local svc=${1:-} follow=0 lines=100 file
  [[ -n "$svc" ]] || die "usage: scripts/stack.sh logs <kafka|kafka-secure|es|es-secure|jobmanager|taskmanager-N|tm-N|collector> [-f] [-n LINES]"
  shift
  while (($#)); do
    case $1 in
      -f | --follow) follow=1 ;;
      -n)
        lines=$2
        shift
        ;;
      *) die "unknown option for logs: $1" ;;
    esac
    shift
  done
  case $svc in
    kafka) file=$KAFKA_LOG ;;
    kafka-secure) file=$KS_LOG ;;
    es | es-secure)
      [[ -d "$H/es" ]] || die "Elasticsearch was never started under $H"
      es_instance "$svc"
      file=$ES_LOG
      ;;
    flink | jobmanager | jm | flink-jobmanager) file=$JM_LOG ;;
    collector) file=$COLLECTOR_OUT ;;
    taskmanager-* | tm-* | flink-taskmanager-*) file=$(tm_logfile "${svc##*-}") ;;
    *) die "unknown service '$svc' (kafka, kafka-secure, es, es-secure, jobmanager, taskmanager-N, collector)" ;;
  esac
  [[ -f "$file" ]] || die "no log yet at $file"
  if ((follow)); then exec tail -n "$lines" -F "$file"; else tail -n "$lines" "$file"; fi
}

cmd_tm() {
  local action=${1:-}
  shift || true
  case $action in
    start)
      take_lock
      tm_start "${1:-}"
      ;;
    stop)
      take_lock
      tm_stop "$(tm_pick "${1:-}")"
      ;;
    kill9 | kill)
      take_lock
      local id
      id=$(tm_pick "${1:-}")
      kill9_process "Flink TaskManager tm-$id" "$(tm_pidfile "$id")" "flink-taskmanager-$id"
      echo "$id"
      ;;
    list) tm_running_ids ;;
    *) die "usage: scripts/stack.sh tm start [id] | stop [id] | kill9 [id] | list" ;;
  esac
}

cmd_jm() {
  case ${1:-} in
    start)
      take_lock
      jm_start
      ;;
    stop)
      take_lock
      jm_stop
      ;;
    kill9 | kill)
      take_lock
      kill9_process "Flink JobManager" "$JM_PID" flink-jobmanager
      ;;
    *) die "usage: scripts/stack.sh jm start | stop | kill9" ;;
  esac
}

cmd_reset() {
  local -a services=("$@")
  if ((${#services[@]} == 0)); then services=("${ALL_SERVICES[@]}"); fi
  cmd_down "${services[@]}"
  local s
  for s in "${services[@]}"; do
    case $s in
      kafka) rm -rf "$KAFKA_DATA" "$LOG_DIR/kafka" "$KAFKA_CONF" ;;
      kafka-secure) rm -rf "$KS_DATA" "$KS_LOG_DIR" "$KS_CONF" "$KS_SECRETS" ;;
      es | es-secure)
        if [[ -d "$H/es" ]]; then
          es_instance "$s"
          rm -rf "$ES_INST"
          rm -f "$ES_CREDENTIALS"
        fi
        ;;
      flink) rm -rf "$FLINK_DATA" "$LOG_DIR/flink" "$FLINK_CONF" "$RUN_DIR"/flink-*.pid ;;
      collector) rm -rf "$LOG_DIR/collector" ;;
    esac
    log "reset $s: data, logs and generated config removed (downloads kept)"
  done
}

cmd_fetch() {
  take_lock
  fetch_kafka
  fetch_es
  fetch_flink
  log "all artifacts present under $H"
}

cmd_smoke() {
  bash "$BF_SCRIPTS_DIR/smoke.sh" "$@"
}

main() {
  local command=${1:-}
  shift || true
  case $command in
    up) cmd_up "$@" ;;
    down | stop) cmd_down "$@" ;;
    status) cmd_status ;;
    env) cmd_env ;;
    logs) cmd_logs "$@" ;;
    tm) cmd_tm "$@" ;;
    jm) cmd_jm "$@" ;;
    reset) cmd_reset "$@" ;;
    fetch) cmd_fetch ;;
    smoke) cmd_smoke "$@" ;;
    -h | --help | help) usage 0 ;;
    *) usage 2 ;;
  esac
}

main "$@"

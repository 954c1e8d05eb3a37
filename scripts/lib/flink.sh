# shellcheck shell=bash
# Flink: a standalone session cluster (1 JobManager, N TaskManagers).
# Sourced by scripts/stack.sh after lib/common.sh, never run on its own.

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

# shellcheck shell=bash
# The commands of scripts/stack.sh (up, down, status, env, logs, tm, jm, reset, fetch, smoke).
# Sourced by scripts/stack.sh after lib/common.sh, never run on its own.

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

# The status line of a process with a pid file and a health probe: up or unhealthy (pid and the
# given detail) or down. Usage: probe_status NAME PIDFILE HEALTH-FUNCTION UP-DETAIL UNHEALTHY-DETAIL
probe_status() {
  local name=$1 pidfile=$2 healthy=$3
  if pid_alive "$pidfile" "$name"; then
    if "$healthy"; then
      status_line "$name" up "pid $(pid_of "$pidfile")  $4"
    else
      status_line "$name" unhealthy "pid $(pid_of "$pidfile")  $5"
    fi
  else
    status_line "$name" down ""
  fi
}

cmd_status() {
  # Kafka
  probe_status kafka "$KAFKA_PID" kafka_healthy \
    "bootstrap $BF_HOST:$KAFKA_PORT" "no metadata from $BF_HOST:$KAFKA_PORT"
  probe_status kafka-secure "$KS_PID" ks_healthy \
    "SASL_SSL $BF_HOST:$KAFKA_SECURE_PORT" "no metadata from $BF_HOST:$KAFKA_SECURE_PORT"
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
  probe_status collector "$COLLECTOR_PID" collector_healthy \
    "http://$BF_HOST:$COLLECTOR_PORT" "/readyz not 200 (Kafka unreachable?)"
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

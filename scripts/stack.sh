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

# Each part of the stack in its own file (scripts/lib/): process handling, the servers, the
# commands. Sourced in this order, as they stood in this file before it was split.
for part in process kafka es flink collector commands; do
  # shellcheck source=/dev/null
  source "$BF_SCRIPTS_DIR/lib/$part.sh"
done

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

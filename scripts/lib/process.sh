# shellcheck shell=bash
# Generic process handling for the stack: the lock, health waits, start and stop of one
# server by its pid file, port checks, and downloads of server jars through ~/.m2.
# Sourced by scripts/stack.sh after lib/common.sh, never run on its own.

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

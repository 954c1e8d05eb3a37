# shellcheck shell=bash
# Elasticsearch: "es" (plain HTTP) and "es-secure" (TLS + users), one node each.
# Sourced by scripts/stack.sh after lib/common.sh, never run on its own.

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

# shellcheck shell=bash disable=SC2034 # variables here are used by the scripts that source this file
# Shared settings and helpers for scripts/stack.sh, scripts/flink.sh and scripts/kafka.sh.
# Sourced, never run. Every setting can be overridden from the environment; the README in this
# folder lists them.

BF_SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BF_REPO_DIR=$(cd "$BF_SCRIPTS_DIR/.." && pwd)

# All state (downloads, configs, data, logs, pid files) lives here.
BEACONFLOW_HOME=${BEACONFLOW_HOME:-$BF_REPO_DIR/.stack}
mkdir -p "$BEACONFLOW_HOME"
BEACONFLOW_HOME=$(cd "$BEACONFLOW_HOME" && pwd)
H=$BEACONFLOW_HOME
# Paths end up in JVM option strings that Elasticsearch splits on spaces.
[[ "$H" != *[[:space:]]* ]] || {
  echo "[stack] ERROR: BEACONFLOW_HOME must not contain spaces: '$H'" >&2
  exit 1
}

# The only address anything binds to or advertises.
BF_HOST=127.0.0.1

# Ports.
KAFKA_PORT=${BEACONFLOW_KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${BEACONFLOW_KAFKA_CONTROLLER_PORT:-9093}
ES_PORT=${BEACONFLOW_ES_PORT:-9200}
ES_TRANSPORT_PORT=${BEACONFLOW_ES_TRANSPORT_PORT:-9300}
KAFKA_SECURE_PORT=${BEACONFLOW_KAFKA_SECURE_PORT:-9094}
KAFKA_SECURE_CONTROLLER_PORT=${BEACONFLOW_KAFKA_SECURE_CONTROLLER_PORT:-9095}
ES_SECURE_PORT=${BEACONFLOW_ES_SECURE_PORT:-9201}
ES_SECURE_TRANSPORT_PORT=${BEACONFLOW_ES_SECURE_TRANSPORT_PORT:-9301}
FLINK_REST_PORT=${BEACONFLOW_FLINK_REST_PORT:-8081}
FLINK_RPC_PORT=${BEACONFLOW_FLINK_RPC_PORT:-6123}

# Heaps: small, so Kafka + two Elasticsearch nodes + a Flink cluster + a Maven test JVM fit on
# a 2-core, 24 GiB machine. Flink's sizes live in flink-conf/config.yaml.
KAFKA_HEAP=${BEACONFLOW_KAFKA_HEAP:-512m}
ES_HEAP=${BEACONFLOW_ES_HEAP:-512m}

# Waiting: `up` fails after this many seconds without a passing health check; `down` sends
# SIGKILL after this many seconds without exit after SIGTERM.
UP_TIMEOUT=${BEACONFLOW_UP_TIMEOUT:-180}
DOWN_TIMEOUT=${BEACONFLOW_DOWN_TIMEOUT:-30}

# Elasticsearch refuses to run as root: when we are root it runs as this system user.
ES_USER=${BEACONFLOW_ES_USER:-beaconflow}
ES_SECURE_USER=${BEACONFLOW_ES_SECURE_USER:-beaconflow}
# The secure Kafka broker's client user (SCRAM-SHA-512); its password is generated.
KAFKA_SECURE_USER=${BEACONFLOW_KAFKA_SECURE_USER:-beaconflow}

# Java for Kafka, Flink and the tools (17 is the project's Java).
if [[ -n "${BEACONFLOW_JAVA_HOME:-}" ]]; then
  JAVA="$BEACONFLOW_JAVA_HOME/bin/java"
elif [[ -n "${JAVA_HOME:-}" && -x "${JAVA_HOME}/bin/java" ]]; then
  JAVA="$JAVA_HOME/bin/java"
else
  JAVA=java
fi

# Layout under $BEACONFLOW_HOME.
LIB_KAFKA=$H/lib/kafka
LIB_FLINK=$H/lib/flink
FLINK_PLUGINS=$H/flink-plugins
FLINK_CONF=$H/flink-conf
RUN_DIR=$H/run
LOG_DIR=$H/logs
KAFKA_CONF=$H/conf/kafka
KAFKA_DATA=$H/data/kafka
FLINK_DATA=$H/flink
# Generated secrets (passwords, the user-id salt, keystores): a folder only the owner can enter,
# every file in it mode 0600. Never committed (.stack/ is git-ignored), never printed except by
# `stack.sh env`.
SECRETS_DIR=$H/secrets

log() { printf '[stack] %s\n' "$*" >&2; }
die() {
  printf '[stack] ERROR: %s\n' "$*" >&2
  exit 1
}

# Reads the version property <name>...</name> from one of the scripts/deps poms.
pom_property() { # pom, property
  sed -n "s:.*<$2>\(.*\)</$2>.*:\1:p" "$1" | head -n 1
}

# True when something accepts TCP connections on 127.0.0.1:<port>.
port_open() {
  (exec 3<>"/dev/tcp/$BF_HOST/$1") 2>/dev/null
}

# True when the pid in <pidfile> is alive and is the service <name> of THIS stack (a marker
# system property is on every command line we start, so a recycled pid is never mistaken
# for ours).
pid_alive() { # pidfile, service
  local pid
  [[ -s "$1" ]] || return 1
  pid=$(<"$1")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  has_markers "$pid" "$2"
}

# True when the command line of <pid> carries both markers. Pure bash on purpose: a
# `tr | grep -q` pipeline fails at random under pipefail (grep exits early, tr gets SIGPIPE).
has_markers() { # pid, service
  local cmd
  cmd=$'\n'$(tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null)$'\n' || return 1
  [[ "$cmd" == *$'\n'"-Dbeaconflow.service=$2"$'\n'* && "$cmd" == *$'\n'"-Dbeaconflow.home=$H"$'\n'* ]]
}

pid_of() { cat "$1" 2>/dev/null || true; }

# Marker arguments for pid_alive.
markers() { # service
  printf '%s\n' "-Dbeaconflow.service=$1" "-Dbeaconflow.home=$H"
}

# Assembles a classpath from every jar in a folder (sorted, so runs are reproducible).
classpath_of() { # dir
  find "$1" -maxdepth 1 -name '*.jar' | sort | paste -sd: -
}

# Flink JVM options the launcher scripts would read from config.yaml.
flink_conf_value() { # key
  local f=$FLINK_CONF/config.yaml
  [[ -f "$f" ]] || f=$BF_REPO_DIR/flink-conf/config.yaml
  sed -n "s/^$1:[[:space:]]*//p" "$f" | tail -n 1
}

# Creates $SECRETS_DIR (mode 0700) if needed and prints its path.
secrets_dir() {
  (umask 077 && mkdir -p "$SECRETS_DIR")
  chmod 700 "$SECRETS_DIR"
  echo "$SECRETS_DIR"
}

# A random secret: 32 hex characters (128 bits) from the kernel's generator.
random_secret() {
  od -An -N16 -tx1 /dev/urandom | tr -d ' \n'
}

# Prints the secret kept in $SECRETS_DIR/<name>, generating it (mode 0600) on first use.
# Concurrent first calls agree on one value: each writes a temp file, the first rename wins.
secret() { # name
  local dir f tmp
  dir=$(secrets_dir)
  f=$dir/$1
  if [[ ! -s "$f" ]]; then
    tmp=$(umask 077 && mktemp "$dir/.$1.XXXXXX")
    random_secret >"$tmp"
    mv -n "$tmp" "$f"
    rm -f "$tmp"
  fi
  chmod 600 "$f"
  cat "$f"
}

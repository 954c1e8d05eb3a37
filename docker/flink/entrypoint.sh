#!/usr/bin/env bash
# Entry point of the compose stack's Flink containers (jobmanager, taskmanager): installs the
# repository's flink-conf/config.yaml (mounted read-only at /opt/beaconflow/flink-conf) as the
# image's conf/config.yaml, rewrites only what differs inside containers, then hands over to the
# image's own entry point (which still applies JOB_MANAGER_RPC_ADDRESS and FLINK_PROPERTIES).
#
# Rewritten, as scripts/stack.sh does for the loopback stack (the file's keys are flat, one per
# line, so a line-based rewrite is safe):
#   addresses       -> 0.0.0.0 to bind, the service name to advertise
#   checkpoint and savepoint dirs -> the shared volume /opt/flink/state
#   io.tmp.dirs, web.upload.dir   -> inside the container
set -euo pipefail

src=/opt/beaconflow/flink-conf/config.yaml
conf="$FLINK_HOME/conf/config.yaml"
[ -f "$src" ] || { echo "entrypoint: $src is not mounted" >&2; exit 1; }

advertised="${BEACONFLOW_ADVERTISED_HOST:-$(hostname -i | awk '{print $1}')}"
set_key() { # key value: replace the line "key: ..." (it must exist in the repository file)
  grep -q "^$1:" "$conf" || { echo "entrypoint: $src has no key $1" >&2; exit 1; }
  sed -i "s|^$1:.*|$1: $2|" "$conf"
}

cp "$src" "$conf"
set_key jobmanager.rpc.address "${JOB_MANAGER_RPC_ADDRESS:-jobmanager}"
set_key jobmanager.bind-host 0.0.0.0
set_key taskmanager.bind-host 0.0.0.0
set_key taskmanager.host "$advertised"
set_key rest.address "${JOB_MANAGER_RPC_ADDRESS:-jobmanager}"
set_key rest.bind-address 0.0.0.0
set_key execution.checkpointing.dir file:///opt/flink/state/checkpoints
set_key execution.checkpointing.savepoint-dir file:///opt/flink/state/savepoints
set_key io.tmp.dirs /tmp/flink
set_key web.upload.dir /opt/flink/state/upload
mkdir -p /tmp/flink /opt/flink/state/checkpoints /opt/flink/state/savepoints /opt/flink/state/upload
chown -R flink:flink /opt/flink/state /tmp/flink "$conf" 2>/dev/null || true

# The Elasticsearch writers run here and read the job user's password from the variable the job
# config names (password-env: BEACONFLOW_ES_PASSWORD). Read as root: the secrets volume is not
# readable by the flink user the image drops to.
if [ -r /opt/beaconflow/secrets/beaconflow-es-password ]; then
  BEACONFLOW_ES_PASSWORD="$(cat /opt/beaconflow/secrets/beaconflow-es-password)"
  export BEACONFLOW_ES_PASSWORD
fi

exec /docker-entrypoint.sh "$@"

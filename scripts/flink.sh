#!/usr/bin/env bash
# The Flink command-line client (bin/flink of a Flink distribution) against the local stack's
# cluster: CliFrontend with the stack's classpath and generated config dir, so the REST
# address (127.0.0.1:8081 or BEACONFLOW_FLINK_REST_PORT) and savepoint dir come from there.
#
#   scripts/flink.sh run -d path/to/job.jar [args...]     submit (detached)
#   scripts/flink.sh run -s <checkpoint-or-savepoint-dir> -d job.jar     resume from state
#   scripts/flink.sh list                                  running and scheduled jobs
#   scripts/flink.sh stop --savepointPath file:///tmp/sp <jobId>   stop with a savepoint
#   scripts/flink.sh cancel <jobId>
#
# Client log: $BEACONFLOW_HOME/logs/flink/client.log.
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

[[ -d "$LIB_FLINK" ]] || die "Flink jars missing in $LIB_FLINK: run scripts/stack.sh up flink"
[[ -f "$FLINK_CONF/config.yaml" ]] ||
  die "no generated Flink config in $FLINK_CONF: run scripts/stack.sh up flink"

export FLINK_CONF_DIR=$FLINK_CONF FLINK_LIB_DIR=$LIB_FLINK FLINK_PLUGINS_DIR=$FLINK_PLUGINS
export FLINK_OPT_DIR=$H/flink-opt
mkdir -p "$LOG_DIR/flink"

read -r -a opts <<<"$(flink_conf_value env.java.default-opts.all) $(flink_conf_value env.java.opts.all) $(flink_conf_value env.java.opts.client)"
exec "$JAVA" -Xmx512m "${opts[@]}" \
  -Dlog.file="$LOG_DIR/flink/client.log" \
  -Dlog4j.configurationFile="file:$FLINK_CONF/log4j-cli.properties" \
  -cp "$(classpath_of "$LIB_FLINK")" org.apache.flink.client.cli.CliFrontend "$@"

#!/usr/bin/env bash
# The compose stack's one-shot job submitter: submits the job jar built by the `build` service to
# the compose Flink cluster with scripts/submit.sh (the same script as ./beaconflow submit), unless
# a job of that name already runs, so `docker compose up` can be repeated.
#   BEACONFLOW_JOB_NAME     job name (default beaconflow)
#   BEACONFLOW_PARALLELISM  job parallelism (default 2)
#   BEACONFLOW_SAVEPOINT    optional: resume from this savepoint (a path under /opt/flink/state)
#   BEACONFLOW_USER_ID_SALT optional: your own salt (default: the one generated in the secrets
#                           volume; keep it stable, a new salt changes every hashed user id)
set -euo pipefail
name="${BEACONFLOW_JOB_NAME:-beaconflow}"
submit=/opt/beaconflow/scripts/submit.sh
common=(--flink "$FLINK_HOME/bin/flink" --jobmanager jobmanager:8081)

if bash "$submit" --list "${common[@]}" 2>&1 | grep -q " : $name (RUNNING)"; then
  echo "submit-job: a job named '$name' is already running; nothing to do"
  exit 0
fi
# Secrets from the volume the `secrets` service filled: the job's main runs here (flink run), reads
# the user-id salt from the environment and installs the index templates as user beaconflow.
secrets=/opt/beaconflow/secrets
BEACONFLOW_USER_ID_SALT="${BEACONFLOW_USER_ID_SALT:-$(cat "$secrets/user-id-salt")}"
BEACONFLOW_ES_PASSWORD="$(cat "$secrets/beaconflow-es-password")"
export BEACONFLOW_USER_ID_SALT BEACONFLOW_ES_PASSWORD
config="$(mktemp --suffix=.yaml)"
bash /opt/beaconflow/docker/flink/job-config.sh /opt/beaconflow/flink-conf/beaconflow.yaml "$config"
args=("${common[@]}" --jar /opt/beaconflow/job/beaconflow-job.jar
  --config "$config"
  --name "$name" --parallelism "${BEACONFLOW_PARALLELISM:-2}")
[ -n "${BEACONFLOW_SAVEPOINT:-}" ] && args+=(--from-savepoint "$BEACONFLOW_SAVEPOINT")
job="$(bash "$submit" "${args[@]}")"
echo "submit-job: job '$name' submitted as $job (http://127.0.0.1:8081/#/job/running/$job/overview)"

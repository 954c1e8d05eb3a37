#!/usr/bin/env bash
# The compose stack's one-shot dashboards import: docker/kibana/import.sh as user elastic.
set -euo pipefail
KIBANA_USER=elastic
KIBANA_PASSWORD="$(cat /opt/beaconflow/secrets/elastic-password)"
export KIBANA_USER KIBANA_PASSWORD
exec bash /opt/beaconflow/docker/kibana/import.sh

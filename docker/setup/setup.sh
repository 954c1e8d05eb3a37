#!/usr/bin/env bash
# The compose stack's one-shot setup: installs the Elasticsearch index templates
# (docker/elasticsearch/templates/*.json, one PUT _index_template/<name> each) and imports the
# Kibana saved objects (docker/kibana/import.sh). Idempotent: templates are overwritten with the
# repository's version and saved objects are imported with overwrite.
#   ES_URL      http://elasticsearch:9200
#   KIBANA_URL  http://kibana:5601 (read by import.sh)
set -euo pipefail
es="${ES_URL:-http://elasticsearch:9200}"
for f in /opt/beaconflow/docker/elasticsearch/templates/*.json; do
  name="$(basename "$f" .json)"
  curl -fsS -X PUT "$es/_index_template/$name" -H 'Content-Type: application/json' \
    --data-binary @"$f" >/dev/null
  echo "setup: index template $name installed"
done
bash /opt/beaconflow/docker/kibana/import.sh
echo "setup: done"

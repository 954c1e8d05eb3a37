#!/usr/bin/env bash
# The compose stack's one-shot `secrets` service (Elasticsearch image, as root): generates, once,
#   /opt/beaconflow/secrets/  elastic-password, kibana-system-password, beaconflow-es-password,
#                             user-id-salt, kibana-encryption-key      (random, 0640 root:0)
#   config/certs/             ca/ca.crt (0644), ca/ca.key, elasticsearch/elasticsearch.{crt,key}
#                             (elasticsearch-certutil; 0640 root:0; SAN elasticsearch, localhost)
# Files that exist are kept, so restarts keep their passwords; `docker compose down -v` forgets
# them. Group 0 may read: the Elasticsearch and Kibana images run their service user in group 0;
# the Flink containers read them as root before dropping privileges (docker/flink/entrypoint.sh).
# Nothing here is printed: read a password with
#   docker compose -f docker/docker-compose.yml run --rm --no-deps --entrypoint cat secrets \
#       /opt/beaconflow/secrets/elastic-password
set -euo pipefail
umask 027
secrets=/opt/beaconflow/secrets
certs=/usr/share/elasticsearch/config/certs
mkdir -p "$secrets" "$certs"

generate() { # name: 48 hex characters from the kernel's generator, unless the file exists
  local f="$secrets/$1"
  if [ ! -s "$f" ]; then
    od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$f.tmp"
    mv "$f.tmp" "$f"
    echo "secrets: generated $1"
  fi
}
for name in elastic-password kibana-system-password beaconflow-es-password user-id-salt \
  kibana-encryption-key; do
  generate "$name"
done

if [ ! -s "$certs/ca/ca.crt" ]; then
  tmp="$(mktemp -d)"
  bin/elasticsearch-certutil ca --silent --pem --days 3650 --out "$tmp/ca.zip"
  unzip -q -o "$tmp/ca.zip" -d "$certs"
  echo "secrets: generated the CA"
  rm -rf "$tmp"
fi
if [ ! -s "$certs/elasticsearch/elasticsearch.crt" ]; then
  tmp="$(mktemp -d)"
  bin/elasticsearch-certutil cert --silent --pem --days 3650 --ca-cert "$certs/ca/ca.crt" \
    --ca-key "$certs/ca/ca.key" --name elasticsearch --dns elasticsearch,localhost \
    --ip 127.0.0.1 --out "$tmp/node.zip"
  unzip -q -o "$tmp/node.zip" -d "$certs"
  echo "secrets: generated the certificate of elasticsearch"
  rm -rf "$tmp"
fi

chown -R 0:0 "$secrets" "$certs"
chmod 750 "$secrets" "$certs" "$certs"/*/
find "$secrets" "$certs" -type f -exec chmod 640 {} +
# The CA certificate is public: the Flink user (not in group 0) verifies Elasticsearch with it.
chmod 755 "$certs" "$certs/ca"
chmod 644 "$certs/ca/ca.crt"
echo "secrets: ready"

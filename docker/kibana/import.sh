#!/usr/bin/env bash
# Imports Beaconflow's Kibana saved objects (this folder's *.ndjson: data views first, then one
# file per dashboard) through Kibana's saved objects API, overwriting earlier versions. Used by the
# compose stack's one-shot setup service, and by hand (docs/dashboards.md).
#
#   KIBANA_URL       http://127.0.0.1:5601
#   KIBANA_USER / KIBANA_PASSWORD   basic auth when Kibana has security on (e.g. elastic / ...)
#   KIBANA_SPACE     a space id; empty = the default space
#   KIBANA_WAIT      seconds to wait for Kibana to report "available" (default 300)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
url="${KIBANA_URL:-http://127.0.0.1:5601}"
url="${url%/}"
base="$url${KIBANA_SPACE:+/s/$KIBANA_SPACE}"
auth=()
[ -n "${KIBANA_USER:-}" ] && auth=(-u "$KIBANA_USER:${KIBANA_PASSWORD:-}")

deadline=$((SECONDS + ${KIBANA_WAIT:-300}))
until curl -fsS "${auth[@]}" "$url/api/status" 2>/dev/null | grep -q '"level":"available"'; do
  if [ $SECONDS -ge $deadline ]; then
    echo "kibana import: Kibana at $url not available after ${KIBANA_WAIT:-300} s" >&2
    exit 1
  fi
  sleep 2
done

files=("$HERE/data-views.ndjson")
for f in "$HERE"/dashboard-*.ndjson; do files+=("$f"); done
for f in "${files[@]}"; do
  answer="$(curl -sS "${auth[@]}" -X POST "$base/api/saved_objects/_import?overwrite=true" \
    -H 'kbn-xsrf: beaconflow' --form "file=@$f")"
  if ! printf '%s' "$answer" | grep -q '"success":true'; then
    echo "kibana import: $(basename "$f") failed: $answer" >&2
    exit 1
  fi
  count="$(printf '%s' "$answer" | sed -n 's/.*"successCount":\([0-9]*\).*/\1/p')"
  echo "kibana import: $(basename "$f"): ${count:-?} objects"
done

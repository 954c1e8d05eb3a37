#!/usr/bin/env bash
# Writes the compose stack's job config: flink-conf/beaconflow.yaml as shipped, plus the
# Elasticsearch authentication of the compose cluster (security is on there, not on the local
# loopback stack), inserted into the elasticsearch: section right after its hosts: line:
#   username: beaconflow                        (the role-limited user setup.sh creates)
#   password-env: BEACONFLOW_ES_PASSWORD        (the variable's NAME; entrypoint.sh and
#                                                submit-job.sh export it from the secrets volume)
#   ca-cert: /opt/beaconflow/certs/ca/ca.crt    (the CA secrets.sh generated)
# and a relative detection.specs-file made absolute (it is relative to the repository, and the
# output file lives elsewhere; the Flink containers mount flink-conf/ at the same path).
#
#   job-config.sh <shipped beaconflow.yaml> <output file>
set -euo pipefail
in="$1" out="$2"
repo="$(cd "$(dirname "$in")/.." && pwd)"
grep -q '^elasticsearch:' "$in" || { echo "job-config: $in has no elasticsearch: section" >&2; exit 1; }
awk -v repo="$repo" '
  /^  specs-file: [^\/$]/ { sub(/^  specs-file: /, "  specs-file: " repo "/") }
  /^elasticsearch:/ { section = 1 }
  /^[a-z]/ && !/^elasticsearch:/ { section = 0 }
  { print }
  section && /^  hosts:/ && !done {
    print "  username: beaconflow"
    print "  password-env: BEACONFLOW_ES_PASSWORD"
    print "  ca-cert: /opt/beaconflow/certs/ca/ca.crt"
    done = 1
  }
  END { if (!done) { print "job-config: no hosts: line under elasticsearch:" > "/dev/stderr"; exit 1 } }
' "$in" >"$out"

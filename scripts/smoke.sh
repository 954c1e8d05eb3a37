#!/usr/bin/env bash
# End-to-end checks against the running stack (scripts/stack.sh smoke [service ...]):
#   kafka      produce one message to a fresh topic with the console producer, read it back
#   es         index a document into a fresh index, find it with a search, delete the index
#   es-secure  the same request works with the CA + credentials, and is refused without them
#   flink      compile scripts/smoke/SmokeJob.java, run it on the cluster, check its result
# Without arguments, checks every service that is running. Ends with "N passed, N failed"
# and exits non-zero when anything failed.
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

STACK=$BF_SCRIPTS_DIR/stack.sh
passed=0
failed=0
ok() {
  passed=$((passed + 1))
  printf 'PASS %s\n' "$*"
}
ko() {
  failed=$((failed + 1))
  printf 'FAIL %s\n' "$*"
}

run_id=$(date +%s)-$$

check_kafka() {
  local topic=smoke-$run_id msg="hello from smoke $run_id" got
  if ! printf '%s\n' "$msg" | "$BF_SCRIPTS_DIR/kafka.sh" produce --topic "$topic" 2>/dev/null; then
    ko "kafka: console producer failed"
    return
  fi
  got=$("$BF_SCRIPTS_DIR/kafka.sh" consume --topic "$topic" --from-beginning --max-messages 1 \
    --timeout-ms 30000 2>/dev/null || true)
  if [[ "$got" == "$msg" ]]; then
    ok "kafka: produced and consumed one message on topic $topic"
  else
    ko "kafka: expected '$msg' back from $topic, got '$got'"
  fi
  "$BF_SCRIPTS_DIR/kafka.sh" topics --delete --topic "$topic" >/dev/null 2>&1 || true
}

check_es() {
  local url=http://$BF_HOST:$ES_PORT index=smoke-$run_id hits
  curl -fsS -o /dev/null -XPUT "$url/$index/_doc/1?refresh=true" -H 'Content-Type: application/json' \
    -d '{"message":"beacon smoke test","route":"/checkout"}' || {
    ko "es: indexing into $index failed"
    return
  }
  hits=$(curl -fsS "$url/$index/_search?q=message:beacon" | grep -o '"total":{"value":[0-9]*' |
    grep -o '[0-9]*$' || true)
  if [[ "$hits" == 1 ]]; then
    ok "es: indexed and found one document in $index"
  else
    ko "es: expected 1 hit in $index, got '${hits:-none}'"
  fi
  curl -fsS -o /dev/null -XDELETE "$url/$index" || true
}

check_es_secure() {
  local env_out code
  env_out=$("$STACK" env)
  eval "$env_out"
  if [[ -z "${BEACONFLOW_ES_SECURE_URL:-}" ]]; then
    ko "es-secure: no credentials in scripts/stack.sh env"
    return
  fi
  code=$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$BEACONFLOW_ES_SECURE_CA_CERT" \
    -u "$BEACONFLOW_ES_SECURE_USER:$BEACONFLOW_ES_SECURE_PASSWORD" \
    "$BEACONFLOW_ES_SECURE_URL/_cluster/health" || true)
  if [[ "$code" == 200 ]]; then ok "es-secure: HTTPS with CA and credentials answers 200"; else
    ko "es-secure: HTTPS with CA and credentials answered '$code'"
  fi
  code=$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$BEACONFLOW_ES_SECURE_CA_CERT" \
    "$BEACONFLOW_ES_SECURE_URL/_cluster/health" || true)
  if [[ "$code" == 401 ]]; then ok "es-secure: without credentials answers 401"; else
    ko "es-secure: without credentials answered '$code', expected 401"
  fi
  if curl -sS -o /dev/null -u "$BEACONFLOW_ES_SECURE_USER:$BEACONFLOW_ES_SECURE_PASSWORD" \
    "$BEACONFLOW_ES_SECURE_URL/_cluster/health" 2>/dev/null; then
    ko "es-secure: a client without the CA certificate was accepted"
  else
    ok "es-secure: a client without the CA certificate is refused (untrusted certificate)"
  fi
}

# Builds $BEACONFLOW_HOME/smoke/smoke-job.jar from scripts/smoke/SmokeJob.java when stale.
build_smoke_jar() {
  local src=$BF_SCRIPTS_DIR/smoke/SmokeJob.java out=$H/smoke jar=$H/smoke/smoke-job.jar javac_bin jar_bin
  if [[ -f "$jar" && "$jar" -nt "$src" ]]; then
    echo "$jar"
    return
  fi
  javac_bin=$(command -v javac) || die "javac not found (a JDK 17 is needed to build the smoke job)"
  jar_bin=$(dirname "$(readlink -f "$javac_bin")")/jar
  rm -rf "$out/classes"
  mkdir -p "$out/classes"
  "$javac_bin" --release 17 -nowarn -cp "$(classpath_of "$LIB_FLINK")" -d "$out/classes" "$src" >&2
  "$jar_bin" --create --file "$jar" --main-class beaconflow.smoke.SmokeJob -C "$out/classes" . >&2
  echo "$jar"
}

check_flink() {
  local jar outf
  jar=$(build_smoke_jar) || {
    ko "flink: could not compile scripts/smoke/SmokeJob.java"
    return
  }
  outf=$(mktemp)
  if "$BF_SCRIPTS_DIR/flink.sh" run "$jar" bounded 10000 >"$outf" 2>&1 &&
    grep -q '^SMOKE OK' "$outf"; then
    ok "flink: $(grep '^SMOKE OK' "$outf")"
  else
    ko "flink: smoke job failed; client output:"
    tail -n 30 "$outf"
  fi
  rm -f "$outf"
}

services=("$@")
if ((${#services[@]} == 0)); then
  status=$("$STACK" status)
  for s in kafka es es-secure; do
    grep -qE "^$s +up " <<<"$status" && services+=("$s")
  done
  grep -qE '^flink-jobmanager +up ' <<<"$status" && services+=(flink)
  ((${#services[@]})) || die "nothing is running: scripts/stack.sh up"
fi

for s in "${services[@]}"; do
  case $s in
    kafka) check_kafka ;;
    es) check_es ;;
    es-secure) check_es_secure ;;
    flink) check_flink ;;
    *) die "unknown service '$s' (kafka, es, es-secure, flink)" ;;
  esac
done

echo "smoke: $passed passed, $failed failed"
((failed == 0))

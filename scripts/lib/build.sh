# shellcheck shell=bash
# One "is this jar stale?" check for every command that runs a jar built from this repository
# (./beaconflow, ./beaconflow collect, ./beaconflow submit), so none of them runs code older than
# the sources. Sourced, never run; no side effects.

# bf_jar_stale ROOT JAR MODULE...: true when JAR is missing or a source, pom or main resource of
# the root pom or of any MODULE (a directory under ROOT) is newer than it.
bf_jar_stale() {
  local root=$1 jar=$2
  shift 2
  [[ -f "$jar" ]] || return 0
  local dirs=("$root/pom.xml")
  local m
  for m in "$@"; do dirs+=("$root/$m"); done
  [[ -n "$(find "${dirs[@]}" -path '*/target' -prune -o \
    \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) \
    -newer "$jar" -print -quit)" ]]
}

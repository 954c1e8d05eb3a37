#!/usr/bin/env bash
# DRAFT (owner: scripts/stack.sh). Installs what scripts/stack.sh needs on a fresh Debian
# machine that already has Java 17 and Maven, running as root: the tools the stack script
# calls, and a Java 21+ for Elasticsearch 9; then Chromium, its driver and Node.js for the
# real-browser test, and the notebooks' Python. Idempotent and quiet: installs only what is
# missing, prints one line per thing it changed. Run before `scripts/stack.sh up`.
set -euo pipefail

log() { printf '[install-deps] %s\n' "$*" >&2; }

# command -> Debian package that provides it.
declare -A NEEDED=(
  [curl]=curl                # health checks (ES cluster health, Flink REST)
  [unzip]=unzip              # unpacking the Elasticsearch zip and certutil output
  [useradd]=passwd           # system user that runs Elasticsearch (it refuses root)
  [runuser]=util-linux       # starting Elasticsearch as that user
  [setsid]=util-linux        # detaching servers from the caller's session
  [flock]=util-linux         # serializing concurrent stack.sh calls
  [timeout]=coreutils        # bounding the Elasticsearch launcher
  [sha256sum]=coreutils      # download stamps
  [ps]=procps                # diagnostics
  [ss]=iproute2              # naming the process that holds a port
  [openssl]=openssl          # CA fingerprint printed by `stack.sh env`
  [javac]=openjdk-17-jdk-headless # compiling the Flink smoke job
  [mvn]=maven                # resolving Kafka, Elasticsearch and Flink from Maven Central
)

missing=()
for cmd in "${!NEEDED[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${NEEDED[$cmd]}")
done

# Elasticsearch 9 needs Java 21+. This machine kind ships Temurin 25 under /usr/lib/jvm;
# elsewhere take Debian's OpenJDK 21/25 when the release has one (Debian 13 does, 12 does not).
has_java21() {
  local d v
  for d in /usr/lib/jvm/*/; do
    [[ -x "$d/bin/java" && -f "$d/release" ]] || continue
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$d/release")
    [[ -n "$v" ]] && ((v >= 21)) && return 0
  done
  return 1
}
apt_updated=0
apt_update_once() {
  if ((apt_updated == 0)); then
    apt-get update -qq >/dev/null
    apt_updated=1
  fi
}
if [[ -n "${BEACONFLOW_ES_JAVA_HOME:-}" ]] || has_java21; then
  :
else
  apt_update_once
  for pkg in openjdk-25-jdk-headless openjdk-21-jdk-headless; do
    if apt-cache show "$pkg" >/dev/null 2>&1; then
      missing+=("$pkg")
      break
    fi
  done
fi

if ((${#missing[@]})); then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  log "installing: ${missing[*]}"
  apt_update_once
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ -z "${BEACONFLOW_ES_JAVA_HOME:-}" ]] && ! has_java21; then
  log "WARNING: no Java 21+ under /usr/lib/jvm and none installable with apt here:" \
    "Elasticsearch will not start (Kafka and Flink will). Set BEACONFLOW_ES_JAVA_HOME."
fi

# ---- The real-browser test (collector BrowserEndToEndITCase): Debian's Chromium and its
# WebDriver (never a downloaded browser), and Node.js + npm to install the pinned SDKs and bundle
# the test pages (collector/src/test/browser). The test fails, not skips, without them.
br_missing=()
for pkg in chromium chromium-driver; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || br_missing+=("$pkg")
done
command -v node >/dev/null 2>&1 || br_missing+=(nodejs)
command -v npm >/dev/null 2>&1 || br_missing+=(npm)
if ((${#br_missing[@]})); then
  log "installing (browser test): ${br_missing[*]}"
  apt_update_once
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${br_missing[@]}" >/dev/null
fi

# ---- Notebooks (notebooks/, scripts/test-notebooks.sh): Debian's Python and its libraries ----
# Separate from NEEDED above because these are Python modules, not commands.
NOTEBOOK_PACKAGES=(python3 python3-pandas python3-matplotlib python3-yaml python3-nbformat
  python3-ipykernel jupyter-nbconvert)
nb_missing=()
for pkg in "${NOTEBOOK_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || nb_missing+=("$pkg")
done
if ((${#nb_missing[@]})); then
  log "installing (notebooks): ${nb_missing[*]}"
  apt_update_once
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${nb_missing[@]}" >/dev/null
fi

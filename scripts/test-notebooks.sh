#!/usr/bin/env bash
# Executes every notebook in notebooks/ headless (jupyter nbconvert --execute) against the
# Elasticsearch the job filled, and fails if any cell fails.
#
#   scripts/test-notebooks.sh                 # ES at $BEACONFLOW_ES_URL (default 127.0.0.1:9200)
#   scripts/test-notebooks.sh --load DIR      # first index a demo run's NDJSON (./beaconflow demo
#                                             # --out DIR) under $BEACONFLOW_INDEX_PREFIX
#   scripts/test-notebooks.sh --out DIR       # keep the executed notebooks (with outputs) in DIR
#   scripts/test-notebooks.sh notebooks/session-exploration.ipynb   # only these notebooks
#
# Environment: BEACONFLOW_ES_URL, BEACONFLOW_INDEX_PREFIX (indices are <prefix>rum-*), and each
# notebook's own variables (see its first cell). Python: Debian's /usr/bin/python3 with
# python3-pandas python3-matplotlib python3-yaml python3-nbformat python3-ipykernel
# jupyter-nbconvert (.ci/install-deps.sh installs them); BEACONFLOW_PYTHON overrides it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${BEACONFLOW_PYTHON:-/usr/bin/python3}"
# ipykernel's debugger otherwise warns about frozen modules on every run.
export PYDEVD_DISABLE_FILE_VALIDATION=1
[ -x "$PY" ] || PY=python3

load=""
out=""
notebooks=()
while [ $# -gt 0 ]; do
  case "$1" in
    --load) load="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    -*) echo "test-notebooks: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) notebooks+=("$1"); shift ;;
  esac
done
[ ${#notebooks[@]} -gt 0 ] || mapfile -t notebooks < <(ls "$ROOT"/notebooks/*.ipynb)

if ! "$PY" -c 'import pandas, matplotlib, yaml, nbformat, nbconvert, ipykernel' 2>/dev/null; then
  echo "test-notebooks: $PY lacks the notebook libraries; install them with" >&2
  echo "  apt-get install python3-pandas python3-matplotlib python3-yaml python3-nbformat python3-ipykernel jupyter-nbconvert" >&2
  echo "  (or run .ci/install-deps.sh)" >&2
  exit 2
fi

es="${BEACONFLOW_ES_URL:-http://127.0.0.1:9200}"
if ! curl -fsS -o /dev/null "$es/_cluster/health"; then
  echo "test-notebooks: no Elasticsearch at $es; start it (scripts/stack.sh up es) or set BEACONFLOW_ES_URL" >&2
  exit 2
fi

if [ -n "$load" ]; then
  echo "== loading $load into $es (prefix '${BEACONFLOW_INDEX_PREFIX:-}')"
  (cd "$ROOT/notebooks" && "$PY" -c 'import sys, beaconflow_nb as bf; print(bf.load_outputs(sys.argv[1]))' "$load")
fi

keep=1
if [ -z "$out" ]; then
  out="$(mktemp -d)"
  keep=0
fi
mkdir -p "$out"

failed=0
for nb in "${notebooks[@]}"; do
  name="$(basename "$nb")"
  start=$SECONDS
  # nbconvert runs the kernel in the notebook's folder, so `import beaconflow_nb` works; a
  # failing cell stops the notebook with a non-zero exit and the cell's traceback on stderr.
  if "$PY" -m nbconvert --to notebook --execute --ExecutePreprocessor.timeout=600 \
      --ExecutePreprocessor.kernel_name=python3 --output-dir "$out" --output "$name" "$nb" \
      >"$out/$name.log" 2>&1; then
    echo "PASS $name ($((SECONDS - start)) s)"
  else
    echo "FAIL $name ($((SECONDS - start)) s):"
    tail -n 40 "$out/$name.log" | sed 's/^/    /'
    failed=$((failed + 1))
  fi
done

if [ "$keep" = 1 ]; then
  echo "executed notebooks in $out"
else
  rm -rf "$out"
fi
echo "notebooks: $((${#notebooks[@]} - failed)) passed, $failed failed"
[ "$failed" = 0 ]

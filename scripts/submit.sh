#!/usr/bin/env bash
# ./beaconflow submit: submit the Beaconflow job jar to a Flink cluster through the Flink CLI front
# end (`flink run`), as a user would, and manage it (stop with savepoint, resume, list, cancel).
# Run with --help for the options; docs/cluster.md explains clusters, configs and savepoints.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/build.sh
. "$ROOT/scripts/lib/build.sh"

usage() {
  cat <<'EOF'
Submit the Beaconflow job to a Flink cluster (detached) and print its job id.

  ./beaconflow submit [options] [-- extra job arguments]
  ./beaconflow submit --from-savepoint PATH [options]     resume from a savepoint or a
                                                          retained checkpoint (chk-N dir)
  ./beaconflow submit --stop-with-savepoint JOBID [DIR]   stop a job, writing a savepoint
                                                          (DIR: default = the cluster's
                                                          execution.checkpointing.savepoint-dir);
                                                          prints the savepoint path
  ./beaconflow submit --list                              running and scheduled jobs
  ./beaconflow submit --cancel JOBID                      cancel (the last checkpoint is kept)

Options:
  --config PATH           job configuration (default: flink-conf/beaconflow.yaml). Passed to the
                          job as an absolute path. `flink run` executes the job's main() in this
                          client, which reads the file (and resolves its ${ENV} references) here;
                          the settings then travel inside the job graph.
  --name NAME             job name (default: beaconflow)
  --parallelism N         job parallelism (default: the cluster's parallelism.default)
  --from-savepoint PATH   restore state from PATH (savepoint or retained checkpoint)
  --allow-non-restored-state
                          with --from-savepoint: skip state of operators that no longer exist
  --jar PATH              job jar (default: jobs/target/beaconflow-job.jar, built when missing
                          or older than the sources, as every ./beaconflow command does)
  --rebuild               build the jar even if it is up to date
  --jobmanager HOST:PORT  REST address of the cluster (flink run -m); default: from the Flink
                          configuration the CLI reads
  --flink CMD             Flink CLI to use. Default: $FLINK_HOME/bin/flink when FLINK_HOME is
                          set (your own Flink distribution and its conf/), otherwise
                          scripts/flink.sh (the local cluster of `./beaconflow stack up`)
  -h, --help              this help

Output: progress and the CLI's own messages on stderr; the job id (or savepoint path) alone on
stdout, so `JOB=$(./beaconflow submit)` works.

Examples:
  ./beaconflow stack up && ./beaconflow submit --parallelism 2
  SP=$(./beaconflow submit --stop-with-savepoint "$JOB")
  ./beaconflow submit --from-savepoint "$SP" --parallelism 2
  FLINK_HOME=/opt/flink ./beaconflow submit --jobmanager flink.example.com:8081 \
      --config /etc/beaconflow/beaconflow.yaml
EOF
}

die() {
  printf 'submit: %s\n' "$*" >&2
  exit 1
}

default_jar="$ROOT/jobs/target/beaconflow-job.jar"
mode=run config="$ROOT/flink-conf/beaconflow.yaml" name=beaconflow parallelism="" savepoint=""
allow_non_restored=0 jar="$default_jar" rebuild=0 jobmanager=""
flink_cmd="" job_id="" sp_dir="" extra=()

need_value() { # option, remaining argument count
  [[ "$2" -ge 2 ]] || die "$1 needs a value (see --help)"
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --config) need_value "$1" $#; config="$2"; shift 2 ;;
    --name) need_value "$1" $#; name="$2"; shift 2 ;;
    --parallelism | -p) need_value "$1" $#; parallelism="$2"; shift 2 ;;
    --from-savepoint | -s) need_value "$1" $#; savepoint="$2"; shift 2 ;;
    --allow-non-restored-state) allow_non_restored=1; shift ;;
    --jar) need_value "$1" $#; jar="$2"; shift 2 ;;
    --rebuild) rebuild=1; shift ;;
    --jobmanager | -m) need_value "$1" $#; jobmanager="$2"; shift 2 ;;
    --flink) need_value "$1" $#; flink_cmd="$2"; shift 2 ;;
    --stop-with-savepoint)
      need_value "$1" $#
      mode=stop job_id="$2"
      shift 2
      if [[ $# -gt 0 && "$1" != -* ]]; then sp_dir="$1"; shift; fi
      ;;
    --list) mode=list; shift ;;
    --cancel) need_value "$1" $#; mode=cancel job_id="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

if [[ -n "$parallelism" && ! "$parallelism" =~ ^[1-9][0-9]*$ ]]; then
  die "--parallelism must be a positive integer, got '$parallelism'"
fi
if [[ -n "$job_id" && ! "$job_id" =~ ^[0-9a-f]{32}$ ]]; then
  die "'$job_id' is not a Flink job id (32 hex digits; see ./beaconflow submit --list)"
fi

# The Flink CLI: explicit, a user's distribution, or the local stack's.
if [[ -z "$flink_cmd" ]]; then
  if [[ -n "${FLINK_HOME:-}" ]]; then
    flink_cmd="$FLINK_HOME/bin/flink"
    [[ -x "$flink_cmd" ]] || die "FLINK_HOME=$FLINK_HOME has no executable bin/flink"
  else
    flink_cmd="$ROOT/scripts/flink.sh"
  fi
fi
target=()
[[ -n "$jobmanager" ]] && target=(-m "$jobmanager")

# Runs the CLI with its output on stderr, and keeps a copy to parse.
out_file="$(mktemp)"
trap 'rm -f "$out_file"' EXIT
flink() {
  local rc
  set +e
  "$flink_cmd" "$@" 2>&1 | tee "$out_file" >&2
  rc=${PIPESTATUS[0]}
  set -e
  return "$rc"
}

case "$mode" in
  list)
    flink list "${target[@]}"
    exit 0
    ;;
  cancel)
    flink cancel "${target[@]}" "$job_id" || die "cancel failed (output above)"
    exit 0
    ;;
  stop)
    args=(stop "${target[@]}")
    if [[ -n "$sp_dir" ]]; then
      # A bare local path is made absolute and given a scheme, as Flink expects a URI.
      [[ "$sp_dir" == *://* || "$sp_dir" == /* ]] || sp_dir="$PWD/$sp_dir"
      [[ "$sp_dir" == *://* ]] || sp_dir="file://$sp_dir"
      args+=(--savepointPath "$sp_dir")
    fi
    flink "${args[@]}" "$job_id" || die "stop with savepoint failed (output above)"
    path="$(sed -n 's/.*Savepoint completed\. Path: *//p' "$out_file" | tail -n 1)"
    [[ -n "$path" ]] || die "the CLI did not report a savepoint path (output above)"
    echo "submit: resume with ./beaconflow submit --from-savepoint $path" >&2
    echo "$path"
    exit 0
    ;;
esac

# ---- run
[[ -f "$config" ]] || die "job config '$config' not found: pass --config PATH (default flink-conf/beaconflow.yaml)"
config="$(cd "$(dirname "$config")" && pwd)/$(basename "$config")"
# The default jar is rebuilt when sources changed since it was built, so a submit never runs older
# code than the rest of ./beaconflow (which checks the same way). A jar given with --jar is the
# user's: used as it is.
if [[ "$rebuild" = 1 || ! -f "$jar" ]] ||
  { [[ "$jar" == "$default_jar" && "${BEACONFLOW_SKIP_BUILD:-0}" != 1 ]] &&
    bf_jar_stale "$ROOT" "$jar" config detectors jobs; }; then
  [[ "$jar" == "$default_jar" ]] ||
    die "jar '$jar' not found (only the default jar is built by this script)"
  echo "submit: building $jar (missing, asked for, or older than the sources) ..." >&2
  (cd "$ROOT" && mvn -q -B -DskipTests -Dspotless.check.skip=true -pl jobs -am package) >&2
fi
[[ -f "$jar" ]] || die "job jar '$jar' not found"

# The job refuses to start without a secret user-id salt (no default outside the demo). For the
# local stack of ./beaconflow stack, use the one it generated (.stack/secrets/user-id-salt, 0600),
# so `./beaconflow stack up && ./beaconflow submit` works as documented. Elsewhere, export yours.
if [[ -z "${BEACONFLOW_USER_ID_SALT:-}" && "$flink_cmd" == "$ROOT/scripts/flink.sh" ]]; then
  salt_line="$("$ROOT/scripts/stack.sh" env | grep '^export BEACONFLOW_USER_ID_SALT=' || true)"
  [[ -n "$salt_line" ]] || die "could not read the local stack's user-id salt (scripts/stack.sh env)"
  eval "$salt_line"
  echo "submit: BEACONFLOW_USER_ID_SALT from the local stack (\$BEACONFLOW_HOME/secrets/user-id-salt)" >&2
fi

args=(run -d "${target[@]}")
[[ -n "$parallelism" ]] && args+=(-p "$parallelism")
if [[ -n "$savepoint" ]]; then
  args+=(-s "$savepoint")
  [[ "$allow_non_restored" = 1 ]] && args+=(-n)
fi
args+=("$jar" --config "$config" --name "$name" "${extra[@]}")

echo "submit: $flink_cmd ${args[*]}" >&2
flink "${args[@]}" || die "submission failed (output above; client log: \$BEACONFLOW_HOME/logs/flink/client.log for the local stack)"
id="$(sed -n 's/.*Job has been submitted with JobID \([0-9a-f]\{32\}\).*/\1/p' "$out_file" | tail -n 1)"
[[ -n "$id" ]] || die "the CLI did not report a job id (output above)"
echo "submit: job '$name' running as $id${savepoint:+ (restored from $savepoint)}" >&2
echo "$id"

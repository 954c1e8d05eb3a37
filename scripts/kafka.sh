#!/usr/bin/env bash
# Kafka command-line tools against the local stack's broker (scripts/stack.sh up kafka),
# with the broker's own classpath from $BEACONFLOW_HOME/lib/kafka. --bootstrap-server is
# added for you.
#
#   scripts/kafka.sh topics --list
#   scripts/kafka.sh topics --create --topic rum-raw --partitions 2
#   scripts/kafka.sh produce --topic rum-raw            (one message per stdin line)
#   scripts/kafka.sh consume --topic rum-raw --from-beginning [--max-messages N]
#   scripts/kafka.sh groups --list
#   scripts/kafka.sh class <fully.qualified.Main> [args...]   (no --bootstrap-server added)
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

[[ -d "$LIB_KAFKA" ]] || die "Kafka jars missing in $LIB_KAFKA: run scripts/stack.sh up kafka (or fetch)"

tool=${1:-}
shift || true
case $tool in
  topics) main=org.apache.kafka.tools.TopicCommand ;;
  produce) main=org.apache.kafka.tools.ConsoleProducer ;;
  consume) main=org.apache.kafka.tools.consumer.ConsoleConsumer ;;
  groups) main=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
  class)
    main=${1:?usage: scripts/kafka.sh class <main class> [args...]}
    shift
    ;;
  *)
    sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac

log4j=$KAFKA_CONF/tools-log4j2.properties
[[ -f "$log4j" ]] || log4j=/dev/null
args=("$@")
if [[ $tool != class ]]; then args=(--bootstrap-server "$BF_HOST:$KAFKA_PORT" "${args[@]}"); fi
exec "$JAVA" -Xmx256m -Dlog4j2.configurationFile="$log4j" \
  -cp "$(classpath_of "$LIB_KAFKA")" "$main" "${args[@]}"

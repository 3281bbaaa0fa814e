#!/usr/bin/env bash
# Run one of Kafka's own command-line tools from the jars that kafka.sh fetched.
#
#   kafka-cli.sh <ToolClass|alias> [tool args...]
#
# Aliases (Kafka 4.1 class names):
#   topics            org.apache.kafka.tools.TopicCommand
#   console-producer  org.apache.kafka.tools.ConsoleProducer
#   console-consumer  org.apache.kafka.tools.consumer.ConsoleConsumer
#   consumer-groups   org.apache.kafka.tools.consumer.group.ConsumerGroupCommand
#   configs           kafka.admin.ConfigCommand
#   api-versions      org.apache.kafka.tools.BrokerApiVersionsCommand
#   metadata-quorum   org.apache.kafka.tools.MetadataQuorumCommand
#   delete-records    org.apache.kafka.tools.DeleteRecordsCommand
#   log-dirs          org.apache.kafka.tools.LogDirsCommand
#   storage           kafka.tools.StorageTool
#
# Example:
#   scripts/kafka/kafka-cli.sh topics --bootstrap-server 127.0.0.1:9092 --list
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
LIBS="${KAFKA_HOME_DIR:-$REPO_ROOT/.cache/kafka}/libs"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

if [[ $# -lt 1 || "$1" == "-h" || "$1" == "--help" ]]; then
  sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi

tool="$1"
shift
case "$tool" in
  topics) tool=org.apache.kafka.tools.TopicCommand ;;
  console-producer) tool=org.apache.kafka.tools.ConsoleProducer ;;
  console-consumer) tool=org.apache.kafka.tools.consumer.ConsoleConsumer ;;
  consumer-groups) tool=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
  configs) tool=kafka.admin.ConfigCommand ;;
  api-versions) tool=org.apache.kafka.tools.BrokerApiVersionsCommand ;;
  metadata-quorum) tool=org.apache.kafka.tools.MetadataQuorumCommand ;;
  delete-records) tool=org.apache.kafka.tools.DeleteRecordsCommand ;;
  log-dirs) tool=org.apache.kafka.tools.LogDirsCommand ;;
  storage) tool=kafka.tools.StorageTool ;;
esac

# Resolve the jars on first use (no-op when they are current).
bash "$SCRIPT_DIR/kafka.sh" fetch

exec "$JAVA" -Xms32m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto \
  -Djava.awt.headless=true "-Dlog4j2.configurationFile=$SCRIPT_DIR/tools-log4j2.xml" \
  -cp "$LIBS/*" "$tool" "$@"

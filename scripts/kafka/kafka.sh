#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, combined broker + controller), run from the
# jars that scripts/kafka/pom.xml resolves from Maven Central. No Docker needed.
#
#   kafka.sh fetch      resolve the jars into <cache>/libs (only when pom.xml changed)
#   kafka.sh start      fetch if needed, configure, format once, start, wait until ready
#   kafka.sh stop       graceful stop (SIGTERM, then SIGKILL after KAFKA_STOP_TIMEOUT s)
#   kafka.sh kill       hard stop (SIGKILL) - simulates a crash; data is kept
#   kafka.sh restart    stop + start (data is kept)
#   kafka.sh status     exit 0 = running and answering, 1 = running but not answering, 3 = stopped
#   kafka.sh wait       wait until a started broker answers (KAFKA_START_TIMEOUT s)
#   kafka.sh logs [N]   last N lines of the broker log
#   kafka.sh clean      stop and delete data, logs and config (keeps the jars); --all also the jars
#
# Environment: KAFKA_HOME_DIR (default <repo>/.cache/kafka), KAFKA_PORT (9092),
# KAFKA_CONTROLLER_PORT (9093), KAFKA_START_TIMEOUT (90), KAFKA_STOP_TIMEOUT (30),
# KAFKA_HEAP_OPTS (-Xms256m -Xmx512m), KAFKA_JVM_OPTS (extra JVM flags), JAVA_HOME.
# Clients connect to 127.0.0.1:$KAFKA_PORT (the app's KAFKA_BROKERS).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
KAFKA_HOME_DIR="${KAFKA_HOME_DIR:-$REPO_ROOT/.cache/kafka}"
mkdir -p "$KAFKA_HOME_DIR"
KAFKA_HOME_DIR="$(cd "$KAFKA_HOME_DIR" && pwd)"

KAFKA_HOST=127.0.0.1
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
KAFKA_JVM_OPTS="${KAFKA_JVM_OPTS:-}"
BOOTSTRAP="$KAFKA_HOST:$KAFKA_PORT"

POM="$SCRIPT_DIR/pom.xml"
LIBS="$KAFKA_HOME_DIR/libs"
CONF_DIR="$KAFKA_HOME_DIR/config"
DATA_DIR="$KAFKA_HOME_DIR/data"
LOG_DIR="$KAFKA_HOME_DIR/logs"
SERVER_PROPS="$CONF_DIR/server.properties"
PID_FILE="$KAFKA_HOME_DIR/kafka.pid"
CLUSTER_ID_FILE="$KAFKA_HOME_DIR/cluster.id"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# Short-lived tool JVMs (format, readiness probe): start fast, stay small.
TOOL_JVM_OPTS=(-Xms32m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto
  -Djava.awt.headless=true "-Dlog4j2.configurationFile=$SCRIPT_DIR/tools-log4j2.xml")

log() { echo "[kafka] $*" >&2; }
die() { echo "[kafka] ERROR: $*" >&2; exit 1; }

tail_logs() {
  local n="${1:-60}"
  if [[ -f "$LOG_DIR/server.log" ]]; then
    echo "----- last $n lines of $LOG_DIR/server.log -----" >&2
    tail -n "$n" "$LOG_DIR/server.log" >&2 || true
  fi
  if [[ -s "$LOG_DIR/kafka.out" ]]; then
    echo "----- last 20 lines of $LOG_DIR/kafka.out (stdout/stderr) -----" >&2
    tail -n 20 "$LOG_DIR/kafka.out" >&2 || true
  fi
}

# Serialise start/stop/fetch/clean between concurrent callers. The broker itself
# must not inherit this descriptor (see launch), or the lock would live forever.
LOCKED=0
take_lock() {
  ((LOCKED)) && return 0
  exec 9>"$KAFKA_HOME_DIR/.lock"
  flock -w 300 9 || die "could not lock $KAFKA_HOME_DIR/.lock within 300 s"
  LOCKED=1
}

check_java() {
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found (install a JDK 17+ or set JAVA_HOME)"
  local version major
  version="$("$JAVA" -version 2>&1 | awk -F'"' '/version/ { print $2; exit }')"
  major="${version%%.*}"
  [[ "$major" == "1" ]] && major="$(echo "$version" | cut -d. -f2)"
  major="${major%%[!0-9]*}"
  [[ -n "$major" && "$major" -ge 17 ]] || die "Kafka 4.1 needs Java 17+, found '$version' ($JAVA)"
}

# ---------------------------------------------------------------- jars

pom_hash() { sha256sum "$POM" | cut -c1-16; }
fetched() { [[ -f "$LIBS/.fetched-$(pom_hash)" ]]; }

fetch() {
  fetched && return 0
  take_lock
  fetched && return 0
  if running_pid >/dev/null; then
    die "pom.xml changed but Kafka is running from the old jars; run 'kafka.sh stop' first"
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found (needed once to resolve the Kafka jars)"
  log "resolving Kafka jars from $POM into $LIBS ..."
  local tmp="$KAFKA_HOME_DIR/libs.tmp.$$"
  rm -rf "$tmp"
  if ! mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$tmp" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2; then
    rm -rf "$tmp"
    die "mvn dependency:copy-dependencies failed"
  fi
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  touch "$LIBS/.fetched-$(pom_hash)"
  log "jars ready ($(find "$LIBS" -name '*.jar' | wc -l) files)"
}

# ---------------------------------------------------------------- process

# Alive and not a zombie (an orphaned broker is reaped by pid 1, which may be slow).
alive() {
  local state=""
  [[ -r "/proc/$1/stat" ]] || return 1
  read -r _ _ state _ <"/proc/$1/stat" 2>/dev/null || return 1
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# Is $1 our broker (a java running kafka.Kafka with our server.properties)?
is_our_broker() {
  local pid="$1" cmdline
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmdline" == *" kafka.Kafka $SERVER_PROPS"* ]]
}

# Prints the broker's pid if it is running. Falls back to scanning /proc when the
# pid file is missing or stale (matching this cache dir's server.properties only).
running_pid() {
  local pid=""
  if [[ -s "$PID_FILE" ]]; then
    pid="$(cat "$PID_FILE")"
    if [[ "$pid" =~ ^[0-9]+$ ]] && is_our_broker "$pid"; then
      echo "$pid"
      return 0
    fi
  fi
  local file
  while IFS= read -r file; do
    pid="${file#/proc/}"
    pid="${pid%/cmdline}"
    if is_our_broker "$pid"; then
      echo "$pid" >"$PID_FILE"
      echo "$pid"
      return 0
    fi
  done < <(grep -lsF -- "$SERVER_PROPS" /proc/[0-9]*/cmdline || true)
  return 1
}

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$KAFKA_HOST/$1" 2>/dev/null; }

# Real readiness: the broker answers an ApiVersions round trip through the admin
# client (bootstrap -> metadata -> node 1) and reports itself as not fenced.
probe() {
  port_open "$KAFKA_PORT" || return 1
  local out
  out="$(timeout 30 "$JAVA" "${TOOL_JVM_OPTS[@]}" -cp "$LIBS/*" \
    org.apache.kafka.tools.BrokerApiVersionsCommand --bootstrap-server "$BOOTSTRAP" 2>&1)" || return 1
  [[ "$out" == *"(id: 1 "* && "$out" == *"isFenced: false"* ]]
}

wait_ready() {
  local pid="$1" started=$SECONDS
  local deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! alive "$pid"; then
      tail_logs 50
      die "broker process $pid exited during startup (logs above)"
    fi
    if probe; then
      log "ready at $BOOTSTRAP (pid $pid, ready after $((SECONDS - started)) s)"
      return 0
    fi
    sleep 0.5
  done
  tail_logs 50
  die "broker (pid $pid) not ready at $BOOTSTRAP after ${KAFKA_START_TIMEOUT} s (logs above)"
}

# ---------------------------------------------------------------- config + storage

write_config() {
  mkdir -p "$CONF_DIR" "$DATA_DIR" "$LOG_DIR"
  cat >"$SERVER_PROPS.tmp" <<EOF
# Generated by scripts/kafka/kafka.sh on every start - edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT

log.dirs=$DATA_DIR
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=false
delete.topic.enable=true

offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# After a hard kill the restarted controller keeps the old broker registration
# until its session expires (default 9 s); keep that short so crash tests are fast.
broker.heartbeat.interval.ms=500
broker.session.timeout.ms=3000

log.cleaner.enable=true
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=16777216
log.retention.hours=168
log.segment.bytes=104857600
log.retention.check.interval.ms=60000

num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
EOF
  mv "$SERVER_PROPS.tmp" "$SERVER_PROPS"
}

cluster_id() {
  if [[ ! -s "$CLUSTER_ID_FILE" ]]; then
    "$JAVA" "${TOOL_JVM_OPTS[@]}" -cp "$LIBS/*" kafka.tools.StorageTool random-uuid \
      | tr -d '[:space:]' >"$CLUSTER_ID_FILE.tmp"
    [[ -s "$CLUSTER_ID_FILE.tmp" ]] || die "could not generate a cluster id"
    mv "$CLUSTER_ID_FILE.tmp" "$CLUSTER_ID_FILE"
  fi
  cat "$CLUSTER_ID_FILE"
}

# Format exactly once. An existing log dir (meta.properties present) is never touched.
format_storage() {
  [[ -f "$DATA_DIR/meta.properties" ]] && return 0
  local id
  id="$(cluster_id)"
  log "formatting $DATA_DIR (cluster id $id)"
  "$JAVA" "${TOOL_JVM_OPTS[@]}" -cp "$LIBS/*" kafka.tools.StorageTool format \
    --ignore-formatted -t "$id" -c "$SERVER_PROPS" >&2 || die "storage format failed"
}

# ---------------------------------------------------------------- commands

LAUNCHED_PID=""
launch() {
  mkdir -p "$LOG_DIR"
  echo "===== $(date -Is) starting kafka (port $KAFKA_PORT) =====" >>"$LOG_DIR/kafka.out"
  # shellcheck disable=SC2086 # KAFKA_HEAP_OPTS / KAFKA_JVM_OPTS are word lists
  (cd "$KAFKA_HOME_DIR" && exec setsid nohup "$JAVA" $KAFKA_HEAP_OPTS \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    $KAFKA_JVM_OPTS \
    "-Dkafka.logs.dir=$LOG_DIR" "-Dlog4j2.configurationFile=$SCRIPT_DIR/log4j2.xml" \
    -cp "$LIBS/*" kafka.Kafka "$SERVER_PROPS" \
    </dev/null >>"$LOG_DIR/kafka.out" 2>&1 9>&-) &
  LAUNCHED_PID=$!
  echo "$LAUNCHED_PID" >"$PID_FILE"
}

cmd_start() {
  check_java
  take_lock
  local pid
  if pid="$(running_pid)"; then
    fetched || log "warning: pom.xml changed since this broker started; 'kafka.sh restart' picks up the new jars"
    if probe; then
      log "already running at $BOOTSTRAP (pid $pid)"
      return 0
    fi
    log "broker pid $pid is up but not answering yet; waiting"
    wait_ready "$pid"
    return 0
  fi
  rm -f "$PID_FILE"
  local port
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    if port_open "$port"; then
      die "port $KAFKA_HOST:$port is already in use by another process (another Kafka?); stop it or set KAFKA_PORT / KAFKA_CONTROLLER_PORT"
    fi
  done
  fetch
  write_config
  format_storage
  launch
  pid="$LAUNCHED_PID"
  log "started pid $pid, waiting up to ${KAFKA_START_TIMEOUT} s for $BOOTSTRAP"
  wait_ready "$pid"
}

# stop [TERM|KILL]
cmd_stop() {
  local signal="${1:-TERM}" pid
  take_lock
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  kill "-$signal" "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + KAFKA_STOP_TIMEOUT))
  while alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
  if alive "$pid"; then
    log "pid $pid still alive after ${KAFKA_STOP_TIMEOUT} s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while alive "$pid"; do sleep 0.1; done
  fi
  rm -f "$PID_FILE"
  log "stopped (pid $pid, SIG$signal)"
}

cmd_status() {
  local pid
  if ! pid="$(running_pid)"; then
    echo "kafka: stopped (home $KAFKA_HOME_DIR)"
    return 3
  fi
  if probe; then
    echo "kafka: running, pid $pid, bootstrap $BOOTSTRAP (home $KAFKA_HOME_DIR)"
    return 0
  fi
  echo "kafka: pid $pid running but not answering at $BOOTSTRAP"
  return 1
}

cmd_wait() {
  check_java
  local pid
  pid="$(running_pid)" || die "not running (use 'kafka.sh start')"
  wait_ready "$pid"
}

cmd_clean() {
  cmd_stop TERM
  rm -rf "$DATA_DIR" "$LOG_DIR" "$CONF_DIR" "$CLUSTER_ID_FILE" "$PID_FILE"
  if [[ "${1:-}" == "--all" ]]; then
    rm -rf "$LIBS"
    log "removed data, logs, config and jars under $KAFKA_HOME_DIR"
  else
    log "removed data, logs and config under $KAFKA_HOME_DIR (jars kept; --all removes them too)"
  fi
}

usage() {
  sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

case "${1:-}" in
  fetch) check_java; fetch ;;
  start) cmd_start ;;
  stop) cmd_stop TERM ;;
  kill) cmd_stop KILL ;;
  restart) cmd_stop TERM; cmd_start ;;
  status) cmd_status ;;
  wait) cmd_wait ;;
  logs) tail -n "${2:-100}" "$LOG_DIR/server.log" ;;
  clean) cmd_clean "${2:-}" ;;
  *) usage ;;
esac

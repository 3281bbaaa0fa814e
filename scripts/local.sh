#!/usr/bin/env bash
# Local development entry points (npm run start:local | stop:local | test:all).
#
#   local.sh start   dependencies up, migrate ${DB_NAME}, build, run the registry in the foreground
#   local.sh test    dependencies up, then lint:deps, typecheck, lint, unit tests and
#                    integration tests against ${DB_TEST_NAME}; fails fast; Kafka is left running
#   local.sh stop    stop the local Kafka (MariaDB is a system service and is left alone)
#
# "Dependencies up" = npm ci when node_modules is missing or older than package-lock.json,
# scripts/db.sh ensure (MariaDB + databases), scripts/kafka/kafka.sh start.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
cd "$REPO_ROOT"

# One set of connection settings for the scripts, the app and the tests.
export DB_HOST="${DB_HOST:-127.0.0.1}"
export DB_PORT="${DB_PORT:-3306}"
export DB_USER="${DB_USER:-root}"
export DB_PASSWORD="${DB_PASSWORD:-}"
export DB_TEST_NAME="${DB_TEST_NAME:-credit_discipline_test}"
export KAFKA_PORT="${KAFKA_PORT:-9092}"
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:$KAFKA_PORT}"
export KAFKA_TOPIC_PREFIX="${KAFKA_TOPIC_PREFIX:-credit-discipline}"

log() { echo "[local] $*" >&2; }

ensure_node_modules() {
  if [[ ! -d node_modules || ! -f node_modules/.package-lock.json ||
    package-lock.json -nt node_modules/.package-lock.json ]]; then
    log "installing dependencies (npm ci)"
    npm ci --no-audit --no-fund
  fi
}

prelude() {
  ensure_node_modules
  bash scripts/db.sh ensure
  bash scripts/kafka/kafka.sh start
}

cmd_start() {
  prelude
  export DB_NAME="${DB_NAME:-credit_discipline}"
  log "migrating $DB_NAME"
  npm run db:migrate
  npm run build
  log "starting registry (http://127.0.0.1:${HTTP_PORT:-3000}, Kafka $KAFKA_BROKERS); Ctrl-C to stop, 'npm run stop:local' stops Kafka"
  exec node --max-old-space-size=192 --max-semi-space-size=8 dist/apps/registry/main.js
}

# Globals (not locals) so the EXIT trap can still read them.
started=$SECONDS
current=""
done_steps=()

report_failure() {
  local rc=$?
  if ((rc != 0)); then
    echo "" >&2
    echo "test:all: FAILED at step \"$current\" (exit $rc) after $((SECONDS - started)) s; passed: ${done_steps[*]:-none}. Kafka may still be running (npm run stop:local)." >&2
  fi
}

cmd_test() {
  trap report_failure EXIT

  current="prepare (npm ci / MariaDB / Kafka)"
  prelude

  export DB_NAME="$DB_TEST_NAME"
  export NODE_ENV=test

  step() {
    current="$1"
    shift
    local t=$SECONDS
    echo "" >&2
    log "==> $current: $*"
    "$@"
    done_steps+=("$current($((SECONDS - t))s)")
  }
  step lint:deps npm run lint:deps
  step typecheck npm run typecheck
  step lint npm run lint
  mkdir -p test-artifacts
  step unit npx jest --selectProjects unit --json --outputFile=test-artifacts/unit.json
  step integration npx jest --selectProjects integration --runInBand --forceExit --json --outputFile=test-artifacts/integration.json
  step build npm run build
  # The short reliability run: SIGKILLed registries, a stopped broker and a MariaDB restart under load.
  step reliability node node_modules/ts-node/dist/bin.js --swc -r tsconfig-paths/register reliability/run.ts --short

  trap - EXIT
  echo ""
  node -e '
    const r = ["unit", "integration"].map((t) => require(`./test-artifacts/${t}.json`));
    const sum = (k) => r.reduce((n, x) => n + x[k], 0);
    console.log(`tests: ${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed`);'
  echo "test:all: PASSED in $((SECONDS - started)) s - ${done_steps[*]}. Kafka left running at $KAFKA_BROKERS (stop it with: npm run stop:local)."
}

cmd_demo() {
  prelude
  export DB_NAME="${DEMO_DB_NAME:-credit_discipline_demo}"
  export KAFKA_TOPIC_PREFIX="demo-$(date +%s)"
  log "recreating $DB_NAME for the demo (topic prefix $KAFKA_TOPIC_PREFIX)"
  mysql -h "$DB_HOST" -P "$DB_PORT" -u "$DB_USER" ${DB_PASSWORD:+-p"$DB_PASSWORD"} \
    -e "DROP DATABASE IF EXISTS \`$DB_NAME\`; CREATE DATABASE \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
  npm run build
  node dist/apps/registry/main.js migrate
  node dist/apps/registry/main.js import-courts data/courts.json
  exec node node_modules/ts-node/dist/bin.js --swc -r tsconfig-paths/register scripts/demo.ts "$@"
}

cmd_reliability() {
  prelude
  npm run build
  exec node node_modules/ts-node/dist/bin.js --swc -r tsconfig-paths/register reliability/run.ts "$@"
}

case "${1:-}" in
  start) cmd_start ;;
  reliability)
    shift
    cmd_reliability "$@"
    ;;
  demo)
    shift
    cmd_demo "$@"
    ;;
  test) cmd_test ;;
  stop) bash scripts/kafka/kafka.sh stop ;;
  *)
    sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# npm run bench [-- --full | --rows=N | --only=writes,publication,receipts,queries,bootstrap | --profile]
# MariaDB and Kafka up (as scripts/local.sh does), registry bundle built and snapshotted into
# .cache/bench/registry, then bench/run.ts. BENCH_SKIP_BUILD=1 reuses the last snapshot.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$BENCH_DIR/.."

export DB_HOST="${DB_HOST:-127.0.0.1}" DB_PORT="${DB_PORT:-3306}" DB_USER="${DB_USER:-root}" DB_PASSWORD="${DB_PASSWORD:-}"
export KAFKA_PORT="${KAFKA_PORT:-9092}"
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:$KAFKA_PORT}"
log() { echo "[bench] $*" >&2; }

if [[ ! -d node_modules || ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi
DB_NAME="${BENCH_DB_NAME:-credit_discipline_bench}" DB_TEST_NAME="${BENCH_DB_NAME:-credit_discipline_bench}_test" bash scripts/db.sh ensure
bash scripts/kafka/kafka.sh start

WORK=.cache/bench
mkdir -p "$WORK"
if [[ -z "${BENCH_SKIP_BUILD:-}" || ! -f "$WORK/registry/main.js" ]]; then
  log "building the registry bundle (npm run build)"
  npm run build >&2
  rm -rf "$WORK/registry"
  cp -r dist/apps/registry "$WORK/registry"
fi
exec node node_modules/ts-node/dist/bin.js --swc -r tsconfig-paths/register bench/run.ts "$@"

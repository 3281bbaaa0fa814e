#!/usr/bin/env bash
# Local MariaDB/MySQL for development and tests.
#
#   db.sh ensure   make sure the server answers (starting a local MariaDB if needed),
#                  then create both databases if missing
#   db.sh create   create ${DB_NAME} and ${DB_TEST_NAME} (utf8mb4 / utf8mb4_unicode_ci), idempotent
#   db.sh drop     drop both databases
#
# Environment: DB_HOST (127.0.0.1), DB_PORT (3306), DB_USER (root), DB_PASSWORD (empty),
# DB_NAME (credit_discipline), DB_TEST_NAME (credit_discipline_test), DB_START_TIMEOUT (60).
set -euo pipefail

DB_HOST="${DB_HOST:-127.0.0.1}"
DB_PORT="${DB_PORT:-3306}"
DB_USER="${DB_USER:-root}"
DB_PASSWORD="${DB_PASSWORD:-}"
DB_NAME="${DB_NAME:-credit_discipline}"
DB_TEST_NAME="${DB_TEST_NAME:-credit_discipline_test}"
DB_START_TIMEOUT="${DB_START_TIMEOUT:-60}"
MARIADBD=/usr/sbin/mariadbd

log() { echo "[db] $*" >&2; }
die() { echo "[db] ERROR: $*" >&2; exit 1; }

pick() {
  local c
  for c in "$@"; do
    if command -v "$c" >/dev/null 2>&1; then
      echo "$c"
      return 0
    fi
  done
  return 1
}
CLIENT="$(pick mariadb mysql)" || die "no mariadb/mysql client found (apt-get install mariadb-client)"
ADMIN="$(pick mariadb-admin mysqladmin)" || die "no mariadb-admin/mysqladmin found"

# The password travels in the environment, not on the command line.
export MYSQL_PWD="$DB_PASSWORD"
conn=(--protocol=TCP -h "$DB_HOST" -P "$DB_PORT" -u "$DB_USER")

ping_db() { "$ADMIN" "${conn[@]}" --connect-timeout=2 ping >/dev/null 2>&1; }
sql() { "$CLIENT" "${conn[@]}" --batch --skip-column-names -e "$1"; }

# Database names end up in backquoted identifiers; accept only plain names.
check_name() { [[ "$1" =~ ^[A-Za-z0-9_]+$ ]] || die "invalid database name '$1'"; }

start_local_server() {
  case "$DB_HOST" in
    127.0.0.1 | localhost | ::1) ;;
    *) die "database at $DB_HOST:$DB_PORT does not answer (not local, so not starting one)" ;;
  esac
  [[ -x "$MARIADBD" ]] || die "nothing answers on $DB_HOST:$DB_PORT and $MARIADBD is not installed"
  log "no answer on $DB_HOST:$DB_PORT; starting $MARIADBD"
  # /run is a tmpfs: the socket directory may be gone after a reboot.
  if [[ ! -d /run/mysqld ]]; then
    mkdir -p /run/mysqld
    chown mysql:mysql /run/mysqld 2>/dev/null || true
  fi
  start-stop-daemon --start --oknodo --background --exec "$MARIADBD"
  local deadline=$((SECONDS + DB_START_TIMEOUT))
  until ping_db; do
    ((SECONDS < deadline)) || die "MariaDB did not answer on $DB_HOST:$DB_PORT within ${DB_START_TIMEOUT} s (see the server error log, e.g. journal or /var/log/mysql)"
    sleep 0.5
  done
  log "MariaDB is up on $DB_HOST:$DB_PORT"
}

cmd_create() {
  local db
  for db in "$DB_NAME" "$DB_TEST_NAME"; do
    check_name "$db"
    sql "CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
  done
  log "databases ready: $DB_NAME, $DB_TEST_NAME (utf8mb4_unicode_ci) on $DB_HOST:$DB_PORT"
}

cmd_drop() {
  local db
  for db in "$DB_NAME" "$DB_TEST_NAME"; do
    check_name "$db"
    sql "DROP DATABASE IF EXISTS \`$db\`;"
  done
  log "dropped $DB_NAME, $DB_TEST_NAME on $DB_HOST:$DB_PORT"
}

cmd_ensure() {
  ping_db || start_local_server
  cmd_create
}

case "${1:-}" in
  ensure) cmd_ensure ;;
  create) cmd_create ;;
  drop) cmd_drop ;;
  *)
    sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac

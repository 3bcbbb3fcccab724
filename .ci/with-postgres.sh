#!/usr/bin/env bash
# Runs a command with a throw-away PostgreSQL 15 server (the one the machine image carries) on a
# free loopback port, its JDBC URL exported as LOYALTY_PG_URL (user LOYALTY_PG_USER), and stops
# and removes the server afterwards. initdb refuses to run as root, so as root the server runs as
# the postgres user. Usage: .ci/with-postgres.sh COMMAND [ARGS...]
set -euo pipefail

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_dir="$(mktemp -d /tmp/loyalty-pg.XXXXXX)"
chmod 755 "$pg_dir"
if [ "$(id -u)" = 0 ]; then
  chown postgres "$pg_dir"
fi

stop_pg() {
  as_postgres "$PG_BIN/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap stop_pg EXIT

free_port() {
  local candidate
  for _ in $(seq 1 50); do
    candidate=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "no free loopback port found" >&2
  return 1
}
port="$(free_port)"

as_postgres "$PG_BIN/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 --no-sync >"$pg_dir/initdb.log" 2>&1 \
  || { cat "$pg_dir/initdb.log"; exit 1; }
as_postgres "$PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
  -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1" start >/dev/null \
  || { cat "$pg_dir/server.log"; exit 1; }
as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres loyalty

export LOYALTY_PG_URL="jdbc:postgresql://127.0.0.1:$port/loyalty"
export LOYALTY_PG_USER=postgres
export LOYALTY_PG_PASSWORD=

"$@"

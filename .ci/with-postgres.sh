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

# A port below the kernel's ephemeral range (32768 and up on Linux), which outgoing connections
# take their local ports from: a port that no server listens on can still be bound by a client's
# socket, and the server's start then fails with "Address already in use". The start is retried
# on other ports for the same reason.
free_port() {
  local candidate
  for _ in $(seq 1 50); do
    candidate=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "no free loopback port found" >&2
  return 1
}

as_postgres "$PG_BIN/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 --no-sync >"$pg_dir/initdb.log" 2>&1 \
  || { cat "$pg_dir/initdb.log"; exit 1; }
started=""
for attempt in 1 2 3 4 5; do
  port="$(free_port)"
  if as_postgres "$PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
      -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1" start >/dev/null; then
    started=yes
    break
  fi
  echo "PostgreSQL did not start on port $port (attempt $attempt of 5); trying another port" >&2
done
[ -n "$started" ] || { cat "$pg_dir/server.log"; exit 1; }
as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres loyalty

export LOYALTY_PG_URL="jdbc:postgresql://127.0.0.1:$port/loyalty"
export LOYALTY_PG_USER=postgres
export LOYALTY_PG_PASSWORD=

"$@"

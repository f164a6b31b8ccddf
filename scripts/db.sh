#!/usr/bin/env bash
# A project-local PostGIS cluster in $PGDATA (git-ignored), on its own port, run by the postgres
# user (PostgreSQL refuses to run as root). Skipped when DATABASE_URL is set: then that database
# is used as it is. Usage: db.sh start|stop|status
set -euo pipefail
cmd=${1:-start}
if [ -n "${DATABASE_URL:-}" ]; then
  echo "DATABASE_URL is set: using that database, no local cluster."; exit 0
fi
here=$(cd "$(dirname "$0")/.." && pwd)
default_data="$here/.pgdata"
if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$here" 2>/dev/null; then
  # The postgres user cannot reach this folder (e.g. a clone under /root, mode 700): keep the
  # cluster where it can, one per checkout, with a link to it in the usual place.
  default_data=/var/lib/postgresql/guichet-$(printf %s "$here" | sha1sum | cut -c1-12)
  mkdir -p "$default_data" && chown postgres:postgres "$default_data"
  [ -e "$here/.pgdata" ] || ln -sfn "$default_data" "$here/.pgdata"
fi
PGDATA=${PGDATA:-$default_data}
PGPORT=${PGPORT:-5544}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg() { if [ "$(id -un)" = "postgres" ] || [ "$(id -u)" -ne 0 ]; then "$@"; else (cd / && runuser -u postgres -- "$@"); fi; }

case "$cmd" in
start)
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PGDATA"
    chmod 700 "$PGDATA"
    as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    # Durable by default (a report answered "accepted" survives a crash); the tests turn
    # synchronous_commit off for their own database only (tests/conftest.py).
    cat >>"$PGDATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PGDATA'
shared_buffers = 512MB
work_mem = 32MB
max_connections = 100
CONF
  fi
  if as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then exit 0; fi
  # A cluster made by an earlier version of this script ran with durability off: no longer.
  sed -i '/^fsync = off$/d; /^synchronous_commit = off$/d; /^full_page_writes = off$/d' \
    "$PGDATA/postgresql.conf"
  if (exec 3<>/dev/tcp/127.0.0.1/"$PGPORT") 2>/dev/null; then
    echo "Port $PGPORT is taken by another server: set PGPORT to a free port or DATABASE_URL." >&2; exit 1
  fi
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -o "-p $PGPORT" -l "$PGDATA/server.log" -w start >/dev/null
  as_pg "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='guichet'" | grep -q 1 \
    || as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres guichet
  echo "PostGIS cluster up: $PGDATA, port $PGPORT"
  ;;
stop)
  [ -f "$PGDATA/PG_VERSION" ] && as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop || true ;;
status)
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status ;;
*) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# A PgBouncer in transaction mode in front of the project's PostGIS, on its own port, for the
# tests and the benchmark that prove Guichet works behind a pooler (the scale path in the
# README). Debian's pgbouncer package, run as the postgres user (it refuses to run as root).
# Usage: pgbouncer.sh start LISTEN_PORT [PG_PORT] [DIR] | stop [DIR]
#   PG_PORT defaults to $PGPORT (5544); DIR (config, pid, log) to /tmp/guichet-pgbouncer-LISTEN_PORT.
set -euo pipefail
cmd=${1:-}
as_pg() { if [ "$(id -u)" -ne 0 ]; then "$@"; else (cd / && runuser -u postgres -- "$@"); fi; }
case "$cmd" in
start)
  port=${2:?listen port}; pg_port=${3:-${PGPORT:-5544}}; dir=${4:-/tmp/guichet-pgbouncer-$port}
  command -v pgbouncer >/dev/null || { echo "pgbouncer is not installed (make system-deps)" >&2; exit 1; }
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
  printf '"postgres" ""\n' >"$dir/users.txt"
  cat >"$dir/pgbouncer.ini" <<CONF
[databases]
* = host=127.0.0.1 port=$pg_port
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/users.txt
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
ignore_startup_parameters = extra_float_digits,options
pidfile = $dir/pgbouncer.pid
logfile = $dir/pgbouncer.log
CONF
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"/*
  if [ -f "$dir/pgbouncer.pid" ] && kill -0 "$(cat "$dir/pgbouncer.pid")" 2>/dev/null; then exit 0; fi
  as_pg pgbouncer -d "$dir/pgbouncer.ini"
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && exit 0; sleep 0.1; done
  echo "pgbouncer did not start: see $dir/pgbouncer.log" >&2; exit 1 ;;
stop)
  dir=${2:?dir}
  if [ -f "$dir/pgbouncer.pid" ]; then kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true; fi ;;
*) echo "usage: $0 start LISTEN_PORT [PG_PORT] [DIR] | stop DIR" >&2; exit 2 ;;
esac

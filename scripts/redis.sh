#!/usr/bin/env bash
# A Redis of the project's own on 127.0.0.1:PORT, for the RQ task backend (GUICHET_TASKS=rq) in
# the tests and by hand. Debian's redis-server, no persistence (a queue lost with the server is
# what resume_deliveries recovers), daemonized with its pid and log in DIR.
# Usage: redis.sh start PORT [DIR] | stop [DIR]
#   DIR defaults to /tmp/guichet-redis-PORT.
set -euo pipefail
cmd=${1:-}
ping() {  # redis-cli if there, else a PING over bash's /dev/tcp
  if command -v redis-cli >/dev/null; then
    [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]
  else
    (exec 3<>/dev/tcp/127.0.0.1/"$1" && printf 'PING\r\n' >&3 && read -r -t 1 answer <&3 \
      && [ "${answer%$'\r'}" = +PONG ]) 2>/dev/null
  fi
}
case "$cmd" in
start)
  port=${2:?port}; dir=${3:-/tmp/guichet-redis-$port}
  command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ] \
    || { echo "redis-server is not installed (make system-deps)" >&2; exit 1; }
  mkdir -p "$dir"
  if [ -f "$dir/redis.pid" ] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null; then exit 0; fi
  "$(command -v redis-server || echo /usr/bin/redis-server)" --bind 127.0.0.1 --port "$port" \
    --save '' --appendonly no --daemonize yes --dir "$dir" \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  for _ in $(seq 50); do ping "$port" && exit 0; sleep 0.1; done
  echo "redis-server did not start: see $dir/redis.log" >&2; exit 1 ;;
stop)
  dir=${2:?dir}
  if [ -f "$dir/redis.pid" ]; then
    pid=$(cat "$dir/redis.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$dir/redis.pid"
  fi ;;
*) echo "usage: $0 start PORT [DIR] | stop DIR" >&2; exit 2 ;;
esac

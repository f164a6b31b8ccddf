#!/usr/bin/env bash
# Installs the Debian packages Guichet needs, only those missing.
# Usage: system_deps.sh [--browser] [--bench]
# PostGIS and GDAL come from Debian (GeoDjango loads libgdal/libgeos through ctypes); gettext
# compiles translations; pgbouncer is the pooler the tests and the benchmark run behind
# (scripts/pgbouncer.sh); redis-server is the queue of the RQ task backend (scripts/redis.sh, its
# test); chromium runs the browser tests (Playwright's own download does not work
# offline, so the tests drive Debian's /usr/bin/chromium); wrk is the load generator of the
# benchmark's concurrent runs (bench/load_wrk.py); npm, the browser libraries (package.json).
set -euo pipefail
pkgs=(postgresql-15 postgresql-15-postgis-3 gdal-bin gettext pgbouncer redis-server)
for arg in "$@"; do
  case "$arg" in
  --browser) pkgs+=(chromium fonts-dejavu-core) ;;
  --bench) pkgs+=(wrk) ;;
  *) echo "usage: $0 [--browser] [--bench]" >&2; exit 2 ;;
  esac
done
# npm installs the browser libraries of package.json (make js); Debian's nodejs has no npm.
command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"

#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on 127.0.0.1 for the web tests, and print the URL to test with:
#   eval "$(tests/web/start_postgres.sh)"   # exports CHARTSIFT_TEST_DB
#   .venv/bin/pytest tests/web
# Installs Debian's postgresql when it is missing. The cluster lives in a temporary folder, trusts local
# connections only (127.0.0.1), and is stopped by: tests/web/start_postgres.sh stop
set -euo pipefail
PORT="${CHARTSIFT_PG_PORT:-54329}"
DIR="${CHARTSIFT_PG_DIR:-/tmp/chartsift-pg}"
RUN_AS=()
if [ "$(id -u)" = 0 ]; then RUN_AS=(runuser -u postgres --); fi

bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$d" ] && echo "$d"
}

if [ "${1:-}" = stop ]; then
  "${RUN_AS[@]}" "$(bindir)/pg_ctl" -D "$DIR/data" -m fast stop >&2 || true
  exit 0
fi

if [ -z "$(bindir)" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postgresql >&2
fi
BIN=$(bindir)
if ! "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
  rm -rf "$DIR"
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$DIR"
  "${RUN_AS[@]}" "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 >/dev/null
  "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off" start >&2
  "${RUN_AS[@]}" "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres chartsift_test
fi
echo "export CHARTSIFT_TEST_DB=postgresql://postgres@127.0.0.1:$PORT/chartsift_test"

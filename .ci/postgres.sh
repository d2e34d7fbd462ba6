#!/usr/bin/env bash
# Starts or stops a private PostgreSQL 15 cluster for the tests: an unprivileged user, a
# temporary directory, 127.0.0.1 only, trust authentication (nothing else can reach it).
#   .ci/postgres.sh start DIR PORT   # prints the admin URL on its last line
#   .ci/postgres.sh stop DIR
#   .ci/postgres.sh halt DIR / resume DIR PORT   # crash and restart (fault tests)
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
cmd=$1; dir=$2
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}
case "$cmd" in
  start)
    port=$3
    if [ ! -x "$PGBIN/initdb" ]; then
      echo "installing PostgreSQL 15 server binaries" >&2
      apt-get install -y -q postgresql-15 >&2
    fi
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown nobody "$dir"
    as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    # Tests need speed, not durability; PG_DURABLE=1 keeps the defaults (for crash tests).
    fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    [ "${PG_DURABLE:-0}" = 1 ] && fast=""
    echo "$fast" > "$dir/options"
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-h 127.0.0.1 -p $port -k $dir -c max_connections=300 $fast" start >&2
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [ -d "$dir/data" ]; then as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast stop >&2 || true; fi
    rm -rf "$dir"
    ;;
  halt)
    # Stop the server as a crash would (fault tests), keeping its data.
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m immediate stop >&2
    ;;
  resume)
    port=$3
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-h 127.0.0.1 -p $port -k $dir -c max_connections=300 $(cat "$dir/options")" start >&2 \
      || { tail -n 20 "$dir/log" >&2; exit 1; }
    ;;
  *) echo "usage: $0 start DIR PORT | stop DIR | halt DIR | resume DIR PORT" >&2; exit 2 ;;
esac

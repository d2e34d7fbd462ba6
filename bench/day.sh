#!/usr/bin/env bash
# A day at planloket (issue 19), on SQLite and PostgreSQL, each on a fresh server:
#   1. sign-ins and memory: 20 accounts made, 20 sign-ins at once, then MINUTES of mixed load
#      (reads, filing, the team's review, a sign-in every 250 ms), with the server's peak
#      memory and, on SQLite, the largest WAL seen;
#   2. the mixed day: the 56 actions of 2025-2026 replayed in COPIES rounds at once, from
#      accounts and sign-ins to adoption, with every mail delivered through an SMTP sink.
# See docs/BENCHMARKS.md.
#
#   bench/day.sh                       # 10 minutes of mixed load, 20 rounds
#   MINUTES=1 COPIES=5 bench/day.sh    # a short run
#   BACKENDS=sqlite bench/day.sh
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${MINUTES:-10}
COPIES=${COPIES:-20}
BACKENDS=${BACKENDS:-sqlite postgres}
PLANLOKET_JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export PLANLOKET_JWT_SECRET
export PLANLOKET_LOG=warn
export PGOPTIONS=--client-min-messages=warning
source bench/lib.sh

ADMIN=beheer@day.bench.planloket.nl
ADMIN_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
SINK_PORT=$(free_port)
target/release/day sink "$SINK_PORT" > "$OUT/sink.log" 2>&1 &
PIDS+=("$!")
PG_URL=""
case "$BACKENDS" in *postgres*) PG_URL=$(.ci/postgres.sh start "$OUT/pg" "$(free_port)" | tail -n 1) ;; esac
echo "Machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); $MINUTES min of mixed load; $COPIES rounds at once"

# Starts a fresh server on database $1 ($2: a name for it); sets APP and BASE.
serve() {
  local url
  if [ "$1" = sqlite ]; then
    url="$OUT/$2.db"
  else
    psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS $2" -c "CREATE DATABASE $2" >/dev/null
    url="${PG_URL%/postgres}/$2"
  fi
  local port
  port=$(free_port)
  DATABASE_URL=$url PLANLOKET_DATA_DIR=$OUT/$2 PLANLOKET_BIND=127.0.0.1:$port \
    PLANLOKET_ADMIN_EMAIL=$ADMIN PLANLOKET_ADMIN_PASSWORD=$ADMIN_PASSWORD \
    PLANLOKET_SMTP_URL=smtp://127.0.0.1:$SINK_PORT PLANLOKET_PUBLIC_URL=http://127.0.0.1:$port \
    target/release/planloket serve > "$OUT/$2.log" 2>&1 &
  APP=$!
  PIDS+=("$APP")
  BASE="http://127.0.0.1:$port/api/v1"
  wait_up "$BASE/health"
  DB_FILE=$url
}

for backend in $BACKENDS; do
  echo
  echo "## $backend: sign-ins, then $MINUTES min of mixed load"
  serve "$backend" "day_load"
  wal=""
  [ "$backend" = sqlite ] && wal="$DB_FILE-wal"
  target/release/day load "$BASE" "$ADMIN" "$ADMIN_PASSWORD" "$APP" $((MINUTES * 60)) $wal
  [ "$backend" = sqlite ] && echo "wal_at_end_mib=$(python3 -c "import os,sys; print(round(os.path.getsize(sys.argv[1])/1048576, 1) if os.path.exists(sys.argv[1]) else 0)" "$DB_FILE-wal")"
  kill "$APP"; wait "$APP" 2>/dev/null || true

  echo
  echo "## $backend: the 56-action round, $COPIES rounds at once"
  serve "$backend" "day_round"
  target/release/day round "$BASE" "$ADMIN" "$ADMIN_PASSWORD" "$APP" "$COPIES" demo/actions-2025-2026.json
  echo "sink: $(tail -n 1 "$OUT/sink.log") in all"
  kill "$APP"; wait "$APP" 2>/dev/null || true
done

#!/usr/bin/env bash
# Peak memory through thousands of distinct searches of the work list (the page and the API
# list), each a new cache key: every cache is bounded in bytes, so memory must level off.
# See docs/BENCHMARKS.md.
#
#   bench/searches.sh            # 1k plans on SQLite, 60 s each
#   DURATION=120s bench/searches.sh 100000
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
DURATION=${DURATION:-60s}
PLANLOKET_JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export PLANLOKET_JWT_SECRET
export PLANLOKET_LOG=warn
source bench/lib.sh

URL="$OUT/bench-$N.db"
eval "$(target/release/seed "$URL" "$N")"
APP_PORT=$(free_port)
DATABASE_URL=$URL PLANLOKET_DATA_DIR=$OUT PLANLOKET_BIND=127.0.0.1:$APP_PORT target/release/planloket serve > "$OUT/app.log" 2>&1 &
APP=$!
PIDS+=("$APP")
wait_up "http://127.0.0.1:$APP_PORT/api/v1/health"
echo "Machine: $(nproc) cores; $N plans on SQLite; wrk -t2 -c16 for $DURATION per line; a new search text on every request"
echo
echo "| what | requests | req/s | peak RSS MiB after |"
echo "| --- | --- | --- | --- |"
for kind in page api; do
  PATHS=$kind ROUND=$ROUND SESSION=$SESSION_TEAM TOKEN=$TOKEN_TEAM \
    wrk -t2 -c16 -d"$DURATION" -s bench/searches.lua "http://127.0.0.1:$APP_PORT" > "$OUT/wrk.txt"
  requests=$(awk '/requests in/{print $1}' "$OUT/wrk.txt")
  rps=$(awk '/Requests\/sec/{printf "%.0f", $2}' "$OUT/wrk.txt")
  errors=$(awk '/Non-2xx/{print $5}' "$OUT/wrk.txt")
  [ -z "$errors" ] || { echo "$kind: $errors answers other than 2xx" >&2; exit 1; }
  echo "| distinct searches ($kind) | $requests | $rps | $(rss "$APP") |"
done

#!/usr/bin/env bash
# The load benchmark: planloket against the bare actix-web + diesel endpoint, on SQLite and
# PostgreSQL, at 1k, 10k and 100k plans. Not part of `cargo test`; see docs/BENCHMARKS.md.
#
#   bench/run.sh                 # every size on both databases
#   bench/run.sh 1000 10000      # chosen sizes
#   BACKENDS=sqlite bench/run.sh # one database
#
# Needs wrk (Debian: apt-get install wrk), psql and the PostgreSQL 15 server binaries. Every
# server it starts listens on 127.0.0.1 and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${*:-1000 10000 100000}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
# A new signing key per run (a published one is refused at start-up).
PLANLOKET_JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export PLANLOKET_JWT_SECRET
export PLANLOKET_LOG=warn
source bench/lib.sh

PG_URL=$(.ci/postgres.sh start "$OUT/pg" "$(free_port)" | tail -n 1)
echo "Machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); wrk -t2 for ${DURATION} per line"
echo
row "database" "plans" "endpoint" "conns" "req/s" "p50 ms" "p99 ms" "non-2xx" "ratio to bare" "peak RSS MiB"
row "---" "---" "---" "---" "---" "---" "---" "---" "---" "---"
for backend in ${BACKENDS:-sqlite postgres}; do
  for n in $SIZES; do
    if [ "$backend" = sqlite ]; then
      URL="$OUT/bench-$n.db"
    else
      NAME="bench_$n"
      psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS $NAME" -c "CREATE DATABASE $NAME" >/dev/null
      URL="${PG_URL%/postgres}/$NAME"
    fi
    eval "$(target/release/seed "$URL" "$n")"
    APP_PORT=$(free_port)
    BARE_PORT=$(free_port)
    DATABASE_URL=$URL PLANLOKET_DATA_DIR=$OUT PLANLOKET_BIND=127.0.0.1:$APP_PORT target/release/planloket serve > "$OUT/app.log" 2>&1 &
    APP=$!
    PIDS+=("$APP")
    target/release/bare "$URL" "127.0.0.1:$BARE_PORT" > "$OUT/bare.log" 2>&1 &
    BARE=$!
    PIDS+=("$BARE")
    wait_up "http://127.0.0.1:$APP_PORT/api/v1/health"
    wait_up "http://127.0.0.1:$BARE_PORT/bare/plans/$PLAN"
    A="http://127.0.0.1:$APP_PORT/api/v1"
    read -r bare_rps p50 p99 err < <(measure "$CONNECTIONS" "http://127.0.0.1:$BARE_PORT/bare/plans/$PLAN")
    row "$backend" "$n" "bare: one row by id" "$CONNECTIONS" "$bare_rps" "$p50" "$p99" "$err" "1.00" "$(rss "$BARE")"
    read -r rps p50 p99 err < <(measure "$CONNECTIONS" -H "Authorization: Bearer $TOKEN_TEAM" "$A/plans/$PLAN")
    row "$backend" "$n" "GET /plans/{id}" "$CONNECTIONS" "$rps" "$p50" "$p99" "$err" "$(ratio "$rps" "$bare_rps")" ""
    # The cost of counting for /metrics (issue 34): a second instance on the same database
    # serving /metrics (PLANLOKET_METRICS_TOKEN set), measured right after the first.
    M_PORT=$(free_port)
    DATABASE_URL=$URL PLANLOKET_DATA_DIR=$OUT PLANLOKET_BIND=127.0.0.1:$M_PORT PLANLOKET_METRICS_TOKEN=bench-metrics-token-0123456789abcdef \
      target/release/planloket serve > "$OUT/app-metrics.log" 2>&1 &
    APP_M=$!
    PIDS+=("$APP_M")
    wait_up "http://127.0.0.1:$M_PORT/api/v1/health"
    read -r rps p50 p99 err < <(measure "$CONNECTIONS" -H "Authorization: Bearer $TOKEN_TEAM" "http://127.0.0.1:$M_PORT/api/v1/plans/$PLAN")
    row "$backend" "$n" "GET /plans/{id}, /metrics served (counted)" "$CONNECTIONS" "$rps" "$p50" "$p99" "$err" "$(ratio "$rps" "$bare_rps")" ""
    read -r rps p50 p99 err < <(measure "$CONNECTIONS" -H "Authorization: Bearer $TOKEN_TEAM" "http://127.0.0.1:$M_PORT/api/v1/plans?round=$ROUND&status=submitted&page_size=50")
    row "$backend" "$n" "GET /plans?round&status&page_size=50, /metrics served (counted)" "$CONNECTIONS" "$rps" "$p50" "$p99" "$err" "$(ratio "$rps" "$bare_rps")" ""
    kill "$APP_M"
    wait "$APP_M" 2>/dev/null || true
    read -r rps p50 p99 err < <(measure "$CONNECTIONS" -H "Authorization: Bearer $TOKEN_TEAM" "$A/plans?round=$ROUND&status=submitted&page_size=50")
    row "$backend" "$n" "GET /plans?round&status&page_size=50" "$CONNECTIONS" "$rps" "$p50" "$p99" "$err" "$(ratio "$rps" "$bare_rps")" ""
    read -r rps p50 p99 err < <(measure 16 -H "Authorization: Bearer $TOKEN_TEAM" "$A/plans?round=$ROUND&status=submitted&page_size=50")
    row "$backend" "$n" "GET /plans?round&status&page_size=50" 16 "$rps" "$p50" "$p99" "$err" "$(ratio "$rps" "$bare_rps")" ""
    PAGES=$(python3 -c "import json,sys,urllib.request as u; r=u.Request(sys.argv[1], headers={'Authorization': 'Bearer ' + sys.argv[2]}); print(max(1, -(-json.load(u.urlopen(r))['total'] // 50)))" "$A/plans?round=$ROUND&status=submitted&page_size=50" "$TOKEN_TEAM")
    read -r rps p50 p99 err < <(BASE=/api/v1 ROUND=$ROUND TOKEN=$TOKEN_TEAM PAGES=$PAGES measure "$CONNECTIONS" -s bench/pages.lua "$A")
    row "$backend" "$n" "GET /plans?round&status&page_size=50, pages 1-$PAGES in turn" "$CONNECTIONS" "$rps" "$p50" "$p99" "$err" "$(ratio "$rps" "$bare_rps")" ""
    read -r rps p50 p99 err < <(BASE=/api/v1 ROUND=$ROUND TOKEN=$TOKEN_TEAM PAGES=$PAGES measure 16 -s bench/pages.lua "$A")
    row "$backend" "$n" "GET /plans?round&status&page_size=50, pages 1-$PAGES in turn" 16 "$rps" "$p50" "$p99" "$err" "$(ratio "$rps" "$bare_rps")" ""
    read -r rps p50 p99 err < <(measure 4 -H "Authorization: Bearer $TOKEN_TEAM" "$A/plans/$SIMILAR_PLAN/similar")
    row "$backend" "$n" "GET /plans/{id}/similar (2,000 plans)" 4 "$rps" "$p50" "$p99" "$err" "" ""
    flow=$(target/release/flow "$A" "$ROUND" "$TOKEN_APPLICANT" 1000 16)
    fps=$(echo "$flow" | sed 's/.*flows_per_s=\([0-9]*\).*/\1/')
    fp50=$(echo "$flow" | sed 's/.*p50_ms=\([0-9.]*\).*/\1/')
    fp99=$(echo "$flow" | sed 's/.*p99_ms=\([0-9.]*\).*/\1/')
    row "$backend" "$n" "submit flow: create + submit (flows/s)" 16 "$fps" "$fp50" "$fp99" 0 "" "$(rss "$APP")"
    kill "$APP" "$BARE"
    wait "$APP" "$BARE" 2>/dev/null || true
  done
done

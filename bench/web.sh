#!/usr/bin/env bash
# The web pages against the API answers behind them, in the same run: each page as the plan's
# owner with a browser session, each API answer as the same owner with a bearer token. The
# ratio is the page's requests/s over its API answer's. See docs/BENCHMARKS.md.
#
#   bench/web.sh                 # 1k and 100k plans on both databases
#   bench/web.sh 10000           # chosen sizes
#
# Needs what bench/run.sh needs (wrk, the PostgreSQL 15 server binaries).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${*:-1000 100000}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
PLANLOKET_JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export PLANLOKET_JWT_SECRET
export PLANLOKET_LOG=warn
export PGOPTIONS=--client-min-messages=warning
source bench/lib.sh

PG_URL=$(.ci/postgres.sh start "$OUT/pg" "$(free_port)" | tail -n 1)
echo "Machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); wrk -t2 -c$CONNECTIONS for ${DURATION} per line"
echo
row "database" "plans" "page (connections)" "req/s" "p50 ms" "p99 ms" "API answer behind it" "API req/s" "API p99 ms" "page/API req/s"
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
    DATABASE_URL=$URL PLANLOKET_DATA_DIR=$OUT PLANLOKET_BIND=127.0.0.1:$APP_PORT target/release/planloket serve > "$OUT/app.log" 2>&1 &
    APP=$!
    PIDS+=("$APP")
    wait_up "http://127.0.0.1:$APP_PORT/api/v1/health"
    H="http://127.0.0.1:$APP_PORT"
    # A page deep in the work list: the submitted plans are 6 in 20 of all, 50 a page.
    DEEP=$(( (n * 6 / 20 + 49) / 50 * 4 / 5 ))
    [ "$DEEP" -ge 1 ] || DEEP=1
    # Each pair: who asks (the plan's owner, the team or a board member), the page, then the
    # API answer it is drawn from, asked by the same person, and the connections if not 64
    # (the overview at 100k plans lists 10,000 of them: more at once than the PostgreSQL pool
    # has connections (2) only queue, and wait past its 3 s checkout).
    while IFS='|' read -r who page api conns; do
      conns=${conns:-$CONNECTIONS}
      case "$who" in
        team) COOKIE="Cookie: planloket_sessie=$SESSION_TEAM"; BEARER="Authorization: Bearer $TOKEN_TEAM" ;;
        board) COOKIE="Cookie: planloket_sessie=$SESSION_BOARD"; BEARER="Authorization: Bearer $TOKEN_BOARD" ;;
        *) COOKIE="Cookie: planloket_sessie=$SESSION_OWNER"; BEARER="Authorization: Bearer $TOKEN_OWNER" ;;
      esac
      read -r rps p50 p99 err < <(measure "$conns" -H "$COOKIE" "$H$page")
      [ "$err" = 0 ] || { echo "$page answered $err times with other than 2xx" >&2; exit 1; }
      read -r arps ap50 ap99 aerr < <(measure "$conns" -H "$BEARER" "$H/api/v1$api")
      [ "$aerr" = 0 ] || { echo "$api answered $aerr times with other than 2xx" >&2; exit 1; }
      row "$backend" "$n" "GET $page ($conns)" "$rps" "$p50" "$p99" "GET $api" "$arps" "$ap99" "$(ratio "$rps" "$arps")"
    done <<PAIRS
owner|/plannen/$PLAN|/plans/$PLAN
owner|/mijn-plannen|/plans?page_size=50
team|/beoordelen?ronde=$ROUND&status=submitted|/plans?round=$ROUND&status=submitted&page_size=50
team|/beoordelen?ronde=$ROUND&status=submitted&pagina=$DEEP|/plans?round=$ROUND&status=submitted&page_size=50&page=$DEEP
board|/bestuur|/plans?status=voting&page_size=25
team|/rondes/$ROUND/overzicht|/rounds/$ROUND/overview|2
PAIRS
    kill "$APP"
    wait "$APP" 2>/dev/null || true
  done
done

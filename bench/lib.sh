# Shared by bench/run.sh and bench/web.sh: a scratch dir, the servers started (stopped at exit),
# and the measuring helpers. Sourced from the repository's root.
OUT=$(mktemp -d /tmp/planloket-bench.XXXXXX)
chmod 755 "$OUT"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  .ci/postgres.sh stop "$OUT/pg" >/dev/null 2>&1 || true
  rm -rf "$OUT"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
# BENCH_PREBUILT=1 measures the release binaries already built (while the tree is being
# changed); by default they are built first.
if [ -z "${BENCH_PREBUILT:-}" ]; then
  cargo build --release -q
  cargo build --release -q -p planloket-bench
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_up() {
  for _ in $(seq 1 300); do
    python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "not up: $1" >&2
  exit 1
}
# "requests/s p50-ms p99-ms non-2xx" from `wrk --latency`
measure() {
  local conns=$1
  shift
  wrk -t2 -c"$conns" -d"$DURATION" --latency "$@" > "$OUT/wrk.txt"
  python3 - "$OUT/wrk.txt" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def ms(v, u): return float(v) * {"us": 0.001, "ms": 1, "s": 1000}[u]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
lat = dict((p, ms(v, u)) for p, v, u in re.findall(r"\s(50|99)%\s+([\d.]+)(us|ms|s)", t))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
print(f"{rps:.0f} {lat['50']:.2f} {lat['99']:.2f} {errors.group(1) if errors else 0}")
PY
}
rss() { awk '/VmHWM/{printf "%.0f", $2/1024}' "/proc/$1/status"; }
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
row() { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n" "$@"; }


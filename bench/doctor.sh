#!/usr/bin/env bash
# bench/doctor.sh — gomod-doctor on a go.mod of MODULES small modules, all healthy,
# against one local module proxy that adds DELAY_MS to every response
# (goproxy-delay-server, from tests/support), next to `gomod-fetch -m go.mod` alone and
# `go mod download` on the same servers, in pairs (each round runs all three, the order
# rotating), reporting the medians, the medians of the paired ratios and the load
# average. Targets (issue 14): the doctor at most 2x gomod-fetch, and at least 10x
# faster than go.
#
#   bench/doctor.sh                       200 modules, 50 ms, 5 paired runs
#   JOBS=256 bench/doctor.sh              the tools with -j 256 (default: their own default)
#   MODULES=500 DELAY_MS=20 RUNS=5 bench/doctor.sh
#   GO=/path/to/go bench/doctor.sh        that go (default: go on PATH), 1.21 or later
#
# Every run must succeed (the doctor: exit status 0, go would succeed), or the
# benchmark fails. Everything listens on 127.0.0.1; GOSUMDB=off, GOVCS=*:off,
# GOTOOLCHAIN=local and a scratch GOPATH and module cache for every run.
set -euo pipefail
cd "$(dirname "$0")/.."
modules=${MODULES:-200}
delay_ms=${DELAY_MS:-50}
jobs=${JOBS:-default}
runs=${RUNS:-5}
for setting in "MODULES=$modules" "DELAY_MS=$delay_ms" "JOBS=$jobs" "RUNS=$runs"; do
  [[ ${setting#*=} =~ ^[1-9][0-9]{0,5}$ || $setting == JOBS=default ]] ||
    { echo "bench/doctor.sh: ${setting%%=*} must be a whole number from 1 to 999999, not '${setting#*=}'" >&2; exit 2; }
done
command -v python3 >/dev/null || { echo "bench/doctor.sh: needs python3" >&2; exit 2; }
go=${GO:-$(command -v go || true)}
[ -x "$go" ] || { echo "bench/doctor.sh: no go found (set GO=/path/to/go)" >&2; exit 2; }

make -s build >/dev/null
cargo build --release --quiet --bin goproxy-delay-server -p gomod-testsupport
bin=$PWD/$(make -s release-dir)
server_bin=$PWD/target/release/goproxy-delay-server

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  chmod -R u+w "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$server_bin" --gen "$modules" --gen-dir "$work/gen" >/dev/null
"$server_bin" --dir "$work/gen/proxy" --delay-ms "$delay_ms" --ready-file "$work/ready" >/dev/null &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/ready" ] && break; sleep 0.05; done
url=$(cat "$work/ready")

export GOPROXY=$url GOSUMDB=off GOVCS='*:off' GOTOOLCHAIN=local GOFLAGS=-modcacherw GOENV=off
export PATH="$bin:$PATH"
jobs_flag=()
[ "$jobs" = default ] || jobs_flag=(-j "$jobs")
main=$work/gen/main
echo "proxy $url, $modules modules, +${delay_ms} ms per response, $runs paired runs (the tools ${jobs_flag[*]:-with their defaults})"
result=$(python3 bench/paired.py "$runs" "$work" \
  "doctor=$main" -- "$bin/gomod-doctor" "${jobs_flag[@]}" --format json -m go.mod \
  "fetch=$main" -- "$bin/gomod-fetch" "${jobs_flag[@]}" -m go.mod \
  "go=$main" -- "$go" mod download)
python3 - "$result" <<'PY'
import json, statistics, sys
r = json.loads(sys.argv[1])
t, m = r["times"], r["median"]
slower = statistics.median(d / f for d, f in zip(t["doctor"], t["fetch"]))
faster = statistics.median(g / d for d, g in zip(t["doctor"], t["go"]))
print(f"times (s): gomod-doctor {t['doctor']}, gomod-fetch {t['fetch']}, go {t['go']}")
print(f"load average before {r['load_before']}, after {r['load_after']} (other work on the machine moves every side)")
print(f"gomod-doctor {m['doctor']:.3f}s, gomod-fetch -m go.mod {m['fetch']:.3f}s, go mod download {m['go']:.3f}s (medians)")
print(f"doctor / gomod-fetch, median of the paired runs: {slower:.2f}x (target at most 2x) {'OK' if slower <= 2 else 'ABOVE TARGET'}")
print(f"go mod download / doctor, median of the paired runs: {faster:.1f}x faster (target at least 10x) {'OK' if faster >= 10 else 'BELOW TARGET'}")
PY

#!/usr/bin/env bash
# bench/resolve.sh — gomod-resolve against the go command, side by side, one run.
#
# Measures start-up plus one offline route (gomod-resolve --offline MODULE@VERSION)
# against `go env GOPROXY`, the cheapest way to ask the go command about its routing,
# and prints the ratio. Target (issue 2): at least 3x faster than go env.
#
#   bench/resolve.sh [RUNS]         RUNS per command (default 300)
#   GO=/path/to/go bench/resolve.sh use that go (default: go on PATH)
#
# Both commands run in the same clean environment: a scratch HOME, GOENV off, and
# GOTOOLCHAIN=local, so neither reads this machine's configuration or the network.
# With hyperfine installed (Debian package hyperfine) its statistics are used;
# otherwise a plain loop measures the mean.
#
# /bin/true is measured too: the cost of creating any process on this machine is in
# both numbers, and the report shows the ratio with and without it.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-300}
make -s build >/dev/null
resolve=$PWD/$(make -s release-dir)/gomod-resolve
go=${GO:-$(command -v go || true)}
[ -n "$go" ] || { echo "bench/resolve.sh: no go on PATH (set GO=/path/to/go)" >&2; exit 2; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export HOME=$scratch GOENV=off GOTOOLCHAIN=local PATH="$(dirname "$go"):/usr/bin:/bin"
ours="$resolve --offline golang.org/x/net@v0.30.0"
theirs="$go env GOPROXY"
floor="/bin/true"
$ours >/dev/null
$theirs >/dev/null

echo "go:     $($go version)"
echo "ours:   $($resolve --version)"
echo "runs:   $runs each"
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 20 --runs "$runs" --shell=none --export-json "$scratch/h.json" "$ours" "$theirs" "$floor" >/dev/null
  read -r ours_mean theirs_mean floor_mean < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(r[0]["mean"], r[1]["mean"], r[2]["mean"])' "$scratch/h.json")
else
  mean() {
    local start end i
    start=$(date +%s%N)
    for ((i = 0; i < runs; i++)); do $1 >/dev/null; done
    end=$(date +%s%N)
    python3 -c "print(($end - $start) / $runs / 1e9)"
  }
  ours_mean=$(mean "$ours")
  theirs_mean=$(mean "$theirs")
  floor_mean=$(mean "$floor")
fi
python3 - "$ours_mean" "$theirs_mean" "$floor_mean" <<'PY'
import sys
ours, theirs, floor = map(float, sys.argv[1:])
ratio = theirs / ours
print(f"gomod-resolve --offline MODULE@VERSION  {ours*1000:8.2f} ms")
print(f"go env GOPROXY                          {theirs*1000:8.2f} ms")
print(f"/bin/true (process creation)            {floor*1000:8.2f} ms")
print(f"ratio (go / ours): {ratio:.1f}x   target: >= 3x   {'ok' if ratio >= 3 else 'BELOW TARGET'}")
print(f"ratio above process creation ((go - true) / (ours - true)): {(theirs - floor) / max(ours - floor, 1e-9):.1f}x")
PY

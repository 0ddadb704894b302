#!/usr/bin/env bash
# bench/direct.sh — direct (git) modules: gomod-fetch next to `GOPROXY=direct go mod
# download`, both against one local git origin (git-origin-server from tests/support:
# git's smart HTTP on 127.0.0.1, adding DELAY_MS to every HTTP request git makes, and a
# CONNECT proxy answering the go-get pages of example.com), with a fresh module cache for
# every run.
#
# The origin answers each request with `git upload-pack --stateless-rpc`, run directly
# as hosted origins run it behind their own front ends, not through `git http-backend`
# (the tests' origin), whose CGI program adds two processes per request (the `git`
# wrapper and git-http-backend). The origin shares the client's cores here, where on a
# real network it runs on its own machine: through http-backend it took 1.55 of the 4.15
# CPU-seconds of a gomod-fetch run on 2 cores, run directly 0.66. Its CPU over all the
# runs is reported.
#
#   MODULES modules, one repository each, tagged v1.0.0, required by one go.mod:
#   `gomod-fetch -m go.mod --cache DIR` against `go mod download`, in pairs (each round
#   runs both, the order alternating), reporting the medians, the median of the paired
#   ratios, the load average, and the floor: gomod-fetch on one of the modules alone.
#   Target (issue 12): at least 5x (go runs its git commands one module after another).
#
# Every run must fetch everything, or the benchmark fails.
#
#   bench/direct.sh                       50 modules, 50 ms, 5 paired runs
#   JOBS=64 bench/direct.sh               gomod-fetch -j 64 (default: its own default)
#   MODULES=20 DELAY_MS=20 RUNS=1 bench/direct.sh
#   GO=/path/to/go bench/direct.sh        that go (default: go on PATH)
#   ORIGIN=http-backend bench/direct.sh   the origin through git http-backend, as in the tests
#
# Everything listens on 127.0.0.1; go runs with GOPROXY=direct, GOSUMDB=off,
# GOVCS='*:git', GOTOOLCHAIN=local, a scratch GOPATH and no git configuration of the
# user's (GIT_CONFIG_GLOBAL=/dev/null, GIT_CONFIG_NOSYSTEM=1), so nothing leaves the
# machine.
set -euo pipefail
cd "$(dirname "$0")/.."
modules=${MODULES:-50}
delay_ms=${DELAY_MS:-50}
jobs=${JOBS:-default}
runs=${RUNS:-5}
case ${ORIGIN:-upload-pack} in
  upload-pack) origin_flag=(--upload-pack) ;;
  http-backend) origin_flag=() ;;
  *) echo "bench/direct.sh: ORIGIN must be upload-pack or http-backend, not '$ORIGIN'" >&2; exit 2 ;;
esac
for setting in "MODULES=$modules" "DELAY_MS=$delay_ms" "JOBS=$jobs" "RUNS=$runs"; do
  [[ ${setting#*=} =~ ^[1-9][0-9]{0,5}$ || $setting == JOBS=default ]] ||
    { echo "bench/direct.sh: ${setting%%=*} must be a whole number from 1 to 999999, not '${setting#*=}'" >&2; exit 2; }
done
command -v python3 >/dev/null || { echo "bench/direct.sh: needs python3" >&2; exit 2; }
command -v git >/dev/null || { echo "bench/direct.sh: needs git" >&2; exit 2; }
go=${GO:-$(command -v go || true)}
[ -x "$go" ] || { echo "bench/direct.sh: no go found (set GO=/path/to/go)" >&2; exit 2; }

make -s build >/dev/null
cargo build --release --quiet --bin git-origin-server -p gomod-testsupport
fetch=$PWD/$(make -s release-dir)/gomod-fetch
server_bin=$PWD/target/release/git-origin-server

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  chmod -R u+w "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The server serves until its standard input ends (a pipe held open by this script).
mkfifo "$work/stdin"
"$server_bin" "${origin_flag[@]}" --root "$work/root" --gen "$modules" --delay-ms "$delay_ms" \
  --ready-file "$work/ready" <"$work/stdin" >/dev/null 2>"$work/server.log" &
server_pid=$!
exec 4>"$work/stdin"
for _ in $(seq 600); do [ -s "$work/ready" ] && break; sleep 0.1; done
[ -s "$work/ready" ] || { echo "bench/direct.sh: the origin did not start" >&2; cat "$work/server.log" >&2; exit 1; }
read -r origin proxy <"$work/ready"

export GOPROXY=direct GOSUMDB=off GOVCS='*:git' GOTOOLCHAIN=local GOFLAGS=-modcacherw GOENV=off \
  HTTPS_PROXY=$proxy SSL_CERT_FILE=$work/root/ca.pem GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

# One module alone: the floor, what all of them would take if nothing waited on anything.
mkdir -p "$work/one"
first=$(sed -n 's/^\t\(example.com[^ ]*\) v1.0.0$/\1/p;T;q' "$work/root/main/go.mod")
printf 'module example.com/one\n\ngo 1.21\n\nrequire %s v1.0.0\n' "$first" >"$work/one/go.mod"

jobs_flag=()
[ "$jobs" = default ] || jobs_flag=(-j "$jobs")
main=$work/root/main
echo "origin $origin, $modules direct modules (one repository each), +${delay_ms} ms per request, $runs paired runs (gomod-fetch ${jobs_flag[*]:-with its defaults})"
# The origin's CPU: the processes it ran and waited for (cutime + cstime, in ticks).
origin_ticks() { awk '{ print $16 + $17 }' "/proc/$server_pid/stat"; }
ticks_before=$(origin_ticks)
result=$(python3 bench/paired.py "$runs" "$work" \
  "fetch=$main" -- "$fetch" "${jobs_flag[@]}" --cache CACHE -m go.mod \
  "go=$main" -- "$go" mod download \
  "floor=$work/one" -- "$fetch" --cache CACHE -m go.mod)
origin_cpu=$(( $(origin_ticks) - ticks_before ))
python3 - "$result" "$modules" "$origin_cpu" "$(getconf CLK_TCK)" "$runs" <<'PY'
import json, os, statistics, sys
r, modules = json.loads(sys.argv[1]), sys.argv[2]
origin_cpu, runs = int(sys.argv[3]) / int(sys.argv[4]), int(sys.argv[5])
t, m = r["times"], r["median"]
ratio = statistics.median(g / f for f, g in zip(t["fetch"], t["go"]))
print(f"times (s): gomod-fetch {t['fetch']}, go {t['go']}, one module alone {t['floor']}")
print(f"load average before {r['load_before']}, after {r['load_after']} (other work on the machine moves both sides)")
print(f"{modules} direct modules: gomod-fetch {m['fetch']:.3f}s, go {m['go']:.3f}s (medians), floor (one module alone) {m['floor']:.3f}s")
c, cores = r["cpu_median"], os.cpu_count() or 1
print(f"CPU (user + system, the git it runs included; the origin's is on the same cores, not counted): "
      f"gomod-fetch {c['fetch']:.2f}s, go {c['go']:.2f}s; on {cores} cores gomod-fetch cannot take less than {c['fetch'] / cores:.2f}s")
print(f"the origin ({os.environ.get('ORIGIN', 'upload-pack')}), on the same cores: {origin_cpu:.2f} CPU-s over all {runs} rounds of the three commands")
print(f"go / gomod-fetch, median of the paired runs: {ratio:.1f}x faster (target 5x) {'OK' if ratio >= 5 else 'BELOW TARGET'}")
PY
exec 4>&-

#!/usr/bin/env bash
# bench/direct.sh — direct (git) modules: gomod-fetch next to `GOPROXY=direct go mod
# download`, both against one local git origin (git-origin-server from tests/support:
# `git http-backend` on 127.0.0.1, adding DELAY_MS to every HTTP request git makes, and a
# CONNECT proxy answering the go-get pages of example.com), with a fresh module cache for
# every run.
#
#   MODULES modules, one repository each, tagged v1.0.0, required by one go.mod:
#   `gomod-fetch -m go.mod --cache DIR -j JOBS` against `go mod download`.
#   Target (issue 12): at least 5x (go runs its git commands one module after another).
#
# Every run must fetch everything, or the benchmark fails.
#
#   bench/direct.sh                       50 modules, 50 ms, -j 64, 3 runs each
#   MODULES=20 DELAY_MS=20 RUNS=1 bench/direct.sh
#   GO=/path/to/go bench/direct.sh        that go (default: go on PATH)
#
# Everything listens on 127.0.0.1; go runs with GOPROXY=direct, GOSUMDB=off,
# GOVCS='*:git', GOTOOLCHAIN=local, a scratch GOPATH and no git configuration of the
# user's (GIT_CONFIG_GLOBAL=/dev/null, GIT_CONFIG_NOSYSTEM=1), so nothing leaves the
# machine.
set -euo pipefail
cd "$(dirname "$0")/.."
modules=${MODULES:-50}
delay_ms=${DELAY_MS:-50}
jobs=${JOBS:-64}
runs=${RUNS:-3}
for setting in "MODULES=$modules" "DELAY_MS=$delay_ms" "JOBS=$jobs" "RUNS=$runs"; do
  [[ ${setting#*=} =~ ^[0-9]{1,6}$ ]] ||
    { echo "bench/direct.sh: ${setting%%=*} must be a whole number, not '${setting#*=}'" >&2; exit 2; }
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
"$server_bin" --root "$work/root" --gen "$modules" --delay-ms "$delay_ms" \
  --ready-file "$work/ready" <"$work/stdin" >/dev/null 2>"$work/server.log" &
server_pid=$!
exec 4>"$work/stdin"
for _ in $(seq 600); do [ -s "$work/ready" ] && break; sleep 0.1; done
[ -s "$work/ready" ] || { echo "bench/direct.sh: the origin did not start" >&2; cat "$work/server.log" >&2; exit 1; }
read -r origin proxy <"$work/ready"

export GOPROXY=direct GOSUMDB=off GOVCS='*:git' GOTOOLCHAIN=local GOFLAGS=-modcacherw GOENV=off \
  HTTPS_PROXY=$proxy SSL_CERT_FILE=$work/root/ca.pem GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

# Runs "$@" RUNS times in the main module with a fresh cache (CACHE in the arguments is
# replaced); prints the best wall time in seconds.
measure() {
  python3 - "$runs" "$work" "$@" <<'PY'
import os, shutil, subprocess, sys, time
runs, work, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
best = None
for i in range(runs):
    cache = os.path.join(work, f"cache{i}")
    env = dict(os.environ, GOMODCACHE=cache, GOPATH=os.path.join(work, f"gopath{i}"),
               GOCACHE=os.path.join(work, "gocache"))
    args = [a.replace("CACHE", cache) for a in argv]
    start = time.perf_counter()
    p = subprocess.run(args, env=env, cwd=os.path.join(work, "root", "main"),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    took = time.perf_counter() - start
    if p.returncode != 0:
        sys.stderr.write(f"run failed ({p.returncode}): {' '.join(args)}\n{p.stderr.decode()[-2000:]}\n{p.stdout.decode()[-2000:]}\n")
        sys.exit(1)
    best = took if best is None else min(best, took)
    subprocess.run(["chmod", "-R", "u+w", cache], stderr=subprocess.DEVNULL)
    shutil.rmtree(cache, ignore_errors=True)
print(f"{best:.3f}")
PY
}

echo "origin $origin, $modules direct modules (one repository each), +${delay_ms} ms per request, best of $runs runs"
ours=$(measure "$fetch" -j "$jobs" --cache CACHE -m go.mod)
theirs=$(measure "$go" mod download)
python3 -c "
ours, go = $ours, $theirs
ratio = go / ours
print(f'$modules direct modules: gomod-fetch {ours:.3f}s, go {go:.3f}s: {ratio:.1f}x faster (target 5x) {\"OK\" if ratio >= 5 else \"BELOW TARGET\"}')
"
exec 4>&-

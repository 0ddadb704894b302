#!/usr/bin/env bash
# bench/doctor.sh — gomod-doctor on a go.mod of MODULES small modules, all healthy,
# against one local module proxy that adds DELAY_MS to every response
# (goproxy-delay-server, from tests/support), next to `gomod-fetch -m go.mod` alone and
# `go mod download` on the same servers. Targets (issue 14): the doctor at most 2x
# gomod-fetch, and at least 10x faster than go.
#
#   bench/doctor.sh                       200 modules, 50 ms, -j 256, 3 runs each
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
jobs=${JOBS:-256}
runs=${RUNS:-3}
for setting in "MODULES=$modules" "DELAY_MS=$delay_ms" "JOBS=$jobs" "RUNS=$runs"; do
  [[ ${setting#*=} =~ ^[1-9][0-9]{0,5}$ ]] ||
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

# Runs "$@" RUNS times, each with a fresh module cache and GOPATH; prints the best
# wall time in seconds.
measure() {
  python3 - "$runs" "$work" "$@" <<'PY'
import os, shutil, subprocess, sys, time
runs, work, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
best = None
for i in range(runs):
    cache = os.path.join(work, f"cache{i}")
    env = dict(os.environ, GOMODCACHE=cache, GOPATH=os.path.join(work, f"gopath{i}"),
               GOCACHE=os.path.join(work, "gocache"))
    start = time.perf_counter()
    p = subprocess.run(argv, env=env, cwd=os.path.join(work, "gen", "main"),
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    took = time.perf_counter() - start
    if p.returncode != 0:
        sys.stderr.write(f"run failed ({p.returncode}): {' '.join(argv)}\n{p.stderr.decode()[-2000:]}\n")
        sys.exit(1)
    best = took if best is None else min(best, took)
    subprocess.run(["chmod", "-R", "u+w", cache], stderr=subprocess.DEVNULL)
    shutil.rmtree(cache, ignore_errors=True)
print(f"{best:.3f}")
PY
}

export GOPROXY=$url GOSUMDB=off GOVCS='*:off' GOTOOLCHAIN=local GOFLAGS=-modcacherw GOENV=off
export PATH="$bin:$PATH"
echo "proxy $url, $modules modules, +${delay_ms} ms per response, best of $runs runs"
doctor=$(measure "$bin/gomod-doctor" -j "$jobs" --format json -m go.mod)
fetch=$(measure "$bin/gomod-fetch" -j "$jobs" -m go.mod)
theirs=$(measure "$go" mod download)
python3 -c "
doctor, fetch, go = $doctor, $fetch, $theirs
slower = doctor / fetch
faster = go / doctor
print(f'gomod-doctor {doctor:.3f}s, gomod-fetch -m go.mod {fetch:.3f}s, go mod download {go:.3f}s')
print(f'doctor / gomod-fetch: {slower:.2f}x (target at most 2x) {\"OK\" if slower <= 2 else \"ABOVE TARGET\"}')
print(f'go mod download / doctor: {faster:.1f}x faster (target at least 10x) {\"OK\" if faster >= 10 else \"BELOW TARGET\"}')
"

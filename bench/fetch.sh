#!/usr/bin/env bash
# bench/fetch.sh — gomod-fetch next to `go mod download`, both against one local module
# proxy that adds DELAY_MS to every response (goproxy-delay-server, from tests/support;
# TCP_NODELAY on every connection), with a fresh module cache for every run.
#
#   1. MODULES small modules (a go.mod requiring all of them): `gomod-fetch -m go.mod
#      --cache DIR -j JOBS` against `go mod download`. Target (issue 5): at least 30x.
#   2. One module (info, mod, zip): `gomod-fetch --cache DIR M@V` against `go mod
#      download M@V`. Target: at least 2.5x (the three requests go out together).
#   3. One large module (BIG_FILES files, about 100 MB zipped for 11000, from
#      bench/make-module-zip.py), no added delay: time and peak RSS of both. Target:
#      gomod-fetch at most 10 MB peak RSS whatever the zip size (go: about 28 MB).
#
# Every run must fetch everything, or the benchmark fails. Peak RSS of each side is
# reported too. The zip-hashing benchmark (100 MB zip, 11,000 files) is bench/hash.sh.
#
#   bench/fetch.sh                        200 modules, 50 ms, -j 256, 3 runs each
#   MODULES=500 DELAY_MS=20 RUNS=5 bench/fetch.sh
#   GO=/path/to/go bench/fetch.sh         that go (default: go on PATH), 1.21 or later
#
# Everything listens on 127.0.0.1; go runs with GOPROXY pointing there, GOSUMDB=off,
# GOVCS=*:off, GOTOOLCHAIN=local and a scratch GOPATH, so nothing leaves the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
modules=${MODULES:-200}
delay_ms=${DELAY_MS:-50}
jobs=${JOBS:-default}
big_files=${BIG_FILES:-11000}
runs=${RUNS:-3}
for setting in "MODULES=$modules" "DELAY_MS=$delay_ms" "JOBS=$jobs" "RUNS=$runs"; do
  [[ ${setting#*=} =~ ^[1-9][0-9]{0,5}$ || $setting == JOBS=default ]] ||
    { echo "bench/fetch.sh: ${setting%%=*} must be a whole number from 1 to 999999, not '${setting#*=}'" >&2; exit 2; }
done
command -v python3 >/dev/null || { echo "bench/fetch.sh: needs python3" >&2; exit 2; }
go=${GO:-$(command -v go || true)}
[ -x "$go" ] || { echo "bench/fetch.sh: no go found (set GO=/path/to/go)" >&2; exit 2; }

make -s build >/dev/null
cargo build --release --quiet --bin goproxy-delay-server -p gomod-testsupport
fetch=$PWD/$(make -s release-dir)/gomod-fetch
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
one=$(awk '/^\texample\.com/ { print $1 "@" $2; exit }' "$work/gen/main/go.mod")

# Runs "$@" RUNS times with a fresh cache (the word CACHE in the arguments or in
# GOMODCACHE is replaced); prints the best wall time in seconds and the peak RSS in KiB.
measure() {
  python3 - "$runs" "$work" "$@" <<'EOF'
import os, shutil, subprocess, sys, time
runs, work, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
# GNU time reports the measured program's own peak RSS; Python's RUSAGE_CHILDREN
# would also count its own forks.
timer = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
rss_file = os.path.join(work, "rss")
best, rss = None, 0
for i in range(runs):
    cache = os.path.join(work, f"cache{i}")
    gopath = os.path.join(work, f"gopath{i}")
    env = dict(os.environ, GOMODCACHE=cache, GOPATH=gopath, GOCACHE=os.path.join(work, "gocache"))
    args = [a.replace("CACHE", cache) for a in argv]
    if timer:
        args = [timer, "-f", "%M", "-o", rss_file] + args
    start = time.perf_counter()
    p = subprocess.run(args, env=env, cwd=os.path.join(work, "gen", "main"),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    took = time.perf_counter() - start
    if p.returncode != 0:
        sys.stderr.write(f"run failed ({p.returncode}): {' '.join(args)}\n{p.stderr.decode()[-2000:]}\n")
        sys.exit(1)
    best = took if best is None else min(best, took)
    if timer:
        rss = max(rss, int(open(rss_file).read().split()[-1]))
    subprocess.run(["chmod", "-R", "u+w", cache], stderr=subprocess.DEVNULL)
    shutil.rmtree(cache, ignore_errors=True)
print(f"{best:.3f} {rss}")
EOF
}

export GOPROXY=$url GOSUMDB=off GOVCS='*:off' GOTOOLCHAIN=local GOFLAGS=-modcacherw GOENV=off
report() {
  local name=$1 ours=$2 theirs=$3 target=$4
  read -r our_s our_rss <<<"$ours"
  read -r go_s go_rss <<<"$theirs"
  python3 -c "
ours, go, target = $our_s, $go_s, $target
ratio = go / ours
print(f'$name: gomod-fetch {ours:.3f}s ({$our_rss} KiB peak), go {go:.3f}s ({$go_rss} KiB peak): {ratio:.1f}x faster (target {target}x) {\"OK\" if ratio >= target else \"BELOW TARGET\"}')
"
}

echo "proxy $url, $modules modules, +${delay_ms} ms per response, best of $runs runs"
jobs_flag=()
[ "$jobs" = default ] || jobs_flag=(-j "$jobs")
ours=$(measure "$fetch" "${jobs_flag[@]}" --cache CACHE -m go.mod)
theirs=$(measure "$go" mod download)
report "$modules modules" "$ours" "$theirs" 30
ours=$(measure "$fetch" --cache CACHE "$one")
theirs=$(measure "$go" mod download "$one")
report "one module ($one)" "$ours" "$theirs" 2.5

# 3. A large module: its zip streamed to disk, checked and hashed from there.
big=$work/gen/proxy/example.com/big/@v
mkdir -p "$big"
python3 bench/make-module-zip.py "$big/v1.0.0.zip" "$big_files" example.com/big v1.0.0
printf 'module example.com/big\n\ngo 1.21\n' >"$big/v1.0.0.mod"
printf '{"Version":"v1.0.0","Time":"2026-01-01T00:00:00Z"}\n' >"$big/v1.0.0.info"
printf 'v1.0.0\n' >"$big/list"
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
rm -f "$work/ready"
"$server_bin" --dir "$work/gen/proxy" --delay-ms 0 --ready-file "$work/ready" >/dev/null &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/ready" ] && break; sleep 0.05; done
export GOPROXY=$(cat "$work/ready")
zip_mb=$(( $(stat -c %s "$big/v1.0.0.zip") >> 20 ))
ours=$(measure "$fetch" --cache CACHE example.com/big@v1.0.0)
theirs=$(measure "$go" mod download example.com/big@v1.0.0)
report "large module (${zip_mb} MB zip, $big_files files)" "$ours" "$theirs" 1
read -r _ our_rss <<<"$ours"
if [ "$our_rss" -le 10240 ]; then
  echo "large module: gomod-fetch peak RSS ${our_rss} KiB: within the 10 MB target"
else
  echo "large module: gomod-fetch peak RSS ${our_rss} KiB: ABOVE the 10 MB target"
fi

#!/usr/bin/env bash
# bench/fetch-sumverify.sh — the download-and-verify pipeline, `gomod-fetch -m go.mod |
# gomod-sumverify`, next to `go mod download` with GOSUMDB set, both against the same
# local module proxy and checksum database, each adding DELAY_MS to every response.
#
# The proxy (goproxy-delay-server, from tests/support) serves MODULES generated small
# modules; the database (sumdb-delay-server --from-gosum) holds exactly their go.sum
# lines, signed. Both sides start from a main module whose go.mod requires every module
# and that has no go.sum, with a fresh module cache and fresh checksum-database state
# for every run, so each must download every module and look every one up in the
# database, checking the proofs (go writes go.sum; gomod-sumverify prints a record per
# module version, which must all be "verified", or the benchmark fails).
# Target (issue 6): at least 20x faster.
#
#   bench/fetch-sumverify.sh                 200 modules, 50 ms, -j 256, 3 runs each
#   MODULES=500 DELAY_MS=20 RUNS=5 bench/fetch-sumverify.sh
#   GO=/path/to/go bench/fetch-sumverify.sh  that go (default: go on PATH), 1.21 or later
#
# Everything listens on 127.0.0.1; go runs with GOPROXY and GOSUMDB pointing there,
# GOVCS=*:off, GOTOOLCHAIN=local and a scratch GOPATH, so nothing leaves the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
modules=${MODULES:-200}
delay_ms=${DELAY_MS:-50}
jobs=${JOBS:-default}
runs=${RUNS:-3}
for setting in "MODULES=$modules" "DELAY_MS=$delay_ms" "JOBS=$jobs" "RUNS=$runs"; do
  [[ ${setting#*=} =~ ^[1-9][0-9]{0,5}$ || $setting == JOBS=default ]] ||
    { echo "bench/fetch-sumverify.sh: ${setting%%=*} must be a whole number from 1 to 999999, not '${setting#*=}'" >&2; exit 2; }
done
command -v python3 >/dev/null || { echo "bench/fetch-sumverify.sh: needs python3" >&2; exit 2; }
go=${GO:-$(command -v go || true)}
[ -n "$go" ] && [ -x "$go" ] || { echo "bench/fetch-sumverify.sh: no go found (set GO=/path/to/go)" >&2; exit 2; }

# Cheap when up to date; never measures a stale binary.
make -s build >/dev/null
cargo build --release --locked --quiet --bin goproxy-delay-server --bin sumdb-delay-server -p gomod-testsupport
servers=$PWD/target/release
ours=$PWD/$(make -s release-dir)

work=$(mktemp -d)
proxy_pid=
cleanup() {
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null || true
  exec 3>&- 2>/dev/null || true
  chmod -R u+w "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# No configuration from this machine: no proxies, no go env file.
unset HTTP_PROXY HTTPS_PROXY ALL_PROXY NO_PROXY http_proxy https_proxy all_proxy no_proxy
export HOME=$work GOENV=off GOTOOLCHAIN=local GOFLAGS=-modcacherw GOVCS='*:off' \
  GONOSUMDB= GONOSUMCHECK= GOPRIVATE= GONOPROXY= GOINSECURE=

"$servers/goproxy-delay-server" --gen "$modules" --gen-dir "$work/gen" >/dev/null
"$servers/goproxy-delay-server" --dir "$work/gen/proxy" --delay-ms "$delay_ms" --ready-file "$work/proxy-ready" >/dev/null &
proxy_pid=$!
# The database stops when its standard input (fd 3 here) closes.
exec 3> >("$servers/sumdb-delay-server" --from-gosum "$work/gen/main/go.sum" --delay-ms "$delay_ms" \
  --ready-file "$work/sumdb-ready" --exit-on-eof >/dev/null 2>&1)
for _ in $(seq 200); do [ -s "$work/proxy-ready" ] && [ -s "$work/sumdb-ready" ] && break; sleep 0.05; done
[ -s "$work/proxy-ready" ] && [ -s "$work/sumdb-ready" ] ||
  { echo "bench/fetch-sumverify.sh: the servers did not start" >&2; exit 2; }
export GOPROXY=$(cat "$work/proxy-ready")
export GOSUMDB=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["gosumdb"])' "$work/sumdb-ready")
# Both sides start from go.mod alone.
mkdir "$work/main"
cp "$work/gen/main/go.mod" "$work/gen/main/main.go" "$work/main/"

echo "proxy $GOPROXY and database ${GOSUMDB#* }, $modules modules, +${delay_ms} ms per response, best of $runs runs"
python3 - "$runs" "$work" "$ours" "$jobs" "$modules" "$go" <<'EOF'
import json, os, shutil, subprocess, sys, time

runs, work, ours_dir, jobs, modules, go = sys.argv[1:]
runs, modules = int(runs), int(modules)
main = os.path.join(work, "main")

def ours(i):
    cache, state = os.path.join(work, f"cache{i}"), os.path.join(work, f"state{i}")
    j = "" if jobs == "default" else f" -j {jobs}"
    pipeline = (f'"{ours_dir}/gomod-fetch"{j} --cache "{cache}" -m go.mod | '
                f'"{ours_dir}/gomod-sumverify"{j} --state-dir "{state}"')
    start = time.perf_counter()
    p = subprocess.run(["bash", "-o", "pipefail", "-c", pipeline], cwd=main,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    took = time.perf_counter() - start
    for d in (cache, state):
        subprocess.run(["chmod", "-R", "u+w", d], stderr=subprocess.DEVNULL)
        shutil.rmtree(d, ignore_errors=True)
    records = [json.loads(line) for line in p.stdout.splitlines()]
    verified = sum(1 for r in records if r.get("verdict") == "verified")
    if p.returncode != 0 or verified != modules:
        bad = next((r for r in records if r.get("verdict") != "verified"), None)
        sys.exit(f"bench/fetch-sumverify.sh: {verified} of {modules} verified (exit {p.returncode}): "
                 f"{p.stderr.decode()[-500:]} {json.dumps(bad)[:800] if bad else ''}")
    return took

def theirs(i):
    gopath = os.path.join(work, f"gopath{i}")
    gosum = os.path.join(main, "go.sum")
    env = dict(os.environ, GOPATH=gopath, GOMODCACHE=os.path.join(gopath, "pkg", "mod"))
    start = time.perf_counter()
    p = subprocess.run([go, "mod", "download"], cwd=main, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    took = time.perf_counter() - start
    lines = open(gosum).read().splitlines() if os.path.exists(gosum) else []
    if os.path.exists(gosum):
        os.remove(gosum)
    looked_up = os.path.isdir(os.path.join(gopath, "pkg", "sumdb"))
    shutil.rmtree(gopath, ignore_errors=True)
    # go writes the go.mod lines (since Go 1.17 not the zip lines, for a bare `go mod
    # download`); the lines it checks the zips against come from the same lookups.
    listed = {line.split()[0] for line in lines if line.strip()}
    if p.returncode != 0 or len(listed) != modules or not looked_up:
        sys.exit(f"bench/fetch-sumverify.sh: go mod download failed or skipped the database "
                 f"(exit {p.returncode}, {len(listed)} modules in go.sum): {p.stderr.decode()[-800:]}")
    return took

best = {}
for name, run in (("ours", ours), ("go", theirs)):
    best[name] = min(run(i) for i in range(runs))
ratio = best["go"] / best["ours"]
version = subprocess.run([go, "env", "GOVERSION"], stdout=subprocess.PIPE, text=True).stdout.strip()
print(f"gomod-fetch -m go.mod | gomod-sumverify: {best['ours']:.3f} s")
print(f"go mod download ({version}, GOSUMDB set): {best['go']:.3f} s")
print(f"  {ratio:.1f}x faster (target: at least 20x) {'OK' if ratio >= 20 else 'BELOW TARGET'}")
EOF

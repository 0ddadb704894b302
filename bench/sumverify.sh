#!/usr/bin/env bash
# bench/sumverify.sh — gomod-sumverify looking module versions up in a checksum database,
# next to x/mod's sumdb.Client (the go command's client) doing the same lookups.
#
# A local database (sumdb-delay-server, from tests/support) holds RECORDS generated
# records and answers every request after DELAY_MS. Both clients look up the same
# LOOKUPS module versions, spread evenly over the log (so nearly every lookup needs
# tiles of its own), starting with no state: gomod-sumverify with a fresh --state-dir
# and -j JOBS; the Go program bench/go/sumdbbench with GO_JOBS lookups in flight,
# keeping its tree head, lookups and tiles on disk in a fresh directory as the go command
# keeps them in a fresh GOPATH (both sides write the same files, in the same kind of
# directory). Each run gets a fresh server, which counts the requests it answered.
# Every lookup must be verified, or the benchmark fails. Run it on an otherwise idle
# machine: the state files make both sides sensitive to other disk and CPU load.
#
# Reported: wall time (best of RUNS), HTTP requests, CPU (user + system) per lookup,
# and the ratios. Targets: no more requests than Go, at least 8x faster, at least 3x
# less CPU per lookup.
#
#   bench/sumverify.sh                    1000 lookups, 1,000,000 records, 50 ms, -j 256, Go 16
#   LOOKUPS=200 RECORDS=100000 DELAY_MS=20 JOBS=64 RUNS=5 bench/sumverify.sh
#   GO=/path/to/go bench/sumverify.sh     that go (default: go on PATH), 1.21 or later
#
# The Go program is built in GOPATH mode against x/mod from XMOD_GOPATH (default
# /usr/share/gocode, where Debian's golang-golang-x-mod-dev puts v0.7.0). Everything
# listens on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
lookups=${LOOKUPS:-1000}
records=${RECORDS:-1000000}
delay_ms=${DELAY_MS:-50}
jobs=${JOBS:-default}
go_jobs=${GO_JOBS:-16}
runs=${RUNS:-3}
for setting in "LOOKUPS=$lookups" "RECORDS=$records" "DELAY_MS=$delay_ms" "JOBS=$jobs" "GO_JOBS=$go_jobs" "RUNS=$runs"; do
  [[ ${setting#*=} =~ ^[1-9][0-9]{0,7}$ || $setting == JOBS=default ]] ||
    { echo "bench/sumverify.sh: ${setting%%=*} must be a whole number from 1 to 99999999, not '${setting#*=}'" >&2; exit 2; }
done
[ "$lookups" -le "$records" ] ||
  { echo "bench/sumverify.sh: LOOKUPS ($lookups) cannot be more than RECORDS ($records)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench/sumverify.sh: needs python3" >&2; exit 2; }
go=${GO:-$(command -v go || true)}
[ -n "$go" ] && [ -x "$go" ] || { echo "bench/sumverify.sh: no go found (set GO=/path/to/go)" >&2; exit 2; }
xmod_gopath=${XMOD_GOPATH:-/usr/share/gocode}
[ -f "$xmod_gopath/src/golang.org/x/mod/sumdb/client.go" ] ||
  { echo "bench/sumverify.sh: no x/mod in $xmod_gopath (apt-get install golang-golang-x-mod-dev, or set XMOD_GOPATH)" >&2; exit 2; }

# Cheap when up to date; never measures a stale binary.
make -s build >/dev/null
cargo build --release --locked --quiet --bin sumdb-delay-server -p gomod-testsupport
sumverify=$PWD/$(make -s release-dir)/gomod-sumverify
server_bin=$PWD/target/release/sumdb-delay-server

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# No configuration from this machine: no proxies, no go env file.
unset HTTP_PROXY HTTPS_PROXY ALL_PROXY NO_PROXY http_proxy https_proxy all_proxy no_proxy
export HOME=$work GOENV=off GOTOOLCHAIN=local GOPROXY=off GOFLAGS= GONOSUMDB= GOPRIVATE=

(
  cd bench/go/sumdbbench
  CGO_ENABLED=0 GO111MODULE=off GOPATH="$xmod_gopath" GOCACHE="$work/gocache" \
    "$go" build -o "$work/sumdbbench" .
) || { echo "bench/sumverify.sh: building bench/go/sumdbbench with $go failed" >&2; exit 2; }

# The module versions: record i holds example.com/bench/m<i, 7 digits> v1.0.0.
python3 - "$lookups" "$records" >"$work/modules" <<'EOF'
import sys
lookups, records = int(sys.argv[1]), int(sys.argv[2])
step = records // lookups
for k in range(lookups):
    print(f"example.com/bench/m{k * step:07d}@v1.0.0")
EOF

echo "checksum database: $records records, +${delay_ms} ms per response; $lookups lookups; best of $runs runs"
python3 - "$runs" "$work" "$server_bin" "$delay_ms" "$records" "$lookups" \
  "$sumverify" "$jobs" "$work/sumdbbench" "$go_jobs" "$("$go" env GOVERSION)" <<'EOF'
import json, os, resource, shutil, subprocess, sys, time

(runs, work, server_bin, delay_ms, records, lookups,
 sumverify, jobs, gobench, go_jobs, go_version) = sys.argv[1:]
runs, lookups = int(runs), int(lookups)
modules = os.path.join(work, "modules")

def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime

def serve():
    """A fresh database; returns the process and its GOSUMDB value."""
    p = subprocess.Popen([server_bin, "--records", records, "--delay-ms", delay_ms, "--exit-on-eof"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    ready = p.stdout.readline()
    if not ready:
        sys.exit("bench/sumverify.sh: the database did not start: " + p.stderr.read().decode())
    return p, json.loads(ready)["gosumdb"]

def stop(server):
    """Stops the database; returns the number of requests it answered."""
    server.stdin.close()
    err = server.stderr.read().decode()
    server.wait()
    for word in err.split("sumdb-delay-server: ")[1:]:
        if word.rstrip().endswith("requests answered"):
            return int(word.split()[0])
    sys.exit("bench/sumverify.sh: the database did not say how many requests it answered: " + err)

def ours(i, gosumdb):
    state = os.path.join(work, f"state{i}")
    env = dict(os.environ, GOSUMDB=gosumdb)
    before, start = cpu(), time.perf_counter()
    j = [] if jobs == "default" else ["-j", jobs]
    p = subprocess.run([sumverify, *j, "--state-dir", state, "-f", modules],
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    took, used = time.perf_counter() - start, cpu() - before
    shutil.rmtree(state, ignore_errors=True)
    verified = sum(1 for line in p.stdout.splitlines()
                   if json.loads(line).get("verdict") == "verified")
    if p.returncode != 0 or verified != lookups:
        first_bad = next((l for l in p.stdout.decode().splitlines() if '"verified"' not in l), "")
        sys.exit(f"bench/sumverify.sh: gomod-sumverify verified {verified} of {lookups} (exit {p.returncode}): "
                 f"{p.stderr.decode()[-500:]} {first_bad[:500]}")
    return took, used

def theirs(i, gosumdb):
    gopath = os.path.join(work, f"gopath{i}")
    before, start = cpu(), time.perf_counter()
    p = subprocess.run([gobench, "-gosumdb", gosumdb, "-j", go_jobs, "-dir", gopath, "-f", modules],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    took, used = time.perf_counter() - start, cpu() - before
    shutil.rmtree(gopath, ignore_errors=True)
    if p.returncode != 0:
        sys.exit("bench/sumverify.sh: the Go program failed: " + p.stderr.decode()[-1000:])
    if json.loads(p.stdout)["lookups"] != lookups:
        sys.exit("bench/sumverify.sh: the Go program did not do every lookup")
    return took, used

results = {}
for name, run in (("gomod-sumverify", ours), ("go", theirs)):
    best = None
    for i in range(runs):
        server, gosumdb = serve()
        try:
            took, used = run(i, gosumdb)
        finally:
            requests = stop(server)
        if best is None or took < best[0]:
            best = (took, used, requests)
    results[name] = best

(o_s, o_cpu, o_req), (g_s, g_cpu, g_req) = results["gomod-sumverify"], results["go"]
per = lambda c: c / lookups * 1000
print(f"gomod-sumverify -j {jobs}: {o_s:.3f} s, {o_req} requests, {per(o_cpu):.3f} ms CPU per lookup")
print(f"x/mod sumdb.Client ({go_version}, {go_jobs} in flight): {g_s:.3f} s, {g_req} requests, {per(g_cpu):.3f} ms CPU per lookup")
checks = [
    ("requests", o_req <= g_req, f"{o_req} vs {g_req} (target: no more than Go)"),
    ("speed", g_s / o_s >= 8, f"{g_s / o_s:.1f}x faster (target: at least 8x)"),
    ("CPU per lookup", g_cpu / o_cpu >= 3 if o_cpu > 0 else True,
     f"{g_cpu / o_cpu if o_cpu > 0 else float('inf'):.1f}x less (target: at least 3x)"),
]
for what, ok, text in checks:
    print(f"  {what}: {text} {'OK' if ok else 'BELOW TARGET'}")
EOF

#!/usr/bin/env bash
# bench/net.sh — the tools next to go1.27 and next to the floor, on a network that
# behaves like one: TLS, HTTP/2 where the client offers it, a real round-trip time,
# real-sized modules (issue 15). Needs root (network namespaces, TUN devices).
#
# The network: two network namespaces, "near" (the clients) and "far" (the servers),
# joined by bench/delayline, a user-space delay line between a TUN device in each that
# delays every packet DELAY_MS (default 25 ms) each way, run at real-time priority
# (`chrt -f 50`) where the machine allows it (this kernel has no netem); the devices
# take TCP segmentation offload, so it carries segments of up to 64 KB as a card would.
# The RTT is measured (TCP connects to the proxy) before every measured command and
# printed.
#
# The servers, in "far": bench/go/netserver, a GOPROXY on https://10.77.0.2 and a
# checksum database on https://10.77.0.2:8443 (relayed to tests/support's
# sumdb-delay-server on far's loopback, no added delay), Go's net/http over TLS:
# HTTP/2 when offered (H2_STREAMS streams per connection, default 100 as Google's
# front ends announce), HTTP/1.1 with keep-alive otherwise; a test CA made for the run
# (SSL_CERT_FILE for every client). The modules (bench/make-module-zip.py --tree):
# `example.com/bench/mNNN` v1.0.0, median zip about 50 KB, every 25th a few MB.
#
# For each count in MODULES (default "200 800"), RUNS rounds (default 5), the commands
# in a different order each round (rotated), each from a fresh cache and after a `sync`
# (the files of the command before are on disk, not written back during this one):
#   floor   every .info, .mod and .zip with everything in flight over HTTP/2: one
#           `curl --http2 --parallel --parallel-max M` per H2_STREAMS requests
#   fetch   gomod-fetch -m go.mod --cache DIR                 (default flags)
#   pipe    gomod-fetch -m go.mod | gomod-sumverify           (GOSUMDB = the test sumdb)
#   go      go mod download   (GOPROXY, GOSUMDB = the test servers, GOTOOLCHAIN=local,
#           fresh GOPATH, GOMODCACHE and GOENV, GOFLAGS=-modcacherw)
# Every run must fetch (and verify) every module or the benchmark fails. Reported per
# command: median wall time (min-max), the ratio to the floor, TCP connections opened
# to the proxy and to the database (counted by the server), the protocols the requests
# used, and peak RSS (GNU time; a pipeline's or the curls' peaks are added up).
# The table goes to standard output and to bench/results/net-<UTC time>.txt, with the
# date, the git commit, the load average during the run and the versions measured.
#
#   bench/net.sh                            200 and 800 modules, 5 rounds
#   MODULES=200 RUNS=3 bench/net.sh
#   GO=/path/to/go bench/net.sh             that go (default: go1.27 in /opt, else PATH)
#   JOBS=64 bench/net.sh                    the tools with -j 64 (default: their defaults)
#   COMMANDS="floor fetch" bench/net.sh     only those commands (default: all four); a
#                                           ratio to one left out shows as nan
#
# Nothing leaves the machine: the clients run in "near", whose only route is the
# delay line to "far". Builds run under `nice -n 10`, the measuring at normal priority.
set -euo pipefail
cd "$(dirname "$0")/.."
modules=${MODULES:-200 800}
runs=${RUNS:-5}
delay_ms=${DELAY_MS:-25}
streams=${H2_STREAMS:-100}
jobs=${JOBS:-default}
commands=${COMMANDS:-floor fetch pipe go}
[[ $commands =~ [a-z] ]] ||
  { echo "bench/net.sh: COMMANDS must name at least one of floor, fetch, pipe and go" >&2; exit 2; }
for c in $commands; do
  [[ $c =~ ^(floor|fetch|pipe|go)$ ]] ||
    { echo "bench/net.sh: COMMANDS are some of floor, fetch, pipe and go, not '$c'" >&2; exit 2; }
done
for setting in "RUNS=$runs" "DELAY_MS=$delay_ms" "H2_STREAMS=$streams" "JOBS=$jobs"; do
  [[ ${setting#*=} =~ ^[1-9][0-9]{0,5}$ || $setting == JOBS=default ]] ||
    { echo "bench/net.sh: ${setting%%=*} must be a whole number from 1 to 999999, not '${setting#*=}'" >&2; exit 2; }
done
for n in $modules; do
  [[ $n =~ ^[1-9][0-9]{0,4}$ ]] ||
    { echo "bench/net.sh: MODULES must be counts from 1 to 99999, not '$n'" >&2; exit 2; }
done
fail() { echo "bench/net.sh: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || fail "needs root (network namespaces and TUN devices)"
[ -c /dev/net/tun ] || fail "no /dev/net/tun"
for tool in ip curl python3 cargo; do command -v "$tool" >/dev/null || fail "needs $tool"; done
[ -x /usr/bin/time ] || fail "needs GNU time (/usr/bin/time) for peak memory"
curl -V | grep -qw HTTP2 || fail "this curl has no HTTP/2"
go=${GO:-}
[ -n "$go" ] || for candidate in /opt/go1.27/usr/lib/go-1.27/bin/go "$(command -v go || true)"; do
  [ -n "$candidate" ] && [ -x "$candidate" ] && { go=$candidate; break; }
done
[ -n "$go" ] && [ -x "$go" ] || fail "no go found (set GO=/path/to/go)"

# Cheap when up to date; never measures a stale binary.
nice -n 10 make -s build >/dev/null
nice -n 10 cargo build --release --locked --quiet --bin sumdb-delay-server -p gomod-testsupport
nice -n 10 cargo build --release --locked --quiet --manifest-path bench/delayline/Cargo.toml
tools=$PWD/$(make -s release-dir)
sumdb_server=$PWD/target/release/sumdb-delay-server
delayline=$PWD/bench/delayline/target/release/delayline

work=$(mktemp -d)
near=gmb-near-$$
far=gmb-far-$$
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  ip netns del "$near" 2>/dev/null || true
  ip netns del "$far" 2>/dev/null || true
  chmod -R u+w "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

(
  cd bench/go/netserver
  CGO_ENABLED=0 GOFLAGS=-mod=mod GOPROXY=off GOWORK=off GOTOOLCHAIN=local \
    GOPATH="$work/gopath-build" GOCACHE="$work/gocache-build" nice -n 10 "$go" build -o "$work/netserver" .
) || fail "building bench/go/netserver with $go failed"
chmod -R u+w "$work/gopath-build" 2>/dev/null || true
rm -rf "$work/gopath-build" "$work/gocache-build"

max=$(tr ' ' '\n' <<<"$modules" | sort -n | tail -1)
echo "generating $max modules ..." >&2
python3 bench/make-module-zip.py --tree "$work/gen" $modules

# The link.
ip netns add "$near"
ip netns add "$far"
rt=(chrt -f 50)
"${rt[@]}" true 2>/dev/null || { rt=(); echo "bench/net.sh: no real-time priority here; the delay line runs at normal priority" >&2; }
"${rt[@]}" "$delayline" --delay-ms "$delay_ms" --a "dl0=/run/netns/$near" --b "dl1=/run/netns/$far" \
  --ready-file "$work/delayline-ready" 2>"$work/delayline.log" &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/delayline-ready" ] && break; sleep 0.05; done
[ -s "$work/delayline-ready" ] || fail "the delay line did not start: $(cat "$work/delayline.log")"
ip -n "$near" link set lo up
ip -n "$far" link set lo up
ip -n "$near" addr add 10.77.0.1 peer 10.77.0.2 dev dl0
ip -n "$far" addr add 10.77.0.2 peer 10.77.0.1 dev dl1
ip -n "$near" link set dl0 up
ip -n "$far" link set dl1 up

# The servers.
ip netns exec "$far" "$sumdb_server" --from-gosum "$work/gen/go.sum" --delay-ms 0 \
  --ready-file "$work/sumdb-ready" >/dev/null 2>"$work/sumdb.log" &
pids+=($!)
for _ in $(seq 200); do [ -s "$work/sumdb-ready" ] && break; sleep 0.05; done
[ -s "$work/sumdb-ready" ] || fail "the checksum database did not start: $(cat "$work/sumdb.log")"
read -r sumdb_backend sumdb_vkey < <(python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(r["url"], r["vkey"])' "$work/sumdb-ready")
ip netns exec "$far" "$work/netserver" -addr 10.77.0.2 -dir "$work/gen/proxy" -sumdb-backend "$sumdb_backend" \
  -ca-out "$work/ca.pem" -log "$work/server.log" -h2-streams "$streams" -ready-file "$work/server-ready" \
  2>"$work/netserver.log" &
pids+=($!)
for _ in $(seq 200); do [ -s "$work/server-ready" ] && break; sleep 0.05; done
[ -s "$work/server-ready" ] || fail "netserver did not start: $(cat "$work/netserver.log")"

# No configuration from this machine: no proxies, no go env file, only the test CA.
unset HTTP_PROXY HTTPS_PROXY ALL_PROXY NO_PROXY http_proxy https_proxy all_proxy no_proxy
export HOME=$work GOTOOLCHAIN=local GOFLAGS=-modcacherw GOVCS='*:off' GONOSUMDB= GONOSUMCHECK= \
  GOPRIVATE= GONOPROXY= GOINSECURE= GOPROXY=https://10.77.0.2 GOSUMDB="$sumdb_vkey https://10.77.0.2:8443" \
  SSL_CERT_FILE=$work/ca.pem SSL_CERT_DIR=$work/no-cert-dir

mkdir -p bench/results
stamp=$(date -u +%Y%m%d-%H%M%S)
results=bench/results/net-$stamp.txt
ip netns exec "$near" python3 bench/net.py --work "$work" --modules "$modules" --runs "$runs" \
  --streams "$streams" --jobs "$jobs" --commands "$commands" --go "$go" --tools "$tools" --log "$work/server.log" \
  --delay-ms "$delay_ms" --rt "${rt[*]:-none}" --results "$results"
# What the link carried, as the delay line counts it.
kill "${pids[0]}" && wait "${pids[0]}" 2>/dev/null || true
echo "link: $(cat "$work/delayline.log")" | tee -a "$results"
echo "written to $results"

#!/usr/bin/env bash
# bench/dns.sh — gomod-dnscheck resolving many names against a slow DNS server, next to
# a sequential dig loop and a Go program that resolves them the way the go command does.
#
# A local server (dns-delay-server, from tests/support) answers every query after
# DELAY_MS. gomod-dnscheck resolves NAMES distinct names (hN.bench.example.com) with
# -j JOBS; with one round trip per name, the best it can do is one delay per batch of
# JOBS names: ceil(NAMES / JOBS) x DELAY_MS. Target (issue 3): wall time within 2x of
# that. The dig loop asks one name at a time (A only; gomod-dnscheck and Go ask A and
# AAAA, in parallel); the Go program uses net.Resolver{PreferGo: true} with the same
# concurrency. Every run must resolve every name, or the benchmark fails.
#
#   bench/dns.sh                       500 names, 50 ms delay, -j 16, 3 runs each
#   NAMES=1000 DELAY_MS=20 JOBS=64 RUNS=5 bench/dns.sh
#   GO=/path/to/go bench/dns.sh        use that go, 1.21 or later (default: go on PATH)
#   GO=none / DIG=none bench/dns.sh    leave out the Go program / the dig loop
#   NO_SYSTEM=1 bench/dns.sh           ask the server with --no-system --server even as root
#
# The server listens on 127.0.0.1 only. On 127.0.0.1:53 (which needs root) gomod-dnscheck
# runs its system view — Go's resolver reading a resolv.conf — on scratch files
# (--resolv-conf, --hosts, --nsswitch); resolv.conf name servers are always port 53, so
# when that port cannot be bound the server takes a free port and gomod-dnscheck asks it
# with --no-system --server 127.0.0.1:PORT instead (the report says which). The Go
# program dials the server for every exchange, whatever /etc/resolv.conf names.
# dig comes from the Debian package bind9-dnsutils.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${NAMES:-500}
delay_ms=${DELAY_MS:-50}
jobs=${JOBS:-16}
runs=${RUNS:-3}
for setting in "NAMES=$count" "DELAY_MS=$delay_ms" "JOBS=$jobs" "RUNS=$runs"; do
  [[ ${setting#*=} =~ ^[1-9][0-9]{0,5}$ ]] ||
    { echo "bench/dns.sh: ${setting%%=*} must be a whole number from 1 to 999999, not '${setting#*=}'" >&2; exit 2; }
done
command -v python3 >/dev/null || { echo "bench/dns.sh: needs python3" >&2; exit 2; }
[ -n "${EPOCHREALTIME:-}" ] || { echo "bench/dns.sh: needs bash 5 or later" >&2; exit 2; }

dnscheck=$PWD/$(make -s release-dir)/gomod-dnscheck
server_bin=$PWD/target/release/dns-delay-server
# Cheap when up to date; never measures a stale binary.
make -s build >/dev/null
cargo build --release --locked --quiet -p gomod-testsupport --bin dns-delay-server

scratch=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# A clean environment, as in bench/resolve.sh: no proxy variables (which would add the
# proxy's host to the targets), no configuration from this machine's go env file.
unset HTTP_PROXY HTTPS_PROXY ALL_PROXY NO_PROXY http_proxy https_proxy all_proxy no_proxy
export HOME=$scratch GOENV=off GOTOOLCHAIN=local

names=$scratch/names
for ((i = 1; i <= count; i++)); do echo "h$i.bench.example.com"; done >"$names"

# The server exits when its standard input (the coprocess pipe) closes, so it cannot
# outlive this script even if the trap never runs.
listen=(127.0.0.1:53 127.0.0.1:0)
[ -z "${NO_SYSTEM:-}" ] || listen=(127.0.0.1:0)
coproc SERVER { exec "$server_bin" --delay-ms "$delay_ms" --exit-on-eof "${listen[@]}" 2>"$scratch/server.err"; }
# shellcheck disable=SC2153 # SERVER_PID is set by coproc
server_pid=$SERVER_PID
addr=
read -r -t 10 addr <&"${SERVER[0]:-}" || true
if [ -z "$addr" ]; then
  echo "bench/dns.sh: the DNS server did not start:" >&2
  cat "$scratch/server.err" >&2
  exit 2
fi
port=${addr##*:}

if [ "$port" = 53 ]; then
  printf 'nameserver 127.0.0.1\noptions ndots:1 timeout:5 attempts:1\n' >"$scratch/resolv.conf"
  : >"$scratch/hosts"
  printf 'hosts: files dns\n' >"$scratch/nsswitch.conf"
  view=(--resolv-conf "$scratch/resolv.conf" --hosts "$scratch/hosts" --nsswitch "$scratch/nsswitch.conf")
  mode="system view (Go's resolver on a resolv.conf naming 127.0.0.1, an empty hosts file, hosts: files dns)"
else
  view=(--no-system --server "127.0.0.1:$port")
  why=$(sed -n 's/^dns-delay-server: not listening on 127\.0\.0\.1:53: //p' "$scratch/server.err")
  if [ -n "$why" ]; then
    why="127.0.0.1:53 cannot be bound ($why), and the system view needs it: resolv.conf name servers are always port 53 (binding it needs root)"
  else
    why="NO_SYSTEM is set"
  fi
  mode="--no-system --server 127.0.0.1:$port, not the system view: $why"
fi

# check_ours NAMES OUT: every name in the file NAMES resolved, per the records
# gomod-dnscheck wrote in OUT.
check_ours() {
  python3 - "$1" "$2" <<'PY'
import json, sys
names, out = sys.argv[1:]
want = [l.strip() for l in open(names) if l.strip()]
ok, bad = set(), []
for line in open(out):
    r = json.loads(line)
    if r.get("type") != "dns":
        continue
    if r.get("ok") and r.get("addrs"):
        ok.add(r["host"])
    else:
        bad.append(r)
missing = [n for n in want if n not in ok]
if missing:
    print(f"bench/dns.sh: gomod-dnscheck: {len(want) - len(missing)} of {len(want)} names resolved; first missing: {missing[0]}", file=sys.stderr)
    for r in bad[:3]:
        print("  " + json.dumps({k: r.get(k) for k in ("host", "resolver", "error")}), file=sys.stderr)
    sys.exit(1)
PY
}


# run_ours NAMES: gomod-dnscheck on the names in the file NAMES, timed (into
# $elapsed, in microseconds); the records it wrote are checked after the clock stops.
run_ours() {
  local out=$scratch/ours.json status=0 t0 t1
  t0=${EPOCHREALTIME/./}
  "$dnscheck" -j "$jobs" -f "$1" "${view[@]}" >"$out" || status=$?
  t1=${EPOCHREALTIME/./}
  elapsed=$((t1 - t0))
  if [ "$status" -gt 1 ]; then
    echo "bench/dns.sh: gomod-dnscheck failed (exit status $status)" >&2
    exit 2
  fi
  check_ours "$1" "$out" || exit 1
}

# One name first: warms the page cache and shows a broken setup before the long runs.
head -n 1 "$names" >"$scratch/one"
run_ours "$scratch/one"

ours_times=()
for ((r = 0; r < runs; r++)); do
  run_ours "$names"
  ours_times+=("$elapsed")
done

# The Go program, if a go 1.21 or later is at hand.
go=${GO:-$(command -v go || true)}
go_times=()
go_note=
if [ "$go" = none ]; then
  go_note="left out (GO=none)"
elif [ -z "$go" ]; then
  go_note="skipped: no go on PATH (set GO=/path/to/go, 1.21 or later)"
else
  go_version=$("$go" env GOVERSION 2>/dev/null || true)
  minor=$(sed -nE 's/^(devel )?go1\.([0-9]+).*/\2/p' <<<"$go_version")
  if [ -z "$minor" ] || [ "$minor" -lt 21 ]; then
    go_note="skipped: $go is ${go_version:-not a working go}, older than go1.21 (set GO=/path/to/go)"
  else
    (
      cd bench/go/dnsbench
      CGO_ENABLED=0 GOFLAGS=-mod=mod GOPROXY=off GOWORK=off \
        GOPATH="$scratch/gopath" GOCACHE="$scratch/gocache" "$go" build -o "$scratch/dnsbench" .
    ) || { echo "bench/dns.sh: building bench/go/dnsbench with $go failed" >&2; exit 2; }
    "$scratch/dnsbench" -server "127.0.0.1:$port" -j "$jobs" -f "$scratch/one" >/dev/null ||
      { echo "bench/dns.sh: the Go program could not resolve $(cat "$scratch/one")" >&2; exit 1; }
    for ((r = 0; r < runs; r++)); do
      t0=${EPOCHREALTIME/./}
      "$scratch/dnsbench" -server "127.0.0.1:$port" -j "$jobs" -f "$names" >"$scratch/go.out" ||
        { echo "bench/dns.sh: the Go program did not resolve every name" >&2; exit 1; }
      t1=${EPOCHREALTIME/./}
      go_times+=($((t1 - t0)))
    done
    read -r _ go_ok _ <"$scratch/go.out"
    [ "$go_ok" = "$count" ] || { echo "bench/dns.sh: the Go program resolved $go_ok of $count names" >&2; exit 1; }
    go_note="$go_version"
  fi
fi

# The dig loop: one process and one query per name, one at a time.
dig=${DIG:-$(command -v dig || true)}
dig_time=
dig_note=
if [ "$dig" = none ]; then
  dig_note="left out (DIG=none)"
elif [ -z "$dig" ]; then
  dig_note="skipped: no dig on PATH (Debian package bind9-dnsutils; or set DIG=/path/to/dig)"
else
  t0=${EPOCHREALTIME/./}
  while read -r name; do
    "$dig" @127.0.0.1 -p "$port" +tries=1 +time=5 +short "$name" A
  done <"$names" >"$scratch/dig.out" 2>&1
  t1=${EPOCHREALTIME/./}
  dig_time=$((t1 - t0))
  dig_ok=$(grep -c '^192\.0\.2\.1$' "$scratch/dig.out" || true)
  if [ "$dig_ok" != "$count" ]; then
    echo "bench/dns.sh: the dig loop resolved $dig_ok of $count names; first lines of its output:" >&2
    grep -v '^192\.0\.2\.1$' "$scratch/dig.out" | head -n 5 >&2
    exit 1
  fi
  dig_note=$("$dig" -v 2>&1 | head -n 1)
fi

echo "ours:    $("$dnscheck" --version)"
echo "go:      ${go_note}"
echo "dig:     ${dig_note}"
echo "server:  $addr, every answer delayed ${delay_ms} ms"
echo "mode:    $mode"
python3 - "$count" "$delay_ms" "$jobs" "$runs" "${ours_times[*]}" "${go_times[*]}" "$dig_time" <<'PY'
import math, statistics, sys
count, delay_ms, jobs, runs = map(int, sys.argv[1:5])
ours = [int(t) / 1e6 for t in sys.argv[5].split()]
go = [int(t) / 1e6 for t in sys.argv[6].split()]
dig = int(sys.argv[7]) / 1e6 if sys.argv[7] else None
batches = math.ceil(count / jobs)
ideal = batches * delay_ms / 1000
print(f"names:   {count} (h1.bench.example.com .. h{count}.bench.example.com), all resolved by every run")
print(f"ideal:   ceil({count} / {jobs}) = {batches} batches x {delay_ms} ms = {ideal:.3f} s   (target: within 2x)")
print(f"runs:    {runs} of gomod-dnscheck" + (" and of the Go program" if go else "") + (" (median, min-max)" if runs > 1 else "") + ("; 1 of the dig loop" if dig else ""))
print()
def row(label, times, queries):
    med = statistics.median(times)
    spread = f"({min(times):.3f}-{max(times):.3f})" if len(times) > 1 else ""
    print(f"{label:<44} {med:8.3f} s {spread:<15} {med / ideal:6.2f}x ideal  {queries}")
    return med
m = row(f"gomod-dnscheck -j {jobs}", ours, "A+AAAA per name")
g = row(f"Go net.Resolver (PreferGo), {jobs} at a time", go, "A+AAAA per name") if go else None
d = row("dig loop, one name at a time", [dig], f"A only; sequential ideal {count * delay_ms / 1000:.1f} s") if dig else None
print()
ratio = m / ideal
print(f"gomod-dnscheck / ideal: {ratio:.2f}x   target: <= 2x   {'ok' if ratio <= 2 else 'ABOVE TARGET'}")
if g:
    print(f"gomod-dnscheck / Go program: {m / g:.2f}x")
if d:
    print(f"dig loop / gomod-dnscheck: {d / m:.1f}x (gomod-dnscheck is that many times faster)")
PY

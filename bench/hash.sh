#!/usr/bin/env bash
# bench/hash.sh — the h1: hash of a large module zip: Go's own dirhash.HashZip next to ours.
#
# Writes a deterministic module zip (FILES entries, about 100 MB for the default 11000:
# Go-like text that compresses and random bytes that do not, deflated at level 5 like Go's
# zip writer; bench/make-module-zip.py), then hashes it RUNS times with each program,
# alternating, from the page cache: Go's dirhash.HashZip (bench/go/hashzip, built against golang.org/x/mod in GOPATH
# mode) and ours (gomod-common's hashzip example: dirhash::hash_zip_file, entries read
# on all cores). Reports wall time, CPU time (user + system) and peak resident set size
# of every run, and the ratios. Both must print the same h1 every time, or the benchmark
# fails.
#
# Targets: ours at least 4x faster than Go in wall time on a 2-core machine, and at most
# 10 MB peak RSS. On a busy machine the wall-time ratio shrinks towards the CPU-time
# ratio (ours can use two cores only when two are free); the report shows both, and the
# load average before and after.
#
#   bench/hash.sh                          11000 files, 3 runs each
#   FILES=20000 RUNS=5 bench/hash.sh
#   ZIP=/path/to/module.zip bench/hash.sh  time an existing zip instead
#   GO=/path/to/go bench/hash.sh           use that go (default: go on PATH)
#   XMOD_GOPATH=/path/to/gopath bench/hash.sh
#       a GOPATH holding golang.org/x/mod (default /usr/share/gocode, which Debian's
#       golang-golang-x-mod-dev fills; without it, the x/mod in go's own source tree)
#
# Needs bash 5, python3 (to write the zip and the report) and GNU time (Debian package
# time), whose rusage is the measured program's own.
set -euo pipefail
cd "$(dirname "$0")/.."
files=${FILES:-11000}
runs=${RUNS:-3}
for setting in "FILES=$files" "RUNS=$runs"; do
  [[ ${setting#*=} =~ ^[1-9][0-9]{0,6}$ ]] ||
    { echo "bench/hash.sh: ${setting%%=*} must be a whole number from 1 to 9999999, not '${setting#*=}'" >&2; exit 2; }
done
command -v python3 >/dev/null || { echo "bench/hash.sh: needs python3" >&2; exit 2; }
[ -n "${EPOCHREALTIME:-}" ] || { echo "bench/hash.sh: needs bash 5 or later" >&2; exit 2; }
gnu_time=${GNU_TIME:-/usr/bin/time}
"$gnu_time" -f %M true 2>/dev/null ||
  { echo "bench/hash.sh: needs GNU time at $gnu_time (Debian package time; or set GNU_TIME)" >&2; exit 2; }
go=${GO:-$(command -v go || true)}
[ -n "$go" ] || { echo "bench/hash.sh: no go on PATH (set GO=/path/to/go)" >&2; exit 2; }

# Cheap when up to date; never measures a stale binary.
cargo build --release --locked --quiet -p gomod-common --example hashzip
ours=$PWD/target/release/examples/hashzip

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM
export HOME=$scratch GOENV=off GOTOOLCHAIN=local

# x/mod: XMOD_GOPATH, else Debian's, else the copy in the go's own source tree.
xmod=${XMOD_GOPATH:-/usr/share/gocode}
if [ -z "${XMOD_GOPATH:-}" ] && [ ! -f "$xmod/src/golang.org/x/mod/sumdb/dirhash/hash.go" ]; then
  xmod=$scratch/xmod
  mkdir -p "$xmod/src/golang.org/x"
  ln -s "$("$go" env GOROOT)/src/cmd/vendor/golang.org/x/mod" "$xmod/src/golang.org/x/mod"
fi
[ -f "$xmod/src/golang.org/x/mod/sumdb/dirhash/hash.go" ] || {
  echo "bench/hash.sh: no golang.org/x/mod in $xmod (set XMOD_GOPATH to a GOPATH holding it)" >&2
  exit 2
}

(
  cd bench/go/hashzip
  GO111MODULE=off GOPATH="$scratch/gopath:$xmod" GOCACHE="$scratch/gocache" \
    GOFLAGS='' CGO_ENABLED=0 "$go" build -o "$scratch/hashzip-go" .
) || { echo "bench/hash.sh: building bench/go/hashzip with $go failed" >&2; exit 2; }

zip=${ZIP:-}
if [ -z "$zip" ]; then
  zip=$scratch/bench.zip
  python3 bench/make-module-zip.py "$zip" "$files" example.com/bench v1.0.0
fi
[ -f "$zip" ] || { echo "bench/hash.sh: no zip at $zip" >&2; exit 2; }
cat "$zip" >/dev/null # into the page cache: both programs read it from memory

# measure OUT CMD...: runs CMD with its stdout in OUT; prints "wall user sys maxrss_kb".
# GNU time reports the run's own rusage (a fork of a larger parent would not).
measure() {
  local out=$1 t0 t1 status=0
  shift
  t0=${EPOCHREALTIME/./}
  "$gnu_time" -o "$scratch/rusage" -f "%U %S %M" "$@" >"$out" || status=$?
  t1=${EPOCHREALTIME/./}
  [ "$status" = 0 ] || { echo "bench/hash.sh: $1 exited with status $status" >&2; exit 1; }
  echo "$(((t1 - t0) / 1000)) $(tail -n 1 "$scratch/rusage")"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
go_rows=() our_rows=() go_h1='' our_h1=
for ((r = 0; r < runs; r++)); do
  go_rows+=("$(measure "$scratch/go.out" "$scratch/hashzip-go" "$zip")")
  h1=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["h1"] or "error: " + str(r["hash_error"]))' "$scratch/go.out")
  [ -z "$go_h1" ] || [ "$h1" = "$go_h1" ] || { echo "bench/hash.sh: Go's hash changed between runs" >&2; exit 1; }
  go_h1=$h1
  our_rows+=("$(measure "$scratch/ours.out" "$ours" "$zip")")
  h1=$(cut -d' ' -f2- "$scratch/ours.out")
  [ -z "$our_h1" ] || [ "$h1" = "$our_h1" ] || { echo "bench/hash.sh: our hash changed between runs" >&2; exit 1; }
  our_h1=$h1
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
if [ "$go_h1" != "$our_h1" ]; then
  echo "bench/hash.sh: the hashes differ: Go $go_h1, ours $our_h1" >&2
  exit 1
fi

stats=$(python3 - "$zip" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
infos = z.infolist()
print(len(infos), sum(i.file_size for i in infos), sum(i.compress_size for i in infos))
PY
)
read -r entries uncompressed compressed <<<"$stats"

echo "go:      $("$go" version) + golang.org/x/mod from $xmod"
echo "ours:    gomod-common hashzip example ($(nproc) CPUs available)"
echo "zip:     $(du -m "$zip" | cut -f1) MB, $entries entries, $((uncompressed / 1000000)) MB uncompressed ($((compressed / 1000000)) MB compressed data)"
echo "h1:      $our_h1 (both)"
echo "load:    $load_before before, $load_after after (1, 5, 15 min averages)"
python3 - "$runs" "${go_rows[@]}" "${our_rows[@]}" <<'PY'
import statistics, sys
runs = int(sys.argv[1])
# wall in ms, user and system s, RSS in KB
rows = [(float(w) / 1000, float(u), float(s), float(m)) for w, u, s, m in (r.split() for r in sys.argv[2:])]
go, ours = rows[:runs], rows[runs:]
def summary(label, rs):
    wall = [r[0] for r in rs]
    cpu = [r[1] + r[2] for r in rs]
    rss = max(r[3] for r in rs) / 1024
    print(f"{label:<28} wall {statistics.median(wall):7.3f} s (min {min(wall):.3f})"
          f"   cpu {statistics.median(cpu):7.3f} s   peak RSS {rss:6.1f} MB")
    print(f"{'':<28} runs: " + ", ".join(f"{w:.3f} s" for w in wall))
    return statistics.median(wall), statistics.median(cpu), rss
print(f"runs:    {runs} of each, alternating (median, min)")
print()
gw, gc, grss = summary("Go dirhash.HashZip", go)
ow, oc, orss = summary("ours (dirhash::hash_zip_file)", ours)
print()
ratio = gw / ow
print(f"wall-time ratio Go / ours: {ratio:.2f}x   target: >= 4x   {'ok' if ratio >= 4 else 'BELOW TARGET'}")
print(f"CPU-time ratio Go / ours:  {gc / oc:.2f}x")
print(f"our peak RSS: {orss:.1f} MB   target: <= 10 MB   {'ok' if orss <= 10 else 'ABOVE TARGET'}"
      f"   (Go: {grss:.1f} MB)")
PY

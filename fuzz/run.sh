#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for a bounded time with a seed corpus.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     default: 30 seconds, all targets
#
# Exits 0 when no target found anything, 1 when at least one did (the artifact paths
# are printed), 2 on a setup or build problem.
#
# Toolchain: this works on STABLE Rust. cargo-fuzz needs nightly only for
# `-Zsanitizer=...`; with `--sanitizer none` it passes nothing but stable flags
# (`-Cpasses=sancov-module`, `-Cllvm-args=-sanitizer-coverage-*`, `--cfg fuzzing`), so
# libFuzzer still gets full coverage feedback. gomod-common has no `unsafe` code, so
# AddressSanitizer would add little; `-a` (debug assertions and overflow checks) is on.
# No RUSTC_BOOTSTRAP is needed. To use ASan where a nightly exists:
#   FUZZ_TOOLCHAIN=nightly FUZZ_SANITIZER=address fuzz/run.sh
#
# Environment:
#   FUZZ_TOOLCHAIN   rustup toolchain for cargo (default: the active one)
#   FUZZ_SANITIZER   cargo-fuzz --sanitizer value (default: none)
#   FUZZ_ARGS        extra libFuzzer flags, e.g. "-max_len=8192 -jobs=2"
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and python3 (for the seeds).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
cd "$root" || exit 2

secs="${1:-30}"
[[ $# -gt 0 ]] && shift
if ! [[ "$secs" =~ ^[0-9]+$ ]] || [[ "$secs" -eq 0 ]]; then
    echo "usage: fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]" >&2
    exit 2
fi

cargo=(cargo)
[[ -n "${FUZZ_TOOLCHAIN:-}" ]] && cargo=(cargo "+$FUZZ_TOOLCHAIN")
sanitizer="${FUZZ_SANITIZER:-none}"
fuzz_opts=(--sanitizer "$sanitizer" --debug-assertions)

if ! "${cargo[@]}" fuzz --version >/dev/null 2>&1; then
    echo "run.sh: cargo-fuzz is missing; install it with: cargo install cargo-fuzz" >&2
    exit 2
fi

if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    mapfile -t targets < <("${cargo[@]}" fuzz list)
fi
if [[ ${#targets[@]} -eq 0 ]]; then
    echo "run.sh: no fuzz targets found" >&2
    exit 2
fi

python3 "$here/seeds.py" "$here/corpus" >/dev/null || {
    echo "run.sh: writing the seed corpus failed" >&2
    exit 2
}

echo "== building ${#targets[@]} targets (sanitizer: $sanitizer)"
if [[ $# -eq 0 ]]; then
    "${cargo[@]}" fuzz build "${fuzz_opts[@]}" || {
        echo "run.sh: building the targets failed" >&2
        exit 2
    }
else
    for t in "${targets[@]}"; do
        "${cargo[@]}" fuzz build "${fuzz_opts[@]}" "$t" || {
            echo "run.sh: building $t failed" >&2
            exit 2
        }
    done
fi

failed=()
stamp="$(mktemp)"
trap 'rm -f "$stamp"' EXIT
for t in "${targets[@]}"; do
    echo "== $t: ${secs}s"
    log="$here/artifacts/$t.log"
    mkdir -p "$here/artifacts/$t" "$here/corpus/$t"
    touch "$stamp"
    dict=()
    [[ -f "$here/dict/$t.dict" ]] && dict=(-dict="$here/dict/$t.dict")
    # shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
    "${cargo[@]}" fuzz run "${fuzz_opts[@]}" "$t" "$here/corpus/$t" -- \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        "${dict[@]}" ${FUZZ_ARGS:-} >"$log" 2>&1
    status=$?
    grep -E '^(stat::number_of_executed_units|stat::new_units_added)' "$log" | sed 's/^/   /'
    if [[ $status -ne 0 ]]; then
        failed+=("$t")
        echo "!! $t failed (exit $status); log: $log"
        grep -E '^(thread .* panicked|SUMMARY|==[0-9]+== ERROR)' "$log" | head -5 | sed 's/^/   /'
        while IFS= read -r artifact; do
            echo "   artifact: $artifact"
            echo "   reproduce: cargo fuzz run ${fuzz_opts[*]} $t $artifact"
            echo "   minimise:  cargo fuzz tmin ${fuzz_opts[*]} $t $artifact"
        done < <(find "$here/artifacts/$t" -type f -newer "$stamp" 2>/dev/null)
    fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
    echo "== FAILED: ${failed[*]}"
    exit 1
fi
echo "== all ${#targets[@]} targets ran ${secs}s without findings"

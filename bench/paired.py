#!/usr/bin/env python3
"""bench/paired.py — paired wall-time measurements for the bench/ scripts.

    paired.py RUNS WORK NAME=CWD -- ARGV... [NAME=CWD -- ARGV...]...

Runs every command once per round, RUNS rounds, the order of the commands rotated
from one round to the next (so that neither side always runs first on a warm or a
cold machine); each run gets a fresh GOMODCACHE and GOPATH under WORK (the word CACHE
in ARGV is replaced by the run's module cache) and runs in CWD. A run that fails fails
the benchmark. Prints one JSON object: for each name its times (seconds, in round
order) and their median, the CPU time it used (user + system, its children such as
git included, in round order) and its median, and the load average before and after.
"""

import json
import os
import resource
import statistics
import subprocess
import sys
import time


def parse(args):
    runs, work = int(args[0]), args[1]
    commands, rest = [], args[2:]
    while rest:
        head = rest[0]
        if "=" not in head or len(rest) < 3 or rest[1] != "--":
            sys.exit(f"paired.py: expected NAME=CWD -- ARGV..., not {rest[:3]}")
        name, cwd = head.split("=", 1)
        rest = rest[2:]
        argv = []
        while rest and not (rest[0].count("=") and len(rest) > 1 and rest[1] == "--"):
            argv.append(rest.pop(0))
        commands.append((name, cwd, argv))
    return runs, work, commands


def run_once(work, tag, cwd, argv):
    cache = os.path.join(work, f"cache-{tag}")
    env = dict(
        os.environ,
        GOMODCACHE=cache,
        GOPATH=os.path.join(work, f"gopath-{tag}"),
        GOCACHE=os.path.join(work, "gocache"),
    )
    args = [a.replace("CACHE", cache) for a in argv]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    p = subprocess.run(args, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if p.returncode != 0:
        sys.stderr.write(
            f"run failed ({p.returncode}): {' '.join(args)}\n"
            f"{p.stderr.decode(errors='replace')[-2000:]}\n{p.stdout.decode(errors='replace')[-2000:]}\n"
        )
        sys.exit(1)
    # The caches stay until WORK is removed: deleting thousands of files just before
    # the next run made ext4 search its recently freed inodes for every file that run
    # created, which measured the kernel's allocator, not the command.
    return took, cpu


def main():
    runs, work, commands = parse(sys.argv[1:])
    load_before = os.getloadavg()
    times = {name: [] for name, _, _ in commands}
    cpus = {name: [] for name, _, _ in commands}
    for r in range(runs):
        k = r % len(commands)
        for i, (name, cwd, argv) in enumerate(commands[k:] + commands[:k]):
            took, cpu = run_once(work, f"{r}-{i}", cwd, argv)
            times[name].append(round(took, 3))
            cpus[name].append(round(cpu, 3))
    load_after = os.getloadavg()
    print(
        json.dumps(
            {
                "runs": runs,
                "times": times,
                "median": {n: statistics.median(t) for n, t in times.items()},
                "cpu": cpus,
                "cpu_median": {n: statistics.median(c) for n, c in cpus.items()},
                "load_before": [round(x, 2) for x in load_before],
                "load_after": [round(x, 2) for x in load_after],
            }
        )
    )


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The measuring half of bench/net.sh (read that first): runs in the "near" network
namespace with the environment net.sh set up (GOPROXY, GOSUMDB, SSL_CERT_FILE, ...),
runs the commands in paired rounds and writes the table."""
import argparse
import collections
import datetime
import json
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time

SERVER = "10.77.0.2"
TIME = "/usr/bin/time"
COMMANDS = ["floor", "fetch", "pipe", "go"]


def main():
    ap = argparse.ArgumentParser()
    for name in ("work", "modules", "runs", "streams", "jobs", "go", "tools", "log", "delay-ms", "rt", "results"):
        ap.add_argument("--" + name, required=True)
    ap.add_argument("--commands", default=" ".join(COMMANDS))
    a = ap.parse_args()
    bench = Bench(a)
    bench.header()
    for n in [int(m) for m in a.modules.split()]:
        bench.measure(n, int(a.runs))
    bench.finish()


def out(text, file):
    print(text, flush=True)
    file.write(text + "\n")
    file.flush()


class ServerLog:
    """netserver's connection and request log, read from a mark on."""

    def __init__(self, path):
        self.path, self.offset = path, 0

    def mark(self):
        self.offset = os.path.getsize(self.path)

    def since(self, ignore_ports):
        with open(self.path) as f:
            f.seek(self.offset)
            lines = f.read().splitlines()
        conns, protos, failed = collections.Counter(), collections.Counter(), collections.Counter()
        for line in lines:
            w = line.split()
            if w[0] == "conn":
                if int(w[2].rsplit(":", 1)[1]) not in ignore_ports:
                    conns[w[1]] += 1
            elif w[0] == "req":
                protos[(w[1], f"{w[3]} {w[4]}")] += 1
                if w[5] != "200":
                    failed[(w[1], w[5], w[6].split("/")[1] if w[6].count("/") > 1 else w[6])] += 1
        return conns, protos, failed


class Bench:
    def __init__(self, a):
        self.a = a
        self.work = a.work
        self.gen = os.path.join(a.work, "gen")
        self.log = ServerLog(a.log)
        self.ca = os.environ["SSL_CERT_FILE"]
        self.fetch = os.path.join(a.tools, "gomod-fetch")
        self.sumverify = os.path.join(a.tools, "gomod-sumverify")
        self.jobs = [] if a.jobs == "default" else ["-j", a.jobs]
        self.file = open(a.results, "w")
        self.loads = []
        self.rtts = []
        self.summary = []

    # -- bookkeeping

    def load(self):
        return " ".join(open("/proc/loadavg").read().split()[:3])

    def rtt(self):
        """The round trip to the proxy, from TCP connects (SYN to SYN-ACK): the least
        of three, in ms, and the local ports used (the server logs those connections;
        they are not the measured command's)."""
        best, ports = math.inf, set()
        for _ in range(3):
            start = time.perf_counter()
            with socket.create_connection((SERVER, 443), timeout=10) as s:
                took = time.perf_counter() - start
                ports.add(s.getsockname()[1])
            best = min(best, took * 1000)
            time.sleep(0.02)
        return best, ports

    def header(self):
        def cmd(*argv):
            try:
                return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True, timeout=30).stdout.strip()
            except OSError as e:
                return str(e)
        head = cmd("git", "rev-parse", "HEAD")
        dirty = cmd("git", "status", "--porcelain", "--untracked-files=no")
        f = self.file
        out("bench/net.sh — the tools, go and the floor over TLS on a delayed link (issue 15)", f)
        out(f"date:      {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M:%S} UTC", f)
        out(f"commit:    {head}{' (with uncommitted changes)' if dirty else ''}", f)
        out(f"machine:   {os.cpu_count()} CPUs, Linux {os.uname().release}; load average at start {self.load()}", f)
        if os.environ.get("NOTE"):
            out(f"note:      {os.environ['NOTE']}", f)
        out(f"tools:     {cmd(self.fetch, '--version')}, flags: {' '.join(self.jobs) or 'defaults'}", f)
        out(f"go:        {cmd(self.a.go, 'version')}", f)
        out(f"floor:     {cmd('curl', '-V').splitlines()[0]}", f)
        out(f"link:      delay line, {self.a.delay_ms} ms each way, priority: {self.a.rt}; "
            f"MTU 1500, no rate limit, no loss", f)
        out(f"servers:   Go net/http over TLS (test CA), HTTP/2 when offered, {self.a.streams} streams "
            f"per connection; GOPROXY https://{SERVER}, GOSUMDB https://{SERVER}:8443", f)
        out("", f)

    # -- the commands; each returns (peak RSS in KiB, what it did) or raises

    def run(self, argv, cwd, env=None, shell=False):
        p = subprocess.run(argv, cwd=cwd, env=env, shell=shell, executable="/bin/bash" if shell else None,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return p

    def rss(self, *files):
        return sum(int(open(f).read().split()[-1]) for f in files)

    def cmd_fetch(self, n, scratch, main):
        cache = os.path.join(scratch, "cache")
        rss = os.path.join(scratch, "rss")
        p = self.run([TIME, "-f", "%M", "-o", rss, self.fetch, *self.jobs, "-m", "go.mod", "--cache", cache], main)
        records = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
        ok = sum(1 for r in records if r.get("ok") is True)
        if p.returncode != 0 or ok != n or len(records) != n:
            bad = next((r for r in records if r.get("ok") is not True), None)
            raise RuntimeError(f"gomod-fetch: {ok} of {n} ok, {len(records)} records (exit {p.returncode}): "
                               f"{p.stderr.decode()[-500:]} {json.dumps(bad)[:800] if bad else ''}")
        return self.rss(rss)

    def cmd_pipe(self, n, scratch, main):
        cache, state = os.path.join(scratch, "cache"), os.path.join(scratch, "state")
        r1, r2 = os.path.join(scratch, "rss1"), os.path.join(scratch, "rss2")
        jobs = " ".join(self.jobs)
        line = (f"set -o pipefail; {TIME} -f %M -o '{r1}' '{self.fetch}' {jobs} -m go.mod --cache '{cache}' | "
                f"{TIME} -f %M -o '{r2}' '{self.sumverify}' {jobs} --state-dir '{state}'")
        p = self.run(line, main, shell=True)
        records = [json.loads(x) for x in p.stdout.splitlines() if x.strip()]
        verified = sum(1 for r in records if r.get("verdict") == "verified")
        if p.returncode != 0 or verified != n:
            bad = next((r for r in records if r.get("verdict") != "verified"), None)
            raise RuntimeError(f"fetch | sumverify: {verified} of {n} verified (exit {p.returncode}): "
                               f"{p.stderr.decode()[-500:]} {json.dumps(bad)[:800] if bad else ''}")
        return self.rss(r1, r2)

    def cmd_go(self, n, scratch, main):
        gopath = os.path.join(scratch, "gopath")
        os.makedirs(os.path.join(scratch, "goenv"))
        env = dict(os.environ, GOPATH=gopath, GOMODCACHE=os.path.join(gopath, "pkg", "mod"),
                   GOENV=os.path.join(scratch, "goenv", "env"), GOCACHE=os.path.join(scratch, "gocache"))
        rss = os.path.join(scratch, "rss")
        gosum = os.path.join(main, "go.sum")
        p = self.run([TIME, "-f", "%M", "-o", rss, self.a.go, "mod", "download"], main, env=env)
        lines = open(gosum).read().splitlines() if os.path.exists(gosum) else []
        if os.path.exists(gosum):
            os.remove(gosum)
        listed = {line.split()[0] for line in lines if line.strip()}
        looked_up = os.path.isdir(os.path.join(gopath, "pkg", "sumdb"))
        if p.returncode != 0 or len(listed) != n or not looked_up:
            raise RuntimeError(f"go mod download failed or skipped the database (exit {p.returncode}, "
                               f"{len(listed)} modules in go.sum): {p.stderr.decode()[-800:]}")
        return self.rss(rss)

    def cmd_floor(self, n, scratch, main):
        urls = []
        for line in open(os.path.join(main, "go.mod")):
            w = line.split()
            if len(w) == 2 and w[0].startswith("example.com/"):
                urls += [f"https://{SERVER}/{w[0]}/@v/{w[1]}{ext}" for ext in (".info", ".mod", ".zip")]
        streams = int(self.a.streams)
        curls = math.ceil(len(urls) / streams)
        procs = []
        for k in range(curls):
            part = urls[k::curls]
            d = os.path.join(scratch, f"c{k}")
            os.makedirs(d)
            cfg = os.path.join(scratch, f"c{k}.cfg")
            with open(cfg, "w") as f:
                for j, u in enumerate(part):
                    f.write(f'url = "{u}"\noutput = "{d}/{j}"\n')
            rss = os.path.join(scratch, f"rss{k}")
            procs.append((subprocess.Popen(
                [TIME, "-f", "%M", "-o", rss, "curl", "--http2", "--parallel", "--parallel-max", str(len(part)),
                 "--cacert", self.ca, "-sS", "--fail", "--config", cfg],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE), rss, d, len(part)))
        total = 0
        for proc, rss, d, count in procs:
            _, err = proc.communicate()
            got = len(os.listdir(d))
            if proc.returncode != 0 or got != count:
                raise RuntimeError(f"curl: {got} of {count} files (exit {proc.returncode}): {err.decode()[-500:]}")
            total += self.rss(rss)
        self.floor_curls = curls
        return total

    # -- rounds

    def measure(self, n, runs):
        f = self.file
        src = os.path.join(self.gen, f"main-{n}")
        main = os.path.join(self.work, f"main-{n}")
        os.makedirs(main, exist_ok=True)
        shutil.copy(os.path.join(src, "go.mod"), main)
        commands = [c for c in COMMANDS if c in self.a.commands.split()]
        results = {c: collections.defaultdict(list) for c in commands}
        rtts = []
        out(f"== {n} modules, {runs} rounds, commands in a rotated order each round", f)
        for r in range(runs):
            order = commands[r % len(commands):] + commands[:r % len(commands)]
            load = self.load()
            self.loads.append(load)
            parts = []
            for c in order:
                # The files the command before wrote go to disk now, not during this
                # command: writing back a few hundred MB is CPU on the same two cores.
                # (With it, gomod-fetch's system time on 800 modules still varies from
                # 0.35 to 0.75 s between runs, for reasons not found.)
                os.sync()
                rtt, ports = self.rtt()
                rtts.append(rtt)
                time.sleep(0.1)  # the probes' connections reach the server's log first
                scratch = os.path.join(self.work, "run")
                os.makedirs(scratch)
                self.log.mark()
                start = time.perf_counter()
                try:
                    rss = getattr(self, "cmd_" + c)(n, scratch, main)
                except RuntimeError as e:
                    sys.exit(f"bench/net.sh: {n} modules, round {r + 1}: {e}")
                took = time.perf_counter() - start
                time.sleep(0.05)
                conns, protos, failed = self.log.since(ports)
                # Kept until the end: deleting thousands of files just before the next
                # command made ext4 search its recently freed inodes for every file that
                # command created (perf: most of a fetch's CPU), which measures the
                # kernel's allocator, not the command.
                os.rename(scratch, os.path.join(self.work, f"spent-{n}-{r}-{c}"))
                res = results[c]
                res["wall"].append(took)
                res["rss"].append(rss)
                res["proxy"].append(conns["proxy"])
                res["sumdb"].append(conns["sumdb"])
                res["protos"] = protos
                res["failed"] = failed
                parts.append(f"{c} {took:.2f}s rtt {rtt:.1f}ms {conns['proxy']}+{conns['sumdb']} conns")
            out(f"round {r + 1}/{runs} (load {load}): " + "; ".join(parts), f)
        self.rtts += rtts
        floor = statistics.median(results["floor"]["wall"]) if "floor" in results else math.nan
        go = statistics.median(results["go"]["wall"]) if "go" in results else math.nan
        out("", f)
        out(f"{n} modules: median of {runs} runs; RTT before each run median {statistics.median(rtts):.1f} ms "
            f"(min {min(rtts):.1f}, max {max(rtts):.1f})", f)
        curls = getattr(self, "floor_curls", 0)
        names = {
            "floor": f"floor: {curls} curl{'s' if curls > 1 else ''} --http2 --parallel",
            "fetch": "gomod-fetch -m go.mod --cache DIR",
            "pipe": "gomod-fetch -m go.mod | gomod-sumverify",
            "go": "go mod download (GOSUMDB set)",
        }
        out(f"{'command':<42} {'wall s (min-max)':<22} {'x floor':>7} {'go / it':>7} "
            f"{'proxy conns':>11} {'sumdb conns':>11} {'peak RSS MiB':>12}  requests (listener protocol TLS: count)", f)
        for c in commands:
            res = results[c]
            wall = statistics.median(res["wall"])
            protos = ", ".join(f"{lst} {p}: {k}" for (lst, p), k in sorted(res["protos"].items()))
            failed = ", ".join(f"{lst} {status} {what}: {k}" for (lst, status, what), k in sorted(res["failed"].items()))
            walls = f"{wall:6.3f} ({min(res['wall']):.3f}-{max(res['wall']):.3f})"
            out(f"{names[c]:<42} {walls:<22} "
                f"{wall / floor:7.2f} {go / wall:7.1f} "
                f"{fmt_range(res['proxy']):>11} {fmt_range(res['sumdb']):>11} "
                f"{statistics.median(res['rss']) / 1024:12.1f}  {protos}"
                + (f"; not 200: {failed}" if failed else ""), f)
        fetch, pipe = (statistics.median(results[c]["wall"]) if c in results else math.nan for c in ("fetch", "pipe"))
        out(f"pipe / fetch alone: {pipe / fetch:.2f}x; go / fetch: {go / fetch:.1f}x; go / pipe: {go / pipe:.1f}x", f)
        out("", f)

    def finish(self):
        out(f"load average during the run (1, 5, 15 min, at each round's start): {' | '.join(self.loads)}; "
            f"at the end {self.load()}", self.file)
        self.file.close()


def fmt_range(values):
    lo, hi = min(values), max(values)
    return f"{lo}" if lo == hi else f"{lo}-{hi}"


if __name__ == "__main__":
    main()

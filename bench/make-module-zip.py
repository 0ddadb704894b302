#!/usr/bin/env python3
"""Writes deterministic module zips for benchmarks.

    bench/make-module-zip.py OUT.zip [FILES] [MODULE] [VERSION]
    bench/make-module-zip.py --tree DIR N [N ...]

The first form writes one zip: FILES entries under MODULE@VERSION/, about 100 MB for
11000 files, about 72% compressible Go-like text and the rest incompressible bytes,
deflated at level 5 (sizes log-normal around Go modules' own).

The second (bench/net.sh) writes max(N) modules `example.com/bench/mNNN` v1.0.0 made the
same way, sized like real ones: most of them 3 to 12 files (tens of KB zipped), every
25th 250 to 450 files (a few MB). DIR/proxy is a GOPROXY tree (list, .info, .mod, .zip),
DIR/go.sum holds every module's two hashes (h1:, as the go command computes them) and
DIR/main-N/go.mod is a main module requiring the first N modules, for each N.
"""
import base64
import hashlib
import os
import random
import sys
import zipfile

SEED = 20260521
ALPHABET = b"abcdefghijklmnopqrstuvwxyz_"
KEYWORDS = b"func return if err != nil { } package import var := for range type struct //".split()


def corpus(rng):
    """Go-like text and incompressible bytes that the files are slices of."""
    words = [bytes(rng.choice(ALPHABET) for _ in range(rng.randint(2, 10))) for _ in range(4000)]
    lines, size = [], 0
    while size < 4 << 20:
        n = rng.randint(2, 12)
        line = b"\t" * rng.randint(0, 3) + b" ".join(
            rng.choice(KEYWORDS) if rng.random() < 0.3 else rng.choice(words) for _ in range(n)) + b"\n"
        lines.append(line)
        size += len(line)
    return b"".join(lines), rng.randbytes(8 << 20)


def write_zip(out, rng, text, noise, count, module, version, go_mod=None):
    """Writes a module zip of `count` files to `out`; returns its h1: hash (Go's
    dirhash.Hash1 over the zip's file names and contents)."""
    go_mod = go_mod or f"module {module}\n\ngo 1.21\n".encode()
    prefix = f"{module}@{version}/"
    summary = []
    with zipfile.ZipFile(out, "w") as z:
        for i in range(count):
            if i == 0:
                name, data = "go.mod", go_mod
            elif rng.random() < 0.72:
                n = min(int(rng.lognormvariate(8.7, 1.0)), len(text))
                at = rng.randrange(0, len(text) - n + 1)
                name, data = f"pkg{i % 97}/file{i}.go", text[at:at + n]
            else:
                n = min(int(rng.lognormvariate(9.35, 0.9)), len(noise))
                at = rng.randrange(0, len(noise) - n + 1)
                name, data = f"testdata/blob{i}.bin", noise[at:at + n]
            info = zipfile.ZipInfo(prefix + name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data, compresslevel=5)
            summary.append((prefix + name, hashlib.sha256(data).hexdigest()))
    return h1(summary)


def h1(files):
    """dirhash.Hash1 of (name, sha256 hex) pairs."""
    lines = "".join(f"{digest}  {name}\n" for name, digest in sorted(files))
    return "h1:" + base64.b64encode(hashlib.sha256(lines.encode()).digest()).decode()


def write_tree(root, counts):
    rng = random.Random(SEED)
    text, noise = corpus(rng)
    total = max(counts)
    width = max(3, len(str(total - 1)))
    paths = [f"example.com/bench/m{i:0{width}}" for i in range(total)]
    version = "v1.0.0"
    gosum = []
    for i, module in enumerate(paths):
        files = rng.randint(250, 450) if i % 25 == 24 else rng.randint(3, 12)
        at = os.path.join(root, "proxy", *module.split("/"), "@v")
        os.makedirs(at, exist_ok=True)
        go_mod = f"module {module}\n\ngo 1.21\n".encode()
        zip_h1 = write_zip(os.path.join(at, f"{version}.zip"), rng, text, noise, files, module, version, go_mod)
        with open(os.path.join(at, f"{version}.mod"), "wb") as f:
            f.write(go_mod)
        with open(os.path.join(at, f"{version}.info"), "w") as f:
            f.write(f'{{"Version":"{version}","Time":"2026-01-01T00:00:00Z"}}\n')
        with open(os.path.join(at, "list"), "w") as f:
            f.write(f"{version}\n")
        mod_h1 = h1([("go.mod", hashlib.sha256(go_mod).hexdigest())])
        gosum.append(f"{module} {version} {zip_h1}\n{module} {version}/go.mod {mod_h1}\n")
    with open(os.path.join(root, "go.sum"), "w") as f:
        f.write("".join(gosum))
    for n in counts:
        main = os.path.join(root, f"main-{n}")
        os.makedirs(main, exist_ok=True)
        requires = "".join(f"\t{p} {version}\n" for p in paths[:n])
        with open(os.path.join(main, "go.mod"), "w") as f:
            f.write(f"module example.com/bench\n\ngo 1.21\n\nrequire (\n{requires})\n")


def main():
    if sys.argv[1:2] == ["--tree"]:
        if len(sys.argv) < 4:
            sys.exit(__doc__)
        write_tree(sys.argv[2], [int(n) for n in sys.argv[3:]])
        return
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 11000
    module = sys.argv[3] if len(sys.argv) > 3 else "example.com/bench"
    version = sys.argv[4] if len(sys.argv) > 4 else "v1.0.0"
    rng = random.Random(SEED)
    text, noise = corpus(rng)
    write_zip(out, rng, text, noise, count, module, version)


if __name__ == "__main__":
    main()

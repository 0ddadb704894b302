#!/usr/bin/env python3
"""Writes a deterministic module zip for benchmarks: FILES entries under
MODULE@VERSION/, about 100 MB for 11000 files, about 72% compressible Go-like text and
the rest incompressible bytes, deflated at level 5 (sizes log-normal around Go
modules' own).

    bench/make-module-zip.py OUT.zip [FILES] [MODULE] [VERSION]
"""
import random
import sys
import zipfile

out = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 11000
module = sys.argv[3] if len(sys.argv) > 3 else "example.com/bench"
version = sys.argv[4] if len(sys.argv) > 4 else "v1.0.0"
rng = random.Random(20260521)
alphabet = b"abcdefghijklmnopqrstuvwxyz_"
words = [bytes(rng.choice(alphabet) for _ in range(rng.randint(2, 10))) for _ in range(4000)]
keywords = b"func return if err != nil { } package import var := for range type struct //".split()
lines, size = [], 0
while size < 4 << 20:
    n = rng.randint(2, 12)
    line = b"\t" * rng.randint(0, 3) + b" ".join(
        rng.choice(keywords) if rng.random() < 0.3 else rng.choice(words) for _ in range(n)) + b"\n"
    lines.append(line)
    size += len(line)
text = b"".join(lines)          # compressible files are slices of this
noise = rng.randbytes(8 << 20)  # and incompressible ones slices of this
prefix = f"{module}@{version}/"
with zipfile.ZipFile(out, "w") as z:
    for i in range(count):
        if i == 0:
            name, data = "go.mod", f"module {module}\n\ngo 1.21\n".encode()
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

#!/usr/bin/env python3
"""Writes seed inputs for every fuzz target into fuzz/corpus/<target>/.

The seeds come from the Go-generated vector files in tests/fixtures/vectors (plus a few
hand-written go.mod files and keys), in the layout each target expects: fields
separated by the byte 0xFF (see src/lib.rs and the comment at the top of each target).
Files are named by the SHA-1 of their content, like libFuzzer's own corpus entries, so
running this again adds nothing new. fuzz/corpus is git-ignored.

Usage: fuzz/seeds.py [CORPUS_DIR]   (default: fuzz/corpus beside this script)
"""

import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
VECTORS = HERE.parent / "tests" / "fixtures" / "vectors"
SEP = b"\xff"


def load(name):
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def b(s):
    return s if isinstance(s, bytes) else (s or "").encode("utf-8")


def join(*parts):
    return SEP.join(b(p) for p in parts)


GO_MODS = [
    "module example.com/m\n\ngo 1.22\n",
    "module example.com/m\n\ngo 1.21.0\n\ntoolchain go1.22.1\n\ngodebug default=go1.21\n\n"
    "require (\n\tgolang.org/x/text v0.14.0\n\texample.com/b v1.1.0 // indirect\n)\n\n"
    "exclude example.com/b v1.0.0\n\nreplace example.com/b v1.1.0 => ../b\n\n"
    "replace golang.org/x/text => golang.org/x/text v0.13.0\n\n"
    "retract [v1.0.0, v1.0.5] // bad\n\ntool example.com/m/cmd/gen\n\nignore ./node_modules\n",
    '// Deprecated: use example.com/n\nmodule "example.com/m/v2"\n\ngo 1.21-custom\n\n'
    "require example.com/c/v3 v3.0.0-20191109021931-daa7c04131f5\n\nretract v2.0.1\n",
    "module gopkg.in/yaml.v3\nrequire (\n\tgithub.com/a/b v1.2.3+incompatible\n)\n"
    "replace github.com/a/b => /abs/dir\n",
    "module m\nrequire x.y/z v1 // indirect; comment\nblock (\n)\n",
]

GOSUMDB = [
    "sum.golang.org",
    "off",
    "sum.golang.google.cn",
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
    "sumdb.fixture.test+1e35f783+AXUVg+v7FlCtFjEP0DHyyoiCdmD6oLsHvUPm7AWx+u3j https://sumdb.example/x",
    "sum.golang.org https://proxy.example/sumdb/sum.golang.org",
]


def seeds():
    out = {}

    def add(target, data):
        out.setdefault(target, []).append(b(data))

    paths = load("paths.json")
    gosum = load("gosum.json")
    envfile = load("envfile.json")
    netrc = load("netrc.json")
    goproxy = load("goproxy-list.json")
    patterns = load("patterns.json")
    vcs = load("vcs.json")
    httpproxy = load("httpproxy.json")

    module_paths = [p["input"] for p in paths if p["kind"] == "path"]
    versions = [p["input"] for p in paths if p["kind"] == "version"]

    # go.mod
    for text in GO_MODS:
        add("gomod", text)
    for case in gosum["tidy"]:
        for name, text in case["main_module_files"].items():
            if name.endswith("go.mod"):
                add("gomod", text)

    # go.sum
    for case in gosum["cases"]:
        add("gosum", case["go_sum"])
    for case in gosum["tidy"]:
        for run in case["go_command"]:
            if run.get("go_sum_after"):
                add("gosum", run["go_sum_after"])

    # go env file
    for case in envfile:
        if case.get("file"):
            add("goenv", case["file"])
        for result in case["results"].values():
            if result.get("fileAfter"):
                add("goenv", result["fileAfter"])

    # netrc: <url> 0xFF <netrc>
    for case in netrc:
        for url in case["urls"][:3]:
            add("netrc", join(url, case["netrc"]))

    # GOPROXY: <GOPROXY> 0xFF <GONOPROXY> 0xFF <module path>
    for i, case in enumerate(goproxy):
        path = module_paths[i % len(module_paths)] if module_paths else "example.com/m"
        add("goproxy", join(case["GOPROXY"], case["GONOPROXY"], path))
        add("gourl", case["GOPROXY"].split(",")[0].split("|")[0])

    # GOSUMDB: mode byte 0 = raw text, 1 = built key (<name> 0xFF <key bytes> 0xFF <url>)
    for value in GOSUMDB:
        add("gosumdb", b"\x00" + b(value))
    add("gosumdb", b"\x01" + join("sum.example.com", bytes(range(32)), ""))
    add("gosumdb", b"\x01" + join("sum.example.com/db", b"k" * 32, "https://db.example"))
    add("gosumdb", b"\x03" + join("x", b"\x02" * 33, ""))

    # patterns: <globs> 0xFF <target>
    for case in patterns:
        add("patterns", join(case["globs"], case["target"]))

    # modpath: <a> 0xFF <b> 0xFF <c> 0xFF <d>
    for case in paths:
        kind = case["kind"]
        if kind in ("path", "version", "unescape"):
            add("modpath", case["input"])
        elif kind == "compare":
            add("modpath", join(case["a"], case["b"]))
        elif kind == "module":
            add("modpath", join(case["path"], case["version"]))
        elif kind == "pseudo":
            add("modpath", join(case["major"], case["older"], case["time"], case["rev"]))
    for v in versions[:20]:
        add("modpath", join("", v, "20191109021931", "daa7c04131f5"))

    # meta: <import path> 0xFF <html>; vcs: <flags> <import path> 0xFF ...
    for case in vcs:
        kind = case["kind"]
        if kind == "meta":
            add("meta", join(case["importPath"], case["html"]))
        elif kind == "govcs" and "root" in case:
            add("govcs", join(case["GOVCS"], case["GOPRIVATE"], case["vcs"], case["root"]))
        elif "importPath" in case:
            add("vcs", b"\x00" + join(case["importPath"], "", "https://example.com/repo", "git", ""))
        elif "repo" in case:
            add("vcs", b"\x02" + join("example.com/x", "", case["repo"], "git", "sub"))
        if "GOVCS" in case and "importPath" in case:
            add("govcs", join(case["GOVCS"], case.get("GOPRIVATE", ""), "git", case["importPath"]))

    # httpproxy: <url> 0xFF HTTPS_PROXY, https_proxy, HTTP_PROXY, http_proxy, NO_PROXY,
    # no_proxy, REQUEST_METHOD
    names = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy",
             "REQUEST_METHOD"]
    for case in httpproxy:
        env = case["env"]
        add("httpproxy", join(case["url"], *[env.get(n, "") for n in names]))
        add("gourl", case["url"])
        for value in env.values():
            if value:
                add("gourl", value)
                add("sanitize", b"\x40\x00" + join("proxyconnect tcp: ", value, "", "", "", ""))

    # gourl: <url> 0xFF <reference>
    for case in netrc:
        for url in case["urls"]:
            add("gourl", join(url, "../x?y#z"))

    # input lines
    for p in module_paths[:20]:
        add("input_line", p + "@v1.2.3")
    add("input_line", '{"type":"route","module":"example.com/m","version":"v1.0.0"}')
    add("input_line", "  # comment")
    add("input_line", "{not json")
    add("input_line", "[1,2]")

    # sanitize: <max:2 bytes LE> <prefix> 0xFF <scheme> 0xFF <user> 0xFF <password> 0xFF
    # <host> 0xFF <suffix>
    add("sanitize", b"\x80\x00" + join('Get "', "https", "alice", "s3cret", "proxy.example:8080",
                                       '/mod/@v/list": EOF'))
    add("sanitize", b"\x10\x00" + join("x://", "http", "u", "p", "h", ""))
    add("sanitize", b"\x20\x00" + join("\x1b[31m\u202e", "git+ssh", "bob", "pa:ss", "host", "\n"))

    return out


def main():
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "corpus"
    total = 0
    for target, inputs in sorted(seeds().items()):
        directory = corpus / target
        directory.mkdir(parents=True, exist_ok=True)
        for data in inputs:
            (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)
        total += len(inputs)
        print(f"{target}: {len(inputs)} seeds")
    print(f"{total} seeds in {corpus}")


if __name__ == "__main__":
    main()

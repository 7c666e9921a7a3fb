#!/usr/bin/env python3
"""Benchmark commlint against ruff, bandit and pylint on a large Python repository,
and against Spectral and Redocly on OpenAPI documents, in the same run.

Corpus (not part of this repository; never copy it in). The figures in the
README were measured on sympy at tag ``sympy-1.14.0``
(commit 16fa855354eb7bcabd3fe10993841e03b1382692, 1,572 Python files, 36 MB)::

    git clone https://github.com/sympy/sympy /tmp/sympy-src
    git -C /tmp/sympy-src archive 16fa855354eb7bcabd3fe10993841e03b1382692 | tar -x -C /tmp/sympy

and, as a repository where many files really make HTTP calls, ansible at tag
``v2.17.5`` (commit 5acd2b0ed3f1d0100cd0b76f7ff0f1c368a04960). Spectral and
Redocly, if wanted, go in a folder outside this repository::

    mkdir -p /tmp/npmtools && cd /tmp/npmtools && npm install @stoplight/spectral-cli @redocly/cli

Run::

    python bench/bench.py /tmp/sympy [/tmp/ansible] [--rounds 5] [--npm-tools /tmp/npmtools]
    python bench/bench.py --proto /tmp/gapis --no-specs --rounds 3     # commlint vs buf lint (pip install buf-bin)

Each tool runs as its own process, from start-up to exit, on a private copy
of the corpus; rounds are interleaved (the order turning each round) so that load from other processes on the
machine falls on every tool alike. Reported: median wall time and its spread
(min-max), median CPU time (user+system, less sensitive to a busy machine),
peak resident memory of the largest process, files per second, the ratios
commlint/ruff and bandit/commlint, and whether each target is met.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_CORPUS = REPO.parent / "shared" / "corpus"
SKIP_DIRS = {".git", "__pycache__", ".commlint_cache", "node_modules", ".tox", ".venv"}


@dataclass
class Sample:
    wall: float
    cpu: float
    rss_mib: float
    rc: int


@dataclass
class Row:
    name: str
    files: int
    samples: list[Sample] = field(default_factory=list)
    note: str = ""

    @property
    def wall(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def rss(self) -> float:
        return max(s.rss_mib for s in self.samples)

    def cells(self) -> list[str]:
        if not self.samples:
            return [self.name, str(self.files), "skipped", "", "", "", "", self.note]
        walls = [s.wall for s in self.samples]
        fps = f"{self.files / self.wall:,.0f}" if self.wall > 0 else ""
        return [self.name, f"{self.files:,}", f"{self.wall:.2f}", f"{min(walls):.2f}-{max(walls):.2f}",
                f"{self.cpu:.2f}", f"{self.rss:.0f}", fps, self.note]


def measure(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 3600) -> Sample:
    """Wall time, CPU time and peak RSS of one command and everything it starts."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.002)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss (KiB on Linux) of the child covers its own waited-for children too
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode)


def python_files(root: Path) -> list[Path]:
    out = []
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if x not in SKIP_DIRS]
        out += [Path(d) / f for f in files if f.endswith(".py")]
    return sorted(out)


def commlint_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("CI", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: byte code written once, not compiled every run
    return env


# commlint started as its console script (`commlint check`, what pre-commit's hook runs) starts it:
# `python -m commlint` would add runpy, whose import of importlib.util is 8 ms of a warm run
CONSOLE_SCRIPT = "import sys; from commlint.cli import run; sys.argv[0] = 'commlint'; sys.exit(run())"


def tool(name: str) -> str:
    """A peer's executable: on PATH, else beside this interpreter (a venv not activated), else the
    bare name (reported as not installed)."""
    return shutil.which(name) or shutil.which(name, path=os.path.dirname(sys.executable)) or name


def commlint(*args: str) -> list[str]:
    return [sys.executable, "-c", CONSOLE_SCRIPT, "check", "--exit-zero", "-q", *args]


def version_of(cmd: list[str]) -> str:
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"
    text = (p.stdout or p.stderr).strip().splitlines()
    return text[0] if text and p.returncode == 0 else "not installed"


def pick_changed_file(root: Path, cache_dir: Path) -> Path:
    """The largest file commlint reports on (it must be parsed: the worst case), else the largest Python file."""
    p = subprocess.run([*commlint("--format", "json", "--cache-dir", str(cache_dir))], cwd=root, env=commlint_env(),
                       capture_output=True, text=True, timeout=3600)
    try:
        paths = {f["location"]["path"] for f in json.loads(p.stdout)["findings"]}
    except (ValueError, KeyError):
        paths = set()
    candidates = [root / x for x in paths if x.endswith(".py")] or python_files(root)
    return max(candidates, key=lambda x: x.stat().st_size)


def bench_python(corpus: Path, args: argparse.Namespace, work: Path) -> tuple[list[Row], dict[str, str]]:
    root = work / corpus.name
    shutil.copytree(corpus, root, symlinks=True, ignore=shutil.ignore_patterns(".git", ".commlint_cache"))
    files = python_files(root)
    n = len(files)
    env = commlint_env()
    cache = work / f"cache-{corpus.name}"
    changed = pick_changed_file(root, cache)  # also fills the cache for the warm runs
    rel_changed = changed.relative_to(root).as_posix()
    subset = [str(f.relative_to(root)) for f in files[: args.pylint_files]]

    rows = {
        "cold": Row("commlint, cold (--no-cache)", n),
        "warm": Row("commlint, warm (cache, nothing changed)", n),
        "one": Row(f"commlint, one changed file ({rel_changed}, {changed.stat().st_size // 1024} KB)", 1),
        "ruff": Row("ruff check --select S113 --no-cache", n),
        "bandit": Row("bandit -r -t B113", n),
        "pylint": Row(f"pylint --enable missing-timeout -j {os.cpu_count()} (first {len(subset)} files)", len(subset)),
    }
    commands = {
        "cold": (commlint("--no-cache", "."), env),
        "warm": (commlint("--cache-dir", str(cache), "."), env),
        "one": (commlint("--cache-dir", str(cache), rel_changed), env),
        "ruff": ([tool("ruff"), "check", "--isolated", "--no-cache", "--select", "S113", "--exit-zero", "-q", "."], None),
        "bandit": ([tool("bandit"), "-q", "-r", "-t", "B113", "."], None),
        "pylint": ([tool("pylint"), "--disable=all", "--enable=missing-timeout", f"-j{os.cpu_count()}", "--exit-zero",
                    *subset], None),
    }
    slow = {"bandit", "pylint"}
    order = list(commands)
    for rnd in range(args.rounds):
        # the order turns each round, so that no tool always runs right after the same one (a warm run
        # right after a cold one's worker processes was up to 40% slower, and so was ruff after it)
        for key in order[rnd % len(order):] + order[:rnd % len(order)]:
            cmd, cmd_env = commands[key]
            if key in args.skip or (key in slow and rnd >= args.slow_rounds):
                continue
            if shutil.which(cmd[0]) is None and cmd[0] != sys.executable:
                rows[key].note = f"{cmd[0]} not installed"
                continue
            if key == "one":
                with open(changed, "a", encoding="utf-8") as fh:
                    fh.write(f"\n# edited for benchmark round {rnd}\n")
            rows[key].samples.append(measure(cmd, root, cmd_env))
            print(f"  {corpus.name} round {rnd + 1}: {key:<6} {rows[key].samples[-1].wall:6.2f} s", file=sys.stderr)
            if key == "one":  # the files that depend on the edited one are checked again here, untimed,
                # so that "warm" means what it says: nothing changed. Two seconds after the edit, so that
                # this run trusts the edited file's stat (a file written in the last two seconds is read
                # again by the next run, which then rewrites the cache: that is not a warm run)
                time.sleep(max(0.0, 2.1 - (time.time() - changed.stat().st_mtime)))
                measure(commands["warm"][0], root, env)
    versions = {
        "ruff": version_of([tool("ruff"), "--version"]),
        "bandit": version_of([tool("bandit"), "--version"]),
        "pylint": version_of([tool("pylint"), "--version"]),
    }
    return list(rows.values()), versions


def openapi_codes() -> list[str]:
    p = subprocess.run([sys.executable, "-m", "commlint", "rules", "--format", "json"], env=commlint_env(),
                       capture_output=True, text=True, timeout=120)
    try:
        return [r["code"] for r in json.loads(p.stdout) if r["kind"] == "openapi"]
    except (ValueError, KeyError):
        return []


def bench_specs(args: argparse.Namespace, work: Path) -> tuple[list[Row], dict[str, str], str]:
    """Spectral and Redocly against commlint's OpenAPI rules on the same documents."""
    source = SHARED_CORPUS / "openapi"
    if not source.is_dir():
        return [], {}, f"skipped: {source} not found"
    codes = openapi_codes()
    if not codes:
        return [], {}, "skipped: this commlint has no openapi rules yet"
    root = work / "openapi"
    docs = []
    for sub in args.spec_dirs:
        src = source / sub
        if src.is_dir():
            shutil.copytree(src, root / sub)
            docs += sorted(p for p in (root / sub).rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
    sys.path.insert(0, str(REPO / "src"))
    from commlint.artifacts.openapi import sniff  # the same documents for every tool: OpenAPI ones only

    docs = [d for d in docs if sniff(d.name, d.read_text(encoding="utf-8", errors="replace"))][: args.spec_files]
    rels = [str(d.relative_to(root)) for d in docs]
    (root / ".spectral.yaml").write_text('extends: ["spectral:oas"]\n', encoding="utf-8")
    tools = Path(args.npm_tools) / "node_modules" / ".bin" if args.npm_tools else None

    def npm_bin(name: str) -> str | None:
        if tools is not None and (tools / name).exists():
            return str(tools / name)
        return shutil.which(name)

    spectral, redocly = npm_bin("spectral"), npm_bin("redocly")
    n = len(docs)
    rows: dict[str, Row] = {
        "cold": Row(f"commlint {','.join(codes[:3])}{'...' if len(codes) > 3 else ''}, cold", n),
        "warm": Row("commlint, warm (cache)", n),
        "spectral": Row("spectral lint (spectral:oas)", n, note="" if spectral else "not installed"),
        "redocly": Row("redocly lint (recommended)", n, note="" if redocly else "not installed"),
    }
    env = commlint_env()
    cache = work / "cache-openapi"
    subprocess.run(commlint("--select", ",".join(codes), "--cache-dir", str(cache), *rels), cwd=root, env=env,
                   capture_output=True, timeout=3600)
    commands: dict[str, list[str] | None] = {
        "cold": commlint("--select", ",".join(codes), "--no-cache", *rels),
        "warm": commlint("--select", ",".join(codes), "--cache-dir", str(cache), *rels),
        "spectral": [spectral, "lint", "--quiet", "--fail-severity", "error", "--ruleset", ".spectral.yaml", *rels] if spectral else None,
        "redocly": [redocly, "lint", "--format", "stylish", *rels] if redocly else None,
    }
    for rnd in range(args.rounds):
        for key, cmd in commands.items():
            if cmd is None or (key in ("spectral", "redocly") and rnd >= args.slow_rounds):
                continue
            rows[key].samples.append(measure(cmd, root, env if cmd[0] == sys.executable else None))
            print(f"  openapi round {rnd + 1}: {key:<8} {rows[key].samples[-1].wall:6.2f} s", file=sys.stderr)
    versions = {
        "spectral": version_of([spectral, "--version"]) if spectral else "not installed",
        "redocly": version_of([redocly, "--version"]) if redocly else "not installed",
    }
    return list(rows.values()), versions, f"{n} documents from {', '.join(args.spec_dirs)}"


def bench_shared_corpus(args: argparse.Namespace, work: Path) -> list[Row]:
    """commlint alone on ../shared/corpus (OpenAPI, Avro, topic files): whatever rules exist."""
    if not SHARED_CORPUS.is_dir():
        return []
    root = work / "shared-corpus"
    shutil.copytree(SHARED_CORPUS, root)
    n = sum(len(files) for _, _, files in os.walk(root))
    env = commlint_env()
    cache = work / "cache-shared"
    subprocess.run(commlint("--cache-dir", str(cache), "."), cwd=root, env=env, capture_output=True, timeout=3600)
    rows = [Row("commlint on ../shared/corpus, cold", n), Row("commlint on ../shared/corpus, warm", n)]
    for rnd in range(args.rounds):
        rows[0].samples.append(measure(commlint("--no-cache", "."), root, env))
        rows[1].samples.append(measure(commlint("--cache-dir", str(cache), "."), root, env))
        print(f"  shared corpus round {rnd + 1}: cold {rows[0].samples[-1].wall:.2f} s", file=sys.stderr)
    return rows


def table(rows: list[Row]) -> str:
    head = ["run", "files", "wall s (median)", "wall spread", "CPU s", "peak MiB", "files/s", "note"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r.cells()) + " |" for r in rows]
    return "\n".join(lines)


# the targets of the issue "Real service code" (speed): cold against ruff S113 per corpus, warm, one changed module
COLD_TARGETS = {"sympy": 2.5}
COLD_TARGET = 4.0
ONE_CHANGED_TARGET = 0.25


def verdicts(rows: list[Row], corpus: str = "") -> list[str]:
    prefixes = {"cold": "commlint, cold", "warm": "commlint, warm", "one": "commlint, one changed",
                "ruff": "ruff", "bandit": "bandit"}
    get = {}
    for key, prefix in prefixes.items():
        row = next((r for r in rows if r.name.startswith(prefix) and r.samples), None)
        if row is not None:
            get[key] = row

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    out = []
    if "cold" in get and "ruff" in get:
        ratio = get["cold"].wall / get["ruff"].wall
        target = COLD_TARGETS.get(corpus, COLD_TARGET)
        out.append(f"commlint cold / ruff = {ratio:.1f}x (target <= {target:g}x): {verdict(ratio <= target)}")
    if "cold" in get and "bandit" in get:
        ratio = get["bandit"].wall / get["cold"].wall
        out.append(f"bandit / commlint cold = {ratio:.0f}x (target >= 20x): {verdict(ratio >= 20)}")
    if "warm" in get and "ruff" in get:
        ratio = get["warm"].wall / get["ruff"].wall
        out.append(f"commlint warm / ruff = {ratio:.2f}x (target <= 1x): {verdict(ratio <= 1)}")
    if "one" in get:
        one = get["one"]
        out.append(f"one changed file = {one.wall:.2f} s wall, {one.cpu:.2f} s CPU (target <= {ONE_CHANGED_TARGET:g} s): "
                   f"{verdict(one.wall <= ONE_CHANGED_TARGET)}")
    commlint_rows = [r for r in rows if r.name.startswith("commlint") and r.samples]
    if commlint_rows:
        peak = max(r.rss for r in commlint_rows)
        out.append(f"commlint peak memory = {peak:.0f} MiB (target < 500 MiB): {verdict(peak < 500)}")
    return out


PROTO_CODES = "CL500,CL501,CL502,CL503"
# buf's lint rules for what those check: protoc's verdict is buf's compile step; a syntax
# declaration (CL501), no required field (CL502), a versioned package (CL503)
BUF_LINT = "version: v2\nlint:\n  use: [SYNTAX_SPECIFIED, FIELD_NOT_REQUIRED, PACKAGE_VERSION_SUFFIX]\n"


def bench_proto(corpus: Path, args: argparse.Namespace, work: Path) -> tuple[list[Row], dict[str, str]]:
    """commlint's lint-like proto rules against ``buf lint`` with the matching rules, on a private
    copy of a tree of .proto files (googleapis: see docs/speed.md for the subset)."""
    root = work / f"proto-{corpus.name}"
    shutil.copytree(corpus, root, symlinks=True, ignore=shutil.ignore_patterns(".git", ".commlint_cache", "buf.yaml",
                                                                            "buf.work.yaml", "buf.gen.yaml"))
    (root / "buf.yaml").write_text(BUF_LINT, encoding="utf-8")
    files = sum(1 for _ in root.rglob("*.proto"))
    buf = shutil.which("buf")
    rows = {
        "cold": Row(f"commlint {PROTO_CODES}, cold (--no-cache)", files),
        "warm": Row("commlint, warm (cache)", files),
        "buf": Row("buf lint (the same rules)", files, note="" if buf else "not installed (pip install buf-bin)"),
    }
    cache = work / "cache-proto"
    env = commlint_env()
    subprocess.run(commlint("--select", PROTO_CODES, "--cache-dir", str(cache)), cwd=root, env=env,
                   capture_output=True, timeout=3600)
    commands = {
        "cold": commlint("--select", PROTO_CODES, "--no-cache"),
        "warm": commlint("--select", PROTO_CODES, "--cache-dir", str(cache)),
        "buf": [buf, "lint", "--error-format", "json"] if buf else None,
    }
    for rnd in range(args.rounds):
        for key, cmd in commands.items():
            if cmd is None:
                continue
            rows[key].samples.append(measure(cmd, root, env if cmd[0] == sys.executable else None))
            print(f"  proto round {rnd + 1}: {key:<5} {rows[key].samples[-1].wall:6.2f} s", file=sys.stderr)
    return list(rows.values()), {"buf": version_of([buf, "--version"]) if buf else "not installed"}


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else ()
    return (f"{os.cpu_count()} cores ({cpu or platform.processor()}), {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, load average {', '.join(f'{x:.1f}' for x in load)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="*", type=Path, help="checked-out Python repositories (e.g. /tmp/sympy /tmp/ansible)")
    ap.add_argument("--proto", type=Path, help="a tree of .proto files to compare with buf lint (e.g. googleapis)")
    ap.add_argument("--rounds", type=int, default=5, help="rounds of the fast tools (default 5)")
    ap.add_argument("--slow-rounds", type=int, default=3, help="rounds of bandit, pylint, Spectral, Redocly (default 3)")
    ap.add_argument("--pylint-files", type=int, default=200, help="pylint checks the first N files only (default 200)")
    ap.add_argument("--skip", nargs="*", default=[], help="tools to leave out: cold warm one ruff bandit pylint")
    ap.add_argument("--npm-tools", help="folder where @stoplight/spectral-cli and @redocly/cli are installed")
    ap.add_argument("--spec-dirs", nargs="*", default=["oai-examples", "oasdiff"], help="folders of ../shared/corpus/openapi")
    ap.add_argument("--spec-files", type=int, default=300, help="at most this many OpenAPI documents (default 300)")
    ap.add_argument("--no-specs", action="store_true", help="leave out the OpenAPI comparison and the shared corpus")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "src" / "commlint")], check=False)  # as installed
    print(f"machine: {machine()}", file=sys.stderr)
    report: dict[str, object] = {"machine": machine()}
    with tempfile.TemporaryDirectory(prefix="commlint-bench-") as tmp:
        work = Path(tmp)
        for corpus in args.corpus:
            if not corpus.is_dir():
                sys.exit(f"{corpus}: not a directory (see the top of this file for how to get the corpus)")
            rows, versions = bench_python(corpus.resolve(), args, work)
            print(f"\n### {corpus.name}: {rows[0].files:,} Python files\n")
            print(table(rows))
            print()
            for line in verdicts(rows, corpus.name):
                print(f"- {line}")
            print(f"\ntools: {'; '.join(f'{k} {v}' for k, v in versions.items())}")
            report[corpus.name] = {"rows": [r.__dict__ | {"samples": [s.__dict__ for s in r.samples]} for r in rows],
                                   "versions": versions, "verdicts": verdicts(rows, corpus.name)}
        if args.proto is not None:
            rows, versions = bench_proto(args.proto.resolve(), args, work)
            print(f"\n### proto: {args.proto.name}, {rows[0].files:,} .proto files\n")
            print(table(rows))
            if rows[0].samples and rows[2].samples:
                ratio = rows[0].wall / rows[2].wall
                print(f"\n- commlint cold / buf lint = {ratio:.2f} (target at most 1): {'met' if ratio <= 1 else 'missed'}")
            print(f"\ntools: {'; '.join(f'{k} {v}' for k, v in versions.items())}")
            report["proto"] = {"rows": [r.__dict__ | {"samples": [s.__dict__ for s in r.samples]} for r in rows],
                               "versions": versions}
        if not args.no_specs:
            rows, versions, note = bench_specs(args, work)
            print(f"\n### OpenAPI: {note}\n")
            if rows:
                print(table(rows))
                print(f"\ntools: {'; '.join(f'{k} {v}' for k, v in versions.items())}")
            shared = bench_shared_corpus(args, work)
            if shared:
                print("\n### ../shared/corpus\n")
                print(table(shared))
            report["openapi"] = {"note": note, "rows": [r.__dict__ | {"samples": [s.__dict__ for s in r.samples]} for r in rows]}
    print(f"\nmachine: {machine()}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()

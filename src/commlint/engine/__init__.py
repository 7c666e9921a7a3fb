"""The run: discovery -> read and parse each file once -> the rules for its kind
-> findings (suppressions, per-file ignores, severities) -> cross-file rules.

Engine rules (``rules/engine.toml``) are reported here: CL001 for a file that
cannot be read or parsed and for a rule that failed on a file, CL002 for
configuration written in a file that cannot be used (``Artifact.config_problems``),
CL003 for an inline suppression that suppresses nothing.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import importlib
import json
import os
import stat
import sys
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Iterable

from .. import __version__
from ..artifacts import Artifact, ParseError, Suppression, kind_module
from ..core.catalogue import Catalogue, load
from ..core.config import Settings, enabled_rules, resolve_selector
from ..artifacts.discovery import SourceFile, discover
from ..core.model import Finding, Location, RuleMeta
from ..artifacts.prefilter import SUPPRESSION_MARK, contains_any, python_in_scope
from ..rules import CHECKS, RuleContext

ENGINE_CODES = ("CL001", "CL002", "CL003")
STRUCTURED_EXTS = (".yaml", ".yml", ".json")


@dataclass
class Plan:
    """What to run on each file; picklable, so workers can take it."""

    settings: Settings
    rules: dict[str, list[str]]  # kind -> enabled rule codes
    triggers: dict[str, tuple[bytes, ...] | None]  # kind -> prefilter (None: always parse)
    engine: set[str]
    prefilter: bool = True
    fact_kinds: set[str] = field(default_factory=set)  # kinds whose facts cross-file rules need
    # per rule (and per kind for facts): what a file must contain for it to run there
    rule_triggers: dict[str, tuple[bytes, ...]] = field(default_factory=dict)
    fact_triggers: dict[str, tuple[bytes, ...]] = field(default_factory=dict)

    def key(self) -> str:
        """What the result cache is keyed by, besides each file's content: commlint
        itself, the enabled rules and every setting that can change a finding."""
        settings = {f.name: getattr(self.settings, f.name) for f in fields(self.settings) if f.name not in _NOT_IN_KEY}
        payload = {
            "v": __version__,
            "build": _build_fingerprint(),
            "rules": self.rules,
            "engine": sorted(self.engine),
            "facts": sorted(self.fact_kinds),
            "settings": settings,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]


# Settings that cannot change one file's findings: which files are checked, how
# the run ends, and per-file ignores (applied after the cache). Every other
# setting, including ones added later, is part of the cache key.
_NOT_IN_KEY = frozenset({
    "config_path", "select", "extend_select", "ignore", "exclude", "extend_exclude", "fail_on",
    "jobs", "cache_dir", "respect_gitignore", "per_file_ignores",
})


@functools.lru_cache(maxsize=1)
def _build_fingerprint() -> list[list[Any]]:
    """Size and modification time of commlint's own code and catalogue, so a
    cache never outlives an edit to a rule in a source checkout."""
    from ..core.catalogue import catalogue_dir

    out: list[list[Any]] = []
    stack = [os.path.dirname(os.path.dirname(os.path.abspath(__file__))), str(catalogue_dir())]
    while stack:
        with os.scandir(stack.pop()) as it:
            for e in it:
                if e.is_dir() and e.name != "__pycache__":
                    stack.append(e.path)
                elif e.name.endswith((".py", ".toml")):
                    st = e.stat()
                    out.append([e.path, st.st_size, st.st_mtime_ns])
    return sorted(out)


@dataclass
class FileResult:
    rel: str
    kind: str | None = None  # the kind that claimed the file (None: not ours / skipped)
    findings: list[Finding] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    parsed: bool = False
    deps: dict[str, str] = field(default_factory=dict)  # other files the findings depend on -> digest
    examined: dict[str, int] = field(default_factory=dict)  # rule code -> subjects it examined here

    def to_json(self) -> dict[str, Any]:
        return {
            "rel": self.rel, "kind": self.kind, "parsed": self.parsed, "facts": self.facts,
            "findings": [f.to_dict() for f in self.findings], "deps": self.deps, "examined": self.examined,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "FileResult":
        return cls(d["rel"], d["kind"], [Finding.from_dict(f) for f in d["findings"]], d["facts"], d["parsed"],
                   d.get("deps", {}), d.get("examined", {}))


@dataclass
class RunResult:
    findings: list[Finding]
    files: list[FileResult]
    rules: list[RuleMeta]
    settings: Settings
    messages: list[str] = field(default_factory=list)
    duration: float = 0.0
    fixed: dict[str, int] = field(default_factory=dict)
    system_examined: dict[str, int] = field(default_factory=dict)

    @property
    def examined(self) -> dict[str, int]:
        """Rule code -> how many subjects (calls, consumers, documents, ...) it examined in the run."""
        out = dict(self.system_examined)
        for r in self.files:
            for code, n in r.examined.items():
                out[code] = out.get(code, 0) + n
        return out

    @property
    def active(self) -> list[Finding]:
        """Findings that are not suppressed."""
        return [f for f in self.findings if f.suppressed is None]

    @property
    def kinds_seen(self) -> set[str]:
        return {r.kind for r in self.files if r.kind}

    def failed(self) -> bool:
        return any(f.severity >= self.settings.fail_on for f in self.active)


# -- planning ----------------------------------------------------------------------------


def make_plan(settings: Settings, catalogue: Catalogue, prefilter: bool = True) -> Plan:
    rules = enabled_rules(settings, catalogue)
    by_kind: dict[str, list[str]] = {}
    for r in rules:
        if r.family != "engine":
            by_kind.setdefault(r.kind, []).append(r.code)
    families = {f.id: f for f in catalogue.families}
    triggers: dict[str, tuple[bytes, ...] | None] = {}
    for r in rules:
        fam = families[r.family]
        if r.family == "engine":
            continue
        current = triggers.get(r.kind, ())
        if current is None or not fam.triggers:
            triggers[r.kind] = None
        else:
            triggers[r.kind] = tuple(sorted(set(current) | set(fam.triggers)))
    engine = {r.code for r in rules if r.family == "engine"}
    rule_triggers = {r.code: families[r.family].triggers for r in rules if families[r.family].triggers}
    fact_triggers: dict[str, tuple[bytes, ...]] = {}
    fact_kinds: set[str] = set()
    for code in by_kind.get("system", ()):
        # a cross-file rule's module names the kinds whose facts it reads and,
        # per kind, what a file must contain to hold any (FACT_TRIGGERS)
        mod = importlib.import_module(catalogue.by_code[code].module)
        for kind in getattr(mod, "FACT_KINDS", ()):
            fact_kinds.add(kind)
            extra = getattr(mod, "FACT_TRIGGERS", {}).get(kind)
            current = triggers.get(kind, ())
            if current is None or extra is None:
                triggers[kind] = None
            else:
                triggers[kind] = tuple(sorted(set(current) | {t.encode() for t in extra}))
                fact_triggers[kind] = tuple(sorted(set(fact_triggers.get(kind, ())) | {t.encode() for t in extra}))
    return Plan(settings, by_kind, triggers, engine, prefilter, fact_kinds, rule_triggers, fact_triggers)


def wanted_kinds(source: SourceFile, plan: Plan) -> list[str]:
    """The kinds a file may be of that some enabled rule (or cross-file rule) reads."""
    return [k for k in source.kinds if plan.rules.get(k) or k in plan.fact_kinds]


def is_candidate(source: SourceFile, data: bytes | None, plan: Plan) -> bool:
    """Whether a file may need parsing at all: the prefilter's first, cheapest
    stage (see prefilter.py), run on every file before any is sent to a worker."""
    if data is None:
        return True
    wanted = wanted_kinds(source, plan)
    if not wanted:
        return False
    if wanted == ["python"] and plan.prefilter:
        triggers = plan.triggers.get("python")
        if triggers is not None:
            return contains_any(data, triggers) or ("CL003" in plan.engine and SUPPRESSION_MARK in data)
    if len(source.kinds) > 1 and plan.prefilter and len(data) <= plan.settings.max_file_size:
        return claimed(source, data, wanted)  # a .yaml/.json no kind recognises is not worth a worker
    return True


def claimed(source: SourceFile, data: bytes, wanted: list[str]) -> bool:
    """Whether some wanted kind's ``sniff`` claims a file whose ending several kinds
    share, as check_file will decide (a regular expression or two, no parse)."""
    try:
        text = decode_text(data)
    except UnicodeDecodeError:
        return not source.rel.lower().endswith(STRUCTURED_EXTS)
    for kind in wanted:
        try:
            sniff = getattr(kind_module(kind), "sniff", None)
        except ImportError:
            return True  # check_file reports it
        if sniff is None or sniff(source.rel, text):
            return True
    return False


# -- one file -----------------------------------------------------------------------------


def _engine_finding(meta: RuleMeta, message: str, loc: Location, settings: Settings) -> Finding:
    return Finding(
        meta.code, meta.name, settings.severity.get(meta.code, meta.severity), message, loc,
        meta.checklist, meta.sections,
    )


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a BOM) for YAML, JSON, Avro and proto files."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8")


def file_digest(path: str) -> str:
    """What a dependency's content was (``missing`` for no such file)."""
    try:
        with open(path, "rb") as fh:
            return hashlib.blake2b(fh.read(), digest_size=16).hexdigest()
    except OSError:
        return "missing"


def read_source(path: Path, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of a regular file (a FIFO or device put in its place
    since discovery raises OSError instead of blocking or reading forever)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with open(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        return fh.read(limit + 1)


def _head_sniff(kind: str, source: SourceFile, data: bytes) -> bool:
    """Whether the start of a file too large to read looks like a file of this kind."""
    sniff = getattr(kind_module(kind), "sniff", None)
    return sniff is None or bool(sniff(source.rel, data[:65536].decode("utf-8", "replace").lstrip("\ufeff")))


def check_file(source: SourceFile, plan: Plan, data: bytes | None = None) -> FileResult:
    """Read, parse and check one file, within the ``file-timeout`` budget. Never raises."""
    from ..core.budget import FileTimeout, time_budget

    try:
        with time_budget(plan.settings.file_timeout):
            return _check_file(source, plan, data)
    except FileTimeout:
        result = FileResult(source.rel, next(iter(source.kinds), None))
        result.deps = {"": "unknown"}  # how long a file takes depends on the machine: never reuse this result
        if "CL001" in plan.engine:
            result.findings.append(_engine_finding(
                load().by_code["CL001"],
                f"took longer than file-timeout ({plan.settings.file_timeout:g} s); not checked",
                Location(source.rel), plan.settings))
        return result


def _check_file(source: SourceFile, plan: Plan, data: bytes | None = None) -> FileResult:
    cat = load()
    settings = plan.settings
    result = FileResult(source.rel)
    cl001 = cat.by_code["CL001"]

    quiet = False  # a Python file no rule can report on, parsed anyway (--no-prefilter): no CL001

    def fail(message: str, line: int = 1, column: int = 1, pointer: str | None = None) -> FileResult:
        if "CL001" in plan.engine and not quiet:
            result.findings.append(
                _engine_finding(cl001, message, Location(source.rel, line, column, pointer=pointer), settings)
            )
        return result

    wanted = wanted_kinds(source, plan)
    if not wanted:
        return result
    if data is None:
        try:
            data = read_source(source.path, max(settings.max_file_size, settings.max_python_file_size))
        except FileNotFoundError:
            return result  # deleted since discovery
        except OSError as exc:
            return fail(f"cannot read file: {exc.strerror or exc}")
    text: str | None = None
    for kind in wanted:
        if kind == "python":
            result.kind = kind
            too_large = len(data) > settings.max_python_file_size
            triggers = plan.triggers.get(kind)
            if triggers is not None:
                suppressions = "CL003" in plan.engine
                if too_large:  # not worth tokenizing: the first stage decides
                    in_scope = contains_any(data, triggers) or (suppressions and SUPPRESSION_MARK in data)
                else:
                    in_scope = python_in_scope(data, triggers, suppressions)
                if not in_scope:
                    if plan.prefilter:
                        return result
                    quiet = True
            if too_large:
                return fail(f"file is larger than max-python-file-size ({settings.max_python_file_size} bytes); not checked")
            mod = kind_module(kind)
            try:
                src = mod.decode(data)
            except ParseError as exc:
                return fail(exc.message, exc.line, exc.column)
        else:
            if text is None:
                if len(data) > settings.max_file_size:
                    if source.rel.lower().endswith(STRUCTURED_EXTS) and not _head_sniff(kind, source, data):
                        continue  # a large data file that does not look like one of ours: not claimed
                    result.kind = kind
                    return fail(f"file is larger than max-file-size ({settings.max_file_size} bytes); not checked")
                try:
                    text = decode_text(data)
                except UnicodeDecodeError as exc:
                    if source.rel.lower().endswith(STRUCTURED_EXTS):
                        return result  # not text: not a document of ours
                    result.kind = kind
                    line = data[: exc.start].count(b"\n") + 1
                    return fail(f"not valid UTF-8 (byte {exc.start})", line)
            src = text
            try:
                mod = kind_module(kind)
            except ImportError as exc:
                return fail(f"internal error: cannot load the {kind} front-end ({exc})")
            sniff = getattr(mod, "sniff", None)
            if sniff is not None and len(source.kinds) > 1 and not sniff(source.rel, src):
                continue
        result.kind = kind
        try:
            artifact = mod.parse(source.rel, src, settings)
        except ParseError as exc:
            return fail(exc.message, exc.line, exc.column, exc.pointer)
        except RecursionError:
            return fail("too deeply nested to parse")
        except MemoryError:
            return fail("ran out of memory while parsing")
        except Exception as exc:  # noqa: BLE001 - a parser bug must not stop the run
            return fail(f"internal error while parsing: {type(exc).__name__}: {exc}")
        result.parsed = True
        present = _presence(data, plan)
        _run_rules(artifact, kind, plan, cat, result, present)
        try:
            result.deps = {p: file_digest(p) for p in artifact.dependencies()}
        except Exception:  # noqa: BLE001 - without them the result is simply not reused
            result.deps = {"": "unknown"}
        if kind in plan.fact_kinds and present(plan.fact_triggers.get(kind)):
            try:
                result.facts = artifact.facts()
            except Exception as exc:  # noqa: BLE001
                fail(f"internal error while collecting facts: {type(exc).__name__}: {exc}")
        return result
    return result


def _presence(data: bytes, plan: Plan) -> Callable[[tuple[bytes, ...] | None], bool]:
    """Whether a file holds any of a family's triggers (remembered per family). With
    the prefilter off (``--no-prefilter``), every rule runs on every parsed file."""
    seen: dict[tuple[bytes, ...], bool] = {}

    def present(triggers: tuple[bytes, ...] | None) -> bool:
        if not triggers or not plan.prefilter:
            return True
        if triggers not in seen:
            seen[triggers] = contains_any(data, triggers)
        return seen[triggers]

    return present


def _run_rules(artifact: Artifact, kind: str, plan: Plan, cat: Catalogue, result: FileResult,
               present: Callable[[tuple[bytes, ...] | None], bool]) -> None:
    settings = plan.settings
    findings: list[Finding] = []
    for code in plan.rules.get(kind, ()):
        if not present(plan.rule_triggers.get(code)):
            continue  # parsed for another family; nothing this rule looks for is in the file
        meta = cat.by_code[code]
        fn = CHECKS.get(code)
        if fn is None:
            importlib.import_module(meta.module)
            fn = CHECKS[code]
        ctx = RuleContext(meta, artifact, settings.options_for(meta), settings, settings.severity.get(code, meta.severity))
        try:
            fn(ctx)
            result.examined[code] = examined(ctx, fn)
        except RecursionError:
            findings.append(_engine_finding(cat.by_code["CL001"], f"rule {code} ({meta.name}) gave up: too deeply nested",
                                            Location(artifact.path), settings))
        except Exception as exc:  # noqa: BLE001 - one rule's bug must not stop the run
            findings.append(_engine_finding(
                cat.by_code["CL001"],
                f"internal error in rule {code} ({meta.name}): {type(exc).__name__}: {exc}",
                Location(artifact.path), settings))
        findings.extend(ctx.findings)
    result.findings.extend(apply_suppressions(artifact, findings, plan, cat))


def examined(ctx: RuleContext, fn: Any) -> int:
    """How many subjects a rule examined: what it counted with ``ctx.examine()``, else what
    its module's ``SUBJECTS[code](ctx)`` counts, else one per parsed document (kinds
    other than Python, where the file is the subject)."""
    if ctx.examined:
        return ctx.examined
    counter = getattr(sys.modules.get(fn.__module__), "SUBJECTS", {}).get(ctx.meta.code)
    if counter is not None:
        return int(counter(ctx))
    return 0 if ctx.meta.kind in ("python", "system") else 1


def apply_suppressions(artifact: Artifact, findings: list[Finding], plan: Plan, cat: Catalogue) -> list[Finding]:
    settings = plan.settings
    try:
        sups: list[Suppression] = artifact.suppressions()
    except Exception:  # noqa: BLE001
        sups = []
    out: list[Finding] = []
    if "CL002" in plan.engine:
        try:
            problems = artifact.config_problems()
        except Exception:  # noqa: BLE001
            problems = []
        out.extend(_engine_finding(cat.by_code["CL002"], message, loc, settings) for loc, message in problems)
        out.extend(_engine_finding(
            cat.by_code["CL002"], "`commlint: ignore` names no rule, so it suppresses nothing: write "
            "`commlint: ignore[CODE] -- reason`", Location(artifact.path, sup.line, sup.column), settings)
            for sup in sups if sup.bare)
    for f in findings:
        for sup in sups:
            if not sup.covers(f.location):
                continue
            hit = next((c for c in sup.codes if _names(cat, c, f.code)), None)
            if hit is not None:
                sup.used.add(hit)
                f = f.with_(suppressed=sup.reason or "suppressed inline")
                break
        out.append(f)
    if "CL003" in plan.engine:
        enabled = {c for codes in plan.rules.values() for c in codes} | plan.engine
        meta = cat.by_code["CL003"]
        for sup in sups:
            for code in sup.codes:
                rule = cat.get(code)
                loc = Location(artifact.path, sup.line, sup.column, pointer=sup.pointer)
                if rule is None:
                    out.append(_engine_finding(meta, f"suppression names an unknown rule {code!r}", loc, settings))
                elif code not in sup.used and rule.code in enabled and rule.kind != "system":
                    out.append(_engine_finding(meta, f"unused suppression: no {rule.code} ({rule.name}) finding here", loc, settings))
    return out


def _names(cat: Catalogue, key: str, code: str) -> bool:
    rule = cat.get(key)
    return rule is not None and rule.code == code


# -- the run ------------------------------------------------------------------------------


def _per_file_ignored(rel: str, plan: Plan, cat: Catalogue) -> set[str]:
    """Codes that ``per-file-ignores`` drops for this path."""
    from ..artifacts.discovery import _spec

    dropped: set[str] = set()
    for glob, sels in plan.settings.per_file_ignores.items():
        if _spec([glob]).match_file(rel):
            for sel in sels:
                dropped |= {r.code for r in resolve_selector(sel, cat, include_off=True)}
    return dropped


def _post(findings: list[Finding], plan: Plan, cat: Catalogue) -> list[Finding]:
    """Per-file ignores, applied to per-file and cross-file findings alike."""
    if not plan.settings.per_file_ignores or not findings:
        return findings
    memo: dict[str, set[str]] = {}
    out = []
    for f in findings:
        path = f.location.path
        if path not in memo:
            memo[path] = _per_file_ignored(path, plan, cat)
        if f.code not in memo[path]:
            out.append(f)
    return out


def check_paths(
    paths: Iterable[str | os.PathLike[str]],
    settings: Settings | None = None,
    *,
    fix: bool = False,
    jobs: int | None = None,
    cache: Any = None,
    cache_dir: str | os.PathLike[str] | None = None,
    prefilter: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Check files and directories; return every finding (the Python API).

    ``cache_dir`` (or a ready ``runner.Cache`` as ``cache``): keep per-file results
    there and reuse them while a file's content, commlint and the plan are unchanged.
    """
    start = time.perf_counter()
    cat = load()
    path_list = [Path(p) for p in paths] or [Path(".")]
    if settings is None:
        from ..core.config import build_settings, find_config, read_config

        cfg = find_config(path_list[0])
        root = cfg.parent if cfg else Path.cwd()
        settings = build_settings(read_config(cfg) if cfg else {}, root, cat, cfg)
    messages: list[str] = []
    sources = discover(path_list, settings, messages.append)
    plan = make_plan(settings, cat, prefilter)
    from ..runner import Cache, run_files

    if cache is None and cache_dir is not None:
        cache = Cache(Path(cache_dir), plan.key())
    results = run_files(sources, plan, jobs=jobs if jobs is not None else settings.jobs, cache=cache, progress=progress)
    fixed: dict[str, int] = {}
    if fix:
        from ..fixes import apply_all

        results, fixed = apply_all(sources, results, plan, messages)
    findings: list[Finding] = []
    for r in results:
        findings.extend(_post(r.findings, plan, cat))
    system_examined: dict[str, int] = {}
    from .partial import is_partial, project_results, reported_on

    if plan.rules.get("system") and is_partial(path_list, settings):  # judged with the whole project's facts
        project = project_results(results, plan, cat, cache, jobs if jobs is not None else settings.jobs)
        findings.extend(_post(reported_on(run_system_rules(project, plan, cat, system_examined), results), plan, cat))
    else:
        findings.extend(_post(run_system_rules(results, plan, cat, system_examined), plan, cat))
    findings.sort(key=Finding.sort_key)
    return RunResult(findings, results, enabled_rules(settings, cat), settings, messages,
                     time.perf_counter() - start, fixed, system_examined)


# -- cross-file rules -------------------------------------------------------------------


class Project:
    """What cross-file rules see: every checked file's kind and facts."""

    kind = "system"

    def __init__(self, files: list[FileResult], settings: Settings):
        self.files = files
        self.settings = settings

    def facts(self, kind: str) -> Iterable[tuple[str, dict[str, Any]]]:
        for r in self.files:
            if r.kind == kind:
                yield r.rel, r.facts

    def locate(self, where: Any) -> Location:
        if isinstance(where, Location):
            return where
        if isinstance(where, dict):
            return Location.from_dict(where)
        raise TypeError(f"cannot locate {type(where).__name__} in the project")


def run_system_rules(results: list[FileResult], plan: Plan, cat: Catalogue,
                     examined_out: dict[str, int] | None = None) -> list[Finding]:
    examined_out = {} if examined_out is None else examined_out
    codes = plan.rules.get("system", [])
    if not codes:
        return []
    project = Project(results, plan.settings)
    out: list[Finding] = []
    for code in codes:
        meta = cat.by_code[code]
        importlib.import_module(meta.module)
        ctx = RuleContext(meta, project, plan.settings.options_for(meta), plan.settings,
                          plan.settings.severity.get(code, meta.severity))
        try:
            CHECKS[code](ctx)
            examined_out[code] = examined(ctx, CHECKS[code])
        except Exception as exc:  # noqa: BLE001
            out.append(_engine_finding(cat.by_code["CL001"],
                                       f"internal error in rule {code} ({meta.name}): {type(exc).__name__}: {exc}",
                                       Location("."), plan.settings))
        out.extend(ctx.findings)
    return _suppress_system(out, plan, cat)


def _suppress_system(findings: list[Finding], plan: Plan, cat: Catalogue) -> list[Finding]:
    """Inline suppressions for cross-file findings: read only the files they land in."""
    from ..artifacts import comment_suppressions

    by_path: dict[str, list[Finding]] = {}
    for f in findings:
        by_path.setdefault(f.location.path, []).append(f)
    out: list[Finding] = []
    for path, fs in by_path.items():
        try:
            text = (Path(plan.settings.root) / path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            out.extend(fs)
            continue
        sups = comment_suppressions(text)
        for f in fs:
            sup = next((s for s in sups if s.covers(f.location) and any(_names(cat, c, f.code) for c in s.codes)), None)
            out.append(f.with_(suppressed=sup.reason or "suppressed inline") if sup else f)
    return out

"""One file through the pipeline: read (bounded), decide whether it is a candidate, parse once for its kind, run that kind's rules, collect findings and facts."""

from __future__ import annotations

import importlib
from typing import Any, Callable

from ..artifacts import Artifact, ParseError, kind_module
from ..artifacts.discovery import SourceFile
from ..artifacts.prefilter import SUPPRESSION_MARK, contains_any, python_in_scope
from ..artifacts.reading import decode_python, decode_text, file_digest, read_source
from ..core.catalogue import Catalogue, load
from ..core.model import Finding, Location
from ..rules import CHECKS, RuleContext
from .plan import STRUCTURED_EXTS, Plan, wanted_kinds
from .results import FileResult, engine_finding
from .suppress import apply_suppressions


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
            result.findings.append(engine_finding(
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
                engine_finding(cl001, message, Location(source.rel, line, column, pointer=pointer), settings)
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
    tree = None  # CPython's parse of the Python file, when the screen made one
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
            try:
                src = decode_python(data)
            except ParseError as exc:
                return fail(exc.message, exc.line, exc.column)
            if plan.prefilter and not quiet:
                tree, stands = _screen(source, data, src, plan, cat)
                if stands is not None:  # nothing the rules examine: no tree built
                    result.parsed = True
                    if kind in plan.fact_kinds and _presence(data, plan)(plan.fact_triggers.get(kind)):
                        result.facts = stands["facts"]
                    result.deps = {p: file_digest(p) for p in sorted(stands["deps"])}
                    return result
            mod = kind_module(kind)
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
            artifact = mod.parse(source.rel, src, settings, tree=tree) if kind == "python" and tree is not None \
                else mod.parse(source.rel, src, settings)
        except ParseError as exc:
            return fail(exc.message, exc.line, exc.column, exc.pointer)
        except RecursionError:
            return fail("too deeply nested to parse")
        except MemoryError:
            return fail("ran out of memory while parsing")
        except Exception as exc:  # noqa: BLE001 - a parser bug must not stop the run
            return fail(f"internal error while parsing: {type(exc).__name__}: {exc}")
        result.parsed = True
        if getattr(artifact, "star_imports", None):  # from x import *: its names bound before any analysis reads them
            from ..analyses.index import expand_star_imports

            expand_star_imports(artifact)
        present = _presence(data, plan)
        _run_rules(artifact, kind, plan, cat, result, present)
        try:
            result.deps = {p: file_digest(p) for p in artifact.dependencies()}
        except Exception:  # noqa: BLE001 - without them the result is simply not reused
            result.deps = {"": "unknown"}
        if kind in plan.fact_kinds and present(plan.fact_triggers.get(kind)):
            try:
                from ..analyses.facts import (
                    facts_of,  # the analyses: only for a parsed file
                )

                result.facts = facts_of(artifact)
            except Exception as exc:  # noqa: BLE001
                fail(f"internal error while collecting facts: {type(exc).__name__}: {exc}")
        return result
    return result


def _screen(source: SourceFile, data: bytes, text: str, plan: Plan, cat: Catalogue) -> tuple[Any, dict | None]:
    """The prefilter's last stage for a Python file (``analyses/screen.py``): CPython's ``ast`` tree
    of it (None when it was not parsed), and the result standing for it when nothing the rules
    examine can be in it."""
    from ..analyses.screen import screened

    present = _presence(data, plan)
    others = any(cat.by_code[code].examines != "calls" and present(plan.rule_triggers.get(code) or None)
                 for code in plan.rules.get("python", ()))  # a rule that may examine something else
    return screened(source.rel, data, text, plan, others)


def _unparsed(artifact: Artifact, kind: str, plan: Plan, cat: Catalogue) -> list[Finding]:
    """A file the selected rules needed that does not parse: its kind's validity rule says
    why; when that rule is not selected, CL001 does, so the file never silently passes."""
    rules = plan.rules.get(kind, ())
    if "CL001" not in plan.engine or not rules or artifact.validity_rule is None or artifact.validity_rule in rules:
        return []
    failure = artifact.unparsed()
    if failure is None:
        return []
    loc, why = failure
    needed = ", ".join(rules[:4]) + (", ..." if len(rules) > 4 else "")
    return [engine_finding(cat.by_code["CL001"], f"does not parse, so {needed} could not check it: {why}", loc, plan.settings)]


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
            findings.append(engine_finding(cat.by_code["CL001"], f"rule {code} ({meta.name}) gave up: too deeply nested",
                                            Location(artifact.path), settings))
        except Exception as exc:  # noqa: BLE001 - one rule's bug must not stop the run
            findings.append(engine_finding(
                cat.by_code["CL001"],
                f"internal error in rule {code} ({meta.name}): {type(exc).__name__}: {exc}",
                Location(artifact.path), settings))
        findings.extend(ctx.findings)
    findings.extend(_unparsed(artifact, kind, plan, cat))
    result.findings.extend(apply_suppressions(artifact, findings, plan, cat))


def examined(ctx: RuleContext, fn: Any) -> int:
    """How many subjects a rule examined: what it counted with ``ctx.examine()``, else what
    its declared ``subjects(ctx)`` counts, else one per parsed document (kinds other than
    Python, where the file is the subject)."""
    if ctx.examined:
        return ctx.examined
    counter = getattr(fn, "subjects", None)
    if counter is not None:
        return int(counter(ctx))
    return 0 if ctx.meta.kind in ("python", "system") else 1

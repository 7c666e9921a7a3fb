"""Fuzzing each front-end through the engine with hypothesis.

Seeds are the catalogue's own examples (every kind of file commlint reads);
hypothesis mutates them (cuts, splices, duplicated and swapped lines, syntax
tokens, control characters, invalid UTF-8) and every result must come back
from ``check_file`` without an exception and without an "internal error"
finding (the engine's safety net catching a front-end or rule bug), then
render as JSON and SARIF.

CI runs 200 examples per front-end (about 15-30 s in all), the same ones every time (see
tests/conftest.py). For a longer run, drawn afresh::

    COMMLINT_FUZZ_RANDOM=1 COMMLINT_FUZZ_EXAMPLES=5000 PYTHONPATH=src python -m pytest -q tests/hostile/test_hostile_fuzz.py
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from commlint.artifacts import kinds_for
from commlint.core.catalogue import load
from commlint.core.config import build_settings
from commlint.artifacts.discovery import SourceFile
from commlint.engine import RunResult, check_file, enabled_rules, make_plan
from commlint.report import render

EXAMPLES = int(os.environ.get("COMMLINT_FUZZ_EXAMPLES", "200"))

TOKENS = {
    "python": ["(", ")", "[", "]", "{", "}", ":", "\n    ", "\t", "'''", '"', "\\", "lambda: ", "async ", "await ",
               "requests.get(", "httpx.Client(", "timeout=", "**kw", "*", "@", "# commlint: ignore[CL101]",
               "# -*- coding: latin-1 -*-\n", "with ", " as ", "self.", "for x in y:\n    ", "f'{", "\x0c"],
    "yaml": [":", "- ", "  ", "\n", "&a ", "*a", "<<: *a\n", "!!python/object/apply:os.system ['true'] ", "!Ref ",
             "---\n", "...\n", "{", "}", "[", "]", "'", '"', "|\n  ", ">-\n  ", "? ", "$ref: '#/components/x'\n",
             "$ref: '../../etc/passwd'\n", "$ref: 'http://x/y'\n", "x-commlint-ignore: [CL300]\n", "%YAML 1.1\n", "\t"],
    "json": ["{", "}", "[", "]", ",", ":", '"', '"$ref": "#/x"', '"type": ', '"record"', '"name": "A"', "null",
             "1e999", "-0", "NaN", "\\u0000", "\\ud800", '"fields": [', '"aliases": ["A"]', '"items": "A"'],
    "proto": ["{", "}", ";", "/*", "*/", "//", "\n", "message M ", "enum E ", "service S ", "rpc R(A) returns (B)",
              "stream ", "oneof o ", "map<string, int32> m = 1", "reserved 1 to max", "option x = 1;",
              "syntax = \"proto2\";", "required ", "= 536870912", "import \"x.proto\";", "package a.v1;", '"'],
    "hcl": ["{", "}", "[", "]", "=", "\"", "${", "}", "\n", "resource \"kafka_topic\" \"t\" ", "name = ",
            "partitions = ", "config = {", "#", "/*", "*/", "<<EOT\n", "EOT\n", "for_each = ", "count.index"],
}
JUNK = ["\x00", "\ufeff", "\x1b[31m", "\ud800", "\r", "\r\n", "\u2028", "\u202e", "\U0001f600", "é", "\x85"]


def _seeds() -> dict[str, list[tuple[str, str]]]:
    by_kind: dict[str, list[tuple[str, str]]] = {}
    for rule in load().rules:
        for ex in rule.examples:
            for path, text in ex.files.items():
                name = Path(path).name
                kinds = kinds_for(name)
                if not kinds:
                    continue
                key = {".py": "python", ".avsc": "avro", ".proto": "proto", ".tf": "terraform"}.get(
                    Path(name).suffix, "openapi" if "openapi" in text or "swagger" in text else "topics")
                by_kind.setdefault(key, []).append((name, text.lstrip("\n")))
    return by_kind


SEEDS = _seeds()
TOKEN_SET = {"python": "python", "openapi": "yaml", "topics": "yaml", "avro": "json", "proto": "proto",
             "terraform": "hcl"}


@st.composite
def mutated(draw, kind: str) -> tuple[str, bytes]:  # noqa: ANN001
    name, text = draw(st.sampled_from(SEEDS[kind]))
    if kind == "openapi" and draw(st.booleans()):  # the same spec as JSON
        import yaml

        try:
            text = json.dumps(yaml.safe_load(text), default=str)
            name = Path(name).with_suffix(".json").name
        except Exception:  # noqa: BLE001 - a seed YAML cannot express as JSON: keep it
            pass
    tokens = TOKENS["json" if name.endswith((".json", ".avsc")) else TOKEN_SET[kind]]
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["insert", "delete", "duplicate", "swap", "truncate", "repeat"]))
        n = len(text)
        i = draw(st.integers(0, n))
        if op == "insert":
            piece = draw(st.one_of(st.sampled_from(tokens), st.sampled_from(JUNK), st.text(max_size=8)))
            text = text[:i] + piece + text[i:]
        elif op == "delete":
            text = text[:i] + text[i + draw(st.integers(1, 20)):]
        elif op == "truncate":
            text = text[:i]
        elif op == "repeat":  # grows nesting or length: a token many times
            text = text[:i] + draw(st.sampled_from(tokens)) * draw(st.integers(2, 300)) + text[i:]
        else:
            lines = text.splitlines(keepends=True)
            if len(lines) >= 2:
                a, b = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
                if op == "duplicate":
                    lines.insert(b, lines[a])
                else:
                    lines[a], lines[b] = lines[b], lines[a]
                text = "".join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    return name, text.encode(encoding, "surrogatepass" if encoding.startswith("utf-8") else "replace")


ROOT = Path(tempfile.mkdtemp(prefix="commlint-fuzz-"))
PLAN = make_plan(build_settings({"select": ["ALL"], "file-timeout": 10}, ROOT, load()), load())


def check_one(name: str, data: bytes) -> None:
    src = SourceFile(ROOT / name, name, tuple(kinds_for(name)))
    result = check_file(src, PLAN, data)
    internal = [f.message for f in result.findings if "internal error" in f.message or "gave up" in f.message]
    assert not internal, internal
    run = RunResult(result.findings, [result], enabled_rules(PLAN.settings, load()), PLAN.settings)
    json.loads(render("json", run))
    json.loads(render("sarif", run))
    render("text", run, color=True).encode("utf-8")


def fuzz(kind: str):  # noqa: ANN201
    @pytest.mark.timeout(300 if EXAMPLES <= 1000 else 0)  # a loose ceiling against a hang in CI
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(mutated(kind))
    def test(case: tuple[str, bytes]) -> None:
        check_one(*case)

    test.__name__ = f"test_fuzz_{kind}"
    return test


test_fuzz_python = fuzz("python")
test_fuzz_openapi = fuzz("openapi")
test_fuzz_avro = fuzz("avro")
test_fuzz_proto = fuzz("proto")
test_fuzz_topics = fuzz("topics")
test_fuzz_terraform = fuzz("terraform")


def test_every_front_end_has_seeds() -> None:
    assert set(SEEDS) == set(TOKEN_SET), set(SEEDS)


# -- classes issue 18 revealed: names, patches, configuration values, call graphs -------------

NAME_CHARS = st.characters(codec="utf-8") | st.sampled_from(list("\n\r\t\x1b\x07\x9b\u202e\u2066\u2028\u2029\x85:%,-./ ") + ["\udce9"])


@settings(max_examples=EXAMPLES, deadline=None, database=None)
@given(st.text(NAME_CHARS, min_size=1, max_size=40))
@example("\u2028")  # a line separator that str.splitlines() splits on (found by this test)
@example("\x00")  # a NUL byte: no file can be named so (found by this test)
@example("::")  # a name that is the command separator: escaped in the file property, plain in the message
def test_property_a_name_never_reaches_output_raw(name: str) -> None:
    """Whatever a file is called: text and GitHub output hold no control character, no
    workflow command at a line start, and a diff header either is safe or is refused."""
    from commlint.core.model import Finding, Location, Severity
    from commlint.core.escape import name as display_name, unsafe_name, unsafe_text

    f = Finding("CL101", "missing-timeout", Severity.ERROR, f"message about {name}", Location(name), ("C1",), ())
    run = RunResult([f], [], enabled_rules(PLAN.settings, load()), PLAN.settings, [f"note about {name}"])
    for fmt in ("text", "github"):
        out = render(fmt, run)
        assert not any(ch in out for ch in "\x1b\x07\x9b\u202e\u2066\r"), (fmt, out)
        for line in out.splitlines():
            if fmt == "text":
                assert not line.lstrip().startswith("::"), line
            else:  # one command per line; its properties escaped (a ':' there would end them early);
                # what follows the second '::' is the message, which GitHub does not parse further
                head, sep, _message = line[2:].partition("::")
                assert line.startswith("::error ") and sep and ":" not in head, line
    out = render("json", run)
    json.loads(out.encode("utf-8").decode("utf-8"))  # valid UTF-8, whatever the name
    shown = display_name(name)
    assert "\n" not in shown and not shown.lstrip().startswith("::")
    if not unsafe_name(name):
        assert not unsafe_text(f"--- a/{name}\n") and "\n" not in name


CONFIG_VALUES = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**20, 10**20),
                          st.text(max_size=20), st.booleans(), st.lists(st.integers(), max_size=3),
                          st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))
CONFIG_KEYS = ["file-timeout", "max-file-size", "max-python-file-size", "jobs", "base", "cache-dir",
               "services", "hosts", "strict", "rules.CL101.fix-timeout", "rules.CL131.max-retries",
               "rules.CL601.pattern", "rules.CL302.version-pattern", "rules.CL111.names", "rules.CL701.max-hops"]


@settings(max_examples=EXAMPLES, deadline=None, database=None)
@given(st.sampled_from(CONFIG_KEYS), CONFIG_VALUES)
def test_property_a_config_value_is_accepted_sanely_or_a_config_error(key: str, value) -> None:  # noqa: ANN001
    """Any value for any key: a ConfigError naming the key, or settings whose numbers are finite."""
    import math

    from commlint.core.config import ConfigError

    data: dict = {}
    if key.startswith("rules."):
        _, code, opt = key.split(".", 2)
        data = {"rules": {code: {opt: value}}}
    else:
        data = {key: value}
    try:
        s = build_settings(data, ROOT, load(), ROOT / "commlint.toml")
    except ConfigError as exc:
        assert key.split(".")[-1] in str(exc) or key.split(".")[0] in str(exc), str(exc)
        return
    assert math.isfinite(s.file_timeout) and 0 <= s.file_timeout <= 86400
    assert 0 < s.max_file_size <= 1024**4 and 0 < s.max_python_file_size <= 1024**4
    for opts in s.rule_options.values():
        for v in opts.values():
            assert not (isinstance(v, float) and not math.isfinite(v))
    if key in ("rules.CL601.pattern", "rules.CL302.version-pattern"):
        import re

        re.compile(value)


@settings(max_examples=max(50, EXAMPLES // 2), deadline=None, database=None)
@given(st.integers(1, 7), st.data())
def test_property_call_chains_match_brute_force_on_dags(n: int, data) -> None:  # noqa: ANN001
    """On a DAG the greedy walk along the condensed graph's values finds a longest chain:
    the same length as enumerating every path (small graphs only)."""
    from commlint.analyses.chains import longest_chains

    class H:
        def __init__(self) -> None:
            self.calls: list = []

    class C:
        def __init__(self, target) -> None:  # noqa: ANN001
            self.target = target

    hs = [H() for _ in range(n)]
    for i, h in enumerate(hs):
        for j in data.draw(st.lists(st.integers(i + 1, n), max_size=3)) if i + 1 <= n else []:
            h.calls.append(C(hs[j] if j < n else None))
    chain_of = longest_chains(hs, lambda h: h.calls, lambda c: c.target, 8)

    def brute(h: H) -> int:
        return max((1 + (brute(c.target) if c.target is not None else 0) for c in h.calls), default=0)

    for h in hs:
        for c in h.calls:
            expected = min(8, 1 + (brute(c.target) if c.target is not None else 0))
            assert len(chain_of(c, h)) == expected

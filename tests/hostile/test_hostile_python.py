"""Broken and hostile Python: every file becomes a finding or is checked, the run completes."""

from __future__ import annotations

import codecs
import sys

import pytest
from hostile import case, cli, write  # noqa: F401 - case is a fixture

CALL = "import requests\nrequests.get('http://orders')\n"  # CL101 on line 2


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name, content, line, reason", [
    ("syntax.py", "import requests\ndef fetch(:\n    pass\n", 2, "syntax error"),
    ("tabs.py", "import requests\nif True:\n\tx = 1\n        y = 2\n", 4, "inconsistent use of tabs"),
    ("nul.py", "import requests\nx = 1\x00\n", 2, "NUL byte"),
    ("latin1.py", b"import requests\ns = '\xe9t\xe9'\n", 2, "not valid utf-8"),
    ("cookie.py", b"# -*- coding: klingon -*-\nimport requests\n", 1, "encoding"),
    ("unterminated.py", "import requests\nx = '''never closed\n", 2, "unterminated triple-quoted string"),
    ("unclosed.py", "import requests\nx = (1,\ny = 2\n", 2, "was never closed"),
    ("indent.py", "import requests\n" + "".join(" " * i + "if x:\n" for i in range(120)) + " " * 120 + "pass\n",
     102, "too many levels of indentation"),
])
def test_unreadable_python_is_cl001_with_the_reason(case, name: str, content: str | bytes, line: int, reason: str) -> None:
    m = case({name: content})
    assert [(f.code, f.location.line) for f in m.result.active] == [("CL001", line)], m.cl001()
    assert reason in m.cl001(name)[0]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name, content", [
    ("bom.py", "\ufeff" + CALL),
    ("latin1_cookie.py", b"# -*- coding: latin-1 -*-\nimport requests\nrequests.get('http://\xe9')\n"),
    ("cp1252_cookie.py", b"# vim: set fileencoding=cp1252 :\nimport requests\nrequests.get('\x80')\n"),
    ("crlf.py", CALL.replace("\n", "\r\n")),
    ("cr_only.py", CALL.replace("\n", "\r")),
    ("no_newline.py", CALL.rstrip("\n")),
    ("formfeed.py", "\x0cimport requests\nrequests.get('http://orders')\n"),
])
def test_odd_but_valid_python_is_checked(case, name: str, content: str | bytes) -> None:
    m = case({name: content})
    assert m.codes() == {"CL101"}, [f.message for f in m.result.active]
    lines = content.splitlines() if isinstance(content, bytes) else content.encode().splitlines()
    assert [f.location.line for f in m.result.active] == [1 + next(i for i, s in enumerate(lines) if b".get(" in s)]


@pytest.mark.timeout(60)
def test_a_utf16_file_is_not_python_source(case) -> None:
    """Python source is never UTF-16 (the interpreter refuses it); the prefilter
    does not see the library's name in it, so no rule can report on it, and the
    prefilter never changes results: no CL001 without it either."""
    content = codecs.BOM_UTF16_LE + CALL.encode("utf-16-le")
    assert case({"utf16.py": content}).result.active == []
    assert case({"utf16.py": content}, prefilter=False).result.active == []
    m = case({"utf16.py": b"# requests\n" + content})  # bytes a trigger matches: parsed, and reported
    assert m.codes() == {"CL001"} and "encoding" in m.cl001()[0]


@pytest.mark.timeout(60)
def test_syntax_newer_than_the_interpreter_is_cl001_saying_which_python_read_it(case) -> None:
    """CPython's parser reads the file: syntax newer than the running interpreter (PEP 695
    on 3.11) is a syntax error, and the message names the version that read it."""
    import sys

    m = case({"generic.py": "import requests\n\ndef fetch[T](url: T) -> T:\n    return requests.get(url)\n"})
    if sys.version_info >= (3, 12):
        assert {(f.code, f.location.line) for f in m.result.active} == {("CL101", 4)}
        return
    assert {(f.code, f.location.line) for f in m.result.active} == {("CL001", 3)}
    assert f"as Python {sys.version_info.major}.{sys.version_info.minor} reads it" in m.cl001()[0]


# Expressions nested thousands deep: a parser written recursively overflows its
# stack on these (libcst's crashed the process) or takes minutes; run them in a
# child process so a crash fails this test instead of the session.
DEEP = {
    "parens.py": "import requests\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
    "brackets.py": "import requests\nx = " + "[" * 300 + "]" * 300 + "\n",
    "binop.py": "import requests\nx = " + "+".join(["1"] * 20000) + "\n",
    "attributes.py": "import requests\nx = a" + ".b" * 20000 + "\n",
    "calls.py": "import requests\nx = f" + "()" * 8000 + "\n",
    "subscripts.py": "import requests\nx = a" + "[0]" * 8000 + "\n",
    "unary.py": "import requests\nx = " + "-" * 20000 + "1\n",
    "lambdas.py": "import requests\nx = " + "lambda: " * 5000 + "1\n",
    "deep_then_error.py": "import requests\nx = " + "+".join(["1"] * 8000) + "\ndef f(:\n",
    "deep_multiline.py": "import requests\nx = (\n" + "+\n".join(["1"] * 8000) + ")\ndef f(:\n",
}


@pytest.mark.timeout(120)
def test_deeply_nested_python_is_cl001_and_never_crashes(tmp_path) -> None:
    write(tmp_path, {**DEEP, "fine.py": CALL})
    p = cli("check", "--no-cache", "--isolated", "--ignore", "CL111,CL112,CL121", "--format", "json", "-j", "1", ".",
            cwd=tmp_path, timeout=110)
    assert p.returncode == 1, p.stderr[-2000:]
    import json

    doc = json.loads(p.stdout)
    by_file: dict[str, set[str]] = {}
    for f in doc["findings"]:
        by_file.setdefault(f["location"]["path"], set()).add(f["code"])
    # CPython refuses 300 nested brackets too (its limit is 200): every one is CL001
    assert by_file == {**{name: {"CL001"} for name in DEEP}, "fine.py": {"CL101"}}, p.stdout[-3000:]
    messages = {f["location"]["path"]: f["message"] for f in doc["findings"]}
    assert "too deeply nested" in messages["binop.py"]
    assert "too many nested parentheses" in messages["parens.py"]


@pytest.mark.timeout(60)
def test_a_large_generated_module_is_bounded_by_max_python_file_size(case) -> None:
    line = "VALUE_{0} = requests.get('http://orders/{0}', timeout=1)\n"
    body = "import requests\n" + "".join(line.format(i) for i in range(200_000))  # ~11 MB
    assert len(body) > 10_000_000
    m = case({"generated.py": body}, memory=True)
    assert m.cl001("generated.py") == ["file is larger than max-python-file-size (1048576 bytes); not checked"]
    assert m.seconds < 20
    assert m.peak_bytes is not None and m.peak_bytes < 64 * 2**20  # read up to the limit, never the whole file


@pytest.mark.timeout(60)
def test_a_generated_module_under_the_limit_is_checked(case) -> None:
    body = "import requests\n" + "".join(f"V{i} = {{'k': [{i}, {i + 1}], 's': 'x' * {i}}}\n" for i in range(3000))
    body += "requests.get('http://orders')\n"
    m = case({"gen.py": body})
    assert {(f.code, f.location.line) for f in m.result.active} == {("CL101", 3002)}
    assert m.seconds < 30


@pytest.mark.skipif(sys.platform == "win32", reason="file names")
@pytest.mark.timeout(60)
def test_surrogate_escaped_source_text(case) -> None:
    """Source with lone surrogates (written as UTF-8 with surrogatepass) is not valid UTF-8."""
    m = case({"surrogate.py": "import requests\nx = '\udcff'\n"})
    assert m.codes() == {"CL001"} and "not valid utf-8" in m.cl001()[0]

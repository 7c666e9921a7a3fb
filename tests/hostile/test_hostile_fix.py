"""``--fix`` changes nothing it was not asked to: atomic writes with the same
permissions, only files with fixes, never a file that changed meanwhile, never
a result that does not parse or cannot be encoded."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hostile import measure, write

import commlint.api
import commlint.fixes
import commlint.rules.sync_calls  # noqa: F401 - registers CL101 before the tests wrap it
from commlint.core.model import Edit, Fix
from commlint.rules import CHECKS

CALL = "import requests\nrequests.get('http://orders')\n"
FIXED = "import requests\nrequests.get('http://orders', timeout=5.0)\n"
original = CHECKS["CL101"]


def with_fix(edit: Edit):  # noqa: ANN201
    """CL101, with every fix replaced by ``edit``."""
    def rule(ctx) -> None:  # noqa: ANN001
        original(ctx)
        ctx.findings[:] = [f.with_(fix=Fix("test", (edit,))) if f.fix else f for f in ctx.findings]

    return rule


def snapshot(root: Path) -> dict[str, tuple[int, int, bytes]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(root.rglob("*")) if p.is_file() and ".commlint" not in p.name}


@pytest.mark.timeout(60)
def test_fix_writes_atomically_with_the_same_permissions_and_only_fixable_files(tmp_path: Path) -> None:
    write(tmp_path, {
        "fix_me.py": CALL,
        "no_fix.py": "import aiohttp\nasync def f(s):\n    async with aiohttp.ClientSession() as s:\n        await s.get('x')\n",
        "clean.py": "import requests\nrequests.get('http://orders', timeout=3)\n",
        "topics.yaml": "topics:\n  - name: Orders.Order.Created\n    partitions: 3\n",
    })
    (tmp_path / "fix_me.py").chmod(0o640)
    before = snapshot(tmp_path)
    m = measure(tmp_path, fix=True)
    after = snapshot(tmp_path)
    assert m.result.fixed == {"fix_me.py": 1}
    assert (tmp_path / "fix_me.py").read_text() == FIXED
    assert stat.S_IMODE((tmp_path / "fix_me.py").stat().st_mode) == 0o640
    assert after["fix_me.py"][0] != before["fix_me.py"][0]  # a new inode: written by rename, not in place
    assert {k: v for k, v in after.items() if k != "fix_me.py"} == {k: v for k, v in before.items() if k != "fix_me.py"}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".commlint-")]  # no temporary file left


@pytest.mark.timeout(60)
def test_fixes_are_recomputed_on_the_bytes_that_are_written(tmp_path: Path, monkeypatch) -> None:
    """The file changes between the check and the fix (or the result came from the
    cache): the edits are made for what is on disk now, not for what was checked."""
    write(tmp_path, {"client.py": CALL})
    real = commlint.fixes.apply_all

    def edited_meanwhile(sources, results, plan, messages):  # noqa: ANN001, ANN202
        (tmp_path / "client.py").write_text("# a new first line\n\n" + CALL)
        return real(sources, results, plan, messages)

    monkeypatch.setattr(commlint.fixes, "apply_all", edited_meanwhile)
    m = measure(tmp_path, fix=True)
    assert (tmp_path / "client.py").read_text() == "# a new first line\n\n" + FIXED
    assert m.result.fixed == {"client.py": 1}


@pytest.mark.timeout(60)
def test_a_file_that_changes_while_fixing_is_not_written(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path, {"client.py": CALL})
    real = commlint.fixes.check_file

    def check_then_edit(src, plan, data=None):  # noqa: ANN001, ANN202
        result = real(src, plan, data)
        (tmp_path / "client.py").write_text(CALL + "# someone else's edit\n")
        return result

    monkeypatch.setattr(commlint.fixes, "check_file", check_then_edit)
    m = measure(tmp_path, fix=True)
    assert m.result.fixed == {}
    assert "client.py: not fixed, the file changed while commlint ran" in m.result.messages
    assert (tmp_path / "client.py").read_text() == CALL + "# someone else's edit\n"


@pytest.mark.timeout(60)
def test_a_fix_that_breaks_syntax_is_dropped(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path, {"client.py": CALL})
    monkeypatch.setitem(CHECKS, "CL101", with_fix(Edit(0, 0, "def broken(:\n")))
    m = measure(tmp_path, fix=True)
    assert m.result.fixed == {}
    assert any(msg.startswith("client.py: fixes dropped, the result would not parse (line 1:") for msg in m.result.messages)
    assert (tmp_path / "client.py").read_text() == CALL


@pytest.mark.timeout(60)
def test_a_fix_the_file_encoding_cannot_hold_is_dropped(tmp_path: Path, monkeypatch) -> None:
    content = b"# -*- coding: latin-1 -*-\nimport requests\nrequests.get('caf\xe9')\n"
    write(tmp_path, {"client.py": content})
    monkeypatch.setitem(CHECKS, "CL101", with_fix(Edit(0, 0, "# \u20ac\n")))
    m = measure(tmp_path, fix=True)
    assert m.result.fixed == {}
    assert any("cannot be written in iso-8859-1" in msg for msg in m.result.messages), m.result.messages
    assert (tmp_path / "client.py").read_bytes() == content


@pytest.mark.timeout(60)
def test_encoding_bom_and_line_endings_survive_a_fix(tmp_path: Path) -> None:
    write(tmp_path, {
        "bom_crlf.py": b"\xef\xbb\xbf" + CALL.replace("\n", "\r\n").encode(),
        "latin1.py": b"# -*- coding: latin-1 -*-\nimport requests\nrequests.get('caf\xe9')\n",
    })
    m = measure(tmp_path, fix=True)
    assert m.result.fixed == {"bom_crlf.py": 1, "latin1.py": 1}
    assert (tmp_path / "bom_crlf.py").read_bytes() == b"\xef\xbb\xbf" + FIXED.replace("\n", "\r\n").encode()
    assert (tmp_path / "latin1.py").read_bytes() == \
        b"# -*- coding: latin-1 -*-\nimport requests\nrequests.get('caf\xe9', timeout=5.0)\n"


@pytest.mark.timeout(60)
def test_ignored_and_suppressed_findings_are_not_fixed(tmp_path: Path) -> None:
    write(tmp_path, {
        "ignored/client.py": CALL,
        "suppressed.py": "import requests\nrequests.get('http://orders')  # commlint: ignore[CL101] -- streaming\n",
    })
    before = snapshot(tmp_path)
    m = measure(tmp_path, {"per-file-ignores": {"ignored/*": ["CL101"]}}, fix=True)
    assert m.result.fixed == {}
    assert snapshot(tmp_path) == before


@pytest.mark.timeout(60)
def test_a_symlinked_file_is_fixed_through_its_link(tmp_path: Path) -> None:
    write(tmp_path, {"real/client.py": CALL})
    os.symlink("real/client.py", tmp_path / "link.py")
    m = measure(tmp_path, paths=[tmp_path / "link.py"], fix=True)
    assert m.result.fixed == {"link.py": 1}
    assert (tmp_path / "link.py").is_symlink()
    assert (tmp_path / "real" / "client.py").read_text() == FIXED

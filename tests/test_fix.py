"""``commlint check --fix`` and ``--diff`` end to end through the CLI, for CL101's
``timeout=`` fix: formatting kept, trailing commas respected, existing values
never rewritten, the fixed file re-parses and is clean."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from conftest import cli_invoke


def _check(root: Path, *args: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(root)
    return cli_invoke(["check", "--no-cache", "--select", "CL101", *args, "."])


def _case(before: str, after: str) -> tuple[str, str]:
    return textwrap.dedent(before).lstrip("\n"), textwrap.dedent(after).lstrip("\n")


CASES = {
    "one line, trailing comma": _case(
        """
        import requests
        requests.get('http://a.a-prod/',)
        """,
        """
        import requests
        requests.get('http://a.a-prod/', timeout=5.0,)
        """,
    ),
    "one line": _case(
        """
        import requests

        def f(url):
            return requests.get(url)
        """,
        """
        import requests

        def f(url):
            return requests.get(url, timeout=5.0)
        """,
    ),
    "no arguments": _case(
        """
        import httpx

        client = httpx.Client()
        """,
        """
        import httpx

        client = httpx.Client(timeout=5.0)
        """,
    ),
    "multi-line, trailing comma": _case(
        """
        import requests

        def f(url, body):
            return requests.post(
                url,
                json=body,
            )
        """,
        """
        import requests

        def f(url, body):
            return requests.post(
                url,
                json=body,
                timeout=5.0,
            )
        """,
    ),
    "multi-line, one argument and a trailing comma": _case(
        """
        import requests

        r = requests.get(
            'http://orders.orders-prod/v1/orders',
        )
        """,
        """
        import requests

        r = requests.get(
            'http://orders.orders-prod/v1/orders',
            timeout=5.0,
        )
        """,
    ),
    "multi-line, no trailing comma": _case(
        """
        import requests

        def f(url, body):
            return requests.post(
                url,
                json=body
            )
        """,
        """
        import requests

        def f(url, body):
            return requests.post(
                url,
                json=body,
                timeout=5.0
            )
        """,
    ),
    "comment after the last argument": _case(
        """
        import requests

        def f(url):
            return requests.get(
                url,  # where
            )
        """,
        """
        import requests

        def f(url):
            return requests.get(
                url,  # where
                timeout=5.0,
            )
        """,
    ),
    "gRPC stub call": _case(
        """
        import grpc
        import inv_pb2_grpc

        stub = inv_pb2_grpc.InvStub(grpc.insecure_channel('inv:50051'))
        stub.CheckStock(request)
        """,
        """
        import grpc
        import inv_pb2_grpc

        stub = inv_pb2_grpc.InvStub(grpc.insecure_channel('inv:50051'))
        stub.CheckStock(request, timeout=5.0)
        """,
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_fix_adds_timeout(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before, after = CASES[name]
    path = tmp_path / "client.py"
    path.write_text(before, encoding="utf-8")
    result = _check(tmp_path, "--isolated", "--fix", monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    fixed = path.read_text(encoding="utf-8")
    assert fixed == after
    ast.parse(fixed)
    again = _check(tmp_path, "--isolated", monkeypatch=monkeypatch)
    assert again.exit_code == 0 and "CL101" not in again.output


def test_diff_previews_without_writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before, _ = CASES["multi-line, trailing comma"]
    path = tmp_path / "client.py"
    path.write_text(before, encoding="utf-8")
    result = _check(tmp_path, "--isolated", "--diff", monkeypatch=monkeypatch)
    assert result.exit_code == 1  # fixes pending, as ruff --diff
    assert path.read_text(encoding="utf-8") == before
    assert "--- a/client.py" in result.output and "+++ b/client.py" in result.output
    assert "+        timeout=5.0,\n" in result.output
    assert "-    )" not in result.output  # only the new line is added


def test_existing_values_are_never_rewritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = (
        "import aiohttp\nimport requests\n\n"
        "def f(url, options):\n"
        "    requests.get(url, timeout=None)\n"
        "    requests.get(url, **{'headers': {}})\n"
        "    return aiohttp.ClientSession()\n"
    )
    path = tmp_path / "client.py"
    path.write_text(source, encoding="utf-8")
    result = _check(tmp_path, "--isolated", "--select", "CL102", "--fix", monkeypatch=monkeypatch)
    assert result.exit_code == 1  # the findings stay: nothing here is safe to fix
    assert path.read_text(encoding="utf-8") == source
    assert result.output.count("CL101") == 2 and result.output.count("CL102") == 1


def test_fix_timeout_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "commlint.toml").write_text('select = ["CL101"]\n[rules.CL101]\nfix-timeout = 3\n', encoding="utf-8")
    path = tmp_path / "client.py"
    path.write_text("import requests\nrequests.get('http://a.a-prod/')\n", encoding="utf-8")
    result = _check(tmp_path, "--fix", monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == "import requests\nrequests.get('http://a.a-prod/', timeout=3.0)\n"


def test_nested_calls_are_fixed_over_two_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "client.py"
    path.write_text("import requests\nrequests.get(requests.get('http://a.a-prod/').url)\n", encoding="utf-8")
    _check(tmp_path, "--isolated", "--fix", monkeypatch=monkeypatch)
    _check(tmp_path, "--isolated", "--fix", monkeypatch=monkeypatch)
    fixed = path.read_text(encoding="utf-8")
    assert fixed == "import requests\nrequests.get(requests.get('http://a.a-prod/', timeout=5.0).url, timeout=5.0)\n"
    ast.parse(fixed)

"""The command line as a user meets it: exit codes, formats, config, selection,
suppressions, broken files, missing paths."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, SARIF_SCHEMA, cli_invoke

BAD = '''import requests

SESSION = requests.Session()
SESSION.headers["X-Caller-Service"] = "orders"


def fetch(url, request_id):
    return SESSION.get(url, headers={"X-Request-ID": request_id})
'''
GOOD = BAD.replace("request_id})", "request_id}, timeout=5)")


def cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    e = {**os.environ, "NO_COLOR": "1", **(env or {})}
    e.pop("FORCE_COLOR", None)
    return subprocess.run(
        [sys.executable, "-m", "commlint", *args], cwd=cwd, capture_output=True, text=True, env=e, timeout=120
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "client.py").write_text(BAD)
    (tmp_path / "svc" / "ok.py").write_text(GOOD)
    return tmp_path


def test_exit_1_on_findings_and_text_report(repo: Path) -> None:
    p = cli("check", "--no-cache", cwd=repo)
    assert p.returncode == 1, p.stderr
    assert "svc/client.py" in p.stdout
    assert "svc/client.py:8:12: CL101 error missing-timeout [C1]" in p.stdout  # clickable, the severity in words
    assert '8 |     return SESSION.get(url, headers={"X-Request-ID": request_id})\n  |            ^\n' in p.stdout
    assert "Found 1 finding (1 error) in 1 file" in p.stdout
    assert "\x1b[" not in p.stdout  # no colour when piped


def test_exit_0_when_clean_and_with_exit_zero(repo: Path) -> None:
    (repo / "svc" / "client.py").write_text(GOOD)
    assert cli("check", "--no-cache", cwd=repo).returncode == 0
    (repo / "svc" / "client.py").write_text(BAD)
    assert cli("check", "--no-cache", "--exit-zero", cwd=repo).returncode == 0


def test_exit_2_on_missing_path(repo: Path) -> None:
    p = cli("check", "nope/", cwd=repo)
    assert p.returncode == 2
    assert "nope" in p.stderr and "no such file" in p.stderr
    assert "Traceback" not in p.stderr


def test_exit_2_on_bad_config(repo: Path) -> None:
    (repo / "commlint.toml").write_text('selekt = ["CL1"]\n')
    p = cli("check", cwd=repo)
    assert p.returncode == 2 and "unknown key(s) selekt" in p.stderr
    (repo / "commlint.toml").write_text('select = ["CL999"]\n')
    p = cli("check", cwd=repo)
    assert p.returncode == 2 and "CL999" in p.stderr
    (repo / "commlint.toml").write_text('[rules.CL101]\nfix-timeuot = 3\n')
    p = cli("check", cwd=repo)
    assert p.returncode == 2 and "fix-timeuot" in p.stderr
    (repo / "commlint.toml").write_text("this is [ not toml")
    p = cli("check", cwd=repo)
    assert p.returncode == 2 and "not valid TOML" in p.stderr
    assert "Traceback" not in p.stderr


def test_exit_2_on_unknown_selector_flag(repo: Path) -> None:
    p = cli("check", "--select", "no-such-rule", cwd=repo)
    assert p.returncode == 2 and "no-such-rule" in p.stderr


def test_config_discovery_walks_up_from_the_checked_path(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.commlint]\nignore = ["missing-timeout"]\n')
    sub = repo / "svc"
    assert cli("check", "--no-cache", ".", cwd=sub).returncode == 0
    assert cli("check", "--no-cache", "--isolated", ".", cwd=sub).returncode == 1


def test_explicit_config_file(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    cfg = tmp_path_factory.mktemp("cfg") / "commlint.toml"
    cfg.write_text('ignore = ["C1"]\n')
    assert cli("check", "--no-cache", "--config", str(cfg), str(repo), cwd=repo).returncode == 0
    p = cli("check", "--config", str(cfg.parent / "missing.toml"), cwd=repo)
    assert p.returncode == 2


@pytest.mark.parametrize("selector,fires", [
    ("CL101", True), ("missing-timeout", True), ("CL1", True), ("C1", True), ("ALL", True),
    ("CL102", False), ("C2", False), ("unbounded-timeout", False),
])
def test_selection_by_code_name_prefix_and_item(repo: Path, selector: str, fires: bool) -> None:
    p = cli("check", "--no-cache", "--select", selector, cwd=repo)
    assert (p.returncode == 1) is fires, p.stdout + p.stderr


def test_ignore_by_checklist_item(repo: Path) -> None:
    assert cli("check", "--no-cache", "--ignore", "C1", cwd=repo).returncode == 0


def test_per_file_ignores(repo: Path) -> None:
    (repo / "commlint.toml").write_text('[per-file-ignores]\n"svc/client.py" = ["CL101"]\n')
    assert cli("check", "--no-cache", cwd=repo).returncode == 0


def test_severity_override_and_fail_on(repo: Path) -> None:
    (repo / "commlint.toml").write_text('[severity]\nCL101 = "note"\n')
    p = cli("check", "--no-cache", cwd=repo)
    assert p.returncode == 0, p.stdout  # notes do not fail by default
    assert "1 note" in p.stdout
    assert cli("check", "--no-cache", "--fail-on", "note", cwd=repo).returncode == 1


def test_suppression_used_and_unused(repo: Path) -> None:
    (repo / "svc" / "client.py").write_text(BAD.replace(
        "request_id})\n", "request_id})  # commlint: ignore[CL101] -- streamed download\n"))
    p = cli("check", "--no-cache", "--format", "json", cwd=repo)
    assert p.returncode == 0, p.stdout
    doc = json.loads(p.stdout)
    [f] = doc["findings"]
    assert f["code"] == "CL101" and f["suppressed"] == "streamed download"
    assert doc["summary"]["suppressed"] == 1
    (repo / "svc" / "ok.py").write_text(GOOD.replace("timeout=5)", "timeout=5)  # commlint: ignore[missing-timeout]"))
    p = cli("check", "--no-cache", cwd=repo)
    assert p.returncode == 1
    # reported at the suppression comment's column, not column 1
    assert "svc/ok.py:8:79: CL003 warning unused-suppression" in p.stdout


def test_suppression_on_the_line_above(repo: Path) -> None:
    (repo / "svc" / "client.py").write_text(BAD.replace(
        "    return SESSION", "    # commlint: ignore[CL101] -- reason\n    return SESSION"))
    assert cli("check", "--no-cache", cwd=repo).returncode == 0


def test_a_file_that_does_not_parse_is_a_finding(repo: Path) -> None:
    (repo / "svc" / "broken.py").write_text("import requests\ndef f(:\n    pass\n")
    p = cli("check", "--no-cache", "--format", "json", cwd=repo)
    assert p.returncode == 1
    found = {(f["location"]["path"], f["code"]) for f in json.loads(p.stdout)["findings"]}
    assert ("svc/broken.py", "CL001") in found and ("svc/client.py", "CL101") in found
    assert "Traceback" not in p.stderr


def test_non_utf8_python_file(repo: Path) -> None:
    (repo / "svc" / "latin.py").write_bytes(b"import requests\nname = '\xe9t\xe9'\n")
    p = cli("check", "--no-cache", "--format", "json", cwd=repo)
    f = [x for x in json.loads(p.stdout)["findings"] if x["location"]["path"] == "svc/latin.py"]
    # commlint's own words, code and line (not the codec's wording after them)
    assert [(x["code"], x["location"]["line"]) for x in f] == [("CL001", 2)]
    assert f[0]["message"].startswith("not valid utf-8: ")
    # a PEP 263 coding cookie makes the same bytes valid
    (repo / "svc" / "latin.py").write_bytes(b"# -*- coding: latin-1 -*-\nimport requests\nname = '\xe9t\xe9'\nrequests.get(name)\n")
    p = cli("check", "--no-cache", "--format", "json", "--select", "CL101", cwd=repo)
    f = [x for x in json.loads(p.stdout)["findings"] if x["location"]["path"] == "svc/latin.py"]
    assert [(x["code"], x["location"]["line"]) for x in f] == [("CL101", 4)]


def test_empty_directory(tmp_path: Path) -> None:
    p = cli("check", "--no-cache", ".", cwd=tmp_path)
    assert p.returncode == 0 and "0 files checked" in p.stdout


def test_gitignore_and_exclude_are_honoured(repo: Path) -> None:
    (repo / ".gitignore").write_text("svc/client.py\n")
    assert cli("check", "--no-cache", cwd=repo).returncode == 0
    (repo / ".gitignore").unlink()
    (repo / "commlint.toml").write_text('exclude = ["svc/"]\n')
    assert cli("check", "--no-cache", cwd=repo).returncode == 0


def test_symlink_out_of_the_tree_is_not_followed(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "evil.py").write_text(BAD)
    (repo / "svc" / "client.py").write_text(GOOD)
    os.symlink(outside, repo / "svc" / "linked")
    os.symlink(repo / "svc", repo / "svc" / "loop")  # a loop inside the tree
    p = cli("check", "--no-cache", cwd=repo)
    assert p.returncode == 0, p.stdout
    assert "not followed" in p.stdout


def test_json_format(repo: Path) -> None:
    p = cli("check", "--no-cache", "--format", "json", cwd=repo)
    doc = json.loads(p.stdout)
    [f] = doc["findings"]
    assert f["code"] == "CL101" and f["name"] == "missing-timeout"
    assert f["checklist"] == ["C1"] and f["severity"] == "error"
    assert f["location"] == {"path": "svc/client.py", "line": 8, "column": 12, "end_line": 8, "end_column": 66,
                             "symbol": "fetch"}
    assert f["fix"]["description"] == "add timeout=5.0"
    c1 = next(c for c in doc["checklist"] if c["id"] == "C1")
    assert c1["status"] == "fail" and c1["findings"] == 1


def test_github_format(repo: Path) -> None:
    p = cli("check", "--no-cache", "--format", "github", cwd=repo)
    assert p.stdout.strip() == (
        "::error file=svc/client.py,line=8,col=12,endLine=8,endColumn=66,"
        "title=CL101 missing-timeout [C1]::`requests.Session.get(...)` call has no timeout: "
        "requests waits forever by default."
    )


def test_output_file(repo: Path) -> None:
    p = cli("check", "--no-cache", "--format", "json", "--output", "out/report.json", cwd=repo)
    assert p.returncode == 1 and p.stdout == ""
    assert json.loads((repo / "out" / "report.json").read_text())["findings"]


def test_statistics_and_quiet(repo: Path) -> None:
    p = cli("check", "--no-cache", "--statistics", "--quiet", cwd=repo)
    assert p.stdout.splitlines()[0] == "     1  CL101  [*] missing-timeout"  # counts only, as ruff's --statistics
    assert "8:12" not in p.stdout and "Found" not in p.stdout


def test_checklist_formats(repo: Path) -> None:
    p = cli("check", "--no-cache", "--format", "checklist", cwd=repo)
    assert "C1" in p.stdout and "fail" in p.stdout and "not checked" in p.stdout
    p = cli("check", "--no-cache", "--format", "markdown", cwd=repo)
    assert p.stdout.startswith("## commlint") and "| C1 |" in p.stdout


def test_sarif_is_schema_valid_and_complete(repo: Path) -> None:
    (repo / "svc" / "ok.py").write_text(GOOD.replace("timeout=5)", "timeout=None)").replace(
        "    return", "    # commlint: ignore[CL102] -- intentional\n    return"))
    p = cli("check", "--no-cache", "--format", "sarif", cwd=repo)
    doc = json.loads(p.stdout)
    if SARIF_SCHEMA.is_file():
        import jsonschema

        jsonschema.Draft7Validator(json.loads(SARIF_SCHEMA.read_text())).validate(doc)
    else:
        pytest.skip(f"{SARIF_SCHEMA} is absent: schema validation skipped")
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert "CL101" in ids and "CL102" in ids
    r101 = rules[ids.index("CL101")]
    assert r101["name"] == "missing-timeout" and "C1" in r101["properties"]["tags"]
    assert r101["help"]["markdown"].startswith("# CL101")
    assert r101["defaultConfiguration"]["level"] == "error"
    res = {r["ruleId"]: r for r in run["results"]}
    assert res["CL101"]["ruleIndex"] == ids.index("CL101")
    loc = res["CL101"]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "svc/client.py"
    assert loc["region"]["startLine"] == 8 and loc["region"]["startColumn"] == 12
    assert res["CL102"]["suppressions"] == [{"kind": "inSource", "justification": "intentional"}]
    assert run["invocations"][0]["executionSuccessful"] is True
    # fingerprints are stable across runs
    again = json.loads(cli("check", "--no-cache", "--format", "sarif", cwd=repo).stdout)
    assert [r["partialFingerprints"] for r in again["runs"][0]["results"]] == [
        r["partialFingerprints"] for r in run["results"]
    ]


def test_rules_and_explain(repo: Path) -> None:
    p = cli("rules", cwd=repo)
    assert p.returncode == 0 and "CL101  missing-timeout" in p.stdout
    doc = json.loads(cli("rules", "--format", "json", cwd=repo).stdout)
    assert {"code": "CL101", "name": "missing-timeout"}.items() <= doc[[d["code"] for d in doc].index("CL101")].items()
    md = cli("rules", "--format", "md", cwd=repo).stdout
    assert md.startswith("| code | name |")
    for key in ("CL101", "missing-timeout", "cl101"):
        p = cli("explain", key, cwd=repo)
        assert p.returncode == 0 and p.stdout.startswith("# CL101 `missing-timeout`"), key
        assert "## Examples" in p.stdout
    assert cli("explain", "CL999", cwd=repo).returncode == 2


def test_version_and_module_entry_point(repo: Path) -> None:
    from commlint import __version__

    p = cli("--version", cwd=repo)
    assert p.returncode == 0 and p.stdout.strip() == f"commlint {__version__}"


def test_fix_writes_and_diff_previews(repo: Path) -> None:
    p = cli("check", "--no-cache", "--diff", cwd=repo)
    assert '+    return SESSION.get(url, headers={"X-Request-ID": request_id}, timeout=5.0)' in p.stdout
    assert (repo / "svc" / "client.py").read_text() == BAD  # --diff writes nothing
    mode = (repo / "svc" / "client.py").stat().st_mode
    p = cli("check", "--no-cache", "--fix", cwd=repo)
    assert p.returncode == 0, p.stdout
    assert (repo / "svc" / "client.py").read_text() == GOOD.replace("timeout=5)", "timeout=5.0)")
    assert (repo / "svc" / "client.py").stat().st_mode == mode


def test_python_api(repo: Path) -> None:
    import commlint

    result = commlint.check([repo / "svc"], {"select": ["C1"]}, root=repo)
    assert [(f.code, f.location.path, f.location.line) for f in result.active] == [("CL101", "svc/client.py", 8)]
    result = commlint.check([repo / "svc"], {}, root=repo, ignore=["CL101"])
    assert result.active == []


def test_example_repository_reports_what_it_marks() -> None:
    from conftest import expected_markers, expected_sidecar, found, run

    shop = REPO / "examples" / "shop"
    files = {p.relative_to(REPO).as_posix(): p.read_text(encoding="utf-8")
             for p in shop.rglob("*") if p.is_file() and p.suffix in (".py", ".yaml", ".yml", ".proto", ".tf")}
    sidecar = [f"examples/shop/{line}" for line in (shop / "EXPECT").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    result = run(REPO, {}, paths=[shop])
    assert found(result) == expected_markers(files) | expected_sidecar(sidecar)


def test_unknown_base_revision_is_a_usage_error(repo: Path) -> None:
    import subprocess as sp

    sp.run(["git", "init", "-q"], cwd=repo, check=True)
    p = cli("check", "--no-cache", "--base", "no-such-revision", cwd=repo)
    assert p.returncode == 2 and "unknown git revision 'no-such-revision'" in p.stderr
    p = cli("check", "--no-cache", "--base", "--upload-pack=evil", cwd=repo)
    assert p.returncode == 2 and "Traceback" not in p.stderr


def test_suppression_syntax_in_a_string_is_not_a_suppression(repo: Path) -> None:
    (repo / "svc" / "doc.py").write_text(
        GOOD + '\n\nHELP = """write `# commlint: ignore[CL101] -- reason` on the line"""\n'
        "X = '// commlint: ignore[CL505]'\n")
    p = cli("check", "--no-cache", "--select", "CL101,CL003", "svc/doc.py", cwd=repo)
    assert p.returncode == 0, p.stdout


def test_a_named_folder_is_checked_even_if_the_configuration_excludes_it(repo: Path) -> None:
    (repo / "commlint.toml").write_text('extend-exclude = ["svc/"]\n')
    assert cli("check", "--no-cache", cwd=repo).returncode == 0
    p = cli("check", "--no-cache", "svc", cwd=repo)
    assert p.returncode == 1 and "checked because it was named" in p.stdout
    assert cli("check", "--no-cache", "svc/client.py", cwd=repo).returncode == 0  # files named one by one stay excluded


def test_the_process_exits_at_once_with_every_byte_written(tmp_path: Path) -> None:
    """``python -m commlint`` (and the console script) end with os._exit after flushing: the status
    and all of a long output survive, piped or not; a message exit still goes through Python."""
    import json
    import subprocess
    import sys

    p = subprocess.run([sys.executable, "-m", "commlint", "rules", "--format", "json"], capture_output=True, timeout=120)
    assert p.returncode == 0 and len(json.loads(p.stdout)) > 50
    (tmp_path / "bad.py").write_text("import requests\n\n\ndef f(u):\n    return requests.get(u)\n", encoding="utf-8")
    p = subprocess.run([sys.executable, "-m", "commlint", "check", "--no-cache", "-f", "json", str(tmp_path)],
                       capture_output=True, timeout=120)
    assert p.returncode == 1 and any(f["code"] == "CL101" for f in json.loads(p.stdout)["findings"])
    p = subprocess.run([sys.executable, "-m", "commlint", "check", "--bogus"], capture_output=True, timeout=120)
    assert p.returncode == 2 and b"unrecognized arguments" in p.stderr


def test_findings_do_not_depend_on_the_folder_the_command_runs_in(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    # without configuration the tree is the path given, not the current folder: a helper of another
    # module is found from anywhere, services are the tree's folders, and nothing beside the tree is
    # read (a sibling's contracts)
    tree = tmp_path / "repos" / "shop"
    (tree / "booking").mkdir(parents=True)
    (tree / "booking" / "invokes.py").write_text(
        "import requests\n\n\ndef invoke_http(url, method='GET', **kwargs):\n"
        "    return requests.request(method, url, **kwargs).json()\n")
    (tree / "booking" / "app.py").write_text(
        "import requests\nfrom flask import Flask\nfrom invokes import invoke_http\n\napp = Flask(__name__)\n\n\n"
        "@app.route('/book')\ndef book():\n    return invoke_http('http://booking:5000/slots', timeout=5)\n")
    (tree / "main.py").write_text(  # a route at the tree's top: which service it is in must not move
        "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route('/health')\ndef health():\n    return 'ok'\n")
    sibling = tmp_path / "repos" / "other"
    sibling.mkdir()
    (sibling / "openapi.yaml").write_text("openapi: 3.0.0\n")
    (tmp_path / "repos" / "pyproject.toml").write_text("[project]\nname = 'all-repos'\n")  # beside the tree
    outputs = set()
    for where in (tree, tmp_path / "repos", tmp_path):
        monkeypatch.chdir(where)
        r = cli_invoke(["check", str(tree), "--isolated", "--no-cache", "--select", "CL111,CL3,CL702", "-f", "concise"])
        # paths are shown relative to the folder it runs in; the messages name the services
        outputs.add(tuple(line.split("shop/", 1)[-1] for line in r.output.splitlines() if " CL" in line))
    assert len(outputs) == 1, outputs
    shown = outputs.pop()
    assert [line.split(" ")[:2] for line in shown] == [["booking/app.py:8:1:", "CL702"],
                                                       ["booking/app.py:10:12:", "CL111"]]
    assert "of service booking" in shown[0]

"""Issue 13, adoption on an existing repository: partial runs judged with the whole
project, the GitHub Action, ruff-like output and flags, baselines, suppressions
written for the user, configuration errors that say where, generated docs."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO, cli_invoke, found, run, write_tree

MONOREPO = REPO / "fixtures" / "system" / "monorepo"
BAD = '''import requests

SESSION = requests.Session()
SESSION.headers["X-Caller-Service"] = "orders"


def fetch(url, request_id):
    return SESSION.get(url, headers={"X-Request-ID": request_id})
'''


def cli(*args: str, cwd: Path, env: dict | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    e = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    e = {**e, "NO_COLOR": "1", **(env or {})}
    for k, v in list(e.items()):
        if v is None:
            e.pop(k)
    return subprocess.run([sys.executable, "-m", "commlint", *args], cwd=cwd, capture_output=True, text=True,
                          env=e, timeout=120, input=stdin)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "client.py").write_text(BAD)
    return tmp_path


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    root = tmp_path / "mono"
    shutil.copytree(MONOREPO, root)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


# -- blocker 1: no test depends on a library's wording ---------------------------------------------

LIBRARY_WORDING = (
    "mapping values are not allowed", "while parsing a", "while scanning", "found character", "could not find expected",
    "is not of type", "is a required property", "Additional properties are not allowed", "Expecting value",
    "Expecting property name", "Unexpected token", "No terminal matches", "Syntax Error @", "Invalid statement",
    "Expected a key", "Unknown type", "not a valid schema", "Illegal character", "codec can't decode",
)


def test_no_test_asserts_a_third_party_librarys_wording() -> None:
    offenders = []
    for path in sorted((REPO / "tests").rglob("*.py")):
        if path.name == "test_adoption.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "assert" in line and any(w.lower() in line.lower() for w in LIBRARY_WORDING):
                offenders.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    assert not offenders, "assert commlint's own message, code and line instead:\n" + "\n".join(offenders)


def test_a_codec_error_is_asserted_in_commlints_words(tmp_path: Path) -> None:
    (tmp_path / "latin.py").write_bytes(b"import requests\nname = '\xe9t\xe9'\n")
    result = run(tmp_path, {"select": ["CL101", "CL001"]})
    [f] = result.active
    assert (f.code, f.location.line) == ("CL001", 2) and f.message.startswith("not valid utf-8: ")


# -- blocker 2: a partial run judges cross-file rules with the whole project ---------------------------


def test_one_changed_file_is_judged_with_the_contract_beside_it(monorepo: Path) -> None:
    whole = run(monorepo, {"select": ["CL702"]})
    assert found(whole) == {("orders/app.py", 34, "CL702")}
    partial = run(monorepo, {"select": ["CL702"]}, paths=[monorepo / "orders" / "app.py"])
    assert found(partial) == {("orders/app.py", 34, "CL702")}  # not every route of orders
    assert "the service has none" not in partial.active[0].message
    assert [r.rel for r in partial.files] == ["orders/app.py"]  # "1 file checked": only the file given


def test_cross_file_findings_are_reported_only_on_the_files_given(monorepo: Path) -> None:
    whole = run(monorepo, {"select": ["CL7"]})
    assert {p for p, _, _ in found(whole)} == {"orders/app.py", "orders/events.py", "payments/server.py"}
    partial = run(monorepo, {"select": ["CL7"]}, paths=[monorepo / "payments" / "server.py"])
    assert found(partial) == {("payments/server.py", 34, "CL703")}


def test_a_partial_run_reads_the_rest_of_the_project_from_the_cache(monorepo: Path) -> None:
    cache = monorepo / ".commlint_cache"
    first = run(monorepo, {"select": ["CL702"]}, paths=[monorepo / "orders" / "app.py"], cache_dir=cache)
    again = run(monorepo, {"select": ["CL702"]}, paths=[monorepo / "orders" / "app.py"], cache_dir=cache)
    assert found(first) == found(again) == {("orders/app.py", 34, "CL702")}
    cached = set()
    for f in cache.glob("*.json"):
        cached |= set(json.loads(f.read_text())["files"])
    assert {"orders/app.py", "orders/openapi.yaml", "inventory/app.py"} <= cached  # the rest of the project's facts


def test_diff_base_judges_the_changed_file_with_the_whole_tree(monorepo: Path) -> None:
    g = ["git", "-c", "user.email=t@example.invalid", "-c", "user.name=t"]
    subprocess.run([*g, "add", "-A"], cwd=monorepo, check=True)
    subprocess.run([*g, "commit", "-q", "-m", "x"], cwd=monorepo, check=True)
    app = monorepo / "orders" / "app.py"
    app.write_text(app.read_text() + "\n# a comment\n")
    p = cli("check", "--no-cache", "--select", "CL702", "-f", "concise", "--diff-base", "HEAD", cwd=monorepo)
    assert p.returncode == 1, p.stdout + p.stderr
    assert p.stdout.count("CL702") == 1 and "orders/app.py:34:1: CL702 warning" in p.stdout


def test_diff_base_implies_base_for_breaking_changes(monorepo: Path) -> None:
    g = ["git", "-c", "user.email=t@example.invalid", "-c", "user.name=t"]
    subprocess.run([*g, "add", "-A"], cwd=monorepo, check=True)
    subprocess.run([*g, "commit", "-q", "-m", "x"], cwd=monorepo, check=True)
    api = monorepo / "orders" / "openapi.yaml"
    api.write_text(api.read_text().replace('    get:\n      responses:\n        "200": {description: the order}\n', ""))
    p = cli("check", "--select", "CL304", "-f", "concise", "--diff-base", "HEAD", cwd=monorepo)
    assert p.returncode == 1 and "CL304" in p.stdout, p.stdout + p.stderr
    p = cli("check", "--select", "CL304", "-f", "concise", "--diff-base", "HEAD", "--base", "HEAD", cwd=monorepo)
    assert "CL304" in p.stdout


# -- blocker 3: the GitHub Action, snippets that work ----------------------------------------------------

ACTION = REPO / "action.yml"


def _expand(value: str, ctx: dict[str, str]) -> str:
    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: ctx[m.group(1)], value)


def test_action_yml_is_a_composite_action_that_uploads_sarif_and_writes_a_summary() -> None:
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    check = next(s for s in steps if s.get("id") == "check")
    assert "GITHUB_STEP_SUMMARY" in check["run"] and "${{" not in check["run"]  # inputs only through env
    for s in steps:
        if "run" in s:
            assert s["shell"] == "bash" and "${{" not in s["run"], s["name"]


@pytest.mark.slow
def test_action_install_and_check_steps_run(tmp_path: Path) -> None:
    """Run the Action's own shell steps, offline: install commlint from this checkout
    into a fresh environment, then check the example system."""
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    steps = {s["name"]: s for s in action["runs"]["steps"]}
    defaults = {f"inputs.{k}": str(v.get("default", "")) for k, v in action["inputs"].items()}
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    import sysconfig

    # the new environment sees this one's packages (pip, the dependencies, hatchling): nothing is downloaded
    # (PIP_NO_BUILD_ISOLATION=0 turns build isolation off: pip reads the variable inverted)
    Path(site, "outer.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    out, summary = tmp_path / "github_output", tmp_path / "summary.md"
    work = tmp_path / "work"
    shutil.copytree(REPO / "examples" / "shop", work / "shop")
    ctx = {**defaults, "github.action_path": str(REPO), "github.server_url": "https://github.example",
           "github.action_repository": "owner/commlint", "inputs.paths": "shop"}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(PATH=f"{venv / 'bin'}:{env['PATH']}", GITHUB_OUTPUT=str(out), GITHUB_STEP_SUMMARY=str(summary),
               RUNNER_TEMP=str(tmp_path), PIP_NO_INDEX="1", PIP_NO_BUILD_ISOLATION="0", NO_COLOR="1")

    def step(name: str) -> subprocess.CompletedProcess[str]:
        s = steps[name]
        senv = {**env, **{k: _expand(str(v), ctx) for k, v in (s.get("env") or {}).items()}}
        return subprocess.run(["bash", "-e", "-c", s["run"]], cwd=work, env=senv, capture_output=True, text=True,
                              timeout=600)

    p = step("Install commlint")
    assert p.returncode == 0, p.stdout + p.stderr
    assert Path(venv / "bin" / "commlint").exists()
    p = step("Check")
    assert p.returncode == 0, p.stdout + p.stderr  # findings do not stop the job before the upload
    assert "exit-code=1" in out.read_text()
    assert "::error file=shop/" in p.stdout  # annotations, paths from the workspace
    sarif = json.loads((work / "commlint.sarif").read_text())
    assert sarif["runs"][0]["results"]
    assert sarif["runs"][0]["tool"]["driver"]["informationUri"] == "https://github.example/owner/commlint"
    assert "| C1 |" in summary.read_text()  # the scorecard in the job summary
    ctx["steps.check.outputs.exit-code"] = "1"
    p = step("Fail on findings")
    assert p.returncode == 1


def test_readme_snippets_name_revisions_that_exist() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "rev: v0.1.0" not in readme and "pip install commlint" not in readme
    assert "rev: <commit SHA>" in readme and "uses: <owner>/<repository>@<commit SHA>" in readme
    assert "python -m pip install . && commlint check examples/shop" in readme
    assert 'python -m pip install -e ".[test]" && python -m pytest -q -n auto' in readme
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert ci.replace("pip install -q ", "pip install ") in readme  # CI runs exactly the README's command
    assert "../shared" not in readme
    assert readme.index("## Adoption") < readme.index("## Configuration") < readme.index("## Rules")


def test_sarif_names_no_page_that_does_not_exist(repo: Path) -> None:
    p = cli("check", "--no-cache", "-f", "sarif", cwd=repo, env={"COMMLINT_INFORMATION_URI": None})
    assert "informationUri" not in p.stdout


# -- output like ruff's --------------------------------------------------------------------------------


def test_full_output_shows_severity_and_the_source_line(repo: Path) -> None:
    p = cli("check", "--no-cache", cwd=repo, env={"COLUMNS": "60"})
    lines = p.stdout.splitlines()
    assert lines[0] == "svc/client.py:8:12: CL101 error missing-timeout [C1] (fixable with --fix)"
    assert lines[-5:-2] == ["  |", '8 |     return SESSION.get(url, headers={"X-Request-ID": request_id})', "  |            ^"]
    message = [ln.strip() for ln in lines[1:-5]]
    words = " ".join(message).split()
    assert len(message) > 1 and all(len(ln) <= 60 for ln in lines[1:-5])  # wrapped, and only between words:
    assert words == "`requests.Session.get(...)` call has no timeout: requests waits forever by default.".split()


def test_concise_output_is_one_line_per_finding(repo: Path) -> None:
    p = cli("check", "--no-cache", "--format", "concise", cwd=repo)
    assert p.stdout.splitlines()[0] == ("svc/client.py:8:12: CL101 error [*] `requests.Session.get(...)` call has no "
                                        "timeout: requests waits forever by default.")


def test_paths_are_relative_to_the_current_folder(repo: Path) -> None:
    (repo / "commlint.toml").write_text("")
    p = cli("check", "--no-cache", "-f", "concise", ".", cwd=repo / "svc")
    assert p.stdout.startswith("client.py:8:12: CL101"), p.stdout
    p = cli("check", "--no-cache", "-f", "concise", "svc", cwd=repo)
    assert p.stdout.startswith("svc/client.py:8:12: CL101")


def test_quiet_prints_the_findings_only(repo: Path) -> None:
    p = cli("check", "--no-cache", "-q", "-f", "concise", cwd=repo)
    assert p.returncode == 1 and p.stdout.strip().splitlines() == [p.stdout.strip().splitlines()[0]]
    assert "Found" not in p.stdout


@pytest.mark.parametrize("args,env,colour", [
    (["--color", "always"], {}, True), (["--color", "never"], {"FORCE_COLOR": "1"}, False),
    ([], {"FORCE_COLOR": "1", "NO_COLOR": None}, True), ([], {}, False),
])
def test_color_flag_and_environment(repo: Path, args: list[str], env: dict, colour: bool) -> None:
    p = cli("check", "--no-cache", *args, cwd=repo, env=env)
    assert ("\x1b[" in p.stdout) is colour


def test_several_outputs_in_one_run(repo: Path) -> None:
    p = cli("check", "--no-cache", "-o", "sarif:out/results.sarif", "-o", "json:out/r.json", cwd=repo)
    assert p.returncode == 1 and "svc/client.py:8:12: CL101" in p.stdout  # the terminal report too
    assert json.loads((repo / "out" / "results.sarif").read_text())["runs"][0]["results"][0]["ruleId"] == "CL101"
    assert json.loads((repo / "out" / "r.json").read_text())["findings"][0]["code"] == "CL101"
    p = cli("check", "--no-cache", "-f", "json", "-o", "only.json", cwd=repo)
    assert p.stdout == "" and json.loads((repo / "only.json").read_text())["findings"]


def test_stdin_with_a_filename(repo: Path) -> None:
    p = cli("check", "--no-cache", "-f", "concise", "-", "--stdin-filename", "svc/other.py", cwd=repo, stdin=BAD)
    assert p.returncode == 1 and p.stdout.startswith("svc/other.py:8:12: CL101 error"), p.stdout + p.stderr
    p = cli("check", "--no-cache", "-", cwd=repo, stdin=BAD.replace("request_id})", "request_id}, timeout=3)"))
    assert p.returncode == 0, p.stdout


def test_all_selects_every_rule(repo: Path) -> None:
    from commlint.core.catalogue import load
    from commlint.core.config import build_settings, enabled_rules

    cat = load()
    assert {r.code for r in enabled_rules(build_settings({"select": ["ALL"]}, repo, cat), cat)} == {r.code for r in cat.rules}


def test_fix_keeps_crlf_line_endings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = "import requests\r\n\r\ndef f(url, body):\r\n    return requests.post(\r\n        url,\r\n        json=body,\r\n    )\r\n"
    (tmp_path / "client.py").write_bytes(src.encode())
    monkeypatch.chdir(tmp_path)
    r = cli_invoke(["check", "--isolated", "--no-cache", "--select", "CL101", "--fix", "."])
    data = (tmp_path / "client.py").read_bytes()
    assert r.exit_code == 0, r.output
    assert b"timeout=5.0" in data and data.count(b"\n") == data.count(b"\r\n")


def test_empty_folder_warns(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("nothing to read\n")
    p = cli("check", "--no-cache", ".", cwd=tmp_path)
    assert p.returncode == 0 and "0 files checked" in p.stdout
    assert "commlint: warning: no files to check" in p.stderr


# -- suppressions ----------------------------------------------------------------------------------------


def test_a_bare_ignore_is_reported(repo: Path) -> None:
    (repo / "svc" / "client.py").write_text(BAD.replace("request_id})", "request_id})  # commlint: ignore"))
    r = run(repo)
    assert found(r, {"CL002", "CL101"}) == {("svc/client.py", 8, "CL002"), ("svc/client.py", 8, "CL101")}
    cl002 = next(f for f in r.active if f.code == "CL002")
    assert cl002.location.column == BAD.splitlines()[7].index("})") + 5  # at the comment


def test_baseline_knows_moved_lines_and_fails_on_new_findings(repo: Path) -> None:
    p = cli("check", "--no-cache", "--write-baseline", "baseline.json", cwd=repo)
    assert p.returncode == 0 and "wrote 1 finding" in p.stderr
    p = cli("check", "--no-cache", "--baseline", "baseline.json", cwd=repo)
    assert p.returncode == 0 and "1 suppressed" in p.stdout, p.stdout
    # the line moves down: still known
    (repo / "svc" / "client.py").write_text("# a new first line\n\n" + BAD)
    assert cli("check", "--no-cache", "--baseline", "baseline.json", cwd=repo).returncode == 0
    # a new finding fails the run, and only it is reported
    (repo / "svc" / "client.py").write_text("# a new first line\n\n" + BAD + "\n\ndef more(url):\n    return SESSION.post(url, headers={'X-Request-ID': '1'})\n")
    p = cli("check", "--no-cache", "-f", "concise", "--baseline", "baseline.json", cwd=repo)
    assert p.returncode == 1 and p.stdout.count("CL101") == 1 and ":14:" in p.stdout, p.stdout
    (repo / "bad.json").write_text("[]")
    assert cli("check", "--baseline", "bad.json", cwd=repo).returncode == 2


def test_add_suppressions_writes_them_on_the_reported_lines(repo: Path) -> None:
    (repo / "svc" / "api.json").write_text('{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {}}}')
    (repo / "topics.yaml").write_text("topics:\n  - name: orders.order.create\n    partitions: 3\n")
    p = cli("check", "--no-cache", "--add-suppressions", cwd=repo)
    assert p.returncode == 0, p.stderr
    assert "svc/api.json" in p.stderr and "x-commlint-ignore" in p.stderr  # JSON: said, not written
    text = (repo / "svc" / "client.py").read_text()
    assert "request_id})  # commlint: ignore[CL101] -- TODO: reason\n" in text
    assert "# commlint: ignore[" in (repo / "topics.yaml").read_text()
    p = cli("check", "--no-cache", "-f", "concise", cwd=repo)
    assert not [ln for ln in p.stdout.splitlines() if ln.startswith(("svc/client.py", "topics.yaml"))], p.stdout


# -- SARIF within GitHub's limits ----------------------------------------------------------------------------


def test_sarif_stays_within_githubs_limits(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from commlint.core.model import Finding, Location, Severity
    from commlint.report import sarif

    assert (sarif.MAX_RESULTS, sarif.MAX_RELATED, sarif.MAX_GZIP_BYTES) == (25_000, 1_000, 10 * 1024 * 1024)
    result = run(repo)
    base = result.findings[0]
    many = [base.with_(location=Location("svc/client.py", i + 1, 1), severity=Severity.NOTE) for i in range(30)]
    many.append(base.with_(related=tuple(Location("svc/client.py", i + 1) for i in range(1_200))))
    result.findings = many
    monkeypatch.setattr(sarif, "MAX_RESULTS", 10)
    notes: list[str] = []
    doc = json.loads(sarif.render_sarif(result, notes))
    results = doc["runs"][0]["results"]
    assert len(results) == 10 and results[-1]["level"] == "error" or any(r["level"] == "error" for r in results)
    assert all(len(r.get("relatedLocations", [])) <= 1_000 for r in results)
    assert any("21 of 31 results left out" in n for n in notes), notes
    assert any("related locations left out" in n for n in notes)
    assert len(gzip.compress(json.dumps(doc).encode())) < sarif.MAX_GZIP_BYTES
    assert isinstance(Finding, type)


def test_sarif_limits_are_said_on_stderr(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from commlint.report import sarif

    monkeypatch.setattr(sarif, "MAX_RESULTS", 0)
    monkeypatch.chdir(repo)
    r = cli_invoke(["check", "--no-cache", "-f", "sarif", "-o", "x.sarif"])
    assert "commlint: warning: SARIF: 1 of 1 results left out" in r.output


# -- configuration errors -------------------------------------------------------------------------------------


def test_configuration_errors_name_the_file_and_key_and_suggest(repo: Path) -> None:
    cfg = repo / "commlint.toml"
    cfg.write_text('select = ["missing-timeot"]\n')
    p = cli("check", cwd=repo)
    assert p.returncode == 2 and f"{cfg}: select: unknown rule selector 'missing-timeot'" in p.stderr
    assert "(did you mean 'missing-timeout'?)" in p.stderr
    p = cli("check", "--select", "CL9", cwd=repo)
    assert "--select: unknown rule selector 'CL9'" in p.stderr and str(cfg) not in p.stderr
    cfg.write_text('[tool.commlint]\nselect = ["C1"]\n')
    p = cli("check", cwd=repo)
    assert "unknown key(s) tool" in p.stderr and "without the [tool.commlint] header" in p.stderr
    cfg.write_text('selct = ["C1"]\n')
    assert "(did you mean 'select'?)" in cli("check", cwd=repo).stderr


def test_the_python_api_names_its_argument(repo: Path) -> None:
    import commlint
    from commlint.core.config import ConfigError

    (repo / "pyproject.toml").write_text("[tool.commlint]\n")
    with pytest.raises(ConfigError, match=r"commlint.check\(\): unknown argument\(s\) selectt \(did you mean 'select'\?\)"):
        commlint.check([repo], selectt=["C1"])
    with pytest.raises(ConfigError, match=r"commlint.check\(select=...\): unknown rule selector 'nope'"):
        commlint.check([repo], select=["nope"])


# -- small ------------------------------------------------------------------------------------------------------


def test_md_and_markdown_everywhere(repo: Path) -> None:
    assert cli_invoke(["rules", "--format", "markdown"]).output.startswith("| code | name |")
    monkey = cli("check", "--no-cache", "-f", "md", cwd=repo)
    assert monkey.stdout.startswith("## commlint")


def test_rules_columns_are_aligned() -> None:
    out = cli_invoke(["rules"]).output.splitlines()
    # where the name, kind, severity and checklist columns start: the same on every line
    starts = {tuple(m.start() for m in re.finditer(r"(?<=  )(?! )\S", line))[:4] for line in out}
    assert len(starts) == 1, starts


def test_plurals(repo: Path) -> None:
    p = cli("check", "--no-cache", "svc/client.py", cwd=repo)
    assert "; 1 file checked" in p.stdout
    p = cli("check", "--no-cache", "--fix", cwd=repo)
    assert "fixed 1 in 1 file." in p.stdout, p.stdout


def test_unknown_option_prints_the_subcommands_usage(repo: Path) -> None:
    p = cli("check", "--bogus", cwd=repo)
    assert p.returncode == 2 and p.stderr.startswith("usage: commlint check") and "unrecognized arguments: --bogus" in p.stderr


def test_hardcoded_address_suggests_a_generic_name(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": "import requests\nrequests.get('http://10.0.0.1/x', timeout=3)\n"})
    [f] = [f for f in run(tmp_path, {"select": ["CL122"]}).active]
    assert "<service>.<namespace>.svc.cluster.local" in f.message and "inventory" not in f.message


# -- docs, completion, help --------------------------------------------------------------------------------------


def test_rule_pages_are_generated_and_current() -> None:
    sys.path.insert(0, str(REPO / "scripts"))
    import gen_docs

    assert gen_docs.stale() == [], "docs/rules is stale: run `python scripts/update_readme.py`"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "| [CL101](docs/rules/CL101.md) |" in readme


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(shell: str) -> None:
    r = cli_invoke(["completion", shell])
    assert r.exit_code == 0
    for word in ("check", "format", "diff-base", "write-baseline", "concise"):
        assert word in r.output, word
    if shutil.which(shell):
        p = subprocess.run([shell, "-n"], input=r.output, text=True, capture_output=True) if shell != "fish" else \
            subprocess.run(["fish", "--no-execute"], input=r.output, text=True, capture_output=True)
        assert p.returncode == 0, p.stderr


def test_help_is_coloured_only_on_request_and_rich_only_for_help(tmp_path: Path) -> None:
    code = ("import sys\nfrom commlint.cli import main\n"
            "try:\n    main(['check', '--help'])\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write('RICH ' + str('rich' in sys.modules))\n")
    env = {**os.environ, "FORCE_COLOR": "1"}
    env.pop("NO_COLOR", None)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert "\x1b[" in p.stdout and "--diff-base" in p.stdout and "RICH True" in p.stderr
    env = {**os.environ, "NO_COLOR": "1"}
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert "\x1b[" not in p.stdout and "usage: commlint check" in p.stdout and "RICH False" in p.stderr

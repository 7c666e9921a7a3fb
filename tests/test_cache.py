"""The result cache: hits, misses, invalidation, damage, read-only and concurrent use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from commlint import engine, runner

from conftest import REPO, run, write_tree

BAD = """
import requests


def fetch(url):
    return requests.get(url)
"""
GOOD = """
import requests


def fetch(url):
    return requests.get(url, timeout=5)
"""
PLAIN = """
def add(a, b):
    return a + b
"""


def check(root: Path, config: dict | None = None, **kw):  # noqa: ANN201
    """A run of the timeout rule alone (the samples break other rules too, on purpose or not)."""
    return run(root, {"select": ["CL101"], **(config or {})}, **kw)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    write_tree(root, {"svc/bad.py": BAD, "svc/good.py": GOOD, "svc/plain.py": PLAIN})
    return root


@pytest.fixture
def checked(monkeypatch) -> list[str]:  # noqa: ANN001
    """The files each run really checked (not served from the cache)."""
    seen: list[str] = []
    real = runner.check_file

    def spy(source, plan, data=None):  # noqa: ANN001, ANN202
        seen.append(source.rel)
        return real(source, plan, data)

    monkeypatch.setattr(runner, "check_file", spy)
    return seen


def found(result) -> list[tuple]:  # noqa: ANN001
    return [(f.location.path, f.location.line, f.code, f.message) for f in result.findings]


def cache_files(directory: Path) -> list[Path]:
    """The result caches in a cache folder (not the listing of the last walk, nor the cross-file findings)."""
    return sorted(p for p in directory.glob("*.json") if not p.name.startswith(("listing-", "system-")))


def test_second_run_is_served_from_the_cache(tree: Path, tmp_path: Path, checked: list[str]) -> None:
    cache = tmp_path / "cache"
    first = check(tree, {}, jobs=1, cache_dir=cache)
    assert sorted(checked) == ["svc/bad.py", "svc/good.py"]  # plain.py: no trigger, never parsed
    assert [f[2] for f in found(first)] == ["CL101"]
    checked.clear()
    second = check(tree, {}, jobs=1, cache_dir=cache)
    assert checked == []
    assert found(second) == found(first)
    assert [(r.rel, r.kind) for r in second.files] == [(r.rel, r.kind) for r in first.files]


def test_a_changed_file_alone_is_checked_again(tree: Path, tmp_path: Path, checked: list[str]) -> None:
    cache = tmp_path / "cache"
    check(tree, {}, jobs=1, cache_dir=cache)
    checked.clear()
    (tree / "svc/bad.py").write_text(GOOD.lstrip("\n"), encoding="utf-8")
    (tree / "svc/plain.py").write_text(BAD.lstrip("\n"), encoding="utf-8")  # was skipped: now a candidate
    result = check(tree, {}, jobs=1, cache_dir=cache)
    assert sorted(checked) == ["svc/bad.py", "svc/plain.py"]
    assert [(f[0], f[2]) for f in found(result)] == [("svc/plain.py", "CL101")]


def test_rule_options_severity_and_selection_each_get_their_own_entries(tree: Path, tmp_path: Path, checked: list[str]) -> None:
    cache = tmp_path / "cache"
    check(tree, {}, jobs=1, cache_dir=cache)
    for config in ({"rules": {"CL101": {"fix-timeout": 3.0}}}, {"severity": {"CL101": "note"}}, {"select": ["CL101", "CL102"]}):
        checked.clear()
        result = check(tree, config, jobs=1, cache_dir=cache)
        assert sorted(checked) == ["svc/bad.py", "svc/good.py"], config
        checked.clear()
        assert found(check(tree, config, jobs=1, cache_dir=cache)) == found(result)
        assert checked == [], config
    assert len(cache_files(cache)) == 4
    note = check(tree, {"severity": {"CL101": "note"}}, jobs=1, cache_dir=cache)
    assert [f.severity.label for f in note.findings] == ["note"]


def test_per_file_ignores_apply_to_cached_results(tree: Path, tmp_path: Path, checked: list[str]) -> None:
    cache = tmp_path / "cache"
    check(tree, {}, jobs=1, cache_dir=cache)
    checked.clear()
    result = check(tree, {"per-file-ignores": {"svc/bad.py": ["CL101"]}}, jobs=1, cache_dir=cache)
    assert checked == []  # per-file ignores are applied after the cache
    assert found(result) == []


def test_a_new_version_or_an_edited_rule_starts_afresh(tree: Path, tmp_path: Path, checked: list[str], monkeypatch) -> None:  # noqa: ANN001
    cache = tmp_path / "cache"
    check(tree, {}, jobs=1, cache_dir=cache)
    checked.clear()
    monkeypatch.setattr(engine.plan, "__version__", "999.0")
    check(tree, {}, jobs=1, cache_dir=cache)
    assert sorted(checked) == ["svc/bad.py", "svc/good.py"]
    checked.clear()
    monkeypatch.setattr(engine.plan, "_build_fingerprint", lambda: [["rules/sync_calls.toml", 1, 2]])
    check(tree, {}, jobs=1, cache_dir=cache)
    assert sorted(checked) == ["svc/bad.py", "svc/good.py"]


def test_a_corrupt_cache_file_is_ignored_and_rewritten(tree: Path, tmp_path: Path, checked: list[str]) -> None:
    cache = tmp_path / "cache"
    expected = found(check(tree, {}, jobs=1, cache_dir=cache))
    [path] = cache_files(cache)
    for damage in (b"\x00garbage{", b'{"format": 1, "files": []}', b"[]", b""):
        path.write_bytes(damage)
        checked.clear()
        assert found(check(tree, {}, jobs=1, cache_dir=cache)) == expected
        assert sorted(checked) == ["svc/bad.py", "svc/good.py"]
        assert json.loads(path.read_bytes())["files"]  # healed
    checked.clear()
    check(tree, {}, jobs=1, cache_dir=cache)
    assert checked == []


def test_a_damaged_entry_is_recomputed(tree: Path, tmp_path: Path, checked: list[str]) -> None:
    cache = tmp_path / "cache"
    expected = found(check(tree, {}, jobs=1, cache_dir=cache))
    [path] = cache_files(cache)
    data = json.loads(path.read_bytes())
    data["files"]["svc/bad.py"][1] = {"rel": "svc/bad.py", "findings": [{"code": 1}]}
    data["files"]["svc/good.py"] = "nonsense"
    path.write_text(json.dumps(data), encoding="utf-8")
    checked.clear()
    assert found(check(tree, {}, jobs=1, cache_dir=cache)) == expected
    assert sorted(checked) == ["svc/bad.py", "svc/good.py"]


def test_an_unwritable_cache_directory_does_not_stop_the_run(tree: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be", encoding="utf-8")
    result = check(tree, {}, jobs=1, cache_dir=blocker / "cache")
    assert [f[2] for f in found(result)] == ["CL101"]
    assert blocker.read_text(encoding="utf-8").startswith("a file")


def test_a_read_only_cache_is_still_read(tree: Path, tmp_path: Path, checked: list[str], monkeypatch) -> None:  # noqa: ANN001
    cache = tmp_path / "cache"
    expected = found(check(tree, {}, jobs=1, cache_dir=cache))
    (tree / "svc/good.py").write_text(BAD.lstrip("\n"), encoding="utf-8")

    def refuse(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise PermissionError(13, "Permission denied")

    from commlint.core import cachedir

    monkeypatch.setattr(cachedir, "_new_tmp", refuse)  # root ignores chmod: refuse the write itself
    checked.clear()
    result = check(tree, {}, jobs=1, cache_dir=cache)
    assert checked == ["svc/good.py"]
    assert len(found(result)) == len(expected) + 1
    assert not list(cache.glob(".tmp-*"))


def test_results_and_facts_survive_the_round_trip(tmp_path: Path) -> None:
    from commlint.core.model import Finding, Fix, Edit, Location, Severity

    res = engine.FileResult("a/b.py", "python", parsed=True, facts={"calls": [{"host": "orders", "line": 3}]})
    res.findings.append(Finding("CL101", "missing-timeout", Severity.ERROR, "m", Location("a/b.py", 3, 5, 3, 9),
                                ("C1",), (), Fix("add a timeout", (Edit(10, 10, ", timeout=5.0"),)),
                                (Location("a/c.py", 1, 1),), "reason"))
    cache = runner.Cache(tmp_path, "k")
    cache.put("a/b.py", "d1", res)
    cache.save()
    again = runner.Cache(tmp_path, "k")
    assert again.get("a/b.py", "d2") is None
    got = again.get("a/b.py", "d1")
    assert got is not None
    assert (got.rel, got.kind, got.parsed, got.facts, got.findings) == (res.rel, res.kind, res.parsed, res.facts, res.findings)


def test_concurrent_writers_merge(tmp_path: Path) -> None:
    one, two = runner.Cache(tmp_path, "k"), runner.Cache(tmp_path, "k")
    one.put("a.py", "1", engine.FileResult("a.py", "python"))
    two.put("b.py", "2", engine.FileResult("b.py", "python"))
    one.save()
    two.save()  # two loaded before one saved: it must not drop a.py
    merged = runner.Cache(tmp_path, "k")
    assert merged.get("a.py", "1") is not None and merged.get("b.py", "2") is not None


def _cli(args: list[str], cwd: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    return subprocess.Popen([sys.executable, "-m", "commlint", "check", "--format", "json", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)


def test_two_runs_at_once_share_the_cache_directory(tmp_path: Path) -> None:
    root = tmp_path / "project"
    write_tree(root, {f"svc/m{i}.py": (BAD if i % 3 == 0 else GOOD) for i in range(60)})
    (root / "commlint.toml").write_text('select = ["CL101"]\n', encoding="utf-8")
    procs = [_cli(["--jobs", "2"], root) for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [1, 1, 1], [o[1] for o in outs]
    reports = [json.loads(o[0])["findings"] for o in outs]
    assert reports[0] == reports[1] == reports[2]
    assert len(reports[0]) == 20
    [path] = cache_files(root / ".commlint_cache")
    assert len(json.loads(path.read_bytes())["files"]) == 60
    assert not list((root / ".commlint_cache").glob(".tmp-*"))
    again = _cli([], root)
    out, _ = again.communicate(timeout=120)
    assert json.loads(out)["findings"] == reports[0]


def test_cli_cache_location_and_no_cache(tmp_path: Path) -> None:
    root = tmp_path / "project"
    write_tree(root, {"svc/bad.py": BAD})
    (root / "commlint.toml").write_text('cache-dir = "build/lint-cache"\n', encoding="utf-8")
    sub = root / "svc"
    assert _cli(["--no-cache", "."], sub).wait(timeout=120) == 1
    assert not (root / "build").exists() and not (sub / ".commlint_cache").exists()
    assert _cli(["."], sub).wait(timeout=120) == 1
    assert len(cache_files(root / "build/lint-cache")) == 1  # relative to the configuration file
    assert (root / "build/lint-cache/.gitignore").read_text(encoding="utf-8").strip().endswith("*")
    other = tmp_path / "elsewhere"
    assert _cli(["--cache-dir", str(other), "."], sub).wait(timeout=120) == 1
    assert len(cache_files(other)) == 1


def test_a_cache_inside_the_tree_is_not_checked(tree: Path, checked: list[str]) -> None:
    inside = tree / "lint-cache"
    check(tree, {}, jobs=1, cache_dir=inside)
    assert (inside / ".gitignore").read_text(encoding="utf-8").strip().endswith("*")
    checked.clear()
    second = check(tree, {}, jobs=1, cache_dir=inside)
    assert checked == []
    assert not [r.rel for r in second.files if r.rel.startswith("lint-cache/")]


def test_cross_file_rules_rerun_from_cached_facts(tmp_path: Path, checked: list[str]) -> None:
    """A warm run parses nothing, yet the system view (CL7xx) is rebuilt and reports the same."""
    import shutil

    shop = tmp_path / "shop"
    shutil.copytree(REPO / "examples" / "shop", shop)
    first = run(shop, {}, jobs=1, cache_dir=tmp_path / "cache")
    system = [f for f in found(first) if f[2].startswith("CL7")]
    assert system, "examples/shop has cross-file findings"
    assert checked
    checked.clear()
    second = run(shop, {}, jobs=1, cache_dir=tmp_path / "cache")
    assert checked == []
    assert found(second) == found(first)
    assert second.examined == first.examined


def test_an_earlier_avro_version_that_changes_invalidates_the_later_ones_result(tmp_path) -> None:  # noqa: ANN001
    """order.v2.avsc's verdict depends on order.v1.avsc: a cached result must not survive a change to v1."""
    import json as _json
    import os
    import subprocess
    import sys

    def schema(*fields):  # noqa: ANN001, ANN202
        return _json.dumps({"type": "record", "name": "OrderCreated", "namespace": "shop",
                            "fields": [{"name": f, "type": "string"} for f in fields]})

    (tmp_path / "order.v1.avsc").write_text(schema("event_id", "order_id"))
    (tmp_path / "order.v2.avsc").write_text(schema("event_id", "order_id", "coupon"))  # coupon: no default

    def run() -> set[str]:
        env = {**os.environ, "NO_COLOR": "1"}
        p = subprocess.run([sys.executable, "-m", "commlint", "check", "--isolated", "--select", "CL403",
                            "--format", "json", "."], cwd=tmp_path, capture_output=True, text=True, env=env)
        return {f["location"]["path"] for f in _json.loads(p.stdout)["findings"]}

    assert run() == {"order.v2.avsc"}
    assert run() == {"order.v2.avsc"}  # from the cache
    (tmp_path / "order.v1.avsc").write_text(schema("event_id", "order_id", "coupon"))
    assert run() == set()


def test_a_proto_result_depends_on_the_files_it_imports(tmp_path: Path) -> None:
    """order.proto compiles against money.proto: renaming Money there makes order.proto's cached
    verdict stale, so the next run must see it (protoc resolves imports; the cache must know)."""
    pytest.importorskip("grpc_tools")
    from commlint.api import check_paths
    from commlint.core.catalogue import load
    from commlint.core.config import load_settings
    from commlint.runner import Cache

    tree = tmp_path / "repo"
    (tree / "protos/shop/v1").mkdir(parents=True)
    money = tree / "protos/shop/v1/money.proto"
    money.write_text('syntax = "proto3";\npackage shop.v1;\nmessage Money { int64 cents = 1; }\n')
    (tree / "protos/shop/v1/order.proto").write_text(
        'syntax = "proto3";\npackage shop.v1;\nimport "shop/v1/money.proto";\nmessage Order { Money total = 1; }\n')
    settings = load_settings(tree, load(), data={"select": ["CL500"]}, root=tree)

    def run_once() -> list[tuple[str, str]]:
        from commlint.engine import make_plan

        cache = Cache(tmp_path / "cache", make_plan(settings, load()).key())
        result = check_paths([tree], settings, jobs=1, cache=cache)
        return sorted((f.code, Path(f.location.path).name) for f in result.active)

    assert run_once() == []
    money.write_text('syntax = "proto3";\npackage shop.v1;\nmessage Cash { int64 cents = 1; }\n')
    assert ("CL500", "order.proto") in run_once()


def _age(root: Path, seconds: float = 60) -> None:
    """Files written a while ago (the stat of a file written in the last instant is not trusted)."""
    import time

    for p in root.rglob("*.py"):
        os.utime(p, ns=(time.time_ns() - int(seconds * 1e9),) * 2)


def test_unchanged_files_are_neither_read_nor_hashed_on_a_warm_run(tree: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    cache = tmp_path / "cache"
    _age(tree)
    first = check(tree, {}, jobs=1, cache_dir=cache)
    check(tree, {}, jobs=1, cache_dir=cache)  # the second run records each file's stat beside its digest
    reads: list[str] = []
    real = runner.read_source
    monkeypatch.setattr(runner, "read_source", lambda path, limit: reads.append(Path(path).name) or real(path, limit))
    again = check(tree, {}, jobs=1, cache_dir=cache)
    assert reads == [] and found(again) == found(first)
    # same size, same modification time, other content: the inode's change time still tells
    bad = tree / "svc" / "bad.py"
    st = bad.stat()
    bad.write_text(bad.read_text(encoding="utf-8").replace("requests.get(url)", "requests.put(url)"), encoding="utf-8")
    os.utime(bad, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert bad.stat().st_size == st.st_size and bad.stat().st_mtime_ns == st.st_mtime_ns
    changed = check(tree, {}, jobs=1, cache_dir=cache)
    assert reads == ["bad.py"]
    assert [(f[0], f[2]) for f in found(changed)] == [("svc/bad.py", "CL101")] and found(changed) != found(first)


def test_a_file_written_just_before_it_was_read_is_not_trusted_by_its_stat(tree: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    cache = tmp_path / "cache"
    check(tree, {}, jobs=1, cache_dir=cache)  # the files are seconds old: digests only
    entries = json.loads(cache_files(cache)[0].read_text(encoding="utf-8"))["files"]
    assert all(len(e) == 2 for e in entries.values())


# -- the listing: the last walk of the tree, reused while no folder has changed ----------------


def _age_all(root: Path, seconds: float = 60) -> None:
    """Every folder and file of the tree modified a while ago (a walk that saw a change in the
    last two seconds is not kept)."""
    import time

    past = time.time_ns() - int(seconds * 1e9)
    for p in [root, *root.rglob("*")]:
        os.utime(p, ns=(past, past))


@pytest.fixture
def walks(monkeypatch) -> list[str]:  # noqa: ANN001
    """The folders each run really walked (the listing kept from an earlier run not reused)."""
    from commlint.artifacts import discovery

    seen: list[str] = []
    real = discovery._walk

    def spy(top, *a, **kw):  # noqa: ANN001, ANN202
        seen.append(Path(top).name)
        return real(top, *a, **kw)

    monkeypatch.setattr(discovery, "_walk", spy)
    return seen


def _sources(result) -> list[tuple[str, tuple[str, ...]]]:  # noqa: ANN001
    return [(r.rel, r.kind) for r in result.files]


def test_a_warm_run_reuses_the_last_walk_until_a_folder_changes(tree: Path, tmp_path: Path, walks: list[str]) -> None:
    cache = tmp_path / "cache"
    (tree / "svc" / ".gitignore").write_text("ignored.py\n", encoding="utf-8")
    (tree / "svc" / "ignored.py").write_text(BAD, encoding="utf-8")
    _age_all(tree)
    first = check(tree, {}, jobs=1, cache_dir=cache)
    assert walks == ["project"] and list(cache.glob("listing-*.json"))
    again = check(tree, {}, jobs=1, cache_dir=cache)
    assert walks == ["project"] and _sources(again) == _sources(first) and found(again) == found(first)
    (tree / "svc" / "new.py").write_text(BAD, encoding="utf-8")  # the folder's modification time moves
    added = check(tree, {}, jobs=1, cache_dir=cache)
    assert walks == ["project"] * 2 and "svc/new.py" in [r for r, _ in _sources(added)]
    _age_all(tree)
    check(tree, {}, jobs=1, cache_dir=cache)
    (tree / "svc" / ".gitignore").write_text("\n", encoding="utf-8")  # an edited .gitignore: walked again
    _age_all(tree)
    edited = check(tree, {}, jobs=1, cache_dir=cache)
    assert walks == ["project"] * 4 and "svc/ignored.py" in [r for r, _ in _sources(edited)]
    assert "svc/ignored.py" not in [r for r, _ in _sources(first)]


def test_a_walk_that_saw_a_recent_change_is_not_kept(tree: Path, tmp_path: Path, walks: list[str]) -> None:
    cache = tmp_path / "cache"
    check(tree, {}, jobs=1, cache_dir=cache)  # the tree was written an instant ago
    check(tree, {}, jobs=1, cache_dir=cache)
    assert walks == ["project", "project"] and not list(cache.glob("listing-*.json"))
    check(tree, {}, jobs=1)  # no cache folder: nothing kept either
    assert walks == ["project"] * 3


def test_a_tampered_listing_is_ignored(tree: Path, tmp_path: Path, walks: list[str]) -> None:
    cache = tmp_path / "cache"
    _age_all(tree)
    first = check(tree, {}, jobs=1, cache_dir=cache)
    (listing,) = cache.glob("listing-*.json")
    data = json.loads(listing.read_text(encoding="utf-8"))
    cols = data["files"]
    for bad in ({"opened": "../../etc/passwd", "rel": "../../etc/passwd", "kinds": 0, "below": ""},
                {"opened": "", "rel": "x.py", "kinds": 99, "below": ""},
                {"opened": "", "rel": 7, "kinds": 0, "below": ""},
                {"opened": "/etc/passwd", "rel": "passwd", "kinds": 0, "below": ""},
                {"opened": "", "rel": "/etc/passwd", "kinds": 0, "below": ""},
                {"prefix": "/etc/"}):
        tampered = {**cols, **{k: v if k == "prefix" else cols[k] + [v] for k, v in bad.items()}}
        listing.write_text(json.dumps({**data, "files": tampered}), encoding="utf-8")
        again = check(tree, {}, jobs=1, cache_dir=cache)
        assert _sources(again) == _sources(first)
    listing.write_text("{not json", encoding="utf-8")
    assert _sources(check(tree, {}, jobs=1, cache_dir=cache)) == _sources(first)
    assert len(walks) == 8


# -- the cross-file rules' findings, kept while no file has changed ---------------------------

ROUTE = "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/orders')\ndef orders():\n    return []\n"


def test_cross_file_findings_are_kept_while_no_file_changes(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import commlint.api as api

    root, cache = tmp_path / "project", tmp_path / "cache"
    write_tree(root, {"orders/app.py": ROUTE})
    config = {"select": ["CL702"]}
    first = run(root, config, jobs=1, cache_dir=cache)
    assert [f.code for f in first.findings] == ["CL702"]
    real = api.run_system_rules
    monkeypatch.setattr(api, "run_system_rules", lambda *a, **k: pytest.fail("cross-file rules ran again"))
    again = run(root, config, jobs=1, cache_dir=cache)
    assert found(again) == found(first) and again.system_examined == first.system_examined
    monkeypatch.setattr(api, "run_system_rules", real)
    (root / "orders" / "openapi.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: Orders, version: '1'}\npaths:\n  /orders:\n    get:\n"
        "      responses: {'200': {description: OK}}\n", encoding="utf-8")
    assert [f.code for f in run(root, config, jobs=1, cache_dir=cache).findings] == []  # a new file: judged again
    (kept,) = cache.glob("system-*.json")
    kept.write_text('{"format": 2, "key": "x", "findings": [{"bad": 1}], "examined": {}}', encoding="utf-8")
    assert [f.code for f in run(root, config, jobs=1, cache_dir=cache).findings] == []


def test_a_reused_walk_says_what_the_walk_said(tree: Path, tmp_path: Path, walks: list[str]) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text(BAD, encoding="utf-8")
    (tree / "svc" / "link.py").symlink_to(outside)
    _age_all(tree)
    cache = tmp_path / "cache"
    first = check(tree, {}, jobs=1, cache_dir=cache)
    again = check(tree, {}, jobs=1, cache_dir=cache)
    assert walks == ["project"] and any("symbolic link out of the tree" in m for m in first.messages)
    assert [m for m in again.messages if "symbolic link" in m] == [m for m in first.messages if "symbolic link" in m]


def test_the_code_fingerprint_covers_the_package_and_every_rule_toml_not_the_examples() -> None:
    """A cache never outlives an edit to commlint's code or a rule's metadata; the examples
    below each rule (data, 500 folders) are not walked by every run."""
    import os

    from commlint.core.catalogue import catalogue_dir

    seen = [p for p, _, _ in engine.plan._build_fingerprint()]
    tomls = sorted(str(p) for p in catalogue_dir().rglob("*.toml"))
    assert [p for p in seen if p.endswith(".toml")] == tomls
    assert any(p.endswith(os.path.join("engine", "plan.py")) for p in seen)
    assert not any(f"{os.sep}bad{os.sep}" in p or f"{os.sep}good{os.sep}" in p for p in seen)


def test_a_run_in_this_process_leaves_the_collector_as_it_found_it(tree: Path, monkeypatch) -> None:  # noqa: ANN001
    """Files checked here are checked with the collector paused and what was built before frozen
    (as in a worker); afterwards both are undone, also when a check fails, so that an API caller
    running many checks in one process gets its garbage collected."""
    import gc

    during: list[tuple[bool, int]] = []
    real = runner.check_file

    def spy(source, plan, data=None):  # noqa: ANN001, ANN202
        during.append((gc.isenabled(), gc.get_freeze_count()))
        return real(source, plan, data)

    monkeypatch.setattr(runner, "check_file", spy)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    check(tree, jobs=1)
    assert during and all(not enabled and frozen > 0 for enabled, frozen in during)
    assert gc.isenabled() and gc.get_freeze_count() == 0

    def broken(source, plan, data=None):  # noqa: ANN001, ANN202
        raise RuntimeError("a check that fails")

    monkeypatch.setattr(runner, "check_file", broken)
    (tree / "svc" / "new.py").write_text(BAD)  # not in the cache: checked
    with pytest.raises(RuntimeError):
        check(tree, jobs=1)
    assert gc.isenabled() and gc.get_freeze_count() == 0

    monkeypatch.setattr(runner, "check_file", real)
    (tree / "svc" / "newer.py").write_text(BAD)
    gc.disable()
    gc.freeze()  # a caller's own settings
    try:
        check(tree, jobs=1)
        assert not gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.enable()


def test_results_of_keys_no_run_used_for_two_weeks_are_removed(tree: Path, tmp_path: Path) -> None:
    """An upgrade (or other options) keys the results afresh; the old key's files go once none of
    them was written or used for two weeks. A key in use is kept however old its files: a run that
    reads its results and changes none refreshes the file's time."""
    import time

    from commlint.core import cachedir

    cache = tmp_path / "cache"
    check(tree, cache_dir=cache)
    (current,) = cache_files(cache)
    month = time.time() - 30 * 86400
    old, recent = "0123456789abcdef", "fedcba9876543210"
    for name in (f"{old}.json", f"listing-{old}.json", f"system-{old}.json", f"{recent}.json", "notes.json"):
        (cache / name).write_text("{}")
    for name in (f"{old}.json", f"listing-{old}.json", f"system-{old}.json", "notes.json"):
        os.utime(cache / name, (month, month))
    os.utime(current, (month, month))  # the current key's results, unchanged for a month
    check(tree, cache_dir=cache)  # reads them, changes nothing: refreshes their time
    assert time.time() - current.stat().st_mtime < 3600
    assert (cache / f"{old}.json").exists()  # nothing written yet: nothing removed
    (tree / "svc" / "new.py").write_text(BAD)
    check(tree, cache_dir=cache)  # writes its results, and tidies
    left = {p.name for p in cache.iterdir()}
    assert not {f"{old}.json", f"listing-{old}.json", f"system-{old}.json"} & left
    assert {current.name, f"{recent}.json", "notes.json"} <= left  # in use, recent, or not ours
    assert cachedir.remove_stale_keys(cache, current.stem) == 0

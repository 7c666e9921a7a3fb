"""The catalogue and the checks are one: no rule without a check, no check without
a rule, docs generated from the catalogue, the README table current."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from commlint import engine
from commlint.core.catalogue import load
from commlint.docs import README_BEGIN, README_END, rule_markdown
from commlint.rules import CHECKS

from conftest import REPO

CAT = load()


def _import_all() -> None:
    for fam in CAT.families:
        importlib.import_module(fam.module)
    for r in CAT.rules:  # a rule.toml may name its own module (``module = ...``)
        importlib.import_module(r.module)


def test_every_catalogued_rule_has_a_check_and_back() -> None:
    _import_all()
    catalogued = {r.code for r in CAT.rules}
    engine_rules = {r.code for r in CAT.rules if r.family == "engine"}
    assert engine_rules <= set(engine.ENGINE_CODES)
    assert catalogued - engine_rules == set(CHECKS), (
        f"no check for {sorted(catalogued - engine_rules - set(CHECKS))}; "
        f"no catalogue entry for {sorted(set(CHECKS) - catalogued)}"
    )


def test_each_check_lives_in_the_module_its_catalogue_names() -> None:
    _import_all()
    for r in CAT.rules:
        if r.family == "engine":
            continue
        where = CHECKS[r.code].__module__
        assert where == r.module or where.startswith(r.module + "."), f"{r.code} is in {where}, catalogue says {r.module}"


def test_every_rule_quotes_the_standard() -> None:
    standard = (REPO.parent / "shared" / "standard" / "microservices-communication.md")
    text = standard.read_text(encoding="utf-8") if standard.is_file() else None
    for r in CAT.rules:
        if r.family == "engine":
            continue
        assert r.standard, f"{r.code} quotes no sentence of the standard"
        if text is not None:
            flat = re.sub(r"\s+", " ", text)
            for sentence in r.standard:
                assert re.sub(r"\s+", " ", sentence) in flat, f"{r.code}: not in the standard: {sentence!r}"


def test_docs_render_for_every_rule() -> None:
    for r in CAT.rules:
        md = rule_markdown(r, CAT)
        assert r.code in md and "## Why is this bad?" in md and "## How to fix" in md


def test_readme_generated_parts_are_current() -> None:
    """The rule table and the example's scorecard in the README are what the code produces now."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("update_readme", REPO / "scripts" / "update_readme.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert README_BEGIN in readme and README_END in readme, "README lacks the generated rule table markers"
    assert readme == mod.render(readme), "README is stale: run `python scripts/update_readme.py`"


def test_checklist_has_the_twelve_items() -> None:
    assert [c.id for c in CAT.checklist] == [f"C{i}" for i in range(1, 13)]


def test_wheel_ships_the_catalogue(tmp_path) -> None:  # noqa: ANN001
    import os
    import subprocess
    import sys
    import zipfile

    import pytest

    p = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    if p.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {p.stderr.strip()[-300:]}")
    [wheel] = tmp_path.glob("commlint-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    catalogue = [p for p in (REPO / "rules").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert any(p.name == "rule.toml" for p in catalogue) and any("bad" in p.parts for p in catalogue)
    for p in catalogue:  # the family files, every rule.toml and every example file (explain shows them)
        assert f"commlint/_catalogue/{p.relative_to(REPO / 'rules').as_posix()}" in names, p
    # installed (not editable), `commlint explain` reads the examples from the package
    site = tmp_path / "site"
    p = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    p = subprocess.run([sys.executable, "-c", "import commlint, sys; from commlint.cli import main; "
                        "sys.stderr.write(commlint.__file__ + '\\n'); main(['explain', 'CL101'])"],
                       cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(site)},
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and p.stderr.startswith(str(site)), p.stderr[-2000:]
    assert "`bad/orders/client.py`:" in p.stdout and "`fixed/orders/client.py`:" in p.stdout
    assert "timeout=5.0)  # expect: CL101" in p.stdout


def test_each_rule_is_one_folder_named_after_it() -> None:
    for r in CAT.rules:
        folder = REPO / "rules" / r.folder
        assert folder == REPO / "rules" / r.family / f"{r.code}-{r.name}" and (folder / "rule.toml").is_file()
        for ex in r.examples:
            assert ex.folder is not None and Path(ex.folder).parent == folder


def test_the_family_files_carry_no_rules() -> None:
    import tomllib

    for fam in CAT.families:
        raw = tomllib.loads((REPO / "rules" / f"{fam.id}.toml").read_text(encoding="utf-8"))
        assert set(raw) == {"family"}, f"rules/{fam.id}.toml: only the [family] header; rules are folders"


def _catalogue_copy(tmp_path: Path) -> Path:
    import shutil

    root = tmp_path / "rules"
    shutil.copytree(REPO / "rules", root)
    return root


def test_the_loader_refuses_what_it_cannot_use(tmp_path: Path) -> None:
    import shutil

    import pytest

    cases = {
        "a stray folder": lambda rule: (rule / "bad-x").mkdir(),
        "a fixed example without its bad one": lambda rule: (rule / "fixed-7").mkdir(),
        "a table naming no folder": lambda rule: (rule / "rule.toml").write_text(
            (rule / "rule.toml").read_text(encoding="utf-8") + "\n[examples.good-9]\ntitle = 'x'\n", encoding="utf-8"),
        "fixable written by hand": lambda rule: (rule / "rule.toml").write_text(
            "fixable = true\n" + (rule / "rule.toml").read_text(encoding="utf-8"), encoding="utf-8"),
        "a folder not named after its rule": lambda rule: shutil.move(rule, rule.with_name("CL101-other-name")),
    }
    for i, (what, spoil) in enumerate(cases.items()):
        root = _catalogue_copy(tmp_path / str(i))
        spoil(root / "sync_calls" / "CL101-missing-timeout")
        with pytest.raises(ValueError):
            load(str(root))
            raise AssertionError(f"loaded a catalogue with {what}")


def test_fixable_follows_from_the_fixed_examples(tmp_path: Path) -> None:
    import shutil

    assert CAT.get("CL101").fixable
    root = _catalogue_copy(tmp_path)
    for fixed in (root / "sync_calls" / "CL101-missing-timeout").glob("fixed*"):
        shutil.rmtree(fixed)
    assert not load(str(root)).get("CL101").fixable
    assert [r.code for r in CAT.rules if r.fixable] == [
        r.code for r in CAT.rules if any((Path(ex.folder).parent / ex.name.replace("bad", "fixed", 1)).is_dir()
                                         for ex in r.examples if ex.kind == "bad")]


def test_explain_shows_the_example_files_by_name() -> None:
    for r in CAT.rules:
        md = rule_markdown(r, CAT)
        for ex in r.examples:
            for path, text in ex.files.items():
                assert f"`{ex.name}/{path}`:" in md and text.rstrip("\n") in md, (r.code, ex.name, path)
            if ex.fixed is not None:
                assert "Fixed by `commlint check --fix`" in md and f"`{ex.fixed_name}/" in md
        assert f"rules/{r.folder}/" in md


def test_commlint_on_its_own_checkout_leaves_the_examples_alone() -> None:
    """`commlint check .` in commlint's checkout does not report the rules' bad examples."""
    from commlint.artifacts.discovery import discover
    from commlint.core.config import build_settings, find_config, read_config

    cfg = find_config(REPO)
    assert cfg is not None
    settings = build_settings(read_config(cfg), cfg.parent, CAT, cfg)
    rels = [s.rel for s in discover([REPO], settings)]
    assert rels and not [r for r in rels if r.startswith("rules/")], [r for r in rels if r.startswith("rules/")][:5]


def test_new_rule_scaffold_gives_a_rule_whose_examples_pass(tmp_path: Path) -> None:
    """scripts/new_rule.py in a copy of the tree: for each family it has a template, the new
    rule's examples pass against the check it appended, and the catalogue and checks still match."""
    import os
    import shutil
    import subprocess
    import sys

    copy = tmp_path / "tree"
    for part in ("src", "rules", "tests", "scripts"):
        shutil.copytree(REPO / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", copy / "pyproject.toml")
    env = dict(os.environ, PYTHONPATH=str(copy / "src"))
    families = ["topics", "openapi", "avro", "proto", "sync_calls", "events"]
    codes = ["CL699"] + [f"CL69{i}" for i in range(len(families) - 1)]
    for family, code in zip(families, codes):
        name = "example-rule" if code == "CL699" else f"example-rule-{code[-1]}"
        p = subprocess.run([sys.executable, "scripts/new_rule.py", family, code, name], cwd=copy, env=env,
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stdout + p.stderr
        assert (copy / "rules" / family / f"{code}-{name}" / "bad").is_dir()
    assert (copy / "rules" / "topics" / "CL699-example-rule" / "good" / "topics.yaml").is_file()
    p = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_examples.py", "tests/test_catalogue.py",
         "tests/test_architecture.py",
         "-k", " or ".join([*codes, "check_and_back", "lives_in_the_module", "declare_what_they_examine"])],
        cwd=copy, env=env, capture_output=True, text=True, timeout=600,
    )
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-2000:]
    assert f"{3 * len(codes) + 3} passed" in p.stdout, p.stdout[-1000:]  # bad, good and fix of each, and the three
    # the check is real: without the bad line it reports nothing, and the bad example's test fails
    bad = copy / "rules" / "topics" / "CL699-example-rule" / "bad" / "topics.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("name: scaffold-example", "name: orders.order.shipped"),
                   encoding="utf-8")
    p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_examples.py", "-k", "CL699-bad"],
                       cwd=copy, env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 1 and "1 failed" in p.stdout, p.stdout[-2000:]


def test_the_parsed_catalogue_is_kept_and_rebuilt_when_a_file_changes(tmp_path: Path) -> None:
    import pytest

    root = _catalogue_copy(tmp_path)
    first = load(str(root))
    kept = list((root / "__pycache__").glob("catalogue.*.marshal"))
    assert len(kept) == 1
    load.cache_clear()
    assert load(str(root)) == first  # read back from the kept copy
    toml = root / "sync_calls" / "CL101-missing-timeout" / "rule.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('severity = "error"', 'severity = "note"'), encoding="utf-8")
    load.cache_clear()
    assert str(load(str(root)).get("CL101").severity) != str(first.get("CL101").severity)
    for k in (root / "__pycache__").glob("catalogue.*.marshal"):
        k.write_bytes(b"not marshal data")
    load.cache_clear()
    assert load(str(root)).get("CL101").code == "CL101"  # a spoilt copy is rebuilt, never an error
    (root / "sync_calls" / "CL101-missing-timeout" / "bad-x").mkdir()
    load.cache_clear()
    with pytest.raises(ValueError):
        load(str(root))  # a new folder changes the signature too
    load.cache_clear()

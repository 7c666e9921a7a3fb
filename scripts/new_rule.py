"""Scaffold a new rule: its catalogue folder, a bad and a good example, and a check.

    python scripts/new_rule.py FAMILY CODE NAME      # e.g. topics CL608 topic-without-owner

writes

    rules/<family>/<CODE>-<name>/rule.toml    the catalogue entry (TODO texts to complete)
    rules/<family>/<CODE>-<name>/bad/...      a bad example marking the line that fires
    rules/<family>/<CODE>-<name>/good/...     a good example
    src/commlint/rules/<family>.py            a @check("<CODE>") function, appended

The check genuinely implements the trivial examples (it reports a topic, a call, a
path, a record or a message named "scaffold-example"), so the rule's example test
passes at once: `python -m pytest -q tests/test_examples.py -k <CODE>`. Then replace
the examples and the check with the real ones, fill in rule.toml, and regenerate
the README table (`python scripts/update_readme.py`).

``--root DIR`` scaffolds into another checkout (the test uses a temporary copy).
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

CODE_RE = re.compile(r"^CL\d{3}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
WORD = "scaffold-example"


def _python(code: str, family: dict) -> dict:
    trigger = next((t for t in family.get("triggers", []) if t.isidentifier()), "requests")
    lines = f"import {trigger}\n\n\ndef handle(payload):\n"
    return {
        "path": "orders/app.py",
        "bad": lines + f"    scaffold_example(payload)  # expect: {code}\n    return payload\n",
        "good": lines + "    return payload\n",
        "subjects": "lambda ctx: len(ctx.artifact.calls)",
        "check": '''
    """TODO: what {code} finds. (Scaffold: reports a call to `scaffold_example`.)"""
    from commlint.artifacts import pynodes as cst

    for site in ctx.artifact.calls:
        func = site.node.func
        if isinstance(func, cst.Name) and func.value == "scaffold_example":
            ctx.report(site.node, "TODO: what is wrong here, and how to fix it", scope=site.scope)
''',
    }


TEMPLATES = {
    "topics": lambda code, family: {
        "path": "topics.yaml",
        "bad": f"topics:\n  - name: orders.order.created\n  - name: {WORD}  # expect: {code}\n",
        "good": "topics:\n  - name: orders.order.created\n",
        "check": f'''
    """TODO: what {{code}} finds. (Scaffold: reports a topic named `{WORD}`.)"""
    for topic in ctx.artifact.topics:
        if topic.name == "{WORD}":
            ctx.report(topic.loc, f"topic {{topic.name!r}}: TODO: what is wrong here, and how to fix it")
''',
    },
    "openapi": lambda code, family: {
        "path": "openapi.yaml",
        "bad": ("openapi: 3.1.0\ninfo:\n  title: Orders\n  version: 1.0.0\npaths:\n"
                f"  /v1/{WORD}:  # expect: {code}\n    get:\n      responses:\n        \"200\": {{description: OK}}\n"),
        "good": ("openapi: 3.1.0\ninfo:\n  title: Orders\n  version: 1.0.0\npaths:\n"
                 "  /v1/orders:\n    get:\n      responses:\n        \"200\": {description: OK}\n"),
        "check": f'''
    """TODO: what {{code}} finds. (Scaffold: reports a path with `{WORD}` in it.)"""
    from ..artifacts.yamljson import join

    art = ctx.artifact
    if not art.is_document:
        return
    for path in art.data.get("paths") or {{}}:
        if "{WORD}" in str(path):
            ctx.report(join("/paths", path), f"path {{path}}: TODO: what is wrong here, and how to fix it")
''',
    },
    "avro": lambda code, family: {
        "path": "schemas/order-created.avsc",
        "bad": '{\n  "type": "record",\n  "name": "ScaffoldExample",\n  "fields": [\n    {"name": "order_id", "type": "string"}\n  ]\n}\n',
        "good": '{\n  "type": "record",\n  "name": "OrderCreated",\n  "fields": [\n    {"name": "order_id", "type": "string"}\n  ]\n}\n',
        "expect": [f"schemas/order-created.avsc:3:{code}"],  # JSON has no comments: the sidecar in rule.toml
        "check": '''
    """TODO: what {code} finds. (Scaffold: reports a record named `ScaffoldExample`.)"""
    art = ctx.artifact
    if not art.valid:
        return
    for fullname, ptr in art.defined_at.items():
        if fullname.rsplit(".", 1)[-1] == "ScaffoldExample":
            ctx.report(f"{ptr}/name", f"record {fullname}: TODO: what is wrong here, and how to fix it")
''',
    },
    "proto": lambda code, family: {
        "path": "proto/orders/v1/orders.proto",
        "bad": f'syntax = "proto3";\npackage orders.v1;\n\nmessage ScaffoldExample {{  // expect: {code}\n  string order_id = 1;\n}}\n',
        "good": 'syntax = "proto3";\npackage orders.v1;\n\nmessage Order {\n  string order_id = 1;\n}\n',
        "check": '''
    """TODO: what {code} finds. (Scaffold: reports a message named `ScaffoldExample`.)"""
    from ..analyses.proto_model import build
    from ..core.model import Location

    art = ctx.artifact
    if art.descriptor is None:  # protoc could not compile it (CL500 says why)
        return
    m = build(art.descriptor, *art.line_sources())  # protoc's descriptors: full names, options, presence, lines
    for name, msg in m.messages.items():
        if name.rsplit(".", 1)[-1] == "ScaffoldExample":
            line, col = m.line_of(msg.path)
            ctx.report(Location(art.path, line, col), f"message {name}: TODO: what is wrong here, and how to fix it")
''',
    },
    "sync_calls": _python,
    "events": _python,
}


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _module_file(root: Path, module: str) -> Path:
    rel = Path("src", *module.split("."))
    for p in (root / rel.with_suffix(".py"), root / rel / "__init__.py"):
        if p.is_file():
            return p
    raise SystemExit(f"cannot find the module {module} under {root / 'src'}")


def scaffold(root: Path, family_id: str, code: str, name: str) -> list[Path]:
    rules = root / "rules"
    if not CODE_RE.match(code):
        raise SystemExit(f"{code!r}: a code looks like CL123")
    if not NAME_RE.match(name):
        raise SystemExit(f"{name!r}: a name is lower-case words joined by '-'")
    fam_file = rules / f"{family_id}.toml"
    if not fam_file.is_file():
        raise SystemExit(f"no family {family_id!r} (rules/{family_id}.toml)")
    if family_id not in TEMPLATES:
        raise SystemExit(f"no template for the {family_id} family: copy one of its rules' folders instead "
                         f"(supported: {', '.join(sorted(TEMPLATES))})")
    family = tomllib.loads(fam_file.read_text(encoding="utf-8")).get("family", {})
    taken = {p.name.split("-", 1)[0]: p for p in rules.glob("*/CL*") if p.is_dir()}
    taken_names = {p.name.split("-", 1)[1] for p in taken.values() if "-" in p.name}
    if code in taken:
        raise SystemExit(f"{code} is taken: {taken[code].relative_to(root)}")
    if name in taken_names:
        raise SystemExit(f"the name {name!r} is taken")
    module = family.get("module", f"commlint.rules.{family_id}")
    module_file = _module_file(root, module)
    fn = name.replace("-", "_")
    source = module_file.read_text(encoding="utf-8")
    if re.search(rf"^def {fn}\(", source, re.M):
        raise SystemExit(f"{module_file.relative_to(root)} already has a function {fn}()")

    t = TEMPLATES[family_id](code, family)
    # the checklist item (or section) of the family's first rule, to be checked by the author
    first = next((p for p in sorted((rules / family_id).glob("CL*/rule.toml"))), None)
    evidences = 'checklist = ["C1"]'
    if first is not None:
        raw = tomllib.loads(first.read_text(encoding="utf-8"))
        if raw.get("checklist"):
            evidences = f"checklist = [{_toml_str(raw['checklist'][0])}]"
        elif raw.get("sections"):
            evidences = f"sections = [{_toml_str(raw['sections'][0])}]"
    folder = rules / family_id / f"{code}-{name}"
    expect = f"expect = [{', '.join(_toml_str(e) for e in t['expect'])}]\n" if t.get("expect") else ""
    rule_toml = f'''code = "{code}"
name = "{name}"
severity = "warning"
{evidences}  # TODO: the checklist item(s) or section(s) this rule evidences
standard = [
  "TODO: quote the sentence of the standard this rule enforces, word for word.",
]
summary = "TODO: one line: what the rule finds"
what = """
TODO: what the rule finds, and what it does not.
"""
why = """
TODO: why it matters (the standard's reason).
"""
fix = """
TODO: how to fix it.
"""

[examples.bad]
title = "TODO: the violation"
{expect}
[examples.good]
title = "TODO: the conforming version"
'''
    written = []
    folder.mkdir(parents=True)
    (folder / "rule.toml").write_text(rule_toml, encoding="utf-8")
    written.append(folder / "rule.toml")
    for kind in ("bad", "good"):
        p = folder / kind / t["path"]
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(t[kind], encoding="utf-8")
        written.append(p)
    subjects = f", subjects={t['subjects']}" if t.get("subjects") else ""
    check = f'@check("{code}"{subjects})\ndef {fn}(ctx: RuleContext) -> None:' + t["check"].replace("{code}", code)
    if module_file.name == "__init__.py":
        # a family that is a package: the check gets a module of its own, registered by the package
        own = module_file.parent / f"{fn}.py"
        own.write_text(f'"""{code} {name} (scaffolded by scripts/new_rule.py: complete it)."""\n\n'
                       "from __future__ import annotations\n\nfrom .. import RuleContext, check\n\n\n" + check,
                       encoding="utf-8")
        module_file.write_text(source.rstrip("\n") + f"\nfrom . import {fn}  # noqa: E402,F401 - registers {code}\n",
                               encoding="utf-8")
        written += [own, module_file]
        return written
    stub = (f"\n\n# -- {code} {name} (scaffolded by scripts/new_rule.py: complete it) "
            f"{'-' * max(3, 60 - len(code) - len(name))}\n\n\n" + check)
    module_file.write_text(source.rstrip("\n") + "\n" + stub, encoding="utf-8")
    written.append(module_file)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("family", help=f"one of: {', '.join(sorted(TEMPLATES))}")
    ap.add_argument("code", help="CL followed by three digits, unused")
    ap.add_argument("name", help="lower-case words joined by '-', unused")
    ap.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent, help="the checkout")
    args = ap.parse_args(argv)
    for p in scaffold(args.root.resolve(), args.family, args.code.upper(), args.name):
        print(f"wrote {p.relative_to(args.root.resolve())}")
    print(f"next: python -m pytest -q tests/test_examples.py -k {args.code.upper()}; "
          "then replace the examples and the check with the real ones, complete rule.toml "
          "and run python scripts/update_readme.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())

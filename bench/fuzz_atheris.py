"""Coverage-guided fuzzing of every front-end with atheris (libFuzzer), for developers.

    pip install atheris
    PYTHONPATH=src python bench/fuzz_atheris.py -max_total_time=600          # all kinds
    PYTHONPATH=src python bench/fuzz_atheris.py --kind openapi -runs=100000  # one kind

The first byte of each input picks the file name (and so the front-end); the
rest is the file's bytes. The seed corpus is the catalogue's own examples. A
crash is an exception escaping ``check_file`` or an "internal error" finding;
libFuzzer saves the input (``crash-*``): replay it with the same command and
the file name as argument. The hypothesis fuzz tests (tests/hostile/
test_hostile_fuzz.py) run in CI without atheris.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from commlint.artifacts import kinds_for
    from commlint.core.catalogue import load
    from commlint.core.config import build_settings
    from commlint.artifacts.discovery import SourceFile
    from commlint.engine import check_file, make_plan

NAMES = ["client.py", "openapi.yaml", "openapi.json", "event.avsc", "orders.proto", "topics.yaml",
         "kafka-topic.yaml", "main.tf"]


def seeds(directory: Path, names: list[str]) -> None:
    for i, rule in enumerate(load().rules):
        for j, ex in enumerate(rule.examples):
            for path, text in ex.files.items():
                name = Path(path).name
                match = next((k for k, n in enumerate(names) if Path(n).suffix == Path(name).suffix), None)
                if match is None:
                    continue
                (directory / f"{i}-{j}-{name}").write_bytes(bytes([match]) + text.lstrip("\n").encode())


def main() -> None:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--kind", default=None, help="fuzz only file names containing this (py, openapi, avsc, ...)")
    args, rest = parser.parse_known_args()
    root = Path(tempfile.mkdtemp(prefix="commlint-atheris-"))
    plan = make_plan(build_settings({"select": ["ALL"], "file-timeout": 10}, root, load()), load())
    names = [n for n in NAMES if not args.kind or args.kind in n]

    def one(data: bytes) -> None:
        if not data:
            return
        name = names[data[0] % len(names)]
        result = check_file(SourceFile(root / name, name, tuple(kinds_for(name))), plan, data[1:])
        internal = [f.message for f in result.findings if "internal error" in f.message]
        if internal:
            raise AssertionError(f"{name}: {internal}")

    corpus = root / "corpus"
    corpus.mkdir()
    seeds(corpus, names)
    if not any(not a.startswith("-") for a in rest):
        rest.append(str(corpus))
    atheris.Setup([sys.argv[0], *rest], one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

"""File roles: production code, tests, examples and documentation, scripts.

Rules judge production code by default (``scope = "production"``); ``--scope all``
(or ``scope = "all"``) judges every file. A Python file's role comes from
conventional paths (``tests/``, ``test_*.py``, ``conftest.py``, ``examples/``,
``docs/``, ``scripts/``...) and from the ``test-paths``, ``example-paths``,
``script-paths`` and ``production-paths`` settings (gitignore-style patterns,
which win over the conventions).

A contract file (every other kind commlint reads: an OpenAPI or AsyncAPI
document, an Avro or JSON schema, a ``.proto``, a topic file, a Kubernetes or
messaging manifest) is a test when one of its directories is a test directory
(``tests/``, ``src/test/resources/``, ``testdata/``, ``fixtures/``, Maven's ``src/it/``...:
``TEST_DIRS``), as
JulieOps, Avro and oasdiff keep their fixtures; elsewhere it is production, the
contract. Documentation and example folders do not make it an example: an
OpenAPI document under ``docs/`` is still the contract (nor does ``scripts/``
make it a script). The same settings patterns apply to contract files, and win
over the convention as they do for Python.

The path a role is read from is the file's path below the folder named on the
command line (``commlint check examples/shop`` checks the shop as production
code), or its path from the root for a file named on its own (pre-commit passes
``tests/test_api.py``: a test, as in a whole-tree run).
"""

from __future__ import annotations

import functools
import re

PRODUCTION, TEST, EXAMPLE, SCRIPT = "production", "test", "example", "script"
ROLES = (PRODUCTION, TEST, EXAMPLE, SCRIPT)
ROLE_NAMES = {TEST: "test", EXAMPLE: "example/docs", SCRIPT: "script"}
PYTHON, CONTRACT = "python", "contract"  # file_role's kind: Python source, or any other artifact

TEST_DIRS = frozenset({"tests", "test", "testing", "__tests__", "unit_tests", "integration_tests",
                       "functional_tests", "e2e", "e2e_tests", "testdata", "test_data", "fixtures", "__fixtures__"})
TEST_SUBDIRS = ("src/it",)  # Maven's integration tests (src/it/): "it" alone names no test folder
EXAMPLE_DIRS = frozenset({"examples", "example", "docs", "doc", "docs_src", "samples", "sample",
                          "tutorial", "tutorials", "demos", "notebooks", "cookbook"})
SCRIPT_DIRS = frozenset({"scripts", "script", "bin", "benchmarks", "benchmark", "bench", "experiments", "experiment"})
TEST_FILE = re.compile(r"^(?:test_.*|.*_tests?|tests?|conftest|locustfile|.*_spec)\.py$")
EXAMPLE_FILE = re.compile(r"^(?:examples?|demo|samples?|tutorial|quickstart)(?:_.*)?\.py$")
SCRIPT_FILES = frozenset({"setup.py", "noxfile.py", "fabfile.py", "manage.py", "tasks.py", "dodo.py"})


def conventional_role(path: str, kind: str = PYTHON) -> str:
    """The role conventional names give a path (``a/tests/x.py`` -> "test"). ``kind``: the
    file's artifact kind; any but "python" is a contract file, a test under a test
    directory and production anywhere else (see the module docstring)."""
    parts = path.replace("\\", "/").strip("/").split("/")
    dirs, name = [p.lower() for p in parts[:-1]], parts[-1]
    joined = "/" + "/".join(dirs) + "/"
    if any(d in TEST_DIRS for d in dirs) or any(f"/{sub}/" in joined for sub in TEST_SUBDIRS):
        return TEST
    if kind != PYTHON:
        return PRODUCTION
    if TEST_FILE.match(name.lower()):
        return TEST
    if any(d in EXAMPLE_DIRS for d in dirs) or EXAMPLE_FILE.match(name.lower()):
        return EXAMPLE
    if any(d in SCRIPT_DIRS for d in dirs) or name in SCRIPT_FILES:
        return SCRIPT
    return PRODUCTION


@functools.lru_cache(maxsize=64)
def _spec(patterns: tuple[str, ...]):  # noqa: ANN202
    from .discovery import _spec as spec  # gitignore-style, as exclude reads them

    return spec(list(patterns))


def file_role(path: str, settings=None, kind: str = PYTHON) -> str:  # noqa: ANN001
    """The role of a file at ``path``: a Python file (``kind="python"``, the default) or a
    contract file (any other kind; see the module docstring). The settings' patterns win."""
    if settings is not None:
        for role, patterns in ((TEST, settings.test_paths), (EXAMPLE, settings.example_paths),
                               (SCRIPT, settings.script_paths), (PRODUCTION, settings.production_paths)):
            if patterns and _spec(tuple(patterns)).match_file(path):
                return role
    return conventional_role(path, kind)


def contract_role(path: str, settings=None) -> str:  # noqa: ANN001
    """The role of a contract file (OpenAPI, AsyncAPI, Avro, JSON Schema, proto, topics...)."""
    return file_role(path, settings, CONTRACT)


def judged(role: str, settings=None) -> bool:  # noqa: ANN001
    """Whether findings in a file of this role are reported under the run's ``scope``."""
    scope = getattr(settings, "scope", PRODUCTION) if settings is not None else PRODUCTION
    return scope == "all" or role == PRODUCTION

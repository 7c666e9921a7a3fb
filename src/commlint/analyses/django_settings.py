"""Django's settings: ``from django.conf import settings; settings.KAFKA_TOPIC`` reads the module
``DJANGO_SETTINGS_MODULE`` names. A project names it in ``manage.py`` (and ``wsgi.py``, ``asgi.py``,
a worker script): ``os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")``. The module
itself is looked at first (a worker script that names its own), then the ``manage.py`` of the
nearest folder above it in the tree. Read as text through the project index, never run.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..artifacts.python import PyModule
from .index import Definition, module_file, project_index

PREFIX = "django.conf.settings."
_NAMED = re.compile(rb"""DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([A-Za-z_][\w.]*)['"]""")


def setting(m: PyModule, qualname: str) -> Definition | None:
    """What ``django.conf.settings.NAME`` is defined as in the project's settings module (or None)."""
    if not qualname.startswith(PREFIX):
        return None
    index, here = project_index(m), module_file(m)
    if index is None or here is None:
        return None
    name = qualname[len(PREFIX):]
    for importer in _naming(index, here, m.index_deps):
        data = index.contents(importer) or b""
        found = _NAMED.search(data)
        if found is None:
            continue
        d = index.find(importer, f"{found.group(1).decode()}.{name}", m.index_deps)
        if d is not None:
            return d
    return None


def _naming(index, here: Path, deps: set[str]) -> list[Path]:  # noqa: ANN001 - ProjectIndex
    """The module itself, then the manage.py of each folder from its own up to the tree's root."""
    out = [here]
    root, folder = str(index.root), str(here.parent)
    while folder == root or folder.startswith(root + os.sep):
        manage = Path(folder, "manage.py")
        deps.add(str(manage))
        if manage.is_file():
            out.append(manage)
        if folder == root:
            break
        folder = os.path.dirname(folder)
    return out

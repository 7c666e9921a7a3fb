"""The service model: which service each file belongs to and which host names reach it.

A file belongs to a service by the ``services`` table of the configuration
(name -> folder, or name -> {path, hosts}); else by convention: the nearest
folder above it that holds a ``pyproject.toml``, ``requirements.txt``,
``setup.py``, ``Pipfile`` or ``Dockerfile``; else the first folder below the
common folder of all checked service code (a top-level folder per service).

A host reaches a service by the ``hosts`` table (name -> [host, ...]), by a
Kubernetes ``Service`` manifest in the tree (``name``, ``name.namespace``,
``name.namespace.svc``, ``name.namespace.svc.cluster.local``), or by the
``<service>.<namespace>.svc.cluster.local`` pattern and the folder name
(``inventory-service`` and ``inventory`` both reach folder ``inventory``).
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path
from typing import Any, Iterable

MARKERS = ("pyproject.toml", "requirements.txt", "setup.py", "setup.cfg", "Pipfile", "Dockerfile")
_SUFFIX = re.compile(r"[-_](service|svc|api|server|app)$")
_K8S_SERVICE = re.compile(r"(?m)^kind:\s*[\"']?Service[\"']?\s*$")


def base_name(name: str) -> str:
    return _SUFFIX.sub("", name.lower())


class ServiceMap:
    def __init__(self, root: Path, code_files: list[str], settings: Any, yaml_files: Iterable[str] = ()):
        self.root = Path(root)  # the files' paths are relative to it (the run's root)
        # a run without configuration on a tree outside (or below) the current folder: folders are
        # read relative to that tree, as if the run started there (Settings.tree)
        tree = getattr(settings, "tree", None)
        self.base, self._shift, self._top = self.root, "", ""
        if tree is not None and Path(tree).resolve() != self.root.resolve():
            self.base = Path(tree)
            self._top, self._here = str(Path(tree).resolve()), str(self.root.resolve())
            self._shift = os.path.relpath(self._top, self._here).replace(os.sep, "/")
        code_files = [self._local(rel) for rel in code_files]
        self.folders: dict[str, str] = {}  # folder (rel) -> service name
        self.hosts: dict[str, str] = {}  # host -> service name
        configured = getattr(settings, "services", {}) or {}
        for name, spec in configured.items():
            path = spec if isinstance(spec, str) else (spec or {}).get("path", name)
            self.folders[posixpath.normpath(str(path)).strip("/")] = name
            if isinstance(spec, dict):
                for h in spec.get("hosts", []):
                    self.hosts[str(h).lower()] = name
        for name, hosts in (getattr(settings, "hosts", {}) or {}).items():
            for h in [hosts] if isinstance(hosts, str) else hosts:
                self.hosts[str(h).lower()] = name
        if not configured:
            self._by_convention(code_files)
        self._kubernetes(yaml_files)

    # -- files -----------------------------------------------------------------
    def _by_convention(self, code_files: list[str]) -> None:
        marked: dict[str, bool] = {}

        def has_marker(folder: str) -> bool:
            if folder not in marked:
                d = self.base / folder
                marked[folder] = any((d / m).is_file() for m in MARKERS)
            return marked[folder]

        unmarked = []
        for rel in code_files:
            folder = posixpath.dirname(rel)
            found = None
            while folder and folder != "/":
                if has_marker(folder):
                    found = folder
                    break
                parent = posixpath.dirname(folder)
                if parent == folder:
                    break
                folder = parent
            if found:
                self.folders.setdefault(found, posixpath.basename(found))
            else:
                unmarked.append(rel)
        if unmarked:
            dirs = [posixpath.dirname(r) for r in unmarked]
            common = posixpath.commonpath(dirs) if all(dirs) else ""
            if len(set(dirs)) == 1 and common:
                common = posixpath.dirname(common)  # one folder: it is the service
            for rel in unmarked:
                rest = rel[len(common):].lstrip("/") if common else rel
                head = rest.split("/", 1)[0]
                if "/" in rest and head:
                    folder = posixpath.join(common, head) if common else head
                    self.folders.setdefault(folder, head)

    def _local(self, rel: str) -> str:
        """A path of the run as seen from the tree (``../../repo/svc/app.py`` -> ``svc/app.py``)."""
        if not self._shift:
            return rel
        full = os.path.normpath(os.path.join(self._here, rel))  # (an absolute rel stays itself)
        return full[len(self._top) + 1:].replace(os.sep, "/") if full.startswith(self._top + os.sep) else rel

    def service_of(self, rel: str) -> str | None:
        folder = posixpath.dirname(self._local(rel))
        while True:
            if folder in self.folders:
                return self.folders[folder]
            parent = posixpath.dirname(folder)
            if not folder or parent == folder:
                return None
            folder = parent

    def folder_of(self, service: str) -> str | None:
        """The service's folder, relative to the run's root as the files' paths are."""
        found = next((f for f, s in self.folders.items() if s == service), None)
        return posixpath.join(self._shift, found) if found is not None and self._shift else found

    @property
    def names(self) -> set[str]:
        return set(self.folders.values())

    # -- hosts ------------------------------------------------------------------
    def _kubernetes(self, yaml_files: Iterable[str]) -> None:
        from ..artifacts.yamljson import read_documents

        for rel, _text, docs in read_documents(self.root, yaml_files, _K8S_SERVICE):
            owner = self.service_of(rel)
            for doc in docs:
                d = doc.data
                if not isinstance(d, dict) or d.get("kind") != "Service":
                    continue
                meta = d.get("metadata") or {}
                name = str(meta.get("name", ""))
                ns = str(meta.get("namespace", "default"))
                service = owner or self._match_name(name)
                if not name or service is None:
                    continue
                for h in (name, f"{name}.{ns}", f"{name}.{ns}.svc", f"{name}.{ns}.svc.cluster.local"):
                    self.hosts.setdefault(h.lower(), service)

    def _match_name(self, name: str) -> str | None:
        want = base_name(name)
        for s in sorted(self.names):
            if base_name(s) == want:
                return s
        return None

    def service_for_host(self, host: str | None) -> str | None:
        if not host:
            return None
        h = host.lower().rstrip(".")
        if h in self.hosts:
            return self.hosts[h]
        if re.fullmatch(r"[\d.]+|\[?[0-9a-f:]+\]?", h):
            return None  # an IP address names no service
        return self._match_name(h.split(".", 1)[0])

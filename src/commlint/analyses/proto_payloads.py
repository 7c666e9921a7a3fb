"""The fields of a protobuf message a Python module builds and publishes: ``Products(...)`` from
``product_pb2``, sent as ``products.SerializeToString()``. The generated module says nothing a
reader can trust about its fields; the ``.proto`` file it is generated from does: protoc's
``--python_out`` convention puts ``product_pb2.py`` beside ``product.proto``, or the ``.proto`` sits
in a folder above the module that imports it (``protos/``, ``proto/``, or the folder itself).

The ``.proto`` is read with the grammar parser (``artifacts.proto.parse_grammar``, no imports
resolved) inside the tree only, and becomes a dependency of the module's result.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..artifacts.python import PyModule
from .index import module_file, project_index

PROTO_LIMIT = 1_000_000  # bytes of one .proto read at most
_FOLDERS = ("", "protos", "proto", "protobuf")


def message_fields(m: PyModule, qualname: str | None) -> list[str] | None:
    """Field names of the top-level message ``qualname`` names (``product_pb2.Products``), or None."""
    if not qualname or "." not in qualname:
        return None
    module, _, message = qualname.rpartition(".")
    stem = module.rsplit(".", 1)[-1]
    if not stem.endswith("_pb2") or not message:
        return None
    index, here = project_index(m), module_file(m)
    if index is None or here is None:
        return None
    for path in _candidates(index, here, module, stem[:-4] + ".proto"):
        m.index_deps.add(str(path))
        if not path.is_file():
            continue
        return _fields(index, path).get(message)
    return None


def _candidates(index, here: Path, module: str, name: str) -> list[Path]:  # noqa: ANN001 - ProjectIndex
    out = []
    found = index.module_file(here, module)
    if found is not None and not found[1]:
        out.append(found[0].parent / name)  # beside the generated module
    root = str(index.root)
    folder = str(here.parent)
    while folder == root or folder.startswith(root + os.sep):
        out.extend(Path(folder, sub, name) for sub in _FOLDERS)
        if folder == root:
            break
        folder = os.path.dirname(folder)
    return out


def _fields(index, path: Path) -> dict[str, list[str]]:  # noqa: ANN001 - ProjectIndex
    """Each top-level message of a .proto file with its field names (remembered per file and run)."""
    memo = index.__dict__.setdefault("_proto_fields", {})
    key = str(path)
    if key not in memo:
        from ..artifacts.proto import ProtoArtifact, parse_grammar
        from ..core import safeio

        try:
            text = safeio.read_file(path, PROTO_LIMIT, index.root).decode("utf-8", "replace")
        except (OSError, safeio.TooLarge):
            memo[key] = {}
            return memo[key]
        art = parse_grammar(ProtoArtifact(str(path), text), text)
        out: dict[str, list[str]] = {}
        for el in getattr(art.file, "file_elements", None) or ():
            if type(el).__name__ == "Message":
                out[el.name] = [f.name for f in el.elements if type(f).__name__ in ("Field", "MapField")] + \
                    [f.name for o in el.elements if type(o).__name__ == "OneOf" for f in o.elements
                     if type(f).__name__ == "Field"]
        memo[key] = out
    return memo[key]

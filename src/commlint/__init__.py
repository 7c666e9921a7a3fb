"""commlint: a conformance checker for the microservices communication standard.

The Python API::

    from commlint import check
    result = check(["services/"], select=["C1", "CL3"])
    for finding in result.active:
        print(finding.code, finding.location.path, finding.location.line, finding.message)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .core.version import __version__

if TYPE_CHECKING:
    from .engine import RunResult

__all__ = ["__version__", "check"]


def check(paths: Any = (".",), config: dict[str, Any] | None = None, *, root: Any = None, **options: Any) -> "RunResult":
    """Check ``paths`` and return the run's result (findings, files, rules).

    ``config`` is a ``[tool.commlint]`` table as a dict (when None, the nearest
    ``commlint.toml``/``pyproject.toml`` is used); keyword options are
    configuration keys with ``_`` for ``-`` (``select=["C1"]``). Raises
    ``commlint.core.config.ConfigError`` on a bad configuration.
    """
    from pathlib import Path

    from .api import check_paths
    from .core.catalogue import load
    from .core.config import load_settings

    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    from .core.config import KEYS, ConfigError, did_you_mean

    given = {k.replace("_", "-"): v for k, v in options.items()}
    unknown = sorted(k for k in options if k.replace("_", "-") not in KEYS)
    if unknown:  # named as the caller wrote them, not blamed on a configuration file
        hint = did_you_mean(unknown[0], [k.replace("-", "_") for k in KEYS]) if len(unknown) == 1 else ""
        raise ConfigError(f"commlint.check(): unknown argument(s) {', '.join(unknown)}{hint}")
    origins = {k: f"commlint.check({k.replace('-', '_')}=...)" for k in given}
    settings = load_settings(Path(paths[0]) if paths else Path("."), load(), data=config, overrides=given,
                             root=Path(root) if root is not None else None, origins=origins)
    return check_paths(paths, settings)

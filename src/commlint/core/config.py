"""Configuration: ``[tool.commlint]`` in ``pyproject.toml`` or a ``commlint.toml``.

Found by walking up from the first checked path; ``--config`` names a file.
Unknown keys, unknown rule codes and unknown rule options are errors (exit 2).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .catalogue import Catalogue
from .model import RuleMeta, Severity

DEFAULT_EXCLUDE = (
    ".git/", ".hg/", ".svn/", ".venv/", "venv/", ".tox/", ".nox/", "node_modules/", "__pycache__/",
    ".mypy_cache/", ".pytest_cache/", ".ruff_cache/", ".commlint_cache/", "site-packages/",
)

KEYS = {
    "select", "extend-select", "ignore", "per-file-ignores", "exclude", "extend-exclude",
    "severity", "fail-on", "rules", "strict", "max-file-size", "max-python-file-size",
    "base", "services", "hosts", "compatibility", "jobs", "cache-dir", "respect-gitignore",
    "file-timeout",
}


# Schema Registry's compatibility modes (``compatibility = {glob = mode}``)
COMPATIBILITY_MODES = (
    "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE",
)


class ConfigError(Exception):
    """A configuration or usage error: exit code 2 with this message."""


@dataclass
class Settings:
    root: Path
    config_path: Path | None = None
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    extend_exclude: list[str] = field(default_factory=list)
    severity: dict[str, Severity] = field(default_factory=dict)
    fail_on: Severity = Severity.WARNING
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    strict: bool = False
    max_file_size: int = 16 * 1024 * 1024
    max_python_file_size: int = 1024 * 1024
    base: str | None = None
    services: dict[str, Any] = field(default_factory=dict)
    hosts: dict[str, Any] = field(default_factory=dict)
    compatibility: dict[str, Any] = field(default_factory=dict)
    jobs: int | None = None
    cache_dir: str | None = None
    respect_gitignore: bool = True
    file_timeout: float = 20.0  # seconds one file's parse and rules may take (0: no limit)

    def options_for(self, rule: RuleMeta) -> dict[str, Any]:
        merged = dict(rule.options)
        merged.update(self.rule_options.get(rule.code, {}))
        return merged

    def fingerprint(self) -> dict[str, Any]:
        """Everything that can change a file's findings, for the result cache."""
        return {
            "rule_options": self.rule_options,
            "strict": self.strict,
            "max": [self.max_file_size, self.max_python_file_size],
            "base": self.base,
            "compatibility": self.compatibility,
        }


def find_config(start: Path) -> Path | None:
    """The nearest ``commlint.toml``, or ``pyproject.toml`` with a ``[tool.commlint]`` table."""
    start = start.resolve()
    if start.is_file():
        start = start.parent
    for d in (start, *start.parents):
        c = d / "commlint.toml"
        if c.is_file():
            return c
        p = d / "pyproject.toml"
        if p.is_file():
            try:
                with open(p, "rb") as fh:
                    if "commlint" in tomllib.load(fh).get("tool", {}):
                        return p
            except (OSError, tomllib.TOMLDecodeError):
                continue
    return None


def read_config(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("commlint", {})
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: [tool.commlint] must be a table")
    return data


_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$", re.I)


def parse_size(value: Any, key: str) -> int:
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, str):
        m = _SIZE_RE.match(value)
        if m:
            mult = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[(m.group(2) or "")[:1].lower()]
            return int(float(m.group(1)) * mult)
    raise ConfigError(f"{key}: expected a size such as 1048576 or \"2MiB\", got {value!r}")


def _str_list(value: Any, key: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{key}: expected a list of strings")
    return list(value)


def did_you_mean(word: str, choices: Any) -> str:
    """`` (did you mean X?)`` for the closest of ``choices``, or nothing."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.7)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown_keys(data: dict[str, Any], where: str) -> None:
    unknown = sorted(set(data) - KEYS)
    if not unknown:
        return
    hints = [did_you_mean(k, KEYS) for k in unknown]
    if "tool" in unknown and isinstance(data.get("tool"), dict) and "commlint" in data["tool"]:
        hint = (" ([tool.commlint] belongs in pyproject.toml; in commlint.toml write the settings at the"
                " top level, without the [tool.commlint] header)")
    elif len(unknown) == 1 and hints[0]:
        hint = hints[0]
    else:
        hint = "".join(f"; {k}{h}" for k, h in zip(unknown, hints) if h) or ""
        hint = f" ({hint[2:]})" if hint else ""
    raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}{hint} (known: {', '.join(sorted(KEYS))})")


def build_settings(data: dict[str, Any], root: Path, catalogue: Catalogue, config_path: Path | None = None,
                   origins: dict[str, str] | None = None) -> Settings:
    """``origins``: for keys that did not come from the file, where they came from
    (``--select``, ``check(select=...)``), so an error names what the user wrote."""
    where = str(config_path) if config_path else "configuration"
    origins = origins or {}
    unknown_keys({k: v for k, v in data.items() if k not in origins}, where)

    def named(key: str) -> str:
        return origins.get(key.split(".", 1)[0]) or f"{where}: {key}"

    s = Settings(root=root, config_path=config_path)
    if "select" in data:
        s.select = _str_list(data["select"], named("select"))
    s.extend_select = _str_list(data.get("extend-select", []), named("extend-select"))
    s.ignore = _str_list(data.get("ignore", []), named("ignore"))
    for key in ("select", "extend-select", "ignore"):
        for sel in _str_list(data.get(key, []), named(key)):
            try:
                resolve_selector(sel, catalogue)
            except ConfigError as exc:
                raise ConfigError(f"{named(key)}: {exc}") from None
    pfi = data.get("per-file-ignores", {})
    if not isinstance(pfi, dict):
        raise ConfigError(f"{named('per-file-ignores')}: expected a table of glob = [codes]")
    for glob, codes in pfi.items():
        s.per_file_ignores[glob] = _str_list(codes, f"per-file-ignores.{glob}")
        for sel in s.per_file_ignores[glob]:
            try:
                resolve_selector(sel, catalogue)
            except ConfigError as exc:
                raise ConfigError(f"{named('per-file-ignores')}.{glob}: {exc}") from None
    s.exclude = _str_list(data.get("exclude", []), "exclude")
    s.extend_exclude = _str_list(data.get("extend-exclude", []), "extend-exclude")
    sev = data.get("severity", {})
    if not isinstance(sev, dict):
        raise ConfigError("severity: expected a table of rule = level")
    for key, level in sev.items():
        try:
            level_v = Severity.parse(level)
        except ValueError as exc:
            raise ConfigError(f"severity.{key}: {exc}") from None
        for rule in resolve_selector(key, catalogue, include_off=True):
            s.severity[rule.code] = level_v
    if "fail-on" in data:
        try:
            s.fail_on = Severity.parse(data["fail-on"])
        except ValueError as exc:
            raise ConfigError(f"fail-on: {exc}") from None
    rules = data.get("rules", {})
    if not isinstance(rules, dict):
        raise ConfigError("rules: expected a table of rule = {options}")
    for key, opts in rules.items():
        rule = catalogue.get(key)
        if rule is None:
            names = [r.code for r in catalogue.rules] + [r.name for r in catalogue.rules]
            raise ConfigError(f"{named('rules')}.{key}: unknown rule{did_you_mean(key, names)}")
        if not isinstance(opts, dict):
            raise ConfigError(f"rules.{key}: expected a table of options")
        for opt, value in opts.items():
            if opt not in rule.options:
                known = ", ".join(sorted(rule.options)) or "none"
                raise ConfigError(f"{named('rules')}.{key}: unknown option {opt!r}{did_you_mean(opt, rule.options)}"
                                  f" (options of {rule.code}: {known})")
            default = rule.options[opt]
            if default is not None and not _same_type(default, value):
                raise ConfigError(
                    f"rules.{key}.{opt}: expected {type(default).__name__}, got {type(value).__name__}"
                )
        s.rule_options.setdefault(rule.code, {}).update(opts)
    if "strict" in data:
        s.strict = _bool(data["strict"], "strict")
    if "respect-gitignore" in data:
        s.respect_gitignore = _bool(data["respect-gitignore"], "respect-gitignore")
    if "max-file-size" in data:
        s.max_file_size = parse_size(data["max-file-size"], "max-file-size")
    if "max-python-file-size" in data:
        s.max_python_file_size = parse_size(data["max-python-file-size"], "max-python-file-size")
    if "base" in data:
        if not isinstance(data["base"], str):
            raise ConfigError("base: expected a git revision")
        s.base = data["base"]
    for key in ("services", "hosts", "compatibility"):
        if key in data:
            if not isinstance(data[key], dict):
                raise ConfigError(f"{key}: expected a table")
            setattr(s, key, dict(data[key]))
    for glob, mode in s.compatibility.items():
        if not isinstance(mode, str) or mode.upper() not in COMPATIBILITY_MODES:
            raise ConfigError(f"compatibility.{glob}: expected one of {', '.join(COMPATIBILITY_MODES)}, got {mode!r}")
    if "jobs" in data:
        if not isinstance(data["jobs"], int) or data["jobs"] < 1:
            raise ConfigError("jobs: expected a positive integer")
        s.jobs = data["jobs"]
    if "file-timeout" in data:
        value = data["file-timeout"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ConfigError("file-timeout: expected a number of seconds (0: no limit)")
        s.file_timeout = float(value)
    if "cache-dir" in data:
        s.cache_dir = str(data["cache-dir"])
    return s


def _bool(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{key}: expected true or false")
    return value


def _same_type(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


_PREFIX_RE = re.compile(r"^CL\d{0,2}$", re.I)
_ITEM_RE = re.compile(r"^C\d{1,2}$", re.I)


def resolve_selector(sel: str, catalogue: Catalogue, include_off: bool = False) -> list[RuleMeta]:
    """Rules a selector names: ``ALL``, a code, a readable name, a code prefix
    (``CL1``), a checklist item (``C1``) or a section of the standard (``topics``).

    An exact code or name selects a rule even when it is off by default; a
    group (prefix, item, section, ALL) selects only the rules that are on by
    default unless ``include_off``.
    """
    s = sel.strip()
    exact = catalogue.get(s)
    if exact is not None:
        return [exact]
    rules = catalogue.rules
    if s.upper() == "ALL":
        group = list(rules)
    elif _ITEM_RE.match(s):
        item = s.upper()
        if item not in {c.id for c in catalogue.checklist}:
            raise ConfigError(f"unknown checklist item {sel!r} (C1..C{len(catalogue.checklist)})")
        group = [r for r in rules if item in r.checklist]
    elif _PREFIX_RE.match(s):
        group = [r for r in rules if r.code.startswith(s.upper())]
    elif s.lower() in catalogue.sections:
        group = [r for r in rules if s.lower() in r.sections]
    else:
        group = []
    if not group:
        names = [r.code for r in rules] + [r.name for r in rules] + sorted(catalogue.sections) + ["ALL"]
        raise ConfigError(f"unknown rule selector {sel!r}: not a rule code, name, code prefix, checklist item or "
                          f"section{did_you_mean(s, names)}")
    if s.upper() == "ALL":
        return group  # ALL is every rule, as in ruff, the opt-in ones too
    return [r for r in group if include_off or r.default_enabled]


def enabled_rules(settings: Settings, catalogue: Catalogue) -> list[RuleMeta]:
    if settings.select is None:
        chosen = {r.code for r in catalogue.rules if r.default_enabled}
    else:
        chosen = {r.code for sel in settings.select for r in resolve_selector(sel, catalogue)}
    chosen |= {r.code for sel in settings.extend_select for r in resolve_selector(sel, catalogue)}
    chosen -= {r.code for sel in settings.ignore for r in resolve_selector(sel, catalogue, include_off=True)}
    return [r for r in catalogue.rules if r.code in chosen]


def load_settings(
    start: Path,
    catalogue: Catalogue,
    *,
    data: dict[str, Any] | None = None,
    config_file: Path | None = None,
    isolated: bool = False,
    overrides: dict[str, Any] | None = None,
    root: Path | None = None,
    origins: dict[str, str] | None = None,
) -> Settings:
    """The run's settings: the one way the CLI, the Python API and the engine resolve them.

    The table is ``data`` when given (read from ``config_file``, named in messages), else the
    configuration file (``config_file``, or the nearest ``commlint.toml`` / ``pyproject.toml``
    with ``[tool.commlint]`` above ``start``; none when ``isolated``); ``overrides``
    (command-line flags, API keywords) go on top.
    Paths in the settings are relative to ``root``, else the configuration's folder, else
    the current directory.
    """
    cfg_path = config_file
    if data is None:
        cfg_path = None if isolated else (config_file or find_config(start))
        data = read_config(cfg_path) if cfg_path else {}
    merged = {**data, **(overrides or {})}
    base = root if root is not None else (cfg_path.parent.resolve() if cfg_path else Path.cwd())
    return build_settings(merged, base, catalogue, cfg_path, origins)

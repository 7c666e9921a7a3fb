"""Configuration: ``[tool.commlint]`` in ``pyproject.toml`` or a ``commlint.toml``.

Found by walking up from the first checked path; ``--config`` names a file.
Unknown keys, unknown rule codes and unknown rule options are errors (exit 2).
"""

from __future__ import annotations

import os

import re
from .records import field, record
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
    "file-timeout", "scope", "test-paths", "example-paths", "script-paths", "production-paths",
    "internal-hosts", "external-hosts",
}
SCOPES = ("production", "all")


# Schema Registry's compatibility modes (``compatibility = {glob = mode}``)
COMPATIBILITY_MODES = (
    "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE",
)


class ConfigError(Exception):
    """A configuration or usage error: exit code 2 with this message."""


@record
class Settings:
    root: Path
    config_path: Path | None = None
    tree: Path | None = None  # the folder the project index reads (None: root); see default_root
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
    scope: str = "production"  # which files' findings are reported: production (code and contracts), or all
    test_paths: list[str] = field(default_factory=list)  # gitignore-style patterns of test files (Python and contracts)
    example_paths: list[str] = field(default_factory=list)  # ... of examples and documentation
    script_paths: list[str] = field(default_factory=list)  # ... of scripts
    production_paths: list[str] = field(default_factory=list)  # ... that are production whatever their names
    internal_hosts: list[str] = field(default_factory=list)  # host globs of this system's services
    external_hosts: list[str] = field(default_factory=list)  # host globs of third-party APIs

    def options_for(self, rule: RuleMeta) -> dict[str, Any]:
        merged = dict(rule.options)
        merged.update(self.rule_options.get(rule.code, {}))
        return merged

CONFIG_LIMIT = 4 * 1024 * 1024  # a configuration file larger than this is an error
_OURS = re.compile(rb"(?m)^[ \t]*\[+[ \t]*tool[ \t]*\.[ \t]*[\"']?commlint\b|\bcommlint[ \t]*[.=]|^[ \t]*\[[ \t]*tool[ \t]*\][^\[]*commlint")


def _load_toml(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """(the document, None) or (None, why it cannot be used)."""
    from . import safeio

    try:
        data = safeio.read_file(path, CONFIG_LIMIT)
    except safeio.TooLarge:
        return None, f"larger than {CONFIG_LIMIT // (1024 * 1024)} MiB"
    except OSError as exc:
        return None, f"cannot read: {exc.strerror or exc}"
    import tomllib  # here: a run with no configuration file need not import it (10 ms)

    try:
        return tomllib.loads(data.decode("utf-8")), None
    except UnicodeDecodeError as exc:
        return None, f"not valid UTF-8 (byte {exc.start})"
    except tomllib.TOMLDecodeError as exc:
        return None, f"not valid TOML: {exc}"
    except (RecursionError, MemoryError):
        return None, "not valid TOML: too deeply nested"


def find_config(start: Path) -> Path | None:
    """The nearest ``commlint.toml``, or ``pyproject.toml`` with a ``[tool.commlint]`` table.

    A ``pyproject.toml`` that cannot be read as TOML is skipped when it does not mention
    commlint (an unrelated project above the checked one), and is a configuration error
    when it does: running with the defaults instead would give other results, silently.
    """
    from . import safeio

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
                if b"commlint" not in safeio.read_file(p, CONFIG_LIMIT, truncate=True):
                    continue  # no table of ours can be in it: not parsed
            except OSError:
                continue
            doc, problem = _load_toml(p)
            if doc is not None:
                tool = doc.get("tool", {})
                if isinstance(tool, dict) and "commlint" in tool:
                    return p
                continue
            try:
                head = safeio.read_file(p, CONFIG_LIMIT, truncate=True)
            except OSError:
                continue
            if _OURS.search(head):
                raise ConfigError(f"{p}: {problem}; it holds commlint's configuration ([tool.commlint])")
    return None


def read_config(path: Path) -> dict[str, Any]:
    doc, problem = _load_toml(path)
    if doc is None:
        raise ConfigError(f"{path}: {problem}")
    data: Any = doc
    if path.name == "pyproject.toml":
        tool = doc.get("tool", {})
        data = tool.get("commlint", {}) if isinstance(tool, dict) else {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: [tool.commlint] must be a table")
    return data


_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$", re.I)


MAX_SIZE = 1024**4  # 1 TiB: a size limit above this is a mistake (and overflows a read)


def parse_size(value: Any, key: str) -> int:
    n: int | None = None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        n = value
    elif isinstance(value, str):
        m = _SIZE_RE.match(value)
        if m:
            mult = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[(m.group(2) or "")[:1].lower()]
            try:
                n = int(float(m.group(1)) * mult)
            except (OverflowError, ValueError):
                n = MAX_SIZE + 1
            if n < 1:
                n = None
    if n is None:
        raise ConfigError(f"{key}: expected a size such as 1048576 or \"2MiB\", got {value!r}")
    if n > MAX_SIZE:
        raise ConfigError(f"{key}: {value!r} is more than 1TiB")
    return n


def _number(value: Any, key: str, *, minimum: float = 0.0, maximum: float = 1e9, strict_min: bool = False) -> float:
    """A finite number in range (TOML accepts nan and inf)."""
    import math

    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value < minimum or (strict_min and value == minimum) or value > maximum:
        low = f"more than {minimum:g}" if strict_min else f"at least {minimum:g}"
        raise ConfigError(f"{key}: expected a finite number, {low} and at most {maximum:g}, got {value!r}")
    return value


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
                    f"{where}: rules.{key}.{opt}: expected {type(default).__name__}, got {type(value).__name__}"
                )
            _check_option(f"{where}: rules.{key}.{opt}", opt, default, value)
        s.rule_options.setdefault(rule.code, {}).update(opts)
    if "strict" in data:
        s.strict = _bool(data["strict"], "strict")
    if "respect-gitignore" in data:
        s.respect_gitignore = _bool(data["respect-gitignore"], "respect-gitignore")
    if "max-file-size" in data:
        s.max_file_size = parse_size(data["max-file-size"], f"{where}: max-file-size")
    if "max-python-file-size" in data:
        s.max_python_file_size = parse_size(data["max-python-file-size"], f"{where}: max-python-file-size")
    if "base" in data:
        if not isinstance(data["base"], str) or not data["base"].strip():
            # an empty revision (an unset CI variable) would turn the comparisons off, silently
            raise ConfigError(f"{where}: base: expected a git revision or a folder, got {data['base']!r}")
        s.base = data["base"]
    for key in ("services", "hosts", "compatibility"):
        if key in data:
            if not isinstance(data[key], dict):
                raise ConfigError(f"{where}: {key}: expected a table")
            setattr(s, key, dict(data[key]))
    for name, spec in s.services.items():
        if isinstance(spec, dict):
            extra = sorted(set(spec) - {"path", "hosts"})
            if extra or not isinstance(spec.get("path", ""), str):
                raise ConfigError(f"{where}: services.{name}: expected a folder or a table with path and hosts")
            _str_list(spec.get("hosts", []), f"{where}: services.{name}.hosts")
        elif not isinstance(spec, str):
            raise ConfigError(f"{where}: services.{name}: expected a folder (string) or a table {{path, hosts}}, "
                              f"got {spec!r}")
    for name, hosts in s.hosts.items():
        _str_list(hosts, f"{where}: hosts.{name}")
    for glob, mode in s.compatibility.items():
        if not isinstance(mode, str) or mode.upper() not in COMPATIBILITY_MODES:
            raise ConfigError(f"compatibility.{glob}: expected one of {', '.join(COMPATIBILITY_MODES)}, got {mode!r}")
    if "jobs" in data:
        if not isinstance(data["jobs"], int) or data["jobs"] < 1:
            raise ConfigError("jobs: expected a positive integer")
        s.jobs = data["jobs"]
    if "file-timeout" in data:
        value = data["file-timeout"]
        try:
            s.file_timeout = float(_number(value, "file-timeout", maximum=86400))
        except ConfigError:
            raise ConfigError(f"{where}: file-timeout: expected a number of seconds up to 86400 "
                              f"(0: no limit), got {value!r}") from None
    if "scope" in data:
        if data["scope"] not in SCOPES:
            raise ConfigError(f"{where}: scope: expected one of {', '.join(SCOPES)}, got {data['scope']!r}")
        s.scope = data["scope"]
    for key in ("test-paths", "example-paths", "script-paths", "production-paths", "internal-hosts", "external-hosts"):
        if key in data:
            setattr(s, key.replace("-", "_"), _str_list(data[key], f"{where}: {key}"))
    if "cache-dir" in data:
        if not isinstance(data["cache-dir"], str) or not data["cache-dir"].strip():
            raise ConfigError(f"{where}: cache-dir: expected a folder, got {data['cache-dir']!r}")
        s.cache_dir = data["cache-dir"]
    return s


def _check_option(key: str, opt: str, default: Any, value: Any) -> None:
    """Values a rule would fail on, or write into code: non-finite or negative numbers,
    lists of the wrong type, regular expressions that do not compile."""
    import math

    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{key}: expected a finite number, got {value!r}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(default, int) and not isinstance(default, bool) and not isinstance(value, int):
            raise ConfigError(f"{key}: expected a whole number, got {value!r}")
        if value < 0 or (isinstance(default, float) and value == 0 and "timeout" in opt):
            raise ConfigError(f"{key}: expected a positive number, got {value!r}")
        if value > 1e9:
            raise ConfigError(f"{key}: {value!r} is out of range")
    if isinstance(default, list) and isinstance(value, list):
        kinds = {type(v) for v in default}
        if kinds and not all(type(v) in kinds for v in value):
            raise ConfigError(f"{key}: expected a list of {'/'.join(sorted(k.__name__ for k in kinds))}")
    if isinstance(default, dict) and isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(v, (str, list)) or (isinstance(v, list) and not all(isinstance(x, str) for x in v)):
                raise ConfigError(f"{key}.{k}: expected a string or a list of strings")
    if isinstance(value, str) and (opt == "pattern" or opt.endswith("-pattern")):
        try:
            re.compile(value)
        except (re.error, RecursionError, OverflowError) as exc:
            raise ConfigError(f"{key}: not a valid regular expression: {exc}") from None


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


def default_root(paths: list[Path]) -> Path:
    """The tree a run without configuration reads across files (``Settings.tree``): the current
    folder when it is the path given (``commlint check .``) or a git work tree holding every path
    given (``commlint check services/`` at the top of a repository, pre-commit's files), else the
    folder the paths share (``commlint check /src/shop`` from elsewhere, or from ``/src``). The
    project index and the service model read the tree from there, so the findings do not depend on
    where the command is run, and nothing outside the paths is read."""
    cwd = Path.cwd()
    given = [p.resolve() for p in paths] or [cwd]
    if all(g == cwd for g in given) or (
            (cwd / ".git").exists() and all(cwd in g.parents or g == cwd for g in given)):
        return cwd
    folders = [g if g.is_dir() else g.parent for g in given]
    return Path(os.path.commonpath([str(f) for f in folders]))


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
    tree: Path | None = None,
) -> Settings:
    """The run's settings: the one way the CLI, the Python API and the engine resolve them.

    The table is ``data`` when given (read from ``config_file``, named in messages), else the
    configuration file (``config_file``, or the nearest ``commlint.toml`` / ``pyproject.toml``
    with ``[tool.commlint]`` above ``start``; none when ``isolated``); ``overrides``
    (command-line flags, API keywords) go on top.
    Paths in the settings are relative to ``root``, else the configuration's folder, else
    the current directory. Without configuration, the project index reads ``tree``, else the
    folder the paths given share (``default_root``).
    """
    cfg_path = config_file
    if data is None:
        cfg_path = None if isolated else (config_file or find_config(start))
        data = read_config(cfg_path) if cfg_path else {}
    merged = {**data, **(overrides or {})}
    base = root if root is not None else (cfg_path.parent.resolve() if cfg_path else Path.cwd())
    s = build_settings(merged, base, catalogue, cfg_path, origins)
    s.tree = tree if tree is not None else (None if cfg_path else default_root([start]))
    return s

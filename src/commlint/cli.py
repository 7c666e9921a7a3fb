"""The command line: ``commlint check | rules | explain``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Optional

from .core.version import __version__

# argparse, not typer: typer builds a pydantic TypeAdapter for every option on
# every run, and importing pydantic alone costs 0.1 s, a fifth of the budget for
# checking one changed file in a pre-commit hook.

FORMATS = ("text", "json", "sarif", "github", "checklist", "markdown")
RULES_FORMATS = ("text", "md", "json")


class Exit(Exception):
    def __init__(self, code: int = 0):
        super().__init__(code)
        self.code = code


def _echo(text: str, err: bool = False, nl: bool = True) -> None:
    _write(sys.stderr if err else sys.stdout, text + ("\n" if nl else ""))


def _write(stream, text: str) -> None:  # noqa: ANN001
    """Write to stdout or stderr whatever their encoding (a lone surrogate or a character
    the encoding lacks is escaped) and whatever happens to them: a closed pipe or a full
    device ends the run with exit 2 and one line on stderr, never a traceback."""
    try:
        try:
            stream.write(text)
        except UnicodeEncodeError:
            enc = getattr(stream, "encoding", None) or "utf-8"
            stream.write(text.encode(enc, "backslashreplace").decode(enc, "replace"))
        stream.flush()
    except (OSError, ValueError) as exc:
        _stream_failed(stream, exc)


def _stream_failed(stream, exc: BaseException) -> None:  # noqa: ANN001
    try:  # the interpreter flushes at exit too: make that flush harmless
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    if stream is not sys.stderr:
        reason = getattr(exc, "strerror", None) or exc
        try:
            sys.stderr.write(f"commlint: error: cannot write the report to standard output: {reason}\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
    raise Exit(2)


def _write_bytes(data: bytes) -> None:
    """A patch goes out as bytes (UTF-8), whatever the locale says stdout's encoding is."""
    out = getattr(sys.stdout, "buffer", None)
    if out is None:
        _write(sys.stdout, data.decode("utf-8"))
        return
    try:
        sys.stdout.flush()
        out.write(data)
        out.flush()
    except (OSError, ValueError) as exc:
        _stream_failed(sys.stdout, exc)


def _split(values: Optional[list[str]]) -> Optional[list[str]]:
    if values is None:
        return None
    return [v.strip() for raw in values for v in raw.split(",") if v.strip()]


def _fail(message: str) -> None:
    _echo(f"commlint: error: {message}", err=True)
    raise Exit(2)


def _color(output: Optional[Path]) -> bool:
    if output is not None or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def check(
    paths: Optional[list[Path]] = None,
    format: str = "text",
    output: Optional[Path] = None,
    select: Optional[list[str]] = None,
    extend_select: Optional[list[str]] = None,
    ignore: Optional[list[str]] = None,
    config: Optional[Path] = None,
    isolated: bool = False,
    exit_zero: bool = False,
    fail_on: Optional[str] = None,
    quiet: bool = False,
    statistics: bool = False,
    checklist: bool = False,
    fix: bool = False,
    diff: bool = False,
    strict: bool = False,
    base: Optional[str] = None,
    jobs: Optional[int] = None,
    no_cache: bool = False,
    cache_dir: Optional[str] = None,
    diff_base: Optional[str] = None,
    no_prefilter: bool = False,
) -> None:
    """Check files and directories; exit 1 when there are findings, 2 on a usage or configuration error."""
    from .core.catalogue import load
    from .core.config import ConfigError, find_config, load_settings, read_config

    try:
        cat = load()
        targets = list(paths) if paths else [Path(".")]
        for t in targets:
            if not os.path.lexists(t):
                _fail(f"{t}: no such file or directory")
        cfg_path = None if isolated else (config or find_config(targets[0]))
        if config is not None and not config.is_file():
            _fail(f"{config}: configuration file not found")
        data = read_config(cfg_path) if cfg_path else {}
        if select is not None:
            data["select"] = _split(select)
        if extend_select:
            data["extend-select"] = list(data.get("extend-select", [])) + (_split(extend_select) or [])
        if ignore:
            data["ignore"] = list(data.get("ignore", [])) + (_split(ignore) or [])
        if fail_on is not None:
            data["fail-on"] = fail_on
        if strict:
            data["strict"] = True
        if base is not None:
            if not base.strip():
                _fail("--base: empty revision (an unset variable?); give a git revision or a folder")
            data["base"] = base
        if cache_dir is not None and not str(cache_dir).strip():
            _fail("--cache-dir: empty path (an unset variable?)")
        if diff_base is not None and not diff_base.strip():
            _fail("--diff-base: empty revision (an unset variable?)")
        if jobs is not None:
            data["jobs"] = jobs
        root = cfg_path.parent.resolve() if cfg_path else Path.cwd()
        settings = load_settings(targets[0], cat, data=data, config_file=cfg_path, root=root)
        if settings.base is not None and not Path(settings.base).is_dir():
            from .core.gitutil import toplevel, verify_ref

            top = toplevel(root)
            if top is None:
                _fail(f"--base {settings.base}: not a directory, and {root} is not in a git repository")
            verify_ref(settings.base, top)  # an unknown revision is a usage error, said once
        if diff_base is not None:
            from .core.gitutil import changed_files

            targets = changed_files(diff_base, targets, root)
            if not targets:
                targets = []
        directory = None
        if not no_cache and settings.base is None:  # results against a git base depend on more than the files
            from .runner import check_cache_dir, default_cache_dir

            directory = Path(cache_dir) if cache_dir else (root / settings.cache_dir if settings.cache_dir else default_cache_dir(root))
            directory = check_cache_dir(directory, targets)
        progress = _progress_bar() if (format == "text" and sys.stderr.isatty() and not os.environ.get("CI")) else None
        from .api import check_paths

        if diff_base is not None and not targets:
            from .engine import RunResult, enabled_rules

            result = RunResult([], [], enabled_rules(settings, cat), settings, ["no changed files to check"])
        else:
            result = check_paths(targets, settings, fix=fix and not diff, jobs=settings.jobs, cache_dir=directory,
                                 prefilter=not no_prefilter, progress=progress.update if progress else None)
        if progress:
            progress.close()
    except ConfigError as exc:
        _fail(str(exc))
        return
    except Exit:
        raise
    except KeyboardInterrupt:
        _echo("commlint: interrupted", err=True)
        raise Exit(130) from None
    except Exception as exc:  # noqa: BLE001 - a user never sees a traceback
        _fail(f"internal error: {type(exc).__name__}: {exc} (please report this)")
        return

    if diff:
        from .fixes import preview
        from .report import one_line

        refused: list[str] = []
        _write_bytes(preview(result, refused).encode("utf-8"))
        for msg in refused:
            _echo(f"commlint: {one_line(msg)}", err=True)
        raise Exit(0)
    from .report import render

    try:
        text = render(format, result, color=_color(output), statistics=statistics, checklist=checklist, quiet=quiet)
    except Exception as exc:  # noqa: BLE001 - a user never sees a traceback, and exit 1 means findings
        _fail(f"internal error while writing the {format} report: {type(exc).__name__}: {exc} (please report this)")
        return
    if output is not None:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_bytes(text.encode("utf-8", "backslashreplace"))  # a lone surrogate cannot stop a report
        except OSError as exc:
            _fail(f"cannot write {output}: {exc.strerror or exc}")
    else:
        _write(sys.stdout, text)
    raise Exit(0 if exit_zero or not result.failed() else 1)


class _progress_bar:  # noqa: N801
    """A rich progress bar on stderr, shown only for runs that take a while."""

    def __init__(self) -> None:
        import time

        self.start = time.monotonic()
        self.bar = None

    def update(self, done: int, total: int) -> None:
        import time

        if self.bar is None:
            if time.monotonic() - self.start < 1.0 or done >= total:
                return
            from rich.progress import Progress

            self.bar = Progress(transient=True)
            self.bar.start()
            self.task = self.bar.add_task("checking", total=total)
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def rules(format: str = "text") -> None:
    """List every rule: code, name, kind, severity and checklist items."""
    from .core.catalogue import load

    cat = load()
    if format == "md":
        from .docs import rules_table_markdown

        _echo(rules_table_markdown(cat), nl=False)
    elif format == "json":
        import json

        from .docs import rules_json

        _echo(json.dumps(rules_json(cat), indent=2))
    else:
        for r in cat.rules:
            items = ",".join(r.checklist + r.sections)
            flag = "" if r.default_enabled else " (opt-in)"
            _echo(f"{r.code}  {r.name:<34} {r.kind:<8} {r.severity.label:<8} {items:<16} {r.summary}{flag}")


def explain(rule: str) -> None:
    """Print one rule's documentation and examples."""
    from .core.catalogue import load
    from .docs import rule_markdown

    cat = load()
    meta = cat.get(rule)
    if meta is None:
        _fail(f"unknown rule {rule!r}; `commlint rules` lists them")
        return
    _echo(rule_markdown(meta, cat), nl=False)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="commlint",
        description="Check a repository of services against the microservices communication standard.",
    )
    parser.add_argument("--version", action="version", version=f"commlint {__version__}", help="Show the version and exit.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    c = sub.add_parser("check", help="Check files and directories.", description=(check.__doc__ or "").strip())
    c.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="Files or directories (default: .)")
    c.add_argument("--format", "-f", choices=FORMATS, default="text", metavar="FORMAT", help=f"Output format: {', '.join(FORMATS)} (default: text).")
    c.add_argument("--output", "-o", type=Path, metavar="FILE", help="Write the report to this file.")
    c.add_argument("--select", action="append", metavar="RULES", help="Rules to run: codes, names, prefixes (CL1), checklist items (C1), sections, ALL.")
    c.add_argument("--extend-select", action="append", metavar="RULES", help="Rules to add to the selection.")
    c.add_argument("--ignore", action="append", metavar="RULES", help="Rules to leave out (same selectors as --select).")
    c.add_argument("--config", type=Path, metavar="FILE", help="A commlint.toml or pyproject.toml to use instead of the nearest one.")
    flag = argparse.BooleanOptionalAction
    c.add_argument("--isolated", action=flag, default=False, help="Ignore every configuration file.")
    c.add_argument("--exit-zero", action="store_true", help="Exit 0 even when there are findings.")
    c.add_argument("--fail-on", metavar="SEVERITY", help="Lowest severity that fails the run: note, warning (default) or error.")
    c.add_argument("--quiet", "-q", action="store_true", help="Text format: only the summary.")
    c.add_argument("--statistics", action=flag, default=False, help="Text format: counts per rule.")
    c.add_argument("--checklist", action=flag, default=False, help="Text format: add the checklist scorecard.")
    c.add_argument("--fix", action=flag, default=False, help="Apply safe fixes to the files.")
    c.add_argument("--diff", action=flag, default=False, help="Print the fixes as a unified diff instead of writing them.")
    c.add_argument("--strict", action=flag, default=False, help="Also report values that cannot be known statically, as notes.")
    c.add_argument("--base", metavar="REV", help="Git revision to compare contracts and schemas against (breaking changes).")
    c.add_argument("--jobs", "-j", type=_positive, metavar="N", help="Worker processes (default: all cores).")
    c.add_argument("--no-cache", action="store_true", help="Do not read or write the result cache.")
    c.add_argument("--cache-dir", metavar="DIR", help="Where the result cache lives (default: .commlint_cache/).")
    c.add_argument("--diff-base", metavar="REV", help="Check only the files changed since this git revision.")
    c.add_argument("--no-prefilter", action="store_true", help=argparse.SUPPRESS)

    r = sub.add_parser("rules", help="List every rule.", description=(rules.__doc__ or "").strip())
    r.add_argument("--format", "-f", choices=RULES_FORMATS, default="text", help="text, md (the README table) or json.")

    e = sub.add_parser("explain", help="Print one rule's documentation and examples.", description=(explain.__doc__ or "").strip())
    e.add_argument("rule", help="A rule code or name, e.g. CL101 or missing-timeout.")
    return parser


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return n


COMMANDS: dict[str, Any] = {"check": check, "rules": rules, "explain": explain}


def main(argv: Optional[list[str]] = None) -> None:
    parser = _parser()
    args = vars(parser.parse_args(argv))
    command = args.pop("command")
    if command is None:
        parser.print_help(sys.stderr)
        raise SystemExit(2)
    try:
        COMMANDS[command](**args)
    except Exit as done:
        raise SystemExit(done.code) from None
    raise SystemExit(0)

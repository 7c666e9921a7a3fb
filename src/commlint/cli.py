"""The command line: ``commlint check | rules | explain``."""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__

app = typer.Typer(
    name="commlint",
    help="Check a repository of services against the microservices communication standard.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Format(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"
    checklist = "checklist"
    markdown = "markdown"


class RulesFormat(str, Enum):
    text = "text"
    md = "md"
    json = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"commlint {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = None,
) -> None:
    """commlint: conformance checks for service code, API contracts, event schemas and topics."""


def _split(values: Optional[list[str]]) -> Optional[list[str]]:
    if values is None:
        return None
    return [v.strip() for raw in values for v in raw.split(",") if v.strip()]


def _fail(message: str) -> None:
    typer.echo(f"commlint: error: {message}", err=True)
    raise typer.Exit(2)


def _color(output: Optional[Path]) -> bool:
    if output is not None or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


@app.command()
def check(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or directories (default: .)")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report to this file.")] = None,
    select: Annotated[Optional[list[str]], typer.Option(help="Rules to run: codes, names, prefixes (CL1), checklist items (C1), sections, ALL.")] = None,
    extend_select: Annotated[Optional[list[str]], typer.Option(help="Rules to add to the selection.")] = None,
    ignore: Annotated[Optional[list[str]], typer.Option(help="Rules to leave out (same selectors as --select).")] = None,
    config: Annotated[Optional[Path], typer.Option(help="A commlint.toml or pyproject.toml to use instead of the nearest one.")] = None,
    isolated: Annotated[bool, typer.Option(help="Ignore every configuration file.")] = False,
    exit_zero: Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even when there are findings.")] = False,
    fail_on: Annotated[Optional[str], typer.Option(help="Lowest severity that fails the run: note, warning (default) or error.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Text format: only the summary.")] = False,
    statistics: Annotated[bool, typer.Option(help="Text format: counts per rule.")] = False,
    checklist: Annotated[bool, typer.Option(help="Text format: add the checklist scorecard.")] = False,
    fix: Annotated[bool, typer.Option(help="Apply safe fixes to the files.")] = False,
    diff: Annotated[bool, typer.Option(help="Print the fixes as a unified diff instead of writing them.")] = False,
    strict: Annotated[bool, typer.Option(help="Also report values that cannot be known statically, as notes.")] = False,
    base: Annotated[Optional[str], typer.Option(help="Git revision to compare contracts and schemas against (breaking changes).")] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", help="Worker processes (default: all cores).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the result cache.")] = False,
    cache_dir: Annotated[Optional[Path], typer.Option(help="Where the result cache lives (default: .commlint_cache/).")] = None,
    diff_base: Annotated[Optional[str], typer.Option(help="Check only the files changed since this git revision.")] = None,
    no_prefilter: Annotated[bool, typer.Option("--no-prefilter", hidden=True)] = False,
) -> None:
    """Check files and directories; exit 1 when there are findings, 2 on a usage or configuration error."""
    from .catalogue import load
    from .config import ConfigError, build_settings, find_config, read_config

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
            data["base"] = base
        if jobs is not None:
            data["jobs"] = jobs
        root = cfg_path.parent.resolve() if cfg_path else Path.cwd()
        settings = build_settings(data, root, cat, cfg_path)
        if diff_base is not None:
            from .gitutil import changed_files

            targets = changed_files(diff_base, targets, root)
            if not targets:
                targets = []
        directory = None
        if not no_cache and settings.base is None:  # results against a git base depend on more than the files
            from .runner import default_cache_dir

            directory = cache_dir or (root / settings.cache_dir if settings.cache_dir else default_cache_dir(root))
            _prepare_cache_dir(directory)
        progress = _progress_bar() if (format == Format.text and sys.stderr.isatty() and not os.environ.get("CI")) else None
        from .engine import check_paths

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
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        typer.echo("commlint: interrupted", err=True)
        raise typer.Exit(130) from None
    except Exception as exc:  # noqa: BLE001 - a user never sees a traceback
        _fail(f"internal error: {type(exc).__name__}: {exc} (please report this)")
        return

    if diff:
        from .fixes import preview

        typer.echo(preview(result), nl=False)
        raise typer.Exit(0)
    from .report import render

    text = render(format.value, result, color=_color(output), statistics=statistics, checklist=checklist, quiet=quiet)
    if output is not None:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            _fail(f"cannot write {output}: {exc.strerror or exc}")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    raise typer.Exit(0 if exit_zero or not result.failed() else 1)


def _prepare_cache_dir(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        gi = directory / ".gitignore"
        if not gi.exists():
            gi.write_text("# created by commlint\n*\n", encoding="utf-8")
    except OSError:
        pass


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


@app.command()
def rules(
    format: Annotated[RulesFormat, typer.Option("--format", "-f", help="text, md (the README table) or json.")] = RulesFormat.text,
) -> None:
    """List every rule: code, name, kind, severity and checklist items."""
    from .catalogue import load

    cat = load()
    if format == RulesFormat.md:
        from .docs import rules_table_markdown

        typer.echo(rules_table_markdown(cat), nl=False)
    elif format == RulesFormat.json:
        import json

        from .docs import rules_json

        typer.echo(json.dumps(rules_json(cat), indent=2))
    else:
        for r in cat.rules:
            items = ",".join(r.checklist + r.sections)
            flag = "" if r.default_enabled else " (opt-in)"
            typer.echo(f"{r.code}  {r.name:<34} {r.kind:<8} {r.severity.label:<8} {items:<16} {r.summary}{flag}")


@app.command()
def explain(rule: Annotated[str, typer.Argument(help="A rule code or name, e.g. CL101 or missing-timeout.")]) -> None:
    """Print one rule's documentation and examples."""
    from .catalogue import load
    from .docs import rule_markdown

    cat = load()
    meta = cat.get(rule)
    if meta is None:
        _fail(f"unknown rule {rule!r}; `commlint rules` lists them")
        return
    typer.echo(rule_markdown(meta, cat), nl=False)


def main() -> None:
    app()

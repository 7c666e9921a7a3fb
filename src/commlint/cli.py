"""The command line: ``commlint check | rules | explain | graph``."""

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

FORMATS = ("full", "concise", "json", "sarif", "github", "checklist", "markdown")  # report/__init__.py's
ALIASES = {"text": "full", "md": "markdown"}
CHOICES = FORMATS + tuple(ALIASES)
RULES_FORMATS = ("text", "md", "markdown", "json")
COLOR = ("auto", "always", "never")


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


def _warn(message: str) -> None:
    _echo(f"commlint: warning: {message}", err=True)


def _color(output: Optional[Path], mode: str = "auto") -> bool:
    """``--color``: always/never; auto honours NO_COLOR, then FORCE_COLOR, then whether stdout is a terminal."""
    if output is not None or mode == "never":
        return False
    if mode == "always":
        return True
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def _outputs(values: Optional[list[str]], fmt: str) -> tuple[list[tuple[str, Path]], bool]:
    """``-o FILE`` (the --format report to FILE instead of the terminal) and
    ``-o FORMAT:FILE`` (another report beside it), repeatable. Returns the files and
    whether the terminal still gets the --format report."""
    out: list[tuple[str, Path]] = []
    terminal = True
    for v in values or []:
        head, sep, tail = v.partition(":")
        if sep and head in CHOICES and tail:
            out.append((ALIASES.get(head, head), Path(tail)))
        else:
            out.append((fmt, Path(v)))
            terminal = False
    return out, terminal


def check(
    paths: Optional[list[Path]] = None,
    format: str = "full",
    output: Optional[list[str]] = None,
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
    color: str = "auto",
    stdin_filename: Optional[str] = None,
    baseline: Optional[Path] = None,
    write_baseline: Optional[Path] = None,
    add_suppressions: bool = False,
    scope: Optional[str] = None,
) -> None:
    """Check files and directories; exit 1 when there are findings, 2 on a usage or configuration error."""
    from .core.catalogue import load
    from .core.config import ConfigError, default_root, find_config, load_settings, read_config

    if isinstance(output, (str, Path)):
        output = [str(output)]
    format = ALIASES.get(format, format)
    outputs, to_terminal = _outputs(output, format)
    stdin = paths is not None and [str(p) for p in paths] == ["-"]
    if paths and not stdin and any(str(p) == "-" for p in paths):
        _fail("`-` (standard input) cannot be combined with other paths")
    try:
        cat = load()
        if stdin:
            targets = [Path(stdin_filename)] if stdin_filename else [Path("stdin.py")]
        else:
            targets = list(paths) if paths else [Path(".")]
            for t in targets:
                if not os.path.lexists(t):
                    _fail(f"{t}: no such file or directory")
        cfg_path = None if isolated else (config or find_config(targets[0]))
        if config is not None and not config.is_file():
            _fail(f"{config}: configuration file not found")
        data = read_config(cfg_path) if cfg_path else {}
        origins: dict[str, str] = {}
        if select is not None:
            data["select"] = _split(select)
            origins["select"] = "--select"
        if extend_select:
            data["extend-select"] = list(data.get("extend-select", [])) + (_split(extend_select) or [])
            origins["extend-select"] = "--extend-select"
        if ignore:
            data["ignore"] = list(data.get("ignore", [])) + (_split(ignore) or [])
            origins["ignore"] = "--ignore"
        if fail_on is not None:
            data["fail-on"] = fail_on
            origins["fail-on"] = "--fail-on"
        if strict:
            data["strict"] = True
        if base is not None:
            if not base.strip():
                _fail("--base: empty revision (an unset variable?); give a git revision or a folder")
            data["base"] = base
            origins["base"] = "--base"
        if cache_dir is not None and not str(cache_dir).strip():
            _fail("--cache-dir: empty path (an unset variable?)")
        if diff_base is not None and not diff_base.strip():
            _fail("--diff-base: empty revision (an unset variable?)")
        if base is None and diff_base is not None and "base" not in data:
            data["base"] = diff_base  # breaking changes are judged against the same revision
            origins["base"] = "--diff-base"
        if jobs is not None:
            data["jobs"] = jobs
        if scope is not None:
            data["scope"] = scope
        root = cfg_path.parent.resolve() if cfg_path else Path.cwd()
        settings = load_settings(targets[0], cat, data=data, config_file=cfg_path, root=root, origins=origins,
                                 tree=None if cfg_path else default_root(targets))
        if settings.base is not None and not Path(settings.base).is_dir():
            from .core.gitutil import toplevel, verify_ref

            top = toplevel(root)
            if top is None:
                _fail(f"--base {settings.base}: not a directory, and {root} is not in a git repository")
            verify_ref(settings.base, top)  # an unknown revision is a usage error, said once
        known = None
        if baseline is not None:
            from .adopt import BaselineError, read_baseline

            try:
                known = read_baseline(baseline)
            except BaselineError as exc:
                _fail(str(exc))
        if stdin:
            if fix or diff or add_suppressions:
                _fail("--fix, --diff and --add-suppressions need files, not standard input")
            from .api import check_stdin

            result = check_stdin(sys.stdin.buffer.read(), str(targets[0]), settings, jobs=settings.jobs)
        else:
            if diff_base is not None:
                from .core.gitutil import changed_files

                targets = changed_files(diff_base, targets, root)
            directory = None
            if not no_cache and settings.base is None:  # results against a git base depend on more than the files
                from .runner import check_cache_dir, default_cache_dir

                directory = Path(cache_dir) if cache_dir else (root / settings.cache_dir if settings.cache_dir
                                                               else default_cache_dir(root))
                directory = check_cache_dir(directory, targets)
            progress = _progress_bar() if (format in ("full", "concise") and sys.stderr.isatty()
                                           and not os.environ.get("CI")) else None
            from .api import check_paths

            if diff_base is not None and not targets:
                from .engine import RunResult, enabled_rules

                result = RunResult([], [], enabled_rules(settings, cat), settings, ["no changed files to check"])
            else:
                result = check_paths(targets, settings, fix=fix and not diff, jobs=settings.jobs, cache_dir=directory,
                                     prefilter=not no_prefilter, progress=progress.update if progress else None)
                if not result.files:
                    shown = ", ".join(str(t) for t in targets)
                    _warn(f"no files to check in {shown}: commlint reads Python, YAML, JSON, Avro (.avsc), "
                          "Protobuf (.proto) and Terraform (.tf) files")
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

    if known is not None:
        from .adopt import apply_baseline

        apply_baseline(result, known)
    if write_baseline is not None:
        from .adopt import write_baseline as write

        try:
            n = write(result, write_baseline)
        except OSError as exc:
            _fail(f"cannot write {write_baseline}: {exc.strerror or exc}")
        _echo(f"commlint: wrote {n} finding{'s' if n != 1 else ''} to the baseline {write_baseline}; "
              f"check with --baseline {write_baseline} to fail only on new ones", err=True)
        raise Exit(0)
    if add_suppressions:
        from .adopt import add_suppressions as add

        written, files, notes = add(result)
        for note in notes:
            _echo(f"commlint: {note}", err=True)
        _echo(f"commlint: added {written} suppression{'s' if written != 1 else ''} "
              f"in {files} file{'s' if files != 1 else ''}; replace each TODO with the reason", err=True)
        raise Exit(0)
    if diff:
        from .fixes import preview
        from .report import one_line

        refused: list[str] = []
        text = preview(result, refused)
        _write_bytes(text.encode("utf-8"))
        for msg in refused:
            _echo(f"commlint: {one_line(msg)}", err=True)
        raise Exit(1 if text and not exit_zero else 0)  # fixes pending, as ruff --diff
    from .report import render

    notes: list[str] = []
    reports: list[tuple[str, Optional[Path]]] = [(fmt, path) for fmt, path in outputs]
    if to_terminal:
        reports.insert(0, (format, None))
    for fmt, path in reports:
        try:
            text = render(fmt, result, color=_color(path, color), statistics=statistics, checklist=checklist,
                          quiet=quiet, notes=notes)
        except Exception as exc:  # noqa: BLE001 - a user never sees a traceback, and exit 1 means findings
            _fail(f"internal error while writing the {fmt} report: {type(exc).__name__}: {exc} (please report this)")
            return
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(text.encode("utf-8", "backslashreplace"))  # a lone surrogate cannot stop a report
            except OSError as exc:
                _fail(f"cannot write {path}: {exc.strerror or exc}")
        else:
            _write(sys.stdout, text)
    for note in dict.fromkeys(notes):
        _warn(note)
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
    if format in ("md", "markdown"):
        from .docs import rules_table_markdown

        _echo(rules_table_markdown(cat), nl=False)
    elif format == "json":
        import json

        from .docs import rules_json

        _echo(json.dumps(rules_json(cat), indent=2))
    else:
        rows = [(r.code, r.name, r.kind, r.severity.label, ",".join(r.checklist + r.sections),
                 r.summary + ("" if r.default_enabled else " (opt-in)")) for r in cat.rules]
        widths = [max(len(row[i]) for row in rows) for i in range(5)]
        for row in rows:
            _echo("  ".join(cell.ljust(w) for cell, w in zip(row[:5], widths)) + "  " + row[5])


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


def graph(paths: Optional[list[Path]] = None, format: str = "mermaid", output: Optional[Path] = None) -> None:
    """Draw the system: services, synchronous calls (the longest chain highlighted), topics with their producers and consumers, contracts, each service marked by its scorecard."""
    from .api import draw_graph

    text = draw_graph([str(p) for p in paths or [Path(".")]], format)
    _ = output.write_text(text, encoding="utf-8") if output else sys.stdout.write(text)


class _Formatter(argparse.HelpFormatter):
    """argparse's, told the terminal's width as ``shutil.get_terminal_size`` reads it (left to
    find it, argparse imports shutil, and with it bz2 and lzma, on every run)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None):
        columns = os.environ.get("COLUMNS", "")
        try:
            cols = int(columns) if columns.strip().isdigit() and int(columns) > 0 else \
                os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            cols = 80
        super().__init__(prog, indent_increment, max_help_position, (cols or 80) - 2 if width is None else width)


class _Parser(argparse.ArgumentParser):
    """argparse with help in colour on a terminal: rich is imported only to print ``--help``."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def print_help(self, file=None) -> None:  # noqa: ANN001
        text = self.format_help()
        stream = file or sys.stdout
        if stream is sys.stdout and _color(None):
            from .helpfmt import print_rich_help

            print_rich_help(text)
            return
        stream.write(text)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="commlint",
        description="Check a repository of services against the microservices communication standard.",
    )
    parser.add_argument("--version", action="version", version=f"commlint {__version__}", help="Show the version and exit.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    c = sub.add_parser("check", help="Check files and directories.", description=(check.__doc__ or "").strip())
    c.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="Files or directories (default: .); - reads standard input")
    c.add_argument("--format", "-f", choices=CHOICES, default="full", metavar="FORMAT",
                   help=f"Output format: {', '.join(FORMATS)} (default: full; text = full, md = markdown).")
    c.add_argument("--output", "-o", action="append", metavar="[FORMAT:]FILE",
                   help="Write the report to FILE instead of the terminal; FORMAT:FILE writes another report beside it "
                        "(-o sarif:results.sarif). Repeatable.")
    c.add_argument("--color", choices=COLOR, default="auto", help="Colour: auto (a terminal, NO_COLOR/FORCE_COLOR honoured), always or never.")
    c.add_argument("--select", action="append", metavar="RULES", help="Rules to run: codes, names, prefixes (CL1), checklist items (C1), sections, ALL (every rule).")
    c.add_argument("--extend-select", action="append", metavar="RULES", help="Rules to add to the selection.")
    c.add_argument("--ignore", action="append", metavar="RULES", help="Rules to leave out (same selectors as --select).")
    c.add_argument("--config", type=Path, metavar="FILE", help="A commlint.toml or pyproject.toml to use instead of the nearest one.")
    flag = argparse.BooleanOptionalAction
    c.add_argument("--isolated", action=flag, default=False, help="Ignore every configuration file.")
    c.add_argument("--exit-zero", action="store_true", help="Exit 0 even when there are findings.")
    c.add_argument("--fail-on", metavar="SEVERITY", help="Lowest severity that fails the run: note, warning (default) or error.")
    c.add_argument("--quiet", "-q", action="store_true", help="Only the findings: no notes, no summary.")
    c.add_argument("--statistics", action=flag, default=False, help="Counts per rule instead of the findings ([*]: fixable).")
    c.add_argument("--checklist", action=flag, default=False, help="Add the checklist scorecard to the report.")
    c.add_argument("--fix", action=flag, default=False, help="Apply safe fixes to the files.")
    c.add_argument("--diff", action=flag, default=False, help="Print the fixes as a unified diff instead of writing them (exit 1 when there are any).")
    c.add_argument("--strict", action=flag, default=False, help="Also report values that cannot be known statically, as notes.")
    c.add_argument("--base", metavar="REV", help="Git revision to compare contracts and schemas against (breaking changes).")
    c.add_argument("--diff-base", metavar="REV", help="Check only the files changed since this git revision (and compare contracts with it, unless --base is given).")
    c.add_argument("--baseline", type=Path, metavar="FILE", help="Known findings (written by --write-baseline): only new ones are reported.")
    c.add_argument("--write-baseline", type=Path, metavar="FILE", help="Write the current findings to FILE as the baseline, and exit 0.")
    c.add_argument("--add-suppressions", action="store_true", help="Write `commlint: ignore[CODE] -- TODO: reason` on every reported line of Python, YAML and proto files.")
    c.add_argument("--stdin-filename", metavar="PATH", help="With - : the path the standard input's content is checked as.")
    c.add_argument("--jobs", "-j", type=_positive, metavar="N", help="Worker processes (default: all cores).")
    c.add_argument("--no-cache", action="store_true", help="Do not read or write the result cache.")
    c.add_argument("--cache-dir", metavar="DIR", help="Where the result cache lives (default: .commlint_cache/).")
    c.add_argument("--scope", choices=("production", "all"), metavar="SCOPE",
                   help="Files whose findings are reported: production (default: not tests, examples, docs, scripts; contract files under test directories are tests) or all.")
    c.add_argument("--no-prefilter", action="store_true", help=argparse.SUPPRESS)

    r = sub.add_parser("rules", help="List every rule.", description=(rules.__doc__ or "").strip())
    r.add_argument("--format", "-f", choices=RULES_FORMATS, default="text", help="text, md/markdown (the README table) or json.")

    e = sub.add_parser("explain", help="Print one rule's documentation and examples.", description=(explain.__doc__ or "").strip())
    e.add_argument("rule", help="A rule code or name, e.g. CL101 or missing-timeout.")
    g = sub.add_parser("graph", help="Draw the system as a picture.", description=(graph.__doc__ or "").strip())
    g.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="Files or directories (default: .)")
    g.add_argument("--format", "-f", choices=("mermaid", "dot", "html", "json"), default="mermaid", help="mermaid (default), dot, html or json.")
    g.add_argument("--output", "-o", type=Path, metavar="FILE", help="Write the picture to this file.")

    k = sub.add_parser("completion", help="Print a shell completion script.", description=(completion.__doc__ or "").strip())
    k.add_argument("shell", choices=("bash", "zsh", "fish"), help="bash, zsh or fish.")
    parser.set_defaults(_subparsers=sub.choices)
    return parser


def completion(shell: str) -> None:
    """Print a completion script for bash, zsh or fish, generated from the command line's options.

    bash: commlint completion bash > ~/.local/share/bash-completion/completions/commlint
    zsh:  commlint completion zsh > "${fpath[1]}/_commlint"
    fish: commlint completion fish > ~/.config/fish/completions/commlint.fish
    """
    from .completion import script

    _echo(script(_parser(), shell), nl=False)


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return n


COMMANDS: dict[str, Any] = {"check": check, "rules": rules, "explain": explain, "graph": graph,
                            "completion": completion}


def main(argv: Optional[list[str]] = None) -> None:
    parser = _parser()
    ns, extra = parser.parse_known_args(argv)
    args = vars(ns)
    subparsers = args.pop("_subparsers", {})
    command = args.pop("command")
    if extra:  # said with the sub-command's usage (`check --bogus`), not the top level's
        (subparsers.get(command) or parser).error(f"unrecognized arguments: {' '.join(extra)}")
    if command is None:
        parser.print_help(sys.stderr)
        raise SystemExit(2)
    try:
        COMMANDS[command](**args)
    except Exit as done:
        raise SystemExit(done.code) from None
    except BrokenPipeError:  # `commlint rules | head`: the reader has gone
        try:
            sys.stdout = os.fdopen(os.open(os.devnull, os.O_WRONLY), "w")  # nothing more is written
        except OSError:
            pass
        raise SystemExit(0) from None
    raise SystemExit(0)


def run() -> None:
    """The process's entry point (the console script, ``python -m commlint``): ``main``, then exit
    at once, without freeing the heap object by object (a tenth of a warm run on a large tree).
    Only an exit with a status number is taken this way; output is flushed first."""
    try:
        main()
        code: object = 0
    except SystemExit as done:
        code = done.code
    if code is not None and not isinstance(code, int):
        raise SystemExit(code)  # a message: Python prints it
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        raise SystemExit(code) from None  # as Python would end (a closed pipe, a closed stream)
    os._exit(code or 0)

"""python -m explorer SPEC [SPEC ...] [--json] [--lang zh|en] | --list

SPEC is a preset name or a path to a config JSON file: a regular file (not a directory, device or
pipe) of at most MAX_FILE_BYTES bytes of UTF-8.

Language: `--lang zh` or `--lang en`; without it, Chinese when the locale (LC_ALL, else
LC_MESSAGES, else LANG) starts with zh, else English. The table's headings, the remainders, the
errors and --list are in that language; --json keeps its keys (English, like the config format)
and renders the messages inside in that language. Numbers and formulas are the same in both.

Exit status:
  0    every SPEC is valid
  2    any SPEC is invalid or unreadable, or the command line is wrong
  1    the output could not be written (a full disk, a closed stdout); the reason goes to stderr
  141  whoever reads the output stopped early (`| head`): nothing is printed, and the status is
       the one a shell reports for a Unix tool ended by SIGPIPE (128 + 13), so `set -o pipefail`
       sees it the same way
  130  interrupted (Ctrl-C)

Errors are messages, never tracebacks. Characters the output's encoding cannot hold (the formulas
use ⌊ ⌋ × −) are written as backslash escapes, e.g. \\u230a under PYTHONIOENCODING=ascii; --json
then writes \\u escapes, so its output is always valid JSON.
"""

from __future__ import annotations

import argparse
import codecs
import io
import json
import os
import stat
import sys
import time
import unicodedata

from .analysis import Analysis, LayerRow, analyse, analyse_config, format_bytes, format_count, format_shape
from .i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, Message, _, using
from .presets import PRESETS
from .spec import MAX_JSON_CHARS, SpecError, Text, VariantError, variant_from_json

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_INTERRUPTED",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_WRITE_FAILED",
    "MAX_FILE_BYTES",
    "environment_language",
    "main",
    "render_table",
]

EXIT_OK = 0
EXIT_WRITE_FAILED = 1
EXIT_INVALID = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

MAX_FILE_BYTES = MAX_JSON_CHARS * 4  # a config's character limit, at UTF-8's widest


# --- reading a SPEC ---------------------------------------------------------------------------


def _unreadable(spec: str, reason: Text) -> VariantError:
    # `reason` is the system's own words (strerror), or one of ours
    return VariantError(
        Message("cannot read {spec}: {reason}", spec=spec, reason=reason),
        fix=Message("pass a readable UTF-8 JSON file"),
    )


def _too_large(spec: str) -> VariantError:
    return VariantError(
        Message("{spec} is over {limit:,} bytes, too large for a config", spec=spec, limit=MAX_FILE_BYTES),
        fix=Message("pass one variant's JSON file"),
    )


def _not_regular(spec: str) -> VariantError:
    return VariantError(
        Message("{spec} is not a regular file", spec=spec),
        fix=Message("pass a config JSON file; directories, devices and pipes are not read"),
    )


def _read_config(spec: str) -> str | VariantError:
    """The text of a config file, reading at most MAX_FILE_BYTES + 1 bytes of a regular file."""
    try:
        info = os.stat(spec)
    except FileNotFoundError:
        return VariantError(
            Message("{spec} is neither a preset nor a file", spec=repr(spec)),
            fix=Message("use a path to a JSON file or one of: {presets}", presets=", ".join(PRESETS)),
        )
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        return _unreadable(spec, getattr(exc, "strerror", None) or str(exc))
    # Checked before opening: opening a FIFO blocks, and a device can be endless (/dev/zero).
    if not stat.S_ISREG(info.st_mode):
        return _not_regular(spec)
    if info.st_size > MAX_FILE_BYTES:
        return _too_large(spec)
    try:
        # O_NONBLOCK: should the path be swapped for a FIFO after the check, opening it cannot block.
        fd = os.open(spec, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        with open(fd, "rb", closefd=True) as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                return _not_regular(spec)
            data = f.read(MAX_FILE_BYTES + 1)  # st_size can be 0 or stale; never read more than this
    except OSError as exc:
        return _unreadable(spec, exc.strerror or exc.__class__.__name__)
    if len(data) > MAX_FILE_BYTES:
        return _too_large(spec)
    try:
        return data.decode("utf-8-sig")  # a leading byte-order mark, as some editors write, is skipped
    except UnicodeDecodeError:
        return _unreadable(spec, Message("it is not UTF-8 text"))


def _load(spec: str) -> tuple[str, Analysis | VariantError]:
    if spec in PRESETS:
        return spec, analyse(PRESETS[spec])
    text = _read_config(spec)
    if isinstance(text, VariantError):
        return spec, text
    try:
        variant = variant_from_json(text)
    except SpecError as exc:
        if exc.partial is not None:
            partial = analyse_config(exc.partial)
            return exc.partial.name, Analysis(exc.partial, partial.rows, exc.error, partial.names)
        return spec, exc.error
    return variant.name, analyse(variant)


# --- rendering --------------------------------------------------------------------------------
# The text is rendered in the current language (`main` sets it from --lang); columns are padded by
# display width, so a heading in Chinese (two columns a character in a terminal) stays aligned.

_INDENT = " " * len("ERROR  ")
_HEADINGS = {
    "layer": N_("layer"),
    "type": N_("type"),
    "output": N_("output"),
    "params": N_("params"),
    "macs": N_("MACs"),
    "formula": N_("formula"),
}


def _width(text: str) -> int:
    """Terminal columns: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _left(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _right(text: str, width: int) -> str:
    return " " * max(0, width - _width(text)) + text


def _table_line(index: str, name: str, widths: dict[str, int], r: LayerRow) -> str:
    formula = "; ".join(f"{axis}: {f.text}" if axis != "H×W" else f.text for axis, f in r.formulas)
    w = widths
    return (
        f"{index:>3}  {name:<{w['layer']}}{r.type:<{w['type']}}{format_shape(r.output):<{w['output']}}"
        f"{r.params:>{w['params']},}{r.macs:>{w['macs']},}  {formula}"
    )


def _remainder_lines(r: LayerRow) -> list[str]:
    """What the division leaves over, for each axis whose windows do not fit exactly."""
    return [
        f"{_INDENT}{axis + ': ' if axis != 'H×W' else ''}{f.remainder_text}" for axis, f in r.formulas if not f.exact
    ]


def _error_lines(e: VariantError) -> list[str]:
    lines = [f"{_('ERROR')}  {e.message}"]
    if e.arrived:
        lines.append(_INDENT + _("arrived: {text}", text=e.arrived))
    if e.arithmetic:
        lines.append(_INDENT + _("arithmetic: {text}", text=e.arithmetic))
    if e.fix:
        lines.append(_INDENT + _("fix: {text}", text=e.fix))
    return lines


def render_table(analysis: Analysis) -> str:
    """A readable per-layer table with the worked formula (and what its division leaves over) for
    conv/pool and totals, in the current language; a residual block's row (the whole block) is
    followed by its inner layers, indented."""
    v = analysis.variant
    blocks = [r for r in analysis.rows if r.is_block]
    # inner rows print without the block's prefix: "  conv1", "  shortcut.conv1"
    inner = [f"  {r.name.split('.', 1)[1]}" for b in blocks for r in (*b.body, *b.shortcut)]
    width = max([12, *(len(n) + 2 for n in inner)]) if blocks else 12
    lines = [_("{name}  input {shape}", name=v.name, shape=format_shape(analysis.input_shape))]
    h = {key: _(label) for key, label in _HEADINGS.items()}
    # each column is as wide as before, or its heading and a space where a translation is wider
    widths = {
        key: max(least, _width(h[key]) + 1)
        for key, least in (("layer", width), ("type", 16), ("output", 16), ("params", 12), ("macs", 15))
    }
    header = (
        f"{'#':>3}  {_left(h['layer'], widths['layer'])}{_left(h['type'], widths['type'])}"
        f"{_left(h['output'], widths['output'])}{_right(h['params'], widths['params'])}"
        f"{_right(h['macs'], widths['macs'])}  {h['formula']}"
    )
    rule = "-" * _width(header)
    lines += [header, rule]
    for r in analysis.rows:
        lines.append(_table_line(str(r.index), r.name, widths, r))
        lines += _remainder_lines(r)
        for inner_row in (*r.body, *r.shortcut):
            lines.append(_table_line("", f"  {inner_row.name.split('.', 1)[1]}", widths, inner_row))
            lines += _remainder_lines(inner_row)
        if r.is_block and not r.shortcut:
            lines.append(f"{'':>3}  {'  shortcut':<{widths['layer']}}{_('identity')}")
    if analysis.error is not None:
        lines += _error_lines(analysis.error)
    else:
        lines.append(rule)
        lines.append(
            _(
                "total: {params:,} params ({param_bytes}), {macs:,} MACs ({macs_short}), "
                "activations {activation_bytes} at batch 1, output {output}",
                params=analysis.total_params,
                param_bytes=format_bytes(analysis.param_bytes),
                macs=analysis.total_macs,
                macs_short=format_count(analysis.total_macs),
                activation_bytes=format_bytes(analysis.activation_bytes),
                output=format_shape(analysis.output_shape or ()),
            )
        )
    return "\n".join(lines)


def _list() -> str:
    lines = []
    for name, variant in PRESETS.items():
        a = analyse(variant)
        total = _("{n:,} params", n=a.total_params) if a.valid else _("invalid")
        lines.append(f"{name:<22}{format_shape(a.input_shape):<12}{total}")
        lines.append(f"    {variant.description}")
    return "\n".join(lines)


# --- output, as a Unix tool does it ------------------------------------------------------------


class _PipeClosed(Exception):
    """The reader of stdout went away (EPIPE)."""


class _WriteFailed(Exception):
    """stdout could not be written; the argument says why."""


def _prepare_stdout() -> None:
    # Never fail on a character the encoding lacks: write it as a backslash escape instead.
    if isinstance(sys.stdout, io.TextIOWrapper):
        try:
            sys.stdout.reconfigure(errors="backslashreplace")
        except (OSError, ValueError):
            pass


def _stdout_is_utf8() -> bool:
    try:
        return codecs.lookup(getattr(sys.stdout, "encoding", None) or "ascii").name == "utf-8"
    except LookupError:
        return False


def _guarded(action) -> None:
    if sys.stdout is None:  # started with stdout closed
        raise _WriteFailed(_("standard output is closed"))
    try:
        action(sys.stdout)
    except BrokenPipeError:
        raise _PipeClosed from None
    except OSError as exc:
        raise _WriteFailed(exc.strerror or str(exc)) from None
    except ValueError:  # "I/O operation on closed file"
        raise _WriteFailed(_("standard output is closed")) from None


def _write_all(out, text: str) -> None:
    raw = getattr(out, "buffer", None)
    if not isinstance(raw, io.RawIOBase):
        try:
            out.write(text)
        except UnicodeEncodeError:  # a stream _prepare_stdout could not reconfigure
            encoding = getattr(out, "encoding", None) or "ascii"
            out.write(text.encode(encoding, "backslashreplace").decode(encoding, "replace"))
        return
    # Unbuffered (python -u, PYTHONUNBUFFERED): a text write of more than the pipe holds can end
    # after part of it without an error, dropping the rest; write the bytes until all are out.
    out.flush()
    data = memoryview(text.replace("\n", os.linesep).encode(out.encoding, out.errors))
    while data:
        written = raw.write(data)
        if written is None:  # a non-blocking stdout that is full for now
            time.sleep(0.01)
            continue
        data = data[written:]


def _write(text: str) -> None:
    _guarded(lambda out: _write_all(out, text + "\n"))


def _flush() -> None:
    _guarded(lambda out: out.flush())


def _discard(stream) -> None:
    """Point the stream's file descriptor at the null device, so that what is still buffered, which
    the interpreter flushes at exit, goes nowhere instead of failing again (the SIGPIPE note in
    Python's signal docs)."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    try:
        os.dup2(devnull, fd)
    except OSError:
        pass
    finally:
        os.close(devnull)


def _error(text: str) -> None:
    """A message on stderr; should stderr itself fail, there is nobody left to tell."""
    try:
        print(text, file=sys.stderr, flush=True)
    except (AttributeError, OSError, ValueError):
        _discard(sys.stderr)


# --- the command ------------------------------------------------------------------------------

_LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")  # POSIX order: the first one set decides


def environment_language(environ: dict[str, str] | os._Environ[str] | None = None) -> str:
    """ "zh" when the locale (LC_ALL, else LC_MESSAGES, else LANG) starts with zh, else "en"."""
    env = os.environ if environ is None else environ
    for name in _LOCALE_VARIABLES:
        value = env.get(name)
        if value:
            return "zh" if value.strip().lower().startswith("zh") else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def _requested_language(argv: list[str]) -> str:
    """The --lang of the command line when it names a language, else the locale's: what the help
    and the messages are written in (argparse itself refuses an unknown --lang)."""
    chosen = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            chosen = argv[i + 1]
        elif arg.startswith("--lang="):
            chosen = arg.split("=", 1)[1]
    return chosen if chosen in LANGUAGES else environment_language()


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter with its "usage: " heading in the current language."""

    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        return super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)


def _parser() -> argparse.ArgumentParser:
    """The command line, its help in the current language."""
    # add_help=False: argparse would print the help itself and ignore a failed write; _run prints it
    parser = argparse.ArgumentParser(
        prog="python -m explorer",
        description=_("Analyse AlexNet variants by arithmetic."),
        add_help=False,
        formatter_class=_HelpFormatter,
    )
    parser._positionals.title = _("positional arguments")
    parser._optionals.title = _("options")
    parser.add_argument("-h", "--help", action="store_true", help=_("show this help message and exit"))
    parser.add_argument("specs", nargs="*", metavar="SPEC", help=_("preset name or path to a config JSON file"))
    parser.add_argument("--json", action="store_true", help=_("print one JSON document (a list, one object per SPEC)"))
    parser.add_argument("--list", action="store_true", help=_("list the presets with descriptions and totals"))
    parser.add_argument(
        "--lang",
        choices=list(LANGUAGES),
        default=None,
        help=_(
            "language of the table, the messages and --list: zh (中文) or en (English); "
            "default: zh when LC_ALL, LC_MESSAGES or LANG starts with zh, else en (now: {lang})",
            lang=environment_language(),
        ),
    )
    return parser


def _run(argv: list[str] | None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # a usage error, already printed to stderr by argparse
        return exc.code if isinstance(exc.code, int) else EXIT_OK if exc.code is None else EXIT_INVALID
    if args.help:
        _write(parser.format_help().rstrip("\n"))
        return EXIT_OK
    if args.list:
        _write(_list())
        return EXIT_OK
    if not args.specs:
        try:
            parser.print_usage(sys.stderr)
        except (AttributeError, OSError, ValueError):
            pass
        _error(_("error: give at least one SPEC (a preset name or a config file), or --list"))
        return EXIT_INVALID
    results = [_load(spec) for spec in args.specs]
    ok = all(isinstance(r, Analysis) and r.valid for _name, r in results)
    if args.json:
        docs = []
        for name, result in results:
            if isinstance(result, VariantError):
                docs.append({"name": name, "error": {"layer": result.layer, **result.to_dict()}})
            else:
                docs.append(result.to_dict())
        _write(json.dumps(docs, indent=2, ensure_ascii=not _stdout_is_utf8()))
    else:
        blocks = []
        for name, result in results:
            if isinstance(result, VariantError):
                blocks.append("\n".join([name, *_error_lines(result)]))
            else:
                blocks.append(render_table(result))
        _write("\n\n".join(blocks))
    return EXIT_OK if ok else EXIT_INVALID


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status (see the module's docstring)."""
    args = sys.argv[1:] if argv is None else list(argv)
    with using(_requested_language(args)):
        _prepare_stdout()
        try:
            code = _run(args)
            _flush()
        except _PipeClosed:
            _discard(sys.stdout)
            return EXIT_BROKEN_PIPE
        except _WriteFailed as exc:
            _discard(sys.stdout)
            _error(_("cannot write output: {reason}", reason=str(exc)))
            return EXIT_WRITE_FAILED
        except KeyboardInterrupt:
            _discard(sys.stdout)
            return EXIT_INTERRUPTED
        return code


if __name__ == "__main__":
    sys.exit(main())

"""python -m explorer SPEC [SPEC ...] [--json] | --list

SPEC is a preset name or a path to a config JSON file. Exit 0 when every SPEC is valid, 2 when any
is invalid or unreadable; errors are printed as messages, never as tracebacks.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .analysis import Analysis, analyse, analyse_config, format_bytes, format_count, format_shape
from .presets import PRESETS
from .spec import MAX_JSON_CHARS, SpecError, VariantError, variant_from_json

__all__ = ["main", "render_table"]


def _load(spec: str) -> tuple[str, Analysis | VariantError]:
    if spec in PRESETS:
        return spec, analyse(PRESETS[spec])
    path = Path(spec)
    try:
        if path.stat().st_size > MAX_JSON_CHARS * 4:
            return spec, VariantError(f"{spec}: file is too large for a config", fix="pass one variant's JSON file")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return spec, VariantError(
            f"{spec!r} is neither a preset nor a file", fix=f"use a path to a JSON file or one of: {', '.join(PRESETS)}"
        )
    except (OSError, UnicodeDecodeError) as exc:
        return spec, VariantError(
            f"cannot read {spec}: {exc.__class__.__name__}", fix="pass a readable UTF-8 JSON file"
        )
    try:
        variant = variant_from_json(text)
    except SpecError as exc:
        if exc.partial is not None:
            partial = analyse_config(exc.partial)
            return exc.partial.name, Analysis(exc.partial, partial.rows, exc.error, partial.names)
        return spec, exc.error
    return variant.name, analyse(variant)


def render_table(analysis: Analysis) -> str:
    """A readable per-layer table with the worked formula for conv/pool and totals."""
    v = analysis.variant
    lines = [f"{v.name}  input {format_shape(analysis.input_shape)}"]
    header = f"{'#':>3}  {'layer':<12}{'type':<16}{'output':<16}{'params':>12}{'MACs':>15}  formula"
    lines += [header, "-" * len(header)]
    for r in analysis.rows:
        formula = "; ".join(f"{axis}: {f.text}" if axis != "H×W" else f.text for axis, f in r.formulas)
        lines.append(
            f"{r.index:>3}  {r.name:<12}{r.type:<16}{format_shape(r.output):<16}{r.params:>12,}{r.macs:>15,}  {formula}"
        )
    if analysis.error is not None:
        e = analysis.error
        lines.append(f"ERROR  {e.message}")
        if e.arrived:
            lines.append(f"       arrived: {e.arrived}")
        if e.arithmetic:
            lines.append(f"       arithmetic: {e.arithmetic}")
        if e.fix:
            lines.append(f"       fix: {e.fix}")
    else:
        lines.append("-" * len(header))
        lines.append(
            f"total: {analysis.total_params:,} params ({format_bytes(analysis.param_bytes)}), "
            f"{analysis.total_macs:,} MACs ({format_count(analysis.total_macs)}), "
            f"activations {format_bytes(analysis.activation_bytes)} at batch 1, "
            f"output {format_shape(analysis.output_shape or ())}"
        )
    return "\n".join(lines)


def _list() -> str:
    lines = []
    for name, variant in PRESETS.items():
        a = analyse(variant)
        total = f"{a.total_params:,} params" if a.valid else "invalid"
        lines.append(f"{name:<22}{format_shape(a.input_shape):<12}{total}")
        lines.append(f"    {variant.description}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m explorer", description="Analyse AlexNet variants by arithmetic.")
    parser.add_argument("specs", nargs="*", metavar="SPEC", help="preset name or path to a config JSON file")
    parser.add_argument("--json", action="store_true", help="print one JSON document (a list, one object per SPEC)")
    parser.add_argument("--list", action="store_true", help="list the presets with descriptions and totals")
    args = parser.parse_args(argv)
    if args.list:
        print(_list())
        return 0
    if not args.specs:
        parser.print_usage(sys.stderr)
        print("error: give at least one SPEC (a preset name or a config file), or --list", file=sys.stderr)
        return 2
    results = [_load(spec) for spec in args.specs]
    ok = all(isinstance(r, Analysis) and r.valid for _, r in results)
    if args.json:
        docs = []
        for name, result in results:
            if isinstance(result, VariantError):
                docs.append({"name": name, "error": {"layer": result.layer, **result.to_dict()}})
            else:
                docs.append(result.to_dict())
        print(json.dumps(docs, indent=2, ensure_ascii=False))
    else:
        blocks = []
        for name, result in results:
            if isinstance(result, VariantError):
                text = f"{name}\nERROR  {result.message}"
                if result.fix:
                    text += f"\n       fix: {result.fix}"
                blocks.append(text)
            else:
                blocks.append(render_table(result))
        print("\n\n".join(blocks))
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())

"""A comparison's downloads: CSV, Markdown and LaTeX tables of `explorer.compare.Comparison`.

Headers and words in the current language (`explorer.i18n`); the numbers are the same in every
language. Pure text: no torch.
"""

from __future__ import annotations

import csv
import io

from .analysis import format_count, format_shape
from .compare import Cell, Comparison, Total, role_title
from .i18n import _

__all__ = ["comparison_csv", "comparison_latex", "comparison_markdown", "latex_escape"]


def _csv_cell(cell: Cell, what: str) -> str:
    if cell.status == "ok":
        if what == "output":
            return "x".join(str(d) for d in cell.output or ())
        return str(cell.params if what == "params" else cell.macs)
    if cell.status == "absent":
        return ""
    return _("error") if cell.status == "error" else _("not reached")


def comparison_csv(c: Comparison) -> str:
    """One row per role; per variant its output shape (CxHxW), params and MACs; then a totals row.

    Headers and words in the current language; the numbers are the same in every language."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    header = [_("layer")]
    for label in c.labels:
        header += [
            _("{label} output", label=label),
            _("{label} params", label=label),
            _("{label} MACs", label=label),
        ]
    writer.writerow(header)
    for row in c.rows:
        line = [role_title(row.role)]
        for cell in row.cells:
            line += [_csv_cell(cell, "output"), _csv_cell(cell, "params"), _csv_cell(cell, "macs")]
        writer.writerow(line)
    line = [_("total")]
    for t in c.totals:
        line += [
            _("invalid") if t.error else "",
            "" if t.params is None else str(t.params),
            "" if t.macs is None else str(t.macs),
        ]
    writer.writerow(line)
    return buf.getvalue()


def _short_cell(cell: Cell) -> str:
    if cell.status != "ok":
        return cell.output_text()
    text = format_shape(cell.output or ())
    return f"{text} ({format_count(cell.params or 0)})" if cell.params else text


def _total_texts(t: Total) -> tuple[str, str]:
    if t.params is None:
        return _("invalid"), _("invalid")
    pr = f" ({t.params_ratio:.3f}×)" if t.params_ratio is not None else ""
    mr = f" ({t.macs_ratio:.3f}×)" if t.macs_ratio is not None else ""
    return f"{t.params:,}{pr}", f"{format_count(t.macs or 0)}{mr}"


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|")


def comparison_markdown(c: Comparison) -> str:
    """A slide-ready table: per role each variant's output (params), differing rows in bold."""
    lines = [
        f"| {_md_escape(_('layer'))} | " + " | ".join(_md_escape(label) for label in c.labels) + " |",
        "|---|" + "---|" * len(c.labels),
    ]
    for row in c.rows:
        cells = [_md_escape(_short_cell(cell)) for cell in row.cells]
        if row.differs:
            cells = [f"**{x}**" if cell.ok else x for x, cell in zip(cells, row.cells)]
        lines.append(f"| {_md_escape(role_title(row.role))} | " + " | ".join(cells) + " |")
    params, macs = zip(*(_total_texts(t) for t in c.totals))
    lines.append(f"| {_('total params')} | " + " | ".join(params) + " |")
    lines.append(f"| {_('total MACs')} | " + " | ".join(macs) + " |")
    return "\n".join(lines) + "\n"


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "×": r"$\times$",
    "—": "---",
    "✗": "",
}


def latex_escape(text: str) -> str:
    """Escape LaTeX's special characters (and typeset × and —) so any variant name is safe."""
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text).strip()


def comparison_latex(c: Comparison) -> str:
    """A booktabs tabular (needs \\usepackage{booktabs}); differing cells in bold."""
    cols = "l" + "r" * len(c.labels)
    lines = [
        f"\\begin{{tabular}}{{{cols}}}",
        "\\toprule",
        latex_escape(_("Layer")) + " & " + " & ".join(latex_escape(label) for label in c.labels) + " \\\\",
        "\\midrule",
    ]
    for row in c.rows:
        cells = []
        for cell in row.cells:
            text = latex_escape(_short_cell(cell))
            cells.append(f"\\textbf{{{text}}}" if row.differs and cell.ok else text)
        lines.append(f"{latex_escape(role_title(row.role))} & " + " & ".join(cells) + " \\\\")
    lines.append("\\midrule")
    params, macs = zip(*(_total_texts(t) for t in c.totals))
    lines.append(latex_escape(_("Total params")) + " & " + " & ".join(latex_escape(p) for p in params) + " \\\\")
    lines.append(latex_escape(_("Total MACs")) + " & " + " & ".join(latex_escape(m) for m in macs) + " \\\\")
    lines += ["\\bottomrule", "\\end{tabular}"]
    return "\n".join(lines) + "\n"

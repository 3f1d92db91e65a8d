"""The Build page (home of `streamlit run app.py`): build any AlexNet variant from sliders.

Thin: the sidebar edits a `Design` (explorer.blocks), the engine analyses it by arithmetic on
every rerun, and the page renders the results. A model is built only for "Run forward pass".
Every text is an English key rendered in the session's language (explorer.i18n); widget keys and
option ids never change with it.
"""

from __future__ import annotations

import json
import time

import pandas as pd
import streamlit as st

from explorer import i18n
from explorer.analysis import Analysis, analyse, format_bytes, format_count, format_shape
from explorer.blocks import ConvBlock, Design, ResBlock
from explorer.build import BuildError, build_model
from explorer.export import column_label, pytorch_source, table_csv, table_rows, torchinfo_text
from explorer.figures import compute_split, diagram_caption, diagram_image, diagram_plotly, params_macs_figure
from explorer.fonts import missing_font_notice
from explorer.formula import PYTORCH_FORMULA
from explorer.i18n import N_, Message, _
from explorer.presets import PRESETS, preset_totals
from explorer.runtime import forward_slot, pick_device, timed_forward
from explorer.share import encode_variant, is_unchanged_preset
from explorer.spec import Variant, variant_to_json
from explorer.story import input_story
from ui import build_state as bs
from ui import (
    guarded,
    keep_query,
    md,
    on_phone,
    page_setup,
    presenting,
    saved_variants,
    share_panel,
    show_notices,
    show_variant_error,
)

# Each preset's total (None: invalid), computed once per process (this module runs on every rerun);
# the words around it are rendered per reader.
PRESET_TOTALS: dict[str, int | None] = preset_totals()
TABS = [N_("Layers"), N_("Diagram"), N_("Parameters & compute"), N_("Forward pass"), N_("Share & export")]


def preset_label(name: str) -> str:
    """How a preset is offered (format_func): "torchvision — 61,100,840 params"."""
    if name not in PRESET_TOTALS:
        return str(name)
    total = PRESET_TOTALS[name]
    if total is None:
        return _("{name} — invalid (a lesson)", name=name)
    return _("{name} — {n:,} params", name=name, n=total)


def _name(name: str) -> str:
    """A variant's name for Markdown: a preset's as it is (known, plain), anything typed escaped."""
    return name if name in PRESETS else md(name)


def _tab_labels() -> list[str]:
    """The tabs in the session's language; the open tab stays open when the language changes.

    The tabs' state is the open tab's label: a label of another language (or the English id a
    link or a test sets) is turned into this language's label before the tabs are drawn.
    """
    labels = [_(tab) for tab in TABS]
    ss = st.session_state
    current = ss.get("build_tab")
    if isinstance(current, str) and current not in labels:
        for tab, label in zip(TABS, labels):
            if current in {Message(tab).render(lang) for lang in i18n.LANGUAGES}:
                ss["build_tab"] = label
                break
    return labels


# --- the sidebar: layout only; every value and callback comes from ui.build_state ----------------


def block_names(design: Design) -> list[str]:
    """conv1, conv2 … for conv blocks; res1, res2 … for residual blocks (stable: they never embed values)."""
    names, convs, res = [], 0, 0
    for block in design.blocks:
        if isinstance(block, ResBlock):
            res += 1
            names.append(f"res{res}")
        else:
            convs += 1
            names.append(f"conv{convs}")
    return names


def _block_summary(name: str, block: ConvBlock | ResBlock) -> str:
    """e.g. "conv2 · 256 @ 5×5/1 p2 g2 · LRN · max 3/2"; "res3 · 128, stride 2 · 1×1 shortcut"."""
    if isinstance(block, ResBlock):
        kinds = " → ".join(layer.type for layer in block.residual.body)
        short = _("1×1 conv shortcut (dashed)") if block.projection else _("identity shortcut (solid)")
        return _(
            "{name} · {kinds} · {channels} channels, stride {stride} · {shortcut}",
            name=name,
            kinds=kinds,
            channels=block.out_channels,
            stride=block.stride,
            shortcut=short,
        )
    c = block.conv
    text = f"{name} · {c.out_channels} @ {c.kernel}×{c.kernel}/{c.stride}"
    text += f" p{c.padding}" if c.padding else ""
    text += f" g{c.groups}" if c.groups > 1 else ""
    text += " · LRN" if block.lrn else ""
    if block.pool is not None:
        text += f" · {block.pool.type[:3]} {block.pool.kernel}/{block.pool.effective_stride}"
    return text


def _residual_controls(i: int, name: str, n_blocks: int) -> None:
    with st.container(border=True):
        st.markdown(_("**{name}** · output = body(x) + shortcut(x)", name=name))
        for field in ("rout", "rs", "rproj", "ract"):
            bs.block_widget(field, i)
        st.caption(_("Other details of the block (kernel sizes, batchnorm): Edit as JSON below."))
        st.button(
            _("✕ Remove {name}", name=name),
            key=f"b{i}_remove",
            on_click=bs.on_remove_block,
            args=(i,),
            disabled=n_blocks <= 1,
            width="stretch",
        )


def _block_controls(i: int, block: ConvBlock | ResBlock, n_blocks: int, name: str) -> None:
    if isinstance(block, ResBlock):
        _residual_controls(i, name, n_blocks)
        return
    with st.container(border=True):
        st.markdown(f"**{name}**")
        bs.block_widget("out", i)
        bs.block_widget("k", i)
        c1, c2 = st.columns(2)
        with c1:
            bs.block_widget("s", i)
        with c2:
            bs.block_widget("p", i)
        if block.conv.groups == 2:
            st.caption(_("groups = 2: the paper's two-GPU split"))
        bs.block_widget("g", i)
        c1, c2 = st.columns(2)
        with c1:
            bs.block_widget("act", i)
        with c2:
            bs.block_widget("bn", i)
        bs.block_widget("lrn", i)
        lrn = st.expander(_("LRN k, n, α, β"), key=f"b{i}_lrn_open", on_change="rerun")
        with lrn:
            if lrn.open:
                off = block.lrn is None
                for name_ in ("lrn_n", "lrn_a", "lrn_b", "lrn_k"):
                    bs.block_widget(name_, i, disabled=off)
        bs.block_widget("pool", i)
        off = block.pool is None
        c1, c2 = st.columns(2)
        with c1:
            bs.block_widget("pk", i, disabled=off)
            bs.block_widget("pp", i, disabled=off)
        with c2:
            bs.block_widget("ps", i, disabled=off)
            bs.block_widget("pceil", i, disabled=off)
        st.button(
            _("✕ Remove {name}", name=name),
            key=f"b{i}_remove",
            help=_("The only block cannot be removed.")
            if n_blocks <= 1
            else _("Take {name} out of the network", name=name),
            on_click=bs.on_remove_block,
            args=(i,),
            disabled=n_blocks <= 1,
            width="stretch",
        )


def _classifier(design: Design) -> None:
    # A lazy expander: its eight widgets cost every rerun only while it is open.
    box = st.expander(_("Classifier"), key="classifier_open", on_change="rerun")
    with box:
        if box.open:
            _classifier_controls(design)


def _classifier_controls(design: Design) -> None:
    bs.design_widget("head")
    if not design.head:
        bs.design_widget("adaptive_on", label=N_("adaptive average pool at the end"))
        bs.design_widget("adaptive_size", disabled=design.adaptive_pool is None)
        return
    bs.design_widget("adaptive_on")
    bs.design_widget("adaptive_size", disabled=design.adaptive_pool is None)
    bs.design_widget("hidden_n")
    first = len(design.blocks) + 1
    for j in range(len(design.hidden)):
        bs.design_widget(f"fc{j}_width", label=_("fc{n} width", n=first + j))
    bs.design_widget("dropout_on")
    bs.design_widget("dropout_p", disabled=design.dropout is None)
    bs.design_widget("classes")


def _sidebar() -> None:
    ss = st.session_state
    variant = bs.variant()
    design = bs.design_of(variant)
    with st.sidebar:
        bs.sync_widget("preset", ss[bs.BASE])
        st.selectbox(
            _("Preset"), list(PRESETS), key="preset", on_change=bs.on_preset, format_func=bs.in_language(preset_label)
        )
        # the presets' catalog translates their descriptions; an untranslated one is shown as written
        st.caption(md(_(PRESETS[ss[bs.BASE]].description)))
        st.button(_("Reset to preset"), key="reset", on_click=bs.on_reset, width="stretch")

        st.subheader(_("Input"))
        c1, c2 = st.columns(2)
        c1.button("224 × 224", key="in_224", on_click=bs.on_input_size, args=(224,), width="stretch")
        c2.button("227 × 227", key="in_227", on_click=bs.on_input_size, args=(227,), width="stretch")
        c1, c2 = st.columns(2)
        with c1:
            bs.design_widget("in_size")
        with c2:
            bs.design_widget("in_width")
        bs.design_widget("in_channels", format_func=lambda c: {1: _("1 (grayscale)"), 3: _("3 (RGB)")}.get(c, str(c)))

        if design is None:
            st.info(
                _(
                    "This variant has layers the sliders do not cover (e.g. batchnorm in the classifier). "
                    "Edit it as JSON below, or pick a preset."
                )
            )
        else:
            st.subheader(_("Convolution blocks"))
            n = len(design.blocks)
            if n:
                edit = bs.edit_index(design)
                bs.sync_widget("edit_block", edit)
                names = block_names(design)
                st.selectbox(
                    _("Edit block"),
                    range(n),
                    key="edit_block",
                    on_change=bs.on_edit_block,
                    format_func=lambda i: names[i] if 0 <= i < len(names) else str(i),  # stable: no values
                    help=_("One block's controls at a time keeps every slider move fast for a whole class."),
                )
                st.caption(md(_block_summary(names[edit], design.blocks[edit])))
                _block_controls(edit, design.blocks[edit], n, names[edit])
            else:
                st.caption(_("No convolution yet: this variant starts with its classifier."))
            st.button(
                _("＋ Add conv block"),
                key="add_block",
                on_click=bs.on_add_block,
                width="stretch",
                disabled=n >= bs.MAX_BLOCKS,
            )
            _classifier(design)

        if bs.json_error() is not None:
            ss["json_open"] = True  # the error is shown where the JSON is
        editor = st.expander(_("Edit as JSON"), key="json_open", on_change="rerun")
        with editor:
            if editor.open:
                st.caption(
                    _(
                        "Paste a config (the format the download gives) and apply it. Bad JSON keeps the current variant."
                    )
                )
                bs.sync_json_widget()
                st.text_area(_("config JSON"), key="json_text", height=260, on_change=bs.on_json_edit)
                c1, c2 = st.columns(2)
                c1.button(_("Apply JSON"), key="json_apply", on_click=bs.on_apply_json, width="stretch")
                c2.button(_("Load current"), key="json_refresh", width="stretch", on_click=bs.on_json_reload)
                error = bs.json_error()
                if error is not None:
                    show_variant_error(error)


def _phone_controls() -> None:
    """On a phone the sidebar is a drawer that covers the results: the controls that matter most
    (preset, input size, the shown block's channels, kernel, stride and padding) sit here, under
    the numbers they change. The same canonical variant: both sets of widgets always agree."""
    ss = st.session_state
    design = bs.design_of(bs.variant())
    with st.container(border=True, key="phone_controls"):
        bs.sync_widget("m_preset", ss[bs.BASE])
        st.selectbox(
            _("Preset"),
            list(PRESETS),
            key="m_preset",
            on_change=bs.on_preset,
            args=("m_preset",),
            format_func=bs.in_language(preset_label),
        )
        c1, c2 = st.columns(2)
        c1.button("224 × 224", key="m_in_224", on_click=bs.on_input_size, args=(224,), width="stretch")
        c2.button("227 × 227", key="m_in_227", on_click=bs.on_input_size, args=(227,), width="stretch")
        if design is not None and design.blocks and isinstance(design.blocks[bs.edit_index(design)], ConvBlock):
            edit = bs.edit_index(design)
            names = block_names(design)
            bs.sync_widget("m_edit_block", edit)
            st.selectbox(
                _("Edit block"),
                range(len(design.blocks)),
                key="m_edit_block",
                on_change=bs.on_edit_block,
                args=("m_edit_block",),
                format_func=lambda i: names[i] if 0 <= i < len(names) else str(i),
            )
            for name in ("out", "k", "s", "p"):
                bs.block_widget(name, edit, prefix="m_")
        st.caption(_("Every other control is in the sidebar: » at the top left."))


# --- the main area --------------------------------------------------------------------------


NOT_DEFINED = "—"  # a figure an invalid variant does not have


def _metric_columns() -> list:
    """Four across; two by two when presenting, so 56 px numbers fit a 1024×768 projector."""
    if presenting():
        return [*st.columns(2), *st.columns(2)]
    return list(st.columns(4))


METRICS = (N_("Parameters"), N_("MACs per image"), N_("Activation memory"), N_("Output shape"))


def _metrics(analysis: Analysis, base: Analysis) -> None:
    cols = _metric_columns()
    labels = [_(label) for label in METRICS]
    if not analysis.valid:
        why = _("The variant is invalid, so this total does not exist: fix the layer named in the red box.")
        for col, label in zip(cols, labels):
            col.metric(label, NOT_DEFINED, help=why)
        return

    def delta(now: int, then: int, fmt) -> str | None:
        if not base.valid or now == then:
            return None
        # ASCII "-": Streamlit reads the sign to point the arrow; grey, since bigger is not better or worse
        return ("+" if now > then else "-") + fmt(abs(now - then))

    cols[0].metric(
        labels[0],
        f"{analysis.total_params:,}",
        delta(analysis.total_params, base.total_params, lambda d: f"{d:,}"),
        help=_("{size} as fp32; change against the preset", size=format_bytes(analysis.param_bytes)),
        delta_color="off",
    )
    cols[1].metric(
        labels[1],
        format_count(analysis.total_macs),
        delta(analysis.total_macs, base.total_macs, format_count),
        help=_("{n:,} multiply-accumulates (conv and linear)", n=analysis.total_macs),
        delta_color="off",
    )
    cols[2].metric(
        labels[2],
        format_bytes(analysis.activation_bytes),
        delta(analysis.activation_bytes, base.activation_bytes, format_bytes),
        help=_("fp32, batch 1, input included"),
        delta_color="off",
    )
    out = format_shape(analysis.output_shape) if analysis.output_shape else NOT_DEFINED
    cols[3].metric(
        labels[3],
        out,
        None
        if not base.valid or analysis.output_shape == base.output_shape
        else _("was {shape}", shape=format_shape(base.output_shape or ())),
        delta_color="off",
    )


def _upsampling_notice(analysis: Analysis) -> None:
    """An adaptive pool larger than its input repeats values: fc6 sees more numbers than exist."""
    for r in analysis.rows:
        if r.type != "adaptiveavgpool" or len(r.input) != 3:
            continue
        c, h, w = r.input
        _c, oh, ow = r.output
        if oh > h or ow > w:
            st.info(
                _(
                    "**{name}** receives {h}×{w} maps but outputs {oh}×{ow}: the adaptive average pool *repeats* "
                    "values to fill them. The next layer sees {features:,} features, but only {distinct:,} "
                    "distinct numbers: the grid is upsampled, not new information.",
                    name=r.name,
                    h=h,
                    w=w,
                    oh=oh,
                    ow=ow,
                    features=c * oh * ow,
                    distinct=c * h * w,
                ),
                icon="🔁",
            )


def _story(analysis: Analysis) -> None:
    """The 224-vs-227 lesson: conv1's formula, then the whole chain of sizes beside the other input."""
    first = next((r for r in analysis.rows if r.type == "conv"), None)
    if first is None or first.formula_h is None:
        return
    f = first.formula_h
    # green when exact, blue when the remainder is harmless (it falls in the padding), amber when pixels are lost
    box = st.success if f.exact else (st.warning if f.uncovered else st.info)
    h, w = analysis.input_shape[1], analysis.input_shape[2]
    lines = [
        _("**{name}** ({h}×{w} input): `{formula}`", name=first.name, h=h, w=w, formula=f.text) + "  ",
        str(f.remainder_text),
    ]
    story = input_story(analysis.variant) if h == w and h in (224, 227) else None
    if story is not None and any(link.differs for link in story.links):
        lines += ["", *story.summary()]
    box("  \n".join(lines), icon="📐")
    if story is not None:
        st.button(
            _("try {size} →", size=story.other_size)
            if story.other_size > story.size
            else _("← back to {size}", size=story.other_size),
            key="story_toggle",
            on_click=bs.on_input_size,
            args=(story.other_size,),
            help=_("Same variant, the other input size: see which numbers change."),
        )


# Column help, by column id; shown in the session's language (`_column_help`).
COLUMN_HELP = {
    "MACs": N_("Multiply-accumulates for one image: each is one multiplication and one addition"),
    "receptive field": N_("How many input pixels (per side) one output value of this layer can see"),
    "jump": N_("Input pixels between two neighbouring outputs of this layer (the product of all strides so far)"),
    "memory (KiB)": N_("This layer's output, fp32, batch 1"),
    "changed": N_("The cells of this row that differ from the preset you started from"),
}
CHANGED = "changed"  # the marker column's id


def _header(column: str) -> str:
    return _("changed") if column == CHANGED else column_label(column)


def _column_help() -> dict:
    """Column configs keyed by the headers a reader sees (they are renamed at display time)."""
    config = {}
    for column, text in COLUMN_HELP.items():
        if column == "MACs":
            config[_header(column)] = st.column_config.NumberColumn(format="localized", help=_(text))
        elif column == "memory (KiB)":
            config[_header(column)] = st.column_config.NumberColumn(help=_(text))
        else:
            config[_header(column)] = st.column_config.TextColumn(help=_(text))
    return config


def _layer_table(analysis: Analysis, base: Analysis | None = None) -> None:
    rows = table_rows(analysis)
    failing = None  # the position of the failing layer's row
    if analysis.error is not None and analysis.error.layer is not None:
        e = analysis.error
        name = analysis.names[e.layer] if e.layer < len(analysis.names) else "?"
        # every cell filled: a missing number would turn the whole column into floats ("16.000000")
        failing = len(rows)
        rows.append(
            {key: NOT_DEFINED for key in (rows[0] if rows else {})}
            | {"#": str(e.layer), "layer": "✖ " + name, "type": e.layer_type or NOT_DEFINED, "output": _("invalid")}
        )
    frame = pd.DataFrame(rows)
    for col in ("receptive field", "jump"):  # text, with "—" where a flat layer has none (not "None")
        if col in frame:
            frame[col] = frame[col].map(
                lambda v: "—" if v is None or v != v else str(v) if isinstance(v, str) else f"{int(v)}"
            )
    column_config = {
        "params": st.column_config.NumberColumn(format="localized"),
        "% params": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.1f%%"),
        "% MACs": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.1f%%"),
    }
    styled = False
    if analysis.error is not None:
        # Text cells, so "—" can stand where a figure does not exist; the failing row in red.
        frame = frame.map(lambda x: f"{x:,}" if isinstance(x, int) and not isinstance(x, bool) else str(x))
        column_config = {}
        styled = True
    elif base is not None and base.valid and rows:
        # What differs from the preset, so the change is seen, not hunted: a marker column naming the
        # changed cells. (A pandas Styler colouring them cost 18 ms of server CPU per rerun against
        # 0.8 ms for the plain frame: 36% of a loaded server's time, see BENCHMARKS.md.)
        before = {r["layer"]: r for r in table_rows(base)}
        compared = ("type", "output", "params", "MACs", "receptive field", "jump")
        new = _("● new")

        def changed(row: dict) -> str:
            old = before.get(row["layer"])
            if old is None:
                return new
            return ", ".join(column_label(col) for col in compared if old.get(col) != row.get(col))

        marks = [changed(r) for r in rows]
        if any(marks):
            frame.insert(0, CHANGED, [f"● {m}" if m and m != new else m for m in marks])
    # Ids while computing, the reader's words on screen.
    frame = frame.rename(columns={c: _header(c) for c in frame.columns})
    column_config = {_header(c): config for c, config in column_config.items()}
    data = frame
    if styled:
        data = frame.style.apply(
            lambda r: ["background-color: #fde0dd" if r.name == failing else "" for _cell in r], axis=1
        )
    if presenting():  # a canvas table cannot grow its type; an HTML table can (≥ 18 px)
        st.table(data)
        return
    st.dataframe(
        data,
        key="layer_table",
        hide_index=True,
        width="stretch",
        height=min(35 * (len(rows) + 1) + 3, 900),  # 35 px a row: no blank row at the end
        column_config={**column_config, **_column_help()},
    )


def _formulas(analysis: Analysis) -> None:
    spatial = [r for r in analysis.rows if r.formulas]
    if not spatial:
        return
    st.markdown(
        _(
            "**Output size, worked out** — PyTorch's convention {formula}, P per side "
            "(⌈…⌉ in ceil mode; a last window starting in the padding is dropped).",
            formula=PYTORCH_FORMULA,
        )
    )
    choice = st.selectbox(_("Explain layer"), [r.name for r in spatial], key="explain_layer")
    row = next((r for r in spatial if r.name == choice), spatial[0])
    layer = analysis.variant.layers[row.index]
    fields = ", ".join(f"{k}={v}" for k, v in layer.to_dict(compact=False).items() if k != "type")
    # the fields are the config format's names (English in every language): a code span
    st.caption(_("{name} ({type}: `{fields}`) receives {shape}", name=row.name, type=row.type, fields=fields,
                 shape=format_shape(row.input)))  # fmt: skip
    for axis, f in row.formulas:
        st.markdown(f"- **{axis}**: `{f.text}`  \n  {f.remainder_text}")
    # Lazy expanders (here and below): a closed one sends nothing, so a slider move costs less.
    every = st.expander(_("All conv/pool layers"), key="formulas_open", on_change="rerun")
    with every:
        if every.open:
            st.markdown(
                "\n".join(
                    f"- **{r.name}**: `{r.formulas[0][1].text}` — {r.formulas[0][1].remainder_text}" for r in spatial
                )
            )


@st.cache_resource(max_entries=2, show_spinner=False)
def _model(variant: Variant, device: str):
    return build_model(variant, device=device)


def _forward(analysis: Analysis) -> None:
    device = pick_device()
    st.caption(
        _(
            "Runs a random 1-image batch on **{device}** (CUDA if available, else Apple MPS, else CPU), "
            "layer by layer, timing each (the GPU is synchronised) and checking every real tensor shape against "
            "the table.",
            device=device.type.upper(),
        )
    )
    if not analysis.valid:
        st.info(_("Fix the variant first: a forward pass needs a valid variant."))
        return
    if st.button(_("Run forward pass"), key="run_forward", type="primary"):
        with st.spinner(_("Waiting for a free slot (other students are running forward passes)…")):
            with forward_slot(timeout=60) as ok:
                if not ok:
                    st.warning(_("The server is busy with other forward passes; try again in a moment."))
                    return
                try:
                    model = _model(analysis.variant, device.type)
                    report = timed_forward(model, analysis, device=device)
                except BuildError as exc:
                    st.error(_("Not built: {error}", error=exc))
                    return
                except (RuntimeError, MemoryError) as exc:
                    first_line = (str(exc).splitlines() or [""])[0][:200]
                    st.error(_("The forward pass failed on {device}: {error}", device=device.type, error=first_line))
                    return
        st.session_state["_forward"] = (analysis.variant, report)
    stored = st.session_state.get("_forward")
    if stored and stored[0] == analysis.variant:
        report = stored[1]
        ok = (
            _("✅ every layer's real shape equals the engine's")
            if report.all_match
            else _("❌ shapes differ from the engine")
        )
        st.markdown(
            _("**{device}** · total {ms:.1f} ms · {verdict}", device=report.device, ms=report.total_ms, verdict=ok)
        )
        headers = [column_label("layer"), _("expected"), "PyTorch", _("match"), "ms"]
        st.dataframe(
            pd.DataFrame(
                [
                    dict(
                        zip(
                            headers,
                            (
                                t.name,
                                format_shape(t.expected),
                                format_shape(t.actual),
                                "✓" if t.matches else "✗",
                                round(t.milliseconds, 3),
                            ),
                        )
                    )
                    for t in report.layers
                ]
            ),
            hide_index=True,
            width="stretch",
            key="forward_table",
        )


def _share(analysis: Analysis) -> None:
    variant = analysis.variant
    lang = i18n.language()  # the downloads below run later, in another thread: they are given it
    st.markdown(
        _("The page's address always holds the current variant: **copy the URL from the address bar** to share it.")
    )
    c1, c2 = st.columns(2)
    c1.text_input(_("Save to compare as"), value=variant.name, key="save_name", max_chars=60)
    if c2.button(_("Save to compare"), key="save_variant"):
        name = st.session_state["save_name"].strip() or variant.name
        saved = saved_variants()
        if len(saved) >= 20 and name not in saved:
            st.warning(_("You have 20 saved variants; remove some on the Compare page first."))
        else:
            saved[name] = variant.renamed(name)
            st.success(_("Saved “{name}”: pick it on the Compare page.", name=md(name)))
    slug = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in variant.name)[:40] or "variant"
    cols = st.columns(3)
    cols[0].download_button(
        _("Config (JSON)"), variant_to_json(variant), f"{slug}.json", "application/json", key="dl_json"
    )
    cols[1].download_button(
        _("Layer table (CSV)"), table_csv(analysis, lang=lang), f"{slug}.csv", "text/csv", key="dl_csv"
    )
    cols[2].download_button(
        _("PyTorch code (.py)"),
        (lambda: pytorch_source(analysis)) if analysis.valid else "",
        f"{slug}.py",
        "text/x-python",
        key="dl_code",
        disabled=not analysis.valid,
    )
    cols = st.columns(3)
    cols[0].download_button(
        _("torchinfo summary (.txt)"),
        (lambda: torchinfo_text(analysis)) if analysis.valid else "",
        f"{slug}_torchinfo.txt",
        "text/plain",
        key="dl_torchinfo",
        disabled=not analysis.valid,
    )
    cols[1].download_button(
        _("Diagram for slides (PNG, 1920×1080)"),
        lambda: diagram_image(analysis, "png", lang=lang),
        f"{slug}.png",
        "image/png",
        key="dl_png",
    )
    cols[2].download_button(
        _("Diagram for slides (SVG)"),
        lambda: diagram_image(analysis, "svg", lang=lang),
        f"{slug}.svg",
        "image/svg+xml",
        key="dl_svg",
    )
    if not analysis.valid:
        st.caption(_("Code and torchinfo downloads need a valid variant."))
    notice = missing_font_notice(lang)
    if notice is not None:  # the slide files would show boxes for Chinese text: say which font is missing
        st.warning(str(notice), icon="🔤")


@guarded
def build_page() -> None:
    started = time.perf_counter()
    _render()
    # Server-side time of this rerun, read by bench/bench_build.py and shown to no one.
    st.session_state["_render_ms"] = (time.perf_counter() - started) * 1000


def _render() -> None:
    bs.init_state()
    _sidebar()
    variant = bs.variant()
    keep_query(encode_variant(variant))

    analysis = analyse(variant)
    base_name = st.session_state[bs.BASE]
    base = analyse(PRESETS[base_name])
    st.title(_("AlexNet Explorer"))
    show_notices()
    caption = (
        N_("Variant **{name}** · input {shape} · {n} layers · changes are shown against the preset **{base}**")
        if is_unchanged_preset(variant)
        else N_(
            "Variant **{name}** (modified) · input {shape} · {n} layers · "
            "changes are shown against the preset **{base}**"
        )
    )
    st.caption(
        _(
            caption,
            name=_name(variant.name),
            shape=format_shape(analysis.input_shape),
            n=len(variant.layers),
            base=_name(base_name),
        )
    )
    if analysis.error is not None:
        show_variant_error(analysis.error)
    _metrics(analysis, base)
    if on_phone() and not presenting():
        _phone_controls()
    _story(analysis)
    _upsampling_notice(analysis)
    share_panel()

    # Lazy tabs: only the open tab's content runs, so a slider move never rebuilds hidden figures.
    lang = i18n.language()
    tabs = st.tabs(_tab_labels(), key="build_tab", on_change="rerun")
    with tabs[0]:
        if tabs[0].open:
            _layer_table(analysis, base)
            if base.valid and analysis.valid and analysis.variant != base.variant:
                st.caption(
                    _(
                        "The “changed” column names the cells that differ from the preset **{name}**.",
                        name=_name(base.variant.name),
                    )
                )
            _formulas(analysis)
    with tabs[1]:
        if tabs[1].open:
            vertical = st.toggle(
                _("Vertical layout (phones)"), key="diagram_vertical", help=_("One map under the other, 390 px wide")
            )
            st.plotly_chart(
                _diagram_figure(variant, "vertical" if vertical else "page", 1376 if presenting() else None, lang),
                width="content" if vertical else "stretch",
                key="diagram",
                config={"toImageButtonOptions": {"format": "svg", "filename": variant.name}},
            )
            st.caption(diagram_caption(analysis) + " " + _("Slide-sized PNG/SVG (1920×1080): Share & export tab."))
    with tabs[2]:
        if tabs[2].open and analysis.total_params:
            fc, conv = compute_split(analysis)
            st.markdown(
                _(
                    "**{fc:.1f}%** of the parameters sit in the fully connected layers; "
                    "**{conv:.1f}%** of the multiply-accumulates happen in the convolutions.",
                    fc=100 * fc,
                    conv=100 * conv,
                )
            )
            st.plotly_chart(_params_figure(variant, lang), width="stretch", key="params_macs")
    with tabs[3]:
        if tabs[3].open:
            _forward(analysis)
    with tabs[4]:
        if tabs[4].open:
            _share(analysis)
            with st.expander(_("Config JSON")):
                st.code(json.dumps(variant.to_dict(), indent=2), language="json")


# Figures are shared by every session (a class moving the same slider hits the same entries); their
# text is in one language, so the language is part of the key.
@st.cache_data(max_entries=64, show_spinner=False)
def _diagram_figure(variant: Variant, layout: str = "page", width: int | None = None, lang: str = "en"):
    return diagram_plotly(analyse(variant), layout=layout, width=width, lang=lang)


@st.cache_data(max_entries=64, show_spinner=False)
def _params_figure(variant: Variant, lang: str = "en"):
    return params_macs_figure(analyse(variant), lang=lang)


page_setup(N_("Build"), "🧱")
build_page()

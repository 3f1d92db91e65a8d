"""The Build page (home of `streamlit run app.py`): build any AlexNet variant from sliders.

Thin: the sidebar edits a `Design` (explorer.blocks), the engine analyses it by arithmetic on
every rerun, and the page renders the results. A model is built only for "Run forward pass".
"""

from __future__ import annotations

import json
import time

import pandas as pd
import streamlit as st

from explorer.analysis import Analysis, analyse, format_bytes, format_count, format_shape
from explorer.blocks import ConvBlock, Design, ResBlock
from explorer.build import BuildError, build_model
from explorer.export import pytorch_source, table_csv, table_rows, torchinfo_text
from explorer.figures import compute_split, diagram_caption, diagram_image, diagram_plotly, params_macs_figure
from explorer.formula import PYTORCH_FORMULA
from explorer.presets import PRESETS
from explorer.runtime import forward_slot, pick_device, timed_forward
from explorer.share import encode_variant
from explorer.spec import Variant, variant_to_json
from explorer.story import input_story
from ui import build_state as bs
from ui import (
    guarded,
    keep_query,
    md,
    page_setup,
    presenting,
    saved_variants,
    share_panel,
    show_notices,
    show_variant_error,
)

PRESET_LABELS = {
    name: f"{name} — {a.total_params:,} params" if a.valid else f"{name} — invalid (a lesson)"
    for name, a in ((name, analyse(v)) for name, v in PRESETS.items())
}
TABS = ["Layers", "Diagram", "Parameters & compute", "Forward pass", "Share & export"]


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
        short = "1×1 conv shortcut (dashed)" if block.projection else "identity shortcut (solid)"
        return f"{name} · {kinds} · {block.out_channels} channels, stride {block.stride} · {short}"
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
        st.markdown(f"**{name}** · output = body(x) + shortcut(x)")
        for field in ("rout", "rs", "rproj", "ract"):
            bs.block_widget(field, i)
        st.caption("Other details of the block (kernel sizes, batchnorm): Edit as JSON below.")
        st.button(
            f"✕ Remove {name}",
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
            st.caption("groups = 2: the paper's two-GPU split")
        bs.block_widget("g", i)
        c1, c2 = st.columns(2)
        with c1:
            bs.block_widget("act", i)
        with c2:
            bs.block_widget("bn", i)
        bs.block_widget("lrn", i)
        with st.expander("LRN k, n, α, β"):
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
            f"✕ Remove {name}",
            key=f"b{i}_remove",
            help="The only block cannot be removed." if n_blocks <= 1 else f"Take {name} out of the network",
            on_click=bs.on_remove_block,
            args=(i,),
            disabled=n_blocks <= 1,
            width="stretch",
        )


def _classifier(design: Design) -> None:
    st.subheader("Classifier")
    bs.design_widget("head")
    if not design.head:
        bs.design_widget("adaptive_on", label="adaptive average pool at the end")
        bs.design_widget("adaptive_size", disabled=design.adaptive_pool is None)
        return
    bs.design_widget("adaptive_on")
    bs.design_widget("adaptive_size", disabled=design.adaptive_pool is None)
    bs.design_widget("hidden_n")
    first = len(design.blocks) + 1
    for j in range(len(design.hidden)):
        bs.design_widget(f"fc{j}_width", label=f"fc{first + j} width")
    bs.design_widget("dropout_on")
    bs.design_widget("dropout_p", disabled=design.dropout is None)
    bs.design_widget("classes")


def _sidebar() -> None:
    ss = st.session_state
    variant = bs.variant()
    design = bs.design_of(variant)
    with st.sidebar:
        bs.sync_widget("preset", ss[bs.BASE])
        st.selectbox("Preset", list(PRESETS), key="preset", on_change=bs.on_preset, format_func=PRESET_LABELS.get)
        st.caption(md(PRESETS[ss[bs.BASE]].description))
        st.button("Reset to preset", key="reset", on_click=bs.on_reset, width="stretch")

        st.subheader("Input")
        c1, c2 = st.columns(2)
        c1.button("224 × 224", key="in_224", on_click=bs.on_input_size, args=(224,), width="stretch")
        c2.button("227 × 227", key="in_227", on_click=bs.on_input_size, args=(227,), width="stretch")
        c1, c2 = st.columns(2)
        with c1:
            bs.design_widget("in_size")
        with c2:
            bs.design_widget("in_width")
        bs.design_widget("in_channels", format_func=lambda c: {1: "1 (grayscale)", 3: "3 (RGB)"}.get(c, str(c)))

        if design is None:
            st.info(
                "This variant has layers the sliders do not cover (e.g. batchnorm in the classifier). "
                "Edit it as JSON below, or pick a preset."
            )
        else:
            st.subheader("Convolution blocks")
            n = len(design.blocks)
            if n:
                edit = bs.edit_index(design)
                bs.sync_widget("edit_block", edit)
                names = block_names(design)
                st.selectbox(
                    "Edit block",
                    range(n),
                    key="edit_block",
                    on_change=bs.on_edit_block,
                    format_func=lambda i: names[i] if 0 <= i < len(names) else str(i),  # stable: no values
                    help="One block's controls at a time keeps every slider move fast for a whole class.",
                )
                st.caption(md(_block_summary(names[edit], design.blocks[edit])))
                _block_controls(edit, design.blocks[edit], n, names[edit])
            else:
                st.caption("No convolution yet: this variant starts with its classifier.")
            st.button(
                "＋ Add conv block",
                key="add_block",
                on_click=bs.on_add_block,
                width="stretch",
                disabled=n >= bs.MAX_BLOCKS,
            )
            _classifier(design)

        with st.expander("Edit as JSON", expanded=bs.json_error() is not None):
            st.caption(
                "Paste a config (the format the download gives) and apply it. Bad JSON keeps the current variant."
            )
            bs.sync_json_widget()
            st.text_area("config JSON", key="json_text", height=260, on_change=bs.on_json_edit)
            c1, c2 = st.columns(2)
            c1.button("Apply JSON", key="json_apply", on_click=bs.on_apply_json, width="stretch")
            c2.button("Load current", key="json_refresh", width="stretch", on_click=bs.on_json_reload)
            error = bs.json_error()
            if error is not None:
                show_variant_error(error)


# --- the main area --------------------------------------------------------------------------


NOT_DEFINED = "—"  # a figure an invalid variant does not have


def _metric_columns() -> list:
    """Four across; two by two when presenting, so 56 px numbers fit a 1024×768 projector."""
    if presenting():
        return [*st.columns(2), *st.columns(2)]
    return list(st.columns(4))


def _metrics(analysis: Analysis, base: Analysis) -> None:
    cols = _metric_columns()
    if not analysis.valid:
        why = "The variant is invalid, so this total does not exist: fix the layer named in the red box."
        for col, label in zip(cols, ("Parameters", "MACs per image", "Activation memory", "Output shape")):
            col.metric(label, NOT_DEFINED, help=why)
        return

    def delta(now: int, then: int, fmt) -> str | None:
        if not base.valid or now == then:
            return None
        # ASCII "-": Streamlit reads the sign to point the arrow; grey, since bigger is not better or worse
        return ("+" if now > then else "-") + fmt(abs(now - then))

    cols[0].metric(
        "Parameters",
        f"{analysis.total_params:,}",
        delta(analysis.total_params, base.total_params, lambda d: f"{d:,}"),
        help=f"{format_bytes(analysis.param_bytes)} as fp32; change against the preset",
        delta_color="off",
    )
    cols[1].metric(
        "MACs per image",
        format_count(analysis.total_macs),
        delta(analysis.total_macs, base.total_macs, format_count),
        help=f"{analysis.total_macs:,} multiply-accumulates (conv and linear)",
        delta_color="off",
    )
    cols[2].metric(
        "Activation memory",
        format_bytes(analysis.activation_bytes),
        delta(analysis.activation_bytes, base.activation_bytes, format_bytes),
        help="fp32, batch 1, input included",
        delta_color="off",
    )
    out = format_shape(analysis.output_shape) if analysis.output_shape else NOT_DEFINED
    cols[3].metric(
        "Output shape",
        out,
        None
        if not base.valid or analysis.output_shape == base.output_shape
        else f"was {format_shape(base.output_shape or ())}",
        delta_color="off",
    )


def _upsampling_notice(analysis: Analysis) -> None:
    """An adaptive pool larger than its input repeats values: fc6 sees more numbers than exist."""
    for r in analysis.rows:
        if r.type != "adaptiveavgpool" or len(r.input) != 3:
            continue
        c, h, w = r.input
        _, oh, ow = r.output
        if oh > h or ow > w:
            st.info(
                f"**{r.name}** receives {h}×{w} maps but outputs {oh}×{ow}: the adaptive average pool *repeats* "
                f"values to fill them. The next layer sees {c * oh * ow:,} features, but only {c * h * w:,} "
                "distinct numbers: the grid is upsampled, not new information.",
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
    lines = [
        f"**{first.name}** ({analysis.input_shape[1]}×{analysis.input_shape[2]} input): `{f.text}`  ",
        f.remainder_text,
    ]
    h, w = analysis.input_shape[1], analysis.input_shape[2]
    story = input_story(analysis.variant) if h == w and h in (224, 227) else None
    if story is not None and any(link.differs for link in story.links):
        here = " → ".join(f"**{link.text()}**" if link.differs else link.text() for link in story.links)
        there = " → ".join(link.text(other=True) for link in story.links)
        lines += ["", f"At {story.size}: {here}", f"At {story.other_size}: {there}"]
        if story.params_delta:
            sign = "fewer" if story.params_delta < 0 else "more"
            lines.append(
                f"So this variant has **{abs(story.params_delta):,} {sign}** parameters at {story.size} "
                f"than at {story.other_size}."
            )
    box("  \n".join(lines), icon="📐")
    if story is not None:
        st.button(
            f"try {story.other_size} →" if story.other_size > story.size else f"← back to {story.other_size}",
            key="story_toggle",
            on_click=bs.on_input_size,
            args=(story.other_size,),
            help="Same variant, the other input size: see which numbers change.",
        )


COLUMN_HELP = {
    "MACs": st.column_config.NumberColumn(
        format="localized", help="Multiply-accumulates for one image: each is one multiplication and one addition"
    ),
    "receptive field": st.column_config.TextColumn(
        help="How many input pixels (per side) one output value of this layer can see"
    ),
    "jump": st.column_config.TextColumn(
        help="Input pixels between two neighbouring outputs of this layer (the product of all strides so far)"
    ),
    "memory (KiB)": st.column_config.NumberColumn(help="This layer's output, fp32, batch 1"),
    "changed": st.column_config.TextColumn(help="The cells of this row that differ from the preset you started from"),
}


def _layer_table(analysis: Analysis, base: Analysis | None = None) -> None:
    rows = table_rows(analysis)
    if analysis.error is not None and analysis.error.layer is not None:
        e = analysis.error
        name = analysis.names[e.layer] if e.layer < len(analysis.names) else "?"
        # every cell filled: a missing number would turn the whole column into floats ("16.000000")
        rows.append(
            {key: NOT_DEFINED for key in (rows[0] if rows else {})}
            | {"#": str(e.layer), "layer": "✖ " + name, "type": e.layer_type or NOT_DEFINED, "output": "invalid"}
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
    data = frame
    if analysis.error is not None:
        # Text cells, so "—" can stand where a figure does not exist; the failing row in red.
        frame = frame.map(lambda x: f"{x:,}" if isinstance(x, int) and not isinstance(x, bool) else str(x))
        column_config = {}
        data = frame.style.apply(
            lambda r: ["background-color: #fde0dd" if r["output"] == "invalid" else "" for _ in r], axis=1
        )
    elif base is not None and base.valid and rows:
        # What differs from the preset, so the change is seen, not hunted: a marker column naming the
        # changed cells. (A pandas Styler colouring them cost 18 ms of server CPU per rerun against
        # 0.8 ms for the plain frame: 36% of a loaded server's time, see BENCHMARKS.md.)
        before = {r["layer"]: r for r in table_rows(base)}
        compared = ("type", "output", "params", "MACs", "receptive field", "jump")

        def changed(row: dict) -> str:
            old = before.get(row["layer"])
            if old is None:
                return "● new"
            return ", ".join(col for col in compared if old.get(col) != row.get(col))

        marks = [changed(r) for r in rows]
        if any(marks):
            frame.insert(0, "changed", [f"● {m}" if m and not m.startswith("●") else m for m in marks])
        data = frame
    if presenting():  # a canvas table cannot grow its type; an HTML table can (≥ 18 px)
        st.table(data)
        return
    st.dataframe(
        data,
        key="layer_table",
        hide_index=True,
        width="stretch",
        height=min(35 * (len(rows) + 1) + 3, 900),  # 35 px a row: no blank row at the end
        column_config={**column_config, **COLUMN_HELP} if column_config else COLUMN_HELP,
    )


def _formulas(analysis: Analysis) -> None:
    spatial = [r for r in analysis.rows if r.formulas]
    if not spatial:
        return
    st.markdown(
        f"**Output size, worked out** — PyTorch's convention {PYTORCH_FORMULA}, P per side "
        "(⌈…⌉ in ceil mode; a last window starting in the padding is dropped)."
    )
    choice = st.selectbox("Explain layer", [r.name for r in spatial], key="explain_layer")
    row = next(r for r in spatial if r.name == choice)
    layer = analysis.variant.layers[row.index]
    fields = ", ".join(f"{k}={v}" for k, v in layer.to_dict(compact=False).items() if k != "type")
    st.caption(f"{row.name} ({row.type}: {fields}) receives {format_shape(row.input)}")
    for axis, f in row.formulas:
        st.markdown(f"- **{axis}**: `{f.text}`  \n  {f.remainder_text}")
    with st.expander("All conv/pool layers"):
        st.markdown(
            "\n".join(f"- **{r.name}**: `{r.formulas[0][1].text}` — {r.formulas[0][1].remainder_text}" for r in spatial)
        )


@st.cache_resource(max_entries=2, show_spinner=False)
def _model(variant: Variant, device: str):
    return build_model(variant, device=device)


def _forward(analysis: Analysis) -> None:
    device = pick_device()
    st.caption(
        f"Runs a random 1-image batch on **{device.type.upper()}** (CUDA if available, else Apple MPS, else CPU), "
        "layer by layer, timing each (the GPU is synchronised) and checking every real tensor shape against the table."
    )
    if not analysis.valid:
        st.info("Fix the variant first: a forward pass needs a valid variant.")
        return
    if st.button("Run forward pass", key="run_forward", type="primary"):
        with st.spinner("Waiting for a free slot (other students are running forward passes)…"):
            with forward_slot(timeout=60) as ok:
                if not ok:
                    st.warning("The server is busy with other forward passes; try again in a moment.")
                    return
                try:
                    model = _model(analysis.variant, device.type)
                    report = timed_forward(model, analysis, device=device)
                except BuildError as exc:
                    st.error(f"Not built: {exc}")
                    return
                except (RuntimeError, MemoryError) as exc:
                    st.error(f"The forward pass failed on {device.type}: {str(exc).splitlines()[0][:200]}")
                    return
        st.session_state["_forward"] = (analysis.variant, report)
    stored = st.session_state.get("_forward")
    if stored and stored[0] == analysis.variant:
        report = stored[1]
        ok = (
            "✅ every layer's real shape equals the engine's"
            if report.all_match
            else "❌ shapes differ from the engine"
        )
        st.markdown(f"**{report.device}** · total {report.total_ms:.1f} ms · {ok}")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "layer": t.name,
                        "expected": format_shape(t.expected),
                        "PyTorch": format_shape(t.actual),
                        "match": "✓" if t.matches else "✗",
                        "ms": round(t.milliseconds, 3),
                    }
                    for t in report.layers
                ]
            ),
            hide_index=True,
            width="stretch",
            key="forward_table",
        )


def _share(analysis: Analysis) -> None:
    variant = analysis.variant
    st.markdown(
        "The page's address always holds the current variant: **copy the URL from the address bar** to share it."
    )
    c1, c2 = st.columns(2)
    c1.text_input("Save to compare as", value=variant.name, key="save_name", max_chars=60)
    if c2.button("Save to compare", key="save_variant"):
        name = st.session_state["save_name"].strip() or variant.name
        saved = saved_variants()
        if len(saved) >= 20 and name not in saved:
            st.warning("You have 20 saved variants; remove some on the Compare page first.")
        else:
            saved[name] = variant.renamed(name)
            st.success(f"Saved “{md(name)}”: pick it on the Compare page.")
    slug = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in variant.name)[:40] or "variant"
    cols = st.columns(3)
    cols[0].download_button(
        "Config (JSON)", variant_to_json(variant), f"{slug}.json", "application/json", key="dl_json"
    )
    cols[1].download_button("Layer table (CSV)", table_csv(analysis), f"{slug}.csv", "text/csv", key="dl_csv")
    cols[2].download_button(
        "PyTorch code (.py)",
        (lambda: pytorch_source(analysis)) if analysis.valid else "",
        f"{slug}.py",
        "text/x-python",
        key="dl_code",
        disabled=not analysis.valid,
    )
    cols = st.columns(3)
    cols[0].download_button(
        "torchinfo summary (.txt)",
        (lambda: torchinfo_text(analysis)) if analysis.valid else "",
        f"{slug}_torchinfo.txt",
        "text/plain",
        key="dl_torchinfo",
        disabled=not analysis.valid,
    )
    cols[1].download_button(
        "Diagram for slides (PNG, 1920×1080)",
        lambda: diagram_image(analysis, "png"),
        f"{slug}.png",
        "image/png",
        key="dl_png",
    )
    cols[2].download_button(
        "Diagram for slides (SVG)", lambda: diagram_image(analysis, "svg"), f"{slug}.svg", "image/svg+xml", key="dl_svg"
    )
    if not analysis.valid:
        st.caption("Code and torchinfo downloads need a valid variant.")


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
    st.title("AlexNet Explorer")
    show_notices()
    modified = "" if PRESETS.get(variant.name) == variant else " (modified)"
    st.caption(
        f"Variant **{md(variant.name)}**{modified} · input {format_shape(analysis.input_shape)} · "
        f"{len(variant.layers)} layers · changes are shown against the preset **{md(base_name)}**"
    )
    if analysis.error is not None:
        show_variant_error(analysis.error)
    _metrics(analysis, base)
    _story(analysis)
    _upsampling_notice(analysis)
    share_panel()

    # Lazy tabs: only the open tab's content runs, so a slider move never rebuilds hidden figures.
    tabs = st.tabs(TABS, key="build_tab", on_change="rerun")
    with tabs[0]:
        if tabs[0].open:
            _layer_table(analysis, base)
            if base.valid and analysis.valid and analysis.variant != base.variant:
                st.caption(f"Yellow: cells that differ from the preset **{md(base.variant.name)}**.")
            _formulas(analysis)
    with tabs[1]:
        if tabs[1].open:
            vertical = st.toggle(
                "Vertical layout (phones)", key="diagram_vertical", help="One map under the other, 390 px wide"
            )
            st.plotly_chart(
                _diagram_figure(variant, "vertical" if vertical else "page", 1376 if presenting() else None),
                width="content" if vertical else "stretch",
                key="diagram",
                config={"toImageButtonOptions": {"format": "svg", "filename": variant.name}},
            )
            st.caption(diagram_caption(analysis) + " Slide-sized PNG/SVG (1920×1080): Share & export tab.")
    with tabs[2]:
        if tabs[2].open and analysis.total_params:
            fc, conv = compute_split(analysis)
            st.markdown(
                f"**{100 * fc:.1f}%** of the parameters sit in the fully connected layers; "
                f"**{100 * conv:.1f}%** of the multiply-accumulates happen in the convolutions."
            )
            st.plotly_chart(_params_figure(variant), width="stretch", key="params_macs")
    with tabs[3]:
        if tabs[3].open:
            _forward(analysis)
    with tabs[4]:
        if tabs[4].open:
            _share(analysis)
            with st.expander("Config JSON"):
                st.code(json.dumps(variant.to_dict(), indent=2), language="json")


# Figures are shared by every session (a class moving the same slider hits the same entries).
@st.cache_data(max_entries=64, show_spinner=False)
def _diagram_figure(variant: Variant, layout: str = "page", width: int | None = None):
    return diagram_plotly(analyse(variant), layout=layout, width=width)


@st.cache_data(max_entries=64, show_spinner=False)
def _params_figure(variant: Variant):
    return params_macs_figure(analyse(variant))


page_setup("Build", "🧱")
build_page()

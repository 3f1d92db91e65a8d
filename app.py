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
from explorer.blocks import ACTIVATIONS, ConvBlock, Design, default_block, design_from_variant
from explorer.build import BuildError, build_model
from explorer.export import pytorch_source, table_csv, table_rows, torchinfo_text
from explorer.figures import compute_split, diagram_image, diagram_plotly, params_macs_figure
from explorer.formula import PYTORCH_FORMULA
from explorer.presets import DEFAULT_PRESET, PRESETS
from explorer.runtime import forward_slot, pick_device, timed_forward
from explorer.share import decode_query, encode_variant
from explorer.spec import LRN, AvgPool, Conv, InputSpec, MaxPool, SpecError, Variant, variant_from_json, variant_to_json
from ui import guarded, saved_variants, set_current_variant, show_variant_error, sidebar_nav

POOL_KINDS = {"none": None, "max": MaxPool, "avg": AvgPool}
PRESET_LABELS = {
    name: f"{name} — {a.total_params:,} params" if a.valid else f"{name} — invalid (a lesson)"
    for name, a in ((name, analyse(v)) for name, v in PRESETS.items())
}
MAX_BLOCKS = 12
TABS = ["Layers", "Diagram", "Parameters & compute", "Forward pass", "Share & export"]


# --- loading a variant into the widgets (only from callbacks or before widgets exist) ---------


def _load(variant: Variant, *, base: str | None = None) -> None:
    """Make `variant` current and write every sidebar widget's value from it."""
    set_current_variant(variant)
    if base is not None:
        st.session_state["_base"] = base
    st.session_state["preset"] = st.session_state.get("_base", DEFAULT_PRESET)
    st.session_state["json_text"] = variant_to_json(variant)
    design = design_from_variant(variant)
    st.session_state["_design"] = design
    st.session_state["in_size"] = variant.input.height
    st.session_state["in_width"] = variant.input.width
    st.session_state["in_channels"] = variant.input.channels
    if design is None:
        return
    st.session_state["n_blocks"] = len(design.blocks)
    edit = min(st.session_state.get("_edit", 0), len(design.blocks) - 1)
    st.session_state["_edit"] = st.session_state["edit_block"] = edit
    _load_block(edit, design.blocks[edit])
    st.session_state["adaptive_on"] = design.adaptive_pool is not None
    st.session_state["adaptive_size"] = design.adaptive_pool or 6
    st.session_state["hidden_n"] = len(design.hidden)
    for j, width in enumerate(design.hidden):
        st.session_state[f"fc{j}_width"] = width
    st.session_state["dropout_on"] = design.dropout is not None
    st.session_state["dropout_p"] = design.dropout if design.dropout is not None else 0.5
    st.session_state["classes"] = design.classes


def _load_block(i: int, block: ConvBlock) -> None:
    conv = block.conv
    st.session_state.update(
        {
            f"b{i}_out": conv.out_channels,
            f"b{i}_k": conv.kernel,
            f"b{i}_s": conv.stride,
            f"b{i}_p": conv.padding,
            f"b{i}_g": conv.groups,
            f"b{i}_bn": block.batchnorm,
            f"b{i}_act": block.activation,
            f"b{i}_lrn": block.lrn is not None,
        }
    )
    lrn = block.lrn or LRN()
    st.session_state.update(
        {f"b{i}_lrn_n": lrn.size, f"b{i}_lrn_a": lrn.alpha, f"b{i}_lrn_b": lrn.beta, f"b{i}_lrn_k": lrn.k}
    )
    pool = block.pool
    st.session_state.update(
        {
            f"b{i}_pool": "none" if pool is None else pool.type.replace("pool", ""),
            f"b{i}_pk": pool.kernel if pool else 3,
            f"b{i}_ps": pool.effective_stride if pool else 2,
            f"b{i}_pp": pool.padding if pool else 0,
            f"b{i}_pceil": pool.ceil_mode if pool else False,
        }
    )


def _on_preset() -> None:
    name = st.session_state["preset"]
    _load(PRESETS[name], base=name)


def _on_reset() -> None:
    name = st.session_state.get("_base", DEFAULT_PRESET)
    _load(PRESETS[name], base=name)


def _on_input_size(size: int) -> None:
    st.session_state["in_size"] = size
    st.session_state["in_width"] = size


def _on_edit_block() -> None:
    """Show another block's controls: write its values (kept in the design) into the widgets."""
    st.session_state["_edit"] = st.session_state["edit_block"]
    design: Design = st.session_state["_design"]
    _load_block(st.session_state["_edit"], design.blocks[st.session_state["_edit"]])


def _on_add_block() -> None:
    design: Design = _design_from_widgets()
    if len(design.blocks) >= MAX_BLOCKS:
        return
    channels = design.blocks[-1].conv.out_channels if design.blocks else 64
    st.session_state["_edit"] = len(design.blocks)
    _load(design.replace(blocks=(*design.blocks, default_block(channels))).to_variant())


def _on_remove_block(i: int) -> None:
    design = _design_from_widgets()
    if len(design.blocks) <= 1:
        return
    st.session_state["_edit"] = max(0, i - 1)
    _load(design.replace(blocks=design.blocks[:i] + design.blocks[i + 1 :]).to_variant())


def _on_hidden_n() -> None:
    for j in range(st.session_state["hidden_n"]):
        st.session_state.setdefault(f"fc{j}_width", 4096)


def _on_apply_json() -> None:
    text = st.session_state.get("json_text", "")
    try:
        variant = variant_from_json(text)
    except SpecError as exc:
        st.session_state["_json_error"] = exc.error
        return
    st.session_state["_json_error"] = None
    _load(variant)


def _init_state() -> None:
    """First run of a session: a shared link, else the default preset; later: restore widgets."""
    if "_initialised" not in st.session_state:
        st.session_state["_initialised"] = True
        variant, notice = decode_query(st.query_params.to_dict())
        st.session_state["_link_notice"] = notice
        variant = variant or PRESETS[DEFAULT_PRESET]
        base = variant.name if variant.name in PRESETS else DEFAULT_PRESET
        _load(variant, base=base)
    elif "in_size" not in st.session_state:
        # Streamlit drops widget state when another page ran; rebuild it from the kept variant.
        _load(st.session_state["variant"])


# --- the sidebar ----------------------------------------------------------------------------


def _design_from_widgets() -> Design:
    ss = st.session_state
    base: Design = ss["_design"]
    blocks = []
    for i in range(ss["n_blocks"]):
        old = base.blocks[i] if i < len(base.blocks) else default_block()
        if i != ss.get("_edit") or f"b{i}_out" not in ss:
            blocks.append(old)  # only the block being edited has widgets; the design keeps the rest
            continue
        conv = Conv(
            ss[f"b{i}_out"],
            ss[f"b{i}_k"],
            stride=ss[f"b{i}_s"],
            padding=ss[f"b{i}_p"],
            dilation=old.conv.dilation,
            groups=ss[f"b{i}_g"],
            bias=old.conv.bias,
        )
        lrn = (
            LRN(ss[f"b{i}_lrn_n"], ss[f"b{i}_lrn_a"], ss[f"b{i}_lrn_b"], ss[f"b{i}_lrn_k"]) if ss[f"b{i}_lrn"] else None
        )
        pool_cls = POOL_KINDS[ss[f"b{i}_pool"]]
        pool = pool_cls(ss[f"b{i}_pk"], ss[f"b{i}_ps"], ss[f"b{i}_pp"], ss[f"b{i}_pceil"]) if pool_cls else None
        blocks.append(ConvBlock(conv, ss[f"b{i}_bn"], ss[f"b{i}_act"], lrn, pool))
    return base.replace(
        name=base.name,
        input=InputSpec(ss["in_channels"], ss["in_size"], ss["in_width"]),
        blocks=tuple(blocks),
        adaptive_pool=ss["adaptive_size"] if ss["adaptive_on"] else None,
        hidden=tuple(ss[f"fc{j}_width"] for j in range(ss["hidden_n"])),
        classes=ss["classes"],
        dropout=ss["dropout_p"] if ss["dropout_on"] else None,
    )


def _block_summary(name: str, block: ConvBlock) -> str:
    """e.g. "conv2 · 256 @ 5×5/1 p2 g2 · LRN · max 3/2"."""
    c = block.conv
    text = f"{name} · {c.out_channels} @ {c.kernel}×{c.kernel}/{c.stride}"
    text += f" p{c.padding}" if c.padding else ""
    text += f" g{c.groups}" if c.groups > 1 else ""
    text += " · LRN" if block.lrn else ""
    if block.pool is not None:
        text += f" · {block.pool.type[:3]} {block.pool.kernel}/{block.pool.effective_stride}"
    return text


def _slider(label: str, key: str, lo: int, hi: int, **kwargs) -> None:
    # A range that always contains the current value (a JSON import may go past the usual range).
    value = st.session_state.get(key, lo)
    st.slider(label, min_value=min(lo, value), max_value=max(hi, value), key=key, **kwargs)


def _block_controls(i: int, block_name: str) -> None:
    with st.container(border=True):
        head, remove = st.columns([4, 1])
        head.markdown(f"**{block_name}**")
        remove.button(
            "✕",
            key=f"b{i}_remove",
            help=f"Remove {block_name}",
            on_click=_on_remove_block,
            args=(i,),
            disabled=st.session_state["n_blocks"] <= 1,
        )
        st.number_input("out channels", 1, 4096, key=f"b{i}_out", step=16)
        _slider("kernel", f"b{i}_k", 1, 15)
        c1, c2 = st.columns(2)
        with c1:
            _slider("stride", f"b{i}_s", 1, 8)
        with c2:
            _slider("padding", f"b{i}_p", 0, 10)
        groups = st.session_state.get(f"b{i}_g", 1)
        st.number_input(
            "groups" + (" — the paper's two-GPU split" if groups == 2 else ""),
            1,
            64,
            key=f"b{i}_g",
            help="2 = the 2012 paper's split across two GPUs: each half of the filters sees only its own GPU's "
            "half of the input channels, halving the weights.",
        )
        c1, c2 = st.columns(2)
        with c1:
            st.selectbox("activation", list(ACTIVATIONS), key=f"b{i}_act")
        with c2:
            st.checkbox("batchnorm", key=f"b{i}_bn")
        st.checkbox("LRN after it", key=f"b{i}_lrn", help="Local response normalisation, as in the 2012 paper")
        with st.expander("LRN k, n, α, β"):
            off = not st.session_state[f"b{i}_lrn"]
            st.number_input("n (window size)", 1, 99, key=f"b{i}_lrn_n", disabled=off)
            st.number_input(
                "α (paper's, not divided by n)", 0.0, 1.0, key=f"b{i}_lrn_a", format="%.6f", step=1e-5, disabled=off
            )
            st.number_input("β", 0.0, 10.0, key=f"b{i}_lrn_b", step=0.05, disabled=off)
            st.number_input("k", 0.01, 100.0, key=f"b{i}_lrn_k", step=0.5, disabled=off)
        st.selectbox("pooling after it", list(POOL_KINDS), key=f"b{i}_pool")
        off = st.session_state[f"b{i}_pool"] == "none"
        c1, c2 = st.columns(2)
        with c1:
            _slider("pool kernel", f"b{i}_pk", 1, 7, disabled=off)
            _slider("pool padding", f"b{i}_pp", 0, 3, disabled=off)
        with c2:
            _slider("pool stride", f"b{i}_ps", 1, 7, disabled=off, help="3/2 overlaps (the paper); 2/2 does not")
            st.checkbox("ceil mode", key=f"b{i}_pceil", disabled=off, help="round up, as Caffe's pooling does")


def _sidebar() -> Variant:
    ss = st.session_state
    sb = st.sidebar
    with sb:
        st.selectbox(
            "Preset",
            list(PRESETS),
            key="preset",
            on_change=_on_preset,
            format_func=PRESET_LABELS.get,
        )
        st.caption(PRESETS[ss["_base"]].description)
        st.button("Reset to preset", key="reset", on_click=_on_reset, width="stretch")

        st.subheader("Input")
        c1, c2 = st.columns(2)
        c1.button("224 × 224", key="in_224", on_click=_on_input_size, args=(224,), width="stretch")
        c2.button("227 × 227", key="in_227", on_click=_on_input_size, args=(227,), width="stretch")
        c1, c2 = st.columns(2)
        with c1:
            st.number_input("height", 1, 4096, key="in_size")
        with c2:
            st.number_input("width", 1, 4096, key="in_width")
        channels = sorted({1, 3, ss["in_channels"]})
        st.radio(
            "channels",
            channels,
            key="in_channels",
            horizontal=True,
            format_func=lambda c: {1: "1 (grayscale)", 3: "3 (RGB)"}.get(c, str(c)),
        )

        design = ss.get("_design")
        if design is None:
            st.info(
                "This variant has layers the sliders do not cover (e.g. batchnorm in the classifier). "
                "Edit it as JSON below, or pick a preset."
            )
            variant = ss["variant"].with_input(channels=ss["in_channels"], height=ss["in_size"], width=ss["in_width"])
        else:
            st.subheader("Convolution blocks")
            names = [f"conv{i + 1}" for i in range(ss["n_blocks"])]
            st.selectbox(
                "Edit block",
                range(ss["n_blocks"]),
                key="edit_block",
                on_change=_on_edit_block,
                format_func=lambda i: (
                    _block_summary(names[i], design.blocks[i]) if i < len(design.blocks) else names[i]
                ),
                help="One block's controls at a time keeps every slider move fast for a whole class.",
            )
            _block_controls(ss["_edit"], names[ss["_edit"]])
            st.button(
                "＋ Add conv block",
                key="add_block",
                on_click=_on_add_block,
                width="stretch",
                disabled=ss["n_blocks"] >= MAX_BLOCKS,
            )

            st.subheader("Classifier")
            st.checkbox("adaptive average pool before flatten", key="adaptive_on")
            _slider("adaptive pool output size", "adaptive_size", 1, 13, disabled=not ss["adaptive_on"])
            st.number_input("hidden fully connected layers", 0, 4, key="hidden_n", on_change=_on_hidden_n)
            for j in range(ss["hidden_n"]):
                st.number_input(f"fc{len(names) + 1 + j} width", 1, 16384, key=f"fc{j}_width", step=256)
            st.checkbox("dropout", key="dropout_on")
            st.slider("dropout p", 0.0, 0.95, key="dropout_p", step=0.05, disabled=not ss["dropout_on"])
            st.number_input("classes", 1, 100_000, key="classes")
            variant = _design_from_widgets().to_variant()

        with st.expander("Edit as JSON"):
            st.caption(
                "Paste a config (the format the download gives) and apply it. Bad JSON keeps the current variant."
            )
            st.text_area("config JSON", key="json_text", height=260)
            c1, c2 = st.columns(2)
            c1.button("Apply JSON", key="json_apply", on_click=_on_apply_json, width="stretch")
            c2.button(
                "Load current",
                key="json_refresh",
                width="stretch",
                on_click=lambda: ss.update(json_text=variant_to_json(ss["variant"]), _json_error=None),
            )
            error = ss.get("_json_error")
            if error is not None:
                show_variant_error(error)
    return variant


# --- the main area --------------------------------------------------------------------------


def _metrics(analysis: Analysis, base: Analysis) -> None:
    cols = st.columns(4)
    valid = analysis.valid

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
    out = format_shape(analysis.output_shape) if valid and analysis.output_shape else "invalid"
    cols[3].metric(
        "Output shape",
        out,
        None
        if not valid or analysis.output_shape == base.output_shape
        else f"was {format_shape(base.output_shape or ())}",
        delta_color="off",
    )


def _story(analysis: Analysis) -> None:
    """The 224-vs-227 lesson for the first conv, in one sentence with its numbers."""
    first = next((r for r in analysis.rows if r.type == "conv"), None)
    if first is None or first.formula_h is None:
        return
    f = first.formula_h
    box = st.success if f.exact else st.warning
    box(
        f"**{first.name}** ({analysis.input_shape[1]}×{analysis.input_shape[2]} input): `{f.text}`  \n{f.remainder_text}",
        icon="📐",
    )


def _layer_table(analysis: Analysis) -> None:
    rows = table_rows(analysis)
    if analysis.error is not None and analysis.error.layer is not None:
        e = analysis.error
        rows.append(
            {
                "#": e.layer,
                "layer": "✖ " + (analysis.names[e.layer] if e.layer < len(analysis.names) else "?"),
                "type": e.layer_type,
                "output": "invalid",
            }
        )
    frame = pd.DataFrame(rows)
    st.dataframe(
        frame.style.apply(
            lambda r: ["background-color: #fde0dd" if str(r["output"]) == "invalid" else "" for _ in r], axis=1
        )
        if analysis.error is not None
        else frame,
        key="layer_table",
        hide_index=True,
        width="stretch",
        height=min(36 * (len(rows) + 1) + 4, 900),
        column_config={
            "params": st.column_config.NumberColumn(format="localized"),
            "MACs": st.column_config.NumberColumn(format="localized"),
            "% params": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.1f%%"),
            "% MACs": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.1f%%"),
        },
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
            st.success(f"Saved “{name}”: pick it on the Compare page.")
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
        "Diagram (PNG)", lambda: diagram_image(analysis, "png"), f"{slug}.png", "image/png", key="dl_png"
    )
    cols[2].download_button(
        "Diagram (SVG)", lambda: diagram_image(analysis, "svg"), f"{slug}.svg", "image/svg+xml", key="dl_svg"
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
    _init_state()
    variant = _sidebar()
    set_current_variant(variant)
    st.session_state["_design"] = design_from_variant(variant) or st.session_state.get("_design")
    st.query_params.from_dict(encode_variant(variant))

    analysis = analyse(variant)
    base = analyse(PRESETS[st.session_state["_base"]])
    st.title("AlexNet Explorer")
    notice = st.session_state.pop("_link_notice", None)
    if notice:
        st.warning(f"{notice} Showing the default variant instead.", icon="🔗")
    st.caption(
        f"Variant **{variant.name}**{'' if PRESETS.get(variant.name) == variant else ' (modified)'} · input {format_shape(analysis.input_shape)} · "
        f"{len(variant.layers)} layers · changes are shown against the preset **{st.session_state['_base']}**"
    )
    _metrics(analysis, base)
    if analysis.error is not None:
        show_variant_error(analysis.error)
    _story(analysis)

    # Lazy tabs: only the open tab's content runs, so a slider move never rebuilds hidden figures.
    tabs = st.tabs(TABS, key="build_tab", on_change="rerun")
    with tabs[0]:
        if tabs[0].open:
            _layer_table(analysis)
            _formulas(analysis)
    with tabs[1]:
        if tabs[1].open:
            st.plotly_chart(
                _diagram_figure(variant),
                width="stretch",
                key="diagram",
                config={"toImageButtonOptions": {"format": "svg", "filename": variant.name}},
            )
            st.caption(
                "One block per feature map (C×H×W; size grows with H and channels), two towers where a grouped "
                "conv splits the channels (the paper's two GPUs), the classifier as bars. PNG/SVG files: "
                "Share & export tab."
            )
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
def _diagram_figure(variant: Variant):
    return diagram_plotly(analyse(variant))


@st.cache_data(max_entries=64, show_spinner=False)
def _params_figure(variant: Variant):
    return params_macs_figure(analyse(variant))


st.set_page_config(page_title="Build · AlexNet Explorer", page_icon="🧱", layout="wide")
sidebar_nav()
build_page()

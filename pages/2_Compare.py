"""Compare page: 2–4 variants aligned layer by layer, every difference explained, shareable.

Reads the current and saved variants from the session (ui.variant_choices), the comparison from the
URL (?compare=…) on first load, and writes the selection back to the URL on every run. All the
arithmetic lives in explorer.compare; this file only renders.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from explorer.analysis import format_count, format_shape
from explorer.compare import (
    DEFAULT_SELECTION,
    MAX_VARIANTS,
    MIN_VARIANTS,
    Comparison,
    ShareError,
    compare,
    comparison_csv,
    comparison_latex,
    comparison_markdown,
    decode_selection,
    encode_selection,
    feature_grid,
    role_feature_maps,
    spatial_roles,
)
from explorer.figures_compare import funnel_figure, macs_figure, params_figure
from explorer.images import ImageError, image_digest, load_image, load_sample, preprocess, sample_names
from explorer.presets import PRESETS
from explorer.runtime import forward_slot
from explorer.spec import MAX_JSON_CHARS, SpecError, Variant, variant_from_json
from explorer.stages import architecture_notes, stages
from ui import CURRENT, callback, guarded, md, page_setup, share_panel, show_variant_error, variant_choices
from ui.build_state import sync_widget

QUERY_KEY = "compare"
SELECT_KEY = "compare_select"  # the multiselect widget; written from SELECTION before it is drawn
SELECTION = "_compare_selection"  # the canonical selection: outlives visits to other pages
EXTRA_KEY = "compare_extra"  # {label: Variant}: variants from the link or from uploaded configs
NOTICE_KEY = "compare_notice"
LOADED_KEY = "compare_loaded"
UPLOADED_KEY = "compare_uploaded_ids"
DIFF_BG = "background-color: #fff3b0"
ERROR_BG = "background-color: #fde0dd; color: #a50f15"
MUTED = "color: #999999"


@st.cache_data(max_entries=64, show_spinner=False)
def _role_pictures(variant: Variant, role: str, image_key: str, _image: object) -> tuple[np.ndarray, np.ndarray, str]:
    """(the crop the variant sees, a grid of the role's first 16 feature maps, the maps' shape)."""
    pre = preprocess(_image, variant.input)  # type: ignore[arg-type]
    with forward_slot(timeout=30) as ok:
        if not ok:
            raise TimeoutError("the server is busy running other forward passes")
        maps = role_feature_maps(variant, pre.tensor, role)
    return np.asarray(pre.crop), feature_grid(maps, count=16, columns=4), format_shape(maps.shape)


@callback
def _on_select() -> None:
    chosen = st.session_state.get(SELECT_KEY)
    if isinstance(chosen, list) and all(isinstance(x, str) for x in chosen):
        st.session_state[SELECTION] = chosen[:MAX_VARIANTS]


def render_link_and_upload() -> None:
    """First load: read ?compare=…; then any uploaded config joins the choices (and the selection)."""
    extras: dict[str, Variant] = st.session_state.setdefault(EXTRA_KEY, {})
    if LOADED_KEY not in st.session_state:
        st.session_state[LOADED_KEY] = True
        selection = list(DEFAULT_SELECTION)
        raw = st.query_params.get(QUERY_KEY)
        if raw is not None:
            try:
                variants = decode_selection(raw)
            except ShareError as exc:
                st.session_state[NOTICE_KEY] = (
                    f"The link's comparison could not be read: {exc}. Showing the default comparison instead."
                )
            else:
                selection = []
                for variant in variants:
                    label = variant.name
                    if not (label in PRESETS and PRESETS[label] == variant) or label in selection:
                        label = f"link: {variant.name}"
                        k = 2
                        while label in selection:
                            label, k = f"link {k}: {variant.name}", k + 1
                        extras[label] = variant
                    selection.append(label)
        st.session_state[SELECTION] = selection

    upload = st.file_uploader(
        "Add a variant from a config JSON (exported from the Build page)",
        type=["json"],
        key="compare_upload",
        max_upload_size=1,
    )
    if upload is None:
        return
    seen: set[str] = st.session_state.setdefault(UPLOADED_KEY, set())
    if upload.file_id in seen:
        return
    data = upload.getvalue()
    if len(data) > MAX_JSON_CHARS:
        st.error(
            f"{md(upload.name)} is {len(data):,} bytes, over the {MAX_JSON_CHARS:,} limit for a config: "
            "upload one variant's JSON."
        )
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        st.error(f"{md(upload.name)} is not text (it looks binary): upload the .json file the Build page exports.")
        return
    try:
        variant = variant_from_json(text)
    except SpecError as exc:
        st.error(f"{md(upload.name)} could not be read as a variant:")
        show_variant_error(exc.error)
        return
    seen.add(upload.file_id)
    label = f"uploaded: {variant.name}"
    extras[label] = variant
    selection = [x for x in st.session_state.get(SELECTION, []) if x != label]
    if len(selection) < MAX_VARIANTS:
        st.session_state[SELECTION] = [*selection, label]
        st.success(f"Added {md(variant.name)} from {md(upload.name)} to the comparison.")
    else:
        st.info(f"{md(variant.name)} is now a choice; remove one of the {MAX_VARIANTS} compared variants to add it.")


def render_header(c: Comparison) -> None:
    """One column per variant: its input and totals, or its error."""
    for col, a, total, label in zip(st.columns(len(c.labels)), c.analyses, c.totals, c.labels):
        with col:
            st.markdown(f"#### {md(label)}")
            st.caption(f"input {format_shape(a.input_shape)} · {len(a.variant.layers)} layers")
            if a.error is not None:
                show_variant_error(a.error)
                continue
            st.metric("parameters", f"{total.params:,}")
            ratio = ""
            if c.reference is not None and total.params_ratio is not None and total.macs_ratio is not None:
                ref = c.labels[c.reference]
                ratio = f" · {total.params_ratio:.3f}× the parameters and {total.macs_ratio:.3f}× the MACs of {ref}"
            st.caption(md(f"{format_count(total.macs or 0)} MACs · output {format_shape(a.output_shape or ())}{ratio}"))


def render_table(c: Comparison) -> None:
    st.subheader("Layer by layer")
    st.caption(
        "Aligned by role; a dash is a layer the variant does not have. Highlighted cells differ between "
        "the variants; an invalid variant stops at its failing layer."
    )
    shown = st.pills(
        "Columns",
        ["output", "params", "MACs"],
        selection_mode="multi",
        default=["output", "params", "MACs"],
        key="compare_columns",
    ) or ["output"]
    data: dict[str, list[str]] = {"layer": [r.role for r in c.rows]}
    styles: dict[str, list[str]] = {"layer": ["" for _ in c.rows]}
    for k, label in enumerate(c.labels):
        for metric in [m for m in ("output", "params", "MACs") if m in shown]:
            column = f"{label} · {metric}"
            values, css = [], []
            for row in c.rows:
                cell = row.cells[k]
                differs = {"output": row.differs_output, "params": row.differs_params, "MACs": row.differs_macs}
                if cell.ok and metric == "output":
                    values.append(format_shape(cell.output or ()))
                elif cell.ok:  # exact parameters; MACs to 3 figures (the CSV has them exactly)
                    values.append(f"{cell.params:,}" if metric == "params" else format_count(cell.macs or 0))
                else:
                    values.append(cell.output_text() if metric == "output" else "")
                if cell.status == "error":
                    css.append(ERROR_BG)
                elif cell.status == "unreached":
                    css.append(MUTED)
                else:
                    css.append(DIFF_BG if differs[metric] else "")
            data[column], styles[column] = values, css
    frame = pd.DataFrame(data)
    style_frame = pd.DataFrame(styles)
    styled = frame.style.apply(lambda _: style_frame, axis=None)
    st.dataframe(
        styled,
        hide_index=True,
        width="stretch",
        height=38 + 35 * len(frame),
        column_config={"layer": st.column_config.TextColumn("layer", pinned=True, width=90)},
        key="compare_table",
    )
    st.toggle("Show every layer (ReLU, LRN, dropout …)", key="compare_all_layers")


def render_stages(c: Comparison) -> None:
    """Different families (AlexNet, VGG, ResNet) line up by stage, where their layers do not."""
    st.subheader("Stage by stage")
    st.caption(
        "A stage ends where the map shrinks (a pool, or a strided conv or block): AlexNet's conv1 + pool1, "
        "VGG's two 3×3 convs + pool1 and ResNet's stem are each stage 1. Each cell: output · weighted layers · "
        "parameters · receptive field."
    )
    per = [stages(a) if a.valid else [] for a in c.analyses]
    n = max((len(p) for p in per), default=0)
    rows = []
    for k in range(n):
        row = {"stage": next((p[k].name for p in per if k < len(p) and p[k].name != "classifier"), "…")}
        for label, ps in zip(c.labels, per):
            # the classifier lines up with the classifier, whatever the depth before it
            body = [x for x in ps if x.name != "classifier"]
            head = [x for x in ps if x.name == "classifier"]
            stage = body[k] if k < len(body) else (head[0] if head and k == n - 1 else None)
            if k == n - 1 and head:
                row["stage"] = "classifier"
                stage = head[0]
            row[label] = (
                "—"
                if stage is None
                else f"{stage.output_text} · {stage.weighted} · {format_count(stage.params)}"
                + (f" · RF {stage.receptive_field}" if stage.receptive_field else "")
            )
        rows.append(row)
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch", key="compare_stages")
    notes = [note for a in c.analyses for note in architecture_notes(a)]
    if notes:
        st.markdown("\n".join(f"- {md(note)}" for note in notes))


def render_totals(c: Comparison) -> None:
    st.subheader("Totals")
    ref = c.labels[c.reference] if c.reference is not None else None
    st.caption(f"Ratios are to {md(ref)}, the first valid variant." if ref else "No variant is valid.")
    rows = []
    for t in c.totals:
        rows.append(
            {
                "variant": t.label,
                "parameters": "—" if t.params is None else f"{t.params:,}",
                "params ratio": "—" if t.params_ratio is None else f"{t.params_ratio:.3f}×",
                "MACs": "—" if t.macs is None else f"{t.macs:,}",
                "MACs ratio": "—" if t.macs_ratio is None else f"{t.macs_ratio:.3f}×",
                "status": f"invalid: {t.error}" if t.error else "valid",
            }
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="compare_totals")


def render_explanations(c: Comparison) -> None:
    st.subheader("Every difference, explained")
    if not c.explanations:
        st.info("These variants are identical layer for layer.")
        return
    order = {row.role: i for i, row in enumerate(c.rows)}
    roles = sorted({e.role for e in c.explanations}, key=lambda r: (r == "total", order.get(r, len(order)), r))
    with st.container(border=True, height=640):
        for role in roles:
            lines = []
            for e in c.explanations_for(role):
                who = " vs ".join(e.labels)
                body = e.headline + (" — " + "; ".join(e.reasons) if e.reasons else "")
                lines.append(f"- *{md(who)}*: {md(body)}")
            st.markdown(f"**{md(role)}**\n" + "\n".join(lines))


def render_charts(c: Comparison) -> None:
    st.subheader("Charts")
    log = st.toggle("Logarithmic scale for parameters and MACs", value=True, key="compare_log")
    left, right = st.columns(2)
    with left:
        st.plotly_chart(params_figure(c, log=log), width="stretch", key="compare_params_chart")
    with right:
        st.plotly_chart(macs_figure(c, log=log), width="stretch", key="compare_macs_chart")
    st.plotly_chart(funnel_figure(c), width="stretch", key="compare_funnel_chart")


def render_images(c: Comparison) -> None:
    st.subheader("The same image through each variant")
    roles = spatial_roles(c)
    if not roles:
        st.info("None of these variants has a conv or pooling layer to show.")
        return
    st.caption(
        "Each variant resizes and crops the image to its own input size, then runs it up to the chosen layer "
        "with random weights (seed 0): what differs is the map size and the number of maps, not learned features."
    )
    a, b, d = st.columns([1, 1, 1])
    with a:
        source = st.radio("Image", ["sample", "upload"], horizontal=True, key="compare_img_source")
    with b:
        role = st.selectbox("Layer", roles, key="compare_role")
    image = None
    with d:
        if source == "sample":
            name = st.selectbox("Sample", sample_names(), key="compare_sample")
            try:
                image = load_sample(name).image
            except ImageError as exc:
                st.error(md(str(exc)))
        else:
            upload = st.file_uploader(
                "Upload an image",
                type=["png", "jpg", "jpeg", "webp", "bmp", "gif"],
                key="compare_img_upload",
                max_upload_size=20,
            )
            if upload is not None:
                try:
                    image = load_image(upload.getvalue(), name=upload.name).image
                except ImageError as exc:
                    st.error(md(str(exc)))
    if image is None:
        st.info("Choose a sample or upload an image to see the feature maps.")
        return
    key = image_digest(image)
    for col, analysis, label in zip(st.columns(len(c.labels)), c.analyses, c.labels):
        with col:
            st.markdown(f"**{md(label)}**")
            if role not in analysis.names:
                st.info(f"{md(label)} has no {role}.")
                continue
            if analysis.names.index(role) >= len(analysis.rows):
                st.warning(f"{md(label)} is invalid before {role}: see its error above.")
                continue
            try:
                crop, grid, shape = _role_pictures(analysis.variant, role, key, image)
            except TimeoutError:
                st.warning("The server is busy; try again in a moment.")
                continue
            st.image(crop, caption=f"what it sees: {format_shape(analysis.input_shape)}", width=160)
            channels = int(shape.split("×")[0])
            st.image(
                grid,
                caption=f"{role}: {shape}, the first {min(16, channels)} of {channels} maps",
                width="stretch",
            )


def render_share(c: Comparison, encoded: str) -> None:
    st.subheader("Share and export")
    st.caption("The page's address now holds this comparison: copy it from the address bar to share it.")
    st.code(f"?{QUERY_KEY}={encoded}" if len(encoded) <= 200 else f"?{QUERY_KEY}={encoded[:200]}…", language=None)
    stem = "compare-" + "-vs-".join(a.variant.name for a in c.analyses)
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in stem)[:120]
    a, b, d = st.columns(3)
    with a:
        st.download_button("CSV", comparison_csv(c), f"{stem}.csv", "text/csv", key="compare_dl_csv")
    with b:
        st.download_button("Markdown table", comparison_markdown(c), f"{stem}.md", "text/markdown", key="compare_dl_md")
    with d:
        st.download_button("LaTeX table", comparison_latex(c), f"{stem}.tex", "application/x-tex", key="compare_dl_tex")
    with st.expander("Markdown and LaTeX for slides"):
        st.code(comparison_markdown(c), language="markdown")
        st.code(comparison_latex(c), language="latex")


@guarded
def main() -> None:
    st.title("Compare variants")
    st.caption(
        "Two to four variants side by side: the current one from Build, ones saved there with "
        "“Save to compare”, presets, or an uploaded config."
    )
    render_link_and_upload()
    choices = variant_choices()
    choices.update(st.session_state.get(EXTRA_KEY, {}))
    wanted = [x for x in st.session_state.get(SELECTION, []) if x in choices][:MAX_VARIANTS]
    st.session_state[SELECTION] = wanted
    sync_widget(SELECT_KEY, wanted)
    notice = st.session_state.get(NOTICE_KEY)
    if notice and wanted == list(DEFAULT_SELECTION):
        st.warning(md(notice))
    selected = st.multiselect(
        "Variants to compare",
        list(choices),
        max_selections=MAX_VARIANTS,
        key=SELECT_KEY,
        on_change=_on_select,
        help="The current variant is whatever the Build page shows now.",
    )
    if len(selected) < MIN_VARIANTS:
        st.info(f"Pick at least {MIN_VARIANTS} variants to compare (up to {MAX_VARIANTS}).")
        return
    variants = [choices[label] for label in selected]
    labels = [f"current: {choices[x].name}" if x == CURRENT else x for x in selected]
    encoded = encode_selection(variants)
    st.query_params[QUERY_KEY] = encoded
    share_panel()
    c = compare(variants, labels, all_layers=bool(st.session_state.get("compare_all_layers", False)))
    render_header(c)
    render_table(c)
    render_totals(c)
    render_stages(c)
    render_explanations(c)
    render_charts(c)
    render_images(c)
    render_share(c, encoded)


page_setup("Compare", "🧠")
main()

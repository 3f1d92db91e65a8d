"""Compare page: 2–4 variants aligned layer by layer, a short summary first, every difference explained.

Reads the current and saved variants from the session (ui.variant_choices), the comparison from the
URL (?compare=…) on first load, and writes the selection back to the URL on every run. All the
arithmetic lives in explorer.compare (explanations and the summary are Messages, rendered here in
the reader's language); this file only renders.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import streamlit as st

from explorer import i18n
from explorer.activations import CaptureTooLarge, layer_output
from explorer.analysis import format_count, format_shape
from explorer.compare import (
    DEFAULT_SELECTION,
    MAX_VARIANTS,
    MIN_VARIANTS,
    AlignedRow,
    Comparison,
    compare,
    differs_from_reference,
    role_title,
    spatial_roles,
    summary,
)
from explorer.compare_export import comparison_csv, comparison_latex, comparison_markdown
from explorer.figures_compare import funnel_figure, macs_figure, params_figure
from explorer.figures_inside import feature_grid, to_png
from explorer.i18n import N_, Message, _, bind
from explorer.images import image_digest, preprocess
from explorer.presets import PRESETS
from explorer.runtime import forward_slot, pick_device
from explorer.share import LinkError, decode_selection, encode_selection, is_unchanged_preset
from explorer.spec import MAX_JSON_CHARS, SpecError, Variant, variant_from_json
from explorer.stages import architecture_notes, stages
from ui import (
    CURRENT,
    callback,
    choice_label,
    guarded,
    image_picker,
    md,
    page_setup,
    presenting,
    share_panel,
    show_variant_error,
    variant_choices,
)
from ui.build_state import sync_widget

QUERY_KEY = "compare"
SELECT_KEY = "compare_select"  # the multiselect widget; written from SELECTION before it is drawn
SELECTION = "_compare_selection"  # the canonical selection: outlives visits to other pages
EXTRA_KEY = "compare_extra"  # {choice id: Variant}: variants from the link or from uploaded configs
NOTICE_KEY = "compare_notice"
LOADED_KEY = "compare_loaded"
UPLOADED_KEY = "compare_uploaded_ids"
MARK = "●"  # before a value that differs from the reference variant (first valid one)
METRICS = (N_("output"), N_("params"), N_("MACs"))  # stable ids of the table's pills, shown translated
# Choice ids of variants that came from a link or an upload: "link: name", "link 2: name", "uploaded: name".
_LINK_ID = re.compile(r"^link(?: (\d+))?: (.*)$", re.S)
_UPLOADED = "uploaded: "


_INERT = re.compile(r"(?<=\w)&#(?:45|46);(?=\w)")


def md_text(text: object) -> str:
    """`ui.md`, with a hyphen or a dot between two letters or digits (paper-2012, 1.002, alexnet.py)
    left as typed: neither can start Markdown, a link or a list there, and the page then reads
    (and is found by the browser's search) as written."""
    return _INERT.sub(lambda m: "-" if m.group() == "&#45;" else ".", md(text))


def choice_text(choice: str) -> str:
    """How a choice id is shown (and labels its column): prefixes translated, names as typed."""
    if choice.startswith(_UPLOADED):
        return _("uploaded: {name}", name=choice[len(_UPLOADED) :])
    link = _LINK_ID.match(choice)
    if link and choice not in PRESETS:
        number, name = link.groups()
        return _("link: {name}", name=name) if number is None else _("link {n}: {name}", n=number, name=name)
    return choice_label(choice)


def column_label(choice: str, variant: Variant) -> str:
    """A variant's label in the comparison: the current one says which variant it is now."""
    return _("current: {name}", name=variant.name) if choice == CURRENT else choice_text(choice)


@st.cache_data(max_entries=64, show_spinner=False)
def _role_pictures(
    variant: Variant, role: str, image_key: str, lang: str, _image: object
) -> tuple[np.ndarray, bytes, str]:
    """(the crop the variant sees, the role's first 16 feature maps as the Inside page draws them —
    the same seeded weights, one colour scale and its bar, words in `lang` — the maps' shape)."""
    pre = preprocess(_image, variant.input)  # type: ignore[arg-type]
    with forward_slot(timeout=30) as ok:
        if not ok:
            raise TimeoutError("the server is busy running other forward passes")
        maps = layer_output(variant, pre.tensor, role, device=pick_device())
    with i18n.using(lang):
        grid = to_png(feature_grid(maps, range(min(16, maps.shape[0]))).image)
    return np.asarray(pre.crop), grid, format_shape(tuple(maps.shape))


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
            except LinkError as exc:
                # the reason as data (a Message): rendered in the reader's language when shown
                st.session_state[NOTICE_KEY] = exc.message
            else:
                selection = []
                for variant in variants:
                    label = variant.name
                    if not is_unchanged_preset(variant) or label in selection:
                        label = f"link: {variant.name}"
                        k = 2
                        while label in selection:
                            label, k = f"link {k}: {variant.name}", k + 1
                        extras[label] = variant
                    selection.append(label)
        st.session_state[SELECTION] = selection

    upload = st.file_uploader(
        _("Add a variant from a config JSON (exported from the Build page)"),
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
            _(
                "{file} is {n:,} bytes, over the {limit:,} limit for a config: upload one variant's JSON.",
                file=md_text(upload.name),
                n=len(data),
                limit=MAX_JSON_CHARS,
            )
        )
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        st.error(
            _(
                "{file} is not text (it looks binary): upload the .json file the Build page exports.",
                file=md_text(upload.name),
            )
        )
        return
    try:
        variant = variant_from_json(text)
    except SpecError as exc:
        st.error(_("{file} could not be read as a variant:", file=md_text(upload.name)))
        show_variant_error(exc.error)
        return
    seen.add(upload.file_id)
    label = f"{_UPLOADED}{variant.name}"
    extras[label] = variant
    selection = [x for x in st.session_state.get(SELECTION, []) if x != label]
    if len(selection) < MAX_VARIANTS:
        st.session_state[SELECTION] = [*selection, label]
        st.success(
            _("Added {name} from {file} to the comparison.", name=md_text(variant.name), file=md_text(upload.name))
        )
    else:
        st.info(
            _(
                "{name} is now a choice; remove one of the {n} compared variants to add it.",
                name=md_text(variant.name),
                n=MAX_VARIANTS,
            )
        )


def _shown(text: object) -> str:
    """A preset's description or source in the reader's language: a Message renders itself; plain
    text is looked up in the catalogs (the presets' own), else shown as written."""
    return str(text) if isinstance(text, Message) else _(str(text))


def _first_sentence(text: str) -> str:
    """The first sentence of a description (English ". " or Chinese "。"), for a one-line summary."""
    match = re.search(r"(?<=[.。])\s|(?<=。)", text)
    return text[: match.start()].strip() if match else text.strip()


def variant_line(choice: str, variant: Variant) -> str:
    """One line (Markdown-safe) on what a compared variant is and where it comes from."""
    if is_unchanged_preset(variant):
        preset = PRESETS[variant.name]
        what = _first_sentence(_shown(preset.description)) if preset.description else ""
        source = _("Source: {source}", source=_shown(preset.source)) if preset.source else ""
        return " ".join(md_text(x) for x in (what, source) if x)
    if choice == CURRENT:
        origin = _("The variant on the Build page now.")
    elif choice.startswith("saved: "):
        origin = _("Saved on the Build page with “Save to compare”.")
    elif choice.startswith(_UPLOADED):
        origin = _("Uploaded as a config file.")
    else:
        origin = _("Read from the link.")
    if variant.name in PRESETS:
        origin += " " + _("Started from the preset {name} and changed.", name=variant.name)
    return md_text(origin)


def render_variants(c: Comparison, choices: list[str]) -> None:
    st.markdown(
        "\n".join(
            f"- **{md_text(label)}** — {variant_line(choice, a.variant)}"
            for label, choice, a in zip(c.labels, choices, c.analyses)
        )
    )


def render_summary(c: Comparison) -> None:
    st.subheader(_("In short"))
    st.caption(_("Numbers in the order of the variants: {labels}.", labels=md_text(" / ".join(c.labels))))
    st.markdown("\n".join(f"- {md_text(str(point))}" for point in summary(c)))


def render_header(c: Comparison) -> None:
    """One column per variant: its input and totals, or its error."""
    for col, a, total, label in zip(st.columns(len(c.labels)), c.analyses, c.totals, c.labels):
        with col:
            st.markdown(f"#### {md_text(label)}")
            st.caption(_("input {shape} · {n} layers", shape=format_shape(a.input_shape), n=len(a.variant.layers)))
            if a.error is not None:
                show_variant_error(a.error)
                continue
            st.metric(_("parameters"), f"{total.params:,}")
            line = _(
                "{macs} MACs · output {shape}",
                macs=format_count(total.macs or 0),
                shape=format_shape(a.output_shape or ()),
            )
            if c.reference is not None and total.params_ratio is not None and total.macs_ratio is not None:
                line += " · " + _(
                    "{p:.3f}× the parameters and {m:.3f}× the MACs of {ref}",
                    p=total.params_ratio,
                    m=total.macs_ratio,
                    ref=c.labels[c.reference],
                )
            st.caption(md_text(line))


def _cell_text(c: Comparison, row: AlignedRow, k: int, shown: list[str]) -> str:
    """A variant's values at a row (the chosen metrics joined by ·), each that differs from the
    reference variant marked ● — a marker in the text instead of a Styler, which would cost
    ~18 ms of server CPU per table per rerun."""
    cell = row.cells[k]
    differs = differs_from_reference(c, row, k)
    parts = []
    for metric in shown:
        if metric == "output":
            value = cell.output_text()
        elif not cell.ok:
            continue
        elif metric == "params":  # exact parameters; MACs to 3 figures (the CSV has them exactly)
            value = f"{cell.params:,}"
        else:
            value = format_count(cell.macs or 0)
        parts.append(f"{MARK} {value}" if metric in differs else value)
    return " · ".join(parts) or "—"


def comparison_frame(c: Comparison, shown: list[str]) -> pd.DataFrame:
    """The aligned table: a row per layer, a column per variant (four fit a 1440 px screen)."""
    data: dict[str, list[str]] = {_("layer"): [role_title(r.role) for r in c.rows]}
    for k, label in enumerate(c.labels):
        data[label] = [_cell_text(c, row, k, shown) for row in c.rows]
    return pd.DataFrame(data)


def render_table(c: Comparison) -> None:
    st.subheader(_("Layer by layer"))
    shown = st.pills(
        _("Values"),
        list(METRICS),
        format_func=bind(_),
        selection_mode="multi",
        default=list(METRICS),
        key="compare_columns",
    ) or ["output"]
    shown = [m for m in METRICS if m in shown]
    ref = c.labels[c.reference if c.reference is not None else 0]
    st.caption(
        _(
            "Aligned by role; each cell holds {values}. {mark} marks a value that differs from {ref}. "
            "A dash is a layer the variant does not have; an invalid variant stops at its failing layer.",
            values=" · ".join(_(m) for m in shown),
            mark=MARK,
            ref=md_text(ref),
        )
    )
    frame = comparison_frame(c, shown)
    if presenting():  # a canvas table cannot grow its type; an HTML table can (≥ 18 px)
        st.table(frame.set_index(frame.columns[0]))
    else:
        layer = frame.columns[0]
        st.dataframe(
            frame,
            hide_index=True,
            width="stretch",
            height=38 + 35 * len(frame),
            column_config={layer: st.column_config.TextColumn(layer, pinned=True, width=90)},
            key="compare_table",
        )
    st.toggle(_("Show every layer (ReLU, LRN, dropout …)"), key="compare_all_layers")


def render_stages(c: Comparison) -> None:
    """Different families (AlexNet, VGG, ResNet) line up by stage, where their layers do not."""
    st.subheader(_("Stage by stage"))
    st.caption(
        _(
            "A stage ends where the map shrinks (a pool, or a strided conv or block): AlexNet's conv1 + pool1, "
            "VGG's two 3×3 convs + pool1 and ResNet's stem are each stage 1. Each cell: output · weighted "
            "layers · parameters · receptive field."
        )
    )
    per = [stages(a) if a.valid else [] for a in c.analyses]
    n = max((len(p) for p in per), default=0)
    stage_col = _("stage")
    rows = []
    for k in range(n):
        named = next((p[k] for p in per if k < len(p) and p[k].name != "classifier"), None)
        row = {stage_col: named.label if named is not None else "…"}
        for label, ps in zip(c.labels, per):
            # the classifier lines up with the classifier, whatever the depth before it
            body = [x for x in ps if x.name != "classifier"]
            head = [x for x in ps if x.name == "classifier"]
            stage = body[k] if k < len(body) else None
            if k == n - 1 and head:
                row[stage_col] = head[0].label
                stage = head[0]
            row[label] = (
                "—"
                if stage is None
                else f"{stage.output_text} · {stage.weighted} · {format_count(stage.params)}"
                + (" · " + _("RF {n}", n=stage.receptive_field) if stage.receptive_field else "")
            )
        rows.append(row)
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="compare_stages")
    notes = [note for a in c.analyses for note in architecture_notes(a)]
    if notes:
        st.markdown("\n".join(f"- {md_text(str(note))}" for note in notes))


def render_totals(c: Comparison) -> None:
    st.subheader(_("Totals"))
    ref = c.labels[c.reference] if c.reference is not None else None
    st.caption(
        _("Ratios are to {ref}, the first valid variant.", ref=md_text(ref)) if ref else _("No variant is valid.")
    )
    rows = []
    for t in c.totals:
        rows.append(
            {
                _("variant"): t.label,
                _("parameters"): "—" if t.params is None else f"{t.params:,}",
                _("params ratio"): "—" if t.params_ratio is None else f"{t.params_ratio:.3f}×",
                "MACs": "—" if t.macs is None else f"{t.macs:,}",
                _("MACs ratio"): "—" if t.macs_ratio is None else f"{t.macs_ratio:.3f}×",
                _("status"): _("invalid: {error}", error=str(t.error)) if t.error else _("valid"),
            }
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="compare_totals")


def render_explanations(c: Comparison) -> None:
    """Every pairwise difference with its arithmetic, folded: the summary above is what most read."""
    if not c.explanations:
        st.info(_("These variants are identical layer for layer."))
        return
    order = {row.role: i for i, row in enumerate(c.rows)}
    roles = sorted({e.role for e in c.explanations}, key=lambda r: (r == "total", order.get(r, len(order)), r))
    # Lazy expanders on this page: a closed one sends nothing (the pairwise text is ~2,500 words).
    folded = st.expander(
        _("Every difference, explained (pair by pair, {n} in all)", n=len(c.explanations)),
        key="compare_explanations_open",
        on_change="rerun",
    )
    with folded:
        if not folded.open:
            return
        for role in roles:
            lines = []
            for e in c.explanations_for(role):
                who = " vs ".join(e.labels)
                lines.append(f"- *{md_text(who)}*: {md_text(e.body)}")
            st.markdown(f"**{md_text(role_title(role))}**\n" + "\n".join(lines))


def render_charts(c: Comparison) -> None:
    st.subheader(_("Charts"))
    log = st.toggle(_("Logarithmic scale for parameters and MACs"), value=True, key="compare_log")
    left, right = st.columns(2)
    with left:
        st.plotly_chart(params_figure(c, log=log), width="stretch", key="compare_params_chart")
    with right:
        st.plotly_chart(macs_figure(c, log=log), width="stretch", key="compare_macs_chart")
    st.plotly_chart(funnel_figure(c), width="stretch", key="compare_funnel_chart")


def render_images(c: Comparison) -> None:
    # Lazy: each variant's forward pass runs only once a student opens this.
    images_box = st.expander(
        _("The same image through each variant"), key="compare_images_open", on_change="rerun", icon="🖼️"
    )
    with images_box:
        if images_box.open:
            _render_images(c)


def _render_images(c: Comparison) -> None:
    roles = spatial_roles(c)
    if not roles:
        st.info(_("None of these variants has a conv or pooling layer to show."))
        return
    st.caption(
        _(
            "Each variant resizes and crops the image to its own input size, then runs it up to the chosen "
            "layer with random weights (seed 0): what differs is the map size and the number of maps, not "
            "learned features."
        )
    )
    a, b = st.columns([2, 1])
    with a:
        image, _source = image_picker("compare_img")
    with b:
        role = st.selectbox(_("Layer"), roles, key="compare_role")
    if image is None:
        return
    key = image_digest(image)
    for col, analysis, label in zip(st.columns(len(c.labels)), c.analyses, c.labels):
        with col:
            st.markdown(f"**{md_text(label)}**")
            if role not in analysis.names:
                st.info(_("{label} has no {layer}.", label=md_text(label), layer=role))
                continue
            if analysis.names.index(role) >= len(analysis.rows):
                st.warning(
                    _("{label} is invalid before {layer}: see its error above.", label=md_text(label), layer=role)
                )
                continue
            try:
                crop, grid, shape = _role_pictures(analysis.variant, role, key, i18n.language(), image)
            except TimeoutError:
                st.warning(_("The server is busy; try again in a moment."))
                continue
            except CaptureTooLarge as exc:
                st.warning(md_text(str(exc)))
                continue
            st.image(crop, caption=_("what it sees: {shape}", shape=format_shape(analysis.input_shape)), width=160)
            channels = int(shape.split("×")[0])
            st.image(
                grid,
                caption=_(
                    "{layer}: {shape}, the first {n} of {channels} maps",
                    layer=role,
                    shape=shape,
                    n=min(16, channels),
                    channels=channels,
                ),
                width="stretch",
            )


def render_share(c: Comparison, encoded: str) -> None:
    st.subheader(_("Share and export"))
    st.caption(_("The page's address now holds this comparison: copy it from the address bar to share it."))
    st.code(f"?{QUERY_KEY}={encoded}" if len(encoded) <= 200 else f"?{QUERY_KEY}={encoded[:200]}…", language=None)
    stem = "compare-" + "-vs-".join(a.variant.name for a in c.analyses)
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in stem)[:120]
    a, b, d = st.columns(3)
    with a:
        st.download_button("CSV", comparison_csv(c), f"{stem}.csv", "text/csv", key="compare_dl_csv")
    with b:
        st.download_button(
            _("Markdown table"), comparison_markdown(c), f"{stem}.md", "text/markdown", key="compare_dl_md"
        )
    with d:
        st.download_button(
            _("LaTeX table"), comparison_latex(c), f"{stem}.tex", "application/x-tex", key="compare_dl_tex"
        )
    slides = st.expander(_("Markdown and LaTeX for slides"), key="compare_slides_open", on_change="rerun")
    with slides:
        if slides.open:
            st.code(comparison_markdown(c), language="markdown")
            st.code(comparison_latex(c), language="latex")


@guarded
def main() -> None:
    st.title(_("Compare variants"))
    st.caption(
        _(
            "Two to four variants side by side: the current one from Build, ones saved there with "
            "“Save to compare”, presets, or an uploaded config."
        )
    )
    render_link_and_upload()
    choices = variant_choices()
    choices.update(st.session_state.get(EXTRA_KEY, {}))
    wanted = [x for x in st.session_state.get(SELECTION, []) if x in choices][:MAX_VARIANTS]
    st.session_state[SELECTION] = wanted
    sync_widget(SELECT_KEY, wanted)
    notice = st.session_state.get(NOTICE_KEY)
    if notice and wanted == list(DEFAULT_SELECTION):
        st.warning(
            md_text(
                _(
                    "The link's comparison could not be read: {reason}. Showing the default comparison instead.",
                    reason=str(notice),
                )
            )
        )
    selected = st.multiselect(
        _("Variants to compare"),
        list(choices),
        format_func=bind(choice_text),  # bound: Streamlit may call it from another thread
        max_selections=MAX_VARIANTS,
        key=SELECT_KEY,
        on_change=_on_select,
        help=_("The current variant is whatever the Build page shows now."),
    )
    if len(selected) < MIN_VARIANTS:
        st.info(_("Pick at least {lo} variants to compare (up to {hi}).", lo=MIN_VARIANTS, hi=MAX_VARIANTS))
        return
    variants = [choices[x] for x in selected]
    labels = [column_label(x, choices[x]) for x in selected]
    encoded = encode_selection(variants)
    st.query_params[QUERY_KEY] = encoded
    share_panel()
    c = compare(variants, labels, all_layers=bool(st.session_state.get("compare_all_layers", False)))
    render_variants(c, selected)
    render_summary(c)
    render_header(c)
    render_table(c)
    render_totals(c)
    render_explanations(c)
    render_stages(c)
    render_charts(c)
    render_images(c)
    render_share(c, encoded)


page_setup(N_("Compare variants"), "🧠")
main()

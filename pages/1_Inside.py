"""Inside the network: a real image through the chosen variant, layer by layer.

Session state read: "variant" (via ui.current_variant). Keys of this page's widgets all start with
"inside_": inside_variant, inside_source / inside_sample / inside_pattern / inside_upload (the
image picker), inside_weights_source, inside_load_imagenet, inside_weights_upload, inside_partial,
inside_layer, inside_grid_mode, inside_topk, inside_channel, inside_pos_y, inside_pos_x,
inside_lrn, inside_lrn_channel. "inside_imagenet_path" remembers the downloaded ImageNet file.
Options are stable English ids (RANDOM, IMAGENET, UPLOADED, the grid modes), shown with format_func=_.

Environment: ALEXNET_WEIGHTS_URL overrides where the ImageNet weights come from (a classroom
mirror, or a file:// URL); the cache is torch hub's checkpoint folder (TORCH_HOME moves it).

Speed: one model per (variant, weights) in st.cache_resource (4 at most); activations once per
(variant, weights, image) in st.cache_resource, so changing the shown layer or channel re-draws
one composited image and runs no model. Forward passes take a slot from runtime.forward_slot.

Language: models, activations, preprocessing and match reports hold no text (their words are
`explorer.i18n.Message` data), so their cache keys leave the language out and switching it runs
nothing again; the cached pictures and captions with words in them take `lang` as an argument.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import streamlit as st
import torch

import ui
from explorer import i18n, images, weights
from explorer.activations import (
    Activations,
    CaptureTooLarge,
    Window,
    capture,
    capture_cost,
    check_capture,
    class_names,
    receptive_window,
    seeded_model,
    top_channels,
    top_k_predictions,
)
from explorer.analysis import Analysis, analyse, format_shape
from explorer.build import AlexNetVariant, build_model, features_only
from explorer.figures_inside import (
    channel_image,
    conv1_towers,
    feature_grid,
    filter_tiles,
    layer_strip,
    lrn_formula_latex,
    lrn_panels,
    lrn_pytorch_note,
    lrn_ratio,
    missing_cjk_font,
    to_png,
    top5_figure,
    window_on_input,
)
from explorer.i18n import N_, Message, _
from explorer.presets import PRESETS
from explorer.runtime import device_label, forward_slot, pick_device
from explorer.share import decode_query, encode_variant
from explorer.spec import LRN, Conv, InputSpec, Variant, variant_to_json

# Stable option ids of the weights radio (what tests set and the logic compares), shown translated.
RANDOM = N_("random initialisation")
IMAGENET = N_("ImageNet-trained (torchvision)")
UPLOADED = N_("uploaded weights")
ALL_CHANNELS, TOP_K = N_("all channels"), N_("top-k by mean activation")
FORWARD_WAIT_S = 60.0
_STRIP_TYPES = {"conv", "lrn", "maxpool", "avgpool", "adaptiveavgpool", "residual"}


# --- cached work (models and activations are resources; pictures are PNG bytes) --------------------


# Cached functions take the variant as `_variant` (not hashed) plus `vkey`, its JSON text: hashing a
# short string is far cheaper than hashing the dataclass on every rerun. Those that draw words take
# `lang` (and render in it); models, activations and preprocessing hold no words and do not.


@st.cache_resource(max_entries=4, show_spinner=False)
def _model(
    vkey: str, weights_id: str, _variant: Variant, _state: dict[str, torch.Tensor] | None, partial: bool
) -> AlexNetVariant:
    if _state is None:
        # Random weights: the classifier's outputs mean nothing and fc6 alone is 151 MB, so build only
        # the layers up to flatten (same seeded conv weights; a tenth of the memory and build time).
        _variant = features_only(_variant)
    model = seeded_model(_variant, device=pick_device())
    if _state is not None:
        weights.apply_state_dict(model, _state, partial=partial)
    return model


@st.cache_resource(max_entries=8, show_spinner=False)
def _activations(
    vkey: str, weights_id: str, image_id: str, _model_fn, _tensor: torch.Tensor, _analysis: Analysis
) -> Activations:
    # Refuse an oversize run before building the model or waiting for a slot (one session's budget).
    check_capture(capture_cost(_analysis))
    with forward_slot(timeout=FORWARD_WAIT_S) as acquired:
        if not acquired:
            raise TimeoutError("no free forward-pass slot")
        blocks = any(r.is_block for r in _analysis.rows)  # keep each block's body and shortcut for "the add"
        return capture(_model_fn(), _tensor, device=pick_device(), analysis=_analysis, blocks=blocks)


@st.cache_resource(max_entries=16, show_spinner=False)
def _preprocess(image_id: str, variant_input: tuple[int, int, int], _image) -> images.Preprocessed:
    c, h, w = variant_input
    return images.preprocess(_image, InputSpec(c, h, w))


@st.cache_data(max_entries=16, show_spinner=False)
def _step_pngs(image_id: str, variant_input: tuple[int, int, int], _pre: images.Preprocessed) -> list[bytes]:
    return [to_png(step.image) for step in _pre.steps]


@st.cache_resource(max_entries=1, show_spinner=False)
def _imagenet_state(path: str) -> dict[str, torch.Tensor]:
    return weights.load_state_dict_file(path)


@st.cache_resource(max_entries=2, show_spinner=False)
def _uploaded_state(file_key: str, _data: bytes) -> tuple[dict[str, torch.Tensor] | None, Message | None]:
    """The state dict, or the reason it was refused as data (each reader sees it in their language)."""
    try:
        return weights.load_state_dict_file(_data), None
    except weights.WeightsError as exc:
        return None, exc.message


@st.cache_data(max_entries=8, show_spinner=False)
def _match(vkey: str, file_key: str, _variant: Variant, _state: dict[str, torch.Tensor]) -> weights.MatchReport:
    return weights.match_report(build_model(_variant, device="meta"), _state)


@ui.callback
def _use_torchvision() -> None:
    st.session_state["variant"] = PRESETS["torchvision"]
    st.session_state["_base"] = "torchvision"
    st.session_state["inside_variant"] = ui.CURRENT


@st.cache_data(max_entries=16, show_spinner=False)
def _compatible(vkey: str, _variant: Variant) -> tuple[bool, tuple[Message, ...]]:
    return weights.compatible(_variant), tuple(weights.shape_difference_messages(_variant))


@st.cache_data(max_entries=64, show_spinner=False)
def _grid_png(
    key: tuple, layer: int, channels: tuple[int, ...] | None, title: str, lang: str, _acts: Activations
) -> bytes:
    with i18n.using(lang):
        return to_png(feature_grid(_acts.outputs[layer], channels, title=title).image)


@st.cache_data(max_entries=64, show_spinner=False)
def _channel_png(key: tuple, layer: int, channel: int, y: int, x: int, lang: str, _acts: Activations) -> bytes:
    with i18n.using(lang):
        return to_png(channel_image(_acts.outputs[layer][channel], position=(y, x)))


@st.cache_data(max_entries=64, show_spinner=False)
def _window_png(key: tuple, window: tuple[int, int, int, int], _crop) -> bytes:
    top, left, bottom, right = window
    return to_png(window_on_input(_crop, Window(top, left, bottom, right, window)))


@st.cache_data(max_entries=8, show_spinner=False)
def _strip_png(key: tuple, indices: tuple[int, ...], lang: str, _acts: Activations, _crop) -> bytes:
    with i18n.using(lang):
        return to_png(layer_strip(_acts.outputs, _acts.names, indices, _crop))


@st.cache_data(max_entries=8, show_spinner=False)
def _filters_png(vkey: str, weights_id: str, layer: int, towers: int, lang: str, _model_fn) -> bytes:
    with i18n.using(lang):
        return to_png(filter_tiles(_model_fn().layer_modules()[layer].weight, towers=towers))


@st.cache_data(max_entries=32, show_spinner=False)
def _lrn_png(key: tuple, index: int, channel: int, lang: str, _acts: Activations) -> bytes:
    with i18n.using(lang):
        return to_png(lrn_panels(_acts.outputs[index - 1][channel], _acts.outputs[index][channel]))


@st.cache_data(show_spinner=False)
def _class_names() -> tuple[str, ...]:
    return class_names()


# --- sections --------------------------------------------------------------------------------------


def render_preprocessing(
    pre: images.Preprocessed, pngs: list[bytes], image_id: str, variant_input: tuple[int, int, int]
) -> None:
    st.subheader(_("1 · Preprocessing, step by step"))
    cols = st.columns(len(pre.steps))
    for col, step, png in zip(cols, pre.steps, pngs):
        with col:
            st.image(png, caption=f"{step.title} · {step.size}", width="stretch", output_format="PNG")
            st.caption(step.note)
    render_planes(pre, image_id, variant_input)
    with st.expander(_("What the 2012 paper did instead")):
        st.markdown(_(images.PAPER_MEAN_NOTE))


@st.cache_data(max_entries=16, show_spinner=False)
def _plane_pngs(
    image_id: str, variant_input: tuple[int, int, int], lang: str, _pre: images.Preprocessed
) -> list[tuple[bytes, str]]:
    """Each colour plane before (0…1) and after normalising (one shared scale), with its numbers."""
    planes = images.colour_planes(_pre)[:3]
    lo = min(float(p.after.min()) for p in planes)
    hi = max(float(p.after.max()) for p in planes)
    out = []
    with i18n.using(lang):
        for plane in planes:
            b_mean, b_lo, b_hi = plane.summary("before")
            a_mean, a_lo, a_hi = plane.summary("after")
            out.append(
                (
                    to_png(channel_image(plane.before, vmin=0.0, vmax=1.0, size=200)),
                    _(
                        "{plane} before: mean {mean:.3f}, {low:.3f} … {high:.3f}",
                        plane=plane.label,
                        mean=b_mean,
                        low=b_lo,
                        high=b_hi,
                    ),
                )
            )
            out.append(
                (
                    to_png(channel_image(plane.after, vmin=lo, vmax=hi, size=200)),
                    _(
                        "{plane} after (− {subtract:g}, ÷ {divide:g}): mean {mean:.3f}, {low:.3f} … {high:.3f}",
                        plane=plane.label,
                        subtract=plane.mean,
                        divide=plane.std,
                        mean=a_mean,
                        low=a_lo,
                        high=a_hi,
                    ),
                )
            )
    return out


def render_planes(pre: images.Preprocessed, image_id: str, variant_input: tuple[int, int, int]) -> None:
    """What normalising changes: each colour plane before and after."""
    pictures = _plane_pngs(image_id, variant_input, i18n.language(), pre)
    with st.expander(_("What normalising does to each colour plane (R, G, B before and after)"), expanded=True):
        st.caption(
            _(
                "Top: the values the crop holds (0…1). Bottom: after (x − mean) / std, all planes on one scale: "
                "each is now centred near 0 with a spread near 1."
            )
        )
        cols = st.columns(len(pictures) // 2)
        for j, col in enumerate(cols):
            with col:
                for png, caption in pictures[2 * j : 2 * j + 2]:
                    st.image(png, caption=caption, output_format="PNG")


def _progress_reporter(bar) -> Callable[[int, int | None], None]:
    """The download's progress callback: the bar's value and its text, in the reader's language."""
    shown = [-1]

    def report(done: int, total: int | None) -> None:
        percent = int(100 * done / total) if total else 0
        if percent != shown[0]:
            shown[0] = percent
            amount = (
                _("{done:.0f} of {total:.0f} MB", done=done / 2**20, total=total / 2**20)
                if total
                else _("{done:.0f} MB", done=done / 2**20)
            )
            bar.progress(
                min(percent, 100) / 100,
                text=_("Downloading {file}: {amount}", file=weights.TORCHVISION_FILENAME, amount=amount),
            )

    return report


def render_weights(variant: Variant, vkey: str) -> tuple[str, str, str, object, bool]:
    """The weights choice; returns (source id, label shown, weights id, lazy state-dict loader or None, partial)."""
    random = (RANDOM, _(RANDOM), "random", None, False)
    st.subheader(_("Weights"))
    source = st.radio(
        _("Weights"), [RANDOM, IMAGENET, UPLOADED], format_func=_, key="inside_weights_source", horizontal=True
    )
    if source == IMAGENET:
        ok, diffs = _compatible(vkey, variant)
        if not ok:
            st.info(
                _(
                    "ImageNet weights were trained for torchvision's AlexNet and fit only a network with exactly "
                    "its layer shapes. This variant differs: {differences}. Showing random initialisation.",
                    # the builder's key names and shapes (no user text), keys as code spans
                    differences=_("; ").join(str(d) for d in diffs),
                ),
                icon="ℹ️",
            )
            st.button(
                _("Switch to the torchvision preset"),
                key="inside_use_torchvision",
                on_click=_use_torchvision,
                help=_("Makes torchvision's AlexNet the current variant (on the Build page too)."),
            )
            return random
        url = os.environ.get("ALEXNET_WEIGHTS_URL", weights.TORCHVISION_URL)
        path = st.session_state.get("inside_imagenet_path")
        if path is None or not os.path.exists(path):
            found = weights.find_cached(url)
            path = str(found) if found else None
        if path is None:
            st.caption(
                _(
                    "torchvision's {file} (233 MB), checked against its hash and kept on the server for everyone. "
                    "If it cannot download, ask whoever runs the server.",
                    file=weights.TORCHVISION_FILENAME,
                )
            )
            if st.button(_("Load ImageNet weights"), key="inside_load_imagenet", type="primary"):
                bar = st.progress(0.0, text=_("Connecting…"))
                try:
                    path = str(weights.download_weights(url, progress=_progress_reporter(bar)))
                except weights.WeightsError as exc:
                    bar.empty()
                    st.error(_md_message(exc.message), icon="🚫")
                    return random
                bar.progress(1.0, text=_("Downloaded and verified."))
                st.session_state["inside_imagenet_path"] = path
        if path is None:
            st.caption(_("Showing random initialisation until the ImageNet weights are loaded."))
            return random
        st.session_state["inside_imagenet_path"] = path
        st.caption(_("ImageNet weights: {path}", path=ui.md(path)))
        return IMAGENET, _(IMAGENET), f"imagenet:{weights.hash_prefix(path)}", lambda: _imagenet_state(path), False
    if source == UPLOADED:
        upload = st.file_uploader(
            _("Upload a state dict (.pth / .pt)"), type=["pth", "pt"], key="inside_weights_upload"
        )
        if upload is None:
            st.caption(_("Save one with torch.save(model.state_dict(), 'weights.pth'). Showing random initialisation."))
            return random
        file_key = f"{upload.file_id}:{upload.size}"
        state, error = _uploaded_state(file_key, upload.getvalue())
        if error is not None:
            st.error(_md_message(error), icon="🚫")
            return random
        report = _match(vkey, file_key, variant, state)
        if report.exact:
            st.success(
                _(
                    "{file}: all {count} tensors match this variant.",
                    file=ui.md(upload.name),
                    count=report.n_model_keys,
                ),
                icon="✅",
            )
            return UPLOADED, _(UPLOADED), f"upload:{file_key}", lambda: state, False
        st.error(
            _(
                "{file} does not fit {variant}: {summary}.",
                file=ui.md(upload.name),
                variant=_variant_name(variant),
                summary=ui.md(report.summary()),
            ),
            icon="🚫",
        )
        st.dataframe([r.to_dict() for r in report.problems], hide_index=True, width="stretch")
        n_ok = len(report.matching_keys)
        partial = st.checkbox(
            _("Load only the {count} matching tensors (the rest keep their random initialisation)", count=n_ok),
            key="inside_partial",
            disabled=n_ok == 0,
        )
        if partial and n_ok:
            return (
                UPLOADED,
                _(
                    "{weights} (partial: {loaded} of {total} tensors)",
                    weights=_(UPLOADED),
                    loaded=n_ok,
                    total=report.n_model_keys,
                ),
                f"upload:{file_key}:partial",
                lambda: state,
                True,
            )
        st.caption(_("Showing random initialisation."))
        return random
    return random


def _clamp(key: str, high: int, default: Callable[[], int]) -> None:
    """Keep a slider's remembered value inside its current range (the layer may have changed)."""
    value = st.session_state[key] if key in st.session_state else default()
    st.session_state[key] = min(max(int(value), 0), high)


@st.cache_data(max_entries=32, show_spinner=False)
def _add_pngs(key: tuple, layer: int, channel: int, lang: str, _acts: Activations) -> list[tuple[bytes, str]]:
    block = _acts.block(layer)
    body, short, out = block.body_output[channel], block.shortcut_output[channel], block.output[channel]
    lo = float(min(body.min(), short.min(), out.min()))
    hi = float(max(body.max(), short.max(), out.max()))
    with i18n.using(lang):
        what = _("the input (identity)") if block.identity else _("1×1 conv + batchnorm")
        return [
            (
                to_png(channel_image(body, vmin=lo, vmax=hi, size=220)),
                _("body: {layers}", layers=" → ".join(block.body_names)),
            ),
            (to_png(channel_image(short, vmin=lo, vmax=hi, size=220)), _("+ shortcut: {what}", what=what)),
            (to_png(channel_image(out, vmin=lo, vmax=hi, size=220)), _("= {block}'s output", block=block.name)),
        ]


def render_add(acts: Activations, layer: int, key: tuple) -> None:
    """For a residual block: one channel of body(x), shortcut(x) and their sum, on one scale."""
    block = acts.block(layer) if hasattr(acts, "block") else None
    if block is None:
        return
    channel = top_channels(block.output, 1)[0]
    label = _("The add in {block}: body + shortcut = output (channel {channel})", block=block.name, channel=channel)
    with st.expander(label, expanded=True):
        cols = st.columns(3)
        for col, (png, caption) in zip(cols, _add_pngs(key, layer, channel, i18n.language(), acts)):
            col.image(png, caption=caption, output_format="PNG", width=260)


def render_feature_maps(analysis: Analysis, acts: Activations, pre: images.Preprocessed, key: tuple) -> None:
    st.subheader(_("2 · Feature maps"))
    spatial = [r.index for r in analysis.rows if len(r.output) == 3]
    if not spatial:
        st.info(_("This variant has no convolutional feature maps to show."))
        return
    rows = analysis.rows
    lang = i18n.language()
    c1, c2, c3 = st.columns([2, 2, 2])
    with c1:
        if st.session_state.get("inside_layer") not in spatial:  # from a link, or another variant's layer
            st.session_state.pop("inside_layer", None)
        layer = st.selectbox(
            _("Layer"),
            spatial,
            format_func=lambda i: f"{rows[i].name} · {format_shape(rows[i].output)}",
            key="inside_layer",
        )
    fmap = acts.outputs[layer]
    n_ch, h, w = fmap.shape
    with c2:
        mode = st.radio(_("Show"), [ALL_CHANNELS, TOP_K], format_func=_, key="inside_grid_mode", horizontal=True)
    channels: tuple[int, ...] | None = None
    with c3:
        if mode != ALL_CHANNELS:
            if n_ch > 1:
                _clamp("inside_topk", n_ch, lambda: min(16, n_ch))
                st.session_state["inside_topk"] = max(1, st.session_state["inside_topk"])
                k = st.slider("k", 1, n_ch, key="inside_topk")
            else:
                k = 1
            channels = tuple(top_channels(fmap, k))
    shown = _(ALL_CHANNELS) if channels is None else _("top {k} by mean activation", k=len(channels))
    title = f"{rows[layer].name} · {n_ch}×{h}×{w} · {shown}"
    render_add(acts, layer, key)
    st.image(_grid_png(key, layer, channels, title, lang, acts), width="content", output_format="PNG")

    st.markdown(_("**One channel, and where it looks**"))
    s1, s2, s3 = st.columns(3)
    with s1:
        if n_ch > 1:
            _clamp("inside_channel", n_ch - 1, lambda: top_channels(fmap, 1)[0])
            channel = st.slider(_("Channel"), 0, n_ch - 1, key="inside_channel")
        else:
            channel = 0
    with s2:
        if h > 1:
            _clamp("inside_pos_y", h - 1, lambda: h // 2)
            y = st.slider(_("Row"), 0, h - 1, key="inside_pos_y")
        else:
            y = 0
    with s3:
        if w > 1:
            _clamp("inside_pos_x", w - 1, lambda: w // 2)
            x = st.slider(_("Column"), 0, w - 1, key="inside_pos_x")
        else:
            x = 0
    window = receptive_window(analysis, layer, y, x)
    left, right = st.columns(2)
    with left:
        st.image(
            _channel_png(key, layer, channel, y, x, lang, acts),
            output_format="PNG",
            caption=_(
                "{layer}, channel {channel} ({height}×{width}); value at ({y}, {x}) = {value:.4g}",
                layer=rows[layer].name,
                channel=channel,
                height=h,
                width=w,
                y=y,
                x=x,
                value=float(fmap[channel, y, x]),
            ),
        )
    with right:
        top, lft, bottom, rgt = window.clipped
        wh, ww = window.size
        where = _(
            "receptive field of ({y}, {x}): {height}×{width} input pixels, rows {top}–{bottom}, columns {left}–{right}",
            y=y,
            x=x,
            height=wh,
            width=ww,
            top=top,
            bottom=bottom,
            left=lft,
            right=rgt,
        )
        if (top, lft, bottom, rgt) != (window.top, window.left, window.bottom, window.right):
            where = _("{window}, clipped at the border", window=where)
        st.image(_window_png(key, window.clipped, pre.crop), output_format="PNG", caption=where)


def render_strip(analysis: Analysis, acts: Activations, pre: images.Preprocessed, key: tuple) -> None:
    st.subheader(_("3 · Every layer at a glance"))
    indices = tuple(r.index for r in analysis.rows if len(r.output) == 3 and r.type in _STRIP_TYPES)
    if not indices:
        return
    st.image(_strip_png(key, indices, i18n.language(), acts, pre.crop), width="content", output_format="PNG")
    st.caption(
        _("Each layer's most active channel, drawn at the same size: the blocks get coarser as the resolution shrinks.")
    )


def render_filters(variant: Variant, vkey: str, analysis: Analysis, label: str, weights_id: str, model_fn) -> None:
    st.subheader(_("4 · First-layer filters — {weights}", weights=label))
    first = next((r.index for r in analysis.rows if r.type == "conv"), None)
    if first is None:
        st.info(_("This variant has no convolution."))
        return
    conv = variant.layers[first]
    assert isinstance(conv, Conv)
    towers = conv1_towers(variant)
    png = _filters_png(vkey, weights_id, first, towers, i18n.language(), model_fn)
    st.image(png, width="content", output_format="PNG")
    channels = analysis.input_shape[0]
    kind = "RGB" if channels == 3 else (_("grayscale") if channels == 1 else _("mean over inputs"))
    numbers = dict(count=conv.out_channels, kernel=conv.kernel, channels=channels, kind=kind)
    if towers > 1:
        st.caption(
            _(
                "{count} filters of {kernel}×{kernel}×{channels} ({kind}), each scaled to its own range; split into "
                "{towers} towers as on the paper's two GPUs (Figure 3).",
                towers=towers,
                **numbers,
            )
        )
    else:
        st.caption(
            _("{count} filters of {kernel}×{kernel}×{channels} ({kind}), each scaled to its own range.", **numbers)
        )


def render_predictions(acts: Activations, source: str) -> None:
    if source == RANDOM:
        st.subheader(_("5 · Top-5 predictions"))
        st.caption(
            _(
                "With random weights the class scores mean nothing (and the classifier is not even built here): "
                "choose the torchvision preset and load the ImageNet weights to see real predictions."
            )
        )
        return
    if acts.logits.dim() != 1:
        return
    st.subheader(_("5 · Top-5 predictions"))
    names = _class_names()
    if source == IMAGENET or (source == UPLOADED and acts.logits.numel() == len(names)):
        preds = top_k_predictions(acts.logits, names)
        st.plotly_chart(top5_figure(preds), key="inside_top5")
        if source != IMAGENET:
            st.caption(_("Class names assume the uploaded weights use ImageNet's class order."))
    else:
        st.caption(
            _(
                "With random or non-ImageNet weights the class scores mean nothing: choose the torchvision preset "
                "and load the ImageNet weights to see real predictions."
            )
        )


def render_lrn(variant: Variant, analysis: Analysis, acts: Activations, key: tuple) -> None:
    lrn_rows = [r for r in analysis.rows if r.type == "lrn" and r.index > 0 and len(r.output) == 3]
    if not lrn_rows:
        return
    st.subheader(_("6 · Local response normalisation made visible"))
    by_index = {r.index: r for r in lrn_rows}
    index = st.selectbox(_("LRN layer"), list(by_index), format_func=lambda i: by_index[i].name, key="inside_lrn")
    row = by_index[index]
    layer = variant.layers[index]
    assert isinstance(layer, LRN)
    before = acts.outputs[index - 1]
    n_ch = before.shape[0]
    if n_ch > 1:
        _clamp("inside_lrn_channel", n_ch - 1, lambda: top_channels(before, 1)[0])
        channel = st.slider(_("LRN channel"), 0, n_ch - 1, key="inside_lrn_channel")
    else:
        channel = 0
    st.image(
        _lrn_png(key, index, channel, i18n.language(), acts),
        output_format="PNG",
        caption=_(
            "{before} → {after}, channel {channel} ({shape})",
            before=analysis.rows[index - 1].name,
            after=row.name,
            channel=channel,
            shape=format_shape(row.output),
        ),
    )
    st.markdown(lrn_ratio(before[channel], acts.outputs[index][channel], layer).text())
    st.latex(lrn_formula_latex(layer))
    st.caption(lrn_pytorch_note(layer))


def font_notice() -> None:
    """In Chinese, say so when the server has no CJK font for the words drawn into the pictures."""
    package = missing_cjk_font()
    if i18n.language() == "zh" and package is not None:
        st.caption(
            _(
                "This server has no Chinese font, so the words inside the pictures may show as boxes: "
                "install {package} on the server.",
                package=f"`{package}`",
            )
        )


def _md_message(message: Message) -> str:
    """An engine message for Markdown, in the reader's language: the template is ours and shown as
    written (a translation may hold `code`); every parameter (file names, what a file holds, library
    errors) is escaped with ui.md."""
    params = {name: _md_param(value) for name, value in message.params}
    return i18n.gettext(message.key, **params)


def _md_param(value: object) -> object:
    if isinstance(value, Message):
        return _md_message(value)
    return ui.md(value) if isinstance(value, str) else value


def _variant_name(variant: Variant) -> str:
    """A preset's name as it is (known text: no Markdown in it); anything else escaped for Markdown."""
    return variant.name if variant.name in PRESETS else ui.md(variant.name)


# The page's state in its URL (issue: every page's state in its link): the variant (a preset by name,
# anything else as the Build page encodes it), the picture (a sample photo or a pattern; an upload
# cannot travel in a link), the layer and the channel. Read once per session, each value checked.
LINK_FIELDS = {
    "inside_source": ("src", ui.one_of(["Sample photo", "Pattern"])),
    "inside_sample": ("sample", ui.one_of(images.sample_names())),
    "inside_pattern": ("pattern", ui.one_of(list(images.PATTERNS))),
    "inside_layer": ("layer", ui.int_in(0, 10_000)),
    "inside_channel": ("ch", ui.int_in(0, 100_000)),
}


def _restore_from_link(choices: dict[str, Variant]) -> None:
    if st.session_state.get("_inside_from_url"):
        return
    params = st.query_params
    if params.get("preset") in choices:
        st.session_state["inside_variant"] = params["preset"]
    elif "v" in params or "preset" in params:
        linked, notice = decode_query(params.to_dict())
        if linked is not None:
            ui.set_current_variant(linked)  # the link's variant becomes the one Build edits
            st.session_state["inside_variant"] = ui.CURRENT
        elif notice:
            ui.notify("warning", ui.md(str(notice)))
    ui.restore_from_url(LINK_FIELDS, once_key="_inside_from_url")


def _link_state(choice: str, variant: Variant) -> dict[str, str]:
    ss = st.session_state
    state = dict(encode_variant(variant)) if choice not in PRESETS else {"preset": choice}
    source = ss.get("inside_source")
    if source == "Sample photo" and ss.get("inside_sample"):
        state |= {"src": source, "sample": str(ss["inside_sample"])}
    elif source == "Pattern" and ss.get("inside_pattern"):
        state |= {"src": source, "pattern": str(ss["inside_pattern"])}
    for key, name in (("inside_layer", "layer"), ("inside_channel", "ch")):
        if isinstance(ss.get(key), int):
            state[name] = str(ss[key])
    return state


@ui.guarded
def main() -> None:
    st.title(_("Inside the network"))
    st.caption(
        _(
            "A real image through the chosen variant: preprocessing, every layer's feature maps, the filters, "
            "the predictions."
        )
    )
    font_notice()
    choices = ui.variant_choices()
    _restore_from_link(choices)
    ui.show_notices()
    top_left, top_right = st.columns([1, 2])
    with top_left:
        choice = st.selectbox(_("Variant"), list(choices), format_func=ui.choice_label, key="inside_variant")
        variant = choices[choice]
        analysis = analyse(variant)
        st.caption(_("{name}: input {shape}", name=_variant_name(variant), shape=format_shape(analysis.input_shape)))
    with top_right:
        image, image_label = ui.image_picker("inside")
    ui.keep_query(_link_state(choice, variant))
    ui.share_panel()
    if not analysis.valid:
        assert analysis.error is not None
        ui.show_variant_error(analysis.error)
        return

    vkey = variant_to_json(variant, indent=None)
    source, label, weights_id, state_fn, partial = render_weights(variant, vkey)

    def model_fn() -> AlexNetVariant:
        return _model(vkey, weights_id, variant, state_fn() if state_fn is not None else None, partial)

    if image is None:
        render_filters(variant, vkey, analysis, label, weights_id, model_fn)
        return
    image_id = images.image_digest(image)
    try:
        pre = _preprocess(image_id, analysis.input_shape, image)
    except images.ImageError as exc:
        st.error(_md_message(exc.message), icon="🚫")
        return
    render_preprocessing(pre, _step_pngs(image_id, analysis.input_shape, pre), image_id, analysis.input_shape)
    with st.spinner(_("Running the forward pass (waiting for a free slot if other students are running theirs)…")):
        try:
            acts = _activations(vkey, weights_id, image_id, model_fn, pre.tensor, analysis)
        except (CaptureTooLarge, weights.WeightsError) as exc:
            st.error(_md_message(exc.message), icon="🚫")
            return
        except TimeoutError:
            st.warning(
                _(
                    "The server is busy: no forward-pass slot freed up within {seconds:.0f} s. Try again in a moment.",
                    seconds=FORWARD_WAIT_S,
                ),
                icon="⏳",
            )
            return
    st.caption(
        _(
            "{image} · forward pass on **{device}** took **{ms:.0f} ms** (this machine's best device: {best}); "
            "changing the layer or channel reuses it.",
            image=ui.md(image_label),
            device=acts.device_info,
            ms=acts.milliseconds,
            best=device_label(pick_device()),
        )
    )
    key = (vkey, weights_id, image_id)
    render_feature_maps(analysis, acts, pre, key)
    render_strip(analysis, acts, pre, key)
    render_filters(variant, vkey, analysis, label, weights_id, model_fn)
    render_predictions(acts, source)
    render_lrn(variant, analysis, acts, key)


ui.page_setup(N_("Inside the network"), "🔬")
main()

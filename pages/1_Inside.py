"""Inside the network: a real image through the chosen variant, layer by layer.

Session state read: "variant" (via ui.current_variant). Keys of this page's widgets all start with
"inside_": inside_variant, inside_source / inside_sample / inside_pattern / inside_upload (the
image picker), inside_weights_source, inside_load_imagenet, inside_weights_upload, inside_partial,
inside_layer, inside_grid_mode, inside_topk, inside_channel, inside_pos_y, inside_pos_x,
inside_lrn, inside_lrn_channel. "inside_imagenet_path" remembers the downloaded ImageNet file.

Environment: ALEXNET_WEIGHTS_URL overrides where the ImageNet weights come from (a classroom
mirror, or a file:// URL); the cache is torch hub's checkpoint folder (TORCH_HOME moves it).

Speed: one model per (variant, weights) in st.cache_resource (4 at most); activations once per
(variant, weights, image) in st.cache_resource, so changing the shown layer or channel re-draws
one composited image and runs no model. Forward passes take a slot from runtime.forward_slot.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import streamlit as st
import torch

import ui
from explorer import images, weights
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
    to_png,
    top5_figure,
    window_on_input,
)
from explorer.presets import PRESETS
from explorer.runtime import device_label, forward_slot, pick_device
from explorer.spec import LRN, Conv, InputSpec, Variant, variant_to_json

RANDOM, IMAGENET, UPLOADED = "random initialisation", "ImageNet-trained (torchvision)", "uploaded weights"
FORWARD_WAIT_S = 60.0
_STRIP_TYPES = {"conv", "lrn", "maxpool", "avgpool", "adaptiveavgpool", "residual"}


# --- cached work (models and activations are resources; pictures are PNG bytes) --------------------


# Cached functions take the variant as `_variant` (not hashed) plus `vkey`, its JSON text: hashing a
# short string is far cheaper than hashing the dataclass on every rerun.


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
def _uploaded_state(file_key: str, _data: bytes) -> tuple[dict[str, torch.Tensor] | None, str | None]:
    try:
        return weights.load_state_dict_file(_data), None
    except weights.WeightsError as exc:
        return None, str(exc)


@st.cache_data(max_entries=8, show_spinner=False)
def _match(vkey: str, file_key: str, _variant: Variant, _state: dict[str, torch.Tensor]) -> weights.MatchReport:
    return weights.match_report(build_model(_variant, device="meta"), _state)


@st.cache_data(max_entries=16, show_spinner=False)
@ui.callback
def _use_torchvision() -> None:
    st.session_state["variant"] = PRESETS["torchvision"]
    st.session_state["_base"] = "torchvision"
    st.session_state["inside_variant"] = ui.CURRENT


def _compatible(vkey: str, _variant: Variant) -> tuple[bool, str]:
    return weights.compatible(_variant), "; ".join(weights.shape_differences(_variant))


@st.cache_data(max_entries=64, show_spinner=False)
def _grid_png(key: tuple, layer: int, channels: tuple[int, ...] | None, title: str, _acts: Activations) -> bytes:
    return to_png(feature_grid(_acts.outputs[layer], channels, title=title).image)


@st.cache_data(max_entries=64, show_spinner=False)
def _channel_png(key: tuple, layer: int, channel: int, y: int, x: int, _acts: Activations) -> bytes:
    return to_png(channel_image(_acts.outputs[layer][channel], position=(y, x)))


@st.cache_data(max_entries=64, show_spinner=False)
def _window_png(key: tuple, window: tuple[int, int, int, int], _crop) -> bytes:
    top, left, bottom, right = window
    return to_png(window_on_input(_crop, Window(top, left, bottom, right, window)))


@st.cache_data(max_entries=8, show_spinner=False)
def _strip_png(key: tuple, indices: tuple[int, ...], _acts: Activations, _crop) -> bytes:
    return to_png(layer_strip(_acts.outputs, _acts.names, indices, _crop))


@st.cache_data(max_entries=8, show_spinner=False)
def _filters_png(vkey: str, weights_id: str, layer: int, towers: int, _model_fn) -> bytes:
    return to_png(filter_tiles(_model_fn().layer_modules()[layer].weight, towers=towers))


@st.cache_data(max_entries=32, show_spinner=False)
def _lrn_png(key: tuple, index: int, channel: int, _acts: Activations) -> bytes:
    return to_png(lrn_panels(_acts.outputs[index - 1][channel], _acts.outputs[index][channel]))


@st.cache_data(show_spinner=False)
def _class_names() -> tuple[str, ...]:
    return class_names()


# --- sections --------------------------------------------------------------------------------------


def render_preprocessing(
    pre: images.Preprocessed, pngs: list[bytes], image_id: str, variant_input: tuple[int, int, int]
) -> None:
    st.subheader("1 · Preprocessing, step by step")
    cols = st.columns(len(pre.steps))
    for col, step, png in zip(cols, pre.steps, pngs):
        with col:
            st.image(png, caption=f"{step.title} · {step.size}", width="stretch", output_format="PNG")
            st.caption(step.note)
    render_planes(pre, image_id, variant_input)
    with st.expander("What the 2012 paper did instead"):
        st.markdown(images.PAPER_MEAN_NOTE)


@st.cache_data(max_entries=16, show_spinner=False)
def _plane_pngs(
    image_id: str, variant_input: tuple[int, int, int], _pre: images.Preprocessed
) -> list[tuple[bytes, str]]:
    """Each colour plane before (0…1) and after normalising (one shared scale), with its numbers."""
    planes = images.colour_planes(_pre)[:3]
    lo = min(float(p.after.min()) for p in planes)
    hi = max(float(p.after.max()) for p in planes)
    out = []
    for plane in planes:
        b_mean, b_lo, b_hi = plane.summary("before")
        a_mean, a_lo, a_hi = plane.summary("after")
        out.append(
            (
                to_png(channel_image(plane.before, vmin=0.0, vmax=1.0, size=200)),
                f"{plane.name} before: mean {b_mean:.3f}, {b_lo:.3f} … {b_hi:.3f}",
            )
        )
        out.append(
            (
                to_png(channel_image(plane.after, vmin=lo, vmax=hi, size=200)),
                f"{plane.name} after (− {plane.mean:g}, ÷ {plane.std:g}): mean {a_mean:.3f}, {a_lo:.3f} … {a_hi:.3f}",
            )
        )
    return out


def render_planes(pre: images.Preprocessed, image_id: str, variant_input: tuple[int, int, int]) -> None:
    """What normalising changes: each colour plane before and after."""
    pictures = _plane_pngs(image_id, variant_input, pre)
    with st.expander("What normalising does to each colour plane (R, G, B before and after)", expanded=True):
        st.caption(
            "Top: the values the crop holds (0…1). Bottom: after (x − mean) / std, all planes on one scale: "
            "each is now centred near 0 with a spread near 1."
        )
        cols = st.columns(len(pictures) // 2)
        for j, col in enumerate(cols):
            with col:
                for png, caption in pictures[2 * j : 2 * j + 2]:
                    st.image(png, caption=caption, output_format="PNG")


def render_weights(variant: Variant, vkey: str) -> tuple[str, str, object, bool]:
    """The weights choice; returns (label, weights id, lazy state-dict loader or None, partial)."""
    st.subheader("Weights")
    source = st.radio("Weights", [RANDOM, IMAGENET, UPLOADED], key="inside_weights_source", horizontal=True)
    if source == IMAGENET:
        ok, diffs = _compatible(vkey, variant)
        if not ok:
            st.info(
                "ImageNet weights were trained for torchvision's AlexNet and fit only a network with exactly its "
                f"layer shapes. This variant differs: {ui.md(diffs)}. Showing random initialisation.",
                icon="ℹ️",
            )
            st.button(
                "Switch to the torchvision preset",
                key="inside_use_torchvision",
                on_click=_use_torchvision,
                help="Makes torchvision's AlexNet the current variant (on the Build page too).",
            )
            return RANDOM, "random", None, False
        url = os.environ.get("ALEXNET_WEIGHTS_URL", weights.TORCHVISION_URL)
        path = st.session_state.get("inside_imagenet_path")
        if path is None or not os.path.exists(path):
            found = weights.find_cached(url)
            path = str(found) if found else None
        if path is None:
            st.caption(
                f"torchvision's {weights.TORCHVISION_FILENAME} (233 MB), checked against its hash and kept on the "
                "server for everyone. If it cannot download, ask whoever runs the server."
            )
            if st.button("Load ImageNet weights", key="inside_load_imagenet", type="primary"):
                bar = st.progress(0.0, text="Connecting…")
                shown = [-1]

                def report(done: int, total: int | None) -> None:
                    percent = int(100 * done / total) if total else 0
                    if percent != shown[0]:
                        shown[0] = percent
                        text = f"{done / 2**20:.0f} of {total / 2**20:.0f} MB" if total else f"{done / 2**20:.0f} MB"
                        bar.progress(
                            min(percent, 100) / 100, text=f"Downloading {weights.TORCHVISION_FILENAME}: {text}"
                        )

                try:
                    path = str(weights.download_weights(url, progress=report))
                except weights.WeightsError as exc:
                    bar.empty()
                    st.error(ui.md(str(exc)), icon="🚫")
                    return RANDOM, "random", None, False
                bar.progress(1.0, text="Downloaded and verified.")
                st.session_state["inside_imagenet_path"] = path
        if path is None:
            st.caption("Showing random initialisation until the ImageNet weights are loaded.")
            return RANDOM, "random", None, False
        st.session_state["inside_imagenet_path"] = path
        st.caption(f"ImageNet weights: {ui.md(path)}")
        return IMAGENET, f"imagenet:{weights.hash_prefix(path)}", lambda: _imagenet_state(path), False
    if source == UPLOADED:
        upload = st.file_uploader("Upload a state dict (.pth / .pt)", type=["pth", "pt"], key="inside_weights_upload")
        if upload is None:
            st.caption("Save one with torch.save(model.state_dict(), 'weights.pth'). Showing random initialisation.")
            return RANDOM, "random", None, False
        file_key = f"{upload.file_id}:{upload.size}"
        state, error = _uploaded_state(file_key, upload.getvalue())
        if error is not None:
            st.error(ui.md(error), icon="🚫")
            return RANDOM, "random", None, False
        report = _match(vkey, file_key, variant, state)
        if report.exact:
            st.success(f"{ui.md(upload.name)}: all {report.n_model_keys} tensors match this variant.", icon="✅")
            return UPLOADED, f"upload:{file_key}", lambda: state, False
        st.error(f"{ui.md(upload.name)} does not fit {ui.md(variant.name)}: {ui.md(report.summary())}.", icon="🚫")
        st.dataframe([r.to_dict() for r in report.problems], hide_index=True, width="stretch")
        n_ok = len(report.matching_keys)
        partial = st.checkbox(
            f"Load only the {n_ok} matching tensors (the rest keep their random initialisation)",
            key="inside_partial",
            disabled=n_ok == 0,
        )
        if partial and n_ok:
            return (
                f"{UPLOADED} (partial: {n_ok} of {report.n_model_keys} tensors)",
                f"upload:{file_key}:partial",
                lambda: state,
                True,
            )
        st.caption("Showing random initialisation.")
        return RANDOM, "random", None, False
    return RANDOM, "random", None, False


def _clamp(key: str, high: int, default: Callable[[], int]) -> None:
    """Keep a slider's remembered value inside its current range (the layer may have changed)."""
    value = st.session_state[key] if key in st.session_state else default()
    st.session_state[key] = min(max(int(value), 0), high)


@st.cache_data(max_entries=32, show_spinner=False)
def _add_pngs(key: tuple, layer: int, channel: int, _acts: Activations) -> list[tuple[bytes, str]]:
    block = _acts.block(layer)
    body, short, out = block.body_output[channel], block.shortcut_output[channel], block.output[channel]
    lo = float(min(body.min(), short.min(), out.min()))
    hi = float(max(body.max(), short.max(), out.max()))
    what = "the input (identity)" if block.identity else "1×1 conv + batchnorm"
    return [
        (to_png(channel_image(body, vmin=lo, vmax=hi, size=220)), f"body: {' → '.join(block.body_names)}"),
        (to_png(channel_image(short, vmin=lo, vmax=hi, size=220)), f"+ shortcut: {what}"),
        (to_png(channel_image(out, vmin=lo, vmax=hi, size=220)), f"= {block.name}'s output"),
    ]


def render_add(acts: Activations, layer: int, key: tuple) -> None:
    """For a residual block: one channel of body(x), shortcut(x) and their sum, on one scale."""
    block = acts.block(layer) if hasattr(acts, "block") else None
    if block is None:
        return
    channel = top_channels(block.output, 1)[0]
    with st.expander(f"The add in {block.name}: body + shortcut = output (channel {channel})", expanded=True):
        cols = st.columns(3)
        for col, (png, caption) in zip(cols, _add_pngs(key, layer, channel, acts)):
            col.image(png, caption=caption, output_format="PNG", width=260)


def render_feature_maps(analysis: Analysis, acts: Activations, pre: images.Preprocessed, key: tuple) -> None:
    st.subheader("2 · Feature maps")
    spatial = [r.index for r in analysis.rows if len(r.output) == 3]
    if not spatial:
        st.info("This variant has no convolutional feature maps to show.")
        return
    rows = analysis.rows
    c1, c2, c3 = st.columns([2, 2, 2])
    with c1:
        layer = st.selectbox(
            "Layer",
            spatial,
            format_func=lambda i: f"{rows[i].name} · {format_shape(rows[i].output)}",
            key="inside_layer",
        )
    fmap = acts.outputs[layer]
    n_ch, h, w = fmap.shape
    with c2:
        mode = st.radio("Show", ["all channels", "top-k by mean activation"], key="inside_grid_mode", horizontal=True)
    channels: tuple[int, ...] | None = None
    with c3:
        if mode != "all channels":
            if n_ch > 1:
                _clamp("inside_topk", n_ch, lambda: min(16, n_ch))
                st.session_state["inside_topk"] = max(1, st.session_state["inside_topk"])
                k = st.slider("k", 1, n_ch, key="inside_topk")
            else:
                k = 1
            channels = tuple(top_channels(fmap, k))
    shown = "all channels" if channels is None else f"top {len(channels)} by mean activation"
    title = f"{rows[layer].name} · {n_ch}×{h}×{w} · {shown}"
    render_add(acts, layer, key)
    st.image(_grid_png(key, layer, channels, title, acts), width="content", output_format="PNG")

    st.markdown("**One channel, and where it looks**")
    s1, s2, s3 = st.columns(3)
    with s1:
        if n_ch > 1:
            _clamp("inside_channel", n_ch - 1, lambda: top_channels(fmap, 1)[0])
            channel = st.slider("Channel", 0, n_ch - 1, key="inside_channel")
        else:
            channel = 0
    with s2:
        if h > 1:
            _clamp("inside_pos_y", h - 1, lambda: h // 2)
            y = st.slider("Row", 0, h - 1, key="inside_pos_y")
        else:
            y = 0
    with s3:
        if w > 1:
            _clamp("inside_pos_x", w - 1, lambda: w // 2)
            x = st.slider("Column", 0, w - 1, key="inside_pos_x")
        else:
            x = 0
    window = receptive_window(analysis, layer, y, x)
    left, right = st.columns(2)
    with left:
        st.image(
            _channel_png(key, layer, channel, y, x, acts),
            output_format="PNG",
            caption=f"{rows[layer].name}, channel {channel} ({h}×{w}); value at ({y}, {x}) = {float(fmap[channel, y, x]):.4g}",
        )
    with right:
        top, lft, bottom, rgt = window.clipped
        wh, ww = window.size
        clipped = (
            ""
            if (top, lft, bottom, rgt) == (window.top, window.left, window.bottom, window.right)
            else ", clipped at the border"
        )
        st.image(
            _window_png(key, window.clipped, pre.crop),
            output_format="PNG",
            caption=f"receptive field of ({y}, {x}): {wh}×{ww} input pixels, rows {top}–{bottom}, columns {lft}–{rgt}{clipped}",
        )


def render_strip(analysis: Analysis, acts: Activations, pre: images.Preprocessed, key: tuple) -> None:
    st.subheader("3 · Every layer at a glance")
    indices = tuple(r.index for r in analysis.rows if len(r.output) == 3 and r.type in _STRIP_TYPES)
    if not indices:
        return
    st.image(_strip_png(key, indices, acts, pre.crop), width="content", output_format="PNG")
    st.caption(
        "Each layer's most active channel, drawn at the same size: the blocks get coarser as the resolution shrinks."
    )


def render_filters(variant: Variant, vkey: str, analysis: Analysis, label: str, weights_id: str, model_fn) -> None:
    st.subheader(f"4 · First-layer filters — {label}")
    first = next((r.index for r in analysis.rows if r.type == "conv"), None)
    if first is None:
        st.info("This variant has no convolution.")
        return
    conv = variant.layers[first]
    assert isinstance(conv, Conv)
    towers = conv1_towers(variant)
    png = _filters_png(vkey, weights_id, first, towers, model_fn)
    st.image(png, width="content", output_format="PNG")
    kind = (
        "RGB" if analysis.input_shape[0] == 3 else ("grayscale" if analysis.input_shape[0] == 1 else "mean over inputs")
    )
    split = f"; split into {towers} towers as on the paper's two GPUs (Figure 3)" if towers > 1 else ""
    st.caption(
        f"{conv.out_channels} filters of {conv.kernel}×{conv.kernel}×{analysis.input_shape[0]} ({kind}), each scaled to its own range{split}."
    )


def render_predictions(acts: Activations, label: str) -> None:
    if label == RANDOM:
        st.subheader("5 · Top-5 predictions")
        st.caption(
            "With random weights the class scores mean nothing (and the classifier is not even built here): choose "
            "the torchvision preset and load the ImageNet weights to see real predictions."
        )
        return
    if acts.logits.dim() != 1:
        return
    st.subheader("5 · Top-5 predictions")
    names = _class_names()
    if label == IMAGENET or (label.startswith(UPLOADED) and acts.logits.numel() == len(names)):
        preds = top_k_predictions(acts.logits, names)
        st.plotly_chart(top5_figure(preds), key="inside_top5")
        if label != IMAGENET:
            st.caption("Class names assume the uploaded weights use ImageNet's class order.")
    else:
        st.caption(
            "With random or non-ImageNet weights the class scores mean nothing: choose the torchvision preset and "
            "load the ImageNet weights to see real predictions."
        )


def render_lrn(variant: Variant, analysis: Analysis, acts: Activations, key: tuple) -> None:
    lrn_rows = [r for r in analysis.rows if r.type == "lrn" and r.index > 0 and len(r.output) == 3]
    if not lrn_rows:
        return
    st.subheader("6 · Local response normalisation made visible")
    by_index = {r.index: r for r in lrn_rows}
    index = st.selectbox("LRN layer", list(by_index), format_func=lambda i: by_index[i].name, key="inside_lrn")
    row = by_index[index]
    layer = variant.layers[index]
    assert isinstance(layer, LRN)
    before = acts.outputs[index - 1]
    n_ch = before.shape[0]
    if n_ch > 1:
        _clamp("inside_lrn_channel", n_ch - 1, lambda: top_channels(before, 1)[0])
        channel = st.slider("LRN channel", 0, n_ch - 1, key="inside_lrn_channel")
    else:
        channel = 0
    st.image(
        _lrn_png(key, index, channel, acts),
        output_format="PNG",
        caption=f"{analysis.rows[index - 1].name} → {row.name}, channel {channel} ({format_shape(row.output)})",
    )
    st.markdown(lrn_ratio(before[channel], acts.outputs[index][channel], layer).text())
    st.latex(lrn_formula_latex(layer))
    st.caption(lrn_pytorch_note(layer))


@ui.guarded
def main() -> None:
    st.title("Inside the network")
    st.caption(
        "A real image through the chosen variant: preprocessing, every layer's feature maps, the filters, the predictions."
    )
    ui.share_panel()
    choices = ui.variant_choices()
    top_left, top_right = st.columns([1, 2])
    with top_left:
        choice = st.selectbox("Variant", list(choices), key="inside_variant")
        variant = choices[choice]
        analysis = analyse(variant)
        st.caption(f"{ui.md(variant.name)}: input {format_shape(analysis.input_shape)}")
    with top_right:
        image, image_label = ui.image_picker("inside")
    if not analysis.valid:
        assert analysis.error is not None
        ui.show_variant_error(analysis.error)
        return

    vkey = variant_to_json(variant, indent=None)
    label, weights_id, state_fn, partial = render_weights(variant, vkey)

    def model_fn() -> AlexNetVariant:
        return _model(vkey, weights_id, variant, state_fn() if state_fn is not None else None, partial)

    if image is None:
        render_filters(variant, vkey, analysis, label, weights_id, model_fn)
        return
    image_id = images.image_digest(image)
    try:
        pre = _preprocess(image_id, analysis.input_shape, image)
    except images.ImageError as exc:
        st.error(ui.md(str(exc)), icon="🚫")
        return
    render_preprocessing(pre, _step_pngs(image_id, analysis.input_shape, pre), image_id, analysis.input_shape)
    with st.spinner("Running the forward pass (waiting for a free slot if other students are running theirs)…"):
        try:
            acts = _activations(vkey, weights_id, image_id, model_fn, pre.tensor, analysis)
        except (CaptureTooLarge, weights.WeightsError) as exc:
            st.error(ui.md(str(exc)), icon="🚫")
            return
        except TimeoutError:
            st.warning(
                f"The server is busy: no forward-pass slot freed up within {FORWARD_WAIT_S:.0f} s. Try again in a moment.",
                icon="⏳",
            )
            return
    st.caption(
        f"{ui.md(image_label)} · forward pass on **{acts.device}** took **{acts.milliseconds:.0f} ms** "
        f"(this machine's best device: {device_label(pick_device())}); changing the layer or channel reuses it."
    )
    key = (vkey, weights_id, image_id)
    render_feature_maps(analysis, acts, pre, key)
    render_strip(analysis, acts, pre, key)
    render_filters(variant, vkey, analysis, label, weights_id, model_fn)
    render_predictions(acts, label)
    render_lrn(variant, analysis, acts, key)


ui.page_setup("Inside the network", "🔬")
main()

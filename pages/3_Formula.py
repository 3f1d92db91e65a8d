"""The Formula page: the conv/pool output-size formula, worked live with your numbers."""

from __future__ import annotations

import streamlit as st

from explorer.conventions import (
    compare,
    pool_padding_problem,
    pytorch_output_size,
    pytorch_steps,
    why_they_differ,
)
from explorer.figures_formula import GRID_MAX, grid_figure, row_figure, sweep_figure
from explorer.formula import worked_formula
from explorer.spec import Variant
from explorer.sweep import DEFAULT_RANGE, Sweep, sweep
from ui import (
    CURRENT,
    guarded,
    int_in,
    keep_query,
    md,
    one_of,
    page_setup,
    restore_from_url,
    share_panel,
    variant_choices,
)

DEFAULTS = {"f_kind": "conv", "f_w": 224, "f_k": 11, "f_s": 4, "f_p": 0, "f_d": 1, "f_ceil": False}
EXAMPLES = {
    "f_ex_conv1_224": ("Paper conv1, 224", {"f_kind": "conv", "f_w": 224, "f_k": 11, "f_s": 4, "f_p": 0}),
    "f_ex_conv1_227": ("Paper conv1, 227", {"f_kind": "conv", "f_w": 227, "f_k": 11, "f_s": 4, "f_p": 0}),
    "f_ex_tv_conv1": ("torchvision conv1, P 2", {"f_kind": "conv", "f_w": 224, "f_k": 11, "f_s": 4, "f_p": 2}),
    "f_ex_pool_3_2": ("Pool 3/2, overlapping", {"f_kind": "pool", "f_w": 55, "f_k": 3, "f_s": 2, "f_p": 0}),
    "f_ex_pool_2_2": ("Pool 2/2, no overlap", {"f_kind": "pool", "f_w": 55, "f_k": 2, "f_s": 2, "f_p": 0}),
}


@st.cache_data(max_entries=16, show_spinner=False)
def cached_sweep(variant: Variant, lo: int, hi: int) -> Sweep:
    return sweep(variant, lo, hi)


def apply_example(values: dict[str, object]) -> None:
    st.session_state.update({"f_d": 1, "f_ceil": False, "f_pos": 0, **values})


URL_FIELDS = {
    "f_kind": ("kind", one_of(["conv", "pool"])),
    "f_w": ("w", int_in(1, 512)),
    "f_k": ("k", int_in(1, 32)),
    "f_s": ("s", int_in(1, 16)),
    "f_p": ("p", int_in(0, 16)),
    "f_d": ("d", int_in(1, 8)),
    "f_ceil": ("ceil", one_of([True, False])),
}


def render_controls() -> tuple[str, int, int, int, int, int, bool]:
    restore_from_url(URL_FIELDS, once_key="_formula_from_url")
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)
    st.caption("One-click examples")
    cols = st.columns(len(EXAMPLES))
    for col, (key, (label, values)) in zip(cols, EXAMPLES.items()):
        col.button(label, key=key, on_click=apply_example, args=(values,), width="stretch")
    c1, c2, c3 = st.columns([1, 1, 1])
    kind = c1.radio(
        "Layer",
        ["conv", "pool"],
        key="f_kind",
        horizontal=True,
        format_func=lambda k: "convolution" if k == "conv" else "max pooling",
    )
    w = c1.slider("Input size W", 1, 512, key="f_w", help="Height = width: the formula is the same on each axis.")
    k = c2.slider("Kernel K", 1, 32, key="f_k")
    s = c2.slider("Stride S", 1, 16, key="f_s")
    p = c3.slider("Padding P (each side)", 0, 16, key="f_p")
    d = c3.slider("Dilation D", 1, 8, key="f_d", help="Gap between the kernel's taps; 1 = a plain window.")
    ceil = c1.checkbox(
        "ceil_mode (round up)",
        key="f_ceil",
        disabled=kind == "conv",
        help="Only pooling layers have ceil_mode in PyTorch; nn.Conv2d always rounds down.",
    )
    return kind, w, k, s, p, d, bool(ceil) and kind == "pool"


def render_formula(kind: str, w: int, k: int, s: int, p: int, d: int, ceil: bool) -> bool:
    """The worked formula; returns whether the picture can be drawn."""
    wf = worked_formula(w, k, s, p, d, ceil)
    problem = pool_padding_problem(k, p) if kind == "pool" else None
    if problem:
        st.error(f"**Invalid pooling padding.** {problem}", icon="🚫")
        return False
    out = pytorch_output_size(w, k, s, p, d, ceil)
    overhang_only = out >= 1 and wf.span < 0  # ceil_mode placing one window longer than the input
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Output size", out if out >= 1 else "none")
    m2.metric("Remainder", wf.remainder if wf.valid and not overhang_only else "—")
    m3.metric("Input pixels never covered", wf.uncovered if wf.valid else "—")
    m4.metric("Exact division", "yes" if wf.exact else "no")
    lines = [f"{i}. **{step.label}:** {step.text}" for i, step in enumerate(pytorch_steps(w, k, s, p, d, ceil), 1)]
    st.markdown("\n".join(lines))
    if overhang_only:
        st.info(
            f"The {wf.effective_kernel}-pixel window is longer than the padded input ({w + 2 * p}), yet ceil_mode "
            "rounds the negative quotient up to one window. PyTorch accepts this and pools over the pixels that "
            "exist; without ceil_mode the same layer raises an error."
        )
    elif not wf.valid:
        padded = w + 2 * p
        max_k = (padded - 1) // d + 1
        need_p = -(-(wf.effective_kernel - w) // 2)
        st.error(
            f"**The window does not fit.** The {wf.effective_kernel}-pixel window (K = {k}, D = {d}) is longer than "
            f"the padded input {w} + 2·{p} = {padded}, so PyTorch raises an error instead of producing an output. "
            f"Fix: use a kernel of at most {max_k}, padding of at least {need_p}, or an input of at least "
            f"{wf.effective_kernel - 2 * p}.",
            icon="🚫",
        )
    elif s > wf.effective_kernel:
        st.info(
            f"The stride {s} is larger than the {wf.effective_kernel}-pixel window: the windows leave gaps, "
            "so some pixels between them are never read."
        )
    if kind == "pool" and d > 1:
        st.caption("Dilated pooling exists only as nn.MaxPool2d(dilation=…); average pooling has no dilation.")
    return True


def render_picture(kind: str, w: int, k: int, s: int, p: int, d: int, ceil: bool) -> None:
    st.plotly_chart(row_figure(w, k, s, p, d, ceil), width="stretch", key="f_row_chart")
    out = pytorch_output_size(w, k, s, p, d, ceil)
    if out < 1:
        return
    if w > GRID_MAX:
        st.caption(f"The 2-D view appears for inputs up to {GRID_MAX} pixels (try the pooling examples with W ≤ 32).")
        return
    positions = out * out
    if positions > 1:
        st.session_state["f_pos"] = min(st.session_state.get("f_pos", 0), positions - 1)
        pos = st.slider(
            "Window position (step through the output, row by row)",
            0,
            positions - 1,
            key="f_pos",
        )
    else:
        pos = 0
    st.plotly_chart(grid_figure(w, k, s, p, d, ceil, pos), width="stretch", key="f_grid_chart")


def render_conventions(kind: str, w: int, k: int, s: int, p: int, d: int) -> None:
    st.header("Conventions side by side")
    st.caption(
        "The same numbers in every framework. PyTorch and Caffe pad P on each side; TensorFlow's VALID pads "
        "nothing and SAME pads whatever it needs; d2l writes p for the total padding; cuda-convnet (the code "
        "the 2012 paper ran on) rounds up."
    )
    results = compare(w, k, s, p, d, kind)  # type: ignore[arg-type]
    rows = [
        {
            "convention": f"{r.framework} {r.rule}",
            "with your numbers": r.worked,
            "size": str(r.size) if r.valid else "—",
            "padding used (before + after)": f"{r.pad_before} + {r.pad_after}",
            "note": r.note,
        }
        for r in results
    ]
    st.table(rows)
    st.info(why_they_differ(w, k, s, p, d, kind))  # type: ignore[arg-type]


def render_sweep() -> None:
    st.header("Which input sizes work")
    choices = variant_choices()
    c1, c2 = st.columns([1, 2])
    name = c1.selectbox("Variant", list(choices), key="f_variant", help=f"'{CURRENT}' is the one on the Build page.")
    lo, hi = c2.slider("Input sizes", 8, 1024, DEFAULT_RANGE, key="f_range")
    variant = choices[name]
    sw = cached_sweep(variant, int(lo), int(hi))
    valid = sw.valid_sizes
    exact = sw.exact_sizes
    m1, m2, m3 = st.columns(3)
    m1.metric("Smallest valid input", sw.min_valid if sw.min_valid is not None else "none in range")
    m2.metric("Valid sizes", f"{len(valid)} of {len(sw.rows)}")
    m3.metric("Exact sizes", len(exact))
    notes = []
    for size in sorted({224, 227, variant.input.height}):
        if lo <= size <= hi:
            row = sw.row(size)
            flat_text = f"flatten {row.flatten:,}" if row.flatten is not None else "no flatten"
            if row.exact:
                notes.append(f"**{size}**: exact, every division leaves no remainder ({flat_text}).")
            elif row.valid:
                flat = f", flatten {row.flatten:,}" if row.flatten is not None else ""
                notes.append(f"**{size}**: works but inexact: {', '.join(row.inexact)}{flat}.")
            else:
                notes.append(f"**{size}**: invalid, fails at {row.failing_layer}: {row.error}")
    if exact:
        shown = ", ".join(str(x) for x in exact[:12]) + (" …" if len(exact) > 12 else "")
        notes.append(f"Exact sizes in range: {shown}")
    for first, last, layers in sw.invalid_ranges():
        where = " or ".join(layers) if layers else "the input"
        notes.append(f"Invalid for {first}–{last}: fails at {where}; the table below gives each size's reason.")
    if sw.nominal_flatten is not None:
        same = sw.same_flatten_sizes
        notes.append(
            f"{len(same)} size(s) give the same flatten size as {md(variant.name)}'s own input ({sw.nominal_flatten:,}), "
            "so its trained classifier would fit them unchanged."
        )
    st.markdown("\n".join(f"- {n}" for n in notes))
    if not valid:
        st.warning(
            f"{md(variant.name)} is invalid at every size from {lo} to {hi}: widen the range or pick another variant."
        )
    st.plotly_chart(sweep_figure(sw), width="stretch", key="f_sweep_chart")
    only_exact = st.toggle("Show only exact sizes", key="f_only_exact")
    table = [r.to_dict() for r in sw.rows if r.exact or not only_exact]
    st.dataframe(table, width="stretch", hide_index=True, height=320, key="f_sweep_table")


@guarded
def main() -> None:
    st.title("The output-size formula")
    st.markdown(
        "Every conv and pooling layer slides a window along each axis. How many positions fit is "
        "**⌊(W + 2P − D·(K−1) − 1)/S⌋ + 1**; whatever the division leaves over is input the layer never sees. "
        "Move the sliders and watch the windows."
    )
    kind, w, k, s, p, d, ceil = render_controls()
    st.header("Worked out")
    if render_formula(kind, w, k, s, p, d, ceil):
        render_picture(kind, w, k, s, p, d, ceil)
    render_conventions(kind, w, k, s, p, d)
    render_sweep()
    # the page's state in its link: a student opens exactly this window
    keep_query({name: str(st.session_state[key]) for key, (name, _) in URL_FIELDS.items()})
    share_panel()


page_setup("Formula", "🧮")
main()

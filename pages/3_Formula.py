"""The Formula page: the conv/pool output-size formula, worked live with your numbers."""

from __future__ import annotations

import streamlit as st

from explorer import i18n
from explorer.conventions import (
    compare,
    pool_padding_problem,
    pytorch_output_size,
    pytorch_steps,
    why_they_differ,
)
from explorer.figures_formula import GRID_MAX, grid_figure, row_figure, sweep_figure
from explorer.formula import plural_message, worked_formula
from explorer.glossary import TERMS
from explorer.i18n import N_, _
from explorer.spec import Variant
from explorer.sweep import DEFAULT_RANGE, Sweep, sweep
from ui import (
    CURRENT,
    callback,
    choice_label,
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
EXAMPLES = {  # button key: (English label, shown with _(); the settings it applies)
    "f_ex_conv1_224": (N_("Paper conv1, 224"), {"f_kind": "conv", "f_w": 224, "f_k": 11, "f_s": 4, "f_p": 0}),
    "f_ex_conv1_227": (N_("Paper conv1, 227"), {"f_kind": "conv", "f_w": 227, "f_k": 11, "f_s": 4, "f_p": 0}),
    "f_ex_tv_conv1": (N_("torchvision conv1, P 2"), {"f_kind": "conv", "f_w": 224, "f_k": 11, "f_s": 4, "f_p": 2}),
    "f_ex_pool_3_2": (N_("Pool 3/2, overlapping"), {"f_kind": "pool", "f_w": 55, "f_k": 3, "f_s": 2, "f_p": 0}),
    "f_ex_pool_2_2": (N_("Pool 2/2, no overlap"), {"f_kind": "pool", "f_w": 55, "f_k": 2, "f_s": 2, "f_p": 0}),
}
KINDS = {"conv": N_("convolution"), "pool": N_("max pooling")}  # stable ids → words
YES, NO, NONE = "✓", "✗", "—"  # metric values: the same in every language (switching never changes them)


@st.cache_data(max_entries=16, show_spinner=False)
def cached_sweep(variant: Variant, lo: int, hi: int, lang: str) -> Sweep:
    """The sweep holds its words as data; `lang` keys the cache for the engine's error texts too."""
    return sweep(variant, lo, hi)


@callback
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
    st.caption(_("One-click examples"))
    cols = st.columns(len(EXAMPLES))
    for col, (key, (label, values)) in zip(cols, EXAMPLES.items()):
        col.button(_(label), key=key, on_click=apply_example, args=(values,), width="stretch")
    c1, c2, c3 = st.columns([1, 1, 1])
    kind = c1.radio(_("Layer type"), list(KINDS), key="f_kind", horizontal=True, format_func=lambda k: _(KINDS[k]))
    w = c1.slider(_("Input size W"), 1, 512, key="f_w", help=_("Height = width: the formula is the same on each axis."))
    k = c2.slider(_("Kernel K"), 1, 32, key="f_k")
    s = c2.slider(_("Stride S"), 1, 16, key="f_s")
    p = c3.slider(_("Padding P (each side)"), 0, 16, key="f_p")
    d = c3.slider(_("Dilation D"), 1, 8, key="f_d", help=_("Gap between the kernel's taps; 1 = a plain window."))
    ceil = c1.checkbox(
        _("ceil_mode (round up)"),
        key="f_ceil",
        disabled=kind == "conv",
        help=_("Only pooling layers have ceil_mode in PyTorch; nn.Conv2d always rounds down."),
    )
    return kind, w, k, s, p, d, bool(ceil) and kind == "pool"


def render_formula(kind: str, w: int, k: int, s: int, p: int, d: int, ceil: bool) -> bool:
    """The worked formula; returns whether the picture can be drawn."""
    wf = worked_formula(w, k, s, p, d, ceil)
    problem = pool_padding_problem(k, p) if kind == "pool" else None
    if problem:
        st.error(_("**Invalid pooling padding.** {problem}", problem=problem), icon="🚫")
        return False
    out = pytorch_output_size(w, k, s, p, d, ceil)
    overhang_only = out >= 1 and wf.span < 0  # ceil_mode placing one window longer than the input
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(_("Output size"), out if out >= 1 else NONE)
    m2.metric(_("Remainder"), wf.remainder if wf.valid and not overhang_only else NONE)
    m3.metric(_("Input pixels never covered"), wf.uncovered if wf.valid else NONE)
    m4.metric(_("Exact division"), YES if wf.exact else NO)
    steps = pytorch_steps(w, k, s, p, d, ceil)
    lines = [_("{i}. **{k}:** {v}", i=i, k=step.label, v=step.text) for i, step in enumerate(steps, 1)]
    st.markdown("\n".join(lines))
    if overhang_only:
        st.info(
            _(
                "The {k}-pixel window is longer than the padded input ({padded}), yet ceil_mode rounds the "
                "negative quotient up to one window. PyTorch accepts this and pools over the pixels that exist; "
                "without ceil_mode the same layer raises an error.",
                k=wf.effective_kernel,
                padded=w + 2 * p,
            )
        )
    elif not wf.valid:
        padded = w + 2 * p
        st.error(
            _(
                "**The window does not fit.** The {ke}-pixel window (K = {k}, D = {d}) is longer than the padded "
                "input {w} + 2·{p} = {padded}, so PyTorch raises an error instead of producing an output. "
                "Fix: use a kernel of at most {max_k}, padding of at least {need_p}, or an input of at least {need_w}.",
                ke=wf.effective_kernel,
                k=k,
                d=d,
                w=w,
                p=p,
                padded=padded,
                max_k=(padded - 1) // d + 1,
                need_p=-(-(wf.effective_kernel - w) // 2),
                need_w=wf.effective_kernel - 2 * p,
            ),
            icon="🚫",
        )
    elif s > wf.effective_kernel:
        st.info(
            _(
                "The stride {s} is larger than the {k}-pixel window: the windows leave gaps, so some pixels "
                "between them are never read.",
                s=s,
                k=wf.effective_kernel,
            )
        )
    if kind == "pool" and d > 1:
        st.caption(_("Dilated pooling exists only as nn.MaxPool2d(dilation=…); average pooling has no dilation."))
    return True


def render_picture(kind: str, w: int, k: int, s: int, p: int, d: int, ceil: bool) -> None:
    st.plotly_chart(row_figure(w, k, s, p, d, ceil), width="stretch", key="f_row_chart")
    out = pytorch_output_size(w, k, s, p, d, ceil)
    if out < 1:
        return
    if w > GRID_MAX:
        st.caption(
            _(
                "The 2-D view appears for inputs up to {n} pixels (try the pooling examples with W ≤ {n}).",
                n=GRID_MAX,
            )
        )
        return
    positions = out * out
    if positions > 1:
        st.session_state["f_pos"] = min(st.session_state.get("f_pos", 0), positions - 1)
        pos = st.slider(_("Window position (step through the output, row by row)"), 0, positions - 1, key="f_pos")
    else:
        pos = 0
    st.plotly_chart(grid_figure(w, k, s, p, d, ceil, pos), width="stretch", key="f_grid_chart")


def render_conventions(kind: str, w: int, k: int, s: int, p: int, d: int) -> None:
    st.header(_("Conventions side by side"))
    st.caption(
        _(
            "The same numbers in every framework. PyTorch and Caffe pad P on each side; TensorFlow's VALID pads "
            "nothing and SAME pads whatever it needs; d2l writes p for the total padding; cuda-convnet (the code "
            "the 2012 paper ran on) rounds up."
        )
    )
    results = compare(w, k, s, p, d, kind)  # type: ignore[arg-type]
    rows = [
        {
            _("convention"): f"{r.framework} {r.rule}",
            _("with your numbers"): r.worked,
            _("size"): str(r.size) if r.valid else NONE,
            _("padding used (before + after)"): f"{r.pad_before} + {r.pad_after}",
            _("note"): r.note,
        }
        for r in results
    ]
    st.table(rows)
    st.info(why_they_differ(w, k, s, p, d, kind))  # type: ignore[arg-type]


def _either(layers: tuple[str, ...]) -> str:
    """ "pool2", "pool2 or pool5", … in the current language."""
    if not layers:
        return _("the input")
    text = layers[0]
    for layer in layers[1:]:
        text = _("{head} or {last}", head=text, last=layer)
    return text


def sweep_notes(sw: Sweep, variant: Variant, lo: int, hi: int) -> list[str]:
    """The sweep in sentences: the paper's sizes and the variant's own, exact sizes, invalid ranges."""
    notes = []
    for size in sorted({224, 227, variant.input.height}):
        if not lo <= size <= hi:
            continue
        row = sw.row(size)
        listed = row.remainders_text
        if row.exact:
            if row.flatten is not None:
                notes.append(
                    _(
                        "**{size}**: exact, every division leaves no remainder (flatten {flatten:,}).",
                        size=size,
                        flatten=row.flatten,
                    )
                )
            else:
                notes.append(_("**{size}**: exact, every division leaves no remainder (no flatten).", size=size))
        elif row.valid:
            if row.flatten is not None:
                notes.append(
                    _(
                        "**{size}**: works but inexact (flatten {flatten:,}): {remainders}.",
                        size=size,
                        flatten=row.flatten,
                        remainders=listed,
                    )
                )
            else:
                notes.append(_("**{size}**: works but inexact: {remainders}.", size=size, remainders=listed))
        else:
            notes.append(
                _(
                    "**{size}**: invalid, fails at {layer}: {error}",
                    size=size,
                    layer=row.failing_layer,
                    error=md(row.error),
                )
            )
    exact = sw.exact_sizes
    if exact:
        shown = ", ".join(str(x) for x in exact[:12]) + (" …" if len(exact) > 12 else "")
        notes.append(_("Exact sizes in range: {sizes}", sizes=shown))
    for first, last, layers in sw.invalid_ranges():
        notes.append(
            _(
                "Invalid for {first}–{last}: fails at {where}; the table below gives each size's reason.",
                first=first,
                last=last,
                where=_either(layers),
            )
        )
    if sw.nominal_flatten is not None:
        same = len(sw.same_flatten_sizes)
        notes.append(
            str(
                plural_message(
                    same,
                    N_(
                        "{n} size gives the same flatten size as the variant's own input {size} ({flatten:,}), "
                        "so its trained classifier would fit it unchanged."
                    ),
                    N_(
                        "{n} sizes give the same flatten size as the variant's own input {size} ({flatten:,}), "
                        "so its trained classifier would fit them unchanged."
                    ),
                    size=sw.nominal_size,
                    flatten=sw.nominal_flatten,
                )
            )
        )
    return notes


def render_sweep() -> None:
    st.header(_("Which input sizes work"))
    choices = variant_choices()
    c1, c2 = st.columns([1, 2])
    name = c1.selectbox(
        _("Variant"),
        list(choices),
        key="f_variant",
        format_func=choice_label,
        help=_("'{current}' is the one on the Build page.", current=_(CURRENT)),
    )
    lo, hi = c2.slider(_("Input sizes"), 8, 1024, DEFAULT_RANGE, key="f_range")
    variant = choices[name]
    sw = cached_sweep(variant, int(lo), int(hi), i18n.language())
    valid = sw.valid_sizes
    m1, m2, m3 = st.columns(3)
    m1.metric(_("Smallest valid input"), sw.min_valid if sw.min_valid is not None else NONE)
    m2.metric(_("Valid sizes"), f"{len(valid)} / {len(sw.rows)}")
    m3.metric(_("Exact sizes"), len(sw.exact_sizes))
    st.markdown("\n".join(f"- {n}" for n in sweep_notes(sw, variant, int(lo), int(hi))))
    if not valid:
        st.warning(
            _(
                "{name} is invalid at every size from {lo} to {hi}: widen the range or pick another variant.",
                name=md(variant.name),
                lo=lo,
                hi=hi,
            )
        )
    st.plotly_chart(sweep_figure(sw), width="stretch", key="f_sweep_chart")
    only_exact = st.toggle(_("Show only exact sizes"), key="f_only_exact")
    table = [{_(key): value for key, value in r.to_dict().items()} for r in sw.rows if r.exact or not only_exact]
    st.dataframe(table, width="stretch", hide_index=True, height=320, key="f_sweep_table")


def render_glossary() -> None:
    """术语表: the glossary's terms, the reader's language first, the other beside it (useful to both)."""
    with st.expander(_("Glossary"), expanded=False):
        st.caption(
            _(
                "The words this app uses for each idea, in both languages (the Chinese ones follow d2l and the "
                "AlexNet lecture notes)."
            )
        )
        english, note = _("English"), _("note")
        if i18n.language() == "zh":
            rows = [{"中文": t.zh, english: t.en, note: t.note_zh} for t in TERMS]
        else:  # the Chinese words are useful to English readers too (the class's notes are Chinese)
            rows = [{english: t.en, "中文": t.zh, note: t.note_en} for t in TERMS]
        st.table(rows)


@guarded
def main() -> None:
    st.title(_("The output-size formula"))
    st.markdown(
        _(
            "Every conv and pooling layer slides a window along each axis. How many positions fit is "
            "**⌊(W + 2P − D·(K−1) − 1)/S⌋ + 1**; whatever the division leaves over is input the layer never sees. "
            "Move the sliders and watch the windows."
        )
    )
    kind, w, k, s, p, d, ceil = render_controls()
    st.header(_("Worked out"))
    if render_formula(kind, w, k, s, p, d, ceil):
        render_picture(kind, w, k, s, p, d, ceil)
    render_conventions(kind, w, k, s, p, d)
    render_sweep()
    render_glossary()
    # the page's state in its link: a student opens exactly this window
    keep_query({name: str(st.session_state[key]) for key, (name, _unused) in URL_FIELDS.items()})
    share_panel()


page_setup(N_("The formula"), "🧮")
main()

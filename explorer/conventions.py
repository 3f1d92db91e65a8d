"""One conv/pool layer's output size under every framework's convention, side by side.

Each convention is a small pure function returning a `ConventionResult` (data: the size, the
general formula, the same formula with the numbers in, the padding it really uses, and a note).
`compare` runs them all for one set of numbers and `why_they_differ` says, in one or two
sentences, why the sizes disagree (or why they all agree). `pytorch_steps` is the step-by-step
working of PyTorch's formula that the Formula page prints. Nothing here is cached: the words are
rendered in the current language when a result is made (explorer.i18n), the numbers never change.

Sources (each rule below is the framework's own code or documentation):
- PyTorch: ``pooling_output_shape`` in aten/src/ATen/native/Pool.h and the Conv2d/MaxPool2d docs:
  ⌊(W + 2P − D·(K−1) − 1)/S⌋ + 1; ceil_mode (pooling only) rounds up, then drops a last window
  that would start in the right padding, ``if ((out − 1)·S ≥ W + P) out −= 1``. Pooling padding
  must be ≤ ⌊K/2⌋ ("pad should be smaller than or equal to half of kernel size").
- Caffe: conv_layer.cpp ``(W + 2P − (D·(K−1) + 1))/S + 1`` (integer division: floor);
  pooling_layer.cpp ``ceil((W + 2P − K)/S) + 1``, and only when P > 0 the same drop-the-last-
  window rule; ``CHECK_LT(pad, kernel)``; pooling has no dilation.
- TensorFlow/Keras (tf.nn.convolution docs): "VALID" ⌈(W − D·(K−1))/S⌉ with no padding at all;
  "SAME" ⌈W/S⌉, padding total max((out − 1)·S + D·(K−1) + 1 − W, 0), split with the odd pixel
  on the bottom/right. TF requires stride 1 when the dilation is above 1.
- d2l.ai (§7.3 "Padding and Stride"): ⌊(n − k + p + s)/s⌋ with p the *total* padding (2P here);
  it has no dilation, so the effective kernel D·(K−1) + 1 stands in for k.
- cuda-convnet (Krizhevsky's 2012 code, layer.py): a conv layer has
  ``modulesX = 1 + ceil((2·padding + imgSize − filterSize)/stride)`` modules per side, and the
  padding is then stored negated as the kernels' ``paddingStart``; a pooling layer has
  ``outputsX = ceil((imgSize − start − sizeX)/stride) + 1`` (``start`` defaults to 0; a negative
  start plays the role of left padding, modelled here as start = −P), with ``stride ≤ sizeX``.
  No dilation. With the paper's conv1 at 224 (padding 0) this gives 1 + ⌈213/4⌉ = 55, the size
  printed in the paper's Figure 2, while floor conventions give 54: the last filter column runs
  3 pixels past the image and the kernel simply skips pixels outside it. That the 2012 run used
  exactly this (rather than 227-pixel crops) is the usual reading of the erratum, not something
  the paper states.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from .formula import PYTORCH_FORMULA, format_quotient, output_size, plural_message, worked_formula
from .i18n import N_, _

__all__ = [
    "CONVENTION_KEYS",
    "ConventionResult",
    "Kind",
    "Step",
    "caffe",
    "compare",
    "cuda_convnet",
    "d2l",
    "pool_padding_problem",
    "pytorch_ceil",
    "pytorch_floor",
    "pytorch_output_size",
    "pytorch_steps",
    "tf_same",
    "tf_valid",
    "why_they_differ",
]

Kind = Literal["conv", "pool"]
CONVENTION_KEYS = ("pytorch", "pytorch-ceil", "caffe", "tf-valid", "tf-same", "d2l", "cuda-convnet")


@dataclass(frozen=True)
class ConventionResult:
    """One framework's answer for one axis: a size, or None and the reason there is none."""

    key: str  # one of CONVENTION_KEYS
    framework: str  # "PyTorch", "Caffe", ...
    rule: str  # short name of the rule: "floor", "ceil_mode", "SAME", ...
    general: str  # the formula in symbols
    worked: str  # the same with the numbers substituted and evaluated
    size: int | None  # None: the framework refuses these numbers or has no such option
    note: str  # what the reader should know about this row
    pad_before: int = 0  # padding this convention really adds at the top/left
    pad_after: int = 0  # ... and at the bottom/right (TF SAME splits unevenly)
    rounding: Literal["floor", "ceil", "none"] = "floor"

    @property
    def valid(self) -> bool:
        return self.size is not None and self.size >= 1

    @property
    def pad_total(self) -> int:
        return self.pad_before + self.pad_after

    def to_dict(self) -> dict[str, object]:
        return {
            "framework": self.framework,
            "rule": self.rule,
            "formula": self.worked,
            "size": self.size,
            "padding used": f"{self.pad_before} + {self.pad_after}",
            "note": self.note,
        }


@dataclass(frozen=True)
class Step:
    """One line of the worked formula: a label and the arithmetic."""

    label: str
    text: str


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _k_eff(kernel: int, dilation: int) -> int:
    return dilation * (kernel - 1) + 1


def _q(a: int, b: int) -> str:
    return format_quotient(Fraction(a, b))


def pytorch_output_size(
    n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1, ceil_mode: bool = False
) -> int:
    """PyTorch's ``pooling_output_shape`` exactly (a conv is ceil_mode=False); below 1, PyTorch raises.

    With ceil_mode the numerator may be slightly negative (a window longer than the padded input)
    and still give one output: ⌈(2 − 3)/2⌉ + 1 = 1 for a 3/2 pool on 2 pixels, which
    nn.MaxPool2d(3, 2, ceil_mode=True) really returns.
    """
    return output_size(n, kernel, stride, padding, dilation, ceil_mode)


def _overhanging_ceil(n: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """Output size when ceil_mode accepts a window longer than the padded input, else 0."""
    span = n + 2 * padding - dilation * (kernel - 1) - 1
    return pytorch_output_size(n, kernel, stride, padding, dilation, True) if span < 0 else 0


def pool_padding_problem(kernel: int, padding: int) -> str | None:
    """PyTorch's pooling rule (padding ≤ ⌊K/2⌋) in words, or None when the padding is allowed."""
    if padding <= kernel // 2:
        return None
    return _(
        "{refusal}: padding must be at most ⌊{kernel}/2⌋ = {half}, so that no window lies wholly in the "
        "padding. Use padding ≤ {half} or a kernel of at least {need}.",
        refusal=_pool_padding_refusal(kernel, padding),
        kernel=kernel,
        half=kernel // 2,
        need=2 * padding,
    )


def _pool_padding_refusal(kernel: int, padding: int) -> str:
    return _("PyTorch refuses pooling padding {padding} with kernel {kernel}", padding=padding, kernel=kernel)


def pytorch_floor(n: int, kernel: int, stride: int, padding: int, dilation: int, kind: Kind) -> ConventionResult:
    """nn.Conv2d / nn.MaxPool2d with ceil_mode=False."""
    wf = worked_formula(n, kernel, stride, padding, dilation, False)
    common = {"key": "pytorch", "framework": "PyTorch", "rule": "floor", "general": PYTORCH_FORMULA}
    if kind == "pool" and (problem := pool_padding_problem(kernel, padding)):
        return ConventionResult(
            **common, worked=wf.text, size=None, note=problem, pad_before=padding, pad_after=padding
        )
    if not wf.valid:
        return ConventionResult(
            **common,
            worked=wf.text,
            size=None,
            note=_("PyTorch raises an error: the window is larger than the padded input."),
            pad_before=padding,
            pad_after=padding,
        )
    note = _("Rounds down: a last partial window is dropped.")
    if wf.uncovered:
        note = _sentences(
            note,
            plural_message(
                wf.uncovered,
                N_("The last input pixel is never seen."),
                N_("The last {n} input pixels are never seen."),
            ),
        )
    elif wf.remainder:
        note = _sentences(note, _("The leftover falls in the padding, so every real pixel is seen."))
    else:
        note = _("Exact division: nothing is dropped.")
    return ConventionResult(**common, worked=wf.text, size=wf.out, note=note, pad_before=padding, pad_after=padding)


def pytorch_ceil(n: int, kernel: int, stride: int, padding: int, dilation: int, kind: Kind) -> ConventionResult:
    """nn.MaxPool2d / nn.AvgPool2d with ceil_mode=True (convolutions have no ceil_mode)."""
    general = _("⌈(W + 2P − D·(K−1) − 1)/S⌉ + 1, minus 1 if the last window starts at or past W + P")
    common = {"key": "pytorch-ceil", "framework": "PyTorch", "rule": "ceil_mode", "general": general}
    wf = worked_formula(n, kernel, stride, padding, dilation, True)
    if kind == "conv":
        return ConventionResult(
            **common,
            worked=wf.text,
            size=None,
            note=_("nn.Conv2d has no ceil_mode: only pooling layers can round up in PyTorch."),
            pad_before=padding,
            pad_after=padding,
            rounding="ceil",
        )
    if problem := pool_padding_problem(kernel, padding):
        return ConventionResult(
            **common, worked=wf.text, size=None, note=problem, pad_before=padding, pad_after=padding, rounding="ceil"
        )
    if wf.span < 0:  # the window is longer than the padded input
        out = _overhanging_ceil(n, kernel, stride, padding, dilation)
        if out >= 1:
            ke = wf.effective_kernel
            return ConventionResult(
                **common,
                worked=f"⌈({wf.numerator_text()})/{stride}⌉ + 1 = ⌈{_q(wf.span, stride)}⌉ + 1 = {out}",
                size=out,
                note=_(
                    "The {k}-pixel window is longer than the padded input ({padded}), but rounding up "
                    "still places one window: PyTorch pools over the pixels that exist.",
                    k=ke,
                    padded=n + 2 * padding,
                ),
                pad_before=padding,
                pad_after=ke - n - padding,
                rounding="ceil",
            )
        return ConventionResult(
            **common,
            worked=wf.text,
            size=None,
            note=_("PyTorch raises an error: the window is larger than the padded input."),
            pad_before=padding,
            pad_after=padding,
            rounding="ceil",
        )
    if wf.dropped_last_window:
        note = _("Rounding up would add a window starting in the right padding; PyTorch drops it.")
    elif wf.remainder:
        note = str(
            plural_message(
                wf.overhang,
                N_("Rounds up: the extra last window runs {n} pixel past the padded input (ignored)."),
                N_("Rounds up: the extra last window runs {n} pixels past the padded input (ignored)."),
            )
        )
    else:
        note = _("Exact division: ceil and floor agree.")
    return ConventionResult(
        **common,
        worked=wf.text,
        size=wf.out,
        note=note,
        pad_before=padding,
        pad_after=padding + wf.overhang,
        rounding="ceil",
    )


def caffe(n: int, kernel: int, stride: int, padding: int, dilation: int, kind: Kind) -> ConventionResult:
    """Caffe: convolution rounds down, pooling always rounds up (drop rule only with padding)."""
    if kind == "conv":
        ke = _k_eff(kernel, dilation)
        num = n + 2 * padding - ke
        general = "⌊(W + 2P − (D·(K−1) + 1))/S⌋ + 1"
        common = {"key": "caffe", "framework": "Caffe", "rule": "conv: floor", "general": general}
        if num < 0:
            return ConventionResult(
                **common,
                worked=_(
                    "{formula}: the window ({kernel}) is larger than {padded}",
                    formula=f"⌊({n} + {2 * padding} − {ke})/{stride}⌋ + 1",
                    kernel=ke,
                    padded=n + 2 * padding,
                ),
                size=None,
                note=_("Caffe stops: the kernel extent is larger than the padded input."),
                pad_before=padding,
                pad_after=padding,
            )
        out = num // stride + 1
        return ConventionResult(
            **common,
            worked=f"⌊({n} + {2 * padding} − {ke})/{stride}⌋ + 1 = ⌊{_q(num, stride)}⌋ + 1 = {out}",
            size=out,
            note=_("Integer division in C++: the same floor as PyTorch."),
            pad_before=padding,
            pad_after=padding,
        )
    general = _("⌈(W + 2P − K)/S⌉ + 1, minus 1 if P > 0 and the last window starts at or past W + P")
    common = {"key": "caffe", "framework": "Caffe", "rule": "pool: ceil", "general": general, "rounding": "ceil"}
    if dilation != 1:
        return ConventionResult(
            **common,
            worked="—",
            size=None,
            note=_("Caffe's pooling layer has no dilation."),
            pad_before=padding,
            pad_after=padding,
        )
    if padding >= kernel:
        return ConventionResult(
            **common,
            worked="—",
            size=None,
            note=_(
                "Caffe refuses: pooling padding must be smaller than the kernel ({padding} ≥ {kernel}).",
                padding=padding,
                kernel=kernel,
            ),
            pad_before=padding,
            pad_after=padding,
        )
    num = n + 2 * padding - kernel
    if _ceil_div(num, stride) + 1 < 1:
        return ConventionResult(
            **common,
            worked=f"⌈({n} + {2 * padding} − {kernel})/{stride}⌉ + 1 = ⌈{_q(num, stride)}⌉ + 1 = "
            f"{_ceil_div(num, stride) + 1}",
            size=None,
            note=_("No window fits in the padded input."),
            pad_before=padding,
            pad_after=padding,
        )
    out = _ceil_div(num, stride) + 1
    worked = f"⌈({n} + {2 * padding} − {kernel})/{stride}⌉ + 1 = ⌈{_q(num, stride)}⌉ + 1 = {out}"
    if padding > 0 and (out - 1) * stride >= n + padding:
        out -= 1
        worked += f" − 1 = {out}"
        note = _("Pooling rounds up; the last window would start in the padding, so Caffe drops it.")
    elif num % stride:
        if (out - 1) * stride >= n + padding:
            note = _(
                "Pooling rounds up; without padding Caffe keeps even a last window that starts outside "
                "the image (PyTorch drops it)."
            )
        else:
            note = _("Pooling rounds up: the last window hangs over the edge and sees only what is inside.")
    else:
        note = _("Exact division: ceil and floor agree.")
    last_end = (out - 1) * stride - padding + kernel - 1  # in input coordinates
    return ConventionResult(
        **common,
        worked=worked,
        size=out,
        note=note,
        pad_before=padding,
        pad_after=padding + max(0, last_end - (n - 1 + padding)),
    )


def tf_valid(n: int, kernel: int, stride: int, padding: int, dilation: int, kind: Kind) -> ConventionResult:
    """TensorFlow/Keras padding="VALID": no padding at all, ⌈(W − D·(K−1))/S⌉."""
    ke = _k_eff(kernel, dilation)
    general = _("⌈(W − D·(K−1))/S⌉ (no padding)")
    common = {"key": "tf-valid", "framework": "TensorFlow/Keras", "rule": '"VALID"', "general": general}
    ignored = (
        _("Your P = {padding} is ignored: VALID never pads (use ZeroPadding2D({padding}) first).", padding=padding)
        if padding
        else ""
    )
    if dilation > 1 and stride > 1:
        return ConventionResult(
            **common,
            worked="—",
            size=None,
            note=_("TensorFlow refuses dilation > 1 together with stride > 1."),
            rounding="ceil",
        )
    num = n - ke + 1
    worked = f"⌈({n} − {ke} + 1)/{stride}⌉"
    if num <= 0:
        return ConventionResult(
            **common,
            worked=f"{worked} = ⌈{_q(num, stride)}⌉ ≤ 0",
            size=None,
            note=_sentences(
                _("TensorFlow raises an error: the window ({k}) is larger than the unpadded input ({n}).", k=ke, n=n),
                ignored,
            ),
            rounding="ceil",
        )
    out = _ceil_div(num, stride)
    note = _sentences(_("Written with a ceiling, but it equals PyTorch's floor with P = 0."), ignored)
    return ConventionResult(
        **common, worked=f"{worked} = ⌈{_q(num, stride)}⌉ = {out}", size=out, note=note, rounding="ceil"
    )


def tf_same(n: int, kernel: int, stride: int, padding: int, dilation: int, kind: Kind) -> ConventionResult:
    """TensorFlow/Keras padding="SAME": ⌈W/S⌉, padding as much as needed, extra on the bottom/right."""
    ke = _k_eff(kernel, dilation)
    general = _("⌈W/S⌉ (kernel and P do not matter; TF pads what it needs)")
    common = {"key": "tf-same", "framework": "TensorFlow/Keras", "rule": '"SAME"', "general": general}
    if dilation > 1 and stride > 1:
        return ConventionResult(
            **common,
            worked="—",
            size=None,
            note=_("TensorFlow refuses dilation > 1 together with stride > 1."),
            rounding="ceil",
        )
    out = _ceil_div(n, stride)
    total = max((out - 1) * stride + ke - n, 0)
    before, after = total // 2, total - total // 2
    note = _(
        "TF pads {total} in total: {before} top/left, {after} bottom/right.", total=total, before=before, after=after
    )
    if after != before:
        note = _sentences(note, _("The odd pixel goes on the bottom/right (PyTorch pads both sides equally)."))
    if kind == "pool" and total:
        note = _sentences(note, _("Pooling ignores the padded cells."))
    if padding:
        note = _sentences(note, _("Your P = {padding} is ignored.", padding=padding))
    return ConventionResult(
        **common,
        worked=f"⌈{n}/{stride}⌉ = ⌈{_q(n, stride)}⌉ = {out}",
        size=out,
        note=note,
        pad_before=before,
        pad_after=after,
        rounding="ceil",
    )


def d2l(n: int, kernel: int, stride: int, padding: int, dilation: int, kind: Kind) -> ConventionResult:
    """Dive into Deep Learning's ⌊(n − k + p + s)/s⌋ with p the total padding (= 2P)."""
    ke = _k_eff(kernel, dilation)
    p_total = 2 * padding
    general = _("⌊(n − k + p + s)/s⌋, p = total padding = 2P")
    common = {"key": "d2l", "framework": "d2l.ai", "rule": _("total padding"), "general": general}
    num = n - ke + p_total + stride
    k_text = str(ke) if dilation == 1 else f"{ke} (= {dilation}·{kernel - 1} + 1)"
    worked = f"⌊({n} − {k_text} + {p_total} + {stride})/{stride}⌋"
    note = _("The same floor as PyTorch, written with the total padding p = 2P and +s instead of +1.")
    if dilation > 1:
        note = _sentences(note, _("d2l has no dilation: k is the effective kernel."))
    if n + p_total < ke:
        return ConventionResult(
            **common,
            worked=_(
                "{formula}: the window ({kernel}) is larger than {padded}",
                formula=worked,
                kernel=ke,
                padded=n + p_total,
            ),
            size=None,
            note=_("No window fits in the padded input."),
            pad_before=padding,
            pad_after=padding,
        )
    out = num // stride
    return ConventionResult(
        **common,
        worked=f"{worked} = ⌊{_q(num, stride)}⌋ = {out}",
        size=out,
        note=note,
        pad_before=padding,
        pad_after=padding,
    )


def cuda_convnet(n: int, kernel: int, stride: int, padding: int, dilation: int, kind: Kind) -> ConventionResult:
    """Krizhevsky's cuda-convnet: 1 + ⌈(imgSize + 2·padding − filterSize)/stride⌉ (see module docstring)."""
    if kind == "conv":
        general = _("1 + ⌈(W + 2P − K)/S⌉ (layer.py, modulesX)")
    else:
        general = _("⌈(W − start − K)/S⌉ + 1 with start = −P (layer.py, outputsX)")
    common = {"key": "cuda-convnet", "framework": "cuda-convnet (2012)", "rule": "ceil", "general": general}
    if dilation != 1:
        return ConventionResult(
            **common, worked="—", size=None, note=_("cuda-convnet has no dilation."), rounding="ceil"
        )
    if kind == "pool":
        if stride > kernel:
            return ConventionResult(
                **common,
                worked="—",
                size=None,
                note=_(
                    "cuda-convnet refuses a pooling stride larger than the window ({stride} > {kernel}).",
                    stride=stride,
                    kernel=kernel,
                ),
                rounding="ceil",
            )
        num = n + padding - kernel
        worked = f"⌈({n} + {padding} − {kernel})/{stride}⌉ + 1"
    else:
        num = n + 2 * padding - kernel
        worked = f"1 + ⌈({n} + {2 * padding} − {kernel})/{stride}⌉"
    if num < 0:
        return ConventionResult(
            **common,
            worked=_(
                "{formula}: the filter ({kernel}) is larger than the (padded) image", formula=worked, kernel=kernel
            ),
            size=None,
            note=_("cuda-convnet refuses: filter size greater than image size + padding."),
            pad_before=padding,
            pad_after=padding,
            rounding="ceil",
        )
    out = _ceil_div(num, stride) + 1
    pad_right = padding if kind == "conv" else 0
    last_end = (out - 1) * stride - padding + kernel - 1
    hang = max(0, last_end - (n - 1))
    if num % stride:
        note = str(
            plural_message(
                hang,
                N_(
                    "Rounds up: the last window hangs {n} pixel past the image edge and the kernel skips "
                    "that pixel (implicit zeros)."
                ),
                N_(
                    "Rounds up: the last window hangs {n} pixels past the image edge and the kernel skips "
                    "those pixels (implicit zeros)."
                ),
            )
        )
    else:
        note = _("Exact division: ceil and floor agree.")
    if kind == "pool" and padding:
        note = _sentences(note, _("Pooling padding is a negative start: only the top/left is padded."))
    return ConventionResult(
        **common,
        worked=f"{worked} = 1 + ⌈{_q(num, stride)}⌉ = {out}"
        if kind == "conv"
        else f"{worked} = ⌈{_q(num, stride)}⌉ + 1 = {out}",
        size=out,
        note=note,
        pad_before=padding,
        pad_after=max(pad_right, hang),
        rounding="ceil",
    )


_CONVENTIONS = (pytorch_floor, pytorch_ceil, caffe, tf_valid, tf_same, d2l, cuda_convnet)


def compare(
    n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1, kind: Kind = "conv"
) -> tuple[ConventionResult, ...]:
    """Every convention's result for the same numbers, in CONVENTION_KEYS order."""
    return tuple(fn(n, kernel, stride, padding, dilation, kind) for fn in _CONVENTIONS)


def _sentences(*parts: object) -> str:
    """Sentences joined the current language's way (a space in English, nothing in Chinese); empty ones skipped."""
    kept = [str(p) for p in parts if str(p)]
    if not kept:
        return ""
    text = kept[0]
    for part in kept[1:]:
        text = _("{a} {b}", a=text, b=part)
    return text


def _join(labels: list[str]) -> str:
    """ "a", "a and b", "a, b and c" in the current language."""
    if len(labels) == 1:
        return labels[0]
    head = labels[0]
    for label in labels[1:-1]:
        head = _("{a}, {b}", a=head, b=label)
    return _("{head} and {last}", head=head, last=labels[-1])


def _names(results: list[ConventionResult]) -> str:
    labels = [r.framework if r.key not in ("tf-valid", "tf-same") else f"TF {r.rule}" for r in results]
    labels = [f"{label} ceil_mode" if r.key == "pytorch-ceil" else label for label, r in zip(labels, results)]
    return _join(list(dict.fromkeys(labels)))


def why_they_differ(
    n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1, kind: Kind = "conv"
) -> str:
    """A sentence or two saying why the conventions' sizes differ for these numbers (or why they agree)."""
    results = compare(n, kernel, stride, padding, dilation, kind)
    by_key = {r.key: r for r in results}
    same = by_key["tf-same"]
    others = [r for r in results if r.valid and r.key != "tf-same"]
    ke = _k_eff(kernel, dilation)
    span = n + 2 * padding - ke
    if not others:
        if same.valid:
            return _(
                'Only TF "SAME" gives an output ({size}): it pads {pad} pixels to make the {k}-pixel window fit; '
                "every other convention refuses because the window is longer than the padded input "
                "({n} + {p2} = {padded}).",
                size=same.size,
                pad=same.pad_total,
                k=ke,
                n=n,
                p2=2 * padding,
                padded=n + 2 * padding,
            )
        return _("No convention can produce an output here: the window does not fit in the input.")
    parts: list[str] = []
    sizes = sorted({r.size for r in others if r.size is not None})
    exact = span >= 0 and span % stride == 0
    if len(sizes) == 1:
        reason = (
            _(
                "W + 2P − D·(K−1) − 1 = {span} is a multiple of S = {s}, so rounding never matters",
                span=span,
                s=stride,
            )
            if exact
            else _("they round the same way here")
        )
        if same.valid and same.size == sizes[0]:
            return _(
                'Every convention gives {size}: {reason} (and TF "SAME" gives ⌈{n}/{s}⌉ = {same} too).',
                size=sizes[0],
                reason=reason,
                n=n,
                s=stride,
                same=same.size,
            )
        parts.append(_('All conventions except TF "SAME" give {size}: {reason}.', size=sizes[0], reason=reason))
    else:
        if not exact and span >= 0:
            floor_r = [r for r in others if r.rounding == "floor"]
            ceil_r = [r for r in others if r.rounding == "ceil" and r.key != "tf-valid"]
            text = _(
                "W + 2P − D·(K−1) − 1 = {span} is not a multiple of S = {s} ({span}/{s} = {q})",
                span=span,
                s=stride,
                q=format_quotient(Fraction(span, stride)),
            )
            fs = "/".join(str(x) for x in sorted({r.size for r in floor_r}))
            cs = "/".join(str(x) for x in sorted({r.size for r in ceil_r}))
            if floor_r and ceil_r and fs != cs:  # (with padding, rounding up can give the floor's size)
                text = _(
                    "{division}: rounding down ({floor_names}) gives {floor_sizes}; rounding up ({ceil_names}) "
                    "gives {ceil_sizes}, one more window that hangs over the edge.",
                    division=text,
                    floor_names=_names(floor_r),
                    floor_sizes=fs,
                    ceil_names=_names(ceil_r),
                    ceil_sizes=cs,
                )
            else:
                text = _("{a}.", a=text)
            parts.append(text)
        valid = by_key["tf-valid"]
        ref = next((r for r in (by_key["pytorch"], by_key["d2l"]) if r.valid), None)
        if padding and valid.valid and ref is not None and valid.size != ref.size:
            parts.append(
                _(
                    'TF "VALID" ignores the padding P = {padding}, so it gives {size}, not {other}.',
                    padding=padding,
                    size=valid.size,
                    other=ref.size,
                )
            )
        cc = by_key["cuda-convnet"]
        if kind == "pool" and padding and cc.valid and cc.size not in {r.size for r in others if r is not cc}:
            parts.append(_("cuda-convnet pads pooling on the top/left only, so it gives {size}.", size=cc.size))
        caffe_r = by_key["caffe"]
        ceil_r = by_key["pytorch-ceil"]
        if kind == "pool" and caffe_r.valid and ceil_r.valid and caffe_r.size != ceil_r.size:
            parts.append(
                _(
                    "Caffe drops a last window that starts outside the image only when P > 0, so it keeps "
                    "{caffe} where PyTorch's ceil_mode gives {pytorch}.",
                    caffe=caffe_r.size,
                    pytorch=ceil_r.size,
                )
            )
    if kind == "pool" and pool_padding_problem(kernel, padding):
        parts.insert(0, _("{refusal}, so it gives no size.", refusal=_pool_padding_refusal(kernel, padding)))
    if same.valid:
        ref_size = next((r.size for r in (by_key["pytorch"], by_key["d2l"]) if r.valid), None)
        if same.size == ref_size:
            parts.append(
                _('TF "SAME" happens to agree with the floor: ⌈{n}/{s}⌉ = {size}.', n=n, s=stride, size=same.size)
            )
        else:
            parts.append(
                _(
                    'TF "SAME" ignores the kernel: ⌈{n}/{s}⌉ = {size}, padding {pad} ({before} + {after}) to make '
                    "it fit.",
                    n=n,
                    s=stride,
                    size=same.size,
                    pad=same.pad_total,
                    before=same.pad_before,
                    after=same.pad_after,
                )
            )
    return _sentences(*parts)


def pytorch_steps(
    n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1, ceil_mode: bool = False
) -> list[Step]:
    """PyTorch's formula worked line by line: formula, substitution, numerator, quotient, rounding, remainder."""
    wf = worked_formula(n, kernel, stride, padding, dilation, ceil_mode)
    lo, hi = ("⌈", "⌉") if ceil_mode else ("⌊", "⌋")
    formula = PYTORCH_FORMULA if not ceil_mode else PYTORCH_FORMULA.replace("⌊", "⌈").replace("⌋", "⌉")
    steps = [
        Step(_("Formula"), formula),
        Step(_("Substitute"), f"{lo}({n} + 2·{padding} − {dilation}·({kernel}−1) − 1)/{stride}{hi} + 1"),
        Step(
            _("Numerator"),
            f"{n} + {2 * padding} − {dilation * (kernel - 1)} − 1 = {wf.span}",
        ),
    ]
    padded = f"{n} + {2 * padding} = {n + 2 * padding}"
    overhang_out = _overhanging_ceil(n, kernel, stride, padding, dilation) if ceil_mode else 0
    if wf.span < 0 and overhang_out >= 1:
        rounded = _ceil_div(wf.span, stride)
        steps.append(Step(_("Exact quotient"), f"{wf.span}/{stride} = {format_quotient(wf.quotient)}"))
        steps.append(Step(_("Ceiling"), f"⌈{format_quotient(wf.quotient)}⌉ = {rounded}, + 1 = {overhang_out}"))
        steps.append(
            Step(
                _("Overhang"),
                _(
                    "the {k}-pixel window is longer than the padded input {padded}, but rounding up still places "
                    "one window at the start; PyTorch accepts it and pools over the pixels that exist.",
                    k=wf.effective_kernel,
                    padded=padded,
                ),
            )
        )
        return steps
    if wf.span < 0:
        steps.append(
            Step(
                _("No window fits"),
                _(
                    "the numerator is negative: the {k}-pixel window is longer than the padded input {padded}",
                    k=wf.effective_kernel,
                    padded=padded,
                ),
            )
        )
        return steps
    rounded = wf.span // stride if not ceil_mode else _ceil_div(wf.span, stride)
    steps.append(Step(_("Exact quotient"), f"{wf.span}/{stride} = {format_quotient(wf.quotient)}"))
    name = _("Ceiling") if ceil_mode else _("Floor")
    result = f"{lo}{format_quotient(wf.quotient)}{hi} = {rounded}, + 1 = {rounded + 1}"
    if ceil_mode and wf.dropped_last_window:
        result = _(
            "{formula}, − 1 = {out} (the last window would start in the padding: dropped)", formula=result, out=wf.out
        )
    steps.append(Step(name, result))
    steps.append(Step(_("Remainder"), wf.remainder_text))
    return steps

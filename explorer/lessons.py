"""Lessons: short stories told with the engine, each step asking the student to predict first.

A step has a few sentences, the variant it is about (a page can open it), one question and a
reveal. The question's options and its answer are computed from the variant by the engine (never
typed in), so editing a lesson's variant keeps its question true; the reveal shows the worked
arithmetic. Text is data (`explorer.i18n.Message`), rendered in the reader's language.

The lessons follow the sources: the 2012 paper (224 vs 227, two GPUs, overlapping pooling, LRN,
random 224 crops of 256 images with reflections), torchvision's AlexNet, d2l's and a Keras blog's
variants, and a blog's broken flatten.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

from . import augment
from .analysis import Analysis, LayerRow, analyse, format_count
from .formula import WorkedFormula, worked_formula
from .i18n import Message
from .presets import PRESETS
from .spec import LRN, Conv, Linear, MaxPool, Variant, VariantError

__all__ = [
    "Lesson",
    "Option",
    "Question",
    "Step",
    "find_question",
    "lesson",
    "lessons",
]

# Where a step's button opens its variant.
BUILD, INSIDE, FORMULA, COMPARE = "app.py", "pages/1_Inside.py", "pages/3_Formula.py", "pages/2_Compare.py"
AUGMENT = "augment"  # a step that shows the paper's augmentation on a photo


@dataclass(frozen=True)
class Option:
    id: str  # stable: what a poll stores
    label: str | Message  # numbers are shared by both languages; words are a Message


@dataclass(frozen=True)
class Question:
    id: str  # stable across languages and edits of the text: "<lesson>.<step>"
    prompt: Message
    options: tuple[Option, ...]
    answer: str  # the id of the correct option, computed by the engine
    # The worked arithmetic, in order: sentences, worked formulas (rendered on access) and errors.
    reveal: tuple[Message | WorkedFormula | VariantError, ...]

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options)

    def label_of(self, option_id: str) -> str:
        for o in self.options:
            if o.id == option_id:
                return str(o.label)
        raise KeyError(option_id)


@dataclass(frozen=True)
class Step:
    id: str
    title: Message
    text: tuple[Message, ...]
    variant: Variant
    page: str  # BUILD, INSIDE, FORMULA or COMPARE: where "open" goes
    question: Question
    formula: dict[str, int | str] | None = None  # FORMULA: the window to open (w, k, s, p, kind)
    compare: tuple[str, ...] = ()  # COMPARE: the presets to put side by side
    shows: str | None = None  # AUGMENT: the page shows the paper's crops and reflections


@dataclass(frozen=True)
class Lesson:
    id: str
    title: Message
    summary: Message
    steps: tuple[Step, ...]


# --- the engine's answers -------------------------------------------------------------------------


def _row(analysis: Analysis, name: str) -> LayerRow:
    for row in analysis.all_rows():
        if row.name == name:
            return row
    raise KeyError(f"{analysis.variant.name} has no layer {name!r}")


def _numbers(
    correct: int | float, candidates: list[int | float], fmt: str = "{:,}", want: int = 4
) -> tuple[tuple[Option, ...], str]:
    """Options from the correct value and plausible mistakes (each computed), sorted; → (options, answer id).

    Duplicates are dropped; if fewer than `want` remain, neighbours of the answer fill in.
    """
    values: list[int | float] = []
    for v in [correct, *candidates]:
        if v not in values and v > 0:
            values.append(v)
    step = 1
    while len(values) < want:
        for v in (correct + step, correct - step):
            if v > 0 and v not in values and len(values) < want:
                values.append(v)
        step += 1
    values = sorted(values[:want])
    options = tuple(Option(str(v), fmt.format(v)) for v in values)
    return options, str(correct)


def _decimal(value: float) -> str:
    """0.00002 as 0.00002, not 2e-05 (a student compares digits)."""
    return f"{value:.8f}".rstrip("0").rstrip(".")


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1)


def _conv(variant: Variant, number: int) -> Conv:
    convs = [layer for layer in variant.layers if isinstance(layer, Conv)]
    return convs[number - 1]


def _chain(analysis: Analysis) -> str:
    """conv1 54 → pool1 26 → … → pool5 5×5 → flatten 6,400: the sizes a student writes down."""
    parts = []
    spatial = [r for r in analysis.rows if r.type in ("conv", "maxpool", "avgpool")]
    for r in spatial:
        if r is spatial[-1]:
            parts.append(f"{r.name} {r.output[1]}×{r.output[2]}")
        elif r.name.startswith("pool") or r.name == "conv1":
            parts.append(f"{r.name} {r.output[1]}")
    flat = next((r for r in analysis.rows if r.type == "flatten"), None)
    if flat is not None:
        parts.append(f"flatten {flat.output[0]:,}")
    return " → ".join(parts)


# --- the lessons -----------------------------------------------------------------------------------


def conv1_question(variant: Variant, question_id: str = "mystery.conv1-224") -> Question:
    """The question "how many outputs per side does conv1 give?", for any variant with a conv.

    The options are the answer and the three usual mistakes, each computed: rounding up, forgetting
    the + 1, and dividing the input by the stride.
    """
    c1 = _conv(variant, 1)
    n = variant.input.height
    f = worked_formula(n, c1.kernel, c1.stride, c1.padding, c1.dilation)
    ceil = worked_formula(n, c1.kernel, c1.stride, c1.padding, c1.dilation, ceil_mode=True)
    options, answer = _numbers(f.out, [ceil.out, f.span // f.stride, n // c1.stride])
    return Question(
        question_id,
        Message("At {n}×{n}, how many outputs per side does conv1 give?", n=n),
        options,
        answer,
        (
            f,
            Message(
                "So {n} gives {out}, not {up}: the division leaves a remainder of {r}.",
                n=n,
                out=f.out,
                up=f.out + 1,
                r=f.remainder,
            )
            if f.remainder
            else Message("The division is exact: {out} outputs per side, nothing left over.", out=f.out),
        ),
    )


def _mystery() -> Lesson:
    v224, v227, tv = PRESETS["paper-2012-224"], PRESETS["paper-2012"], PRESETS["torchvision"]
    c1 = _conv(v224, 1)
    n = v224.input.height
    step1 = Step(
        "conv1-at-224",
        Message("The paper prints 224"),
        (
            Message(
                "The 2012 paper gives the input as {n}×{n}×3, and conv1 as {c} kernels of {k}×{k} with stride {s} "
                "and no padding, giving 55×55×{c}.",
                n=n,
                c=c1.out_channels,
                k=c1.kernel,
                s=c1.stride,
            ),
            Message("Work it out before you look: ⌊(W + 2P − K)/S⌋ + 1."),
        ),
        v224,
        FORMULA,
        conv1_question(v224),
        formula={"kind": "conv", "w": n, "k": c1.kernel, "s": c1.stride, "p": c1.padding},
    )

    sizes = list(range(n, n + 4))
    exact = [w for w in sizes if (g := worked_formula(w, c1.kernel, c1.stride, c1.padding)).exact and g.out == 55]
    f227 = worked_formula(exact[0], c1.kernel, c1.stride, c1.padding)
    step2 = Step(
        "exact-input",
        Message("The size that divides exactly"),
        (Message("Caffe's reference model and most ports feed {w}×{w} instead.", w=exact[0]),),
        v227,
        FORMULA,
        Question(
            "mystery.exact-input",
            Message("Which input side makes conv1's division exact and gives 55?"),
            tuple(Option(str(w), f"{w}") for w in sizes),
            str(exact[0]),
            (
                f227,
                Message(
                    "Only {w} leaves no remainder: ({w} − {k}) is a multiple of {s}.",
                    w=exact[0],
                    k=c1.kernel,
                    s=c1.stride,
                ),
            ),
        ),
        formula={"kind": "conv", "w": exact[0], "k": c1.kernel, "s": c1.stride, "p": c1.padding},
    )

    tc1 = _conv(tv, 1)
    tf = worked_formula(tv.input.height, tc1.kernel, tc1.stride, tc1.padding)
    no_pad = worked_formula(tv.input.height, tc1.kernel, tc1.stride, 0)
    one_side = worked_formula(tv.input.height + tc1.padding, tc1.kernel, tc1.stride, 0)
    options, answer = _numbers(tf.out, [no_pad.out, one_side.out])
    step3 = Step(
        "torchvision-pads",
        Message("torchvision keeps 224 and pads"),
        (
            Message(
                "torchvision's AlexNet keeps the {n}×{n} input and gives conv1 a padding of {p} on each side "
                "({c} kernels of {k}×{k}, stride {s}).",
                n=tv.input.height,
                p=tc1.padding,
                c=tc1.out_channels,
                k=tc1.kernel,
                s=tc1.stride,
            ),
        ),
        tv,
        BUILD,
        Question(
            "mystery.torchvision",
            Message("How many outputs per side does torchvision's conv1 give?"),
            options,
            answer,
            (tf, Message("The padding adds 2P = {pp} to the input, and {out} it is.", pp=2 * tc1.padding, out=tf.out)),
        ),
    )

    big, crop = augment.RESIZE_SIDE, n
    positions = big - crop
    factor = augment.paper_crop_factor(big, crop)
    distinct = augment.distinct_crop_count(big, crop)
    options, answer = _numbers(factor, [positions**2, positions * 2, distinct])
    step4 = Step(
        "why-224",
        Message("Why 224 exists at all"),
        (
            Message(
                "Training used random {c}×{c} patches of the {b}×{b} images, and their horizontal reflections: "
                "more training examples from the same photos.",
                c=crop,
                b=big,
            ),
            Message("At test time the network saw ten patches: four corners and the centre, and their reflections."),
        ),
        v224,
        BUILD,
        Question(
            "mystery.crops",
            Message("By what factor does the paper say this enlarges the training set?"),
            options,
            answer,
            (
                Message(
                    "({b} − {c})² × 2 = {p}² × 2 = {factor:,}: the paper's factor. Counting both end positions, "
                    "there are ({p} + 1)² × 2 = {distinct:,} different patches.",
                    b=big,
                    c=crop,
                    p=positions,
                    factor=factor,
                    distinct=distinct,
                ),
            ),
        ),
        shows=AUGMENT,
    )
    return Lesson(
        "mystery",
        Message("The 224 mystery"),
        Message("Why the paper's 224 gives 54, why 227 gives 55, and why 224 exists at all."),
        (step1, step2, step3, step4),
    )


def _parameters() -> Lesson:
    tv = PRESETS["torchvision"]
    a = analyse(tv)
    total, macs = a.total_params, a.total_macs
    fc6 = _row(a, "fc6")
    fc7 = _row(a, "fc7")
    conv = [r for r in a.rows if r.type == "conv"]
    fc = [r for r in a.rows if r.type == "linear"]
    shares = {
        "fc6": _percent(fc6.params, total),
        "fc7": _percent(fc7.params, total),
        "conv": _percent(sum(r.params for r in conv), total),
        "fc": _percent(sum(r.params for r in fc), total),
    }
    fc6_in = fc6.input[0]
    step1 = Step(
        "fc6-share",
        Message("One layer holds most of the weights"),
        (
            Message(
                "torchvision's AlexNet has {total} parameters. fc6 connects {i:,} features to {o:,} outputs.",
                total=format_count(total),
                i=fc6_in,
                o=fc6.output[0],
            ),
        ),
        tv,
        BUILD,
        Question(
            "parameters.fc6",
            Message("What share of all the parameters is in fc6 alone?"),
            tuple(Option(k, f"{v:.1f}%") for k, v in sorted(shares.items(), key=lambda kv: kv[1])),
            "fc6",
            (
                Message(
                    "fc6: {i:,} × {o:,} + {o:,} = {p:,} parameters, {share:.1f}% of {total:,}.",
                    i=fc6_in,
                    o=fc6.output[0],
                    p=fc6.params,
                    share=shares["fc6"],
                    total=total,
                ),
                Message(
                    "All three fully connected layers: {fc:.1f}%; all five convolutions: {conv:.1f}%.",
                    fc=shares["fc"],
                    conv=shares["conv"],
                ),
            ),
        ),
    )
    mac_shares = {
        "conv-macs": _percent(sum(r.macs for r in conv), macs),
        "fc-macs": _percent(sum(r.macs for r in fc), macs),
        "conv-params": shares["conv"],
        "fc-params": shares["fc"],
    }
    step2 = Step(
        "compute",
        Message("And where the compute goes"),
        (
            Message(
                "Parameters are what you store; multiply-accumulates (MACs) are what you compute: {macs} for one image.",
                macs=format_count(macs),
            ),
        ),
        tv,
        BUILD,
        Question(
            "parameters.compute",
            Message("What share of the multiply-accumulates do the five convolutions do?"),
            tuple(Option(k, f"{v:.1f}%") for k, v in sorted(mac_shares.items(), key=lambda kv: kv[1])),
            "conv-macs",
            (
                Message(
                    "The convolutions: {conv:,} MACs = {share:.1f}% of {total:,}; the fully connected layers: "
                    "{fc:.1f}%. A convolution reuses each weight at every position of its map; a fully connected "
                    "weight is used once.",
                    conv=sum(r.macs for r in conv),
                    share=mac_shares["conv-macs"],
                    total=macs,
                    fc=mac_shares["fc-macs"],
                ),
            ),
        ),
    )
    return Lesson(
        "parameters",
        Message("Where the parameters live"),
        Message("The fully connected layers hold almost all the weights; the convolutions do almost all the work."),
        (step1, step2),
    )


def _two_gpus() -> Lesson:
    paper, single = PRESETS["paper-2012"], PRESETS["single-gpu"]
    a, b = analyse(paper), analyse(single)
    c2 = _conv(paper, 2)
    grouped, whole = _row(a, "conv2").params, _row(b, "conv2").params
    options, answer = _numbers(grouped, [whole, grouped - c2.out_channels, whole * 2])
    in_ch = _row(a, "conv2").input[0]
    step1 = Step(
        "conv2-groups",
        Message("Two GPUs, half the weights"),
        (
            Message(
                "The paper's network did not fit one 3 GB GPU, so each layer's kernels were split over two. "
                "conv2 has {c} kernels of {k}×{k} over {i} input channels, with groups = {g}: each kernel sees "
                "only its own GPU's {h} channels.",
                c=c2.out_channels,
                k=c2.kernel,
                i=in_ch,
                g=c2.groups,
                h=in_ch // c2.groups,
            ),
        ),
        paper,
        BUILD,
        Question(
            "gpus.conv2",
            Message("How many parameters does conv2 have with groups = {g}?", g=c2.groups),
            options,
            answer,
            (
                Message(
                    "{c} × ({i}/{g}) × {k} × {k} + {c} = {p:,}; on one GPU (groups = 1) it is {q:,}.",
                    c=c2.out_channels,
                    i=in_ch,
                    g=c2.groups,
                    k=c2.kernel,
                    p=grouped,
                    q=whole,
                ),
            ),
        ),
        compare=("paper-2012", "single-gpu"),
    )
    convs = [(f"conv{i + 1}", layer) for i, layer in enumerate(x for x in paper.layers if isinstance(x, Conv))]
    later = convs[1:]
    across = [name for name, layer in later if layer.groups == 1]
    step2 = Step(
        "across",
        Message("Where the GPUs talk"),
        (Message("The two halves exchange activations only at some layers; everywhere else each GPU works alone."),),
        paper,
        COMPARE,
        Question(
            "gpus.across",
            Message("Which of these convolutions sees the channels of both GPUs?"),
            tuple(Option(name, name) for name, _ in later),
            across[0],
            (
                *(Message("{name}: groups = {g}", name=name, g=layer.groups) for name, layer in later),
                Message("fc6, fc7 and fc8 are fully connected: they see everything."),
            ),
        ),
        compare=("paper-2012", "single-gpu"),
    )
    return Lesson(
        "gpus",
        Message("Two GPUs"),
        Message("groups = 2 halves conv2, conv4 and conv5's weights; conv3 and the classifier talk across."),
        (step1, step2),
    )


def _with_pool1(variant: Variant, kernel: int, stride: int) -> Variant:
    layers = list(variant.layers)
    i = next(i for i, layer in enumerate(layers) if isinstance(layer, MaxPool))
    layers[i] = dataclasses.replace(layers[i], kernel=kernel, stride=stride)
    return dataclasses.replace(variant.with_layers(layers), name=f"{variant.name}-pool{kernel}s{stride}")


def _pooling() -> Lesson:
    paper = PRESETS["paper-2012"]
    a = analyse(paper)
    pool = next(x for x in paper.layers if isinstance(x, MaxPool))
    n = _row(a, "pool1").input[1]
    flat = _with_pool1(paper, 2, pool.stride)
    b = analyse(flat)
    f32 = worked_formula(n, pool.kernel, pool.stride)
    f22 = worked_formula(n, 2, pool.stride)
    options, answer = _numbers(f22.out, [f32.out + 1, n // 2, f22.span // f22.stride])
    step1 = Step(
        "same-size",
        Message("Overlapping pooling"),
        (
            Message(
                "The paper pools with windows of {k} and stride {s}: neighbouring windows overlap by one pixel. "
                "pool1 turns conv1's {n}×{n} into {out}×{out}.",
                k=pool.kernel,
                s=pool.stride,
                n=n,
                out=f32.out,
            ),
        ),
        flat,
        FORMULA,
        Question(
            "pooling.size",
            Message("What does a non-overlapping window of 2, stride 2, give on the same {n}×{n}?", n=n),
            options,
            answer,
            (f32, f22, Message("The same size: overlap changes what each output sees, not how many there are.")),
        ),
        formula={"kind": "pool", "w": n, "k": 2, "s": pool.stride, "p": 0},
    )
    rf32, rf22 = _row(a, "pool1").receptive_field, _row(b, "pool1").receptive_field
    conv_rf, jump = _row(a, "conv1").receptive_field, _row(a, "conv1").jump
    options, answer = _numbers(rf32, [rf22, conv_rf, pool.kernel * conv_rf])
    step2 = Step(
        "receptive-field",
        Message("Same size, different view"),
        (
            Message(
                "One conv1 output sees {rf}×{rf} input pixels, and neighbouring conv1 outputs are {j} pixels apart.",
                rf=conv_rf,
                j=jump,
            ),
        ),
        paper,
        BUILD,
        Question(
            "pooling.receptive-field",
            Message(
                "With window {k}, stride {s}: how many input pixels (per side) does one pool1 output see?",
                k=pool.kernel,
                s=pool.stride,
            ),
            options,
            answer,
            (
                Message(
                    "{rf} + ({k} − 1) × {j} = {out} with window {k}; with window 2 it is {rf} + (2 − 1) × {j} = {other}.",
                    rf=conv_rf,
                    k=pool.kernel,
                    j=jump,
                    out=rf32,
                    other=rf22,
                ),
                Message(
                    "The paper reports that overlapping pooling lowered its top-1 and top-5 error rates by 0.4% and 0.3%."
                ),
            ),
        ),
        compare=("paper-2012",),
    )
    return Lesson(
        "pooling",
        Message("Overlapping pooling"),
        Message("Windows of 3 with stride 2 and windows of 2 with stride 2 give the same 27, but see differently."),
        (step1, step2),
    )


def _lrn() -> Lesson:
    paper = PRESETS["paper-2012"]
    norm = next(x for x in paper.layers if isinstance(x, LRN))
    small = norm.k ** (-norm.beta)
    values = {"k^-beta": small, "1/k": 1 / norm.k, "beta": norm.beta, "k^beta": norm.k**norm.beta}
    step1 = Step(
        "constant",
        Message("Local response normalization"),
        (
            Message(
                "LRN divides each activation by (k + α·Σa²)^β, the sum running over {n} neighbouring channels. "
                "The paper uses k = {k:g}, n = {n}, α = {a:g}, β = {b:g}.",
                k=norm.k,
                n=norm.size,
                a=norm.alpha,
                b=norm.beta,
            ),
        ),
        paper,
        INSIDE,
        Question(
            "lrn.small",
            Message("For small activations the sum is tiny. What does LRN then multiply each activation by?"),
            tuple(Option(key, f"{v:.3f}") for key, v in sorted(values.items(), key=lambda kv: kv[1])),
            "k^-beta",
            (
                Message(
                    "b = a / (k + α·Σa²)^β ≈ a / k^β = a × {k:g}^−{b:g} = a × {value:.4f} when α·Σa² ≪ k.",
                    k=norm.k,
                    b=norm.beta,
                    value=small,
                ),
                Message("The Inside page shows the ratio after ÷ before for a real image: nearly that constant."),
            ),
        ),
    )
    torch_alpha = norm.alpha * norm.size
    alphas = {
        "alpha*n": torch_alpha,
        "alpha": norm.alpha,
        "alpha/n": norm.alpha / norm.size,
        "alpha*n^2": norm.alpha * norm.size**2,
    }
    step2 = Step(
        "pytorch-alpha",
        Message("PyTorch divides α by n"),
        (
            Message(
                "PyTorch's nn.LocalResponseNorm computes k + (alpha/n)·Σa², dividing alpha by the window size n = {n}.",
                n=norm.size,
            ),
            Message(
                "VGG's authors later found LRN does not improve accuracy on ImageNet while costing memory and time."
            ),
        ),
        paper,
        INSIDE,
        Question(
            "lrn.pytorch-alpha",
            Message("To get the paper's α = {a:g}, what alpha do you pass to nn.LocalResponseNorm?", a=norm.alpha),
            tuple(Option(key, _decimal(v)) for key, v in sorted(alphas.items(), key=lambda kv: kv[1])),
            "alpha*n",
            (
                Message(
                    "alpha/n must equal α: alpha = α × n = {a:g} × {n} = {t:g}, i.e. nn.LocalResponseNorm(size={n}, "
                    "alpha={t:g}, beta={b:g}, k={k:g}).",
                    a=norm.alpha,
                    n=norm.size,
                    t=torch_alpha,
                    b=norm.beta,
                    k=norm.k,
                ),
            ),
        ),
    )
    return Lesson(
        "lrn",
        Message("LRN"),
        Message("The paper's normalization, what it does to small activations, and PyTorch's α/n."),
        (step1, step2),
    )


def _broken_flatten() -> Lesson:
    broken = PRESETS["blog-broken-flatten"]
    a = analyse(broken)
    error = a.error
    assert error is not None and error.layer is not None, "the blog's variant must be invalid"
    layer = broken.layers[error.layer]
    assert isinstance(layer, Linear)
    before = next(r.output for r in reversed(a.rows) if len(r.output) == 3)  # the map that is flattened
    c, h, w = before
    arrived = c * h * w
    options, answer = _numbers(arrived, [layer.in_features or 0, h * h, layer.out_features])
    step = Step(
        "predict-error",
        Message("The broken flatten"),
        (
            Message(
                "A blog's AlexNet flattens pool5's {shape} and then writes Linear({i}, {o}): the number of input "
                "features is copied from the channel count.",
                shape="×".join(str(d) for d in before),
                i=layer.in_features,
                o=layer.out_features,
            ),
            Message("Predict what PyTorch will say before you open it."),
        ),
        broken,
        BUILD,
        Question(
            "flatten.arrive",
            Message("How many features arrive at Linear({i}, {o})?", i=layer.in_features, o=layer.out_features),
            options,
            answer,
            (
                Message(
                    "{c} × {h} × {w} = {n:,} features arrive, and the layer expects {i}:",
                    c=c,
                    h=h,
                    w=w,
                    n=arrived,
                    i=layer.in_features,
                ),
                error,
            ),
        ),
    )
    return Lesson(
        "flatten",
        Message("The broken flatten"),
        Message("Predict the error of Linear(256, 4096) after 256×6×6 before seeing it."),
        (step,),
    )


def _features() -> Lesson:
    d2l, paper, keras = PRESETS["d2l"], PRESETS["paper-2012"], PRESETS["keras-seed"]
    a, p, k = analyse(d2l), analyse(paper), analyse(keras)
    flat = next(r for r in a.rows if r.type == "flatten")
    last = next(r for r in reversed(a.rows) if r.type in ("conv", "maxpool", "avgpool"))
    c, s = last.output[0], last.output[1]
    options, answer = _numbers(flat.output[0], [c * (s + 1) ** 2, c * (s - 1) ** 2, c * (s + 2) ** 2])
    c1 = _conv(d2l, 1)
    fc6_d2l = _row(a, "fc6")
    fc6_paper = _row(p, "fc6")
    step = Step(
        "d2l-features",
        Message("6,400 or 9,216?"),
        (
            Message(
                "d2l's AlexNet keeps the paper's conv1 ({k}×{k}, stride {s}) at {n}×{n} with a padding of {pad}.",
                k=c1.kernel,
                s=c1.stride,
                n=d2l.input.height,
                pad=c1.padding,
            ),
        ),
        d2l,
        COMPARE,
        Question(
            "features.d2l",
            Message("How many features reach fc6 in d2l's AlexNet?"),
            options,
            answer,
            (
                Message("d2l: {chain}.", chain=_chain(a)),
                Message("The paper at 227: {chain}.", chain=_chain(p)),
                Message("The Keras blog at 224 without padding: {chain}.", chain=_chain(k)),
                Message(
                    "So fc6 has {d:,} parameters in d2l against {q:,} in the paper: {diff:,} fewer.",
                    d=fc6_d2l.params,
                    q=fc6_paper.params,
                    diff=fc6_paper.params - fc6_d2l.params,
                ),
            ),
        ),
        compare=("paper-2012", "d2l", "keras-seed"),
    )
    return Lesson(
        "features",
        Message("6,400 vs 9,216"),
        Message("Why the Keras and d2l versions differ from the paper before fc6."),
        (step,),
    )


@lru_cache(maxsize=1)
def lessons() -> tuple[Lesson, ...]:
    """All lessons, in teaching order (computed once: the text is data, rendered per reader)."""
    return (_mystery(), _parameters(), _two_gpus(), _pooling(), _lrn(), _broken_flatten(), _features())


def lesson(lesson_id: str) -> Lesson:
    for item in lessons():
        if item.id == lesson_id:
            return item
    raise KeyError(lesson_id)


def find_question(question_id: str) -> Question | None:
    """The question with this id (what a poll stores), or None."""
    for item in lessons():
        for step in item.steps:
            if step.question.id == question_id:
                return step.question
    return None

"""explorer.compare: alignment, differences in words, totals and the summary; and the comparison's
exports (explorer.compare_export) and link (explorer.share's encode_selection / decode_selection)."""

import itertools
from fractions import Fraction

import pytest

from explorer.compare import DEFAULT_SELECTION, compare, differs_from_reference, spatial_roles, summary
from explorer.presets import PRESETS


def default():
    return compare([PRESETS[n] for n in DEFAULT_SELECTION])


def texts(c, role, labels=None):
    return [e.text for e in c.explanations_for(role) if labels is None or e.labels == labels]


# --- the aligned table ------------------------------------------------------------------------


def test_default_conv1_outputs_and_totals():
    c = default()
    assert c.labels == ("paper-2012", "torchvision", "keras-seed")
    conv1 = c.row("conv1")
    assert [cell.output for cell in conv1.cells] == [(96, 55, 55), (64, 55, 55), (96, 54, 54)]
    assert [cell.params for cell in conv1.cells] == [34_944, 23_296, 11_712]
    assert [cell.macs for cell in conv1.cells] == [105_415_200, 70_276_800, 33_872_256]
    assert conv1.differs_output and conv1.differs_params and conv1.differs_macs
    assert [t.params for t in c.totals] == [60_965_224, 61_100_840, 50_820_776]
    assert [t.macs for t in c.totals] == [724_406_816, 714_188_480, 942_201_216]
    assert c.reference == 0
    assert c.totals[0].params_ratio == 1.0
    assert Fraction(c.totals[2].params_ratio).limit_denominator(10**9) == Fraction(50_820_776, 60_965_224)


def test_roles_are_aligned_with_gaps():
    c = default()
    assert [r.role for r in c.rows] == [
        "input", "conv1", "pool1", "conv2", "pool2", "conv3", "conv4", "conv5", "pool5",
        "adaptpool5", "flatten", "fc6", "fc7", "fc8",
    ]  # fmt: skip
    gap = c.row("adaptpool5")
    assert [cell.status for cell in gap.cells] == ["absent", "ok", "absent"]
    assert gap.differs_output  # present vs absent is a difference
    fc7 = c.row("fc7")
    assert not fc7.differs  # 4096 → 4096 in all three
    assert [cell.output for cell in c.row("flatten").cells] == [(9216,), (9216,), (6400,)]


def test_extra_layers_of_a_smaller_net_slot_in_between():
    c = compare([PRESETS["paper-2012"], PRESETS["lenet-5"]])
    roles = [r.role for r in c.rows]
    assert roles == [
        "input", "conv1", "pool1", "conv2", "pool2", "conv3", "conv4", "conv5", "pool5",
        "flatten", "fc3", "fc4", "fc5", "fc6", "fc7", "fc8",
    ]  # fmt: skip
    assert [cell.status for cell in c.row("fc3").cells] == ["absent", "ok"]
    assert c.row("fc3").cells[1].params == 400 * 120 + 120


def test_all_layers_shows_lrn_gap():
    c = compare([PRESETS["paper-2012"], PRESETS["torchvision"]], all_layers=True)
    norm1 = c.row("norm1")
    assert [cell.status for cell in norm1.cells] == ["ok", "absent"]
    assert norm1.cells[0].output == (96, 55, 55)
    assert [r.role for r in c.rows][:5] == ["input", "conv1", "relu1", "norm1", "pool1"]


def test_invalid_variant_keeps_its_column_and_the_others_compare():
    c = compare([PRESETS["paper-2012"], PRESETS["blog-broken-flatten"], PRESETS["torchvision"]])
    fc6 = c.row("fc6")
    assert [cell.status for cell in fc6.cells] == ["ok", "error", "ok"]
    assert [cell.status for cell in c.row("fc8").cells] == ["ok", "unreached", "ok"]
    assert not fc6.differs  # the error cell is not a difference; 4096 and 37,752,832 agree
    assert c.row("conv2").cells[1].params == 614_656
    assert c.totals[1].params is None and c.totals[1].params_ratio is None
    assert str(c.totals[1].error) == "fc6 (linear): it expects 256 input features but 9,216 arrive (256×6×6 = 9,216)"
    assert c.totals[2].params == 61_100_840
    (err,) = [e for e in c.explanations if e.labels == ("blog-broken-flatten",)]
    assert err.role == "fc6"
    assert "in_features 256 ≠ 9,216" in [str(r) for r in err.reasons]
    assert "fix: set in_features to 9,216" in err.text


def test_first_variant_invalid_ratios_use_first_valid():
    c = compare([PRESETS["blog-broken-flatten"], PRESETS["keras-seed"], PRESETS["paper-2012"]])
    assert c.reference == 1
    assert c.totals[1].params_ratio == 1.0
    assert c.totals[2].params_ratio == 60_965_224 / 50_820_776


def test_count_and_labels():
    with pytest.raises(ValueError, match="compare 2 to 4 variants, got 1"):
        compare([PRESETS["paper-2012"]])
    with pytest.raises(ValueError, match="got 5"):
        compare([PRESETS["paper-2012"]] * 5)
    c = compare([PRESETS["paper-2012"], PRESETS["paper-2012"]])
    assert c.labels == ("paper-2012", "paper-2012 (2)")
    assert not any(r.differs for r in c.rows)
    assert [e.role for e in c.explanations] == ["total"]


# --- explanations -----------------------------------------------------------------------------


def test_conv1_explanations_mention_padding_and_input_size():
    c = default()
    assert texts(c, "conv1", ("torchvision", "keras-seed")) == [
        "conv1: 55 vs 54, 64 vs 96 channels, twice the weights (23.3K vs 11.7K params) — 3 vs 1 input channels (RGB vs grayscale); "
        "padding 2 vs 0 at 224: ⌊(224 + 4 − 11)/4⌋ + 1 = ⌊54.25⌋ + 1 = 55 vs ⌊(224 − 11)/4⌋ + 1 = ⌊53.25⌋ + 1 = 54; "
        "64 vs 96 filters: 64·3·11² + 64 = 23,296 vs 96·1·11² + 96 = 11,712"
    ]
    (paper_tv,) = texts(c, "conv1", ("paper-2012", "torchvision"))
    assert "input 227 vs 224, padding 0 vs 2: ⌊(227 − 11)/4⌋ + 1 = ⌊54⌋ + 1 = 55 vs ⌊(224 + 4 − 11)/4⌋" in paper_tv
    (paper_keras,) = texts(c, "conv1", ("paper-2012", "keras-seed"))
    assert paper_keras.startswith("conv1: 55 vs 54, 34.9K vs 11.7K params")
    assert (
        "input 227 vs 224: ⌊(227 − 11)/4⌋ + 1 = ⌊54⌋ + 1 = 55 vs ⌊(224 − 11)/4⌋ + 1 = ⌊53.25⌋ + 1 = 54" in paper_keras
    )


def test_fc6_and_ripple_explanations():
    c = default()
    assert texts(c, "fc6", ("paper-2012", "keras-seed")) == [
        "fc6: 37.8M vs 26.2M params — 9216 vs 6400 inputs: 9216·4096 + 4096 = 37,752,832 vs 6400·4096 + 4096 = 26,218,496"
    ]
    assert texts(c, "flatten", ("paper-2012", "keras-seed")) == [
        "flatten: 9,216 vs 6,400 features — 256·6·6 = 9,216 vs 256·5·5 = 6,400"
    ]
    assert texts(c, "pool5", ("paper-2012", "keras-seed")) == [
        "pool5: 6 vs 5 — arrives 13 vs 12: ⌊(13 − 3)/2⌋ + 1 = ⌊5⌋ + 1 = 6 vs ⌊(12 − 3)/2⌋ + 1 = ⌊4.5⌋ + 1 = 5"
    ]
    assert texts(c, "conv3", ("paper-2012", "keras-seed"))[0].endswith(
        "same weights at 13 vs 12 positions: 149,520,384 vs 127,401,984 MACs"
    )
    assert texts(c, "adaptpool5") == [
        "adaptpool5: only in torchvision, not in paper-2012, keras-seed — adaptive average pooling to 6×6: "
        "256×6×6 → 256×6×6; it forces a fixed map size, so any input size reaches the classifier with the same width"
    ]
    assert texts(c, "input", ("paper-2012", "keras-seed")) == [
        "input: 3×227×227 vs 1×224×224 — 227×227 vs 224×224 pixels; 3 vs 1 channels (RGB vs grayscale)"
    ]


def test_groups_half_the_parameters():
    c = compare([PRESETS["paper-2012"], PRESETS["single-gpu"]])
    assert texts(c, "conv2") == [
        "conv2: half the weights (307K vs 615K params) — groups 2 vs 1 (two GPUs): 256·(96/2)·5² + 256 = 307,456 vs 256·96·5² + 256 = 614,656"
    ]
    assert texts(c, "total") == [
        "total: 60,965,224 vs 62,378,344 params (1.023×), 724,406,816 vs 1,135,256,096 MACs — "
        "largest difference at conv4: 663,936 vs 1,327,488 params"
    ]


def test_lrn_presence_and_values():
    c = default()
    assert texts(c, "LRN", ("paper-2012", "torchvision")) == [
        "LRN: norm1, norm2 only in paper-2012 (torchvision has no LRN) — no parameters and the shape is "
        "unchanged, so it changes no count here, only the values"
    ]
    c = compare([PRESETS["paper-2012"], PRESETS["caffe-bvlc"]])
    assert texts(c, "norm1") == ["norm1: same shape and count, different values — alpha 0.0001 vs 2e-05; k 2 vs 1"]
    assert texts(c, "pool1") == [
        "pool1: both 27 — rounding down vs up at 55: ⌊(55 − 3)/2⌋ + 1 = ⌊26⌋ + 1 = 27 vs ⌈(55 − 3)/2⌉ + 1 = ⌈26⌉ + 1 = 27"
    ]


def test_missing_relu_and_dropout_placement():
    c = compare([PRESETS["paper-2012"], PRESETS["blog-broken-flatten"]])
    assert texts(c, "ReLU")[0].startswith("ReLU: relu5 only in paper-2012 —")
    c = compare([PRESETS["keras-seed"], PRESETS["d2l"]])
    assert texts(c, "dropout")[0].startswith(
        "dropout: the same dropout (drop6, drop7), before the linear layer (drop → fc, torchvision's order) in "
        "keras-seed vs after the ReLU (fc → relu → drop, Caffe's order) in d2l"
    )
    assert texts(c, "fc8") == [
        "fc8: 1,000 vs 10 features, 4.1M vs 41K params — 1000 vs 10 outputs: "
        "4096·1000 + 1000 = 4,097,000 vs 4096·10 + 10 = 40,970"
    ]
    c = compare([PRESETS["torchvision"], PRESETS["paper-2012"]])
    assert any(t.startswith("dropout: the same dropout (drop6, drop7), before the linear") for t in texts(c, "dropout"))


@pytest.mark.parametrize("names", list(itertools.combinations(sorted(PRESETS), 2)))
def test_every_difference_between_two_presets_is_explained(names):
    c = compare([PRESETS[n] for n in names])
    for row in c.rows:
        a, b = row.cells
        if a.ok and b.ok and (a.output, a.params, a.macs) != (b.output, b.params, b.macs):
            assert c.explanations_for(row.role), row.role
        if row.differs:
            assert c.explanations_for(row.role), row.role


# --- the same image through each variant ------------------------------------------------------


def test_spatial_roles_default():
    assert spatial_roles(default()) == [
        "conv1", "pool1", "conv2", "pool2", "conv3", "conv4", "conv5", "pool5", "adaptpool5",
    ]  # fmt: skip


# --- the short summary ------------------------------------------------------------------------


def _numbers(text: str) -> list[str]:
    import re

    return [n.rstrip(".,") for n in re.findall(r"\d[\d,.]*[KMG×]?", text)]


@pytest.mark.parametrize(
    "names",
    [
        DEFAULT_SELECTION,
        ("paper-2012", "torchvision"),
        ("torchvision", "paper-2012"),
        ("keras-seed", "d2l"),
        ("paper-2012", "torchvision", "keras-seed", "d2l"),
        ("paper-2012", "blog-broken-flatten", "torchvision"),
        ("paper-2012", "paper-2012"),
        ("paper-2012", "caffe-bvlc"),
        ("paper-2012", "single-gpu"),
        ("torchvision", "vgg16", "resnet18"),
        ("lenet-5", "resnet34-conv3-dashed"),
    ],
)
def test_summary_has_three_to_six_points(names):
    points = summary(compare([PRESETS[n] for n in names]))
    assert 3 <= len(points) <= 6, [str(p) for p in points]


def test_summary_names_the_numbers_that_differ():
    c = default()
    points = [str(p) for p in summary(c)]
    text = " ".join(points)
    assert "3×227×227 / 3×224×224 / 1×224×224" in points[0]  # the inputs
    assert "conv1 (55 / 55 / 54)" in text and "256×6×6 / 256×6×6 / 256×5×5" in text  # where the maps part
    assert "9,216 / 9,216 / 6,400 features" in text  # what fc6 sees
    assert "60,965,224 / 61,100,840 / 50,820,776" in text and "0.834×" in text  # parameters and ratios
    assert "fc6: 37.8M / 37.8M / 26.2M" in text  # the largest parameter gap
    assert "724M / 714M / 942M MACs" in text and "1.301×" in text  # compute
    assert "adaptpool5 in torchvision" in text and "LRN in paper-2012" in text  # what only some have
    assert points[-1].startswith(
        "Dropout sits in different places — after the ReLU (fc → relu → drop, Caffe's order) in paper-2012; "
        "before the linear layer (drop → fc, torchvision's order) in torchvision, keras-seed."
    )


def test_summary_of_paper_224_against_227_is_the_story():
    c = compare([PRESETS["paper-2012-224"], PRESETS["paper-2012"]])
    points = [str(p) for p in summary(c)]
    assert points == [
        "Inputs: 3×224×224 / 3×227×227.",
        "Map sizes part at conv1 (54 / 55) and stay apart: flatten gets 256×5×5 / 256×6×6, "
        "so the classifier sees 6,400 / 9,216 features.",
        "Parameters: 49,430,888 / 60,965,224 (1.000× / 1.233× of paper-2012-224). "
        "The largest gap is at fc6: 26.2M / 37.8M.",
        "Compute: 643M / 724M MACs (1.000× / 1.127× of paper-2012-224). The largest gap is at conv3: 127M / 150M.",
    ]


def test_summary_of_identical_and_of_invalid_variants():
    same = [str(p) for p in summary(compare([PRESETS["paper-2012"], PRESETS["paper-2012"]]))]
    assert same == [
        "Parameters: the same 60,965,224 in every valid variant.",
        "Compute: the same 724,406,816 MACs in every valid variant.",
        "Layer for layer the same: every shape, parameter and MAC agrees.",
    ]
    bad = [str(p) for p in summary(compare([PRESETS["paper-2012"], PRESETS["blog-broken-flatten"]]))]
    assert bad[0].startswith("blog-broken-flatten is invalid at fc6: fc6 (linear)")
    assert "60,965,224 / — (1.000× / — of paper-2012)" in bad[2]


def test_summary_and_explanations_in_chinese_keep_every_number():
    from explorer.i18n import using
    from tests.i18n_check import english_words, has_chinese

    c = compare([PRESETS[n] for n in ("paper-2012", "torchvision", "keras-seed", "d2l")])
    texts = [lambda p=p: str(p) for p in summary(c)] + [lambda e=e: e.text for e in c.explanations]
    for text in texts:
        en = text()
        with using("zh"):
            zh = text()
        assert has_chinese(zh), zh
        assert not english_words(zh), (zh, english_words(zh))
        assert sorted(_numbers(en)) == sorted(_numbers(zh)), (en, zh)


def test_differs_from_reference():
    c = compare([PRESETS[n] for n in ("paper-2012", "torchvision", "keras-seed")])
    conv3 = c.row("conv3")
    assert differs_from_reference(c, conv3, 0) == set()
    assert differs_from_reference(c, conv3, 1) == {"params", "MACs"}  # 384×13×13 in both
    assert differs_from_reference(c, conv3, 2) == {"output", "MACs"}  # the same weights on a 12×12 map
    assert differs_from_reference(c, c.row("adaptpool5"), 1) == {"output"}  # present vs absent; 0 params either way
    assert differs_from_reference(c, c.row("fc6"), 2) == {"params", "MACs"}
    assert differs_from_reference(c, c.row("fc7"), 2) == set()
    bad = compare([PRESETS["paper-2012"], PRESETS["blog-broken-flatten"]])
    assert differs_from_reference(bad, bad.row("fc6"), 1) == set()  # an error is not a difference

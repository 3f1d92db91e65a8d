"""Every lesson question's answer, recomputed independently with PyTorch (or by counting)."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from explorer.build import build_model
from explorer.formula import WorkedFormula
from explorer.i18n import Message, using
from explorer.lessons import conv1_question, find_question, lesson, lessons
from explorer.presets import PRESETS
from explorer.spec import Conv, VariantError
from tests.i18n_check import english_words, has_chinese


def side(module: nn.Module, n: int, channels: int = 3) -> int:
    with torch.no_grad():
        return module(torch.zeros(1, channels, n, n)).shape[-1]


def question(qid: str):
    q = find_question(qid)
    assert q is not None, qid
    return q


def test_every_question_is_well_formed():
    ids = set()
    for item in lessons():
        assert item.steps
        for step in item.steps:
            q = step.question
            assert q.id not in ids
            ids.add(q.id)
            assert len(q.options) >= 3
            assert len(set(q.option_ids)) == len(q.option_ids)
            assert q.answer in q.option_ids, q.id
            assert q.reveal
    assert len(lessons()) >= 7


def test_the_224_mystery_against_pytorch():
    assert question("mystery.conv1-224").answer == str(side(nn.Conv2d(3, 96, 11, 4), 224)) == "54"
    exact = question("mystery.exact-input")
    exacts = [w for w in map(int, exact.option_ids) if side(nn.Conv2d(3, 96, 11, 4), w) == 55 and (w - 11) % 4 == 0]
    assert exact.answer == str(exacts[0]) == "227"
    assert question("mystery.torchvision").answer == str(side(nn.Conv2d(3, 64, 11, 4, padding=2), 224)) == "55"


def test_the_crops_are_counted():
    positions = {(x, y, flip) for x in range(256 - 224 + 1) for y in range(256 - 224 + 1) for flip in (0, 1)}
    q = question("mystery.crops")
    assert q.answer == str(32 * 32 * 2) == "2048"  # the paper's factor
    assert str(len(positions)) in q.option_ids  # 2,178 distinct patches, named in the reveal
    assert "2,178" in str(q.reveal[0])


def test_where_the_parameters_live_against_pytorch():
    model = build_model(PRESETS["torchvision"], device="meta")
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    total = sum(p.numel() for p in model.parameters())
    assert total == 61_100_840
    fc6 = sum(p.numel() for p in linears[0].parameters())
    q = question("parameters.fc6")
    assert q.answer == "fc6" and q.label_of("fc6") == f"{100 * fc6 / total:.1f}%" == "61.8%"
    fc = sum(p.numel() for m in linears for p in m.parameters())
    assert q.label_of("fc") == f"{100 * fc / total:.1f}%"
    # MACs counted by hooks on the real modules: conv = outputs × in/groups × k²; linear = in × out.
    macs = {"conv": 0, "fc": 0}
    real = build_model(PRESETS["torchvision"])

    def hook(kind):
        def count(module, inputs, output):
            if kind == "conv":
                k = module.kernel_size[0] * module.kernel_size[1]
                macs[kind] += output.numel() * module.in_channels // module.groups * k
            else:
                macs[kind] += module.in_features * module.out_features

        return count

    for m in real.modules():
        if isinstance(m, nn.Conv2d):
            m.register_forward_hook(hook("conv"))
        elif isinstance(m, nn.Linear):
            m.register_forward_hook(hook("fc"))
    with torch.no_grad():
        real(torch.zeros(1, 3, 224, 224))
    compute = question("parameters.compute")
    assert compute.answer == "conv-macs"
    assert compute.label_of("conv-macs") == f"{100 * macs['conv'] / (macs['conv'] + macs['fc']):.1f}%" == "91.8%"
    assert len(convs) == 5


def test_two_gpus_against_pytorch():
    q = question("gpus.conv2")
    assert q.answer == str(sum(p.numel() for p in nn.Conv2d(96, 256, 5, groups=2).parameters())) == "307456"
    assert str(sum(p.numel() for p in nn.Conv2d(96, 256, 5).parameters())) in q.option_ids
    model = build_model(PRESETS["paper-2012"], device="meta")
    groups = [m.groups for m in model.modules() if isinstance(m, nn.Conv2d)]
    across = question("gpus.across")
    assert across.answer == f"conv{groups.index(1, 1) + 1}" == "conv3"


def receptive_field(layers: nn.Sequential, n: int) -> int:
    """Input pixels (per side) that reach the centre output: the gradient oracle."""
    x = torch.ones(1, 3, n, n, requires_grad=True)
    with torch.no_grad():
        for m in layers:
            if isinstance(m, nn.Conv2d):
                m.weight.fill_(1.0)
                m.bias.zero_()
    out = layers(x)
    h = out.shape[-1] // 2
    out[0, 0, h, h].backward()
    rows = (x.grad[0, 0].abs().sum(1) > 0).nonzero()
    return int(rows.max() - rows.min() + 1)


def test_overlapping_pooling_against_pytorch():
    assert question("pooling.size").answer == str(side(nn.MaxPool2d(2, 2), 55, 96)) == "27"
    assert side(nn.MaxPool2d(3, 2), 55, 96) == 27
    # A max pool's gradient reaches only the largest input; an average pool with the same window
    # reaches every input the window covers, which is the receptive field.
    rf32 = receptive_field(nn.Sequential(nn.Conv2d(3, 1, 11, 4), nn.AvgPool2d(3, 2)), 227)
    rf22 = receptive_field(nn.Sequential(nn.Conv2d(3, 1, 11, 4), nn.AvgPool2d(2, 2)), 227)
    q = question("pooling.receptive-field")
    assert q.answer == str(rf32) == "19" and str(rf22) in q.option_ids


def test_lrn_against_pytorch():
    q = question("lrn.small")
    lrn = nn.LocalResponseNorm(size=5, alpha=5e-4, beta=0.75, k=2.0)
    x = torch.full((1, 96, 4, 4), 1e-3)
    ratio = float((lrn(x) / x).mean())
    assert q.label_of(q.answer) == f"{ratio:.3f}" == "0.595"
    # The paper's b = a / (k + α Σ a²)^β with α = 1e-4 equals PyTorch's with alpha = α·n.
    a = torch.rand(1, 16, 3, 3)
    square = a.pow(2)
    padded = nn.functional.pad(square, (0, 0, 0, 0, 2, 2))
    sums = torch.stack([padded[:, i : i + 5].sum(1) for i in range(16)], 1)
    paper = a / (2.0 + 1e-4 * sums) ** 0.75
    alpha = question("lrn.pytorch-alpha")
    chosen = float(alpha.label_of(alpha.answer))
    torch.testing.assert_close(nn.LocalResponseNorm(5, alpha=chosen, beta=0.75, k=2.0)(a), paper)


def test_the_broken_flatten_against_pytorch():
    variant = PRESETS["blog-broken-flatten"]
    q = question("flatten.arrive")
    fixed = variant.with_layers(
        [dataclasses.replace(x, in_features=None) if i == 13 else x for i, x in enumerate(variant.layers)]
    )
    model = build_model(fixed)
    assert model is not None
    features = nn.Sequential(nn.Conv2d(3, 256, 1), nn.AdaptiveMaxPool2d(6), nn.Flatten(), nn.Linear(256, 4096))
    with pytest.raises(RuntimeError, match=rf"1x{q.answer} and 256x4096"):
        features(torch.zeros(1, 3, 224, 224))
    assert q.answer == "9216"
    assert any(isinstance(part, VariantError) for part in q.reveal)


def test_six_thousand_four_hundred_against_pytorch():
    q = question("features.d2l")
    model = build_model(PRESETS["d2l"])
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    assert q.answer == str(linears[0].in_features) == "6400"
    taken = {}
    linears[0].register_forward_pre_hook(lambda m, inp: taken.update(n=inp[0].shape[1]))
    with torch.no_grad():
        model(torch.zeros(1, 1, 224, 224))
    assert taken["n"] == 6400


@given(kernel=st.integers(1, 15), stride=st.integers(1, 6), padding=st.integers(0, 5), n=st.integers(16, 300))
def test_conv1_question_follows_any_variant(kernel, stride, padding, n):
    """Editing a lesson's variant keeps its question true: the answer is PyTorch's for any conv1."""
    base = PRESETS["paper-2012-224"]
    conv1 = base.layers[0]
    assert isinstance(conv1, Conv)
    variant = base.with_layers(
        [dataclasses.replace(conv1, kernel=kernel, stride=stride, padding=padding), *base.layers[1:]]
    )
    variant = variant.with_input(height=n, width=n)
    if n + 2 * padding < kernel:
        return
    q = conv1_question(variant)
    assert q.answer == str(side(nn.Conv2d(3, 1, kernel, stride, padding), n))
    assert q.answer in q.option_ids and len(set(q.option_ids)) == len(q.option_ids) >= 3


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lessons_render_in_both_languages(lang):
    with using(lang):
        for item in lessons():
            texts = [str(item.title), str(item.summary)]
            for step in item.steps:
                texts += [str(step.title), *map(str, step.text), str(step.question.prompt)]
                texts += [str(o.label) for o in step.question.options]
                for part in step.question.reveal:
                    if isinstance(part, WorkedFormula):
                        texts += [part.text, part.remainder_text]
                    elif isinstance(part, Message):
                        texts.append(str(part))
            if lang == "zh":
                prose = [t for t in texts if english_words(t)]
                assert not [t for t in prose if not has_chinese(t)], prose
            else:
                assert not any(has_chinese(t) for t in texts)


def test_lesson_lookup():
    assert lesson("mystery").steps[0].question.id == "mystery.conv1-224"
    assert find_question("nope") is None
    with pytest.raises(KeyError):
        lesson("nope")

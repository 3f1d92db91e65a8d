"""The 224-vs-227 chain, pinned to the paper's numbers."""

from explorer.presets import PRESETS
from explorer.story import input_story, other_input_size


def test_paper_224_chain():
    story = input_story(PRESETS["paper-2012-224"])
    assert story.size == 224 and story.other_size == 227
    assert story.chain() == (
        "conv1 54 → pool1 26 → conv2 26 → pool2 12 → conv3 12 → conv4 12 → conv5 12 → pool5 5×5 → "
        "flatten 6,400 → fc6 26.2M"
    )
    assert story.chain(other=True) == (
        "conv1 55 → pool1 27 → conv2 27 → pool2 13 → conv3 13 → conv4 13 → conv5 13 → pool5 6×6 → "
        "flatten 9,216 → fc6 37.8M"
    )
    fc6 = story.links[-1]
    assert (fc6.value, fc6.other) == (6400 * 4096 + 4096, 9216 * 4096 + 4096)
    assert story.params_delta == -11_534_336 == (6400 - 9216) * 4096
    assert all(link.differs for link in story.links)


def test_torchvision_pads_its_way_to_the_same_chain():
    story = input_story(PRESETS["torchvision"])
    # padding 2 at 224 gives 55, as 227 does without padding; at 227 with padding 2 conv1 gives 56
    assert [link.text() for link in story.links][:2] == ["conv1 55", "pool1 27"]
    assert [link.text(other=True) for link in story.links][:2] == ["conv1 56", "pool1 27"]
    assert story.params_delta == 0


def test_other_size():
    assert other_input_size(PRESETS["paper-2012-224"]) == 227
    assert other_input_size(PRESETS["paper-2012"]) == 224


def test_no_spatial_layer_no_story():
    from explorer.spec import variant_from_json

    mlp = variant_from_json(
        '{"input":{"channels":1,"height":28,"width":28},"layers":[{"type":"flatten"},{"type":"linear","out_features":10}]}'
    )
    assert input_story(mlp) is None


def test_the_chain_in_chinese_has_the_same_numbers():
    from explorer.i18n import using

    story = input_story(PRESETS["paper-2012-224"])
    with using("zh"):
        chain = story.chain(bold_differences=True)
        lines = story.summary()
    assert chain.startswith("**conv1 54** → **pool1 26**") and "**展平 6,400** → **fc6 26.2M**" in chain
    assert lines[0] == "输入 224 时：" + chain
    assert lines[1].startswith("输入 227 时：conv1 55") and "展平 9,216" in lines[1]
    assert lines[2] == "所以这个变体在 224 时的参数量比 227 时**少 11,534,336** 个。"
    with using("en"):
        assert story.summary()[2] == "So this variant has **11,534,336 fewer** parameters at 224 than at 227."

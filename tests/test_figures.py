"""Build page figures: the diagram's geometry and files, and the parameter/compute split."""

import pytest

from explorer.analysis import analyse
from explorer.figures import compute_split, diagram, diagram_image, diagram_plotly, params_macs_figure
from explorer.presets import PRESETS


def test_two_towers_for_the_paper_one_for_single_gpu():
    paper = diagram(analyse(PRESETS["paper-2012"]))
    single = diagram(analyse(PRESETS["single-gpu"]))
    # input cuboid + 8 maps; each cuboid is 3 polygons; towers double them; 4 classifier bars
    assert len(paper.polygons) == 3 + 8 * 2 * 3 + 4
    assert len(single.polygons) == 3 + 8 * 3 + 4
    texts = [label.text for label in paper.labels]
    assert "96×55×55" in texts and "conv1" in texts and "fc8" in texts and "9,216" in texts
    assert any("11×11/4" in t and "+LRN" in t for t in texts)
    assert any("g2" in t for t in texts)


def test_invalid_variant_draws_layers_up_to_the_error():
    d = diagram(analyse(PRESETS["blog-broken-flatten"]))
    assert "fc6" not in [label.text for label in d.labels]
    assert "flatten" in [label.text for label in d.labels]


@pytest.mark.parametrize("fmt,magic", [("png", b"\x89PNG"), ("svg", b"<?xml")])
def test_diagram_files(fmt, magic):
    data = diagram_image(analyse(PRESETS["torchvision"]), fmt)
    assert data.startswith(magic)


def test_plotly_diagram_is_few_traces():
    fig = diagram_plotly(analyse(PRESETS["paper-2012"]))
    assert len(fig.data) == 4  # one trace per colour: input, conv, pool, fc
    assert len(fig.layout.annotations) == len(diagram(analyse(PRESETS["paper-2012"])).labels)


def test_classic_lesson_figures():
    fc, conv = compute_split(analyse(PRESETS["paper-2012"]))
    assert round(100 * fc, 1) == 96.2 and round(100 * conv, 1) == 91.9
    fc, conv = compute_split(analyse(PRESETS["torchvision"]))
    assert round(100 * fc, 1) == 96.0 and round(100 * conv, 1) == 91.8
    fig = params_macs_figure(analyse(PRESETS["torchvision"]))
    assert [b.name for b in fig.data] == ["% of parameters", "% of MACs"]
    assert list(fig.data[0].x) == ["conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"]
    assert "96.0% of the parameters" in fig.layout.title.text

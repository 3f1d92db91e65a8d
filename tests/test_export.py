"""Downloads: the generated PyTorch file runs and matches the engine; CSV and torchinfo text; a
comparison's CSV, Markdown and LaTeX tables (explorer.compare_export)."""

import csv
import io
import re

import pytest
import torch

from explorer.analysis import analyse
from explorer.compare import DEFAULT_SELECTION, compare
from explorer.compare_export import comparison_csv, comparison_latex, comparison_markdown, latex_escape
from explorer.export import pytorch_source, table_csv, torchinfo_text
from explorer.i18n import using
from explorer.presets import PRESETS

VALID = [n for n, v in PRESETS.items() if analyse(v).valid]


@pytest.mark.parametrize("name", VALID)
def test_generated_code_runs_and_matches_engine(name):
    a = analyse(PRESETS[name])
    namespace: dict = {}
    exec(compile(pytorch_source(a), f"{name}.py", "exec"), namespace)
    if "Net" in namespace:  # torchvision's ResNet layout
        from explorer.build import build_model

        model = namespace["Net"]().eval()
        ours = build_model(a, device="cpu")
        assert list(model.state_dict()) == list(ours.state_dict())  # the same keys: state dicts load
        model.load_state_dict(ours.state_dict())
        assert sum(p.numel() for p in model.parameters()) == a.total_params
        shapes = []
        hooks = [
            model.get_submodule(path).register_forward_hook(lambda m, i, o: shapes.append(tuple(o.shape[1:])))
            for path in ours.layer_paths()
        ]
        x = torch.randn(1, *a.input_shape, generator=torch.Generator().manual_seed(0))
        with torch.no_grad():
            out = model(x)
            assert torch.equal(out, ours(x))
        for h in hooks:
            h.remove()
        assert shapes == [r.output for r in a.rows]
        return
    model = namespace["AlexNetVariant"]().eval()
    assert namespace["INPUT_SHAPE"] == a.input_shape
    assert sum(p.numel() for p in model.parameters()) == a.total_params
    shapes = []
    hooks = [
        m.register_forward_hook(lambda m, i, o: shapes.append(tuple(o.shape[1:])))
        for m in (*model.features, model.avgpool, model.flatten, *model.classifier)
        if not isinstance(m, torch.nn.Identity)
    ]
    with torch.no_grad():
        out = model(torch.zeros(1, *a.input_shape))
    for h in hooks:
        h.remove()
    assert tuple(out.shape[1:]) == a.output_shape
    assert shapes == [r.output for r in a.rows]


def test_generated_code_loads_torchvision_style_state_dict():
    from explorer.build import build_model

    a = analyse(PRESETS["torchvision"])
    namespace: dict = {}
    exec(pytorch_source(a), namespace)
    model = namespace["AlexNetVariant"]()
    model.load_state_dict(build_model(a).state_dict())  # same keys and shapes


def test_hostile_name_cannot_break_the_file():
    v = PRESETS["lenet-5"].renamed('x"""\\N{oops} import os')
    namespace: dict = {}
    exec(pytorch_source(analyse(v)), namespace)
    assert "AlexNetVariant" in namespace


def test_csv():
    text = table_csv(analyse(PRESETS["paper-2012"]))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "#",
        "layer",
        "type",
        "output",
        "params",
        "% params",
        "MACs",
        "% MACs",
        "memory (KiB)",
        "receptive field",
        "jump",
    ]
    assert rows[0] | {} == rows[0] and rows[0]["layer"] == "conv1" and rows[0]["output"] == "96×55×55"
    assert rows[0]["params"] == "34944" and rows[0]["MACs"] == "105415200" and rows[0]["receptive field"] == "11"
    assert rows[-1]["layer"] == "fc8" and rows[-1]["receptive field"] == ""
    assert sum(int(r["params"]) for r in rows) == 60_965_224


def test_torchinfo_text():
    text = torchinfo_text(analyse(PRESETS["torchvision"]))
    assert "Total params: 61,100,840" in text
    assert "Sequential (features)" in text and "Conv2d (0)" in text


def test_csv_in_chinese_has_chinese_headers_and_the_same_cells():
    a = analyse(PRESETS["paper-2012"])
    en = list(csv.reader(io.StringIO(table_csv(a))))
    zh = list(csv.reader(io.StringIO(table_csv(a, lang="zh").lstrip("\ufeff"))))
    assert zh[0][:6] == ["#", "层", "类型", "输出", "参数量", "参数占比 %"] and zh[0][-2:] == [
        "感受野",
        "跳步（累计步长）",
    ]
    assert zh[1:] == en[1:]
    assert en[0] == list(csv.DictReader(io.StringIO(table_csv(a))).fieldnames)  # English unchanged, no BOM


# --- a comparison's tables ----------------------------------------------------------------------------------


def default():
    return compare([PRESETS[n] for n in DEFAULT_SELECTION])


def _numbers(text: str) -> list[str]:
    return [n.rstrip(".,") for n in re.findall(r"\d[\d,.]*[KMG×]?", text)]


def test_csv_exact():
    lines = comparison_csv(default()).splitlines()
    assert lines[0] == (
        "layer,paper-2012 output,paper-2012 params,paper-2012 MACs,torchvision output,torchvision params,"
        "torchvision MACs,keras-seed output,keras-seed params,keras-seed MACs"
    )
    assert lines[2] == "conv1,96x55x55,34944,105415200,64x55x55,23296,70276800,96x54x54,11712,33872256"
    assert lines[10] == "adaptpool5,,,,256x6x6,0,0,,,"
    assert lines[-1] == "total,,60965224,724406816,,61100840,714188480,,50820776,942201216"
    assert len(lines) == 1 + 14 + 1


def test_csv_invalid_column():
    c = compare([PRESETS["paper-2012"], PRESETS["blog-broken-flatten"]])
    lines = comparison_csv(c).splitlines()
    assert "fc6,4096,37752832,37748736,error,error,error" in lines
    assert "fc7,4096,16781312,16777216,not reached,not reached,not reached" in lines
    assert lines[-1] == "total,,60965224,724406816,invalid,,"


def test_markdown_exact():
    lines = comparison_markdown(default()).splitlines()
    assert lines[:3] == [
        "| layer | paper-2012 | torchvision | keras-seed |",
        "|---|---|---|---|",
        "| input | **3×227×227** | **3×224×224** | **1×224×224** |",
    ]
    assert lines[3] == "| conv1 | **96×55×55 (34.9K)** | **64×55×55 (23.3K)** | **96×54×54 (11.7K)** |"
    assert "| adaptpool5 | — | **256×6×6** | — |" in lines
    assert "| fc7 | 4096 (16.8M) | 4096 (16.8M) | 4096 (16.8M) |" in lines
    assert lines[-2] == "| total params | 60,965,224 (1.000×) | 61,100,840 (1.002×) | 50,820,776 (0.834×) |"
    assert lines[-1] == "| total MACs | 724M (1.000×) | 714M (0.986×) | 942M (1.301×) |"


def test_latex_exact_and_escaped():
    odd = PRESETS["keras-seed"].renamed("my_net 50% & #1 {x}")
    text = comparison_latex(compare([PRESETS["paper-2012"], odd]))
    lines = text.splitlines()
    assert lines[0] == "\\begin{tabular}{lrr}"
    assert lines[2] == "Layer & paper-2012 & my\\_net 50\\% \\& \\#1 \\{x\\} \\\\"
    assert (
        lines[5]
        == "conv1 & \\textbf{96$\\times$55$\\times$55 (34.9K)} & \\textbf{96$\\times$54$\\times$54 (11.7K)} \\\\"
    )
    assert "fc8 & 1000 (4.1M) & 1000 (4.1M) \\\\" in lines
    assert "Total params & 60,965,224 (1.000$\\times$) & 50,820,776 (0.834$\\times$) \\\\" in lines
    assert lines[-1] == "\\end{tabular}"


def test_latex_invalid_and_gap_cells():
    c = compare([PRESETS["torchvision"], PRESETS["blog-broken-flatten"]])
    lines = comparison_latex(c).splitlines()
    assert "adaptpool5 & \\textbf{256$\\times$6$\\times$6} & --- \\\\" in lines
    assert "fc6 & 4096 (37.8M) & error \\\\" in lines
    assert "Total params & 61,100,840 (1.000$\\times$) & invalid \\\\" in lines


def test_escapes():
    assert latex_escape("a_b%c&d#e$f~g^h\\i") == (
        "a\\_b\\%c\\&d\\#e\\$f\\textasciitilde{}g\\textasciicircum{}h\\textbackslash{}i"
    )


def test_exports_in_chinese_have_chinese_headers_and_the_same_numbers():
    c = compare([PRESETS["paper-2012"], PRESETS["blog-broken-flatten"]])
    en = [comparison_csv(c), comparison_markdown(c), comparison_latex(c)]
    with using("zh"):
        zh = [comparison_csv(c), comparison_markdown(c), comparison_latex(c)]
    assert zh[0].splitlines()[0] == (
        "层,paper-2012 输出,paper-2012 参数量,paper-2012 乘加运算,"
        "blog-broken-flatten 输出,blog-broken-flatten 参数量,blog-broken-flatten 乘加运算"
    )
    assert zh[0].splitlines()[1].startswith("输入,3x227x227,0,0,")
    assert "fc7,4096,16781312,16777216,未到达,未到达,未到达" in zh[0].splitlines()
    assert zh[0].splitlines()[-1] == "合计,,60965224,724406816,无效,,"
    assert zh[1].splitlines()[0] == "| 层 | paper-2012 | blog-broken-flatten |"
    assert zh[1].splitlines()[-2:] == [
        "| 总参数量 | 60,965,224 (1.000×) | 无效 |",
        "| 总乘加运算 | 724M (1.000×) | 无效 |",
    ]
    assert zh[2].splitlines()[2] == "层 & paper-2012 & blog-broken-flatten \\\\"
    for a, b in zip(en, zh):
        assert _numbers(a) == _numbers(b)

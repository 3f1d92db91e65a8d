"""The Inside page in 中文 through its states: a pattern on a grayscale variant, bad uploads (the Chinese
error), the LRN view, the feature-map views (top-k, a residual block's add, a clipped window), every
weights source (random, ImageNet for a variant it does not fit, a file:// download, uploaded weights
that fit, partly fit or are refused), an oversize run, the missing-font notice. In each: no English
words outside the technical tokens, real Chinese, and the same numbers as the English page.

Switching the language re-draws the pictures in the new language and runs no forward pass again.

AppTest formats a widget's value with its format_func in the test's own thread to find the option
(which is in the page's language): so every page is driven inside `using(lang)`."""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

import explorer.activations
import explorer.figures_inside
from explorer.build import build_model
from explorer.i18n import using
from explorer.presets import PRESETS
from explorer.spec import Linear, variant_from_json
from tests.i18n_check import english_words, has_chinese
from tests.test_app_i18n import page_texts

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "1_Inside.py")
NUMBER = re.compile(r"\d(?:[\d,.]*\d)?")  # "1," at an English comma is 1 (Chinese writes "1，")


def _page(lang: str, variant=None) -> AppTest:
    """A fresh page in `lang`; drive it inside `using(lang)` (see the module's docstring)."""
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params["lang"] = lang
    if variant is not None:
        at.session_state["variant"] = variant
    return at


@pytest.fixture
def in_chinese():
    """The test's thread in Chinese too, for a page driven only in Chinese."""
    with using("zh"):
        yield


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not [w for w in at.warning if "went wrong" in w.value or "出了问题" in w.value]
    return at


def _image_captions(at: AppTest) -> list[str]:
    return [caption for image in at.image for caption in image.captions]


def _texts(at: AppTest) -> list[tuple[str, str]]:
    """What a reader sees (page_texts, the pictures' captions, help texts, the chart's words), with
    Markdown's character references decoded as the browser shows them."""
    out = list(page_texts(at))
    out += [("image caption", c) for c in _image_captions(at)]
    for kind in ("button", "checkbox", "selectbox", "slider", "radio"):
        out += [(f"{kind} {w.key} help", str(w.help)) for w in getattr(at, kind) if getattr(w, "help", None)]
    for bar in at.get("progress"):
        out.append(("progress", bar.proto.text))
    for chart in at.get("plotly_chart"):
        layout = json.loads(chart.proto.spec)["layout"]
        out.append(("chart title", layout["title"]["text"]))
        out.append(("chart axis", layout["xaxis"]["title"]["text"]))
    return [(where, html.unescape(text)) for where, text in out]


def _assert_chinese(at: AppTest) -> None:
    texts = _texts(at)
    leftovers = [(where, text, words) for where, text in texts if (words := english_words(text))]
    assert not leftovers, "\n".join(f"{w}: {t[:140]!r} → {ws}" for w, t, ws in leftovers[:40])
    assert sum(has_chinese(text) for _where, text in texts) >= 5


def _numbers(at: AppTest) -> list[str]:
    """Every number in the prose and the pictures' captions, bar the forward pass's timing."""
    shown = [
        t
        for w, t in _texts(at)
        if w in ("markdown", "caption", "subheader", "image caption", "error", "info", "success")
    ]
    return sorted(n for t in shown if " ms" not in t for n in NUMBER.findall(t))


def _same_numbers(drive) -> tuple[AppTest, AppTest]:
    """Drive an English and a Chinese page the same way: no English left in Chinese, the same numbers."""
    with using("en"):
        en = _ok(drive(_page("en")))
    with using("zh"):
        zh = _ok(drive(_page("zh")))
    _assert_chinese(zh)
    assert _numbers(en) == _numbers(zh)
    return en, zh


def _save(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def _weights_upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.radio(key="inside_weights_source").set_value("uploaded weights").run()
    at.file_uploader(key="inside_weights_upload").upload(name, data, "application/octet-stream").run()
    return at


def _upload_image(at: AppTest, name: str, data: bytes) -> AppTest:
    at.radio(key="inside_source").set_value("Upload").run()
    at.file_uploader(key="inside_upload").upload(name, data, "image/png").run()
    return at


def test_default_page_in_chinese_every_section():
    en, zh = _same_numbers(lambda at: at.run())
    assert [s.value for s in zh.subheader][:5] == [
        "权重",
        "1 · 逐步预处理",
        "2 · 特征图",
        "3 · 各层一览",
        "4 · 第一层卷积核 — 随机初始化",
    ]
    assert "6 · 看得见的局部响应归一化（LRN）" in [s.value for s in zh.subheader]
    assert _image_captions(zh)[:3] == ["原图 · 512×512", "短边缩放到 259 · 259×259", "中心裁剪 227×227 · 227×227"]
    assert "双线性插值；256·227/224 = 259.43 → 259" in [c.value for c in zh.caption]
    planes = [c for c in _image_captions(zh) if c.startswith(("R ", "G ", "B "))]
    assert [c.split("：")[0] for c in planes] == [
        "R 标准化前",
        "R 标准化后（− 0.485，÷ 0.229）",
        "G 标准化前",
        "G 标准化后（− 0.456，÷ 0.224）",
        "B 标准化前",
        "B 标准化后（− 0.406，÷ 0.225）",
    ]
    # the radio options stay English ids, shown in Chinese
    assert zh.radio(key="inside_weights_source").options == [
        "随机初始化",
        "ImageNet 预训练（torchvision）",
        "上传的权重",
    ]
    assert zh.radio(key="inside_weights_source").value == "random initialisation"
    assert zh.radio(key="inside_grid_mode").options == ["全部通道", "平均激活值最高的 k 个"]
    assert r"\text{每个通道对自身及两侧各 }2\text{ 个相邻通道求和}" in zh.latex[0].value
    assert "`nn.LocalResponseNorm(size=5, alpha=0.0005, beta=0.75, k=2)`" in " ".join(c.value for c in zh.caption)


def test_a_pattern_on_a_grayscale_variant_in_chinese():
    def drive(at: AppTest) -> AppTest:
        at.session_state["variant"] = PRESETS["keras-seed"]
        at.run()
        at.radio(key="inside_source").set_value("Pattern").run()
        return at.selectbox(key="inside_pattern").set_value("stripes 45°").run()

    _en, zh = _same_numbers(drive)
    assert zh.selectbox(key="inside_pattern").options[:2] == ["条纹 0°", "条纹 45°"]
    assert "这个变体只接受 1 个通道：亮度 0.299 R + 0.587 G + 0.114 B" in [c.value for c in zh.caption]
    assert any(c.value.startswith("96 个 11×11×1 的卷积核（灰度）") for c in zh.caption)
    assert any(c.startswith("灰度 标准化前：均值") for c in _image_captions(zh))


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "notes.png",
            b"name,score\nada,3\n",
            "notes.png 不是图像：其中是文本而不是图像数据（是不是把别的文件改成了图像扩展名？）。"
            "请使用 PNG、JPEG、WebP、BMP 或 GIF 文件。",
        ),
        ("empty.png", b"", "empty.png 是空文件（0 字节）：请重新选择图像文件。"),
    ],
    ids=["text-renamed", "zero-byte"],
)
def test_a_bad_upload_says_what_is_wrong_in_chinese(name, data, message, in_chinese):
    zh = _ok(_upload_image(_page("zh").run(), name, data))
    assert [html.unescape(e.value) for e in zh.error] == [message]
    _assert_chinese(zh)


def test_the_lrn_view_and_the_feature_map_views_in_chinese():
    def drive(at: AppTest) -> AppTest:
        at.run()
        at.selectbox(key="inside_lrn").set_value(6).run()  # norm2, after relu2
        at.slider(key="inside_lrn_channel").set_value(10).run()
        at.radio(key="inside_grid_mode").set_value("top-k by mean activation").run()
        at.slider(key="inside_topk").set_value(5).run()
        at.selectbox(key="inside_layer").set_value(4).run()  # conv2 27×27
        at.slider(key="inside_pos_y").set_value(0).run()
        return at.slider(key="inside_pos_x").set_value(26).run()

    _en, zh = _same_numbers(drive)
    captions = _image_captions(zh)
    assert "relu2 → norm2，通道 10（256×27×27）" in captions
    window = next(c for c in captions if "感受野" in c)
    assert window == "(0, 26) 的感受野：51×51 个输入像素，第 0–34 行，第 192–226 列，在边界处被截断"
    ratio = next(m.value for m in zh.markdown if "LRN 后 ÷ LRN 前" in m.value)
    assert "k^−β" in ratio and has_chinese(ratio)


def test_a_residual_blocks_add_in_chinese():
    def drive(at: AppTest) -> AppTest:
        at.session_state["variant"] = PRESETS["resnet18"]
        at.run()
        return at.selectbox(key="inside_layer").set_value(8).run()  # res3a: the dashed shortcut

    _en, zh = _same_numbers(drive)
    assert "+ 捷径连接：1×1 卷积 + 批量归一化" in _image_captions(zh)
    assert "= res3a 的输出" in _image_captions(zh)
    assert any(e.label.startswith("res3a 中的相加：主路径 + 捷径连接 = 输出") for e in zh.expander)


def test_imagenet_weights_for_a_variant_they_do_not_fit_in_chinese():
    def drive(at: AppTest) -> AppTest:
        at.run()
        return at.radio(key="inside_weights_source").set_value("ImageNet-trained (torchvision)").run()

    _en, zh = _same_numbers(drive)
    info = html.unescape(zh.info[0].value)
    assert info.startswith("ImageNet 权重是为 torchvision 的 AlexNet 训练的")
    assert "`features.0.weight` 在这里是 96×3×11×11，在 torchvision 中是 64×3×11×11；" in info
    assert zh.button(key="inside_use_torchvision").label == "切换到 torchvision 预设"


@pytest.fixture(scope="module")
def torchvision_file(tmp_path_factory):
    """A state dict with torchvision AlexNet's keys and shapes, named torch-hub style."""
    folder = tmp_path_factory.mktemp("tv")
    raw = folder / "raw.pth"
    torch.save(build_model(PRESETS["torchvision"]).state_dict(), raw)
    path = folder / f"alexnet-owt-{hashlib.sha256(raw.read_bytes()).hexdigest()[:8]}.pth"
    raw.rename(path)
    return path


def test_imagenet_download_in_chinese(torchvision_file, tmp_path, monkeypatch, in_chinese):
    monkeypatch.setenv("ALEXNET_WEIGHTS_URL", torchvision_file.as_uri())
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    zh = _page("zh", PRESETS["torchvision"]).run()
    zh.radio(key="inside_weights_source").set_value("ImageNet-trained (torchvision)").run()
    _ok(zh)
    assert zh.button(key="inside_load_imagenet").label == "加载 ImageNet 权重"
    _assert_chinese(zh)
    zh.button(key="inside_load_imagenet").click().run()
    _ok(zh)
    assert zh.get("progress")[0].proto.text == "已下载并校验。"
    assert "4 · 第一层卷积核 — ImageNet 预训练（torchvision）" in [s.value for s in zh.subheader]
    assert "5 · top-5 预测结果" in [s.value for s in zh.subheader]
    _assert_chinese(zh)  # the chart's title and axis too (ImageNet's class names are data: English)


def test_uploaded_weights_that_fit_in_chinese(torchvision_file):
    def drive(at: AppTest) -> AppTest:
        at.session_state["variant"] = PRESETS["torchvision"]
        return _weights_upload(at.run(), "tv.pth", torchvision_file.read_bytes())

    _en, zh = _same_numbers(drive)
    assert html.unescape(zh.success[0].value) == "tv.pth：全部 16 个张量都与这个变体相符。"
    assert "类别名称假定上传的权重采用 ImageNet 的类别顺序。" in [c.value for c in zh.caption]


def test_uploaded_weights_of_another_architecture_in_chinese():
    lenet = _save(build_model(PRESETS["lenet-5"]).state_dict())
    en, zh = _same_numbers(lambda at: _weights_upload(at.run(), "lenet.pth", lenet))
    assert html.unescape(zh.error[0].value) == (
        "lenet.pth 与 paper-2012 不相符：16 个张量中有 0 个相符；12 个缺失，6 个多余，4 个形状不对。"
    )
    table = zh.dataframe[0].value
    assert list(table.columns) == ["键名", "状态", "模型中的形状", "文件中的形状"]
    assert list(en.dataframe[0].value.columns) == ["key", "status", "model", "file"]
    assert set(table["状态"]) == {"缺失", "多余", "形状不符"}
    assert zh.checkbox(key="inside_partial").label == "只加载相符的 0 个张量（其余保持随机初始化）"


def test_partly_fitting_weights_loaded_in_part_in_chinese():
    lenet = PRESETS["lenet-5"]
    twenty = lenet.with_layers((*lenet.layers[:-1], Linear(20))).renamed("lenet-20")
    data = _save(build_model(lenet).state_dict())

    def drive(at: AppTest) -> AppTest:
        at.session_state["variant"] = twenty
        _weights_upload(at.run(), "lenet.pth", data)
        return at.checkbox(key="inside_partial").check().run()

    _en, zh = _same_numbers(drive)
    assert "4 · 第一层卷积核 — 上传的权重（部分加载：10 个张量中的 8 个）" in [s.value for s in zh.subheader]


def test_refused_weights_say_why_in_chinese(in_chinese):
    class RunsCode:
        def __reduce__(self):
            return (print, ("ran",))

    zh = _ok(_weights_upload(_page("zh").run(), "evil.pth", _save({"features.0.weight": RunsCode()})))
    (error,) = [html.unescape(e.value) for e in zh.error]
    assert error.startswith("已拒绝：这个文件要求运行或构建 Python 对象（print），而不只是张量")
    assert error.endswith("请用 `torch.save(model.state_dict(), path)` 保存一个。")  # code, as code
    assert not english_words(error.replace("（print）", ""))  # the name the file asks for is quoted as it is


def test_an_oversize_run_is_refused_in_chinese(in_chinese):
    big = variant_from_json(
        '{"name": "大网络", "input": {"channels": 3, "height": 1000, "width": 1000},'
        ' "layers": [{"type": "conv", "out_channels": 128, "kernel": 3, "padding": 1}, {"type": "relu"}]}'
    )
    zh = _page("zh", big).run()
    assert not zh.exception
    (error,) = [html.unescape(e.value) for e in zh.error]
    assert error.startswith("未运行：这张图像在各层的输出合计") and "256 MiB" in error
    _assert_chinese(zh)


def test_the_missing_font_notice_only_in_chinese(monkeypatch):
    monkeypatch.setattr(explorer.figures_inside, "_cjk_font_path", lambda: None)
    zh, en = _ok(_page("zh").run()), _ok(_page("en").run())
    assert "服务器上没有中文字体，图片里的文字可能显示为方框：请在服务器上安装 `fonts-noto-cjk`。" in [
        c.value for c in zh.caption
    ]
    assert not [c for c in en.caption if "fonts-noto-cjk" in c.value]


def test_switching_language_redraws_words_and_runs_nothing_again(monkeypatch):
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    calls = []
    real = explorer.activations.capture

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(explorer.activations, "capture", counting)
    at = _ok(_page("en").run())
    english = [s.value for s in at.subheader]
    at.query_params["lang"] = "zh"
    _ok(at.run())  # (the widgets sent back are the English page's: formatted in English)
    assert [s.value for s in at.subheader] != english and has_chinese(at.subheader[1].value)
    _assert_chinese(at)
    assert len(calls) == 1  # the activations hold no words: the Chinese page reused them

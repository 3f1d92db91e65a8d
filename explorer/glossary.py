"""The terms, one place: what every Chinese catalog (explorer/locales/zh/) uses for each concept.

The words are the ones the Chinese sources use: d2l's 动手学深度学习 (which says 汇聚层 for
pooling), the AlexNet study notes and lectures. Technical tokens (conv1, ReLU, LRN, PyTorch, Caffe,
fc6) stay as they are in both languages. The Formula page shows this table as 术语表.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TERMS", "Term", "term"]


@dataclass(frozen=True)
class Term:
    key: str  # a stable id
    en: str
    zh: str
    note_en: str = ""
    note_zh: str = ""


TERMS: tuple[Term, ...] = (
    Term("conv", "convolutional layer (conv)", "卷积层"),
    Term("kernel", "kernel", "卷积核", "the window's size, k×k", "窗口大小 k×k"),
    Term("stride", "stride", "步幅", "also 步长", "也译作 步长"),
    Term("padding", "padding", "填充"),
    Term("dilation", "dilation", "膨胀", "also 空洞 (dilated/atrous convolution)", "也称 空洞卷积"),
    Term(
        "groups",
        "groups",
        "分组卷积",
        "the paper's split of the network over two GPUs",
        "论文中网络在双 GPU 上的拆分",
    ),
    Term("pooling", "pooling layer", "池化层", "d2l translates it as 汇聚层", "d2l 译作 汇聚层"),
    Term("overlapping_pooling", "overlapping pooling", "重叠池化", "window 3, stride 2", "窗口 3、步幅 2"),
    Term("feature_map", "feature map", "特征图"),
    Term("receptive_field", "receptive field", "感受野"),
    Term(
        "jump",
        "jump (cumulative stride)",
        "跳步（累计步长）",
        "input pixels between neighbouring outputs",
        "相邻输出在输入上相隔的像素数",
    ),
    Term("lrn", "local response normalization (LRN)", "局部响应归一化（LRN）"),
    Term("fc", "fully connected layer (fc)", "全连接层"),
    Term("params", "parameters", "参数量"),
    Term("macs", "multiply-accumulates (MACs)", "乘加运算（MACs）"),
    Term("memory", "activation memory", "激活内存"),
    Term("flatten", "flatten", "展平"),
    Term("dropout", "dropout", "丢弃法（dropout）"),
    Term("batchnorm", "batch normalization", "批量归一化"),
    Term("adaptive_pool", "adaptive average pooling", "自适应平均池化"),
    Term("channels", "channels", "通道数"),
    Term("output_size", "output size", "输出尺寸"),
    Term(
        "window",
        "window",
        "窗口",
        "the K×K patch a conv or pooling layer reads at one position",
        "卷积层或池化层在一个位置上读取的 K×K 区域",
    ),
    Term(
        "remainder",
        "remainder",
        "余数",
        "what (W + 2P − D·(K−1) − 1)/S leaves over: input a floor never reaches",
        "(W + 2P − D·(K−1) − 1)/S 除不尽剩下的部分：向下取整时够不到的输入",
    ),
    Term("floor", "rounding down (floor)", "向下取整（floor）", "PyTorch's default, ⌊ ⌋", "PyTorch 的默认做法，⌊ ⌋"),
    Term(
        "ceil",
        "rounding up (ceil_mode)",
        "向上取整（ceil_mode）",
        "pooling only in PyTorch; Caffe's pooling always rounds up",
        "PyTorch 中只有池化层可以；Caffe 的池化总是向上取整",
    ),
    Term("residual", "residual block", "残差块"),
    Term("shortcut", "shortcut", "捷径连接（shortcut）"),
    Term("augmentation", "data augmentation", "数据增广"),
)

_BY_KEY = {t.key: t for t in TERMS}


def term(key: str, lang: str) -> str:
    """The word for `key` in `lang` ('en' or 'zh'); KeyError for an unknown key."""
    t = _BY_KEY[key]
    return t.zh if lang == "zh" else t.en

"""What counts as "English left on a Chinese page": words of English outside the technical tokens.

Shared by the catalog tests (tests/test_i18n.py) and the per-page AppTests (tests/test_app_i18n.py).
"""

from __future__ import annotations

import html
import re

# Tokens that stay as they are in both languages (the issue: conv1, ReLU, LRN, PyTorch, Caffe, fc6…).
TECH_TOKENS = {
    w.lower()
    for w in """
    AlexNet VGG VGG-16 ResNet ResNet-18 ResNet-34 PyTorch torch torchvision torchinfo Caffe bvlc Keras d2l
    ReLU ReLU6 LRN MACs MAC GMACs FLOPs conv pool fc BN BatchNorm Dropout Linear Conv2d MaxPool2d AvgPool2d
    AdaptiveAvgPool2d LocalResponseNorm Flatten Sequential nn Tensor
    JSON CSV PNG SVG LaTeX Markdown PDF URL QR HTTP HTTPS ImageNet GPU GPUs CPU CUDA MPS Apple NVIDIA
    JPEG WebP BMP GIF EXIF Python pickle zip SHA SHA-256
    RGB R G B H W C N k n s p d x y id ID MiB KiB GiB MB KB GB kB Mi Ki M K ms px
    Streamlit Plotly matplotlib Netscope Netron Krizhevsky Sutskever Hinton Simonyan Zisserman He
    ceil floor max avg min mean std sum log ln relu softmax top top-1 top-5 lr tanh sigmoid
    English Language groups alpha beta
    paper-2012 paper-2012-224 paper-2012-227 keras-seed caffe-bvlc vgg16 resnet18 resnet34
    file http https www pth pt
    maxpool avgpool adaptiveavgpool residual
    TensorFlow cuda-convnet single-gpu blog-broken-flatten resnet-seed-identity-broken
    vgg16-seed-broken resnet34-conv3-dashed lenet-5 CaffeNet BasicBlock NIPS ICLR CVPR LeCun Bottou Bengio Haffner Zhang Ren Sun Fashion-MNIST MNIST
    """.split()
}

_CODE = re.compile(r"`[^`]*`")
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$]*\$", re.S)
_URL = re.compile(r"(?:https?|file)://\S+|www\.\S+|\S+\.(?:py|pth|json|csv|png|svg|tex|md|txt|jpg)\b")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_ENTITY = re.compile(r"&#\d+;|&[a-z]+;")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_'’\-]*")


def english_words(text: str) -> list[str]:
    """The English words in `text`, code spans, maths, links and technical tokens aside."""
    text = html.unescape(str(text))  # ui.md writes Markdown punctuation as &#NN;: read what is shown
    text = _PLACEHOLDER.sub(" ", text)  # a key's {name}: filled in with numbers or names
    text = _ENTITY.sub(" ", _URL.sub(" ", _MATH.sub(" ", _CODE.sub(" ", text))))
    found = []
    for word in _WORD.findall(text):
        bare = word.strip("'’-_")
        low = bare.lower()
        if len(bare) <= 2 or low in TECH_TOKENS:
            continue
        if any(ch.isdigit() for ch in bare) or "_" in bare:  # identifiers: conv1, fc6, drop7, inside_source
            continue
        if "-" in bare and all(
            part.lower() in TECH_TOKENS or len(part) <= 2 or any(c.isdigit() for c in part) for part in bare.split("-")
        ):
            continue
        found.append(bare)
    return found


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in str(text))

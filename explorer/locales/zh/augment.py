"""The paper's data augmentation (explorer/augment.py): 256 rescale, crops, reflections, PCA colour."""

MESSAGES = {
    "already {side}×{side}: used as it is": "已是 {side}×{side}：原样使用",
    "shorter side scaled to {side} ({w}×{h} → {rw}×{rh}, bilinear), then the central {side}×{side} (from ({x}, {y}))": (
        "短边缩放到 {side}（{w}×{h} → {rw}×{rh}，双线性插值），再取中央的 {side}×{side}（起点 ({x}, {y})）"
    ),
    "Random {size}×{size} crops of a {side}×{side} image and their mirror images: the paper counts "
    "({side} − {size})² · 2 = {d}² · 2 = {factor:,} per image. The offsets run from 0 to {d} on each "
    "axis, {n} values, so there are in fact {n}² · 2 = {distinct:,} different crops.": (
        "从 {side}×{side} 的图像中随机裁剪 {size}×{size} 的区域，再加上它们的水平镜像：论文算作每张图像 "
        "({side} − {size})² · 2 = {d}² · 2 = {factor:,} 个。每个方向上的偏移量从 0 到 {d}，共 {n} 个取值，"
        "所以实际上有 {n}² · 2 = {distinct:,} 种不同的裁剪。"
    ),
    "random crop at ({x}, {y})": "随机裁剪，起点 ({x}, {y})",
    "random crop at ({x}, {y}), mirrored": "随机裁剪，起点 ({x}, {y})，水平翻转",
    "top-left corner ({x}, {y})": "左上角 ({x}, {y})",
    "top-left corner ({x}, {y}), mirrored": "左上角 ({x}, {y})，水平翻转",
    "top-right corner ({x}, {y})": "右上角 ({x}, {y})",
    "top-right corner ({x}, {y}), mirrored": "右上角 ({x}, {y})，水平翻转",
    "bottom-left corner ({x}, {y})": "左下角 ({x}, {y})",
    "bottom-left corner ({x}, {y}), mirrored": "左下角 ({x}, {y})，水平翻转",
    "bottom-right corner ({x}, {y})": "右下角 ({x}, {y})",
    "bottom-right corner ({x}, {y}), mirrored": "右下角 ({x}, {y})，水平翻转",
    "centre ({x}, {y})": "中心 ({x}, {y})",
    "centre ({x}, {y}), mirrored": "中心 ({x}, {y})，水平翻转",
    "class {i}": "类别 {i}",
    "Eigenvalues λ = (0.2175, 0.0188, 0.0045) and eigenvectors p₁, p₂, p₃ of ImageNet's RGB covariance, "
    "for pixels in 0…1, from fb.resnet.torch (`datasets/imagenet.lua`, used by `Lighting` in "
    "`datasets/transforms.lua`); many PyTorch ports copy them. The 2012 paper computed them from its "
    "training set but did not print them.": (
        "ImageNet 图像 RGB 协方差矩阵的特征值 λ = (0.2175, 0.0188, 0.0045) 与特征向量 p₁、p₂、p₃"
        "（像素取值 0…1），取自 fb.resnet.torch（`datasets/imagenet.lua`，由 `datasets/transforms.lua` "
        "中的 `Lighting` 使用）；许多 PyTorch 移植版都沿用这组数值。2012 年的论文用自己的训练集算出了它们，"
        "但没有给出具体数值。"
    ),
    "PCA colour: α = ({a1}, {a2}, {a3}) adds R {r}, G {g}, B {b} to every pixel (0…1 scale); "
    "{pct:.1f}% of the values fell outside 0…1 and were clipped": (
        "PCA 颜色增强：α = ({a1}, {a2}, {a3})，给每个像素加上 R {r}、G {g}、B {b}（按 0…1 取值）；"
        "{pct:.1f}% 的值超出 0…1，已截断"
    ),
    "PCA colour: α = ({a1}, {a2}, {a3}) adds R {r}, G {g}, B {b} to every pixel (0…1 scale); nothing needed clipping": (
        "PCA 颜色增强：α = ({a1}, {a2}, {a3})，给每个像素加上 R {r}、G {g}、B {b}（按 0…1 取值）；没有值需要截断"
    ),
}

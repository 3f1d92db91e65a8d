"""The Inside page (pages/1_Inside.py) and what it shows: preprocessing and image errors
(explorer/images.py), weights and their messages (explorer/weights.py), the capture budget
(explorer/activations.py), the pictures (explorer/figures_inside.py) and device names (explorer/runtime.py)."""

MESSAGES = {
    # --- page: title, variant, weights -----------------------------------------------------------
    "A real image through the chosen variant: preprocessing, every layer's feature maps, the filters, the predictions.": (
        "让一张真实图像通过所选变体：预处理、每一层的特征图、卷积核和预测结果。"
    ),
    "This server has no Chinese font, so the words inside the pictures may show as boxes: install {package} on the server.": (
        "服务器上没有中文字体，图片里的文字可能显示为方框：请在服务器上安装 {package}。"
    ),
    "{name}: input {shape}": "{name}：输入 {shape}",
    "Weights": "权重",
    "random initialisation": "随机初始化",
    "ImageNet-trained (torchvision)": "ImageNet 预训练（torchvision）",
    "uploaded weights": "上传的权重",
    "; ": "；",
    "ImageNet weights were trained for torchvision's AlexNet and fit only a network with exactly its layer shapes. "
    "This variant differs: {differences}. Showing random initialisation.": (
        "ImageNet 权重是为 torchvision 的 AlexNet 训练的，只适用于各层形状与它完全相同的网络。"
        "这个变体不同：{differences}。现在显示的是随机初始化。"
    ),
    "Switch to the torchvision preset": "切换到 torchvision 预设",
    "Makes torchvision's AlexNet the current variant (on the Build page too).": (
        "把 torchvision 的 AlexNet 设为当前变体（“构建”页也会随之改变）。"
    ),
    "torchvision's {file} (233 MB), checked against its hash and kept on the server for everyone. "
    "If it cannot download, ask whoever runs the server.": (
        "torchvision 的 {file}（233 MB），下载后核对哈希值，并保存在服务器上供所有人使用。"
        "如果无法下载，请联系服务器管理员。"
    ),
    "Load ImageNet weights": "加载 ImageNet 权重",
    "Connecting…": "正在连接…",
    "{done:.0f} of {total:.0f} MB": "{done:.0f} / {total:.0f} MB",
    "{done:.0f} MB": "已下载 {done:.0f} MB",
    "Downloading {file}: {amount}": "正在下载 {file}：{amount}",
    "Downloaded and verified.": "已下载并校验。",
    "Showing random initialisation until the ImageNet weights are loaded.": "加载 ImageNet 权重之前，显示的是随机初始化。",
    "ImageNet weights: {path}": "ImageNet 权重：{path}",
    "Upload a state dict (.pth / .pt)": "上传 `state_dict`（.pth / .pt）",
    "Save one with torch.save(model.state_dict(), 'weights.pth'). Showing random initialisation.": (
        "可以用 `torch.save(model.state_dict(), 'weights.pth')` 保存一个。现在显示的是随机初始化。"
    ),
    "{file}: all {count} tensors match this variant.": "{file}：全部 {count} 个张量都与这个变体相符。",
    "{file} does not fit {variant}: {summary}.": "{file} 与 {variant} 不相符：{summary}。",
    "Load only the {count} matching tensors (the rest keep their random initialisation)": (
        "只加载相符的 {count} 个张量（其余保持随机初始化）"
    ),
    "{weights} (partial: {loaded} of {total} tensors)": "{weights}（部分加载：{total} 个张量中的 {loaded} 个）",
    "Showing random initialisation.": "现在显示的是随机初始化。",
    # --- preprocessing ---------------------------------------------------------------------------
    "1 · Preprocessing, step by step": "1 · 逐步预处理",
    "What the 2012 paper did instead": "2012 年的论文是怎么做的",
    "The 2012 paper did not divide by a standard deviation: it subtracted the mean activity over the training set "
    "from each pixel (a 256×256×3 mean image, per pixel and per colour), after resizing each image to 256×256 "
    "pixels. torchvision's ImageNet weights were trained with the per-channel mean/std used here.": (
        "2012 年的论文没有除以标准差：它先把每张图像缩放到 256×256 像素，再从每个像素减去训练集上的平均活动值"
        "（一张 256×256×3 的均值图像，逐像素、逐颜色）。torchvision 的 ImageNet 权重则是用这里的逐通道均值/标准差训练的。"
    ),
    "What normalising does to each colour plane (R, G, B before and after)": "标准化对每个颜色平面做了什么（R、G、B 的前后对比）",
    "Top: the values the crop holds (0…1). Bottom: after (x − mean) / std, all planes on one scale: "
    "each is now centred near 0 with a spread near 1.": (
        "上：裁剪后图像中的值（0…1）。下：经过 (x − mean) / std 之后，所有平面用同一色标："
        "每个平面现在都以 0 附近为中心，离散程度约为 1。"
    ),
    "{plane} before: mean {mean:.3f}, {low:.3f} … {high:.3f}": "{plane} 标准化前：均值 {mean:.3f}，范围 {low:.3f} … {high:.3f}",
    "{plane} after (− {subtract:g}, ÷ {divide:g}): mean {mean:.3f}, {low:.3f} … {high:.3f}": (
        "{plane} 标准化后（− {subtract:g}，÷ {divide:g}）：均值 {mean:.3f}，范围 {low:.3f} … {high:.3f}"
    ),
    "gray": "灰度",
    "channel {index}": "通道 {index}",
    "original": "原图",
    "the image as loaded (RGB)": "载入后的图像（RGB）",
    "resize shorter side to {target}": "短边缩放到 {target}",
    "bilinear; 256·{side}/224 = {exact:.2f} → {target}": "双线性插值；256·{side}/224 = {exact:.2f} → {target}",
    "centre crop {width}×{height}": "中心裁剪 {width}×{height}",
    "box left {left}, top {top}": "裁剪框左边 {left}，上边 {top}",
    "grayscale": "灰度",
    "this variant takes 1 channel: luma 0.299 R + 0.587 G + 0.114 B": (
        "这个变体只接受 1 个通道：亮度 0.299 R + 0.587 G + 0.114 B"
    ),
    "to tensor": "转为张量",
    "0…255 → 0…1, height×width×colour → colour×height×width": "0…255 → 0…1，高×宽×颜色 → 颜色×高×宽",
    "normalise": "标准化",
    "(x − mean) / std, mean ({mean_values}), std ({std_values}); shown rescaled to 0…255": (
        "(x − 均值) / 标准差，均值 ({mean_values})，标准差 ({std_values})；显示时重新缩放到 0…255"
    ),
    "{note}; shown at {width}×{height}": "{note}；按 {width}×{height} 显示",
    # --- patterns --------------------------------------------------------------------------------
    "stripes 0°": "条纹 0°",
    "stripes 45°": "条纹 45°",
    "stripes 90°": "条纹 90°",
    "stripes 135°": "条纹 135°",
    "checkerboard": "棋盘格",
    "colour bars": "彩条",
    "single edge": "单条边缘",
    # --- the sample photos (file names in assets/samples) -----------------------------------------
    "astronaut": "宇航员",
    "cat": "猫",
    "coffee": "咖啡",
    "rocket": "火箭",
    # --- image errors and notes ------------------------------------------------------------------
    "{name} is empty (0 bytes): choose the image file again.": "{name} 是空文件（0 字节）：请重新选择图像文件。",
    "{name} is {size}, over the {limit} limit for images: save it smaller or as JPEG.": (
        "{name} 有 {size}，超过了图像 {limit} 的上限：请保存得小一些，或存为 JPEG。"
    ),
    "{megapixels:,.0f} megapixels": "{megapixels:,.0f} 百万像素",
    "too many pixels": "过多的像素",
    "{name} declares {declared}, over the {limit:.0f}-megapixel limit; refused before decoding "
    "(a decompression bomb?): use a smaller image.": (
        "{name} 声明了 {declared}，超过 {limit:.0f} 百万像素的上限；已在解码前拒绝（可能是解压炸弹）：请换一张小一些的图像。"
    ),
    "{name} declares {width:,}×{height:,} = {megapixels:,.0f} megapixels, over the {limit:.0f}-megapixel limit; "
    "refused before decoding (a decompression bomb?): use a smaller image.": (
        "{name} 声明了 {width:,}×{height:,} = {megapixels:,.0f} 百万像素，超过 {limit:.0f} 百万像素的上限；"
        "已在解码前拒绝（可能是解压炸弹）：请换一张小一些的图像。"
    ),
    "{name} is not an image: {why}. Use a PNG, JPEG, WebP, BMP or GIF file.": (
        "{name} 不是图像：{why}。请使用 PNG、JPEG、WebP、BMP 或 GIF 文件。"
    ),
    "it looks like a PyTorch / pickle file": "它看起来是 PyTorch / pickle 文件",
    "it is a PDF": "它是 PDF 文件",
    "its contents are not a known image format": "其内容不是已知的图像格式",
    "it contains text, not image data (was a file renamed to an image extension?)": (
        "其中是文本而不是图像数据（是不是把别的文件改成了图像扩展名？）"
    ),
    "{name} could not be read as an image ({detail}): try another file.": "{name} 无法作为图像读取（{detail}）：请换一个文件。",
    "{name} is a {file_format} file; this page reads PNG, JPEG, WebP, BMP and GIF: convert it first.": (
        "{name} 是 {file_format} 文件；本页只读取 PNG、JPEG、WebP、BMP 和 GIF：请先转换格式。"
    ),
    "{name} is {width:,}×{height:,} pixels, a {ratio:,.0f}:1 strip; images up to {limit}:1 can be used: "
    "crop it closer to square and try again.": (
        "{name} 为 {width:,}×{height:,} 像素，是 {ratio:,.0f}:1 的长条；只能使用长宽比不超过 {limit}:1 的图像："
        "请裁剪得更接近正方形后再试。"
    ),
    "the image": "该图像",
    "animated GIF: using the first of {frames} frames": "GIF 动图：使用 {frames} 帧中的第一帧",
    "{name} expands to too many pixels; refused: use a smaller image.": "{name} 解码后像素过多，已拒绝：请换一张小一些的图像。",
    "{name} is damaged or truncated ({detail}): re-export it or choose another file.": (
        "{name} 已损坏或不完整（{detail}）：请重新导出，或换一个文件。"
    ),
    "rotated upright from its EXIF orientation": "已按 EXIF 方向信息转正",
    "downscaled from {width}×{height} to {new_width}×{new_height}": "已从 {width}×{height} 缩小到 {new_width}×{new_height}",
    "converted from mode {mode} to RGB": "已从 {mode} 模式转换为 RGB",
    "no sample called {name!r}; choose one of {choices}": "没有名为 {name!r} 的示例；请从以下选择：{choices}",
    "no pattern called {name!r}; choose one of {choices}": "没有名为 {name!r} 的图案；请从以下选择：{choices}",
    "a pattern is 1 to {limit} pixels wide, not {size}: pick a size in that range.": (
        "图案的宽度为 1 到 {limit} 像素，不能是 {size}：请在此范围内选择。"
    ),
    "the image is {width:,}×{height:,} pixels, over the {limit:.0f}-megapixel limit: use a smaller image.": (
        "该图像为 {width:,}×{height:,} 像素，超过 {limit:.0f} 百万像素的上限：请换一张小一些的图像。"
    ),
    "resizing the {width:,}×{height:,} image so its shorter side is {target:,} would make "
    "{new_width:,}×{new_height:,} = {megapixels:,.0f} megapixels, over the {limit:.0f}-megapixel limit: "
    "use a squarer image or a smaller input size.": (
        "把 {width:,}×{height:,} 的图像缩放到短边为 {target:,}，会得到 {new_width:,}×{new_height:,} = "
        "{megapixels:,.0f} 百万像素，超过 {limit:.0f} 百万像素的上限：请换一张更接近正方形的图像，或用更小的输入尺寸。"
    ),
    # --- forward pass ----------------------------------------------------------------------------
    "Running the forward pass (waiting for a free slot if other students are running theirs)…": (
        "正在进行前向传播（如果其他同学也在运行，会等待空闲名额）…"
    ),
    "The server is busy: no forward-pass slot freed up within {seconds:.0f} s. Try again in a moment.": (
        "服务器正忙：{seconds:.0f} 秒内没有空出前向传播的名额。请稍后再试。"
    ),
    "{image} · forward pass on **{device}** took **{ms:.0f} ms** (this machine's best device: {best}); "
    "changing the layer or channel reuses it.": (
        "{image} · 在 **{device}** 上前向传播用时 **{ms:.0f} ms**（本机最好的设备：{best}）；切换层或通道时会直接复用这次结果。"
    ),
    "Not run: every layer's output for this image adds up to {kept} (the largest, {largest}), "
    "over the {limit} one run may keep: use a smaller input or fewer channels.": (
        "未运行：这张图像在各层的输出合计 {kept}（最大的是 {largest}），超过了一次运行可保留的 {limit}："
        "请使用更小的输入或更少的通道数。"
    ),
    "Not run: one forward pass is {billions:,.1f} billion multiply-adds, over the {limit:,.0f} billion "
    "one run may take (torchvision's AlexNet is 0.7): use a smaller input or fewer channels.": (
        "未运行：一次前向传播需要 {billions:,.1f} × 10⁹ 次乘加运算，超过了一次运行允许的 {limit:,.0f} × 10⁹ 次"
        "（torchvision 的 AlexNet 为 0.7 × 10⁹ 次）：请使用更小的输入或更少的通道数。"
    ),
    "CPU ({n} threads)": "CPU（{n} 个线程）",
    "GPU ({gpu_name})": "GPU（{gpu_name}）",
    "Apple GPU (MPS)": "Apple GPU（MPS）",
    # --- feature maps ----------------------------------------------------------------------------
    "2 · Feature maps": "2 · 特征图",
    "This variant has no convolutional feature maps to show.": "这个变体没有可显示的卷积特征图。",
    "Layer": "层",
    "Show": "显示",
    "all channels": "全部通道",
    "top-k by mean activation": "平均激活值最高的 k 个",
    "top {k} by mean activation": "平均激活值最高的 {k} 个",
    "The add in {block}: body + shortcut = output (channel {channel})": (
        "{block} 中的相加：主路径 + 捷径连接 = 输出（通道 {channel}）"
    ),
    "body: {layers}": "主路径：{layers}",
    "+ shortcut: {what}": "+ 捷径连接：{what}",
    "the input (identity)": "输入本身（恒等映射）",
    "1×1 conv + batchnorm": "1×1 卷积 + 批量归一化",
    "= {block}'s output": "= {block} 的输出",
    "**One channel, and where it looks**": "**单个通道，以及它看向哪里**",
    "Channel": "通道",
    "Row": "行",
    "Column": "列",
    "{layer}, channel {channel} ({height}×{width}); value at ({y}, {x}) = {value:.4g}": (
        "{layer}，通道 {channel}（{height}×{width}）；位置 ({y}, {x}) 的值 = {value:.4g}"
    ),
    "receptive field of ({y}, {x}): {height}×{width} input pixels, rows {top}–{bottom}, columns {left}–{right}": (
        "({y}, {x}) 的感受野：{height}×{width} 个输入像素，第 {top}–{bottom} 行，第 {left}–{right} 列"
    ),
    "{window}, clipped at the border": "{window}，在边界处被截断",
    "3 · Every layer at a glance": "3 · 各层一览",
    "Each layer's most active channel, drawn at the same size: the blocks get coarser as the resolution shrinks.": (
        "每一层中最活跃的通道，按相同大小绘制：分辨率越低，方块越粗。"
    ),
    # --- filters, predictions --------------------------------------------------------------------
    "4 · First-layer filters — {weights}": "4 · 第一层卷积核 — {weights}",
    "This variant has no convolution.": "这个变体没有卷积层。",
    "mean over inputs": "各输入通道的平均",
    "{count} filters of {kernel}×{kernel}×{channels} ({kind}), each scaled to its own range.": (
        "{count} 个 {kernel}×{kernel}×{channels} 的卷积核（{kind}），各自按自身的取值范围缩放。"
    ),
    "{count} filters of {kernel}×{kernel}×{channels} ({kind}), each scaled to its own range; split into "
    "{towers} towers as on the paper's two GPUs (Figure 3).": (
        "{count} 个 {kernel}×{kernel}×{channels} 的卷积核（{kind}），各自按自身的取值范围缩放；"
        "像论文中的两块 GPU 那样分成 {towers} 组（图 3）。"
    ),
    "5 · Top-5 predictions": "5 · top-5 预测结果",
    "With random weights the class scores mean nothing (and the classifier is not even built here): "
    "choose the torchvision preset and load the ImageNet weights to see real predictions.": (
        "用随机权重时，类别分数毫无意义（这里甚至没有构建分类器）：选择 torchvision 预设并加载 ImageNet 权重，"
        "才能看到真正的预测。"
    ),
    "With random or non-ImageNet weights the class scores mean nothing: choose the torchvision preset "
    "and load the ImageNet weights to see real predictions.": (
        "用随机权重或非 ImageNet 权重时，类别分数毫无意义：选择 torchvision 预设并加载 ImageNet 权重，才能看到真正的预测。"
    ),
    "Class names assume the uploaded weights use ImageNet's class order.": "类别名称假定上传的权重采用 ImageNet 的类别顺序。",
    "Top-5 predictions": "top-5 预测结果",
    "probability (%)": "概率（%）",
    # --- LRN -------------------------------------------------------------------------------------
    "6 · Local response normalisation made visible": "6 · 看得见的局部响应归一化（LRN）",
    "LRN layer": "LRN 层",
    "LRN channel": "LRN 通道",
    "{before} → {after}, channel {channel} ({shape})": "{before} → {after}，通道 {channel}（{shape}）",
    "after ÷ before is ×{low:.4f} to ×{high:.4f} (mean ×{mean:.4f}; a spread of {spread:.2f}%): close to the "
    "constant k^−β = {constant:.4f} (the factor for activations too small to matter in the neighbours' sum).": (
        "LRN 后 ÷ LRN 前 的比值在 ×{low:.4f} 到 ×{high:.4f} 之间（平均 ×{mean:.4f}；相差 {spread:.2f}%）："
        "接近常数 k^−β = {constant:.4f}（激活值太小、在相邻通道平方和中可以忽略时得到的就是这个因子）。"
    ),
    "after ÷ before runs from ×{low:.4f} to ×{high:.4f} (mean ×{mean:.4f}): strong activations are damped "
    "more than weak ones (weak ones get about k^−β = {constant:.4f}).": (
        "LRN 后 ÷ LRN 前 的比值从 ×{low:.4f} 到 ×{high:.4f}（平均 ×{mean:.4f}）：强激活被压得比弱激活更多"
        "（弱激活大约乘以 k^−β = {constant:.4f}）。"
    ),
    "each channel sums itself and {half} neighbours either side": "每个通道对自身及两侧各 {half} 个相邻通道求和",
    "PyTorch's nn.LocalResponseNorm computes k + (alpha / n)·Σa², dividing alpha by the window size n. "
    "To get the paper's α = {alpha:g} with n = {size}, this app passes alpha = α·n = {torch_alpha:g}: "
    "`nn.LocalResponseNorm(size={size}, alpha={torch_alpha:g}, beta={beta:g}, k={k:g})`.": (
        "PyTorch 的 nn.LocalResponseNorm 计算的是 k + (alpha / n)·Σa²，即把 alpha 除以窗口大小 n。"
        "为了得到论文中 n = {size} 时的 α = {alpha:g}，本应用传入 alpha = α·n = {torch_alpha:g}："
        "`nn.LocalResponseNorm(size={size}, alpha={torch_alpha:g}, beta={beta:g}, k={k:g})`。"
    ),
    # --- words drawn into the pictures -----------------------------------------------------------
    "activation value": "激活值",
    "activation (one scale for every tile)": "激活值（所有小图共用一个色标）",
    "input": "输入",
    "GPU {tower}: filters {first}–{last}": "GPU {tower}：卷积核 {first}–{last}",
    "{count} filters": "{count} 个卷积核",
    "before LRN": "LRN 前",
    "after LRN (same scale)": "LRN 后（同一色标）",
    "after ÷ before (scale 0–1)": "LRN 后 ÷ LRN 前（色标 0–1）",
    "after ÷ before": "LRN 后 ÷ LRN 前",
    # --- weights: download -----------------------------------------------------------------------
    "the weights URL {url!r} cannot be used ({why}): set ALEXNET_WEIGHTS_URL to "
    "https://host/alexnet-owt-7be5be79.pth, http://…, file:///absolute/path/alexnet-owt-7be5be79.pth, "
    "or an absolute path (read as file://).": (
        "权重网址 {url!r} 无法使用（{why}）：请把 ALEXNET_WEIGHTS_URL 设为 https://host/alexnet-owt-7be5be79.pth、"
        "http://…、file:///absolute/path/alexnet-owt-7be5be79.pth，或一个绝对路径（按 file:// 读取）。"
    ),
    "it is empty": "它是空的",
    "it contains control characters": "其中含有控制字符",
    "it contains spaces: write them as %20": "其中含有空格：请写成 %20",
    "it is malformed: {error}": "格式有误：{error}",
    "it has no host name": "缺少主机名",
    "a file:// URL must name a file on this machine: file:///absolute/path": (
        "file:// 网址必须指向本机上的文件：file:///absolute/path"
    ),
    "a file:// URL needs an absolute path": "file:// 网址需要绝对路径",
    "{scheme}:// is not supported": "不支持 {scheme}://",
    "it is a relative path, not a URL": "这是相对路径，不是网址",
    "cannot read {path} ({error}): check ALEXNET_WEIGHTS_URL, or copy {name} into {directory}.": (
        "无法读取 {path}（{error}）：请检查 ALEXNET_WEIGHTS_URL，或把 {name} 复制到 {directory}。"
    ),
    "a folder": "文件夹",
    "a pipe": "管道",
    "not a regular file": "非普通文件",
    "{path} is {kind}, not a weights file: point ALEXNET_WEIGHTS_URL at the .pth file itself.": (
        "{path} 不是权重文件（它是{kind}）：请让 ALEXNET_WEIGHTS_URL 指向 .pth 文件本身。"
    ),
    "{name} is {megabytes:.0f} MB, more than AlexNet's weights could be.": (
        "{name} 有 {megabytes:.0f} MB，比 AlexNet 的权重可能有的大小还大。"
    ),
    "{name} is over {megabytes:.0f} MB; stopped the download.": "{name} 超过 {megabytes:.0f} MB；已停止下载。",
    "the server answered {code} {reason} for {url}: check the URL.": "服务器对 {url} 的回应是 {code} {reason}：请检查网址。",
    "could not download {name}: no connection ({reason}). If this machine is offline, copy {name} into "
    "{directory} and try again.": (
        "无法下载 {name}：没有网络连接（{reason}）。如果这台机器不能上网，请把 {name} 复制到 {directory} 后再试。"
    ),
    "the download of {name} timed out after {megabytes:.0f} MB: try again.": (
        "下载 {name} 在 {megabytes:.0f} MB 时超时：请再试一次。"
    ),
    "the download of {name} failed after {megabytes:.0f} MB ({detail}): check the disk space and the "
    "connection, then try again.": (
        "下载 {name} 在 {megabytes:.0f} MB 后失败（{detail}）：请检查磁盘空间和网络连接，然后再试。"
    ),
    "{name!r} has no hash prefix in its name (like alexnet-owt-7be5be79.pth), so it cannot be verified: "
    "use a torch-hub style URL.": (
        "{name!r} 的文件名里没有哈希前缀（例如 alexnet-owt-7be5be79.pth），因此无法校验：请使用 `torch.hub` 格式的网址。"
    ),
    "cannot write to the weights cache {directory} ({error}): set TORCH_HOME to a writable folder.": (
        "无法写入权重缓存 {directory}（{error}）：请把 TORCH_HOME 设为一个可写的文件夹。"
    ),
    "the download of {name} took longer than {deadline:.0f} s ({megabytes:.0f} MB arrived): the server is too "
    "slow or stalled. Try again later, or copy {name} into {directory}.": (
        "下载 {name} 超过了 {deadline:.0f} 秒（已收到 {megabytes:.0f} MB）：服务器太慢或已停滞。"
        "请稍后再试，或把 {name} 复制到 {directory}。"
    ),
    "the download of {name} stopped at {done:,} of {total:,} bytes: try again.": (
        "下载 {name} 停在了 {total:,} 字节中的 {done:,} 字节：请再试一次。"
    ),
    "{name} is corrupt: its SHA-256 starts {actual}, not {expected}. The copy was discarded; try again.": (
        "{name} 已损坏：它的 SHA-256 以 {actual} 开头，而不是 {expected}。这份副本已丢弃；请再试一次。"
    ),
    # --- weights: loading ------------------------------------------------------------------------
    "save the weights again with torch.save(model.state_dict(), path).": (
        "请用 `torch.save(model.state_dict(), path)` 重新保存权重。"
    ),
    "the weights file is empty (0 bytes): choose the .pth file again.": "权重文件是空的（0 字节）：请重新选择 .pth 文件。",
    "not a PyTorch weights file ({error}: a damaged zip archive): {fix}": "不是 PyTorch 权重文件（{error}：zip 压缩包已损坏）：{fix}",
    "refused: the file holds {count:,} entries, not a state dict; {fix}": "已拒绝：文件里有 {count:,} 个条目，不是 `state_dict`；{fix}",
    "not a PyTorch weights file (no data.pkl in the archive): upload a .pth/.pt saved with "
    "torch.save(model.state_dict(), path).": (
        "不是 PyTorch 权重文件（压缩包中没有 `data.pkl`）：请上传用 `torch.save(model.state_dict(), path)` 保存的 .pth/.pt 文件。"
    ),
    "refused: {entry} in the file is compressed and unpacks to {size} from {compressed}, more than the {limit} "
    "allowed (a zip bomb?): {fix}": (
        "已拒绝：文件中的 {entry} 经过压缩，会从 {compressed} 解压成 {size}，超过了允许的 {limit}（可能是 zip 炸弹）：{fix}"
    ),
    "refused: the file declares {declared} of tensor data, more than the {limit} this page loads (the largest "
    "preset, {preset}, needs {preset_size}): upload the weights of a variant no bigger than {preset}.": (
        "已拒绝：文件声明了 {declared} 的张量数据，超过本页可加载的 {limit}（最大的预设 {preset} 需要 {preset_size}）："
        "请上传不大于 {preset} 的变体的权重。"
    ),
    "refused: the tensor data {key!r} is missing from the file (damaged?): {fix}": (
        "已拒绝：文件中缺少张量数据 {key!r}（可能已损坏）：{fix}"
    ),
    "refused: the tensor data {key!r} should hold {expected:,} bytes but the file declares {declared:,} "
    "(damaged or crafted): {fix}": (
        "已拒绝：张量数据 {key!r} 应有 {expected:,} 字节，但文件声明的是 {declared:,}（已损坏或被人为构造）：{fix}"
    ),
    "refused: the file declares {declared:,} bytes of tensor data but holds only {held:,} more "
    "(damaged or crafted): {fix}": (
        "已拒绝：文件声明了 {declared:,} 字节的张量数据，但后面只剩 {held:,} 字节（已损坏或被人为构造）：{fix}"
    ),
    "refused: the file is {size}, more than the {limit} this page loads (the largest preset, {preset}, is "
    "{preset_size}): upload the weights of a variant no bigger than {preset}.": (
        "已拒绝：文件有 {size}，超过本页可加载的 {limit}（最大的预设 {preset} 为 {preset_size}）："
        "请上传不大于 {preset} 的变体的权重。"
    ),
    "cannot read {path} ({error}): choose the .pth file again.": "无法读取 {path}（{error}）：请重新选择 .pth 文件。",
    "{path} is not a regular file: choose the .pth file itself.": "{path} 不是普通文件：请选择 .pth 文件本身。",
    "refused: the file asks to run or build Python objects ({names}), not just tensors; only plain state dicts "
    "are loaded, for safety. Save one with torch.save(model.state_dict(), path).": (
        "已拒绝：这个文件要求运行或构建 Python 对象（{names}），而不只是张量；为了安全，只加载普通的 `state_dict`。"
        "请用 `torch.save(model.state_dict(), path)` 保存一个。"
    ),
    "refused: the file is a pickle that PyTorch's safe loader will not read (not a plain state dict); save one "
    "with torch.save(model.state_dict(), path).": (
        "已拒绝：这个文件是 PyTorch 安全加载器不肯读取的 pickle（不是普通的 `state_dict`）；"
        "请用 `torch.save(model.state_dict(), path)` 保存一个。"
    ),
    "not a PyTorch weights file ({error}): upload a .pth/.pt saved with torch.save(model.state_dict(), path).": (
        "不是 PyTorch 权重文件（{error}）：请上传用 `torch.save(model.state_dict(), path)` 保存的 .pth/.pt 文件。"
    ),
    "nothing": "空内容",
    "the file holds {held}, not a state dict of tensors: save it with torch.save(model.state_dict(), path).": (
        "文件里是 {held}，不是由张量组成的 `state_dict`：请用 `torch.save(model.state_dict(), path)` 保存。"
    ),
    "the state dict has {count} entries that are not tensors (first: {first!r}): save model.state_dict().": (
        "`state_dict` 中有 {count} 个条目不是张量（第一个：{first!r}）：请保存 `model.state_dict()`。"
    ),
    # --- weights: matching -----------------------------------------------------------------------
    "the variant is invalid, so it cannot be built": "这个变体无效，无法构建",
    "no such tensor": "没有这个张量",
    "`{key}` is {mine} here but {theirs} in torchvision": "`{key}` 在这里是 {mine}，在 torchvision 中是 {theirs}",
    "{kind}, not a tensor": "{kind}，不是张量",
    "sparse tensor": "稀疏张量",
    "{layout} layout, not dense": "{layout} 布局，不是稠密张量",
    "quantized tensor": "量化张量",
    "no data (meta tensor)": "没有数据（`meta` 张量）",
    "{dtype} dtype, not floating point": "{dtype} 类型，不是浮点数",
    "{dtype} dtype, not {wanted}": "{dtype} 类型，不是 {wanted}",
    "key": "键名",
    "status": "状态",
    "model": "模型中的形状",
    "file": "文件中的形状",
    "ok": "相符",
    "missing": "缺失",
    "unexpected": "多余",
    "shape mismatch": "形状不符",
    "unusable": "无法使用",
    "{status}: {reason}": "{status}：{reason}",
    "{list_head}, {list_tail}": "{list_head}；{list_tail}",  # the reasons hold commas themselves
    "{ok} of {total} tensors match; {missing} missing, {unexpected} unexpected, {wrong} with the wrong shape": (
        "{total} 个张量中有 {ok} 个相符；{missing} 个缺失，{unexpected} 个多余，{wrong} 个形状不对"
    ),
    "{summary}, {count} unusable ({reasons})": "{summary}，{count} 个无法使用（{reasons}）",
    "no tensor in the file matches this variant ({summary}): nothing to load.": (
        "文件中没有与这个变体相符的张量（{summary}）：没有可加载的内容。"
    ),
    "the weights do not fit this variant ({summary}): pick the matching variant, or load only the matching tensors.": (
        "这些权重与这个变体不相符（{summary}）：请选择相符的变体，或只加载相符的张量。"
    ),
}

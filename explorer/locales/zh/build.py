"""The Build page (app.py, ui/build_state.py) and what it shows: the diagram and the params/MACs
chart (explorer/figures.py), the table and CSV headers (explorer/export.py), the 224→227 story
(explorer/story.py), the stages and architecture notes (explorer/stages.py), fonts (explorer/fonts.py)."""

MESSAGES = {
    # --- tabs, title, caption --------------------------------------------------------------------
    "Layers": "逐层数据",
    "Diagram": "结构图",
    "Parameters & compute": "参数量与计算量",
    "Forward pass": "前向传播",
    "Share & export": "分享与导出",
    "AlexNet Explorer": "AlexNet 探索器",
    "Variant **{name}** · input {shape} · {n} layers · changes are shown against the preset **{base}**": (
        "变体 **{name}** · 输入 {shape} · 共 {n} 层 · 改动均相对于预设 **{base}** 显示"
    ),
    "Variant **{name}** (modified) · input {shape} · {n} layers · changes are shown against the preset **{base}**": (
        "变体 **{name}**（已修改）· 输入 {shape} · 共 {n} 层 · 改动均相对于预设 **{base}** 显示"
    ),
    # --- sidebar ---------------------------------------------------------------------------------
    "{name} — {n:,} params": "{name} — 参数量 {n:,}",
    "{name} — invalid (a lesson)": "{name} — 无效（反面教材）",
    "Preset": "预设",
    "Reset to preset": "恢复为预设",
    "Input": "输入",
    "1 (grayscale)": "1（灰度）",
    "3 (RGB)": "3（RGB）",
    "This variant has layers the sliders do not cover (e.g. batchnorm in the classifier). "
    "Edit it as JSON below, or pick a preset.": (
        "这个变体含有滑块无法调节的层（例如分类器中的批量归一化）。请在下方以 JSON 编辑，或选择一个预设。"
    ),
    "Convolution blocks": "卷积块",
    "Edit block": "编辑哪个块",
    "One block's controls at a time keeps every slider move fast for a whole class.": (
        "每次只显示一个块的控件，全班同时拖动滑块时页面依然流畅。"
    ),
    "No convolution yet: this variant starts with its classifier.": "还没有卷积层：这个变体直接从分类器开始。",
    "＋ Add conv block": "＋ 添加卷积块",
    "✕ Remove {name}": "✕ 删除 {name}",
    "The only block cannot be removed.": "唯一的块不能删除。",
    "Take {name} out of the network": "把 {name} 从网络中移除",
    "groups = 2: the paper's two-GPU split": "分组数 = 2：论文中的双 GPU 拆分",
    "LRN k, n, α, β": "LRN 参数 k、n、α、β",
    "**{name}** · output = body(x) + shortcut(x)": "**{name}** · 输出 = 主路径(x) + 捷径(x)",
    "Other details of the block (kernel sizes, batchnorm): Edit as JSON below.": (
        "块的其他细节（卷积核大小、批量归一化）：请在下方“以 JSON 编辑”中修改。"
    ),
    "{name} · {kinds} · {channels} channels, stride {stride} · {shortcut}": (
        "{name} · {kinds} · {channels} 个通道，步幅 {stride} · {shortcut}"
    ),
    "1×1 conv shortcut (dashed)": "1×1 卷积捷径连接（虚线）",
    "identity shortcut (solid)": "恒等捷径连接（实线）",
    "Classifier": "分类器",
    "adaptive average pool at the end": "末尾加自适应平均池化",
    "fc{n} width": "fc{n} 宽度",
    "Edit as JSON": "以 JSON 编辑",
    "Paste a config (the format the download gives) and apply it. Bad JSON keeps the current variant.": (
        "粘贴一份配置（格式与下载得到的相同）并应用。JSON 有误时保留当前变体。"
    ),
    "config JSON": "配置 JSON",
    "Apply JSON": "应用 JSON",
    "Load current": "载入当前变体",
    "🔗 {notice} Showing the default variant instead.": "🔗 {notice} 改为显示默认变体。",
    # --- ui/build_state.py: the fields ---------------------------------------------------------
    "out channels": "输出通道数",
    "kernel": "卷积核",
    "stride": "步幅",
    "padding": "填充",
    "groups": "分组数",
    "activation": "激活函数",
    "batchnorm": "批量归一化",
    "LRN after it": "其后接 LRN",
    "Local response normalisation, as in the 2012 paper": "局部响应归一化（LRN），与 2012 年论文相同",
    "n (window size)": "n（窗口大小）",
    "α (paper's, not divided by n)": "α（论文中的值，未除以 n）",
    "pooling after it": "其后的池化层",
    "none": "无",
    "max": "最大池化（max）",
    "avg": "平均池化（avg）",
    "pool kernel": "池化窗口",
    "pool stride": "池化步幅",
    "3/2 overlaps (the paper); 2/2 does not": "3/2 为重叠池化（论文做法）；2/2 不重叠",
    "pool padding": "池化填充",
    "ceil mode": "向上取整（ceil）",
    "round up, as Caffe's pooling does": "像 Caffe 的池化层那样向上取整",
    "2 = the 2012 paper's split across two GPUs: each half of the filters sees only its own GPU's "
    "half of the input channels, halving the weights.": (
        "2 = 2012 年论文的双 GPU 拆分：每一半卷积核只看到自己那块 GPU 上的一半输入通道，权重因此减半。"
    ),
    "out channels (every conv of the block)": "输出通道数（块内每个卷积层）",
    "stride (first conv, and the shortcut)": "步幅（第一个卷积层和捷径连接）",
    "projection shortcut (1×1 conv + batchnorm; ResNet's dashed line)": (
        "投影捷径连接（1×1 卷积 + 批量归一化；ResNet 图中的虚线）"
    ),
    "Off: the identity (solid line), which needs the body to keep the shape": (
        "关闭时为恒等连接（实线），要求主路径保持形状不变"
    ),
    "activation after the add": "相加之后的激活函数",
    "height": "高度",
    "width": "宽度",
    "channels": "通道数",
    "classifier (flatten + fully connected layers)": "分类器（展平 + 全连接层）",
    "adaptive average pool before flatten": "展平前加自适应平均池化",
    "adaptive pool output size": "自适应池化输出尺寸",
    "hidden fully connected layers": "隐藏全连接层数",
    "dropout": "丢弃法（dropout）",
    "dropout p": "丢弃概率 p",
    "classes": "类别数",
    # --- metrics -----------------------------------------------------------------------------------
    "Parameters": "参数量",
    "MACs per image": "每张图像的乘加运算（MACs）",
    "Activation memory": "激活内存",
    "Output shape": "输出形状",
    "The variant is invalid, so this total does not exist: fix the layer named in the red box.": (
        "这个变体无效，所以这个总数不存在：请修改红框中指出的那一层。"
    ),
    "{size} as fp32; change against the preset": "按 fp32 计为 {size}；变化量相对于预设",
    "{n:,} multiply-accumulates (conv and linear)": "{n:,} 次乘加运算（卷积层和全连接层）",
    "fp32, batch 1, input included": "fp32，批量大小 1，含输入",
    "was {shape}": "原为 {shape}",
    # --- the story and notices ---------------------------------------------------------------------
    "**{name}** ({h}×{w} input): `{formula}`": "**{name}**（输入 {h}×{w}）：`{formula}`",
    "At {size}: {chain}": "输入 {size} 时：{chain}",
    "flatten {n:,}": "展平 {n:,}",
    "So this variant has **{n:,} fewer** parameters at {size} than at {other}.": (
        "所以这个变体在 {size} 时的参数量比 {other} 时**少 {n:,}** 个。"
    ),
    "So this variant has **{n:,} more** parameters at {size} than at {other}.": (
        "所以这个变体在 {size} 时的参数量比 {other} 时**多 {n:,}** 个。"
    ),
    "try {size} →": "试试 {size} →",
    "← back to {size}": "← 回到 {size}",
    "Same variant, the other input size: see which numbers change.": "同一个变体换成另一种输入尺寸：看看哪些数字会变。",
    "**{name}** receives {h}×{w} maps but outputs {oh}×{ow}: the adaptive average pool *repeats* "
    "values to fill them. The next layer sees {features:,} features, but only {distinct:,} "
    "distinct numbers: the grid is upsampled, not new information.": (
        "**{name}** 收到 {h}×{w} 的特征图却输出 {oh}×{ow}：自适应平均池化靠*重复*数值把它填满。"
        "下一层看到 {features:,} 个特征，但其中只有 {distinct:,} 个不同的数：网格只是被上采样了，并没有新信息。"
    ),
    # --- the layer table ---------------------------------------------------------------------------
    "layer": "层",
    "type": "类型",
    "output": "输出",
    "params": "参数量",
    "% params": "参数占比 %",
    "% MACs": "MACs 占比 %",
    "memory (KiB)": "内存（KiB）",
    "receptive field": "感受野",
    "jump": "跳步（累计步长）",
    "changed": "改动",
    "● new": "● 新增",
    "invalid": "无效",
    "Multiply-accumulates for one image: each is one multiplication and one addition": (
        "处理一张图像的乘加运算次数：每次包含一次乘法和一次加法"
    ),
    "How many input pixels (per side) one output value of this layer can see": (
        "这一层的一个输出值能看到多少个输入像素（每边）"
    ),
    "Input pixels between two neighbouring outputs of this layer (the product of all strides so far)": (
        "这一层相邻两个输出在输入上相隔的像素数（到此为止所有步幅的乘积）"
    ),
    "This layer's output, fp32, batch 1": "这一层的输出，fp32，批量大小 1",
    "The cells of this row that differ from the preset you started from": "这一行中与起始预设不同的单元格",
    "The “changed” column names the cells that differ from the preset **{name}**.": (
        "“改动”列列出了与预设 **{name}** 不同的单元格。"
    ),
    "**Output size, worked out** — PyTorch's convention {formula}, P per side "
    "(⌈…⌉ in ceil mode; a last window starting in the padding is dropped).": (
        "**输出尺寸的计算过程** — 采用 PyTorch 的约定 {formula}，P 为每侧的填充"
        "（ceil 模式下取 ⌈…⌉；起点落在填充区内的最后一个窗口会被丢弃）。"
    ),
    "Explain layer": "讲解哪一层",
    "{name} ({type}: `{fields}`) receives {shape}": "{name}（{type}：`{fields}`）的输入为 {shape}",
    "All conv/pool layers": "全部卷积层与池化层",
    # --- forward pass ------------------------------------------------------------------------------
    "Runs a random 1-image batch on **{device}** (CUDA if available, else Apple MPS, else CPU), "
    "layer by layer, timing each (the GPU is synchronised) and checking every real tensor shape against "
    "the table.": (
        "在 **{device}** 上用一张随机图像跑一遍前向传播（优先 CUDA，其次 Apple MPS，最后 CPU），"
        "逐层计时（GPU 会同步），并把每个真实张量的形状与表格逐一核对。"
    ),
    "Fix the variant first: a forward pass needs a valid variant.": "请先修正变体：前向传播需要一个有效的变体。",
    "Run forward pass": "运行前向传播",
    "Waiting for a free slot (other students are running forward passes)…": "正在排队（其他同学也在运行前向传播）…",
    "The server is busy with other forward passes; try again in a moment.": "服务器正忙于其他前向传播，请稍后再试。",
    "Not built: {error}": "未能构建：{error}",
    "The forward pass failed on {device}: {error}": "在 {device} 上前向传播失败：{error}",
    "✅ every layer's real shape equals the engine's": "✅ 每一层的真实形状都与计算结果一致",
    "❌ shapes differ from the engine": "❌ 形状与计算结果不一致",
    "**{device}** · total {ms:.1f} ms · {verdict}": "**{device}** · 总计 {ms:.1f} ms · {verdict}",
    "expected": "预期",
    "match": "一致",
    # --- share & export ----------------------------------------------------------------------------
    "The page's address always holds the current variant: **copy the URL from the address bar** to share it.": (
        "页面地址始终包含当前变体：**从地址栏复制网址**即可分享。"
    ),
    "Save to compare as": "保存以供比较，名称",
    "Save to compare": "保存以供比较",
    "You have 20 saved variants; remove some on the Compare page first.": (
        "你已保存 20 个变体；请先在“比较变体”页删除一些。"
    ),
    "Saved “{name}”: pick it on the Compare page.": "已保存“{name}”：可在“比较变体”页选用。",
    "Config (JSON)": "配置（JSON）",
    "Layer table (CSV)": "逐层表格（CSV）",
    "PyTorch code (.py)": "PyTorch 代码（.py）",
    "torchinfo summary (.txt)": "torchinfo 摘要（.txt）",
    "Diagram for slides (PNG, 1920×1080)": "幻灯片用结构图（PNG，1920×1080）",
    "Diagram for slides (SVG)": "幻灯片用结构图（SVG）",
    "Code and torchinfo downloads need a valid variant.": "代码和 torchinfo 下载需要一个有效的变体。",
    "Config JSON": "配置 JSON",
    "No CJK font is installed on the server (`{fonts}`), so the Chinese text in the PNG/SVG "
    "downloads shows as boxes; the files are drawn with `{base}`. Install `{package}` "
    "(Debian: `apt-get install {package}`) for Chinese labels.": (
        "服务器上没有安装中文字体（`{fonts}`），所以 PNG/SVG 下载中的中文会显示成方框；文件改用 `{base}` 绘制。"
        "安装字体包 `{package}`（`apt-get install {package}`）后即可显示中文标注。"
    ),
    # --- diagram and chart -------------------------------------------------------------------------
    "Vertical layout (phones)": "竖排布局（手机）",
    "One map under the other, 390 px wide": "特征图上下排列，宽 390 px",
    "Slide-sized PNG/SVG (1920×1080): Share & export tab.": "幻灯片尺寸的 PNG/SVG（1920×1080）：见“分享与导出”标签页。",
    "**{fc:.1f}%** of the parameters sit in the fully connected layers; "
    "**{conv:.1f}%** of the multiply-accumulates happen in the convolutions.": (
        "**{fc:.1f}%** 的参数量集中在全连接层；**{conv:.1f}%** 的乘加运算发生在卷积层。"
    ),
    "Box height ∝ √H and width ∝ √W (a 55×55 map is drawn about twice as tall as a 13×13 one), "
    "depth ∝ √C (up to {max_channels:,} channels); a map drawn as two boxes is split by a grouped conv "
    "(the paper's two GPUs); a small square is the next layer's K×K window; bar length ∝ features.": (
        "方块高度 ∝ √H、宽度 ∝ √W（55×55 的特征图画出来约是 13×13 的两倍高），"
        "厚度 ∝ √C（最多按 {max_channels:,} 个通道画）；画成两个方块的特征图由分组卷积拆开（论文中的两块 GPU）；"
        "小方框是下一层 K×K 的窗口；条形长度 ∝ 特征数。"
    ),
    "Curved arrows are residual skips, added to the block's output (dashed: the shortcut has a conv).": (
        "弧形箭头是残差块的跳跃连接，加到块的输出上（虚线：捷径连接中有卷积）。"
    ),
    "{name} · input {shape}: feature maps (C×H×W) and classifier": "{name} · 输入 {shape}：特征图（C×H×W）与分类器",
    "{name} (modified) · input {shape}: feature maps (C×H×W) and classifier": (
        "{name}（已修改）· 输入 {shape}：特征图（C×H×W）与分类器"
    ),
    "{k}×{k} conv": "{k}×{k} 卷积",
    "stride {n}": "步幅 {n}",
    "pad {n}": "填充 {n}",
    "dilation {n}": "膨胀 {n}",
    "groups {n}": "分组 {n}",
    "{k}×{k} max pool": "{k}×{k} 最大池化",
    "{k}×{k} avg pool": "{k}×{k} 平均池化",
    "adaptive avg": "自适应平均池化",
    "to {n}×{n}": "输出 {n}×{n}",
    "residual": "残差块",
    "skip: {convs} conv": "捷径：{convs} 卷积",
    "skip: identity": "捷径：恒等",
    "{params:,} parameters, {macs} MACs": "参数量 {params:,}，MACs {macs}",
    "grayscale": "灰度",
    "input": "输入",
    "{n} channels": "{n} 个通道",
    "layer {index}": "第 {index} 层",
    "{n} towers of {c}": "{n} 路，每路 {c} 个通道",
    "{name}: {n:,} features": "{name}：{n:,} 个特征",
    "… and {n} more layers, left off to fit the slide (see the page)": "……另有 {n} 层因幻灯片放不下而略去（见网页）",
    "% of parameters": "参数量占比 %",
    "% of MACs": "MACs 占比 %",
    "%{x}: %{y:.1f}% of parameters (%{text})": "%{x}：占参数量的 %{y:.1f}%（%{text}）",
    "%{x}: %{y:.1f}% of MACs (%{text})": "%{x}：占 MACs 的 %{y:.1f}%（%{text}）",
    "Fully connected layers hold {fc:.1f}% of the parameters; conv layers do {conv:.1f}% of the MACs": (
        "全连接层占参数量的 {fc:.1f}%；卷积层占乘加运算的 {conv:.1f}%"
    ),
    "% of total": "占总量 %",
    # --- stages and architecture notes (the Compare page shows them) --------------------------------
    "classifier": "分类器",
    "stage {n}": "第 {n} 阶段",
    "{name}: {depth} weighted layers on its main path (conv and linear), {total:,} parameters, "
    "{macs} multiply-accumulates per image.": (
        "{name}：主路径上有 {depth} 个带权重的层（卷积层和全连接层），参数量 {total:,}，每张图像 {macs} 次乘加运算。"
    ),
    "{name}'s largest layer is {layer}: {params} of {total} parameters ({share:.0f}%).": (
        "{name} 最大的一层是 {layer}：参数量 {params}，占全部 {total} 的 {share:.0f}%。"
    ),
    "{first} + {second}: two stacked 3×3 convs see a 5×5 window with "
    "2·9·{c}² = {two:,} weights, where one 5×5 conv would need 25·{c}² = {one:,} "
    "({saving:.0f}% fewer) and one ReLU less.": (
        "{first} + {second}：两个堆叠的 3×3 卷积层看到 5×5 的窗口，用 2·9·{c}² = {two:,} 个权重；"
        "一个 5×5 卷积层则需要 25·{c}² = {one:,} 个（前者少 {saving:.0f}%），而且 5×5 卷积层还少一个 ReLU。"
    ),
    "{name} has {blocks} residual blocks: {solid} with an identity shortcut "
    "(solid), {dashed} with a 1×1 conv shortcut where the shape changes (dashed).": (
        "{name} 共有 {blocks} 个残差块：{solid} 个用恒等捷径连接（实线），"
        "{dashed} 个在形状改变处用 1×1 卷积捷径连接（虚线）。"
    ),
    "Every other control is in the sidebar: » at the top left.": "其余控件都在侧边栏：点左上角的 »。",
}

"""The Compare page (pages/2_Compare.py), its explanations and summary (explorer/compare.py) and its
charts (explorer/figures_compare.py). "vs" stays as it is between two numbers (55 vs 54)."""

MESSAGES = {
    # --- explorer/compare.py: words for layers and places ---------------------------------------
    "nowhere": "没有丢弃层",
    "after the ReLU (fc → relu → drop, Caffe's order)": "放在 ReLU 之后（fc → ReLU → dropout，Caffe 的顺序）",
    "before the linear layer (drop → fc, torchvision's order)": "放在全连接层之前（dropout → fc，torchvision 的顺序）",
    "input": "输入",
    "total": "合计",
    "dropout": "丢弃法（dropout）",
    "tanh": "tanh 激活",
    "sigmoid": "sigmoid 激活",
    "batch norm": "批量归一化",
    "max pooling": "最大池化",
    "average pooling": "平均池化",
    "LRN": "LRN",
    "ReLU": "ReLU",
    "linear": "全连接层",
    "linear to {n:,} features": "输出 {n:,} 个特征的全连接层",
    "yes": "有",
    "no": "无",
    "no layer": "没有这一层",
    # --- explanations: the joints --------------------------------------------------------------
    "{what} at {size}": "{what}（输入 {size}）",
    "{a} vs {b}": "{a} vs {b}",
    # --- explanations: what a layer is ---------------------------------------------------------
    "conv {k}×{k}, stride {stride}, padding {padding}, {filters} filters": (
        "卷积 {k}×{k}，步幅 {stride}，填充 {padding}，{filters} 个卷积核"
    ),
    "groups {groups}": "分组数 {groups}",
    "{pooling} {k}×{k}, stride {stride}": "{pooling} {k}×{k}，步幅 {stride}",
    "padding {padding}": "填充 {padding}",
    "rounding up": "向上取整",
    "adaptive average pooling to {size}×{size}": "自适应平均池化到 {size}×{size}",
    "LRN (size {size}, α {alpha:g}, β {beta:g}, k {k:g})": "LRN（窗口 {size}，α {alpha:g}，β {beta:g}，k {k:g}）",
    "{n:,} params": "参数量 {n:,}",
    # --- explanations: what such a layer does --------------------------------------------------
    "it forces a fixed map size, so any input size reaches the classifier with the same width": (
        "它把特征图固定为同一尺寸，所以任何输入尺寸到达分类器时宽度都一样"
    ),
    "no parameters and the shape is unchanged, so it changes no count here, only the values": (
        "没有参数，形状不变，所以这里的各项计数都不变，只改变数值"
    ),
    "no parameters and the shape is unchanged; without it the two layers around it compose linearly": (
        "没有参数，形状不变；少了它，前后两层就合成一个线性变换"
    ),
    "no parameters and the shape is unchanged": "没有参数，形状不变",
    "active only in training; no parameters and the shape is unchanged": "只在训练时起作用；没有参数，形状不变",
    "2 parameters per channel (scale and shift)": "每个通道 2 个参数（缩放和平移）",
    "turns the C×H×W map into one vector": "把 C×H×W 的特征图展平成一个向量",
    # --- explanations: a field that differs ----------------------------------------------------
    "size {a} vs {b}": "窗口大小 {a} vs {b}",
    "alpha {a} vs {b}": "缩放系数 α {a} vs {b}",
    "beta {a} vs {b}": "指数 β {a} vs {b}",
    "k {a} vs {b}": "k {a} vs {b}",
    "p {a} vs {b}": "丢弃概率 p {a} vs {b}",
    "bias {a} vs {b}": "偏置 {a} vs {b}",
    "kernel {a} vs {b}": "卷积核 {a} vs {b}",
    "stride {a} vs {b}": "步幅 {a} vs {b}",
    "padding {a} vs {b}": "填充 {a} vs {b}",
    "dilation {a} vs {b}": "膨胀 {a} vs {b}",
    "{field} {a} vs {b}": "字段 {field}：{a} vs {b}",
    "input {a} vs {b}": "输入 {a} vs {b}",
    "arrives {a} vs {b}": "到达的输入 {a} vs {b}",
    "rounding up vs down": "向上取整 vs 向下取整",
    "rounding down vs up": "向下取整 vs 向上取整",
    # --- explanations: the headline and the reasons --------------------------------------------
    "{a:,} vs {b:,} channels": "通道数 {a:,} vs {b:,}",
    "{a:,} vs {b:,} features": "特征数 {a:,} vs {b:,}",
    "{a:,} vs {b:,} channels (RGB vs grayscale)": "通道数 {a:,} vs {b:,}（RGB vs 灰度）",
    "half the weights": "权重减半",
    "twice the weights": "权重翻倍",
    "{words} ({a} vs {b} params)": "{words}（参数量 {a} vs {b}）",
    "{a} vs {b} params": "参数量 {a} vs {b}",
    "{a} vs {b} input channels (RGB vs grayscale)": "输入通道数 {a} vs {b}（RGB vs 灰度）",
    "{a} vs {b} input channels": "输入通道数 {a} vs {b}",
    "groups {a} vs {b} (two GPUs)": "分组数 {a} vs {b}（双 GPU）",
    "groups {a} vs {b}": "分组数 {a} vs {b}",
    "{a} vs {b} filters": "卷积核个数 {a} vs {b}",
    "pooling keeps the {a} vs {b} channels that arrive": "池化层保留到达的 {a} vs {b} 个通道",
    "target size {a} vs {b}": "目标尺寸 {a} vs {b}",
    "arrives {a} vs {b}, pooled to {size}×{size} in both": "到达的输入 {a} vs {b}，两者都池化到 {size}×{size}",
    "{a} vs {b} inputs": "输入特征数 {a} vs {b}",
    "{a} vs {b} outputs": "输出特征数 {a} vs {b}",
    "same shape and count, different values": "形状和计数相同，数值不同",
    "same weights at {a} vs {b} positions: {ma:,} vs {mb:,} MACs": (
        "同样的权重在 {a} vs {b} 个位置上计算：乘加运算 {ma:,} vs {mb:,}"
    ),
    "{a:,} vs {b:,} MACs": "乘加运算 {a:,} vs {b:,}",
    "both {size}": "两者都是 {size}",
    "configured differently": "配置不同",
    "{label} is invalid here, so its column stops": "{label} 在这里无效，它的那一列到此为止",
    "fix: {fix}": "修改方法：{fix}",
    "{a} vs {b} pixels": "{a} vs {b} 像素",
    "only in {present}, not in {absent}": "只在 {present} 中有，{absent} 中没有",
    "{pa:,} vs {pb:,} params ({ratio:.3f}×), {ma:,} vs {mb:,} MACs": (
        "参数量 {pa:,} vs {pb:,}（{ratio:.3f}×），乘加运算 {ma:,} vs {mb:,}"
    ),
    "largest difference at {role}: {a} vs {b} params": "差别最大的是 {role}：参数量 {a} vs {b}",
    "the same dropout ({names}), {where_a} in {a} vs {where_b} in {b}": (
        "同样的丢弃层（{names}），在 {a} 中{where_a}，在 {b} 中{where_b}"
    ),
    "the same regularisation either way: no parameters, the shape unchanged, active only in training": (
        "两种放法的正则化效果相同：没有参数，形状不变，只在训练时起作用"
    ),
    "{names} only in {mine}": "{names} 只在 {mine} 中有",
    "{names} only in {mine} ({other} has no {word})": "{names} 只在 {mine} 中有（{other} 没有 {word}）",
    # --- the summary ---------------------------------------------------------------------------
    "{label} is invalid at {layer}: {message}": "{label} 在 {layer} 处无效：{message}",
    "Inputs: {shapes}.": "输入：{shapes}。",
    "Inputs: {shapes}; yet every map from {first} on has the same size in all of them.": (
        "输入：{shapes}；但从 {first} 起，各变体的特征图尺寸都一样。"
    ),
    "Map sizes part at {first}: {sizes}.": "特征图尺寸从 {first} 开始不同：{sizes}。",
    "Map sizes part at {first} ({sizes}) and stay apart: {flatten} gets {maps}, "
    "so the classifier sees {features} features.": (
        "特征图尺寸从 {first} 开始不同（{sizes}），此后一直不同：{flatten} 收到 {maps}，"
        "所以分类器看到 {features} 个特征。"
    ),
    "Parameters: {totals}.": "参数量：{totals}。",
    "Compute: {totals} MACs.": "计算量：乘加运算 {totals}。",
    "Parameters: the same {total:,} in every valid variant.": "参数量：每个有效变体都是 {total:,}。",
    "Compute: the same {total:,} MACs in every valid variant.": "计算量：每个有效变体都是 {total:,} 次乘加运算。",
    "Parameters: {totals} ({ratios} of {ref}).": "参数量：{totals}（是 {ref} 的 {ratios}）。",
    "Compute: {totals} MACs ({ratios} of {ref}).": "计算量：乘加运算 {totals}（是 {ref} 的 {ratios}）。",
    "{point} The largest gap is at {role}: {values}.": "{point}差别最大的是 {role}：{values}。",
    "{layers} in {variants}": "{variants} 有 {layers}",
    "Layers only some have: {items}.": "只有部分变体才有的层：{items}。",
    "{where} in {variants}": "在 {variants} 中{where}",
    "Widths differ: {items}{more}.": "宽度（通道数、特征数）不同：{items}{more}。",
    "Dropout sits in different places — {places}. The same regularisation either way: no parameters, "
    "no change in shape.": "丢弃层的位置不同 —— {places}。两种放法的正则化效果相同：没有参数，形状不变。",
    "Configured differently, with the same shapes: {layers} (see every difference below).": (
        "形状相同、配置不同的层：{layers}（详见下方的逐项差异）。"
    ),
    "Layer for layer the same: every shape, parameter and MAC agrees.": "逐层完全相同：每个形状、参数量和乘加运算都一致。",
    # --- exports -------------------------------------------------------------------------------
    "layer": "层",
    "error": "出错",
    "✗ error": "✗ 出错",
    "not reached": "未到达",
    "invalid": "无效",
    "{label} output": "{label} 输出",
    "{label} params": "{label} 参数量",
    "{label} MACs": "{label} 乘加运算",
    "total params": "总参数量",
    "total MACs": "总乘加运算",
    "Layer": "层",
    "Total params": "总参数量",
    "Total MACs": "总乘加运算",
    # --- the link ------------------------------------------------------------------------------
    "variant {n} in the link: unknown preset {token!r}; presets are {presets}": (
        "链接中的第 {n} 个变体：没有名为 {token!r} 的预设；预设有 {presets}"
    ),
    "variant {n} in the link: the config after {prefix!r} is empty": "链接中的第 {n} 个变体：{prefix!r} 后面的配置是空的",
    "variant {n} in the link: {reason}": "链接中的第 {n} 个变体：{reason}",
    "the link's comparison must be text": "链接中的比较必须是文本",
    "the link's comparison is {n:,} characters, over the limit of {limit:,}": (
        "链接中的比较有 {n:,} 个字符，超过了 {limit:,} 的上限"
    ),
    "the link's comparison has an empty entry (two commas in a row?)": "链接中的比较有一项是空的（连着两个逗号？）",
    "a comparison holds {lo} to {hi} variants; the link names {n}": "一次比较包含 {lo} 到 {hi} 个变体；链接里有 {n} 个",
    # --- explorer/figures_compare.py -----------------------------------------------------------
    "{label} (invalid)": "{label}（无效）",
    "parameters": "参数量",
    "multiply-accumulates (MACs)": "乘加运算（MACs）",
    "Parameters per layer": "每层的参数量",
    "Multiply-accumulates (MACs) per layer": "每层的乘加运算（MACs）",
    "Spatial funnel: height of the feature map ({ends})": "空间漏斗：特征图的高度（{ends}）",
    "height (pixels, log scale)": "高度（像素，对数坐标）",
    "{h} pixels high": "高 {h} 像素",
    # --- pages/2_Compare.py --------------------------------------------------------------------
    "Compare variants": "比较变体",
    "Two to four variants side by side: the current one from Build, ones saved there with "
    "“Save to compare”, presets, or an uploaded config.": (
        "把两到四个变体并排比较：来自“构建”页的当前变体、在那里用“保存以比较”存下的变体、预设，或上传的配置。"
    ),
    "Variants to compare": "要比较的变体",
    "The current variant is whatever the Build page shows now.": "当前变体就是“构建”页现在显示的那个。",
    "Pick at least {lo} variants to compare (up to {hi}).": "请至少选择 {lo} 个变体来比较（最多 {hi} 个）。",
    "uploaded: {name}": "已上传：{name}",
    "link: {name}": "来自链接：{name}",
    "link {n}: {name}": "来自链接 {n}：{name}",
    "current: {name}": "当前：{name}",
    "The link's comparison could not be read: {reason}. Showing the default comparison instead.": (
        "无法读取链接中的比较：{reason}。现在显示默认的比较。"
    ),
    "Add a variant from a config JSON (exported from the Build page)": "从配置 JSON 文件添加一个变体（在“构建”页导出）",
    "{file} is {n:,} bytes, over the {limit:,} limit for a config: upload one variant's JSON.": (
        "{file} 有 {n:,} 字节，超过了配置文件 {limit:,} 字节的上限：请上传单个变体的 JSON。"
    ),
    "{file} is not text (it looks binary): upload the .json file the Build page exports.": (
        "{file} 不是文本（看起来是二进制文件）：请上传“构建”页导出的 .json 文件。"
    ),
    "{file} could not be read as a variant:": "{file} 无法读取为变体：",
    "Added {name} from {file} to the comparison.": "已把 {file} 中的 {name} 加入比较。",
    "{name} is now a choice; remove one of the {n} compared variants to add it.": (
        "{name} 现在可以选择了；从正在比较的 {n} 个变体中去掉一个，才能加入它。"
    ),
    "Source: {source}": "来源：{source}",
    "The variant on the Build page now.": "“构建”页上现在的变体。",
    "Saved on the Build page with “Save to compare”.": "在“构建”页用“保存以比较”存下的变体。",
    "Uploaded as a config file.": "以配置文件上传的变体。",
    "Read from the link.": "从链接读取的变体。",
    "Started from the preset {name} and changed.": "由预设 {name} 修改而来。",
    "In short": "要点",
    "Numbers in the order of the variants: {labels}.": "数字按变体的顺序排列：{labels}。",
    "input {shape} · {n} layers": "输入 {shape} · {n} 层",
    "{macs} MACs · output {shape}": "乘加运算 {macs} · 输出 {shape}",
    "{p:.3f}× the parameters and {m:.3f}× the MACs of {ref}": "参数量是 {ref} 的 {p:.3f}×，乘加运算是它的 {m:.3f}×",
    "Layer by layer": "逐层比较",
    "Values": "显示的数值",
    "output": "输出",
    "params": "参数量",
    "MACs": "乘加运算",
    "Aligned by role; each cell holds {values}. {mark} marks a value that differs from {ref}. "
    "A dash is a layer the variant does not have; an invalid variant stops at its failing layer.": (
        "按层的作用对齐；每格依次是 {values}。{mark} 标出与 {ref} 不同的数值。"
        "短横线表示该变体没有这一层；无效的变体在出错的那一层停止。"
    ),
    "Show every layer (ReLU, LRN, dropout …)": "显示所有层（ReLU、LRN、丢弃层……）",
    "Stage by stage": "逐阶段比较",
    "A stage ends where the map shrinks (a pool, or a strided conv or block): AlexNet's conv1 + pool1, "
    "VGG's two 3×3 convs + pool1 and ResNet's stem are each stage 1. Each cell: output · weighted "
    "layers · parameters · receptive field.": (
        "特征图缩小的地方（池化层，或带步幅的卷积层、残差块）就是一个阶段的结束：AlexNet 的 conv1 + pool1、"
        "VGG 的两个 3×3 卷积 + pool1、ResNet 的主干开头都是第 1 阶段。每格：输出 · 带权重的层数 · 参数量 · 感受野。"
    ),
    "stage": "阶段",
    "RF {n}": "感受野 {n}",
    "Totals": "总计",
    "Ratios are to {ref}, the first valid variant.": "比值都相对于第一个有效变体 {ref}。",
    "No variant is valid.": "没有有效的变体。",
    "variant": "变体",
    "params ratio": "参数量比值",
    "MACs ratio": "乘加运算比值",
    "status": "状态",
    "invalid: {error}": "无效：{error}",
    "valid": "有效",
    "These variants are identical layer for layer.": "这些变体逐层完全相同。",
    "Every difference, explained (pair by pair, {n} in all)": "逐项差异及其解释（两两比较，共 {n} 项）",
    "Charts": "图表",
    "Logarithmic scale for parameters and MACs": "参数量和乘加运算用对数坐标",
    "The same image through each variant": "同一张图像经过每个变体",
    "None of these variants has a conv or pooling layer to show.": "这些变体都没有可以展示的卷积层或池化层。",
    "Each variant resizes and crops the image to its own input size, then runs it up to the chosen layer "
    "with random weights (seed 0): what differs is the map size and the number of maps, not learned "
    "features.": (
        "每个变体先把图像缩放、裁剪到自己的输入尺寸，再用随机权重（种子 0）一直算到所选的层："
        "不同的是特征图的尺寸和个数，而不是学到的特征。"
    ),
    "{label} has no {layer}.": "{label} 没有 {layer}。",
    "{label} is invalid before {layer}: see its error above.": "{label} 在 {layer} 之前就无效了：见上方的错误信息。",
    "The server is busy; try again in a moment.": "服务器正忙，请稍后再试。",
    "what it sees: {shape}": "它看到的：{shape}",
    "{layer}: {shape}, the first {n} of {channels} maps": "{layer}：{shape}，{channels} 个特征图中的前 {n} 个",
    "Share and export": "分享与导出",
    "The page's address now holds this comparison: copy it from the address bar to share it.": (
        "本页网址已包含这次比较：从地址栏复制即可分享。"
    ),
    "Markdown table": "Markdown 表格",
    "LaTeX table": "LaTeX 表格",
    "Markdown and LaTeX for slides": "用于幻灯片的 Markdown 和 LaTeX",
}

# The presets' sources (explorer/presets.py's `source` fields, plain text there), shown on the Compare
# page beside each variant. Paper titles as Chinese readers know them; authors' names as they are.
MESSAGES |= {
    "Krizhevsky, Sutskever, Hinton, ImageNet Classification with Deep CNNs (NIPS 2012), Figure 2 and §3": (
        "Krizhevsky、Sutskever、Hinton：《用深度卷积神经网络进行 ImageNet 分类》（NIPS 2012），图 2 与第 3 节"
    ),
    "The paper's text and Figure 2 (224×224×3 input); the mismatch is a well-known erratum": (
        "论文正文与图 2（输入 224×224×3）；两者对不上是一个有名的勘误"
    ),
    "paper-2012 with the two-GPU split removed (as in the 'one-tower' CaffeNet-style ports)": (
        "去掉双 GPU 拆分的 paper-2012（与 CaffeNet 式的“单塔”移植版本一样）"
    ),
    "torchvision/models/alexnet.py; Krizhevsky, One weird trick for parallelizing CNNs (2014)": (
        "torchvision/models/alexnet.py；Krizhevsky：《并行训练卷积神经网络的一个小技巧》（2014）"
    ),
    "A Keras tutorial blog post (Sequential model with padding='valid' on conv1)": (
        "一篇 Keras 教程博客（Sequential 模型，conv1 不加填充）"
    ),
    "d2l.ai, chapter 'Deep Convolutional Neural Networks (AlexNet)'": (
        "d2l.ai（《动手学深度学习》）中“深度卷积神经网络（AlexNet）”一节"
    ),
    "A PyTorch tutorial blog post (in_features taken from the channel count, not C×H×W)": (
        "一篇 PyTorch 教程博客（in_features 取了通道数，而不是 C×H×W）"
    ),
    "BVLC Caffe, models/bvlc_alexnet/deploy.prototxt": "BVLC Caffe 中 bvlc_alexnet 模型的部署配置文件",
    "LeCun, Bottou, Bengio, Haffner, Gradient-based learning applied to document recognition (1998)": (
        "LeCun、Bottou、Bengio、Haffner：《基于梯度的学习在文档识别中的应用》（1998）"
    ),
    "torchvision/models/vgg.py (cfgs['D'], vgg16); Simonyan, Zisserman, Very Deep Convolutional Networks for "
    "Large-Scale Image Recognition (ICLR 2015), Table 1, column D": (
        "torchvision/models/vgg.py（配置 D，vgg16）；Simonyan、Zisserman：《用于大规模图像识别的超深卷积网络》"
        "（ICLR 2015），表 1 的 D 列"
    ),
    "A PyTorch tutorial's VGG-16 walkthrough (in_features taken from the channel count, not C×H×W)": (
        "一篇 PyTorch 的 VGG-16 逐步讲解教程（in_features 取了通道数，而不是 C×H×W）"
    ),
    "torchvision/models/resnet.py (BasicBlock, resnet18); He, Zhang, Ren, Sun, Deep Residual Learning for "
    "Image Recognition (CVPR 2016), Table 1": (
        "torchvision/models/resnet.py（BasicBlock，resnet18）；He、Zhang、Ren、Sun：《用于图像识别的深度残差学习》"
        "（CVPR 2016），表 1"
    ),
    "torchvision/models/resnet.py (BasicBlock, resnet34); He, Zhang, Ren, Sun, Deep Residual Learning for "
    "Image Recognition (CVPR 2016), Table 1": (
        "torchvision/models/resnet.py（BasicBlock，resnet34）；He、Zhang、Ren、Sun：《用于图像识别的深度残差学习》"
        "（CVPR 2016），表 1"
    ),
    "A PyTorch tutorial's ResNet-34 walkthrough (the dashed block of the paper's Figure 3); torchvision's "
    "resnet34 layer2.0": (
        "一篇 PyTorch 的 ResNet-34 逐步讲解教程（论文图 3 中用虚线捷径连接的残差块）；torchvision resnet34 的 layer2.0"
    ),
    "A PyTorch tutorial's ResNet-34 walkthrough (its identity block, h = f + x)": (
        "一篇 PyTorch 的 ResNet-34 逐步讲解教程（其中的恒等残差块，h = f + x）"
    ),
}

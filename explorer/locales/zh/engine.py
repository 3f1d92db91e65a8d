"""The engine's messages (explorer/spec.py, analysis.py, kinds.py, presets.py, share.py, build.py)
and the CLI (explorer/__main__.py): config errors, invalid variants with their arithmetic and fix,
preset descriptions, layer kinds, link notices, the table and the command line's help.

Config keys and layer type names (kernel, stride, body, shortcut, conv, maxpool, residual…) stay as
they are written in the JSON; numbers and formulas are parameters, the same in both languages.
"""

MESSAGES = {
    # --- spec.py: reading a config ------------------------------------------------------------
    "Arithmetic: {text}": "计算过程：{text}",
    "Fix: {text}": "修改方法：{text}",
    "a {digits:,}-digit number": "一个 {digits:,} 位的数",
    "a {digits:,}-digit negative number": "一个 {digits:,} 位的负数",
    "a list": "一个列表",
    "an object": "一个对象",
    "{where} is {shown}, over the limit of {limit:,}": "{where} 为 {shown}，超过了上限 {limit:,}",
    "{where} must be a whole number, got {value}": "{where} 必须是整数，实际为 {value}",
    "{where} must be at least 1, got {value}": "{where} 至少为 1，实际为 {value}",
    "{where} must be 0 or more, got {value}": "{where} 必须大于或等于 0，实际为 {value}",
    "{where} must be true or false, got {value}": "{where} 必须是 true 或 false，实际为 {value}",
    "{where} must be a number, got {value}": "{where} 必须是数字，实际为 {value}",
    "{where} must be a finite number, got {value}": "{where} 必须是有限的数，实际为 {value}",
    "{where} must be between 0 and 1, got {value}": "{where} 必须在 0 到 1 之间，实际为 {value}",
    "{where} must be greater than 0, got {value}": "{where} 必须大于 0，实际为 {value}",
    "a lone surrogate, half of a character pair": "孤立的代理项，即字符对的一半",
    "a control character": "控制字符",
    "a Unicode non-character": "Unicode 非字符",
    "{where} contains the character {code} ({kind}), which cannot be shown": (
        "{where} 含有无法显示的字符 {code}（{kind}）"
    ),
    "remove the character {code} from {where}": "从 {where} 中删除字符 {code}",
    "layer {index}": "第 {index} 层",
    "layer {index} (residual)": "第 {index} 层（residual）",
    "layer {index} (residual) body layer {position}": "第 {index} 层（residual）主路径的第 {position} 层",
    "layer {index} (residual) shortcut layer {position}": "第 {index} 层（residual）捷径连接的第 {position} 层",
    "{where} ({type}) {field}": "{where}（{type}）的 {field}",
    '{where} must be an object like {{"type": "relu"}}, got {value}': (
        '{where} 必须是形如 {{"type": "relu"}} 的对象，实际为 {value}'
    ),
    'write each layer as a JSON object with a "type" field': '把每一层写成带 "type" 字段的 JSON 对象',
    '{where} has no "type" (got {value})': '{where} 缺少 "type"（实际为 {value}）',
    'add "type": one of {types}': '添加 "type"，取值为以下之一：{types}',
    "{where}: unknown type {value}": "{where}：未知的类型 {value}",
    "use one of {types}": "请使用以下之一：{types}",
    "{where}: a residual block cannot contain another residual block": "{where}：残差块内不能再包含残差块",
    "put the inner block after this one, at the top level of layers": "把内层的块移到这个块之后，放在 layers 的顶层",
    "{where} ({type}): unknown field {value}": "{where}（{type}）：未知的字段 {value}",
    "remove it; {type} takes {fields}": "删除它；{type} 只接受 {fields}",
    "remove it; {type} takes no fields": "删除它；{type} 不接受任何字段",
    '{where} ({type}) is missing "{field}"': '{where}（{type}）缺少 "{field}"',
    'add "{field}" to the layer': '给这一层添加 "{field}"',
    "set {field} to a valid value": "把 {field} 设为有效的值",
    "{where}: unknown field {value}": "{where}：未知的字段 {value}",
    "remove it; residual takes body and shortcut (both lists of layers)": (
        "删除它；residual 只接受 body 和 shortcut（两者都是层的列表）"
    ),
    '{where} is missing "body"': '{where} 缺少 "body"',
    'add "body": the list of layers on the main path': '添加 "body"：主路径上的层列表',
    "{where} {branch} must be a list of layers, got {value}": "{where} 的 {branch} 必须是层的列表，实际为 {value}",
    'write "shortcut": [ ... ] ([] for the identity)': '写成 "shortcut": [ ... ]（恒等映射写 []）',
    'write "{branch}": [ ... ]': '写成 "{branch}": [ ... ]',
    "{where} body is empty": "{where} 的主路径（body）为空",
    "add the layers of the main path to body, or remove the block": "在 body 中加入主路径的层，或删除这个块",
    "input channels": "输入的通道数",
    "input height": "输入的高度",
    "input width": "输入的宽度",
    '"input" must be an object like {{"channels": 3, "height": 224, "width": 224}}, got {value}': (
        '"input" 必须是形如 {{"channels": 3, "height": 224, "width": 224}} 的对象，实际为 {value}'
    ),
    "write the input as an object with channels, height and width": "把输入写成含 channels、height 和 width 的对象",
    "input: unknown field {value}": "input：未知的字段 {value}",
    "input takes channels, height and width": "input 只接受 channels、height 和 width",
    "set {where} to a positive whole number": "把{where}设为正整数",
    'a variant must be a JSON object with "name", "input" and "layers", got {value}': (
        '变体必须是含有 "name"、"input" 和 "layers" 的 JSON 对象，实际为 {value}'
    ),
    "start from an exported config": "从一个导出的配置开始修改",
    "unknown top-level field {value}": "未知的顶层字段 {value}",
    "a variant has name, input, layers (and optionally description, source)": (
        "变体包含 name、input、layers（以及可选的 description、source）"
    ),
    '"name" must be text, got {value}': '"name" 必须是文本，实际为 {value}',
    "give the variant a name in quotes": "用引号给变体起个名字",
    '"layers" must be a list of layers, got {value}': '"layers" 必须是层的列表，实际为 {value}',
    'add "layers": [ ... ]': '添加 "layers": [ ... ]',
    "{count} layers is more than the {limit} this tool analyses": "{count} 层超过了本工具能分析的 {limit} 层",
    "{count} layers (counting those inside residual blocks) is more than the {limit} this tool analyses": (
        "{count} 层（含残差块内部的层）超过了本工具能分析的 {limit} 层"
    ),
    "use at most {limit} layers": "最多使用 {limit} 层",
    "write a number of at most {limit:,}": "写一个不超过 {limit:,} 的数",
    "a number in the config has {digits:,} digits ({number}); numbers must be at most {limit:,}": (
        "配置中有一个 {digits:,} 位的数（{number}）；数值不能超过 {limit:,}"
    ),
    "the number {number} in the config is too large; numbers must be at most {limit:,}": (
        "配置中的数 {number} 太大；数值不能超过 {limit:,}"
    ),
    "the config contains {name}, which is not a number JSON allows": "配置中含有 {name}，JSON 不允许这样的数",
    "the config must be text": "配置必须是文本",
    "paste JSON text": "请粘贴 JSON 文本",
    "the config is {length:,} characters, over the limit of {limit:,}": (
        "配置有 {length:,} 个字符，超过了上限 {limit:,}"
    ),
    "paste a single variant's config": "只粘贴一个变体的配置",
    "not valid JSON: {reason} at line {line}, column {column}": "不是有效的 JSON：第 {line} 行第 {column} 列，{reason}",
    "check the brackets, commas and quotes near that position": "检查该位置附近的括号、逗号和引号",
    "the JSON is nested too deeply": "JSON 嵌套太深",
    "layers nest only one level deep, inside a residual block": "层最多只嵌套一级，即放在残差块内部",
    # --- analysis.py: an invalid variant, its arithmetic and its fix --------------------------------
    "{name} ({type})": "{name}（{type}）",
    "{name} ({type}, on the residual block's main path)": "{name}（{type}，残差块的主路径上）",
    "{name} ({type}, on the residual block's shortcut)": "{name}（{type}，残差块的捷径连接上）",
    "{where}: {message}": "{where}：{message}",
    "a flat vector of {n:,} features": "一个含 {n:,} 个特征的展平向量",
    "a {shape} feature map": "一个 {shape} 的特征图",
    "pooling needs a C×H×W feature map": "池化层需要 C×H×W 的特征图",
    "move the pooling layer before flatten, or remove it": "把池化层移到 flatten 之前，或删除它",
    "a convolution needs a C×H×W feature map": "卷积层需要 C×H×W 的特征图",
    "move the conv before the flatten layer, or remove it": "把卷积层移到 flatten 层之前，或删除它",
    "adaptive pooling needs a C×H×W feature map": "自适应池化需要 C×H×W 的特征图",
    "move it before flatten": "把它移到 flatten 之前",
    "LRN normalises across channels of a feature map": "LRN 在特征图的各通道之间做归一化",
    "{what}, but it comes after flatten": "{what}，但它位于 flatten 之后",
    "output height would be {out}: the {window}-pixel window does not fit in {n} + 2·{padding} = {padded} pixels": (
        "输出高度将为 {out}：{window} 像素的窗口放不进 {n} + 2·{padding} = {padded} 个像素"
    ),
    "output width would be {out}: the {window}-pixel window does not fit in {n} + 2·{padding} = {padded} pixels": (
        "输出宽度将为 {out}：{window} 像素的窗口放不进 {n} + 2·{padding} = {padded} 个像素"
    ),
    "{formula}: the window ({window}) is larger than the padded input ({padded})": (
        "{formula}：窗口（{window}）比填充后的输入（{padded}）还大"
    ),
    "use a kernel of at most {kernel}, or padding of at least {padding}, or a larger input; "
    "this layer sees only {n} pixels here": (
        "把核大小改为不超过 {kernel}，或把填充设为至少 {padding}，或使用更大的输入；这一层在这里只看到 {n} 个像素"
    ),
    "groups {groups} must divide the {n} input channels": "分组数 {groups} 必须整除 {n} 个输入通道",
    "groups {groups} must divide the {n} output channels": "分组数 {groups} 必须整除 {n} 个输出通道",
    "{n} / {groups} = {quotient}, not a whole number": "{n} / {groups} = {quotient}，不是整数",
    "use groups in {options} for {c_in} in and {c_out} out channels": (
        "输入 {c_in} 个通道、输出 {c_out} 个通道时，分组数可取 {options}"
    ),
    "padding {padding} is more than half the kernel {kernel}": "填充 {padding} 超过了核大小 {kernel} 的一半",
    "padding must be ≤ ⌊{kernel}/2⌋ = {half} (PyTorch's rule: a window may not lie wholly in the padding)": (
        "填充必须 ≤ ⌊{kernel}/2⌋ = {half}（PyTorch 的规则：窗口不能完全落在填充里）"
    ),
    "use padding {half} or less, or a kernel of at least {least}": "把填充设为 {half} 或更小，或把核大小设为至少 {least}",
    "a linear layer needs a flat vector, but a feature map arrives": "全连接层需要展平的向量，但到达的是特征图",
    "flatten would give {c}·{h}·{w} = {n:,} features": "展平后会得到 {c}·{h}·{w} = {n:,} 个特征",
    "add a flatten layer before it": "在它之前加一个 flatten 层",
    "it expects {expected:,} input features but {n:,} arrive ({shape} = {n:,})": (
        "它期望 {expected:,} 个输入特征，但到达的是 {n:,} 个（{shape} = {n:,}）"
    ),
    "it expects {expected:,} input features but {n:,} arrive": "它期望 {expected:,} 个输入特征，但到达的是 {n:,} 个",
    "in_features {expected:,} ≠ {n:,}": "in_features {expected:,} ≠ {n:,}",
    "set in_features to {n:,} (or remove it so it is inferred), or change the layers before it so that "
    "{expected:,} features arrive": (
        "把 in_features 设为 {n:,}（或删除它，让它自动推断），或修改它之前的层，使到达的特征数为 {expected:,}"
    ),
    "a residual block cannot contain another residual block": "残差块内不能再包含残差块",
    "the body is empty": "主路径为空",
    "add the layers of the main path, or remove the block": "加入主路径的层，或删除这个块",
    "the body gives {body}, the shortcut passes {shortcut} unchanged, so the two cannot be added": (
        "主路径输出 {body}，捷径连接原样传递 {shortcut}，两者无法相加"
    ),
    "the body gives {body}, the shortcut gives {shortcut}, so the two cannot be added": (
        "主路径输出 {body}，捷径连接输出 {shortcut}，两者无法相加"
    ),
    "{body} ≠ {shortcut}: a residual add needs equal shapes": "{body} ≠ {shortcut}：残差相加要求两者形状相同",
    "a linear layer with {n:,} outputs": "一个输出 {n:,} 个特征的全连接层",
    "a 1×1 conv with {channels} outputs, plus batchnorm": "一个输出 {channels} 个通道的 1×1 卷积，再加批量归一化",
    "a 1×1 conv with stride {stride} and {channels} outputs, plus batchnorm": (
        "一个步幅为 {stride}、输出 {channels} 个通道的 1×1 卷积，再加批量归一化"
    ),
    "give the shortcut {projection} — ResNet's dashed shortcut; or make the body keep {shortcut}": (
        "给捷径连接加上{projection}——即 ResNet 的虚线捷径连接；或者让主路径保持 {shortcut}"
    ),
    "give the shortcut {projection}; or make the body keep {shortcut}": (
        "给捷径连接加上{projection}；或者让主路径保持 {shortcut}"
    ),
    "make the body keep {shortcut}, or give the shortcut layers that turn {shortcut} into {body}": (
        "让主路径保持 {shortcut}，或者给捷径连接加上把 {shortcut} 变成 {body} 的层"
    ),
    "make the shortcut give {body}: {projection} on the block's {input} input": (
        "让捷径连接输出 {body}：在块的 {input} 输入上加{projection}"
    ),
    "change the body or the shortcut so that both give the same shape (the input is {input})": (
        "修改主路径或捷径连接，使两者输出相同的形状（输入为 {input}）"
    ),
    "the weights reach {size} here, over the {budget} budget this tool builds": (
        "到这里权重已达 {size}，超过了本工具构建模型的 {budget} 上限"
    ),
    "{n:,} parameters × 4 bytes": "{n:,} 个参数 × 4 字节",
    "use fewer channels or features, or a smaller input before the first linear layer": (
        "减少通道数或特征数，或在第一个全连接层之前使用更小的输入"
    ),
    "activations reach {size} at batch 1 here, over the {budget} budget": (
        "到这里批量大小为 1 时的激活内存已达 {size}，超过了 {budget} 的上限"
    ),
    "this layer's output {shape} × 4 bytes = {size}": "这一层的输出 {shape} × 4 字节 = {size}",
    "use a smaller input, more stride early, or fewer channels": "使用更小的输入、在前面的层用更大的步幅，或减少通道数",
    "the input {shape} alone takes {size}, over the {budget} activation budget": (
        "仅输入 {shape} 就占用 {size}，超过了 {budget} 的激活内存上限"
    ),
    "use a smaller input size": "使用更小的输入尺寸",
    "unsupported layer type": "不支持的层类型",
    "remove it": "删除它",
    # --- kinds.py: what a sentence calls each layer kind -----------------------------------------
    "convolution": "卷积",
    "ReLU": "ReLU",
    "tanh": "tanh 激活",
    "sigmoid": "sigmoid 激活",
    "LRN": "LRN",
    "max pooling": "最大池化",
    "average pooling": "平均池化",
    "adaptive average pooling": "自适应平均池化",
    "batch norm": "批量归一化",
    "flatten": "展平",
    "dropout": "丢弃法（dropout）",
    "linear": "全连接层",
    "residual block": "残差块",
    # --- presets.py: what each preset is ----------------------------------------------------------
    "The 2012 paper's two-GPU network: conv2, conv4 and conv5 see only their own GPU's half of the channels "
    "(groups 2), LRN after conv1 and conv2, overlapping 3/2 pooling, dropout after the ReLUs of fc6 and fc7 "
    "(fc6 → relu6 → drop6, as in Caffe's reference model). At 227 every division is exact.": (
        "2012 年论文中的双 GPU 网络：conv2、conv4 和 conv5 只看到本 GPU 上的一半通道（分组数 2），"
        "conv1 和 conv2 之后有 LRN，采用 3/2 的重叠池化，fc6 和 fc7 的 ReLU 之后是丢弃法（dropout）"
        "（fc6 → relu6 → drop6，与 Caffe 的参考模型相同）。输入为 227 时，每一步除法都恰好整除。"
    ),
    "The same network at the 224×224 the paper prints: ⌊(224 − 11)/4⌋ + 1 = 54, not the 55 in Figure 2, so "
    "every later map shrinks and fc6 sees 6400 features instead of 9216.": (
        "同一个网络，输入取论文正文印的 224×224：⌊(224 − 11)/4⌋ + 1 = 54，而不是图 2 中的 55，"
        "因此后面的特征图都跟着变小，fc6 看到的是 6400 个特征，而不是 9216 个。"
    ),
    "paper-2012 on one GPU: groups 1 everywhere, so conv2, conv4 and conv5 see all channels and have twice "
    "the weights (+1.4M parameters).": (
        "单 GPU 上的 paper-2012：各层分组数都是 1，因此 conv2、conv4 和 conv5 看到全部通道，"
        "权重也翻了一倍（参数多出 1.4M）。"
    ),
    "torchvision.models.alexnet: the 'one weird trick' single-tower version with 64/192/384/256/256 channels, "
    "padding 2 on conv1 (so 224 gives 55), no LRN, adaptive average pooling to 6×6. Its ImageNet weights load "
    "into this variant unchanged.": (
        "torchvision 的 AlexNet：出自 Krizhevsky 那篇讲并行训练技巧的论文的单塔版本，通道数为 64/192/384/256/256，"
        "conv1 填充 2（因此 224 得到 55），没有 LRN，用自适应平均池化得到 6×6。"
        "它的 ImageNet 权重可以原样加载到这个变体中。"
    ),
    "A blog's Keras AlexNet: conv1 'valid' (no padding) at 224, grayscale input, no LRN. 54 instead of 55 "
    "after conv1 ripples down to a 5×5 map and a 6400-wide fc6.": (
        "一篇博客里的 Keras 版 AlexNet：输入 224，conv1 不做填充，灰度输入，没有 LRN。"
        "conv1 之后得到 54 而不是 55，这个差异一路传下去，最后得到 5×5 的特征图和 6400 维的 fc6。"
    ),
    "Dive into Deep Learning's AlexNet for Fashion-MNIST upsampled to 224: conv1 padding 1, one input "
    "channel, dropout after the fc ReLUs, 10 classes.": (
        "《动手学深度学习》中的 AlexNet，用于放大到 224 的 Fashion-MNIST：conv1 填充 1，单个输入通道，"
        "全连接层的 ReLU 之后接丢弃法（dropout），10 个类别。"
    ),
    "A blog's PyTorch AlexNet with two classic mistakes: no ReLU after conv5, and nn.Linear(256, 4096) after "
    "a 256×6×6 map, so the first forward pass fails. The error shows the fix.": (
        "一篇博客里的 PyTorch 版 AlexNet，有两个典型错误：conv5 之后没有 ReLU；在 256×6×6 的特征图之后"
        "直接接 nn.Linear(256, 4096)，因此第一次前向传播就会失败。错误信息会给出修改方法。"
    ),
    "Caffe's bvlc_alexnet: the paper's two-GPU layout at 227, pooling that rounds up (ceil) as all Caffe "
    "pooling does, LRN with k = 1 and α divided by the window size (α = 1e-4/5 in the paper's terms).": (
        "Caffe 的 bvlc_alexnet：论文的双 GPU 结构，输入 227；池化向上取整（ceil），Caffe 的池化都是如此；"
        "LRN 的 k = 1，α 除以窗口大小（按论文的记法 α = 1e-4/5）。"
    ),
    "LeCun et al.'s LeNet-5 (1998), AlexNet's ancestor: 32×32 digits, tanh, average pooling, 61,706 "
    "parameters — a thousand times smaller.": (
        "LeCun 等人的 LeNet-5（1998），AlexNet 的前身：32×32 的手写数字，tanh 激活，平均池化，"
        "61,706 个参数——小了一千倍。"
    ),
    "torchvision's VGG-16 (configuration D): thirteen 3×3 convs with padding 1 in five stages, each closed "
    "by a 2/2 max pool (224 → 112 → 56 → 28 → 14 → 7), adaptive average pooling to 7×7, then fc6 25,088 → "
    "4096, fc7 4096 → 4096, fc8 → 1000 with dropout after each hidden ReLU. fc6 alone holds 102.8M of the "
    "138.4M parameters. Its ImageNet weights load into this variant unchanged.": (
        "torchvision 的 VGG-16（配置 D）：十三个填充为 1 的 3×3 卷积分成五个阶段，每个阶段以 2/2 的最大池化结束"
        "（224 → 112 → 56 → 28 → 14 → 7），再用自适应平均池化得到 7×7，然后是 fc6 25,088 → 4096、"
        "fc7 4096 → 4096、fc8 → 1000，每个隐藏层的 ReLU 之后接丢弃法（dropout）。"
        "138.4M 个参数中，仅 fc6 就占了 102.8M。它的 ImageNet 权重可以原样加载到这个变体中。"
    ),
    "A tutorial's PyTorch Vgg16 as written: the thirteen convs and five pools are right, but the classifier "
    "starts with nn.Linear(512, 4096) right after flattening the 512×7×7 map, so 25,088 features arrive where "
    "512 are expected and the first forward pass fails. The error shows the fix.": (
        "一篇教程里照原样写的 PyTorch 版 Vgg16：十三个卷积层和五个池化层都没错，但分类器在展平 512×7×7 的特征图之后"
        "直接用 nn.Linear(512, 4096)，于是期望 512 个特征的地方到达了 25,088 个，第一次前向传播就会失败。"
        "错误信息会给出修改方法。"
    ),
    "torchvision's {name}: a 7×7 stride-2 conv and a 3/2 max pool with padding 1 take 224 to 56; then four "
    "stages (conv2_x to conv5_x) of {blocks} basic blocks (3×3 conv, batch norm, ReLU, 3×3 conv, batch norm, "
    "the block's input added back, ReLU) at 64, 128, 256 and 512 channels. The first block of conv3_x, conv4_x "
    "and conv5_x halves the map with stride 2 and gives its shortcut a 1×1 stride-2 conv with batch norm (the "
    "paper's dashed shortcut). Global average pooling and one fc to 1000; {convs} convs on the main path and "
    "the fc make the {depth}. Its ImageNet weights load into this variant unchanged.": (
        "torchvision 的 {name}：一个步幅为 2 的 7×7 卷积和一个填充为 1 的 3/2 最大池化把 224 变成 56；"
        "然后是四个阶段（conv2_x 到 conv5_x），分别有 {blocks} 个基本块（3×3 卷积、批量归一化、ReLU、3×3 卷积、"
        "批量归一化，再加回块的输入，ReLU），通道数依次为 64、128、256 和 512。conv3_x、conv4_x 和 conv5_x 的"
        "第一个块用步幅 2 把特征图减半，并给捷径连接加上一个步幅为 2 的 1×1 卷积和批量归一化（论文中的虚线捷径连接）。"
        "最后是全局平均池化和一个输出 1000 的全连接层；主路径上的 {convs} 个卷积层加上这个全连接层，就是 {depth} 层。"
        "它的 ImageNet 权重可以原样加载到这个变体中。"
    ),
    "{a}, {b}, {c} and {d}": "{a}、{b}、{c} 和 {d}",
    "The first block of ResNet-34's conv3_x on its own, on the 64×56×56 map that conv2_x hands it: the body "
    "halves the map (3×3 conv, stride 2, 128 filters) and the shortcut follows with a 1×1 stride-2 conv and "
    "batch norm (the dashed shortcut), so two 128×28×28 maps are added.": (
        "单独拿出 ResNet-34 中 conv3_x 的第一个块，输入是 conv2_x 交给它的 64×56×56 特征图：主路径把特征图减半"
        "（3×3 卷积，步幅 2，128 个卷积核），捷径连接也相应地用一个步幅为 2 的 1×1 卷积和批量归一化（虚线捷径连接），"
        "于是两个 128×28×28 的特征图相加。"
    ),
    "The same tutorial's identity (solid) block as written: stride 2 and 64 → 128 channels in its main path, "
    "then h = f + x with the untouched input. A 128×28×28 map cannot be added to a 64×56×56 one; the error "
    "names both shapes and the shortcut that fixes it.": (
        "同一篇教程里照原样写的恒等（实线）块：主路径中步幅为 2、通道数 64 → 128，然后 h = f + x 直接加上"
        "未经变换的输入。128×28×28 的特征图无法与 64×56×56 的相加；错误信息会指出两个形状，以及能修好它的捷径连接。"
    ),
    "unknown preset {name}; choose one of {presets}": "未知的预设 {name}；请从以下预设中选择：{presets}",
    # --- share.py: a variant in a link --------------------------------------------------------------
    "the link's variant could not be read: {reason}": "无法读取链接中的变体：{reason}",
    "open the link again from its source, or pick a preset": "从原处重新打开链接，或选择一个预设",
    "it is longer than {n:,} characters": "它超过了 {n:,} 个字符",
    "it is not valid base64": "它不是有效的 base64 编码",
    "it is not compressed data": "它不是压缩数据",
    "it expands to more than a variant can be": "它解压后比任何变体都大",
    "it is cut short; copy the whole link": "它被截断了；请复制完整的链接",
    "it has extra data after the variant": "变体之后还有多余的数据",
    "it is not text": "它不是文本",
    "{message}. {fix}": "{message}。{fix}",
    "the link names an unknown preset {name}; presets are {presets}": "链接指定了未知的预设 {name}；可用的预设有：{presets}",
    # --- build.py -----------------------------------------------------------------------------------
    "no PyTorch module for layer type {type}": "层类型 {type} 没有对应的 PyTorch 模块",
    "residual add: the body gives {body}, the shortcut {shortcut}": "残差相加：主路径输出 {body}，捷径连接输出 {shortcut}",
    # --- __main__.py: the command line --------------------------------------------------------------
    "{name}  input {shape}": "{name}  输入 {shape}",
    "layer": "层",
    "type": "类型",
    "output": "输出",
    "params": "参数量",
    "MACs": "乘加运算",
    "formula": "公式",
    "identity": "恒等映射",
    "total: {params:,} params ({param_bytes}), {macs:,} MACs ({macs_short}), activations {activation_bytes} "
    "at batch 1, output {output}": (
        "合计：参数量 {params:,}（{param_bytes}），乘加运算（MACs）{macs:,}（{macs_short}），"
        "批量大小为 1 时激活内存 {activation_bytes}，输出 {output}"
    ),
    "ERROR": "错误",
    "arrived: {text}": "到达的输入：{text}",
    "arithmetic: {text}": "计算过程：{text}",
    "fix: {text}": "修改方法：{text}",
    "{n:,} params": "参数量 {n:,}",
    "invalid": "无效",
    "{spec} is neither a preset nor a file": "{spec} 既不是预设，也不是文件",
    "use a path to a JSON file or one of: {presets}": "请使用 JSON 文件的路径，或以下预设之一：{presets}",
    "cannot read {spec}: {reason}": "无法读取 {spec}：{reason}",
    "pass a readable UTF-8 JSON file": "请传入一个可读取的 UTF-8 JSON 文件",
    "it is not UTF-8 text": "它不是 UTF-8 文本",
    "{spec} is over {limit:,} bytes, too large for a config": "{spec} 超过 {limit:,} 字节，作为配置文件太大了",
    "pass one variant's JSON file": "请传入单个变体的 JSON 文件",
    "{spec} is not a regular file": "{spec} 不是普通文件",
    "pass a config JSON file; directories, devices and pipes are not read": (
        "请传入配置 JSON 文件；目录、设备和管道不会被读取"
    ),
    "standard output is closed": "标准输出已关闭",
    "cannot write output: {reason}": "无法写出输出：{reason}",
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "Analyse AlexNet variants by arithmetic.": "用算术分析 AlexNet 的各种变体。",
    "show this help message and exit": "显示本帮助信息并退出",
    "preset name or path to a config JSON file": "预设名称，或配置 JSON 文件的路径",
    "print one JSON document (a list, one object per SPEC)": "输出一个 JSON 文档（一个列表，每个 SPEC 对应一个对象）",
    "list the presets with descriptions and totals": "列出各个预设及其说明和参数总量",
    "language of the table, the messages and --list: zh (中文) or en (English); default: zh when LC_ALL, "
    "LC_MESSAGES or LANG starts with zh, else en (now: {lang})": (
        "表格、消息和 --list 使用的语言：zh（中文）或 en（English）；默认：LC_ALL、LC_MESSAGES 或 LANG "
        "以 zh 开头时为 zh，否则为 en（当前为 {lang}）"
    ),
    "error: give at least one SPEC (a preset name or a config file), or --list": (
        "错误：请至少给出一个 SPEC（预设名称或配置文件），或者使用 --list"
    ),
}

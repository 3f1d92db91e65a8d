"""The Formula page and the output-size arithmetic: explorer/formula.py, conventions.py, sweep.py,
figures_formula.py and pages/3_Formula.py.

Formulas and numbers are parameters, shared with English. TF's padding modes are written as code
(`"SAME"`, `"VALID"`) where they appear in Chinese prose.
"""

MESSAGES = {
    # explorer/formula.py: the worked formula and its remainder
    "{f} = {n}": "{f} = {n}",
    "{formula}: the window ({kernel}) is larger than the padded input ({padded})": (
        "{formula}：窗口（{kernel}）大于填充后的输入（{padded}）"
    ),
    "{formula} = {rounded} − 1 = {out} (last window dropped: it would start in the padding)": (
        "{formula} = {rounded} − 1 = {out}（舍弃最后一个窗口：它会从填充区开始）"
    ),
    "No window fits: the padded input is {n} pixel shorter than the window.": (
        "放不下任何窗口：填充后的输入比窗口短 {n} 个像素。"
    ),
    "No window fits: the padded input is {n} pixels shorter than the window.": (
        "放不下任何窗口：填充后的输入比窗口短 {n} 个像素。"
    ),
    "{longer} but rounding up still places one window; {runs}": "{longer}但向上取整后仍会放下一个窗口；{runs}",
    "The window is {n} pixel longer than the padded input allows,": "窗口比填充后的输入长 {n} 个像素，",
    "The window is {n} pixels longer than the padded input allows,": "窗口比填充后的输入长 {n} 个像素，",
    "it runs {n} pixel past the padded input.": "它超出填充后的输入 {n} 个像素。",
    "it runs {n} pixels past the padded input.": "它超出填充后的输入 {n} 个像素。",
    "{equation}: exact, so ceil and floor agree.": "{equation}：整除，所以向上取整和向下取整结果相同。",
    "{equation}: rounding up would add a window starting in the padding, which PyTorch drops.": (
        "{equation}：向上取整会多出一个从填充区开始的窗口，PyTorch 会把它舍弃。"
    ),
    "{equation}: rounding up adds one more window, which runs {n} pixel past the padded input "
    "(those cells are ignored by max pooling).": (
        "{equation}：向上取整多出一个窗口，它超出填充后的输入 {n} 个像素（最大池化会忽略这些位置）。"
    ),
    "{equation}: rounding up adds one more window, which runs {n} pixels past the padded input "
    "(those cells are ignored by max pooling).": (
        "{equation}：向上取整多出一个窗口，它超出填充后的输入 {n} 个像素（最大池化会忽略这些位置）。"
    ),
    "{equation}: exact: the windows fit with nothing left over.": "{equation}：整除：窗口恰好铺满，没有剩余。",
    "{equation}: remainder {r}, but it falls in the padding: every input pixel is covered.": (
        "{equation}：余数为 {r}，但剩下的部分落在填充区里：每个输入像素都被覆盖。"
    ),
    "{equation}: remainder {r}: the last input row/column (index {index}) is never covered by any window.": (
        "{equation}：余数为 {r}：输入的最后一行/列（索引 {index}）不会被任何窗口覆盖。"
    ),
    "{equation}: remainder {r}: the last {n} input rows/columns (indices {first}–{last}) "
    "are never covered by any window.": (
        "{equation}：余数为 {r}：输入的最后 {n} 行/列（索引 {first}–{last}）不会被任何窗口覆盖。"
    ),
    # explorer/conventions.py: every framework's rule, its notes, and why they differ
    "PyTorch refuses pooling padding {padding} with kernel {kernel}": (
        "池化窗口为 {kernel} 时，PyTorch 不接受填充 {padding}"
    ),
    "{refusal}: padding must be at most ⌊{kernel}/2⌋ = {half}, so that no window lies wholly in the padding. "
    "Use padding ≤ {half} or a kernel of at least {need}.": (
        "{refusal}：填充最多为 ⌊{kernel}/2⌋ = {half}，这样才不会有窗口完全落在填充区里。"
        "请使用 ≤ {half} 的填充，或把窗口加大到至少 {need}。"
    ),
    "{refusal}, so it gives no size.": "{refusal}，所以没有输出尺寸。",
    "PyTorch raises an error: the window is larger than the padded input.": "PyTorch 报错：窗口大于填充后的输入。",
    "Rounds down: a last partial window is dropped.": "向下取整：最后一个不完整的窗口被舍弃。",
    "The last input pixel is never seen.": "最后一个输入像素从未被看到。",
    "The last {n} input pixels are never seen.": "最后 {n} 个输入像素从未被看到。",
    "The leftover falls in the padding, so every real pixel is seen.": "剩下的部分落在填充区里，所以每个真实像素都被看到。",
    "Exact division: nothing is dropped.": "整除：没有任何部分被舍弃。",
    "Exact division: ceil and floor agree.": "整除：向上取整与向下取整结果相同。",
    "⌈(W + 2P − D·(K−1) − 1)/S⌉ + 1, minus 1 if the last window starts at or past W + P": (
        "⌈(W + 2P − D·(K−1) − 1)/S⌉ + 1；若最后一个窗口的起点 ≥ W + P，再减 1"
    ),
    "nn.Conv2d has no ceil_mode: only pooling layers can round up in PyTorch.": (
        "nn.Conv2d 没有 ceil_mode：在 PyTorch 中只有池化层能向上取整。"
    ),
    "The {k}-pixel window is longer than the padded input ({padded}), but rounding up still places one "
    "window: PyTorch pools over the pixels that exist.": (
        "{k} 像素的窗口比填充后的输入（{padded}）更长，但向上取整仍会放下一个窗口：PyTorch 只对实际存在的像素做池化。"
    ),
    "Rounding up would add a window starting in the right padding; PyTorch drops it.": (
        "向上取整会多出一个从右侧填充区开始的窗口；PyTorch 会把它舍弃。"
    ),
    "Rounds up: the extra last window runs {n} pixel past the padded input (ignored).": (
        "向上取整：多出的最后一个窗口超出填充后的输入 {n} 个像素（这些位置被忽略）。"
    ),
    "Rounds up: the extra last window runs {n} pixels past the padded input (ignored).": (
        "向上取整：多出的最后一个窗口超出填充后的输入 {n} 个像素（这些位置被忽略）。"
    ),
    "{formula}: the window ({kernel}) is larger than {padded}": "{formula}：窗口（{kernel}）大于 {padded}",
    "Caffe stops: the kernel extent is larger than the padded input.": "Caffe 停止运行：卷积核的跨度大于填充后的输入。",
    "Integer division in C++: the same floor as PyTorch.": "C++ 的整数除法：与 PyTorch 相同的向下取整。",
    "⌈(W + 2P − K)/S⌉ + 1, minus 1 if P > 0 and the last window starts at or past W + P": (
        "⌈(W + 2P − K)/S⌉ + 1；若 P > 0 且最后一个窗口的起点 ≥ W + P，再减 1"
    ),
    "Caffe's pooling layer has no dilation.": "Caffe 的池化层没有膨胀。",
    "Caffe refuses: pooling padding must be smaller than the kernel ({padding} ≥ {kernel}).": (
        "Caffe 拒绝：池化的填充必须小于窗口大小（{padding} ≥ {kernel}）。"
    ),
    "No window fits in the padded input.": "填充后的输入放不下任何窗口。",
    "Pooling rounds up; the last window would start in the padding, so Caffe drops it.": (
        "池化向上取整；最后一个窗口会从填充区开始，所以 Caffe 把它舍弃。"
    ),
    "Pooling rounds up; without padding Caffe keeps even a last window that starts outside the image "
    "(PyTorch drops it).": "池化向上取整；没有填充时，Caffe 连从图像之外开始的最后一个窗口也保留（PyTorch 会舍弃它）。",
    "Pooling rounds up: the last window hangs over the edge and sees only what is inside.": (
        "池化向上取整：最后一个窗口悬出边缘，只看到边缘以内的部分。"
    ),
    "⌈(W − D·(K−1))/S⌉ (no padding)": "⌈(W − D·(K−1))/S⌉（不填充）",
    "Your P = {padding} is ignored: VALID never pads (use ZeroPadding2D({padding}) first).": (
        "你设的 P = {padding} 被忽略：`VALID` 从不填充（可以先用 ZeroPadding2D({padding})）。"
    ),
    "TensorFlow refuses dilation > 1 together with stride > 1.": "TensorFlow 不允许膨胀 > 1 与步幅 > 1 同时使用。",
    "TensorFlow raises an error: the window ({k}) is larger than the unpadded input ({n}).": (
        "TensorFlow 报错：窗口（{k}）大于未填充的输入（{n}）。"
    ),
    "Written with a ceiling, but it equals PyTorch's floor with P = 0.": (
        "写成向上取整，但结果等于 P = 0 时 PyTorch 的向下取整。"
    ),
    "⌈W/S⌉ (kernel and P do not matter; TF pads what it needs)": "⌈W/S⌉（与卷积核和 P 无关；TF 需要多少就填充多少）",
    "TF pads {total} in total: {before} top/left, {after} bottom/right.": (
        "TF 共填充 {total}：上/左 {before}，下/右 {after}。"
    ),
    "The odd pixel goes on the bottom/right (PyTorch pads both sides equally).": (
        "多出的那个像素放在下/右侧（PyTorch 两侧填充相同）。"
    ),
    "Pooling ignores the padded cells.": "池化会忽略填充的位置。",
    "Your P = {padding} is ignored.": "你设的 P = {padding} 被忽略。",
    "⌊(n − k + p + s)/s⌋, p = total padding = 2P": "⌊(n − k + p + s)/s⌋，p = 总填充 = 2P",
    "total padding": "总填充",
    "The same floor as PyTorch, written with the total padding p = 2P and +s instead of +1.": (
        "与 PyTorch 相同的向下取整，只是用总填充 p = 2P 来写，并用 +s 代替 +1。"
    ),
    "d2l has no dilation: k is the effective kernel.": "d2l 的公式没有膨胀：这里的 k 是等效卷积核大小。",
    "1 + ⌈(W + 2P − K)/S⌉ (layer.py, modulesX)": "1 + ⌈(W + 2P − K)/S⌉（layer.py 中的 `modulesX`）",
    "⌈(W − start − K)/S⌉ + 1 with start = −P (layer.py, outputsX)": (
        "⌈(W − `start` − K)/S⌉ + 1，其中 `start` = −P（layer.py 中的 `outputsX`）"
    ),
    "cuda-convnet has no dilation.": "cuda-convnet 没有膨胀。",
    "cuda-convnet refuses a pooling stride larger than the window ({stride} > {kernel}).": (
        "cuda-convnet 不接受大于窗口的池化步幅（{stride} > {kernel}）。"
    ),
    "{formula}: the filter ({kernel}) is larger than the (padded) image": "{formula}：卷积核（{kernel}）大于（填充后的）图像",
    "cuda-convnet refuses: filter size greater than image size + padding.": (
        "cuda-convnet 拒绝：卷积核尺寸大于图像尺寸 + 填充。"
    ),
    "Rounds up: the last window hangs {n} pixel past the image edge and the kernel skips that pixel "
    "(implicit zeros).": "向上取整：最后一个窗口超出图像边缘 {n} 个像素，卷积核跳过这个像素（相当于补零）。",
    "Rounds up: the last window hangs {n} pixels past the image edge and the kernel skips those pixels "
    "(implicit zeros).": "向上取整：最后一个窗口超出图像边缘 {n} 个像素，卷积核跳过这些像素（相当于补零）。",
    "Pooling padding is a negative start: only the top/left is padded.": "池化的填充以负的起点实现：只填充上/左侧。",
    "{a} {b}": "{a}{b}",
    "{a}, {b}": "{a}、{b}",
    "{head} and {last}": "{head} 和 {last}",
    'Only TF "SAME" gives an output ({size}): it pads {pad} pixels to make the {k}-pixel window fit; '
    "every other convention refuses because the window is longer than the padded input "
    "({n} + {p2} = {padded}).": (
        '只有 TF `"SAME"` 给出输出（{size}）：它填充 {pad} 个像素，让 {k} 像素的窗口放得下；'
        "其他约定都拒绝，因为窗口比填充后的输入更长（{n} + {p2} = {padded}）。"
    ),
    "No convention can produce an output here: the window does not fit in the input.": (
        "这里没有任何约定能给出输出：窗口放不进输入。"
    ),
    "W + 2P − D·(K−1) − 1 = {span} is a multiple of S = {s}, so rounding never matters": (
        "W + 2P − D·(K−1) − 1 = {span} 是 S = {s} 的倍数，所以取整方式无关紧要"
    ),
    "they round the same way here": "它们在这里的取整结果相同",
    'Every convention gives {size}: {reason} (and TF "SAME" gives ⌈{n}/{s}⌉ = {same} too).': (
        '每种约定都给出 {size}：{reason}（TF `"SAME"` 也给出 ⌈{n}/{s}⌉ = {same}）。'
    ),
    'All conventions except TF "SAME" give {size}: {reason}.': '除 TF `"SAME"` 外，所有约定都给出 {size}：{reason}。',
    "W + 2P − D·(K−1) − 1 = {span} is not a multiple of S = {s} ({span}/{s} = {q})": (
        "W + 2P − D·(K−1) − 1 = {span} 不是 S = {s} 的倍数（{span}/{s} = {q}）"
    ),
    "{division}: rounding down ({floor_names}) gives {floor_sizes}; rounding up ({ceil_names}) gives "
    "{ceil_sizes}, one more window that hangs over the edge.": (
        "{division}：向下取整（{floor_names}）得 {floor_sizes}；向上取整（{ceil_names}）得 {ceil_sizes}，"
        "多出的一个窗口悬在边缘之外。"
    ),
    "{a}.": "{a}。",
    'TF "VALID" ignores the padding P = {padding}, so it gives {size}, not {other}.': (
        'TF `"VALID"` 忽略填充 P = {padding}，所以给出 {size} 而不是 {other}。'
    ),
    "cuda-convnet pads pooling on the top/left only, so it gives {size}.": (
        "cuda-convnet 的池化只在上/左侧填充，所以给出 {size}。"
    ),
    "Caffe drops a last window that starts outside the image only when P > 0, so it keeps {caffe} "
    "where PyTorch's ceil_mode gives {pytorch}.": (
        "只有在 P > 0 时，Caffe 才舍弃从图像之外开始的最后一个窗口，所以它保留 {caffe}，"
        "而 PyTorch 的 ceil_mode 给出 {pytorch}。"
    ),
    'TF "SAME" happens to agree with the floor: ⌈{n}/{s}⌉ = {size}.': (
        'TF `"SAME"` 恰好与向下取整一致：⌈{n}/{s}⌉ = {size}。'
    ),
    'TF "SAME" ignores the kernel: ⌈{n}/{s}⌉ = {size}, padding {pad} ({before} + {after}) to make it fit.': (
        'TF `"SAME"` 不看卷积核：⌈{n}/{s}⌉ = {size}，并填充 {pad}（{before} + {after}）让窗口放得下。'
    ),
    # the steps of PyTorch's formula
    "Formula": "公式",
    "Substitute": "代入",
    "Numerator": "分子",
    "Exact quotient": "精确商",
    "Floor": "向下取整",
    "Ceiling": "向上取整",
    "Remainder": "余数",
    "Overhang": "悬出",
    "No window fits": "放不下窗口",
    "the {k}-pixel window is longer than the padded input {padded}, but rounding up still places one window "
    "at the start; PyTorch accepts it and pools over the pixels that exist.": (
        "{k} 像素的窗口比填充后的输入 {padded} 更长，但向上取整仍会在开头放下一个窗口；"
        "PyTorch 接受它，只对实际存在的像素做池化。"
    ),
    "the numerator is negative: the {k}-pixel window is longer than the padded input {padded}": (
        "分子为负：{k} 像素的窗口比填充后的输入 {padded} 更长"
    ),
    "{formula}, − 1 = {out} (the last window would start in the padding: dropped)": (
        "{formula}, − 1 = {out}（最后一个窗口会从填充区开始：舍弃）"
    ),
    # explorer/sweep.py: the sweep's table columns and remainders
    "input": "输入",
    "valid": "有效",
    "last conv/pool map": "最后的卷积/池化特征图",
    "map at flatten": "展平前的特征图",
    "flatten": "展平",
    "exact": "整除",
    "remainders": "余数",
    "fails at": "出错层",
    "why": "原因",
    "{layer} (rem {remainder})": "{layer}（余 {remainder}）",
    "{layer} ({size} into {bins} bins)": "{layer}（{size} 分成 {bins} 个区间）",
    # explorer/figures_formula.py: the pictures
    "padding (zeros)": "填充（零）",
    "input pixel, covered": "输入像素（被覆盖）",
    "input pixel no window covers": "没有窗口覆盖的输入像素",
    "past the padded input (ceil overhang)": "超出填充后的输入（向上取整的悬出部分）",
    "current window on input": "当前窗口（落在输入上）",
    "current window on padding": "当前窗口（落在填充上）",
    "index {index}": "索引 {index}",
    "indices {first}–{last}": "索引 {first}–{last}",
    "indices {shown}": "索引 {shown}",
    "input pixel {x}: read by {n} window": "输入像素 {x}：被 {n} 个窗口读取",
    "input pixel {x}: read by {n} windows": "输入像素 {x}：被 {n} 个窗口读取",
    "padding cell {x}": "填充位置 {x}",
    "{x}: past the padded input": "{x}：超出填充后的输入",
    "{x}: the window overruns the input": "{x}：窗口超出了输入",
    "input row": "输入行",
    "{n} window position (stride {stride})": "{n} 个窗口位置（步幅 {stride}）",
    "{n} window positions (stride {stride})": "{n} 个窗口位置（步幅 {stride}）",
    "taps (dilation {dilation})": "采样点（膨胀 {dilation}）",
    "out {i}": "输出 {i}",
    "… {n} more windows not drawn …": "… 另有 {n} 个窗口未画出 …",
    "window": "窗口",
    "the {k}-pixel window does not fit": "{k} 像素的窗口放不下",
    "left over: {n} px ({where})": "剩余：{n} px（{where}）",
    "position along the row (input index; negative = left padding)": "沿该行的位置（输入索引；负数 = 左侧填充）",
    "{w} input pixels, P = {p} each side, window {k} px, stride {s}: {n} position": (
        "{w} 个输入像素，每侧 P = {p}，窗口 {k} px，步幅 {s}：共 {n} 个位置"
    ),
    "{w} input pixels, P = {p} each side, window {k} px, stride {s}: {n} positions": (
        "{w} 个输入像素，每侧 P = {p}，窗口 {k} px，步幅 {s}：共 {n} 个位置"
    ),
    "{title}; {n} pixel skipped between windows": "{title}；窗口之间跳过了 {n} 个像素",
    "{title}; {n} pixels skipped between windows": "{title}；窗口之间跳过了 {n} 个像素",
    "row {y}, col {x}: {what}": "第 {y} 行，第 {x} 列：{what}",
    "input {n}×{n} with padding {p}: window ({r}, {c})": "输入 {n}×{n}，填充 {p}：窗口 ({r}, {c})",
    "output {out}×{out}: cell ({r}, {c})": "输出 {out}×{out}：单元 ({r}, {c})",
    "output": "输出",
    "last conv/pool map side (H = W)": "最后一个卷积/池化特征图的边长（H = W）",
    "flatten size (features into the first linear layer)": "展平尺寸（进入第一个全连接层的特征数）",
    "every division exact": "每次除法都整除",
    "valid, some remainder": "有效，但有余数",
    "input {size}: map {map}, flatten {flatten}": "输入 {size}：特征图 {map}，展平 {flatten}",
    "remainders: {items}": "余数：{items}",
    "input {size}: flatten {flatten:,}": "输入 {size}：展平 {flatten:,}",
    "invalid {first}–{last}": "无效 {first}–{last}",
    "inexact": "不整除",
    "invalid": "无效",
    "{name}'s own: {flatten:,}": "{name} 自身：{flatten:,}",
    "input size (square, pixels)": "输入尺寸（正方形，像素）",
    # pages/3_Formula.py
    "The output-size formula": "输出尺寸公式",
    "Every conv and pooling layer slides a window along each axis. How many positions fit is "
    "**⌊(W + 2P − D·(K−1) − 1)/S⌋ + 1**; whatever the division leaves over is input the layer never sees. "
    "Move the sliders and watch the windows.": (
        "每个卷积层和池化层都沿每个轴滑动一个窗口。能放下多少个位置由 **⌊(W + 2P − D·(K−1) − 1)/S⌋ + 1** 决定；"
        "除法剩下的部分，就是这一层从未看到的输入。拖动滑块，观察窗口的变化。"
    ),
    "One-click examples": "一键示例",
    "Paper conv1, 224": "论文 conv1，224",
    "Paper conv1, 227": "论文 conv1，227",
    "torchvision conv1, P 2": "torchvision conv1，P 2",
    "Pool 3/2, overlapping": "池化 3/2，重叠",
    "Pool 2/2, no overlap": "池化 2/2，不重叠",
    "Layer type": "层类型",
    "convolution": "卷积",
    "max pooling": "最大池化",
    "Input size W": "输入尺寸 W",
    "Height = width: the formula is the same on each axis.": "高 = 宽：每个轴上的公式都一样。",
    "Kernel K": "卷积核 K",
    "Stride S": "步幅 S",
    "Padding P (each side)": "填充 P（每侧）",
    "Dilation D": "膨胀 D",
    "Gap between the kernel's taps; 1 = a plain window.": "卷积核各采样点之间的间隔；1 表示普通窗口。",
    "ceil_mode (round up)": "ceil_mode（向上取整）",
    "Only pooling layers have ceil_mode in PyTorch; nn.Conv2d always rounds down.": (
        "PyTorch 中只有池化层有 ceil_mode；nn.Conv2d 总是向下取整。"
    ),
    "Worked out": "逐步计算",
    "**Invalid pooling padding.** {problem}": "**池化填充无效。** {problem}",
    "Output size": "输出尺寸",
    "Input pixels never covered": "从未被覆盖的输入像素",
    "Exact division": "整除",
    "{i}. **{k}:** {v}": "{i}. **{k}：** {v}",
    "The {k}-pixel window is longer than the padded input ({padded}), yet ceil_mode rounds the negative "
    "quotient up to one window. PyTorch accepts this and pools over the pixels that exist; without ceil_mode "
    "the same layer raises an error.": (
        "{k} 像素的窗口比填充后的输入（{padded}）更长，但 ceil_mode 把负的商向上取整成一个窗口。"
        "PyTorch 接受这种情况，只对实际存在的像素做池化；不开 ceil_mode 时，同样的层会报错。"
    ),
    "**The window does not fit.** The {ke}-pixel window (K = {k}, D = {d}) is longer than the padded input "
    "{w} + 2·{p} = {padded}, so PyTorch raises an error instead of producing an output. Fix: use a kernel of "
    "at most {max_k}, padding of at least {need_p}, or an input of at least {need_w}.": (
        "**窗口放不下。** {ke} 像素的窗口（K = {k}，D = {d}）比填充后的输入 {w} + 2·{p} = {padded} 更长，"
        "所以 PyTorch 会报错，不会产生输出。修改方法：卷积核最多为 {max_k}，或填充至少为 {need_p}，"
        "或输入至少为 {need_w}。"
    ),
    "The stride {s} is larger than the {k}-pixel window: the windows leave gaps, so some pixels between "
    "them are never read.": "步幅 {s} 大于 {k} 像素的窗口：窗口之间留有空隙，其间的一些像素从未被读取。",
    "Dilated pooling exists only as nn.MaxPool2d(dilation=…); average pooling has no dilation.": (
        "带膨胀的池化只有 `nn.MaxPool2d(dilation=…)`；平均池化没有膨胀。"
    ),
    "The 2-D view appears for inputs up to {n} pixels (try the pooling examples with W ≤ {n}).": (
        "输入不超过 {n} 像素时才显示 2D 视图（可以试试池化示例，并把 W 调到 ≤ {n}）。"
    ),
    "Window position (step through the output, row by row)": "窗口位置（按行逐个走遍输出）",
    "Conventions side by side": "各框架的约定对比",
    "The same numbers in every framework. PyTorch and Caffe pad P on each side; TensorFlow's VALID pads "
    "nothing and SAME pads whatever it needs; d2l writes p for the total padding; cuda-convnet (the code "
    "the 2012 paper ran on) rounds up.": (
        "把同一组数值代入各个框架的公式。PyTorch 和 Caffe 在每侧填充 P；TensorFlow 的 `VALID` 不填充，`SAME` "
        "需要多少就填充多少；d2l 用 p 表示总填充；cuda-convnet（2012 年论文所用的代码）向上取整。"
    ),
    "convention": "约定",
    "with your numbers": "代入你的数值",
    "size": "尺寸",
    "padding used (before + after)": "实际填充（前 + 后）",
    "note": "说明",
    "Which input sizes work": "哪些输入尺寸可用",
    "Variant": "变体",
    "'{current}' is the one on the Build page.": "“{current}”就是“构建”页上的那个变体。",
    "Input sizes": "输入尺寸范围",
    "Smallest valid input": "最小有效输入",
    "Valid sizes": "有效尺寸",
    "Exact sizes": "整除的尺寸",
    "**{size}**: exact, every division leaves no remainder (flatten {flatten:,}).": (
        "**{size}**：整除，每次除法都没有余数（展平 {flatten:,}）。"
    ),
    "**{size}**: exact, every division leaves no remainder (no flatten).": (
        "**{size}**：整除，每次除法都没有余数（没有展平层）。"
    ),
    "**{size}**: works but inexact (flatten {flatten:,}): {remainders}.": (
        "**{size}**：可用但不整除（展平 {flatten:,}）：{remainders}。"
    ),
    "**{size}**: works but inexact: {remainders}.": "**{size}**：可用但不整除：{remainders}。",
    "**{size}**: invalid, fails at {layer}: {error}": "**{size}**：无效，在 {layer} 出错：{error}",
    "Exact sizes in range: {sizes}": "范围内整除的尺寸：{sizes}",
    "Invalid for {first}–{last}: fails at {where}; the table below gives each size's reason.": (
        "{first}–{last} 无效：在 {where} 出错；下表列出每个尺寸的原因。"
    ),
    "the input": "输入",
    "{head} or {last}": "{head} 或 {last}",
    "{n} size gives the same flatten size as the variant's own input {size} ({flatten:,}), so its trained "
    "classifier would fit it unchanged.": (
        "有 {n} 个尺寸的展平尺寸与该变体自身的输入 {size} 相同（{flatten:,}），因此它训练好的分类器无需改动就能用。"
    ),
    "{n} sizes give the same flatten size as the variant's own input {size} ({flatten:,}), so its trained "
    "classifier would fit them unchanged.": (
        "有 {n} 个尺寸的展平尺寸与该变体自身的输入 {size} 相同（{flatten:,}），因此它训练好的分类器无需改动就能用。"
    ),
    "{name} is invalid at every size from {lo} to {hi}: widen the range or pick another variant.": (
        "{name} 在 {lo} 到 {hi} 的每个尺寸上都无效：请扩大范围，或换一个变体。"
    ),
    "Show only exact sizes": "只显示整除的尺寸",
    "Glossary": "术语表",
    "The words this app uses for each idea, in both languages (the Chinese ones follow d2l and the "
    "AlexNet lecture notes).": "本应用对每个概念使用的中英文术语（中文沿用 d2l《动手学深度学习》和 AlexNet 课程笔记的译法）。",
    "English": "英文",
}

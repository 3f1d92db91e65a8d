"""Lessons (explorer/lessons.py) and the Lessons page (pages/4_Lessons.py)."""

MESSAGES = {
    # explorer/lessons.py
    "At {n}×{n}, how many outputs per side does conv1 give?": "输入为 {n}×{n} 时，conv1 每边输出多少个值？",
    "The paper prints 224": "论文写的是 224",
    "The size that divides exactly": "恰好整除的尺寸",
    "torchvision keeps 224 and pads": "torchvision 保留 224 并加填充",
    "Why 224 exists at all": "为什么会有 224",
    "The 224 mystery": "224 之谜",
    "Why the paper's 224 gives 54, why 227 gives 55, and why 224 exists at all.": (
        "为什么论文的 224 得到 54、227 得到 55，以及为什么会有 224。"
    ),
    "One layer holds most of the weights": "一层就占了大部分权重",
    "And where the compute goes": "计算量又花在哪里",
    "Where the parameters live": "参数量在哪里",
    "The fully connected layers hold almost all the weights; the convolutions do almost all the work.": (
        "全连接层几乎占了全部权重；卷积层几乎承担了全部计算。"
    ),
    "Two GPUs, half the weights": "两块 GPU，权重减半",
    "Where the GPUs talk": "两块 GPU 在哪里交换数据",
    "Two GPUs": "两块 GPU",
    "groups = 2 halves conv2, conv4 and conv5's weights; conv3 and the classifier talk across.": (
        "groups = 2 使 conv2、conv4、conv5 的权重减半；conv3 和分类器跨 GPU 通信。"
    ),
    "Overlapping pooling": "重叠池化",
    "Same size, different view": "尺寸相同，视野不同",
    "Windows of 3 with stride 2 and windows of 2 with stride 2 give the same 27, but see differently.": (
        "窗口 3、步幅 2 与窗口 2、步幅 2 都得到 27，但看到的输入范围不同。"
    ),
    "Local response normalization": "局部响应归一化",
    "PyTorch divides α by n": "PyTorch 会把 α 除以 n",
    "LRN": "LRN",
    "The paper's normalization, what it does to small activations, and PyTorch's α/n.": (
        "论文中的归一化、它对较小激活值的作用，以及 PyTorch 的 α/n。"
    ),
    "The broken flatten": "出错的展平",
    "Predict the error of Linear(256, 4096) after 256×6×6 before seeing it.": (
        "在看到之前，先预测 256×6×6 之后接 Linear(256, 4096) 会报什么错。"
    ),
    "6,400 or 9,216?": "6,400 还是 9,216？",
    "6,400 vs 9,216": "6,400 与 9,216",
    "Why the Keras and d2l versions differ from the paper before fc6.": "为什么 Keras 版和 d2l 版在 fc6 之前与论文不同。",
    "The 2012 paper gives the input as {n}×{n}×3, and conv1 as {c} kernels of {k}×{k} with stride {s} and no padding, giving 55×55×{c}.": (
        "2012 年的论文写输入为 {n}×{n}×3，conv1 为 {c} 个 {k}×{k} 的卷积核、步幅 {s}、无填充，输出 55×55×{c}。"
    ),
    "Work it out before you look: ⌊(W + 2P − K)/S⌋ + 1.": "先自己算一算，再看答案：⌊(W + 2P − K)/S⌋ + 1。",
    "Caffe's reference model and most ports feed {w}×{w} instead.": "Caffe 的参考模型和大多数移植版本改用 {w}×{w} 的输入。",
    "Which input side makes conv1's division exact and gives 55?": "输入边长取多少时，conv1 的除法恰好整除并得到 55？",
    "torchvision's AlexNet keeps the {n}×{n} input and gives conv1 a padding of {p} on each side ({c} kernels of {k}×{k}, stride {s}).": (
        "torchvision 的 AlexNet 保留 {n}×{n} 的输入，给 conv1 每边填充 {p}（{c} 个 {k}×{k} 的卷积核，步幅 {s}）。"
    ),
    "How many outputs per side does torchvision's conv1 give?": "torchvision 的 conv1 每边输出多少个值？",
    "Training used random {c}×{c} patches of the {b}×{b} images, and their horizontal reflections: more training examples from the same photos.": (
        "训练时从 {b}×{b} 的图像中随机裁出 {c}×{c} 的图块，并做水平翻转：同样的照片得到更多训练样本。"
    ),
    "At test time the network saw ten patches: four corners and the centre, and their reflections.": (
        "测试时网络看十个图块：四个角和中心，以及它们的水平翻转。"
    ),
    "By what factor does the paper say this enlarges the training set?": "论文说这让训练集扩大了多少倍？",
    "torchvision's AlexNet has {total} parameters. fc6 connects {i:,} features to {o:,} outputs.": (
        "torchvision 的 AlexNet 共有 {total} 个参数。fc6 把 {i:,} 个特征连接到 {o:,} 个输出。"
    ),
    "What share of all the parameters is in fc6 alone?": "仅 fc6 就占全部参数量的多少？",
    "Parameters are what you store; multiply-accumulates (MACs) are what you compute: {macs} for one image.": (
        "参数量是要存储的；乘加运算（MACs）是要计算的：一张图像需要 {macs} 次。"
    ),
    "What share of the multiply-accumulates do the five convolutions do?": "五个卷积层承担了多少比例的乘加运算？",
    "The paper's network did not fit one 3 GB GPU, so each layer's kernels were split over two. conv2 has {c} kernels of {k}×{k} over {i} input channels, with groups = {g}: each kernel sees only its own GPU's {h} channels.": (
        "论文的网络放不进一块 3 GB 的 GPU，于是每层的卷积核被拆到两块 GPU 上。conv2 有 {c} 个 {k}×{k} 的卷积核，"
        "输入 {i} 个通道，groups = {g}：每个卷积核只看到自己那块 GPU 上的 {h} 个通道。"
    ),
    "How many parameters does conv2 have with groups = {g}?": "groups = {g} 时 conv2 有多少个参数？",
    "The two halves exchange activations only at some layers; everywhere else each GPU works alone.": (
        "两半只在部分层交换激活值；其余各层每块 GPU 独立计算。"
    ),
    "Which of these convolutions sees the channels of both GPUs?": "下面哪个卷积层能看到两块 GPU 的全部通道？",
    "The paper pools with windows of {k} and stride {s}: neighbouring windows overlap by one pixel. pool1 turns conv1's {n}×{n} into {out}×{out}.": (
        "论文的池化窗口为 {k}、步幅为 {s}：相邻窗口重叠一个像素。pool1 把 conv1 的 {n}×{n} 变成 {out}×{out}。"
    ),
    "What does a non-overlapping window of 2, stride 2, give on the same {n}×{n}?": (
        "同样是 {n}×{n}，不重叠的窗口 2、步幅 2 会得到多少？"
    ),
    "One conv1 output sees {rf}×{rf} input pixels, and neighbouring conv1 outputs are {j} pixels apart.": (
        "conv1 的一个输出看到 {rf}×{rf} 个输入像素，相邻的 conv1 输出在输入上相隔 {j} 个像素。"
    ),
    "With window {k}, stride {s}: how many input pixels (per side) does one pool1 output see?": (
        "窗口 {k}、步幅 {s} 时，pool1 的一个输出（每边）看到多少个输入像素？"
    ),
    "LRN divides each activation by (k + α·Σa²)^β, the sum running over {n} neighbouring channels. The paper uses k = {k:g}, n = {n}, α = {a:g}, β = {b:g}.": (
        "LRN 把每个激活值除以 (k + α·Σa²)^β，求和范围是相邻的 {n} 个通道。论文取 k = {k:g}、n = {n}、α = {a:g}、β = {b:g}。"
    ),
    "For small activations the sum is tiny. What does LRN then multiply each activation by?": (
        "激活值较小时，求和项很小。这时 LRN 相当于把每个激活值乘以多少？"
    ),
    "PyTorch's nn.LocalResponseNorm computes k + (alpha/n)·Σa², dividing alpha by the window size n = {n}.": (
        "PyTorch 的 nn.LocalResponseNorm 计算 k + (alpha/n)·Σa²，即把 alpha 除以窗口大小 n = {n}。"
    ),
    "VGG's authors later found LRN does not improve accuracy on ImageNet while costing memory and time.": (
        "VGG 的作者后来发现，LRN 并不能提高 ImageNet 上的准确率，却要耗费内存和时间。"
    ),
    "To get the paper's α = {a:g}, what alpha do you pass to nn.LocalResponseNorm?": (
        "要得到论文的 α = {a:g}，应给 nn.LocalResponseNorm 传入多大的 alpha？"
    ),
    "A blog's AlexNet flattens pool5's {shape} and then writes Linear({i}, {o}): the number of input features is copied from the channel count.": (
        "某篇博客的 AlexNet 把 pool5 的 {shape} 展平后，写了 Linear({i}, {o})：输入特征数误抄成了通道数。"
    ),
    "Predict what PyTorch will say before you open it.": "打开之前，先预测 PyTorch 会报什么错。",
    "How many features arrive at Linear({i}, {o})?": "到达 Linear({i}, {o}) 的特征有多少个？",
    "d2l's AlexNet keeps the paper's conv1 ({k}×{k}, stride {s}) at {n}×{n} with a padding of {pad}.": (
        "d2l 的 AlexNet 保留论文的 conv1（{k}×{k}，步幅 {s}），输入 {n}×{n}，填充 {pad}。"
    ),
    "How many features reach fc6 in d2l's AlexNet?": "d2l 的 AlexNet 中，到达 fc6 的特征有多少个？",
    "So {n} gives {out}, not {up}: the division leaves a remainder of {r}.": "所以 {n} 得到 {out}，而不是 {up}：除法余 {r}。",
    "The division is exact: {out} outputs per side, nothing left over.": "恰好整除：每边 {out} 个输出，没有剩余。",
    "Only {w} leaves no remainder: ({w} − {k}) is a multiple of {s}.": "只有 {w} 没有余数：({w} − {k}) 是 {s} 的倍数。",
    "The padding adds 2P = {pp} to the input, and {out} it is.": "填充给输入加上 2P = {pp}，于是得到 {out}。",
    "({b} − {c})² × 2 = {p}² × 2 = {factor:,}: the paper's factor. Counting both end positions, there are ({p} + 1)² × 2 = {distinct:,} different patches.": (
        "({b} − {c})² × 2 = {p}² × 2 = {factor:,}：这是论文给出的倍数。若把两端的位置都算上，"
        "共有 ({p} + 1)² × 2 = {distinct:,} 个不同的图块。"
    ),
    "fc6: {i:,} × {o:,} + {o:,} = {p:,} parameters, {share:.1f}% of {total:,}.": (
        "fc6：{i:,} × {o:,} + {o:,} = {p:,} 个参数，占 {total:,} 的 {share:.1f}%。"
    ),
    "All three fully connected layers: {fc:.1f}%; all five convolutions: {conv:.1f}%.": (
        "三个全连接层合计：{fc:.1f}%；五个卷积层合计：{conv:.1f}%。"
    ),
    "The convolutions: {conv:,} MACs = {share:.1f}% of {total:,}; the fully connected layers: {fc:.1f}%. A convolution reuses each weight at every position of its map; a fully connected weight is used once.": (
        "卷积层：{conv:,} 次乘加 = {total:,} 的 {share:.1f}%；全连接层：{fc:.1f}%。卷积层的每个权重在特征图的每个位置都被重复使用；"
        "全连接层的每个权重只用一次。"
    ),
    "{c} × ({i}/{g}) × {k} × {k} + {c} = {p:,}; on one GPU (groups = 1) it is {q:,}.": (
        "{c} × ({i}/{g}) × {k} × {k} + {c} = {p:,}；在一块 GPU 上（groups = 1）则是 {q:,}。"
    ),
    "fc6, fc7 and fc8 are fully connected: they see everything.": "fc6、fc7 和 fc8 是全连接层：它们能看到全部输入。",
    "The same size: overlap changes what each output sees, not how many there are.": (
        "尺寸相同：重叠改变的是每个输出看到的范围，而不是输出的个数。"
    ),
    "{rf} + ({k} − 1) × {j} = {out} with window {k}; with window 2 it is {rf} + (2 − 1) × {j} = {other}.": (
        "窗口为 {k} 时：{rf} + ({k} − 1) × {j} = {out}；窗口为 2 时：{rf} + (2 − 1) × {j} = {other}。"
    ),
    "The paper reports that overlapping pooling lowered its top-1 and top-5 error rates by 0.4% and 0.3%.": (
        "论文报告，重叠池化使 top-1 和 top-5 错误率分别降低了 0.4% 和 0.3%。"
    ),
    "b = a / (k + α·Σa²)^β ≈ a / k^β = a × {k:g}^−{b:g} = a × {value:.4f} when α·Σa² ≪ k.": (
        "当 α·Σa² ≪ k 时，b = a / (k + α·Σa²)^β ≈ a / k^β = a × {k:g}^−{b:g} = a × {value:.4f}。"
    ),
    "The Inside page shows the ratio after ÷ before for a real image: nearly that constant.": (
        "“网络内部”页面用真实图像展示 归一化后 ÷ 归一化前 的比值：几乎就是这个常数。"
    ),
    "alpha/n must equal α: alpha = α × n = {a:g} × {n} = {t:g}, i.e. nn.LocalResponseNorm(size={n}, alpha={t:g}, beta={b:g}, k={k:g}).": (
        "alpha/n 必须等于 α：alpha = α × n = {a:g} × {n} = {t:g}，即 nn.LocalResponseNorm(size={n}, alpha={t:g}, beta={b:g}, k={k:g})。"
    ),
    "{c} × {h} × {w} = {n:,} features arrive, and the layer expects {i}:": "到达的特征有 {c} × {h} × {w} = {n:,} 个，而这一层期望 {i} 个：",
    "d2l: {chain}.": "d2l：{chain}。",
    "The paper at 227: {chain}.": "论文（输入 227）：{chain}。",
    "The Keras blog at 224 without padding: {chain}.": "Keras 博客版（输入 224，无填充）：{chain}。",
    "So fc6 has {d:,} parameters in d2l against {q:,} in the paper: {diff:,} fewer.": (
        "所以 d2l 中 fc6 有 {d:,} 个参数，论文中是 {q:,} 个：少了 {diff:,} 个。"
    ),
    "{name}: groups = {g}": "{name}：groups = {g}",
    # pages/4_Lessons.py
    "Open it on the Build page": "在“构建”页打开",
    "Open it on the Inside page": "在“网络内部”页打开",
    "Open it on the Formula page": "在“公式”页打开",
    "Open it on the Compare page": "在“比较变体”页打开",
    "Your prediction": "你的预测",
    "Reveal to everyone": "向全班揭晓答案",
    "Close the room": "关闭投票房间",
    "**{n}** answers so far": "目前已有 **{n}** 个回答",
    "Lessons": "课程",
    "Predict first, then reveal the arithmetic. Every question is computed by the engine from its variant.": (
        "先预测，再揭晓计算过程。每道题的选项和答案都由计算引擎根据对应的变体算出。"
    ),
    "Lesson": "课程",
    "Step {i} of {n}: {title}": "第 {i} 步（共 {n} 步）：{title}",
    "← Previous step": "← 上一步",
    "Next step →": "下一步 →",
    "Class poll": "课堂投票",
    "Reveal the answer": "揭晓答案",
    "Right: {answer}.": "答对了：{answer}。",
    "Random crops": "随机裁剪",
    "Ten crops at test time": "测试时的十个裁剪",
    "PCA colour": "PCA 颜色增广",
    "New sample": "重新采样",
    "The paper averages the network's softmax over these ten patches. Load the ImageNet weights on the Inside page to see the averaged predictions for the torchvision AlexNet.": (
        "论文把网络在这十个图块上的 softmax 输出取平均。在“网络内部”页加载 ImageNet 权重后，"
        "这里会显示 torchvision AlexNet 的平均预测。"
    ),
    "σ of α": "α 的标准差 σ",
    "That room code and teacher key do not match an open room.": "这个房间码和教师密钥对不上任何开放中的房间。",
    "Ask the whole class: students answer on their phones, and you see the tally live.": (
        "向全班提问：学生用手机作答，你能实时看到统计结果。"
    ),
    "Open a class poll": "开启课堂投票",
    "The room {code} has expired or was closed. Open a new one.": "房间 {code} 已过期或已关闭。请新开一个。",
    "Room code: **{code}**": "房间码：**{code}**",
    "Students scan the QR code or open the link, then answer on their phones.": "学生扫描二维码或打开链接，然后在手机上作答。",
    "Join the class poll": "加入课堂投票",
    "Ask the class this question": "向全班提出这道题",
    "Ask it again": "再问一次",
    "Teacher key (to take this room to another browser; do not project it)": "教师密钥（用于在另一个浏览器中接管房间；请勿投影）",
    "This room has closed or expired. Ask your teacher for the new code.": "这个房间已关闭或已过期。请向老师索取新的房间码。",
    "You are in room {code}. Wait for your teacher's first question.": "你已进入房间 {code}。请等待老师提出第一道题。",
    "Your answer is saved: {answer}.": "你的回答已保存：{answer}。",
    "The answer: **{answer}**": "答案：**{answer}**",
    "That is not a room code: codes are 6 letters and digits, like K7Q X2M. Check it and try again.": (
        "这不是有效的房间码：房间码由 6 个字母和数字组成，例如 K7Q X2M。请检查后重试。"
    ),
    "Room code": "房间码",
    "Join": "加入",
    "Join a class poll with a code": "用房间码加入课堂投票",
    "Predict first: choose an answer, then reveal the arithmetic.": "先预测：选一个答案，再揭晓计算过程。",
    "Choose your prediction to unlock the answer.": "选出你的预测后才能查看答案。",
    "You said {chosen}; the answer is {answer}.": "你选的是 {chosen}；答案是 {answer}。",
    "The answer is {answer}.": "答案是 {answer}。",
    "The paper’s augmentation, on a real photo": "论文中的数据增广，用在真实照片上",
    "The paper uses σ = 0.1.": "论文取 σ = 0.1。",
    "The 256×256 image": "256×256 的图像",
    "Back in your room {code}.": "已回到你的房间 {code}。",
    "Resume a room opened in another browser": "接管在另一个浏览器中开启的房间",
    "Teacher key": "教师密钥",
    "Resume": "接管",
    "Your answer": "你的回答",
    "Send my answer": "提交我的回答",
    "This question is closed.": "这道题已停止作答。",
    "No open room has that code. Check it with your teacher.": "没有使用这个房间码的开放房间。请向老师确认。",
    "You were right.": "你答对了。",
    "Not this time: compare your answer with the arithmetic below.": "这次没答对：对照下面的计算过程看看。",
}

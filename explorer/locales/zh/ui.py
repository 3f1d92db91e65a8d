"""Shared page furniture (ui/__init__.py): navigation, language, presenting mode, links, errors."""

MESSAGES = {
    "Current variant (from Build)": "当前变体（来自“构建”页）",
    "Build": "构建",
    "Inside the network": "网络内部",
    "Compare variants": "比较变体",
    "The formula": "公式",
    "Lessons and class poll": "课程与课堂投票",
    "saved: {name}": "已保存：{name}",
    "Sample photo": "示例照片",
    "Pattern": "图案",
    "Upload": "上传",
    "Image": "图像",
    "Upload an image (PNG, JPEG, WebP, BMP or GIF, up to 20 MB)": "上传图像（PNG、JPEG、WebP、BMP 或 GIF，最大 20 MB）",
    "upload: {name}": "上传：{name}",
    "sample: {name}": "示例：{name}",
    "pattern: {name}": "图案：{name}",
    "Presenting mode": "演示模式",
    "Large type for a projector; the controls fold into this sidebar. Also `?present=1` in the URL.": (
        "为投影仪放大字号；控件收进侧边栏。也可在网址中加 `?present=1`。"
    ),
    "🔗 Link and QR code of this page": "🔗 本页链接与二维码",
    "The link opens this page as it is now. Copy it with the button at its right.": (
        "此链接按当前状态打开本页。点右侧按钮即可复制。"
    ),
    "QR code for phones": "手机扫码",
    "Point a phone's camera at it": "用手机相机对准它",
    "This link is too long for a QR code a phone can read; share it as text.": (
        "链接太长，手机无法识别二维码；请以文字形式分享。"
    ),
    "- Arrived: {text}": "- 到达的输入：{text}",
    "- Arithmetic: {text}": "- 计算过程：{text}",
    "- Fix: {text}": "- 修改方法：{text}",
    "Choose an image file, or pick a sample photo or a pattern.": "请选择一个图像文件，或选用示例照片、图案。",
    "That change could not be applied ({error}); your variant is kept as it was.": (
        "这次修改无法应用（{error}）；你的变体保持原样。"
    ),
    "Something went wrong on this page ({error}). Your variant is kept: pick a preset or undo the last change to continue.": (
        "本页出了问题（{error}）。你的变体已保留：选择一个预设或撤销上一次修改即可继续。"
    ),
}

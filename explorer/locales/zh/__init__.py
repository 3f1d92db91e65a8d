"""简体中文. Each module holds `MESSAGES = {English key: 中文}` for one area of the app.

Terms follow explorer/glossary.py (the Chinese sources' words: 卷积层, 步幅, 填充, 池化层/汇聚层, …);
technical tokens (conv1, ReLU, LRN, PyTorch, Caffe, fc6) stay as they are.
"""

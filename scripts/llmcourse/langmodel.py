"""A small language model of Chinese for choosing between mojibake repair candidates.

The model is built from data jieba ships (no download, no training run): ``jieba/dict.txt``,
about 349,000 words with corpus frequencies and a part-of-speech tag (mostly Simplified
Chinese), plus :data:`DOMAIN_WORDS`, the course's technical vocabulary that 1990s news text
lacks.

A string is scored by its best segmentation into dictionary words (a word-unigram model, as
jieba itself segments): a damaged character inside a known word is pinned by the word, a
standalone one by its frequency.  Character n-gram knowledge comes from the within-word
character counts (a character unknown as a word backs off to them).  Traditional text is
scored through OpenCC's ``t2s`` conversion, character by character, so one model serves zh-TW
and zh-CN; :meth:`ChineseLM.script_penalty` then prefers the document's own script among
candidates that convert alike.  jieba's data has no punctuation and no cross-word statistics,
so :meth:`ChineseLM.clause_prior` adds three pieces of clause-level knowledge by hand: a
localiser closing a ``在 … 中`` frame, the word classes that rarely end a clause, and a
classifier after a numeral.

:func:`decode_lattice` finds the best reading of a sequence of positions where some positions
have several candidate characters (Viterbi over word edges, with context on both sides) and the
max-marginal score of every candidate, from which :meth:`LatticeResult.confidence` derives a
confidence.  (A word-class bigram derived from jieba's POS HMM was tried and made things worse
on the development text: it is not used.)

The derived tables are cached under ``<repo>/.cache/`` (anchored to this file, never the cwd)
as a marshal file keyed by jieba's dictionary and the domain vocabulary; without a writable
cache the model is built in memory (about 1-3 s instead of about 0.4 s).
"""

from __future__ import annotations

import functools
import gc
import importlib.util
import marshal
import math
import os
import tempfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from llmcourse import CACHE

CACHE_DIR = CACHE
_CACHE_VERSION = 5

#: Score of a Han character the dictionary has never seen (natural log).
UNKNOWN_HAN_LOGP = -22.0
#: Penalty for using a character's within-word frequency as a standalone word.
BACKOFF = 2.5
#: Clause-level knowledge jieba's data lacks (it has no punctuation): a localiser closing
#: a ``在 … 中`` frame, the classes that rarely end a clause, a classifier after a numeral.
FRAME_OPENERS = frozenset("在从從于於当當")
FRAME_CLOSERS = frozenset("中上下里裡内內时時后後前外间間")
FRAME_BONUS = 2.0
NUMERALS = frozenset("一二三四五六七八九十百千萬万億亿兩两幾几每多數数")
CLASSIFIER_BONUS = 2.0
CLAUSE_PUNCT = frozenset("，。、；：！？）」』】》,.;:!?)")
CLAUSE_FINAL = {"c": -3.0, "p": -3.0, "d": -1.5, "f": 0.5, "uj": 0.5, "ul": 0.5, "y": 0.5}

#: Vocabulary of the course's domain (machine learning, LLMs, programming, technical writing,
#: Taiwan and mainland technical usage) that jieba's 1990s news dictionary lacks or lists as
#: rare.  Written in Simplified characters as OpenCC's character-level ``t2s`` gives them
#: (``資料`` -> ``资料``), added with frequency :data:`DOMAIN_FREQ`.
DOMAIN_WORDS = """
人工智能 人工智慧 机器学习 深度学习 强化学习 监督学习 无监督学习 自监督 半监督 迁移学习 元学习
神经网络 神经网路 类神经网路 卷积 卷积神经网络 循环神经网络 变换器 转换器 注意力 注意力机制
自注意力 多头注意力 交叉注意力 位置编码 编码器 解码器 嵌入 嵌入层 词嵌入 向量 向量化 张量 矩阵
矩阵乘法 线性代数 微积分 导数 偏导数 梯度 梯度下降 随机梯度下降 反向传播 前向传播 损失 损失函数
交叉熵 目标函数 激活函数 激活值 优化器 优化 最佳化 学习率 动量 权重 权重衰减 偏置 参数 超参数
参数量 批次 批量 小批量 批大小 轮次 迭代 收敛 发散 过拟合 欠拟合 正则化 泛化 随机失活 归一化
层归一化 批归一化 残差 残差连接 前馈 前馈网络 全连接 隐藏层 输出层 输入层 模型 大模型 语言模型
大型语言模型 大语言模型 基础模型 预训练 预训练模型 后训练 微调 指令微调 全参数微调 监督微调
偏好 偏好对齐 对齐 奖励模型 奖励 人类回馈 人类反馈 强化 策略 近端策略优化 直接偏好优化 拒绝采样
采样 取样 温度 解码 贪婪解码 束搜索 集束搜索 推理 推论 生成 文本生成 文字生成 提示 提示词 提示工程
提示模板 系统提示 聊天模板 上下文 上下文窗口 上下文长度 长上下文 分词 分词器 词元 标记 令牌
子词 子单字 单字 词汇表 词表 字节 位元 位元组 比特 量化 反量化 低位元 低精度 高精度 半精度 单精度
双精度 混合精度 浮点数 整数 精度 准确率 召回率 困惑度 评估 评测 基准 基准测试 指标 排行榜 排名
资料 数据 资料集 数据集 训练集 测试集 验证集 资料库 数据库 向量资料库 向量数据库 合成数据 合成资料
数据增强 资料增强 数据清洗 资料清理 去重 过滤 标注 注释 语料 语料库 检索 检索增强 检索增强生成
语意 语义 语意搜寻 语义搜索 相似度 余弦相似度 内积 距离 索引 近似 最近邻 分群 聚类 排序 重新排序
代理 智能体 工具 函数调用 函式呼叫 工作流程 流程 管线 部署 推理引擎 服务 伺服器 服务器 显卡 显存
记忆体 内存 硬体 硬件 软体 软件 程式 程序 程式码 代码 原始码 源代码 函式 函数 变数 变量 物件 对象
类别 模组 模块 套件 包管理 框架 函式库 库 介面 接口 应用程序 应用程式 命令行 终端 指令 脚本 档案
文件 目录 路径 设定 配置 预设 默认 安装 依赖 相依 版本 更新 升级 执行 运行 编译 调试 除错 测试
单元测试 日志 记录 快取 缓存 并行 平行 分散式 分布式 资料平行 数据并行 张量平行 张量并行 流水线
管线平行 检查点 吞吐量 延迟 频宽 带宽 效能 性能 速度 加速 记忆 运算 计算 计算量 算力 浮点运算
演算法 算法 架构 模型架构 混合专家 专家 门控 路由 稀疏 稠密 剪枝 蒸馏 知识蒸馏 压缩 合并 模型合并
适配器 低秩 低秩适配 低阶 低阶适配器 秩 分页 分页优化器 梯度检查点 梯度累积 开源 闭源 开源模型
权限 存取 控管 管理 监控 安全 隐私 攻击 越狱 幻觉 偏见 毒性 红队 护栏 防护 浮水印 水印 版权 授权
笔记本 笔记 教程 教学 课程 章节 文章 论文 参考 参考资料 范例 示例 例子 实作 实现 实践 练习 进阶
入门 基础 概念 原理 直觉 技巧 技术 方法 策略 最佳实践 路线图 路线 学习路线 资源 连结 链接 网站
网页 网路 网络 搜寻 搜索 引擎 使用者 用户 开发者 工程师 科学家 研究人员 社群 社区 团队 专案 项目
数学 统计 机率 概率 分布 分配 期望值 方差 变异数 标准差 贝氏 贝叶斯 最大似然 似然 对数 指数 向量空间
特征 特征值 特征向量 维度 高维 降维 主成分 奇异值 多模态 视觉 影像 图像 语音 音讯 音频 视讯 视频
聊天 聊天机器人 对话 问答 翻译 摘要 分类 回归 聚类 预测 生成式 判别式 自回归 扩散 扩散模型
正规表示式 正则表达式 表示式 表达式 字串 字符串 字元 字符 编码 乱码 格式 表格 清单 列表 标题 段落
过程中 其中 之中 当中 文中 实际上 基本上 事实上 以上 以下 之后 之前 反方向 数据量 资料量 大量 少量
一键 一键安装 一键部署 点积 内积 外积 子模型 子领域 子网络 子集 子任务 子问题
瞭解 较低 较高 更低 更高
"""
#: Frequency given to :data:`DOMAIN_WORDS` (jieba's ``训练`` has 7829, ``模型`` 2890).
DOMAIN_FREQ = 2000


def is_han(ch: str) -> bool:
    """Whether ``ch`` is a CJK unified (or compatibility) ideograph."""
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0xF900 <= o <= 0xFAFF
        or 0x20000 <= o <= 0x3134F
        or o == 0x3007
    )


def _dict_path() -> Path:
    """jieba's ``dict.txt``, found without importing jieba (which sets up its own logging)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        raise ImportError("jieba is required for the mojibake language model")
    return Path(spec.origin).resolve().parent / "dict.txt"


# words -> frequency, words -> tag, characters -> within-word count, total, word prefixes
_Tables = tuple[dict[str, int], dict[str, str], dict[str, int], int, set[str]]


def _build_tables(path: Path) -> _Tables:
    """Read jieba's dictionary and the domain vocabulary into the model's tables."""
    with path.open(encoding="utf-8") as fh:
        lines = fh.readlines()
    # the domain vocabulary keeps jieba's tag where jieba has the word
    lines.extend(f"{w} {DOMAIN_FREQ} n\n" for w in dict.fromkeys(DOMAIN_WORDS.split()))
    words: dict[str, int] = {}
    wtags: dict[str, str] = {}
    chars: dict[str, int] = {}
    for line in lines:
        parts = line.split()
        if len(parts) < 2:
            continue
        word, count = parts[0], int(parts[1])
        old = words.get(word, 0)
        if count <= old:
            continue
        words[word] = count
        wtags.setdefault(word, parts[2] if len(parts) > 2 else "x")
        for ch in word:
            chars[ch] = chars.get(ch, 0) + count - old
    prefixes = {w[:i] for w in words for i in range(1, len(w))}
    return words, wtags, chars, sum(words.values()), prefixes


def _load_tables() -> _Tables:
    """Load the tables from the marshal cache, building (and caching) them when needed."""
    path = _dict_path()
    st = path.stat()
    key = zlib.crc32(f"{_CACHE_VERSION} {DOMAIN_FREQ} {DOMAIN_WORDS}".encode())
    cache = CACHE_DIR / f"langmodel-{key:08x}-{st.st_size}-{int(st.st_mtime)}.marshal"
    enabled = gc.isenabled()
    gc.disable()  # millions of small objects: the collector would triple the load time
    try:
        try:
            tables = marshal.loads(cache.read_bytes())  # load(fh) reads in small pieces
            if isinstance(tables, tuple) and len(tables) == 5:
                return tables  # type: ignore[return-value]
        except (OSError, EOFError, ValueError, TypeError):
            pass
        tables = _build_tables(path)
    finally:
        if enabled:
            gc.enable()
    try:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=CACHE_DIR, prefix=".langmodel-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            marshal.dump(tables, fh)
        os.replace(tmp, cache)
    except OSError:
        pass  # a read-only checkout still works: it rebuilds the tables each run
    return tables


@dataclass
class LatticeResult:
    """Outcome of :func:`decode_lattice`.

    ``choice[i]`` is the index of the chosen candidate at position ``i``; ``scores[i][k]`` the
    best total log-probability of any reading that uses candidate ``k`` at position ``i``;
    ``path`` the best reading's words as ``(start, end)``.
    """

    choice: list[int]
    scores: list[list[float]]
    best: float
    path: list[tuple[int, int]]

    def confidence(self, i: int, temperature: float = 1.0) -> float:
        """Posterior-like confidence of the chosen candidate at position ``i``.

        The softmax of the candidates' max-marginal scores: 1.0 when no other candidate comes
        close, 0.5 for a tie between two.
        """
        row = self.scores[i]
        if len(row) < 2:
            return 1.0
        best = row[self.choice[i]]
        total = sum(math.exp((s - best) / temperature) for s in row if s > -math.inf)
        return 1.0 / total if total > 0 else 0.0


class ChineseLM:
    """Word-unigram model of Chinese built from jieba's dictionary, script-agnostic via OpenCC."""

    def __init__(self) -> None:
        import opencc

        words, wtags, chars, total, prefixes = _load_tables()
        self.total = total
        self._log_total = math.log(total)
        self.words = words
        self.wtags = wtags
        self.chars = chars
        self.prefixes = prefixes
        self.max_word = max(map(len, words))
        self._t2s = opencc.OpenCC("t2s")
        self._s2t = opencc.OpenCC("s2t")
        self._s2tw = opencc.OpenCC("s2tw")
        self._simp: dict[str, str] = {}
        self._single: dict[str, float] = {}
        self._penalty: dict[tuple[str, str], float] = {}

    # -- characters and words ------------------------------------------------------------------
    def simplified(self, ch: str) -> str:
        """One character through OpenCC ``t2s`` (identity for non-Han and unmapped characters)."""
        s = self._simp.get(ch)
        if s is None:
            s = self._t2s.convert(ch) if is_han(ch) else ch
            if len(s) != 1:
                s = ch
            self._simp[ch] = s
        return s

    def word_logp(self, simp: str) -> float | None:
        """Log-probability of a (Simplified) dictionary word, or None."""
        c = self.words.get(simp)
        return math.log(c) - self._log_total if c else None

    def single_logp(self, ch: str) -> float:
        """Log-probability of ``ch`` as a one-character word (else from its character count)."""
        v = self._single.get(ch)
        if v is None:
            s = self.simplified(ch)
            c = self.words.get(s)
            if c:
                v = math.log(c) - self._log_total
            else:
                cc = self.chars.get(s)
                v = (math.log(cc) - self._log_total - BACKOFF) if cc else UNKNOWN_HAN_LOGP
            self._single[ch] = v
        return v

    def tag(self, ch: str) -> str:
        """jieba's part-of-speech tag of ``ch`` as a one-character word (``""`` if none)."""
        return self.wtags.get(self.simplified(ch), "")

    # -- scripts ---------------------------------------------------------------------------------
    def script_of(self, text: str) -> str:
        """``"hant"``, ``"hans"`` or ``"unknown"`` from the Han characters of ``text``."""
        han = "".join(ch for ch in text if is_han(ch))[:20000]
        if not han:
            return "unknown"
        simp = self._t2s.convert(han)
        trad = self._s2t.convert(han)
        n_trad = sum(1 for a, b in zip(han, simp, strict=False) if a != b)
        n_simp = sum(1 for a, b in zip(han, trad, strict=False) if a != b)
        if n_trad > 2 * n_simp and n_trad >= 2:
            return "hant"
        if n_simp > 2 * n_trad and n_simp >= 2:
            return "hans"
        return "unknown"

    def script_penalty(self, ch: str, script: str) -> float:
        """Penalty for a character of the other script (or a rare variant form).

        Candidates that OpenCC maps onto the same Simplified character score alike; this picks
        the form the document's script uses.
        """
        if script == "unknown" or not is_han(ch):
            return 0.0
        key = (ch, script)
        v = self._penalty.get(key)
        if v is None:
            s = self.simplified(ch)
            if script == "hans":
                v = -6.0 if s != ch else 0.0
            elif s == ch:
                v = -6.0 if self._s2t.convert(ch) != ch else 0.0
            elif ch in (self._s2t.convert(s), self._s2tw.convert(s)):
                v = 0.0
            else:
                v = -1.5
            self._penalty[key] = v
        return v

    # -- clause-level knowledge ----------------------------------------------------------------
    def clause_prior(self, ch: str, before: str, after: str | None) -> float:
        """Prior for Han ``ch`` from its clause.

        ``before`` is the text before it on the line, ``after`` the character following it
        (None at the end of the line).
        """
        score = 0.0
        if ch in FRAME_CLOSERS:
            for c in reversed(before[-15:]):
                if c in CLAUSE_PUNCT:
                    break
                if c in FRAME_OPENERS:
                    score += FRAME_BONUS
                    break
        if after is None or after in CLAUSE_PUNCT:
            score += CLAUSE_FINAL.get(self.tag(ch), 0.0)
        prev = before.rstrip(" \t")[-1:]
        if prev and (prev.isdigit() or prev in NUMERALS) and self.tag(ch) == "q":
            score += CLASSIFIER_BONUS  # numeral + classifier: 4 位, 三個
        return score


@functools.cache
def load_model() -> ChineseLM:
    """The language model, loaded once per process."""
    return ChineseLM()


_Edge = tuple[int, float, tuple[int, ...]]  # end, score, candidate index per position


def decode_lattice(
    lm: ChineseLM,
    positions: Sequence[Sequence[tuple[str, float]]],
    other_logp: Callable[[int, str], float],
) -> LatticeResult:
    """Best reading of a lattice of candidate characters.

    ``positions[i]`` lists ``(char, prior)`` candidates (one for an intact character).  Han
    candidates are scored with dictionary words spanning several positions or as single
    characters; other characters with ``other_logp(i, char)``.  ``prior`` is added wherever a
    candidate is used.
    """
    n = len(positions)
    neg = -math.inf
    simp = [[lm.simplified(c) for c, _ in cands] for cands in positions]
    han = [[is_han(c) for c, _ in cands] for cands in positions]
    edges: list[list[_Edge]] = [[] for _ in range(n)]
    for i in range(n):
        for k, (ch, prior) in enumerate(positions[i]):
            base = lm.single_logp(ch) if han[i][k] else other_logp(i, ch)
            edges[i].append((i + 1, base + prior, (k,)))
        # multi-character words: extend through the candidates while they stay a prefix
        stack: list[tuple[int, str, tuple[int, ...], float]] = []
        for k, (_, prior) in enumerate(positions[i]):
            if han[i][k] and simp[i][k] in lm.prefixes:
                stack.append((i + 1, simp[i][k], (k,), prior))
        while stack:
            j, s, ks, pr = stack.pop()
            if j >= n:
                continue
            for k, (_, prior) in enumerate(positions[j]):
                if not han[j][k]:
                    continue
                s2 = s + simp[j][k]
                ks2 = (*ks, k)
                wl = lm.word_logp(s2)
                if wl is not None:
                    edges[i].append((j + 1, wl + pr + prior, ks2))
                if s2 in lm.prefixes and len(s2) < lm.max_word:
                    stack.append((j + 1, s2, ks2, pr + prior))
    fwd = [neg] * (n + 1)
    fwd[0] = 0.0
    back: list[tuple[int, tuple[int, ...]] | None] = [None] * (n + 1)
    for i in range(n):
        if fwd[i] == neg:
            continue
        for j, sc, ks in edges[i]:
            v = fwd[i] + sc
            if v > fwd[j]:
                fwd[j] = v
                back[j] = (i, ks)
    bwd = [neg] * (n + 1)
    bwd[n] = 0.0
    for i in range(n - 1, -1, -1):
        for j, sc, _ in edges[i]:
            v = sc + bwd[j]
            if v > bwd[i]:
                bwd[i] = v
    scores = [[neg] * len(c) for c in positions]
    for i in range(n):
        for j, sc, ks in edges[i]:
            total = fwd[i] + sc + bwd[j]
            for off, k in enumerate(ks):
                row = scores[i + off]
                if total > row[k]:
                    row[k] = total
    choice = [0] * n
    path: list[tuple[int, int]] = []
    j = n
    while j > 0:
        bp = back[j]
        if bp is None:  # unreachable: every position has single-character edges
            break
        i, ks = bp
        for off, k in enumerate(ks):
            choice[i + off] = k
        path.append((i, j))
        j = i
    path.reverse()
    return LatticeResult(choice, scores, fwd[n], path)

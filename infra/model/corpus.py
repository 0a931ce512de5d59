"""The parity corpus: at least 200 varied texts (English, Chinese, mixed, long, near-empty)."""

ENGLISH = [
    "How do I reset my password?",
    "The quick brown fox jumps over the lazy dog.",
    "ChatGPT is a conversational assistant made by OpenAI.",
    "Search GitHub repositories by topic and star count.",
    "Summarise this article in three bullet points.",
    "What is the weather like in Shanghai tomorrow?",
    "Midjourney turns text prompts into images.",
    "Translate the meeting notes into Chinese.",
    "A vector database stores embeddings for similarity search.",
    "Schedule the report to run every weekday at nine.",
    "The invoice total was 1,284.50 dollars including tax.",
    "Python decorators wrap functions to add behaviour.",
    "Please send the quarterly numbers before Friday.",
    "Retrieval augmented generation grounds answers in documents.",
    "My favourite coffee shop closes early on Sundays.",
    "Kubernetes schedules containers across a cluster of machines.",
    "An apple a day keeps the doctor away.",
    "Write a polite email declining the invitation.",
    "The model was fine-tuned on customer support transcripts.",
    "Which AI tools can edit video automatically?",
]
CHINESE = [
    "如何重置我的密码？",
    "今天上海的天气怎么样？",
    "帮我把这篇文章总结成三点。",
    "写作助手可以帮助你润色文章。",
    "这个工具在国内可以直接访问吗？",
    "请把会议纪要翻译成英文。",
    "向量数据库用于相似度搜索。",
    "每个工作日早上九点运行报告。",
    "人工智能正在改变我们的工作方式。",
    "推荐几个适合做视频剪辑的 AI 工具。",
    "我最喜欢的咖啡店周日关门很早。",
    "检索增强生成可以减少模型的幻觉。",
    "这家公司的发票总额是一千二百八十四元。",
    "请用礼貌的语气写一封拒绝邀请的邮件。",
    "深度学习模型需要大量的训练数据。",
    "文心一言是百度推出的大语言模型。",
    "通义千问支持长文本理解。",
    "自动生成每日工作简报并发送到邮箱。",
    "用 Python 写一个爬虫需要注意什么？",
    "学生可以用这个工具来练习英语口语。",
]
MIXED = [
    "用 ChatGPT 写一份 product requirement document",
    "DeepSeek API 的 rate limit 是多少？",
    "把 README.md 翻译成中文",
    "GitHub Copilot 和 通义灵码 哪个更好用？",
    "Stable Diffusion 生成图片 prompt 技巧",
]
NEAR_EMPTY = ["", " ", "a", "?", "。", "好", "ok", "\n", "42", "🙂"]


def corpus() -> list[str]:
    """Deterministic: base texts, their pairings, casing variants, long documents, near-empty strings."""
    base = ENGLISH + CHINESE + MIXED
    texts = list(base)
    texts += [f"{a} {b}" for a, b in zip(ENGLISH, CHINESE, strict=True)]
    texts += [text.upper() for text in ENGLISH]
    texts += [f"问题：{text} 请详细回答。" for text in CHINESE]
    texts += [" ".join(ENGLISH[i:] + ENGLISH[:i]) * 3 for i in range(0, 20, 2)]  # far past max length
    texts += ["".join(CHINESE[i:] + CHINESE[:i]) * 2 for i in range(0, 20, 2)]
    texts += [f"{word} " * n for n, word in enumerate(["data", "模型", "search", "工具", "agent"], start=1)]
    texts += NEAR_EMPTY
    texts += [f"Item {n}: {ENGLISH[n % 20].lower()} ({CHINESE[n % 20]})" for n in range(70)]
    return texts

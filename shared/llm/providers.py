"""Providers a user may bring their own key for, and their OpenAI-compatible base URLs (None: the user
gives one, e.g. their own vLLM server). Light on purpose: graph validation imports it."""

PROVIDERS: dict[str, str | None] = {
    "deepseek": "https://api.deepseek.com",
    "openai": "https://api.openai.com/v1",
    "qwen": "https://dashscope.aliyuncs.com/compatible-mode/v1",
    "moonshot": "https://api.moonshot.cn/v1",
    "zhipu": "https://open.bigmodel.cn/api/paas/v4",
    "custom": None,
}

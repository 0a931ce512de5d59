from sqlalchemy import literal, select

from shared.search.hybrid import reciprocal_rank_fusion, trigram_similarity


def test_items_ranked_well_by_both_lists_win():
    keyword = ["chatgpt", "claude", "gemini"]
    semantic = ["claude", "chatgpt", "kimi"]
    fused = [key for key, _ in reciprocal_rank_fusion([keyword, semantic])]
    assert fused[:2] == ["chatgpt", "claude"]
    assert set(fused) == {"chatgpt", "claude", "gemini", "kimi"}


def test_a_single_ranking_keeps_its_order_and_scores_follow_rrf():
    fused = reciprocal_rank_fusion([["a", "b", "c"]], k=60)
    assert [key for key, _ in fused] == ["a", "b", "c"]
    assert fused[0][1] == 1 / 61


def test_trigram_similarity_survives_typos_in_postgres(db):
    score = db.scalar(select(trigram_similarity("chatgtp", literal("ChatGPT"), literal("写作助手"))))
    unrelated = db.scalar(select(trigram_similarity("chatgtp", literal("Midjourney"))))
    assert score > unrelated


def test_query_tokens_split_chinese_into_bigrams_and_drop_short_words():
    from shared.search.hybrid import query_tokens

    assert query_tokens("写作助手 for AI writing") == ["写作", "作助", "助手", "writing"]
    assert query_tokens("好") == ["好"]

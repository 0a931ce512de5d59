"""A user's interests (clusters of the tools they touched) and the interleaving of their rankings."""

import uuid
from types import SimpleNamespace

import numpy as np

from shared.interactions.service import interests, interleave


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_similar_tools_form_one_interest_and_distant_ones_another_with_their_share():
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    vectors = {a: unit(1, 0.1, 0), b: unit(1, 0, 0.1), c: unit(0, 0, 1)}
    groups = interests(vectors, {a: 2.0, b: 1.0, c: 1.0})
    assert [round(share, 2) for _, share in groups] == [0.75, 0.25]
    assert float(groups[0][0] @ unit(1, 0, 0)) > 0.99 and float(groups[1][0] @ unit(0, 0, 1)) > 0.99


def test_past_the_maximum_a_tool_joins_the_nearest_interest():
    axes = [uuid.uuid4() for _ in range(4)]
    vectors = {tool: unit(*[1.0 if i == n else 0.0 for i in range(4)]) for n, tool in enumerate(axes)}
    groups = interests(vectors, dict.fromkeys(axes, 1.0))
    assert len(groups) == 3 and round(sum(share for _, share in groups), 6) == 1.0


def ranked(*names: str) -> list[tuple[SimpleNamespace, float, str]]:
    return [(SimpleNamespace(id=name), 1.0, "reason") for name in names]


def test_rankings_interleave_in_proportion_to_their_shares_without_repeats():
    placed = interleave([ranked("a1", "a2", "a3", "shared"), ranked("shared", "b1", "b2")], [0.67, 0.33], 6)
    assert [tool.id for tool, _, _ in placed] == ["a1", "shared", "a2", "a3", "b1", "b2"]


def test_an_exhausted_ranking_leaves_its_places_to_the_others():
    placed = interleave([ranked("a1"), ranked("b1", "b2", "b3")], [0.5, 0.5], 10)
    assert [tool.id for tool, _, _ in placed] == ["a1", "b1", "b2", "b3"]

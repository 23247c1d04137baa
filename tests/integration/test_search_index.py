"""Rebuilding the search indexes: the same answers as before, notes included; a
cancelled rebuild changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from branchdesk.services import cases, queries, search_index
from branchdesk.services.search_index import Cancelled
from tests.conftest import Branch, complaint_form


def answers(branch: Branch) -> dict[str, list[str]]:
    return {
        q: [c.number for c in queries.search(branch.ctx, q, limit=200)]
        for q in ("信号弱", "张三", "张", "光猫指示灯", "KD0200012345", "13812345678")
    }


def test_rebuild_gives_the_same_answers(branch: Branch, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_index, "CHUNK", 3)  # several chunks
    made = [
        cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number for _ in range(7)
    ]
    cases.act(
        branch.ctx,
        number=made[2],
        action="add_note",
        params={"text": "上门发现光猫指示灯异常"},
        actor="A001",
    )
    before = answers(branch)
    assert before["光猫指示灯"] == [made[2]] and len(before["信号弱"]) == 7
    with branch.ctx.db.write() as conn:  # a damaged index: most entries gone
        conn.execute(text("DELETE FROM case_search WHERE rowid > 1"))
    assert answers(branch) != before
    seen: list[int] = []
    done = search_index.rebuild_search_index(
        branch.ctx, actor="A001", progress=lambda d, t: seen.append(d) is None
    )
    assert done == 7 and seen == [3, 6, 7]
    assert answers(branch) == before


def test_cancelled_rebuild_changes_nothing(branch: Branch) -> None:
    for _ in range(4):
        cases.intake(branch.ctx, form=complaint_form(), actor="A001")
    before = answers(branch)
    with pytest.raises(Cancelled):
        search_index.rebuild_search_index(branch.ctx, actor="A001", progress=lambda d, t: False)
    assert answers(branch) == before

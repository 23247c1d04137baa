"""The repair of a first-release database fills the short-query index exactly as the
edited 0002 would have: its tokenizer is a copy of 0002's frozen one."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from branchdesk.persistence.migrate import _config
from branchdesk.persistence.migrations import repairs


def test_the_repair_tokenizes_as_migration_0002() -> None:
    script = ScriptDirectory.from_config(_config()).get_revision("0002")
    assert script is not None
    for texts in (("张三", "家中 信号弱经常掉线"), ("Alice Smith", "国际漫游资费咨询"), ("", "")):
        assert repairs.short_tokens(*texts) == script.module.short_tokens(*texts)
    assert repairs.short_tokens("张三", "断网") == "三 张 张三 断 断网 网"

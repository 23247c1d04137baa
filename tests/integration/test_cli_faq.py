"""The FAQ and appointment-book commands on a fresh branch, as a script runs them."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.integration.conftest import Cli
from tests.integration.test_cli import NEW


def _kind(kind: str, category: str, *extra: str) -> list[str]:
    args = list(NEW)
    args[args.index("--kind") + 1] = kind
    args[args.index("--category") + 1] = category
    return [*args, *extra]


def test_faq_search_show_and_answer_with(cli: Cli) -> None:
    hits = cli.json("faq", "search", "补卡", "--language", "zh_CN")
    assert hits[0]["id"] == "sim-replacement" and hits[0]["source"] == "shipped"
    code, text, _ = cli("faq", "search", "卡")  # one character, a table
    assert code == 0 and "sim-replacement" in text
    shown = cli.json("faq", "show", "porting-conditions", "--language", "en")
    assert shown["version"] == 1 and "authorisation code" in shown["body"]
    code, _, err = cli("faq", "show", "no-such-article")
    assert code == 4 and "no-such-article" in err
    number = cli.json(*_kind("consultation", "consultation/roaming"))["case"]["number"]
    answered = cli.json("case", "answer-with", number, "billing-dispute")
    assert answered["case"]["state"] == "resolved"
    assert cli.json("faq", "show", "billing-dispute")["uses"] == 1


def test_appointments_day_and_week(cli: Cli) -> None:
    tomorrow = (datetime.now() + timedelta(days=1)).date()
    slot = ["--appointment-type", "宽带上门维修", "--appointment-staff", "王师傅"]
    first = cli.json(
        *_kind(
            "service_request",
            "service_request/broadband_install",
            *slot,
            "--appointment-start",
            f"{tomorrow}T09:00",
            "--appointment-end",
            f"{tomorrow}T10:00",
        )
    )["case"]["number"]
    code, _, err = cli(
        *_kind(
            "service_request",
            "service_request/broadband_install",
            *slot,
            "--appointment-start",
            f"{tomorrow}T09:30",
            "--appointment-end",
            f"{tomorrow}T11:00",
        )
    )
    assert code == 2 and first in err  # the clashing case is named
    day = cli.json("appointments", "day", "--date", str(tomorrow), "--staff", "王师傅")
    assert [(e["case"], e["status"]) for e in day] == [(first, "booked")]
    assert [e["case"] for e in cli.json("appointments", "week", "--date", str(tomorrow))] == [first]
    assert cli.json("appointments", "day", "--date", str(tomorrow), "--staff", "李师傅") == []
    cli.json("case", "act", first, "record_missed_appointment", "--note", "家中无人")
    assert cli.json("appointments", "day", "--date", str(tomorrow), "--remind") == []

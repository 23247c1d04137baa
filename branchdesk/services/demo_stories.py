"""The demo's stories: who the staff are, what customers are called and say, and the
paths cases take through the process (with realistic delays between the steps). Words
and story texts are data (`resources/demo/words.json`)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from branchdesk.domain.model import Customer
from branchdesk.resources_access import read_json

DEMO_STAFF = (
    ("C101", "王晓燕", ("clerk",)),
    ("C102", "陈立新", ("clerk",)),
    ("C103", "赵敏", ("clerk", "handler")),
    ("H201", "刘志强", ("handler",)),
    ("H202", "孙丽华", ("handler",)),
    ("H203", "周建国", ("handler",)),
    ("M301", "吴海涛", ("manager", "handler")),
    ("R401", "郑雅琴", ("archivist",)),
)
CLERKS = ("C101", "C102", "C103")
HANDLERS = ("H201", "H202", "H203", "C103", "M301")


class Words:
    def __init__(self) -> None:
        data = read_json("demo/words.json")
        self.surnames: list[str] = data["surnames"]
        self.given: str = data["given_chars"]
        self.districts: list[str] = data["districts"]
        self.streets: list[str] = data["streets"]
        self.stories: dict[str, list[dict[str, str]]] = data["stories"]
        self.prefixes: list[str] = data["mobile_prefixes"]


def customer(rng: random.Random, w: Words) -> Customer:
    name = rng.choice(w.surnames) + "".join(
        rng.choice(w.given) for _ in range(rng.choice((1, 2, 2)))
    )
    phone = rng.choice(w.prefixes) + f"{rng.randrange(10**8):08d}"
    service = phone if rng.random() < 0.6 else f"KD{rng.randrange(10**10):010d}"
    address = f"{rng.choice(w.districts)}{rng.choice(w.streets)}{rng.randint(1, 300)}号"
    return Customer(name=name, phone=phone, service_number=service, address=address)


def received_times(rng: random.Random, n: int, now: datetime, days: int) -> list[datetime]:
    """Intake times over the last `days`, during opening hours, busier recently."""
    out = []
    for _ in range(n):
        age = min(days - 1, int(rng.expovariate(3.0 / days)))
        day = (now - timedelta(days=age)).date()
        minute = rng.randint(8 * 60 + 30, 18 * 60 + 30)
        at = datetime(
            day.year,
            day.month,
            day.day,
            minute // 60,
            minute % 60,
            rng.randrange(60),
            tzinfo=now.tzinfo,
        )
        out.append(min(at, now - timedelta(minutes=1)))
    out.sort()
    return out


def hours(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(hours=rng.uniform(low, high))


def complaint_path(rng: random.Random) -> Iterator[tuple[str, dict[str, Any], timedelta]]:
    handler = rng.choice(HANDLERS)
    yield "acknowledge", {}, timedelta(minutes=rng.uniform(2, 40))
    yield "assign", {"to": handler}, hours(rng, 0.2, 6)
    if rng.random() < 0.06:
        yield (
            "request_escalation",
            {"reason": "repeated", "detail": "用户多次投诉同一问题"},
            hours(rng, 1, 8),
        )
        yield (
            "approve_escalation",
            {"supervisor": "M301", "comment": "同意升级督办"},
            hours(rng, 1, 24),
        )
    yield (
        "record_investigation",
        {"stage": "initial", "methods": ["system_data"], "findings": "核查业务系统记录，情况属实"},
        hours(rng, 2, 30),
    )
    if rng.random() < 0.08:
        yield "pause", {"reason": "等待用户提供缴费凭证"}, hours(rng, 1, 12)
        yield "resume", {"note": "用户已提供材料"}, hours(rng, 24, 96)
    if rng.random() < 0.5:
        yield (
            "record_investigation",
            {
                "stage": "detailed",
                "methods": ["on_site", "interview"],
                "findings": "现场复核并与用户面谈",
            },
            hours(rng, 24, 120),
        )
    yield (
        "determine_responsibility",
        {
            "party": rng.choice(("carrier", "carrier", "customer", "third_party")),
            "explanation": "根据调查结果认定责任",
        },
        hours(rng, 4, 72),
    )
    yield (
        "reply_customer",
        {"channel": "phone", "summary": "电话告知用户调查进展"},
        hours(rng, 1, 24),
    )
    yield (
        "plan",
        {
            "measures": ["compensation", "written_explanation"],
            "detail": "减免当月相关费用并书面说明",
            "compensation_fen": rng.choice((0, 1000, 2000, 5000)),
        },
        hours(rng, 2, 48),
    )
    yield (
        "resolve",
        {"result": "已按方案处理完毕", "cause_analysis": "系统配置错误导致"},
        hours(rng, 12, 200),
    )
    satisfied = rng.random() < 0.88
    yield (
        "record_feedback",
        {
            "satisfied": satisfied,
            "score": rng.randint(4, 5) if satisfied else rng.randint(1, 2),
            "channel": "phone",
        },
        hours(rng, 2, 48),
    )
    if not satisfied:
        yield "reopen", {"reason": "用户对处理结果不满意，要求进一步处理"}, hours(rng, 1, 24)
        yield (
            "record_investigation",
            {"stage": "detailed", "methods": ["third_party"], "findings": "邀请第三方复测"},
            hours(rng, 24, 96),
        )
        yield (
            "determine_responsibility",
            {"party": "carrier", "explanation": "复核后认定"},
            hours(rng, 4, 48),
        )
        yield "plan", {"measures": ["rectification"], "detail": "整改并补偿"}, hours(rng, 4, 48)
        yield "resolve", {"result": "整改完成"}, hours(rng, 24, 120)
        yield "record_feedback", {"satisfied": True, "score": 4}, hours(rng, 2, 48)
    yield "close", {"summary": "用户满意，结案"}, hours(rng, 1, 48)
    yield "archive", {}, hours(rng, 12, 60)


def service_path(rng: random.Random) -> Iterator[tuple[str, dict[str, Any], timedelta]]:
    yield "acknowledge", {}, timedelta(minutes=rng.uniform(2, 60))
    yield "assign", {"to": rng.choice(HANDLERS)}, hours(rng, 0.5, 8)
    yield "start_work", {}, hours(rng, 2, 48)
    yield "resolve", {"result": "已上门办理完成"}, hours(rng, 4, 240)
    yield "close", {}, hours(rng, 1, 48)
    yield "archive", {}, hours(rng, 12, 60)


def consultation_path(rng: random.Random) -> Iterator[tuple[str, dict[str, Any], timedelta]]:
    yield "answer", {"answer": "已按常见问题解答向用户说明"}, timedelta(minutes=rng.uniform(3, 300))
    yield "close", {}, hours(rng, 0.2, 30)
    yield "archive", {}, hours(rng, 12, 60)


PATHS = {
    "complaint": complaint_path,
    "service_request": service_path,
    "consultation": consultation_path,
}

"""Incident rules: what a valid incident holds, its notification deadline (2 h for a
major response level, 4 h for a general one: wall-clock hours, holidays included) and
which complaints it is suggested for (same service and same area, not others)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from branchdesk.domain.errors import ValidationError
from branchdesk.domain.followup_policy import load_default_followup_policy
from branchdesk.domain.incidents import (
    IncidentDraft,
    Resolution,
    area_matches,
    check_incident,
    check_resolution,
    format_incident_number,
    notification_due,
    service_matches,
)

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 10, 1, 20, 0, tzinfo=SH)  # a public holiday evening
RULES = load_default_followup_policy().incidents
DRAFT = IncidentDraft(
    type="network_outage",
    level=1,
    started_at=NOW - timedelta(minutes=30),
    district=" 天河区 ",
    street="体育西路",
    services=["technical/network", " 宽带 ", "宽带"],
    scope="体育西路沿线约两千户宽带中断",
)


def fields(exc: ValidationError) -> set[str]:
    return {e.field for e in exc.errors}


def test_a_valid_incident_is_cleaned() -> None:
    clean = check_incident(DRAFT, now=NOW)
    assert clean.district == "天河区"
    assert clean.services == ("technical/network", "宽带")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"type": "earthquake"}, "type"),
        ({"level": 4}, "level"),
        ({"level": 0}, "level"),
        ({"district": "  "}, "district"),
        ({"services": ["", " "]}, "services"),
        ({"scope": ""}, "scope"),
        ({"started_at": NOW + timedelta(hours=1)}, "started_at"),
        ({"expected_recovery_at": NOW - timedelta(hours=2)}, "expected_recovery_at"),
        ({"cause": "x" * 4001}, "cause"),
    ],
)
def test_bad_fields_are_named(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        check_incident(replace(DRAFT, **changes), now=NOW)  # type: ignore[arg-type]
    assert field in fields(caught.value)


def test_every_bad_field_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        check_incident(replace(DRAFT, district="", scope="", services=[]), now=NOW)
    assert fields(caught.value) == {"district", "scope", "services"}


@pytest.mark.parametrize(("level", "hours"), [(1, 2), (2, 2), (3, 4)])
def test_notification_deadline_in_wall_clock_hours(level: int, hours: int) -> None:
    # Holidays do not stop this clock: a holiday evening outage is due the same night.
    assert notification_due(NOW, level, RULES) == NOW + timedelta(hours=hours)


def test_resolution_needs_root_cause_and_explanation() -> None:
    with pytest.raises(ValidationError) as caught:
        check_resolution(Resolution(root_cause="", explanation=" "))
    assert fields(caught.value) == {"root_cause", "explanation"}
    ok = check_resolution(Resolution(root_cause="光缆被挖断", explanation="已抢修恢复"))
    assert ok.compensation_fen == 0


def test_incident_number() -> None:
    assert format_incident_number("GZ0012", 2026, 7) == "GZ0012-I2026-0007"


@pytest.mark.parametrize(
    ("category", "business", "matches"),
    [
        ("technical/network", None, True),
        ("technical/equipment", "宽带", True),  # named by business
        ("technical/equipment", "家庭宽带业务", True),
        ("policy/tariff", None, False),
        ("technical/networking", None, False),  # a prefix is not a parent
    ],
)
def test_service_matching(category: str, business: str | None, matches: bool) -> None:
    assert service_matches(["technical/network", "宽带"], category, business) is matches


def test_a_parent_category_covers_its_children() -> None:
    assert service_matches(["technical"], "technical/network", None)
    assert not service_matches(["technical"], "policy/tariff", None)


@pytest.mark.parametrize(
    ("places", "matches"),
    [
        (["天河区体育西路100号"], True),
        (["家中", "广州市 天河区 体育西路 3号"], True),  # spaces do not matter
        (["天河区天河北路1号"], False),  # same district, other street
        (["越秀区体育西路"], False),  # the street name in another district
        ([], False),
    ],
)
def test_area_matching_with_a_street(places: list[str], matches: bool) -> None:
    assert area_matches("天河区", "体育西路", "", places) is matches


def test_area_matching_by_district_or_cell() -> None:
    assert area_matches("天河区", "", "", ["天河区天河北路1号"])
    assert area_matches("越秀区", "", "体育西基站", ["靠近体育西基站"])
    assert not area_matches("越秀区", "", "体育西基站", ["天河区"])

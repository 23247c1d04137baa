"""The category catalogue: the shipped defaults and the checks on published versions."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from branchdesk.domain.catalogue import Catalogue, CatalogueError, load_default_catalogue
from branchdesk.domain.model import CaseKind
from branchdesk.i18n import translate

COMPLAINT_LEAVES = {
    "service_quality/attitude",
    "service_quality/efficiency",
    "service_quality/content",
    "technical/network",
    "technical/equipment",
    "technical/system",
    "policy/tariff",
    "policy/plan_change",
    "policy/promotion",
    "process/complaint_handling",
    "process/response_time",
    "process/feedback",
}


def _doc() -> dict[str, Any]:
    return {
        "version": "test.1",
        "categories": [
            {
                "code": "technical",
                "names": {"zh_CN": "服务技术", "en": "Technical"},
                "kinds": ["complaint", "service_request"],
                "children": [
                    {"code": "network", "names": {"zh_CN": "网络", "en": "Network"}},
                    {
                        "code": "equipment",
                        "names": {"zh_CN": "设备", "en": "Equipment"},
                        "kinds": ["service_request"],
                    },
                    {
                        "code": "legacy",
                        "names": {"zh_CN": "旧系统", "en": "Legacy"},
                        "active": False,
                    },
                ],
            },
            {
                "code": "enquiry",
                "names": {"zh_CN": "咨询", "en": "Enquiry"},
                "kinds": ["consultation"],
                "children": [{"code": "other", "names": {"zh_CN": "其他", "en": "Other"}}],
            },
        ],
    }


def test_default_catalogue_has_the_complaint_categories_of_the_manual() -> None:
    catalogue = load_default_catalogue()
    complaint = {c.code for c in catalogue.for_kind(CaseKind.COMPLAINT)}
    assert complaint == COMPLAINT_LEAVES


def test_default_catalogue_serves_every_kind() -> None:
    catalogue = load_default_catalogue()
    requests = {c.code for c in catalogue.for_kind("service_request")}
    assert {
        "service_request/broadband_install",
        "service_request/plan_change",
        "service_request/fault_repair",
        "service_request/sim_replacement",
        "service_request/number_porting",
        "service_request/relocation",
    } <= requests
    consultations = {c.code.split("/")[1] for c in catalogue.for_kind("consultation")}
    assert {"plans", "billing", "broadband", "roaming", "value_added", "other"} <= consultations


def test_default_catalogue_is_versioned_and_named_in_both_languages() -> None:
    catalogue = load_default_catalogue()
    assert catalogue.version
    for category in catalogue.categories:
        assert category.names["zh_CN"] and category.names["en"], category.code
        assert category.kinds, category.code


def test_default_catalogue_is_cached() -> None:
    assert load_default_catalogue() is load_default_catalogue()


def test_label() -> None:
    catalogue = load_default_catalogue()
    assert catalogue.label("technical/network", "zh_CN") == "服务技术 / 网络"
    assert catalogue.label("technical/network", "en") == "Technical / Network"
    assert catalogue.label("technical", "zh_CN") == "服务技术"
    assert catalogue.label("no/such", "en") == "no/such"
    assert catalogue.label("technical/network", "fr") == "Technical / Network"


def test_get_leaf_and_top_level() -> None:
    catalogue = Catalogue.from_json(_doc())
    leaf = catalogue.get("technical/network")
    assert leaf is not None
    assert leaf.parent == "technical" and leaf.is_leaf
    assert leaf.kinds == frozenset({"complaint", "service_request"})  # inherited
    top = catalogue.get(" technical ")
    assert top is not None and top.parent is None and not top.is_leaf
    assert catalogue.get("network") is None
    assert catalogue.get("technical/nothing") is None


def test_for_kind_gives_active_leaves_that_apply() -> None:
    catalogue = Catalogue.from_json(_doc())
    assert [c.code for c in catalogue.for_kind("complaint")] == ["technical/network"]
    assert [c.code for c in catalogue.for_kind("service_request")] == [
        "technical/network",
        "technical/equipment",
    ]
    assert [c.code for c in catalogue.for_kind("consultation")] == ["enquiry/other"]
    assert catalogue.for_kind("no_such_kind") == []


def test_retired_entry_still_has_its_name() -> None:
    catalogue = Catalogue.from_json(_doc())
    legacy = catalogue.get("technical/legacy")
    assert legacy is not None and not legacy.active
    assert catalogue.label("technical/legacy", "zh_CN") == "服务技术 / 旧系统"


def test_retired_parent_retires_its_children_for_new_cases() -> None:
    doc = _doc()
    doc["categories"][1]["active"] = False
    assert Catalogue.from_json(doc).for_kind("consultation") == []


def test_json_round_trip() -> None:
    for catalogue in (Catalogue.from_json(_doc()), load_default_catalogue()):
        again = Catalogue.from_json(json.loads(json.dumps(catalogue.to_json())))
        assert again.version == catalogue.version
        assert again.categories == catalogue.categories


def test_from_json_accepts_text() -> None:
    assert Catalogue.from_json(json.dumps(_doc())).version == "test.1"


def test_categories_are_hashable() -> None:
    catalogue = Catalogue.from_json(_doc())
    assert len(set(catalogue.categories)) == len(catalogue.categories)


def _broken(change: Any) -> dict[str, Any]:
    doc = copy.deepcopy(_doc())
    change(doc)
    return doc


def _set(path: list[Any], value: Any) -> Any:
    def change(doc: Any) -> None:
        target = doc
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


def _delete(path: list[Any]) -> Any:
    def change(doc: Any) -> None:
        target = doc
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return change


TECH = ["categories", 0]
NETWORK = [*TECH, "children", 0]


@pytest.mark.parametrize(
    ("change", "entry", "problem"),
    [
        (_set(["version"], ""), "version", "bad_version"),
        (_delete(["version"]), "version", "bad_version"),
        (_set(["categories"], []), "categories", "no_entries"),
        (_set(TECH, "technical"), "categories[0]", "not_object"),
        (_set([*TECH, "code"], "Technical"), "categories[0]", "bad_code"),
        (_set([*TECH, "code"], "a/b"), "categories[0]", "bad_code"),
        (_delete([*TECH, "children"]), "technical", "no_children"),
        (_set([*TECH, "children"], []), "technical", "no_children"),
        (_delete([*TECH, "names", "en"]), "technical", "missing_name"),
        (_set([*TECH, "names", "zh_CN"], "  "), "technical", "missing_name"),
        (_set([*TECH, "kinds"], ["complaint", "gossip"]), "technical", "bad_kinds"),
        (_set([*TECH, "kinds"], []), "technical", "bad_kinds"),
        (_delete([*TECH, "kinds"]), "technical", "bad_kinds"),
        (_set([*NETWORK, "code"], ""), "technical.children[0]", "bad_code"),
        (_set([*NETWORK, "names"], "网络"), "technical/network", "missing_name"),
        (_set([*NETWORK, "kinds"], ["consultation"]), "technical/network", "kinds_not_in_parent"),
        (_set([*NETWORK, "children"], []), "technical/network", "too_deep"),
        (_set([*NETWORK, "active"], "no"), "technical/network", "bad_active"),
        (_set([*TECH, "children", 1, "code"], "network"), "technical/network", "duplicate_code"),
        (_set(["categories", 1, "code"], "technical"), "technical", "duplicate_code"),
    ],
)
def test_malformed_documents_name_the_entry(change: Any, entry: str, problem: str) -> None:
    with pytest.raises(CatalogueError) as caught:
        Catalogue.from_json(_broken(change))
    assert (caught.value.entry, caught.value.problem) == (entry, problem)
    assert entry in str(caught.value)


@pytest.mark.parametrize("data", ["[]", "not json", 42, None])
def test_documents_that_are_not_objects_are_refused(data: Any) -> None:
    with pytest.raises(CatalogueError):
        Catalogue.from_json(data)


def test_error_reads_in_both_languages() -> None:
    with pytest.raises(CatalogueError) as caught:
        Catalogue.from_json(_broken(_set([*NETWORK, "kinds"], ["consultation"])))
    error = caught.value
    assert translate(error.key, "zh_CN", **error.params) == (
        "分类目录有误（technical/network）：适用类型超出上级分类"
    )
    assert str(error) == (
        "The category catalogue is invalid (technical/network): "
        "case kinds not allowed by the parent category"
    )

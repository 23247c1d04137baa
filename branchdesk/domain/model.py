"""The vocabulary of the domain: case kinds, channels, grades, states, and the
plain value objects that services pass around. Values are the stored codes; the
human labels live in the message tables (`label.<enum>.<value>`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class CaseKind(StrEnum):
    SERVICE_REQUEST = "service_request"  # 服务受理 (incl. appointments)
    CONSULTATION = "consultation"  # 咨询
    COMPLAINT = "complaint"  # 投诉


class Channel(StrEnum):
    WALK_IN = "walk_in"  # 到店
    PHONE = "phone"  # 电话
    ONLINE = "online"  # 网上
    APP = "app"
    LETTER = "letter"  # 信函/邮件
    SOCIAL = "social"  # 社交媒体
    REGULATOR = "regulator"  # 工信部/管局转办


class Grade(StrEnum):
    ORDINARY = "ordinary"  # 普通
    MAJOR = "major"  # 重大
    URGENT = "urgent"  # 紧急


class CaseState(StrEnum):
    RECEIVED = "received"  # 已受理
    ACKNOWLEDGED = "acknowledged"  # 已确认
    ASSIGNED = "assigned"  # 已分派
    IN_PROGRESS = "in_progress"  # 处理中 (service requests)
    INVESTIGATING = "investigating"  # 调查中
    RESPONSIBILITY_DETERMINED = "responsibility_determined"  # 已认定责任
    PLANNED = "planned"  # 已制定方案
    RESOLVED = "resolved"  # 已处理
    FEEDBACK_RECEIVED = "feedback_received"  # 已反馈
    CLOSED = "closed"  # 已结案
    ARCHIVED = "archived"  # 已归档
    CANCELLED = "cancelled"  # 已撤销


#: States in which the case is no longer open: it leaves the work queues. (The archive
#: milestone still runs after closure; the archive queue shows it.)
TERMINAL_STATES = frozenset({CaseState.CLOSED, CaseState.ARCHIVED, CaseState.CANCELLED})


class Responsibility(StrEnum):
    CUSTOMER = "customer"  # 用户
    CARRIER = "carrier"  # 电信企业
    THIRD_PARTY = "third_party"  # 第三方


class InvestigationStage(StrEnum):
    INITIAL = "initial"  # 初步核实
    DETAILED = "detailed"  # 深入调查


class InvestigationMethod(StrEnum):
    ON_SITE = "on_site"  # 现场调查
    SYSTEM_DATA = "system_data"  # 系统数据查询
    INTERVIEW = "interview"  # 用户访谈
    THIRD_PARTY = "third_party"  # 第三方验证


class Measure(StrEnum):
    COMPENSATION = "compensation"  # 补偿
    RECTIFICATION = "rectification"  # 整改
    REARRANGEMENT = "rearrangement"  # 服务重新安排
    WRITTEN_EXPLANATION = "written_explanation"  # 书面解释


class EscalationState(StrEnum):
    NONE = "none"
    REQUESTED = "requested"  # 升级申请中
    SUPERVISED = "supervised"  # 督办中
    REJECTED = "rejected"  # 升级被驳回
    CONCLUDED = "concluded"  # 督办办结 (result fed back)


class EscalationReason(StrEnum):
    MAJOR_QUALITY = "major_quality"  # 重大服务质量问题/网络中断
    MAJOR_POLICY = "major_policy"  # 重大政策或资费变更
    MULTI_DEPARTMENT = "multi_department"  # 需多部门协同
    REGULATOR_THREAT = "regulator_threat"  # 用户扬言向管局投诉
    REPEATED = "repeated"  # 重复投诉


class ContactChannel(StrEnum):
    PHONE = "phone"
    SMS = "sms"
    LETTER = "letter"
    EMAIL = "email"
    IN_PERSON = "in_person"


@dataclass(frozen=True)
class Customer:
    name: str
    phone: str
    id_number: str | None = None  # 18-digit resident ID, optional
    service_number: str | None = None  # the service / account concerned
    address: str | None = None


@dataclass(frozen=True)
class Appointment:
    """An appointment slot for a service request (§2.1)."""

    service_type: str
    start: datetime
    end: datetime
    staff: str | None = None
    content: str | None = None


@dataclass(frozen=True)
class IntakeForm:
    """Everything recorded at intake (§4.2.1, §4.4.1). Raw as a person entered it:
    `branchdesk.domain.validation.validate_intake` checks and normalises it."""

    kind: str
    channel: str
    category: str  # "category/sub_category" code from the catalogue
    customer: Customer
    summary: str  # what happened, short
    description: str = ""  # what happened, full
    remedy: str = ""  # what the customer wants
    grade: str = Grade.ORDINARY
    event_date: date | None = None  # when the disputed event happened
    event_place: str | None = None
    business: str | None = None  # the business concerned
    received_at: datetime | None = None  # defaults to now; earlier for letters/phone
    appointment: Appointment | None = None
    extra: dict[str, str] = field(default_factory=dict)

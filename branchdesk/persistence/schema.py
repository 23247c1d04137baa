"""The branch database's tables (SQLAlchemy Core). Alembic migrations create them;
this module is what the code reads and writes through.

Times are stored as integer Unix seconds (UTC): compact, fast to index and compare,
and free of time-zone ambiguity. The branch time zone applies only to SLA arithmetic
and display.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData()


class Epoch(TypeDecorator[datetime]):
    """An aware datetime stored as integer Unix seconds."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: pass an aware datetime")
        return int(value.timestamp())

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return datetime.fromtimestamp(int(value), UTC)


settings = Table(
    "settings",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", JSON, nullable=False),
)

staff = Table(
    "staff",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("staff_no", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("roles", Text, nullable=False),  # comma-separated role codes
    Column("active", Boolean, nullable=False, server_default=text("1")),
    Column("created_at", Epoch, nullable=False),
    Column("password_hash", Text),  # argon2id, PHC string
    Column("password_set_at", Epoch),
    # After an administrator's reset the password is a one-time code: it must be
    # replaced at the next sign-in, before anything else, and expires.
    Column("must_change_password", Boolean, nullable=False, server_default=text("0")),
    Column("reset_expires_at", Epoch),
    Column("failed_attempts", Integer, nullable=False, server_default=text("0")),
    Column("locked_until", Epoch),
    Column("last_sign_in_at", Epoch),
)

#: Per-user tokens for scripts: the command line acts as the named person.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("staff_no", Text, nullable=False),
    Column("label", Text, nullable=False),
    Column("token_hash", Text, nullable=False, unique=True),  # SHA-256 of a 256-bit token
    Column("created_at", Epoch, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("last_used_at", Epoch),
    Column("revoked_at", Epoch),
)

counters = Table(
    "counters",
    metadata,
    Column("name", Text, primary_key=True),
    Column("value", Integer, nullable=False),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", Text, nullable=False, unique=True),
    Column("kind", Text, nullable=False),
    Column("channel", Text, nullable=False),
    Column("category", Text, nullable=False),
    Column("grade", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("is_open", Boolean, nullable=False),
    Column("escalation", Text, nullable=False),
    Column("supervisor", Text),
    Column("paused", Boolean, nullable=False),
    Column("customer_name", Text, nullable=False),
    Column("customer_phone", Text, nullable=False),
    Column("customer_id_number", Text),
    Column("service_number", Text),
    Column("customer_address", Text),
    Column("summary", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("remedy", Text, nullable=False),
    Column("event_date", Text),
    Column("event_place", Text),
    Column("business", Text),
    Column("received_at", Epoch, nullable=False),
    Column("entered_at", Epoch, nullable=False),
    Column("updated_at", Epoch, nullable=False),
    Column("receiving_clerk", Text, nullable=False),
    Column("owner", Text, nullable=False),
    Column("responsibility", Text),
    Column("satisfied", Boolean),
    Column("satisfaction_score", Integer),
    Column("reopen_count", Integer, nullable=False),
    Column("investigations", Integer, nullable=False),
    Column("archive_no", Text),
    Column("appointment", JSON),
    Column("version", Integer, nullable=False),
    # The earliest unmet SLA deadline and its milestone: what the queues sort on.
    Column("next_due_at", Epoch),
    Column("next_milestone", Text),
    Column("provisional", Boolean, nullable=False),
)
# With kind and time: a repeat complaint is found without reading a case (0011).
Index("ix_cases_phone", cases.c.customer_phone, cases.c.kind, cases.c.received_at)
Index("ix_cases_service_number", cases.c.service_number, cases.c.kind, cases.c.received_at)
Index("ix_cases_received", cases.c.received_at)
Index("ix_cases_state", cases.c.state, cases.c.id)
# Partial indexes: only open, unpaused cases with a running clock are ever in a queue.
Index(
    "ix_cases_due",
    cases.c.next_due_at,
    sqlite_where=text("next_due_at IS NOT NULL AND paused = 0"),
)
Index(
    "ix_cases_owner_due",
    cases.c.owner,
    cases.c.next_due_at,
    sqlite_where=text("next_due_at IS NOT NULL AND paused = 0"),
)
Index("ix_cases_owner_open", cases.c.owner, cases.c.received_at, sqlite_where=text("is_open = 1"))
Index("ix_cases_waiting", cases.c.received_at, sqlite_where=text("paused = 1 AND is_open = 1"))
Index(
    "ix_cases_supervised",
    cases.c.received_at,
    sqlite_where=text("escalation = 'supervised' AND is_open = 1"),
)

case_events = Table(
    "case_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", Text, nullable=False),
    Column("at", Epoch, nullable=False),
    Column("recorded_at", Epoch, nullable=False),
    Column("actor", Text, nullable=False),
    Column("payload", JSON, nullable=False),
    UniqueConstraint("case_id", "seq", name="uq_case_events_case_seq"),
)
# The quality figures count a few event kinds by time (migration 0011).
Index(
    "ix_events_ending",
    case_events.c.at,
    case_events.c.case_id,
    sqlite_where=text("kind IN ('close', 'cancel', 'reopen')"),
)
Index(
    "ix_events_case_steps",
    case_events.c.case_id,
    case_events.c.kind,
    case_events.c.at,
    case_events.c.seq,
    sqlite_where=text(
        "kind IN ('acknowledge', 'reply_customer', 'answer', 'resolve', 'resolve_by_incident',"
        " 'pause', 'resume', 'close', 'cancel', 'reopen')"
    ),
)
Index("ix_events_feedback", case_events.c.at, sqlite_where=text("kind = 'record_feedback'"))
Index(
    "ix_events_rescheduled", case_events.c.at, sqlite_where=text("kind = 'reschedule_appointment'")
)
Index("ix_events_missed", case_events.c.at, sqlite_where=text("kind = 'record_missed_appointment'"))

case_milestones = Table(
    "case_milestones",
    metadata,
    Column("case_id", Integer, ForeignKey("cases.id"), primary_key=True),
    Column("milestone", Text, primary_key=True),
    Column("clock", Text, nullable=False),
    Column("started_at", Epoch),
    Column("due_at", Epoch),
    Column("met_at", Epoch),
    Column("provisional", Boolean, nullable=False),
    Column("extension", Integer, nullable=False),
    sqlite_with_rowid=False,
)
Index(
    "ix_milestones_met",
    case_milestones.c.met_at,
    case_milestones.c.due_at,
    sqlite_where=text("met_at IS NOT NULL"),
)
Index(
    "ix_milestones_due",
    case_milestones.c.due_at,
    case_milestones.c.met_at,
    sqlite_where=text("due_at IS NOT NULL"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", Epoch, nullable=False),
    Column("actor", Text, nullable=False),
    Column("workstation", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("case_id", Integer, ForeignKey("cases.id")),
    Column("detail", JSON, nullable=False),
    Column("prev_hash", Text, nullable=False),
    Column("hash", Text, nullable=False),
)
Index("ix_audit_at", audit_log.c.at)
Index("ix_audit_actor", audit_log.c.actor, audit_log.c.at)
Index("ix_audit_case", audit_log.c.case_id)

#: Audit chain heads that headquarters has confirmed receiving. The local chain must
#: still contain each one: history cannot be rewritten after it was synced.
audit_anchors = Table(
    "audit_anchors",
    metadata,
    Column("audit_id", Integer, primary_key=True, autoincrement=False),
    Column("hash", Text, nullable=False),
    Column("anchored_at", Epoch, nullable=False),
    Column("source", Text, nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    # The per-device sequence HQ sync relies on: assigned in the same transaction as
    # the case change, gapless because every write goes through one SQLite writer.
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("device_epoch", Integer, nullable=False),
    Column("event_id", Integer, ForeignKey("case_events.id"), nullable=False),
    Column("created_at", Epoch, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("sent_at", Epoch),
)
Index("ix_outbox_unsent", outbox.c.seq, sqlite_where=text("sent_at IS NULL"))

#: Intake forms' own ids (migration 0012): the case a form was saved as, so that a
#: retried save returns that case; `fingerprint` is a hash of what the form said.
intake_keys = Table(
    "intake_keys",
    metadata,
    Column("key", Text, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("saved_at", Epoch, nullable=False),
    sqlite_with_rowid=False,
)

# --- headquarters sync at the branch (migration 0006) ----------------------------

#: Sync's own small values: HQ address, instruction cursor, last success and error.
sync_meta = Table(
    "sync_meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", JSON, nullable=False),
)

#: The sequence number just before each epoch's first outbox event: where HQ starts
#: that epoch's stream.
sync_epochs = Table(
    "sync_epochs",
    metadata,
    Column("epoch", Integer, primary_key=True, autoincrement=False),
    Column("base_seq", Integer, nullable=False),
)

#: Outbox events HQ acknowledged but could not accept (held in HQ's quarantine).
sync_quarantine = Table(
    "sync_quarantine",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("epoch", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("reported_at", Epoch, nullable=False),
)

#: Every HQ instruction received, in HQ's order: applied, parked (a type this version
#: does not know) or refused (e.g. the case is closed), never dropped.
sync_instructions = Table(
    "sync_instructions",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("id", Text, nullable=False, unique=True),
    Column("type", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("reason", Text),
    Column("body", JSON, nullable=False),
    Column("issued_at", Epoch, nullable=False),
    Column("received_at", Epoch, nullable=False),
)
Index("ix_sync_instructions_status", sync_instructions.c.status)

sync_notices = Table(
    "sync_notices",
    metadata,
    Column("instruction_id", Text, primary_key=True),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("severity", Text, nullable=False),
    Column("issued_at", Epoch, nullable=False),
    Column("read_at", Epoch),
)

#: Rules HQ published: kind "catalogue" / "sla_policy" (key "") and "calendar" (key =
#: the year). They replace the shipped defaults from the moment they are applied.
sync_publications = Table(
    "sync_publications",
    metadata,
    Column("kind", Text, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("version", Text, nullable=False),
    Column("document", JSON, nullable=False),
    Column("published_at", Epoch, nullable=False),
)

# --- escalation follow-up: incidents and return visits (migration 0008) ------------
# Supervision needs no table: the ledger reads the supervised cases' events.

#: Incidents (突发事件, ch. 7): one row each, the current picture; `incident_updates`
#: is its timeline.
incidents = Table(
    "incidents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", Text, nullable=False, unique=True),
    Column("type", Text, nullable=False),
    Column("level", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("started_at", Epoch, nullable=False),
    Column("district", Text, nullable=False),
    Column("street", Text, nullable=False),
    Column("cell", Text, nullable=False),
    Column("services", JSON, nullable=False),
    Column("scope", Text, nullable=False),
    Column("cause", Text, nullable=False),
    Column("measures", Text, nullable=False),
    Column("expected_recovery_at", Epoch),
    Column("notify_due_at", Epoch, nullable=False),
    Column("notified_at", Epoch),
    Column("created_at", Epoch, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("root_cause", Text),
    Column("explanation", Text),
    Column("compensation_rule", Text),
    Column("compensation_fen", Integer),
    Column("lessons", Text),
    Column("resolved_at", Epoch),
    Column("resolved_by", Text),
)
Index("ix_incidents_active", incidents.c.started_at, sqlite_where=text("status = 'active'"))

incident_updates = Table(
    "incident_updates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False),
    Column("at", Epoch, nullable=False),
    Column("actor", Text, nullable=False),
    Column("kind", Text, nullable=False),  # created, progress, notified, resolved, bulk
    Column("text", Text, nullable=False),
    Column("pushed", Integer, nullable=False, server_default=text("0")),
)
Index("ix_incident_updates", incident_updates.c.incident_id, incident_updates.c.id)

#: Cases linked to an incident, and what the bulk resolution did with each (NULL: not
#: yet; "resolved"; "skipped" with the reason): a rerun after a crash resumes here.
incident_cases = Table(
    "incident_cases",
    metadata,
    Column("incident_id", Integer, ForeignKey("incidents.id"), primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), primary_key=True),
    Column("linked_at", Epoch, nullable=False),
    Column("linked_by", Text, nullable=False),
    Column("outcome", Text),
    Column("outcome_reason", Text),
    Column("done_at", Epoch),
    sqlite_with_rowid=False,
)
Index("ix_incident_cases_case", incident_cases.c.case_id)

#: Return visits (回访): scheduled at closure, one per closure of a case.
return_visits = Table(
    "return_visits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("closed_seq", Integer, nullable=False),  # the closing event's seq
    Column("closed_at", Epoch, nullable=False),
    Column("due_at", Epoch, nullable=False),
    Column("provisional", Boolean, nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("next_call_at", Epoch, nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("surveyor", Text),
    Column("visited_at", Epoch),
    Column("reached", Boolean),
    Column("score", Integer),
    Column("solved", Boolean),
    Column("comment", Text),
    Column("reopened_seq", Integer),  # the reopen event it led to, if any
    UniqueConstraint("case_id", "closed_seq", name="uq_return_visits_closure"),
)
Index(
    "ix_return_visits_calls",
    return_visits.c.next_call_at,
    sqlite_where=text("status = 'pending'"),
)
Index("ix_return_visits_case", return_visits.c.case_id)

# --- encrypted archive (migration 0007) ------------------------------------------

#: Archive master key generations. In keyring mode the key itself is in the OS keyring
#: and `wrapped` is NULL; in passphrase mode it is stored here wrapped by a key derived
#: from the passphrase. The newest unretired row is the current key.
archive_master_keys = Table(
    "archive_master_keys",
    metadata,
    Column("key_id", Text, primary_key=True),
    Column("created_at", Epoch, nullable=False),
    Column("retired_at", Epoch),
    Column("wrapped", JSON),
)

#: Sealed volumes. `master_slot` is the volume's data key wrapped by the current master
#: key (re-wrapped on rotation); the recovery slot is in the volume's own header.
archive_volumes = Table(
    "archive_volumes",
    metadata,
    Column("id", Text, primary_key=True),
    Column("file", Text, nullable=False, unique=True),
    Column("created_at", Epoch, nullable=False),
    Column("cases", Integer, nullable=False),
    Column("bytes", Integer, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("master_slot", JSON, nullable=False),
    Column("recovery_key_id", Text, nullable=False),
    Column("status", Text, nullable=False),  # active | retired (rewritten by a purge)
    Column("retired_at", Epoch),
)

#: The archive index: one row per archived case, found without decrypting a volume.
#: After a purge the row stays as the tombstone (personal data cleared, no volume).
archive_entries = Table(
    "archive_entries",
    metadata,
    Column("case_id", Integer, ForeignKey("cases.id"), primary_key=True),
    Column("archive_no", Text, nullable=False, unique=True),
    Column("case_number", Text, nullable=False, unique=True),
    Column("volume_id", Text, ForeignKey("archive_volumes.id")),
    Column("entry_offset", Integer),
    Column("entry_length", Integer),
    Column("kind", Text, nullable=False),
    Column("category", Text, nullable=False),
    Column("business", Text),
    Column("customer_name", Text),
    Column("customer_phone", Text),
    Column("service_number", Text),
    Column("received_at", Epoch, nullable=False),
    Column("closed_at", Epoch),
    Column("archived_at", Epoch, nullable=False),
    Column("retention_until", Text, nullable=False),  # ISO date, branch-local
    Column("hold_reason", Text),
    Column("hold_by", Text),
    Column("hold_at", Epoch),
    Column("status", Text, nullable=False),  # stored | anonymised | purged
    Column("purged_at", Epoch),
    Column("purged_by", Text),
    Column("purge_approved_by", Text),
)
Index("ix_archive_customer", archive_entries.c.customer_name)
Index("ix_archive_phone", archive_entries.c.customer_phone)
Index("ix_archive_service_number", archive_entries.c.service_number)
Index("ix_archive_received", archive_entries.c.received_at)
Index("ix_archive_category", archive_entries.c.category, archive_entries.c.received_at)
Index("ix_archive_volume", archive_entries.c.volume_id)
Index("ix_archive_retention", archive_entries.c.retention_until)

#: A purge (or anonymisation) asked for by an archivist, carried out only when a
#: manager (another person) approves it.
archive_purge_requests = Table(
    "archive_purge_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", Epoch, nullable=False),
    Column("requested_by", Text, nullable=False),
    Column("mode", Text, nullable=False),  # purge | anonymise
    Column("reason", Text, nullable=False),
    Column("archive_nos", JSON, nullable=False),
    Column("status", Text, nullable=False),  # pending | done | refused
    Column("decided_by", Text),
    Column("decided_at", Epoch),
)

#: FAQ articles (常见问题解答), one row per version of each (key, language); the
#: current version is the one shown and searched. Source: shipped | hq | branch.
faq_articles = Table(
    "faq_articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", Text, nullable=False),
    Column("language", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("current", Boolean, nullable=False),
    Column("source", Text, nullable=False),
    Column("category", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("created_at", Epoch, nullable=False),
    Column("created_by", Text, nullable=False),
    #: HQ withdrew the article: this version is current but neither shown nor searched.
    Column("withdrawn", Boolean, nullable=False, server_default=text("0")),
    UniqueConstraint("key", "language", "version", name="uq_faq_version"),
)
Index(
    "ix_faq_current",
    faq_articles.c.key,
    faq_articles.c.language,
    unique=True,
    sqlite_where=text("current"),
)

#: How often an article answered a consultation (all languages and versions together).
faq_uses = Table(
    "faq_uses",
    metadata,
    Column("key", Text, primary_key=True),
    Column("uses", Integer, nullable=False),
    Column("last_used_at", Epoch, nullable=False),
)

#: The appointment book: a service request's current appointment, kept in step with
#: its events. `staff_key` is the staff/technician name normalised for comparing.
appointments = Table(
    "appointments",
    metadata,
    Column("case_id", Integer, ForeignKey("cases.id"), primary_key=True),
    Column("staff", Text),
    Column("staff_key", Text),
    Column("start_at", Epoch, nullable=False),
    Column("end_at", Epoch, nullable=False),
    Column("service_type", Text),
    Column("status", Text, nullable=False),  # booked | missed | cancelled | done
    Column("reschedules", Integer, nullable=False, server_default=text("0")),
)
Index("ix_appointments_start", appointments.c.start_at)
Index("ix_appointments_staff", appointments.c.staff_key, appointments.c.start_at)

"""`branchdesk-hq`: run and operate the headquarters server.

    branchdesk-hq [--db URL] serve [--host H] [--port P] [--workers N]
                             [--forwarded-allow-ips PROXY,…]
    branchdesk-hq [--db URL] migrate
    branchdesk-hq [--db URL] enroll-branch GZ0012 [--name 广州天河营业厅]
    branchdesk-hq [--db URL] branches [--json]
    branchdesk-hq [--db URL] quarantine [--branch GZ0012]
    branchdesk-hq [--db URL] issue-instruction supervision --branch B --case N
                             --supervisor S --reason R
    branchdesk-hq [--db URL] issue-instruction notice --branch B|all --title T --text X
    branchdesk-hq [--db URL] issue-instruction calendar --branch B|all --year 2027 --file year.json
    branchdesk-hq [--db URL] issue-instruction catalogue|sla-policy --branch B|all --file doc.json
    branchdesk-hq [--db URL] faq publish articles.json [--branch B|all] [--version V]
    branchdesk-hq [--db URL] faq withdraw KEY [KEY …] [--branch B|all] [--version V]

--db takes a PostgreSQL URL (postgresql://user@host/db) or a SQLite file path; the
default is $BRANCHDESK_HQ_DB, else `branchdesk-hq.sqlite3` in the current folder.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from branchdesk.domain.errors import ValidationError as ArticleError
from branchdesk.domain.faq import parse_publication
from sync.protocol.messages import Notice, Publication, SupervisionOrder, unstorable
from sync.server import admin
from sync.server.config import ENV_DB, HqConfig
from sync.server.database import create_hq_engine, migrate

DEFAULT_PORT = 8470


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="branchdesk-hq", description="BranchDesk headquarters")
    parser.add_argument(
        "--db", default=os.environ.get(ENV_DB), help="PostgreSQL URL or SQLite path"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="run the HTTP API (uvicorn)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=DEFAULT_PORT)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--no-migrate", action="store_true", help="do not upgrade the schema first")
    p.add_argument(
        "--rate", type=float, default=20.0, help="requests/s per device on average (0: no limit)"
    )
    p.add_argument(
        "--burst",
        type=float,
        default=60.0,
        help="requests per window of burst/rate seconds, per device or enrolling address",
    )
    p.add_argument(
        "--forwarded-allow-ips",
        default=None,
        metavar="PROXY,…",
        help="addresses of the reverse proxies whose X-Forwarded-For names the caller "
        "(for the per-address limits); default $FORWARDED_ALLOW_IPS, else 127.0.0.1,::1",
    )
    p.add_argument("--max-compressed", type=int, default=HqConfig.max_compressed)
    p.add_argument("--max-decompressed", type=int, default=HqConfig.max_decompressed)
    p.add_argument("--app-name", default="branchdesk-hq", help="PostgreSQL application_name")

    sub.add_parser("migrate", help="create or upgrade HQ's schema")
    p = sub.add_parser("enroll-branch", help="print a one-time enrollment code for a branch")
    p.add_argument("branch_code")
    p.add_argument("--name", default="")
    p = sub.add_parser("branches", help="every branch: last sync, lag, quarantine")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("quarantine", help="events HQ could not accept")
    p.add_argument("--branch")

    p = sub.add_parser("issue-instruction", help="queue an instruction for branches")
    kinds = p.add_subparsers(dest="kind", required=True)
    k = kinds.add_parser("supervision", help="open a supervision order on a branch case")
    k.add_argument("--branch", required=True)
    k.add_argument("--case", required=True)
    k.add_argument("--supervisor", required=True)
    k.add_argument("--reason", required=True)
    k = kinds.add_parser("notice", help="a notice shown in the branch workbench")
    k.add_argument("--branch", required=True, help="a branch code, or 'all'")
    k.add_argument("--title", required=True)
    k.add_argument("--text", required=True)
    k.add_argument("--important", action="store_true")
    k = kinds.add_parser("calendar", help="publish the official calendar of a year")
    k.add_argument("--branch", required=True)
    k.add_argument("--year", type=int, required=True)
    k.add_argument("--file", required=True, help="JSON: {holidays: [...], workdays: [...]}")
    k.add_argument("--version", default="")
    for name in ("catalogue", "sla-policy"):
        k = kinds.add_parser(name, help=f"publish a {name} document")
        k.add_argument("--branch", required=True)
        k.add_argument("--file", required=True)
        k.add_argument("--version", default="")
    k = kinds.add_parser("raw", help="any type with a JSON body (for testing newer branches)")
    k.add_argument("--branch", required=True)
    k.add_argument("--type", required=True)
    k.add_argument("--body", required=True)

    p = sub.add_parser("faq", help="publish FAQ articles to branches, or withdraw them")
    faq = p.add_subparsers(dest="faq_command", required=True)
    k = faq.add_parser("publish", help="publish the articles of a JSON file (shipped format)")
    k.add_argument("file", help='{"articles": [{"key": …, "category": …, "zh_CN": {…}}, …]}')
    k.add_argument("--branch", default="all", help="a branch code, or 'all' (default)")
    k.add_argument("--version", default="", help="a label for this publication")
    k = faq.add_parser("withdraw", help="take articles back: branches no longer show them")
    k.add_argument("keys", nargs="+", metavar="KEY")
    k.add_argument("--branch", default="all", help="a branch code, or 'all' (default)")
    k.add_argument("--version", default="", help="a label for this publication")
    return parser


def _serve(args: argparse.Namespace, db_url: str) -> int:
    import uvicorn

    from sync.server.logs import log, quiet_uvicorn_access

    config = HqConfig(
        db_url=db_url,
        max_compressed=args.max_compressed,
        max_decompressed=args.max_decompressed,
        rate_per_second=args.rate,
        rate_burst=args.burst,
        rate_sweep_seconds=HqConfig.from_env().rate_sweep_seconds,
        application_name=args.app_name,
    )
    if not args.no_migrate:
        engine = create_hq_engine(db_url, pool_size=1)
        migrate(engine)
        engine.dispose()
    # The app is built in each worker from the environment (uvicorn imports it by name).
    os.environ.update(config.to_env())
    log("serve", host=args.host, port=args.port, workers=args.workers)
    uvicorn.run(
        "sync.server.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        # None: uvicorn's own default ($FORWARDED_ALLOW_IPS, else 127.0.0.1).
        forwarded_allow_ips=args.forwarded_allow_ips,
        log_config=dict(quiet_uvicorn_access()),
        access_log=False,
        timeout_graceful_shutdown=5,
    )
    return 0


def _read_json(path: str) -> dict[str, Any]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise SystemExit(f"{path}: expected a JSON object")
    return data


def _instruction(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    if args.kind == "supervision":
        if not args.case.startswith(args.branch + "-"):
            raise SystemExit(f"case {args.case} is not a case of branch {args.branch}")
        order = SupervisionOrder(
            case_number=args.case, supervisor=args.supervisor, reason=args.reason
        )
        return "supervision_order", order.model_dump()
    if args.kind == "notice":
        notice = Notice(
            title=args.title, text=args.text, severity="important" if args.important else "info"
        )
        return "notice", notice.model_dump()
    if args.kind == "calendar":
        year = _read_json(args.file)
        year = year.get("years", {}).get(str(args.year), year)
        document = {
            "year": args.year,
            "holidays": year.get("holidays", []),
            "workdays": year.get("workdays", []),
        }
        version = args.version or f"{args.year}-published"
        return "calendar", Publication(version=version, document=document).model_dump()
    if args.kind in ("catalogue", "sla-policy"):
        document = _read_json(args.file)
        version = args.version or str(document.get("version", "published"))
        kind = "catalogue" if args.kind == "catalogue" else "sla_policy"
        return kind, Publication(version=version, document=document).model_dump()
    body = json.loads(args.body)
    if not isinstance(body, dict):
        raise SystemExit("--body must be a JSON object")
    return str(args.type), body


_UNSTORABLE = {
    "unstorable_text": "its text holds a NUL character (U+0000) or a lone surrogate, "
    "which the database cannot store",
    "unstorable_number": "it holds NaN or Infinity, which JSON in the database cannot hold",
    "too_deep": "it is nested too deeply",
}


class Invalid(Exception):
    """Operator input refused before anything was issued; the message says why."""


def _faq_instruction(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """The FAQ publication, checked with the branches' own rules first, so a branch
    never has to refuse what HQ sent."""
    if args.faq_command == "withdraw":
        document: Any = {
            "format": 1,
            "articles": [{"key": key, "withdrawn": True} for key in dict.fromkeys(args.keys)],
        }
        source = "withdraw"
    else:
        source = args.file
        try:
            document = json.loads(Path(args.file).read_text(encoding="utf-8"))
        except OSError as exc:
            raise Invalid(f"{args.file}: cannot be read ({exc.strerror})") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise Invalid(f"{args.file}: not a UTF-8 JSON file ({exc})") from exc
    try:
        articles = parse_publication(document)
    except ArticleError as exc:
        lines = [f"  {e.field}: {_english(e.key, e.params)}" for e in exc.errors]
        raise Invalid(
            f"invalid FAQ publication {source} ({len(lines)} problem(s)):\n" + "\n".join(lines)
        ) from exc
    label = args.version or str(document.get("version") or "")
    version = label or datetime.now(UTC).strftime("faq-%Y-%m-%dT%H:%M:%SZ")
    print(f"{len(articles)} article(s), publication {version}", file=sys.stderr)
    return "faq", Publication(version=version[:64], document=document).model_dump()


def _english(key: str, params: Any) -> str:
    from branchdesk.i18n import translate

    return translate(key, "en", **dict(params))


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    db_url = args.db or HqConfig.db_url
    if args.command == "serve":
        return _serve(args, db_url)
    engine = create_hq_engine(db_url, pool_size=1)
    try:
        if args.command == "migrate":
            migrate(engine)
            print("HQ schema is up to date")
            return 0
        migrate(engine)
        if args.command == "enroll-branch":
            print(admin.new_enrollment_code(engine, args.branch_code, name=args.name))
            return 0
        if args.command == "branches":
            report = admin.branches_report(engine)
            if args.json:
                print(json.dumps(report, ensure_ascii=False, indent=2))
            else:
                for row in report:
                    print(
                        f"{row['branch']}  last upload {row['last_upload_at'] or 'never'}  "
                        f"events {row['events']}  pending at branch {row['pending_at_branch']}  "
                        f"instructions not applied {row['instructions_unapplied']}  "
                        f"quarantined {row['quarantined']}  skew {row['skew_seconds']:.0f}s"
                    )
            return 0
        if args.command == "quarantine":
            print(
                json.dumps(admin.quarantine_list(engine, args.branch), ensure_ascii=False, indent=2)
            )
            return 0
        type_, body = _faq_instruction(args) if args.command == "faq" else _instruction(args)
        problem = unstorable(body)
        if problem:
            raise Invalid(f"invalid instruction: {_UNSTORABLE[problem]}; nothing was issued")
        targets = admin.all_branch_codes(engine) if args.branch == "all" else [args.branch]
        for code, seq, instruction_id in admin.issue_instruction(
            engine, targets, type_, body, issued_by=os.environ.get("USER", "operator")
        ):
            print(f"{code}  #{seq}  {type_}  {instruction_id}")
        return 0
    except ValidationError as exc:
        print(f"invalid instruction: {exc.errors()[0]['msg']}", file=sys.stderr)
        return 2
    except Invalid as exc:
        print(exc, file=sys.stderr)
        return 2
    finally:
        engine.dispose()


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()

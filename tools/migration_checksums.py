"""Released migrations are history: this keeps their SHA-256 in
tests/upgrades/released_migrations.sha256 and checks nothing listed changed. Both
schemas are held: the branch database's ("branch/…") and headquarters' ("hq/…").

    python tools/migration_checksums.py --check   # CI: fails if a listed migration
                                                  # changed, or a migration is unlisted
    python tools/migration_checksums.py --write   # list the new migrations (appends;
                                                  # never rewrites a listed checksum)

A new migration is listed (`--write`) in the commit that puts it on `main`. From then
on it is never edited: the next change is a new migration. `--write` refuses to run
while a listed migration differs from its checksum.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: label -> the folder of that schema's migration scripts.
DIRS = {
    "branch": ROOT / "branchdesk" / "persistence" / "migrations" / "versions",
    "hq": ROOT / "sync" / "server" / "migrations" / "versions",
}
LIST = ROOT / "tests" / "upgrades" / "released_migrations.sha256"


def digest(path: Path) -> str:
    """SHA-256 of the file with its line endings as the repository holds them (LF): a
    Windows checkout with autocrlf has CRLF and the same migration."""
    return hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest()


def migrations() -> dict[str, Path]:
    """ "branch/0001_initial.py" -> its file, for every migration of both schemas."""
    return {
        f"{label}/{p.name}": p
        for label, folder in DIRS.items()
        for p in sorted(folder.glob("[0-9]*.py"))
    }


def listed() -> dict[str, str]:
    """file name -> checksum, as `sha256sum` writes them ('<hex>  <name>')."""
    if not LIST.exists():
        return {}
    entries: dict[str, str] = {}
    for line in LIST.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            checksum, name = line.split(maxsplit=1)
            entries[name.strip()] = checksum
    return entries


def problems() -> tuple[list[str], list[str]]:
    """(changed or missing released migrations, migrations not yet listed)."""
    files = migrations()
    known = listed()
    changed = []
    for name, checksum in known.items():
        if name not in files:
            changed.append(f"{name}: released but no longer there")
        elif digest(files[name]) != checksum:
            changed.append(f"{name}: edited after release (checksum differs)")
    unlisted = [name for name in files if name not in known]
    return changed, unlisted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    changed, unlisted = problems()
    for line in changed:
        print(f"migration {line}; write a new migration instead", file=sys.stderr)
    if changed:
        return 1
    if args.check:
        for name in unlisted:
            print(f"migration {name} is not listed: run tools/migration_checksums.py --write")
        return 1 if unlisted else 0
    if unlisted:
        if not LIST.exists():
            LIST.write_text(
                "# SHA-256 of every released migration: never edit one"
                " (tools/migration_checksums.py)\n",
                encoding="utf-8",
            )
        files = migrations()
        with LIST.open("a", encoding="utf-8") as out:
            for name in unlisted:
                out.write(f"{digest(files[name])}  {name}\n")
                print(f"listed {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

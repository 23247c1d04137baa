"""Write the role permission matrix (resources/permissions/permissions.json) as the
Markdown table in docs/SECURITY.md, between its marker lines; `--check` fails if the
document is out of date (CI runs it through the test suite)."""

from __future__ import annotations

import sys
from pathlib import Path

from branchdesk.domain.permissions import PermissionMatrix, Role, load_default_matrix
from branchdesk.i18n import translate

DOC = Path(__file__).resolve().parent.parent / "docs" / "SECURITY.md"
BEGIN = "<!-- permissions:begin -->"
END = "<!-- permissions:end -->"


def table(matrix: PermissionMatrix) -> str:
    roles = list(Role)
    head = "| permission | " + " | ".join(translate(f"label.Role.{r}", "en") for r in roles) + " |"
    lines = [head, "|---|" + "---|" * len(roles)]
    for name, rule in matrix.rules.items():
        cells = []
        for role in roles:
            if role in rule.any_case:
                cell = "yes"
            elif role in rule.own_case:
                cell = "own cases"
            else:
                cell = ""
            restricted = [g for g, allowed in rule.restricted.items() if role not in allowed]
            if cell and restricted:
                cell += " (not " + "/".join(restricted) + ")"
            cells.append(cell)
        label = translate(f"label.Permission.{name}", "en")
        system = " · also HQ" if rule.system else ""
        lines.append(f"| `{name}` {label}{system} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render(document: str) -> str:
    start, end = document.index(BEGIN) + len(BEGIN), document.index(END)
    return document[:start] + "\n" + table(load_default_matrix()) + "\n" + document[end:]


def main(argv: list[str]) -> int:
    current = DOC.read_text(encoding="utf-8")
    wanted = render(current)
    if "--check" in argv:
        if wanted != current:
            print("docs/SECURITY.md: stale permission table; run tools/permissions_table.py")
            return 1
        return 0
    DOC.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

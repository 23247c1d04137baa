# Shared by scripts/run and scripts/test: make sure .venv exists and holds this
# checkout's current dependencies (re-installed only when pyproject.toml changes).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${BRANCHDESK_VENV:-$root/.venv}"
extras="${1:-}"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
fi
stamp="$venv/.branchdesk-installed$extras"
if [ ! -f "$stamp" ] || [ "$root/pyproject.toml" -nt "$stamp" ]; then
    echo "Installing BranchDesk$extras into $venv (first run or changed dependencies) …" >&2
    if ! "$venv/bin/python" -m pip install -e "$root$extras" >"$venv/install.log" 2>&1; then
        cat "$venv/install.log" >&2
        exit 1
    fi
    touch "$stamp"
fi

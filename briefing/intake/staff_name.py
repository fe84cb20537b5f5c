"""The staff member's name for the change record: asked once, then remembered on this machine.

The login name says nothing on a shared office PC (``root``, ``user``); the change record must say
who in the division saved a value. The name lives in ``mie-briefing/staff.json`` under the user's
configuration folder (``XDG_CONFIG_HOME``, else ``~/.config``; ``%APPDATA%`` on Windows).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

APP = "mie-briefing"
FILE = "staff.json"


def config_dir() -> Path:
    """This user's configuration folder for the workbook (not created here)."""
    base = os.environ.get("XDG_CONFIG_HOME") or (
        os.environ.get("APPDATA") if os.name == "nt" else None
    )
    return Path(base or Path.home() / ".config") / APP


def remembered_name() -> str:
    """The name last used on this machine, or ``""`` when none was ever given (or it is unreadable)."""
    try:
        data = json.loads((config_dir() / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    name = data.get("name") if isinstance(data, dict) else None
    return name.strip() if isinstance(name, str) else ""


def remember_name(name: str) -> None:
    """Keep ``name`` as this machine's default (written whole or not at all)."""
    folder = config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".staff-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump({"name": name.strip()}, out, ensure_ascii=False)
    os.replace(temporary, folder / FILE)

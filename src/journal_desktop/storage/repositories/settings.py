"""Per-vault settings (local, not synced). Changes to user settings are audited."""

from __future__ import annotations

from journal_desktop.storage.repositories.base import StorageContext

#: Settings the app keeps for itself (device identity, clock); not user choices, not audited.
INTERNAL_PREFIX = "internal."


class SettingsRepository:
    def __init__(self, context: StorageContext) -> None:
        self._ctx = context

    def get(self, key: str, default: str | None = None) -> str | None:
        value = self._ctx.db.scalar("SELECT value FROM settings WHERE key = ?", (key,))
        return default if value is None else str(value)

    def set(self, key: str, value: str) -> None:
        db = self._ctx.db
        with db.transaction():
            previous = self.get(key)
            if previous == value:
                return
            db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
            if not key.startswith(INTERNAL_PREFIX):
                self._ctx.audit.append(
                    "setting",
                    "setting",
                    key,
                    None if previous is None else {"value": previous},
                    {"value": value},
                )

    def all(self, *, include_internal: bool = False) -> dict[str, str]:
        rows = self._ctx.db.query("SELECT key, value FROM settings ORDER BY key")
        return {
            str(k): str(v)
            for k, v in rows
            if include_internal or not str(k).startswith(INTERNAL_PREFIX)
        }

"""Which Teams settings an app type needs (no SDK import: `learnbot doctor` uses it too)."""

from __future__ import annotations

from bot.settings import Settings

APP_TYPES = {t.lower(): t for t in ("SingleTenant", "MultiTenant", "UserAssignedMSI")}


def app_type(settings: Settings) -> str | None:
    """MICROSOFT_APP_TYPE in its canonical spelling, or None if it is not a known type."""
    return APP_TYPES.get(settings.microsoft_app_type.strip().lower())


def missing_settings(settings: Settings) -> list[str]:
    """The settings the configured app type still needs (empty when Teams is off or complete)."""
    kind = app_type(settings)
    if not settings.microsoft_app_id or kind is None:
        return []
    needs = {
        "MICROSOFT_APP_PASSWORD": kind != "UserAssignedMSI" and not settings.microsoft_app_password,
        "MICROSOFT_APP_TENANT_ID": kind != "MultiTenant" and not settings.microsoft_app_tenant_id,
    }
    return [name for name, lacking in needs.items() if lacking]


def problems(settings: Settings) -> list[str]:
    """What is wrong with the Teams settings, in words an admin can act on."""
    if app_type(settings) is None:
        return [
            f"MICROSOFT_APP_TYPE={settings.microsoft_app_type!r} is not one of "
            "SingleTenant, MultiTenant, UserAssignedMSI"
        ]
    missing = missing_settings(settings)
    if missing:
        return [f"MICROSOFT_APP_TYPE={app_type(settings)} needs {' and '.join(missing)}"]
    return []

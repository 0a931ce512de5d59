"""The fixed vocabulary of permissions a role may hold (seed 001's sys_menu `perms` strings). Superusers
hold every one of them; a route names the one it needs with `require_permission` (dependencies.py)."""

from typing import Literal

PERMISSIONS: dict[str, str] = {
    "catalog:write": "create, change and delete catalog categories, scenarios, tools and skills",
    "audit:read": "read the operation log and the sign-in log",
    "users:read": "list and read user accounts",
    "users:manage": "enable and disable accounts, change their nickname",
    "roles:manage": "create, change and delete roles, and grant them (only what one holds oneself)",
    "credits:grant": "grant and take credits",
    "usage:read": "read everyone's model usage",
    "notices:manage": "write notices",
    "config:manage": "change the runtime settings",
    "system:read": "read the statistics and the detailed health",
    "jobs:manage": "read the tracked queue jobs and redrive dead ones (/v1/admin/jobs)",
}

Permission = Literal[
    "catalog:write",
    "audit:read",
    "users:read",
    "users:manage",
    "roles:manage",
    "credits:grant",
    "usage:read",
    "notices:manage",
    "config:manage",
    "system:read",
    "jobs:manage",
]

EVERY_PERMISSION = frozenset(PERMISSIONS)

"""Auth depends on users, never the other way: the users domain (all but its router, which sits above
the domains and takes the caller from auth's dependencies) imports nothing of shared.auth."""

import ast
from pathlib import Path

import shared.users

USERS_PACKAGE = Path(shared.users.__file__).parent


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_users_domain_does_not_import_auth():
    # GIVEN every module of shared/users but its router
    modules = [path for path in USERS_PACKAGE.glob("*.py") if path.name != "router.py"]
    assert {"models.py", "schemas.py", "service.py", "passwords.py"} <= {path.name for path in modules}
    # THEN none of them imports shared.auth
    offenders = {
        path.name: sorted(name for name in imported_modules(path) if name.startswith("shared.auth"))
        for path in modules
    }
    assert {name: found for name, found in offenders.items() if found} == {}

"""Roles and permissions: a role is a named set of permissions from a fixed vocabulary; what a user may do
in the admin routes is what their active roles grant (superusers: everything)."""

import pytest

from shared.admin.models import Role
from tests.accounts import bearer, signup
from tests.admins import admin_with, grant
from tests.factories import make_category


def create_role(client, admin, **body):  # type: ignore[no-untyped-def]
    return client.post("/v1/admin/roles", headers=bearer(admin), json={"name": "Editors", **body})


def test_a_catalog_editor_edits_the_catalog_but_cannot_read_the_audit_log(client, db, superuser):
    # GIVEN a superuser who makes a role granting catalog:write only, and gives it to a member
    role = create_role(client, superuser, permissions=["catalog:write"])
    assert role.status_code == 201, role.text
    assert role.json()["permissions"] == ["catalog:write"]
    editor = signup(client)
    granted = client.patch(
        f"/v1/admin/users/{editor['user']['id']}",
        headers=bearer(superuser),
        json={"roles": [role.json()["id"]]},
    )
    assert granted.status_code == 200, granted.text
    assert [r["name"] for r in granted.json()["roles"]] == ["Editors"]
    category = make_category(db)
    # WHEN the editor changes the catalog and then reads the audit log
    edited = client.patch(
        f"/v1/catalog/categories/{category.slug}", headers=bearer(editor), json={"name": "Renamed"}
    )
    audit = client.get("/v1/admin/audit-log", headers=bearer(editor))
    # THEN the edit is made and the audit log is refused
    assert edited.status_code == 200, edited.text
    assert edited.json()["name"] == "Renamed"
    assert audit.status_code == 403
    assert audit.json()["detail"] == "This needs the permission audit:read"


def test_an_unknown_permission_is_422(client, superuser):
    response = create_role(client, superuser, permissions=["catalog:write", "catalog:destroy"])
    assert response.status_code == 422
    assert client.get("/v1/admin/roles", headers=bearer(superuser)).json()["total"] == 0


def test_a_duplicate_role_name_in_any_case_is_409(client, superuser):
    assert create_role(client, superuser, name="Editors").status_code == 201
    response = create_role(client, superuser, name="editors")
    assert response.status_code == 409
    other = create_role(client, superuser, name="Reviewers").json()
    renamed = client.patch(
        f"/v1/admin/roles/{other['id']}", headers=bearer(superuser), json={"name": "EDITORS"}
    )
    assert renamed.status_code == 409


def test_a_role_in_use_is_409_to_delete_unless_forced_which_takes_it_from_its_holders(client, db, superuser):
    # GIVEN a role a member holds
    role = create_role(client, superuser, permissions=["audit:read"]).json()
    member = signup(client)
    client.patch(
        f"/v1/admin/users/{member['user']['id']}", headers=bearer(superuser), json={"roles": [role["id"]]}
    )
    assert client.get("/v1/admin/audit-log", headers=bearer(member)).status_code == 200
    listed = client.get("/v1/admin/roles", headers=bearer(superuser)).json()["items"]
    assert listed[0]["user_count"] == 1
    # WHEN it is deleted plainly, then with force
    refused = client.delete(f"/v1/admin/roles/{role['id']}", headers=bearer(superuser))
    forced = client.delete(f"/v1/admin/roles/{role['id']}", headers=bearer(superuser), params={"force": True})
    # THEN the first is a 409 naming the way out, the second removes it and the member's permission
    assert refused.status_code == 409
    assert "force=true" in refused.json()["detail"]
    assert forced.status_code == 204
    assert db.get(Role, role["id"]) is None
    assert client.get("/v1/admin/audit-log", headers=bearer(member)).status_code == 403


def test_an_unused_role_is_deleted_without_force(client, superuser):
    role = create_role(client, superuser).json()
    assert client.delete(f"/v1/admin/roles/{role['id']}", headers=bearer(superuser)).status_code == 204
    assert client.get("/v1/admin/roles", headers=bearer(superuser)).json()["total"] == 0


def test_a_role_manager_grants_only_permissions_they_hold(client, db):
    # GIVEN a member who may manage roles and read the audit log, nothing else
    manager = admin_with(client, db, "roles:manage", "audit:read")
    # WHEN they make a role with a permission they lack, and one with what they hold
    beyond = create_role(client, manager, name="Granters", permissions=["credits:grant"])
    within = create_role(client, manager, name="Auditors", permissions=["audit:read"])
    # THEN the first is refused, naming the permission; the second is made
    assert beyond.status_code == 403
    assert "credits:grant" in beyond.json()["detail"]
    assert within.status_code == 201
    # AND they cannot widen a role beyond what they hold, nor take over one that grants more
    widened = client.patch(
        f"/v1/admin/roles/{within.json()['id']}",
        headers=bearer(manager),
        json={"permissions": ["audit:read", "config:manage"]},
    )
    assert widened.status_code == 403
    mightier = grant(db, signup(client)["user"]["id"], "config:manage")
    assert client.delete(f"/v1/admin/roles/{mightier.id}", headers=bearer(manager)).status_code == 403


def test_a_role_manager_cannot_give_themselves_a_mightier_role(client, db, superuser):
    manager = admin_with(client, db, "roles:manage", "users:manage")
    mightier = create_role(client, superuser, name="Config", permissions=["config:manage"]).json()
    response = client.patch(
        f"/v1/admin/users/{manager['user']['id']}", headers=bearer(manager), json={"roles": [mightier["id"]]}
    )
    assert response.status_code == 403
    assert client.get("/v1/admin/config", headers=bearer(manager)).status_code == 403


def test_roles_need_roles_manage_to_be_given_even_by_a_user_manager(client, db, superuser):
    manager = admin_with(client, db, "users:manage")
    role = create_role(client, superuser, permissions=[]).json()
    member = signup(client)
    response = client.patch(
        f"/v1/admin/users/{member['user']['id']}", headers=bearer(manager), json={"roles": [role["id"]]}
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "This needs the permission roles:manage"


def test_giving_an_unknown_role_is_422(client, superuser):
    member = signup(client)
    response = client.patch(
        f"/v1/admin/users/{member['user']['id']}",
        headers=bearer(superuser),
        json={"roles": ["00000000-0000-4000-8000-000000000000"]},
    )
    assert response.status_code == 422


def test_the_permission_vocabulary_is_listed(client, superuser):
    names = [p["name"] for p in client.get("/v1/admin/permissions", headers=bearer(superuser)).json()]
    assert {"catalog:write", "audit:read", "users:read", "users:manage", "credits:grant"} <= set(names)
    assert {"usage:read", "notices:manage", "config:manage", "jobs:manage"} <= set(names)


@pytest.mark.parametrize("body", [{"name": ""}, {"name": "x" * 65}, {"status": "paused"}, {"name": None}])
def test_bad_role_fields_are_422(client, superuser, body):
    role = create_role(client, superuser).json()
    assert (
        client.patch(f"/v1/admin/roles/{role['id']}", headers=bearer(superuser), json=body).status_code == 422
    )

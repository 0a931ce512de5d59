"""Every domain's models map on their own: a function imports only the models its routes use, so each
models module brings the models its foreign keys and relationships name, and nothing else."""

import json
import subprocess
import sys

import pytest

from infra.local.options import REPO_ROOT

MODELS_MODULES = sorted(
    "shared." + path.parent.name + ".models" for path in (REPO_ROOT / "shared").glob("*/models.py")
)

# In a fresh interpreter: import one module, configure its mappers, resolve every foreign key, and
# sort the tables of every mapper the way a flush does.
PROBE = r"""
import importlib, json, sys
importlib.import_module(sys.argv[1])
from sqlalchemy.orm import configure_mappers
from shared.orm import Base
configure_mappers()
for table in Base.metadata.tables.values():
    for foreign_key in table.foreign_keys:
        foreign_key.column
for mapper in Base.registry.mappers:
    mapper._sorted_tables
print(json.dumps(sorted(mapper.class_.__name__ for mapper in Base.registry.mappers)))
"""


def mapped_alone(module: str) -> list[str]:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, module], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return list(json.loads(completed.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("module", MODELS_MODULES)
def test_every_models_module_maps_on_its_own(module):
    assert mapped_alone(module)


def test_users_map_without_the_domains_that_refer_to_them():
    assert mapped_alone("shared.users.models") == ["User"]


def test_a_domain_brings_the_models_its_foreign_keys_name():
    # agent_workflows refers to users and projects, and its stars, versions and deliveries to it
    assert mapped_alone("shared.workflows.models") == [
        "AgentWorkflow",
        "Project",
        "User",
        "WebhookDelivery",
        "WorkflowStar",
        "WorkflowVersion",
    ]


def test_shared_models_maps_every_table():
    from shared import models
    from shared.orm import Base

    assert len(mapped_alone("shared.models")) == len(Base.registry.mappers)
    assert set(models.__all__) >= {mapper.class_.__name__ for mapper in Base.registry.mappers}


def test_a_row_returned_by_a_core_statement_is_loaded_as_the_orm_would_load_it(db):
    from sqlalchemy import update

    from shared.orm import as_loaded
    from shared.users.models import User

    user = User(email="core@example.com", username="core_row", nickname="Before")
    db.add(user)
    db.flush()
    table = User.__table__
    renamed = update(table).where(table.c.id == user.id).values(nickname="After").returning(*table.c)
    # the session's own instance takes the row's values, and has nothing left to write
    assert as_loaded(db, User, db.execute(renamed).one()._mapping) is user
    assert user.nickname == "After" and not db.is_modified(user)
    # without one in the session, a persistent instance is made from the row, with nothing to write
    db.expunge(user)
    loaded = as_loaded(db, User, db.execute(renamed).one()._mapping)
    assert loaded is not user and loaded in db and not db.is_modified(loaded) and not db.new
    assert (loaded.id, loaded.email, loaded.nickname) == (user.id, "core@example.com", "After")

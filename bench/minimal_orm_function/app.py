"""The floor of `bench/cold_start.py`: the minimal FastAPI + Mangum function plus what every ainav API
function needs besides, SQLAlchemy's ORM over pg8000 with one mapped table, read on each request.
What this costs above the reference is the part of the 1.3x target no restructuring of ours can close
while the functions keep SQLAlchemy."""

import os
import uuid

from fastapi import FastAPI
from mangum import Mangum
from sqlalchemy import String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from shared.database_url import normalize_database_url  # SQLAlchemy's URL parsing only


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50))


engine = create_engine(normalize_database_url(os.environ["DATABASE_URL"]))
app = FastAPI()


@app.get("/v1/health")
def health() -> dict[str, str]:
    with Session(engine) as session:
        session.get(User, uuid.uuid4())  # configures the mapper, connects, one query
    return {"status": "ok"}


handler = Mangum(app, lifespan="off", api_gateway_base_path="/")

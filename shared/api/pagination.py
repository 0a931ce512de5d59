"""Page parameters and the list envelope `{"items", "total", "page", "page_size"}` of every list."""

from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

from shared.config import settings

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.orm import Session

ItemT = TypeVar("ItemT")


class PageParams(BaseModel):
    page: int = 1
    page_size: int = settings.DEFAULT_PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def page_params(
    page: Annotated[int, Query(ge=1, le=100_000, description="1-based page number")] = 1,
    page_size: Annotated[
        int, Query(ge=1, le=settings.MAX_PAGE_SIZE, description="items per page")
    ] = settings.DEFAULT_PAGE_SIZE,
) -> PageParams:
    return PageParams(page=page, page_size=page_size)


PageDep = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    total: int
    page: int
    page_size: int

    @classmethod
    def of(cls, items: list[ItemT], total: int, page: PageParams) -> "Page[ItemT]":
        """The envelope of one page of `total` items."""
        return cls(items=items, total=total, page=page.page, page_size=page.page_size)


def paginate(session: "Session", query: "Select[Any]", page: PageParams) -> tuple[list[Any], int]:
    """One page of an ORM query and the total it would return unpaged: the list behind every envelope."""
    from sqlalchemy import func, select

    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return list(session.scalars(query.offset(page.offset).limit(page.page_size)).unique()), total

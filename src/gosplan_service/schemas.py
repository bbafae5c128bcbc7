"""Pydantic models of requests and responses, with bounded strings, lists and numbers.

Request models derive from :class:`RequestModel` (unknown fields are refused, named in the
422) and use the strict field types below: a string or a boolean where a number is wanted is
a 422, not a silent conversion. Response models derive from :class:`PublicModel` (built from
ORM objects). Split by role: ``...Create`` (a POST body), ``...Update`` (a PATCH body),
``...Public`` (what the API shows).

Field types
    :data:`Name` (a label: user, enterprise, product, plan; at most
    :data:`~gosplan_service.settings.NAME_LENGTH` characters, no control characters),
    :data:`UserName`, :data:`Text` (free text, at most the running instance's
    ``max_string_length``), :data:`Password`, :data:`Quantity` (a finite number, int or
    float, never a bool or a string), :data:`Count`, :data:`Id`. Bound every list:
    ``rows: Annotated[list[ReportRow], Field(min_length=1, max_length=MAX_LIST_LENGTH)]``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    StringConstraints,
)

from gosplan_service.settings import MAX_ID, NAME_LENGTH, STRING_LENGTH_CEILING, active_settings

__all__ = [
    "LARGEST_QUANTITY",
    "MAX_LIST_LENGTH",
    "Count",
    "Health",
    "Id",
    "LoginRequest",
    "Name",
    "Page",
    "Password",
    "ProblemDocument",
    "PublicModel",
    "Quantity",
    "RequestModel",
    "Text",
    "TokenPublic",
    "UserName",
    "UserPublic",
]

#: The largest magnitude of a quantity (as the library's own bound on plan numbers).
LARGEST_QUANTITY = 1e15
#: The most items of any list in a request.
MAX_LIST_LENGTH = 10_000
_NO_CONTROL = r"^[^\x00-\x1f\x7f]+$"


def _within_limit(value: str) -> str:
    limit = active_settings().max_string_length
    if len(value) > limit:
        raise ValueError(f"String should have at most {limit} characters")
    return value


#: A label: 1 to NAME_LENGTH characters, no control characters.
Name = Annotated[
    StrictStr, StringConstraints(min_length=1, max_length=NAME_LENGTH, pattern=_NO_CONTROL)
]
#: A user's name: letters, digits and ``. _ @ -``.
UserName = Annotated[
    StrictStr, StringConstraints(min_length=1, max_length=NAME_LENGTH, pattern=r"^[\w.@-]+$")
]
#: Free text, bounded by the settings' ``max_string_length``.
Text = Annotated[
    StrictStr, StringConstraints(max_length=STRING_LENGTH_CEILING), AfterValidator(_within_limit)
]
#: A password as given (any characters; bounded so hashing stays cheap to refuse).
Password = Annotated[StrictStr, StringConstraints(min_length=1, max_length=1024)]
#: A finite number (an int is accepted as a float; a bool or a string is not).
Quantity = Annotated[
    StrictFloat, Field(allow_inf_nan=False, ge=-LARGEST_QUANTITY, le=LARGEST_QUANTITY)
]
#: A whole number, zero or more.
Count = Annotated[StrictInt, Field(ge=0, le=MAX_ID)]
#: An object's id.
Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]

T = TypeVar("T")


class RequestModel(BaseModel):
    """Base of request bodies: unknown fields are refused (422, each named)."""

    model_config = ConfigDict(extra="forbid")


class PublicModel(BaseModel):
    """Base of responses: built from ORM objects (``model_validate(row)``)."""

    model_config = ConfigDict(from_attributes=True)


class LoginRequest(RequestModel):
    """``POST /api/auth/login``."""

    name: UserName
    password: Password


class UserPublic(PublicModel):
    """A user as the API shows it (never the password hash)."""

    id: int
    name: str
    role: str
    enterprise: str | None


class TokenPublic(BaseModel):
    """The answer to a login: the token (shown once) and who it is for."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    user: UserPublic


class Health(BaseModel):
    """``GET /api/health``."""

    status: Literal["ok"]
    version: str
    database: str


class FieldProblem(BaseModel):
    """One offending field of a problem document."""

    field: str
    message: str


class ProblemDocument(BaseModel):
    """An error (``application/problem+json``, RFC 9457)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldProblem] = []


class Page(BaseModel, Generic[T]):
    """One page of a list: the items, and where they stand in the whole."""

    items: list[T]
    total: int
    limit: int
    offset: int

"""Operating system, browser and device of a User-Agent header, by ua-parser (the maintained port of
uap-core's rules). ua-parser is imported on first use, and each rule is compiled the first time it is
tried: a container's first parse costs up to a few hundred milliseconds, later ones microseconds."""

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

MAX_FIELD_LENGTH = 64
UNKNOWN = "Other"


@dataclass(frozen=True)
class UserAgentInfo:
    os: str | None = None
    browser: str | None = None
    device: str | None = None


@lru_cache(maxsize=1)
def _parser() -> Any:
    from ua_parser import BasicResolver, Parser, load_lazy_builtins

    return Parser(BasicResolver(load_lazy_builtins()))


def _named(family: str | None, *versions: str | None) -> str | None:
    """ "Chrome 120", "Mac OS X 10.15", or None for what the rules do not know."""
    if not family or family == UNKNOWN:
        return None
    version = ".".join(part for part in versions if part)
    return f"{family} {version}"[:MAX_FIELD_LENGTH] if version else family[:MAX_FIELD_LENGTH]


@lru_cache(maxsize=1024)
def parse(user_agent: str | None) -> UserAgentInfo:
    """What the header tells; unknown parts are None."""
    if not user_agent:
        return UserAgentInfo()
    result = _parser().parse(user_agent)
    browser, system, device = result.user_agent, result.os, result.device
    return UserAgentInfo(
        os=_named(system.family, system.major, system.minor) if system else None,
        browser=_named(browser.family, browser.major) if browser else None,
        device=_named(device.family) if device else None,
    )

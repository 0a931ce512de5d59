"""/docs and /redoc work offline: Swagger UI and ReDoc come from the app itself, and each page's CSP
allows those assets and the page's own inline code, nothing from another origin."""

import base64
import hashlib
import importlib.metadata
import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from shared.api.app import create_app

DOCS_PAGES = ["/docs", "/redoc"]
# what each kind of asset must be served as
ASSET_CONTENT_TYPES = {"script": "text/javascript", "stylesheet": "text/css", "icon": "image/png"}
HASH_SOURCE = r"'sha256-[A-Za-z0-9+/]{43}='"
# every source a docs page's CSP may name: this origin, inline code by hash, data: images, blob: workers
ALLOWED_SOURCE = re.compile(rf"'self'|'none'|{HASH_SOURCE}|data:|blob:")
# what scripts and styles may come from: this origin, or inline code with a known hash
CODE_SOURCE = re.compile(rf"'self'|{HASH_SOURCE}")
STRICT_API_POLICY = "default-src 'none'; frame-ancestors 'none'"


class PageContents(HTMLParser):
    """The assets a page loads, as (kind, url), and the text of its inline scripts and styles."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.assets: list[tuple[str, str]] = []
        self.inline: dict[str, list[str]] = {"script": [], "style": []}
        self.open_inline: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script" and attributes.get("src"):
            self.assets.append(("script", str(attributes["src"])))
        elif tag == "link":
            kind = "icon" if "icon" in str(attributes.get("rel")) else str(attributes.get("rel"))
            self.assets.append((kind, str(attributes.get("href"))))
        elif tag in self.inline:
            self.open_inline = tag
            self.inline[tag].append("")

    def handle_data(self, data: str) -> None:
        if self.open_inline:
            self.inline[self.open_inline][-1] += data

    def handle_endtag(self, tag: str) -> None:
        self.open_inline = None


def hash_source(code: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()}'"


def parse_policy(header: str) -> dict[str, list[str]]:
    """A CSP header as {directive: [source, ...]}."""
    directives = (directive.split() for directive in header.split(";") if directive.strip())
    return {name: sources for name, *sources in directives}


@pytest.mark.parametrize("page", DOCS_PAGES)
def test_every_asset_a_docs_page_loads_is_served_by_the_app_itself(client, page):
    # GIVEN a docs page
    contents = PageContents(client.get(page).text)
    assert {kind for kind, _ in contents.assets} >= {"script", "icon"}
    for kind, url in contents.assets:
        # WHEN the browser fetches each script, stylesheet and favicon it references
        response = client.get(url)
        # THEN it is a path of this origin that the app answers with the asset, cached for a long time
        assert url.startswith("/") and not url.startswith("//")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(ASSET_CONTENT_TYPES[kind])
        assert len(response.content) > 1000
        assert "max-age=31536000" in response.headers["cache-control"]


@pytest.mark.parametrize("page", DOCS_PAGES)
def test_no_docs_page_names_another_origin(client, page):
    # WHEN a docs page is served
    response = client.get(page)
    # THEN nothing in it, nor in its CSP, points at another site (a CDN is unreachable offline)
    assert response.status_code == 200
    for text in (response.text, response.headers["content-security-policy"]):
        assert "http://" not in text
        assert "https://" not in text


@pytest.mark.parametrize("page", DOCS_PAGES)
def test_a_docs_page_csp_allows_its_own_assets_and_inline_code_only(client, page):
    # GIVEN a docs page and its CSP
    response = client.get(page)
    contents = PageContents(response.text)
    (header,) = response.headers.get_list("content-security-policy")  # two policies would both apply
    policy = parse_policy(header)
    # THEN nothing is allowed by default, the page may not be framed, and no directive names a host
    assert policy["default-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    for name, sources in policy.items():
        assert all(ALLOWED_SOURCE.fullmatch(source) for source in sources), name
    # AND scripts and styles come from this origin or by hash; every inline script and style has its hash
    assert all(CODE_SOURCE.fullmatch(source) for source in policy["script-src"] + policy["style-src"])
    assert set(policy["script-src"]) == {"'self'", *map(hash_source, contents.inline["script"])}
    assert {"'self'", *map(hash_source, contents.inline["style"])} <= set(policy["style-src"])


def test_the_inline_script_hash_follows_the_page_behind_a_path_prefix():
    # GIVEN an app served under a path prefix (an API Gateway stage, a proxy's root_path)
    client = TestClient(create_app(), root_path="/stage")
    # WHEN Swagger UI is served
    response = client.get("/docs")
    # THEN its inline script loads the prefixed schema, and the CSP hashes that very script
    (script,) = PageContents(response.text).inline["script"]
    assert "'/stage/openapi.json'" in script
    assert hash_source(script) in parse_policy(response.headers["content-security-policy"])["script-src"]


def test_the_redoc_style_hashes_were_read_from_the_installed_fastapi_offline():
    # GIVEN the hashes of the stylesheets ReDoc inserts, read in headless Chromium from fastapi-offline 1.7.7
    # THEN that version is the installed one: another needs REDOC_INSERTED_STYLE_HASHES read again
    assert importlib.metadata.version("fastapi-offline") == "1.7.7"


@pytest.mark.parametrize(
    "name",
    ["core.py", "__init__.py", "..%2Fcore.py", "%2e%2e%2f%2e%2e%2fpyproject.toml", "..", "static"],
)
def test_only_the_known_asset_files_are_served(client, name):
    # GIVEN the folder the docs assets are served from
    assets = PageContents(client.get("/docs").text).assets[0][1].rsplit("/", 1)[0]
    # WHEN anything but a known asset file is asked for, a path traversal included
    response = client.get(f"{assets}/{name}")
    # THEN it is not found
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


@pytest.mark.parametrize("path", ["/v1/health", "/openapi.json"])
def test_outside_the_docs_pages_the_strict_api_csp_stays(client, path):
    # WHEN anything but a docs page answers
    response = client.get(path)
    # THEN it carries the API's policy: nothing may load or run
    assert response.headers["content-security-policy"] == STRICT_API_POLICY

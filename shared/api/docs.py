"""`install_offline_docs(app)`: Swagger UI at /docs and ReDoc at /redoc, their scripts and styles served
by the app itself from the fastapi-offline package, so the docs work offline and where public CDNs are
blocked; each page carries a CSP that allows only those assets and its own inline code."""

import base64
import hashlib
import importlib.metadata
import importlib.util
import re
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
ASSET_MEDIA_TYPES = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
ASSET_CACHE_CONTROL = "public, max-age=31536000, immutable"
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
INLINE_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
# The stylesheets redoc.standalone.js of fastapi-offline 1.7.7 inserts itself: empty <style> elements
# that styled-components then fills through the CSSOM (which CSP does not check), and perfect-scrollbar's
# CSS. Read from headless Chromium's CSP reports; another ReDoc bundle needs them read again.
REDOC_INSERTED_STYLE_HASHES = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
)


def assets_directory() -> Path:
    """The fastapi-offline package's static folder, found without importing the package."""
    spec = importlib.util.find_spec("fastapi_offline")
    assert spec is not None and spec.submodule_search_locations is not None
    return Path(spec.submodule_search_locations[0]) / "static"


def assets_url() -> str:
    """The assets' path, with the package version in it so that a year of caching never serves a stale one."""
    return f"{DOCS_URL}/assets/{importlib.metadata.version('fastapi-offline')}"


def hash_sources(pattern: re.Pattern[str], html: str) -> list[str]:
    """The CSP hash source of every inline block of the page that the pattern matches."""
    return [
        f"'sha256-{base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()}'"
        for block in pattern.findall(html)
    ]


def with_docs_csp(
    page: HTMLResponse, *, inserted_style_hashes: tuple[str, ...] = (), worker_src: str | None = None
) -> HTMLResponse:
    """The page with a CSP allowing this origin's assets and API, its inline scripts and styles by hash,
    and the styles its scripts insert."""
    html = bytes(page.body).decode()
    directives = {
        "default-src": "'none'",
        "script-src": " ".join(["'self'", *hash_sources(INLINE_SCRIPT, html)]),
        "style-src": " ".join(["'self'", *hash_sources(INLINE_STYLE, html), *inserted_style_hashes]),
        "img-src": "'self' data:",  # Swagger UI's icons are data: SVGs
        "connect-src": "'self'",  # the pages fetch /openapi.json; Swagger UI's "Try it out" calls the API
        "worker-src": worker_src,
        "base-uri": "'none'",
        "form-action": "'none'",
        "frame-ancestors": "'none'",
    }
    page.headers["content-security-policy"] = "; ".join(
        f"{name} {sources}" for name, sources in directives.items() if sources
    )
    return page


def install_offline_docs(app: FastAPI) -> None:
    """Add /docs, /redoc and their assets to an app created with docs_url=None and redoc_url=None."""
    directory = assets_directory()
    assets = assets_url()
    assert app.openapi_url is not None, "the docs pages load the OpenAPI schema"
    openapi_url = app.openapi_url

    async def docs_asset(request: Request) -> FileResponse:
        name = request.path_params["name"]
        if name not in ASSET_MEDIA_TYPES:  # only the known files: no other name reaches the file system
            raise HTTPException(status_code=404, detail="Not Found")
        return FileResponse(
            directory / name,
            media_type=ASSET_MEDIA_TYPES[name],
            headers={"cache-control": ASSET_CACHE_CONTROL},
        )

    async def swagger_ui(request: Request) -> HTMLResponse:
        root_path = request.scope.get("root_path", "").rstrip("/")
        page = get_swagger_ui_html(
            openapi_url=root_path + openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root_path}{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{root_path}{assets}/swagger-ui.css",
            swagger_favicon_url=f"{root_path}{assets}/favicon.png",
        )
        return with_docs_csp(page)

    async def redoc(request: Request) -> HTMLResponse:
        root_path = request.scope.get("root_path", "").rstrip("/")
        page = get_redoc_html(
            openapi_url=root_path + openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root_path}{assets}/redoc.standalone.js",
            redoc_favicon_url=f"{root_path}{assets}/favicon.png",
            with_google_fonts=False,
        )
        # ReDoc runs its search index in a blob: worker
        return with_docs_csp(page, inserted_style_hashes=REDOC_INSERTED_STYLE_HASHES, worker_src="blob:")

    # Starlette routes, as FastAPI adds its own docs: they answer HEAD too, and take no dependencies.
    app.add_route(f"{assets}/{{name}}", docs_asset, include_in_schema=False)
    app.add_route(DOCS_URL, swagger_ui, include_in_schema=False)
    app.add_route(REDOC_URL, redoc, include_in_schema=False)

"""The README is the map and docs/ the reference: docs/settings.md is what its generator renders, every
setting is described, every relative link resolves inside the repository, and the README stays short
and names every folder."""

import re
from pathlib import Path

from infra.docs import settings as settings_doc
from shared.config import Settings

REPO_ROOT = Path(__file__).resolve().parents[1]
README = REPO_ROOT / "README.md"
DOCS = REPO_ROOT / "docs"
PAGES = [README, *sorted(DOCS.glob("*.md"))]
README_MAX_BYTES = 12_000  # a map of a few screens; the reference lives in docs/

FENCED_BLOCK = re.compile(r"^```.*?^```", re.S | re.M)
CODE_SPAN = re.compile(r"`[^`\n]*`")
INLINE_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$", re.M)
PARENT_PATH = re.compile(r"(?<![\w./-])\.\./[\w./-]+")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
GITIGNORED_FOLDERS = {"dist", "build", "__pycache__"}


def prose(page: Path) -> str:
    """The page without fenced blocks and code spans, where brackets and parentheses are not links."""
    return CODE_SPAN.sub("", FENCED_BLOCK.sub("", page.read_text(encoding="utf-8")))


def anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens."""
    slugs = set()
    for heading in HEADING.findall(FENCED_BLOCK.sub("", page.read_text(encoding="utf-8"))):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        suffix, number = slug, 0
        while suffix in slugs:
            number += 1
            suffix = f"{slug}-{number}"
        slugs.add(suffix)
    return slugs


def link_problem(page: Path, target: str) -> str | None:
    """Why a link of `page` is broken, or None."""
    if EXTERNAL.match(target):
        return None
    path_part, _, anchor = target.partition("#")
    destination = (page.parent / path_part).resolve() if path_part else page
    if not destination.is_relative_to(REPO_ROOT):
        return "points outside the repository"
    if not destination.exists():
        return "names no file of the repository"
    if anchor and destination.suffix == ".md" and anchor not in anchors(destination):
        return f"names no heading of {destination.relative_to(REPO_ROOT)}"
    return None


def test_docs_settings_md_is_what_its_generator_renders():
    # GIVEN the settings as shared/config.py describes them
    rendered = settings_doc.render()
    # WHEN docs/settings.md is read
    committed = settings_doc.SETTINGS_PAGE.read_text(encoding="utf-8")
    # THEN the two agree
    assert committed == rendered, (
        f"docs/settings.md is out of date with shared/config.py; regenerate it with `{settings_doc.COMMAND}` "
        "(or `make docs`) and commit the result"
    )


def test_every_setting_has_a_description():
    undescribed = settings_doc.undescribed_settings()
    assert not undescribed, (
        f"these settings have no description: {', '.join(undescribed)}. In shared/config.py declare each as "
        '`NAME: type = Field(default, description="what it does")` under its `# --- section ---` comment, '
        f"then run `{settings_doc.COMMAND}`"
    )


def test_every_setting_sits_under_a_section_comment():
    sections = settings_doc.settings_by_section()
    placed = [name for names in sections.values() for name in names]
    assert sorted(placed) == sorted(Settings.model_fields)


def test_every_relative_link_resolves_inside_the_repository():
    broken = []
    for page in PAGES:
        text = prose(page)
        for target in INLINE_LINK.findall(text) + REFERENCE_LINK.findall(text):
            if problem := link_problem(page, target):
                broken.append(f"{page.relative_to(REPO_ROOT)}: ({target}) {problem}")
        # a path written out rather than linked, e.g. `../shared/design/architecture.md`, counts too
        for target in PARENT_PATH.findall(page.read_text(encoding="utf-8")):
            if problem := link_problem(page, target.rstrip(".")):
                broken.append(f"{page.relative_to(REPO_ROOT)}: {target} {problem}")
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_the_readme_is_a_map_of_a_few_screens():
    size = len(README.read_bytes())
    assert size <= README_MAX_BYTES, (
        f"README.md is {size} bytes, over {README_MAX_BYTES}: it is the map; move detail to a page of docs/"
    )


def test_the_readme_layout_names_every_folder_and_every_module_of_shared():
    layout = re.search(r"^## Layout\n+```\n(.*?)^```", README.read_text(encoding="utf-8"), re.S | re.M)
    assert layout, "README.md has no ## Layout section with a code block"
    expected = [
        f"{folder.name}/"
        for folder in REPO_ROOT.iterdir()
        if folder.is_dir()
        and not folder.name.startswith(".")
        and folder.name not in GITIGNORED_FOLDERS
        and not folder.name.endswith(".egg-info")
    ]
    expected += [
        f"infra/{folder.name}/"
        for folder in (REPO_ROOT / "infra").iterdir()
        if (folder / "__init__.py").exists()
    ]
    expected += [
        f"{package.name}/"
        for package in (REPO_ROOT / "shared").iterdir()
        if (package / "__init__.py").exists()
    ]
    expected += [
        module.name for module in (REPO_ROOT / "shared").glob("*.py") if module.name != "__init__.py"
    ]
    missing = [name for name in expected if name not in layout.group(1)]
    assert not missing, f"README.md's layout does not name: {', '.join(sorted(missing))}"


def test_every_page_of_docs_is_in_its_index():
    index = prose(DOCS / "README.md")
    unlisted = [
        page.name for page in DOCS.glob("*.md") if page.name != "README.md" and f"]({page.name})" not in index
    ]
    assert not unlisted, f"docs/README.md does not link: {', '.join(unlisted)}"

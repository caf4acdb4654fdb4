#!/usr/bin/python3
"""Checks the documentation for broken links and anchors.

    check_site.py SITE_DIR REPO_ROOT

SITE_DIR is the output of `mkdocs build --strict` (use_directory_urls: false, so
docs/page.md is SITE_DIR/page.html). mkdocs 1.4 warns about links to missing
pages but not about missing anchors, so this checks every relative href and src
of every built page: the file exists and, for page.html#anchor, the page has an
element with that id. It also checks the README's relative links (files in the
repository, docs/page.md#anchor against the built page, #anchor against the
README's own headings) and that every docs/*.md page is in mkdocs.yml's nav.
Exit status 1 with one line per problem, 0 when there is none.
"""
import html.parser
import os
import re
import sys
import unicodedata
import urllib.parse

import yaml


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()
        self.links = []  # (attribute, url)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id", "name") and tag != "meta":
                self.ids.add(value)
            if (name == "href" and tag in ("a", "link")) or (name == "src" and tag in ("img", "script")):
                self.links.append((name, value))


def parse(path):
    page = Page()
    with open(path, encoding="utf-8") as f:
        page.feed(f.read())
    return page


def external(url):
    return bool(urllib.parse.urlsplit(url).scheme) or url.startswith("//")


def check_site(site):
    problems = []
    pages = {}
    for root, _, files in os.walk(site):
        for name in files:
            if name.endswith(".html"):
                path = os.path.join(root, name)
                pages[os.path.relpath(path, site)] = parse(path)
    for rel, page in sorted(pages.items()):
        for _, url in page.links:
            if external(url):
                continue
            target, _, fragment = url.partition("#")
            target = urllib.parse.unquote(target)
            if target.startswith("/"):  # from the site's root (404.html)
                resolved = os.path.normpath(target.lstrip("/"))
            elif target:
                resolved = os.path.normpath(os.path.join(os.path.dirname(rel), target))
            else:
                resolved = rel
            if not os.path.exists(os.path.join(site, resolved)):
                problems.append(f"{rel}: broken link: {url}")
                continue
            if fragment and resolved.endswith(".html") and fragment not in pages[resolved].ids:
                problems.append(f"{rel}: broken anchor: {url}")
    return pages, problems


def github_slug(heading):
    # GitHub's anchors for README headings: lower case, punctuation dropped, spaces to '-'.
    text = re.sub(r"`", "", heading).strip().lower()
    text = unicodedata.normalize("NFKD", text)
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def markdown_links(text):
    fence = False
    for number, line in enumerate(text.split("\n"), 1):
        if line.startswith("```"):
            fence = not fence
            continue
        if fence:
            continue
        for m in re.finditer(r"\[[^\]]*\]\(([^)\s]+)\)", re.sub(r"`[^`]*`", "", line)):
            yield number, m.group(1)


def check_readme(readme, root, site, pages):
    problems = []
    text = open(readme, encoding="utf-8").read()
    headings = {github_slug(m.group(1)) for m in re.finditer(r"^#+ (.*)$", text, re.M)}
    for number, url in markdown_links(text):
        if external(url):
            continue
        target, _, fragment = url.partition("#")
        where = f"README.md:{number}"
        if not target:
            if fragment not in headings:
                problems.append(f"{where}: broken anchor: {url}")
            continue
        if not os.path.exists(os.path.join(root, target)):
            problems.append(f"{where}: broken link: {url}")
            continue
        if fragment and target.startswith("docs/") and target.endswith(".md"):
            built = target[len("docs/"):-len(".md")] + ".html"
            if built not in pages or fragment not in pages[built].ids:
                problems.append(f"{where}: broken anchor: {url}")
    return problems


def nav_pages(nav):
    for item in nav:
        for value in item.values():
            if isinstance(value, list):
                yield from nav_pages(value)
            else:
                yield value


def check_nav(root):
    with open(os.path.join(root, "mkdocs.yml"), encoding="utf-8") as f:
        config = yaml.safe_load(f)
    listed = set(nav_pages(config["nav"]))
    docs = os.path.join(root, config.get("docs_dir", "docs"))
    present = {n for n in os.listdir(docs) if n.endswith(".md")}
    return [f"mkdocs.yml: docs/{n} is not in the nav" for n in sorted(present - listed)]


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    site, root = sys.argv[1], sys.argv[2]
    pages, problems = check_site(site)
    if not pages:
        print(f"check_site: no pages in {site}", file=sys.stderr)
        return 1
    readme = os.path.join(root, "README.md")
    if os.path.exists(readme):
        problems += check_readme(readme, root, site, pages)
    if os.path.exists(os.path.join(root, "mkdocs.yml")):
        problems += check_nav(root)
    for p in problems:
        print(p)
    links = sum(len(p.links) for p in pages.values())
    print(f"check_site: {len(pages)} pages, {links} links and sources, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""Graph pages (`kg viz`): what they hold, that they need no internet, and how they behave in a browser."""
from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kg.viz import (
    CHROMIUM,
    CHROMIUM_ARGS,
    aid_network,
    contact_network,
    flows_tooltip,
    read_cooperation,
    write_pages,
)

pytestmark = pytest.mark.slow

CHINA = "https://w3id.org/cckg/id/country/CHN"
PAKISTAN = "https://w3id.org/cckg/id/country/PAK"
JAPAN = "https://w3id.org/cckg/id/country/JPN"
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason="needs Debian's chromium (make system-test-deps)")


@pytest.fixture(scope="module")
def pages(seed_build, tmp_path_factory):
    _, graph = seed_build
    return write_pages(graph, tmp_path_factory.mktemp("pages"))


@pytest.fixture(scope="module")
def cooperation(seed_build):
    _, graph = seed_build
    return read_cooperation(graph)


def page_named(pages, name):
    return next(page for page in pages if page.path.name == name)


class ResourceLinks(HTMLParser):
    """The `src` of every script and the `href` of every stylesheet link of a page."""

    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.links.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.links.append(attrs["href"])


# --- the pages as files ------------------------------------------------------------------------

def test_pages_are_written_for_both_networks_and_each_country(pages, cooperation):
    names = {page.path.name for page in pages}
    assert {"aid-network.html", "contact-network.html", "country-CHN.html", "country-JPN.html"} <= names
    countries = {a.iri for a in cooperation.actors.values() if a.kind == "country"}
    drawn = countries & (set(aid_network(cooperation)) | set(contact_network(cooperation)))
    assert len([n for n in names if n.startswith("country-")]) == len(drawn)
    assert (pages[0].path.parent / "index.html").is_file()


def test_pages_load_nothing_from_the_internet(pages):
    folder = pages[0].path.parent
    for path in [page.path for page in pages] + [folder / "index.html"]:
        parser = ResourceLinks()
        parser.feed(path.read_text(encoding="utf-8"))
        assert parser.links, path
        for link in parser.links:
            assert not re.match(r"(?i)(https?:)?//", link), f"{path.name} loads {link}"
            assert link.startswith("data:") or (folder / link).is_file(), f"{path.name}: {link} is missing"


def test_aid_network_has_every_donor_and_recipient(seed_build, pages, cooperation):
    _, graph = seed_build
    pairs = {(str(d), str(r)) for d, r in graph.query(
        "SELECT DISTINCT ?d ?r WHERE { ?f a cckg:AidFlow ; cckg:donor ?d ; cckg:recipient ?r }")}
    page = page_named(pages, "aid-network.html")
    assert page.edges == len(pairs)
    assert page.nodes == len({actor for pair in pairs for actor in pair})
    assert aid_network(cooperation).number_of_edges() == len(cooperation.flows)


def test_edge_tooltips_hold_flows_and_their_sources(cooperation):
    flows = [f for f in cooperation.flows if f.donor == CHINA and f.recipient == PAKISTAN]
    text = flows_tooltip(flows, cooperation)
    assert text.startswith(f"China → Pakistan: {len(flows)} aid flows")
    for flow in flows:
        for source in flow.sources:
            assert source.sentence in text and source.document in text
    assert any(item in text for flow in flows for item in flow.items)


def test_node_tooltips_hold_names_kind_positions_and_totals(pages):
    aid_page = page_named(pages, "aid-network.html").path.read_text(encoding="utf-8")
    assert "China (country)" in aid_page and "gave " in aid_page and "received " in aid_page
    contact_page = page_named(pages, "contact-network.html").path.read_text(encoding="utf-8")
    assert "Xi Jinping (person)" in contact_page and "position: President of China" in contact_page


def test_ego_page_holds_the_country_and_its_partners(pages, cooperation):
    page = page_named(pages, "country-JPN.html")
    text = page.path.read_text(encoding="utf-8")
    assert "Japan: aid and contacts" in text and '"ego": true' in text
    partners = {f.recipient for f in cooperation.flows if f.donor == JAPAN}
    partners |= {f.donor for f in cooperation.flows if f.recipient == JAPAN}
    for partner in partners:
        assert f'"id": "{partner}"' in text


def test_kg_viz_writes_pages(seed_build, tmp_path):
    out_dir, _ = seed_build
    run = subprocess.run([sys.executable, "-m", "kg.cli", "viz", str(out_dir), "--out", str(tmp_path / "pages")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "pages" / "aid-network.html").is_file() and (tmp_path / "pages" / "lib").is_dir()


# --- the pages in a real browser, opened from disk with the network blocked -----------------------

@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("needs Debian's chromium (make system-test-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class OpenedPage:
    """A page opened from disk, every non-file request aborted; failures and console errors recorded."""

    def __init__(self, browser, path: Path):
        self.failed, self.errors = [], []
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
                        else route.abort())
        self.page.on("requestfailed", lambda request: self.failed.append(request.url))
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_function("window.cckgReady === true", timeout=60_000)

    def drawn(self) -> tuple[int, int, int]:
        """(nodes drawn, edges drawn, coloured pixels on the canvas)."""
        return tuple(self.page.evaluate("""() => {
            const canvas = document.querySelector('#mynetwork canvas');
            const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let inked = 0;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) inked++;
            return [network.body.nodeIndices.length, network.body.edgeIndices.length, inked];
        }"""))

    def hover_edge(self, edge_id: str) -> str:
        """Move the mouse onto an edge, at a point where no node or other edge lies over it;
        the text of the tooltip that then shows ('' if none)."""
        point = self.page.evaluate("""(id) => {
            // vis-network shows the tooltip of the last edge (in its own order) within reach of
            // the pointer: find a point of this edge out of reach of every other edge and node
            network.setOptions({physics: {enabled: false}});  // the layout holds still under the pointer
            const box = document.querySelector('#mynetwork canvas').getBoundingClientRect();
            const edgesNear = (p) => Object.values(network.body.edges).filter((edge) =>
                edge.connected && edge.isOverlappingWith({left: p.x, right: p.x, top: p.y, bottom: p.y}));
            for (let along = 0.5, step = 1; step < 38; step++) {
                along += (step % 2 ? 1 : -1) * step * 0.025;
                const onCanvas = network.body.edges[id].edgeType.getPoint(along);
                const near = edgesNear(onCanvas);
                const inView = network.canvasToDOM(onCanvas);
                if (near.length === 1 && near[0].id === id && network.getNodeAt(inView) === undefined) {
                    return [box.left + inView.x, box.top + inView.y];
                }
            }
            return null;
        }""", edge_id)
        assert point is not None, f"edge {edge_id} lies under other edges or nodes all along"
        tooltip = self.page.locator("div.vis-tooltip")
        self.page.mouse.move(1, 1)  # off the network: any tooltip hides
        tooltip.wait_for(state="hidden", timeout=5_000)
        # straight onto the point: a path across other edges may leave their tooltip up
        self.page.mouse.move(*point)
        tooltip.wait_for(state="visible", timeout=5_000)
        return tooltip.inner_text()


@needs_chromium
def test_each_page_draws_its_network_offline_without_errors(browser, pages):
    for page in pages:
        opened = OpenedPage(browser, page.path)
        try:
            nodes, edges, inked = opened.drawn()
            assert (nodes, edges) == (page.nodes, page.edges), page.path.name
            assert inked > 1000, f"{page.path.name}: the canvas is blank"
            assert opened.failed == [], f"{page.path.name}: failed requests {opened.failed}"
            assert opened.errors == [], f"{page.path.name}: console errors {opened.errors}"
        finally:
            opened.page.close()


@needs_chromium
@pytest.mark.parametrize("page_name, donor, recipient", [
    ("aid-network.html", CHINA, PAKISTAN),
    ("country-PAK.html", PAKISTAN, CHINA),
])
def test_hovering_an_edge_shows_its_source_sentence(browser, pages, cooperation, page_name, donor, recipient):
    sentences = [s.sentence for f in cooperation.flows if (f.donor, f.recipient) == (donor, recipient) for s in f.sources]
    assert sentences
    opened = OpenedPage(browser, page_named(pages, page_name).path)
    try:
        edge_id = opened.page.evaluate("""([from, to]) => edges.get({filter: e =>
            e.relation === 'aid' && e.from === from && e.to === to})[0].id""", [donor, recipient])
        shown = opened.hover_edge(edge_id)
        assert "aid flow" in shown, f"no edge tooltip on {page_name}; the text shown: {shown!r}"
        assert sentences[0] in " ".join(shown.split())
        assert opened.errors == [] and opened.failed == []
    finally:
        opened.page.close()


@needs_chromium
def test_filters_and_search(browser, pages, cooperation):
    opened = OpenedPage(browser, page_named(pages, "aid-network.html").path)
    try:
        teams = {(f.donor, f.recipient) for f in cooperation.flows if "medical team" in f.aid_types}
        opened.page.select_option("#aid-type", "medical team")
        shown = opened.page.evaluate("edges.get({filter: e => !e.hidden}).map(e => [e.from, e.to])")
        assert {tuple(pair) for pair in shown} == teams
        march = {(f.donor, f.recipient) for f in cooperation.flows if f.month == "2020-03" and "medical team" in f.aid_types}
        opened.page.select_option("#month", "2020-03")
        shown = opened.page.evaluate("edges.get({filter: e => !e.hidden}).map(e => [e.from, e.to])")
        assert {tuple(pair) for pair in shown} == march
        opened.page.select_option("#aid-type", "")
        opened.page.select_option("#month", "")
        assert opened.page.evaluate("edges.get({filter: e => e.hidden}).length") == 0
        opened.page.fill("#search", "Japan")
        opened.page.press("#search", "Enter")
        assert opened.page.evaluate("network.getSelectedNodes()") == [JAPAN]
        legend = opened.page.inner_text("#legend")
        assert "country" in legend and "organization" in legend and "donor → recipient" in legend
    finally:
        opened.page.close()

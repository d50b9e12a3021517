// Behaviour of the graph pages written by `kg viz`: tooltips, legend, search and filters.
// No network access: everything comes from the page and the files beside it. Text taken
// from the graph is always set with textContent, never parsed as HTML.
"use strict";

const cckgNetwork = (() => {
  const NO_MONTH = "none";

  function tooltip(text) {
    const box = document.createElement("div");
    box.className = "cckg-tooltip";
    box.textContent = text;
    return box;
  }

  function option(select, value, text) {
    const item = document.createElement("option");
    item.value = value;
    item.textContent = text;
    select.appendChild(item);
  }

  function buildLegend(nodes, edges) {
    const legend = document.getElementById("legend");
    const kinds = new Map();
    nodes.forEach((node) => kinds.set(node.kindName, node.color));
    for (const [name, colour] of [...kinds.entries()].sort()) {
      const entry = legend.appendChild(document.createElement("span"));
      const swatch = entry.appendChild(document.createElement("span"));
      swatch.className = "swatch";
      swatch.style.background = colour;
      entry.appendChild(document.createTextNode(name));
    }
    const relations = new Set(edges.map((edge) => edge.relation));
    const lines = [["aid", "aid: donor → recipient, wider for more flows", ""],
                   ["contact", "contact: call, visit, meeting, letter…", "dashed"]];
    for (const [relation, text, style] of lines) {
      if (!relations.has(relation)) continue;
      const entry = legend.appendChild(document.createElement("span"));
      entry.appendChild(document.createElement("span")).className = "line " + style;
      entry.appendChild(document.createTextNode(text));
    }
    const size = legend.appendChild(document.createElement("span"));
    size.textContent = "node size: degree centrality";
  }

  function buildFilters(nodes, edges, network) {
    const typeSelect = document.getElementById("aid-type");
    const monthSelect = document.getElementById("month");
    const types = new Set();
    const months = new Set();
    edges.forEach((edge) => edge.facets.forEach((facet) => {
      facet.types.forEach((type) => types.add(type));
      months.add(facet.month || NO_MONTH);
    }));
    [...types].sort().forEach((type) => option(typeSelect, type, type));
    [...months].filter((m) => m !== NO_MONTH).sort().forEach((month) => option(monthSelect, month, month));
    if (months.has(NO_MONTH)) option(monthSelect, NO_MONTH, "no month stated");
    if (types.size === 0) document.getElementById("aid-type-filter").hidden = true;
    const apply = () => applyFilters(nodes, edges, typeSelect.value, monthSelect.value);
    typeSelect.addEventListener("change", apply);
    monthSelect.addEventListener("change", apply);
    apply();
  }

  function matches(facet, type, month) {
    const typeOk = !type || facet.types.includes(type);
    const monthOk = !month || facet.month === month || (month === NO_MONTH && !facet.month);
    return typeOk && monthOk;
  }

  function applyFilters(nodes, edges, type, month) {
    const linked = new Set();
    const updates = edges.get().map((edge) => {
      const shown = edge.facets.some((facet) => matches(facet, type, month));
      if (shown) { linked.add(edge.from); linked.add(edge.to); }
      return { id: edge.id, hidden: !shown };
    });
    edges.update(updates);
    const filtering = Boolean(type || month);
    nodes.update(nodes.get().map((node) => ({ id: node.id, hidden: filtering && !node.ego && !linked.has(node.id) })));
    const shownCount = updates.filter((update) => !update.hidden).length;
    document.getElementById("shown").textContent = `${shownCount} of ${updates.length} links shown`;
  }

  function buildSearch(nodes, network) {
    const input = document.getElementById("search");
    const names = document.getElementById("actor-names");
    const labels = nodes.get().map((node) => [node.label, node.id]).sort();
    labels.forEach(([label]) => option(names, label, label));
    const find = () => {
      const wanted = input.value.trim().toLowerCase();
      if (!wanted) return;
      const hit = labels.find(([label]) => label.toLowerCase() === wanted) ||
                  labels.find(([label]) => label.toLowerCase().includes(wanted));
      if (!hit) {
        document.getElementById("shown").textContent = `no actor named “${input.value}”`;
        return;
      }
      network.selectNodes([hit[1]]);
      network.focus(hit[1], { scale: 1.3, animation: { duration: 400 } });
    };
    input.addEventListener("change", find);
    input.addEventListener("keydown", (event) => { if (event.key === "Enter") find(); });
  }

  function draw(container, nodes, edges, options) {
    // vis-network shows a string title as plain text on one line: give it a wrapping box
    nodes.update(nodes.get().map((node) => ({ id: node.id, title: tooltip(node.title) })));
    edges.update(edges.get().map((edge) => ({ id: edge.id, title: tooltip(edge.title) })));
    const network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
    network.once("stabilizationIterationsDone", () => {
      network.setOptions({ physics: { enabled: false } });
      // fit() only asks for a redraw: the page is ready once the fitted network is on the canvas
      network.once("afterDrawing", () => { window.cckgReady = true; });
      network.fit();
      network.redraw();
    });
    buildLegend(nodes, edges);
    buildFilters(nodes, edges, network);
    buildSearch(nodes, network);
    return network;
  }

  return { draw: draw, applyFilters: applyFilters };
})();

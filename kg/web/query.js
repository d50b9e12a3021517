// The query page of `kg serve`: runs queries against /sparql and shows the answers.
// Everything shown is set with textContent, never parsed as HTML.
"use strict";

let prefixes = {};

function compact(iri) {
  for (const [prefix, namespace] of Object.entries(prefixes)) {
    if (iri.startsWith(namespace) && iri.length > namespace.length) {
      return prefix + ":" + iri.slice(namespace.length);
    }
  }
  return "<" + iri + ">";
}

function withPrefixes(query) {
  const declared = new Set([...query.matchAll(/PREFIX\s+([\w-]*):/gi)].map((m) => m[1]));
  const missing = Object.entries(prefixes).filter(([p]) => !declared.has(p));
  return missing.map(([p, ns]) => `PREFIX ${p}: <${ns}>\n`).join("") + query;
}

function cell(term) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri") {
    td.className = "iri";
    td.textContent = compact(term.value);
    td.title = term.value;
  } else {
    td.textContent = term.value;
    if (term["xml:lang"]) td.title = "@" + term["xml:lang"];
    else if (term.datatype) td.title = compact(term.datatype);
  }
  return td;
}

function showTable(json) {
  const table = document.getElementById("table");
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  if ("boolean" in json) {
    head.appendChild(document.createElement("th")).textContent = "answer";
    table.createTBody().insertRow().appendChild(cell({ type: "literal", value: String(json.boolean) }));
    return 1;
  }
  const vars = json.head.vars;
  for (const name of vars) head.appendChild(document.createElement("th")).textContent = name;
  const body = table.createTBody();
  for (const binding of json.results.bindings) {
    const row = body.insertRow();
    for (const name of vars) row.appendChild(cell(binding[name]));
  }
  return json.results.bindings.length;
}

function setStatus(text, isError) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.className = isError ? "error" : "";
}

async function runQuery() {
  const started = performance.now();
  setStatus("running…", false);
  const graph = document.getElementById("graph");
  try {
    const response = await fetch("sparql", {
      method: "POST",
      headers: {
        "Content-Type": "application/sparql-query",
        Accept: "application/sparql-results+json, text/turtle;q=0.9",
      },
      body: withPrefixes(document.getElementById("query").value),
    });
    const text = await response.text();
    if (!response.ok) {
      setStatus(`${response.status}: ${text}`, true);
      return;
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    if ((response.headers.get("Content-Type") || "").includes("turtle")) {
      document.getElementById("table").replaceChildren();
      graph.hidden = false;
      graph.textContent = text;
      setStatus(`graph in ${seconds} s`, false);
    } else {
      graph.hidden = true;
      const rows = showTable(JSON.parse(text));
      setStatus(`${rows} row(s) in ${seconds} s`, false);
    }
  } catch (error) {
    setStatus(String(error), true);
  }
}

function listSavedQueries(queries) {
  const list = document.getElementById("saved");
  for (const query of queries) {
    const button = document.createElement("button");
    button.type = "button";
    button.appendChild(document.createElement("span")).textContent = query.name;
    button.firstChild.className = "name";
    const question = button.appendChild(document.createElement("span"));
    question.className = "question";
    question.textContent = query.question;
    button.addEventListener("click", () => {
      document.getElementById("query").value = query.sparql;
      runQuery();
    });
    list.appendChild(document.createElement("li")).appendChild(button);
  }
}

async function start() {
  document.getElementById("run").addEventListener("click", runQuery);
  document.getElementById("query").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) runQuery();
  });
  try {
    const saved = await (await fetch("queries.json")).json();
    prefixes = saved.prefixes;
    listSavedQueries(saved.queries);
  } catch (error) {
    setStatus("could not load the saved queries: " + error, true);
  }
}

document.addEventListener("DOMContentLoaded", start);

// The CompGraph explorer page: the state lives in the URL
// (/?expr=sin(x)*x&grad=x&order=2&show=0,2&partial=…&at=x:1.5&layout=dot&step=3
//  &nodes=800&collapse=outputs&expand=3,4),
// every change pushes a history entry, and the back button restores it.
"use strict";

const $ = (id) => document.getElementById(id);
const svgNS = "http://www.w3.org/2000/svg";

// The peers' operation counts for the n-th derivative of tanh (W1, BENCHMARKS.md): a
// reference for tanh only, labelled so, never this graph's peers.
const W1_PEERS = [
  { name: "tanh: SymEngine (cse)", color: "#8e44ad", points: [[1, 4], [3, 9], [5, 14], [8, 21], [10, 26]] },
  { name: "tanh: CasADi", color: "#16a085", points: [[1, 6], [3, 12], [5, 46], [8, 576], [10, 4410]] },
  { name: "tanh: JAX (jaxpr eqns)", color: "#c0392b", points: [[1, 5], [3, 34], [5, 172], [8, 2847], [10, 22269]] },
];
// The page's node limit until the user sets one (the server's cap may be higher).
const DEFAULT_NODES = 500;

let state = {};        // what the URL says
let answer = null;     // the last /api/graph answer
let trace = null;      // the last /api/trace answer
let drawing = 0;       // the latest request's number; older answers are dropped

// MARK: state <-> URL

function stateFromURL() {
  const q = new URLSearchParams(location.search);
  const at = {};
  for (const pair of (q.get("at") || "").split(",")) {
    const [name, value] = pair.split(":");
    if (name && value !== undefined && value !== "" && isFinite(Number(value))) at[name] = Number(value);
  }
  return {
    expr: q.get("expr") || "",
    grad: q.get("grad") || "",
    order: q.has("order") ? Number(q.get("order")) : 1,
    show: q.has("show") ? q.get("show").split(",").filter((s) => s !== "").map(Number) : null,
    partial: q.get("partial") || "",
    at,
    layout: q.get("layout") || "dot",
    step: q.has("step") ? Number(q.get("step")) : null,
    nodes: q.has("nodes") ? Number(q.get("nodes")) : null,
    collapse: q.get("collapse") || "none",
    expand: (q.get("expand") || "").split(",").filter((s) => /^\d+$/.test(s)).map(Number),
  };
}

function urlFromState(s) {
  const q = new URLSearchParams();
  q.set("expr", s.expr);
  if (s.grad) q.set("grad", s.grad);
  if (s.grad) q.set("order", String(s.order));
  if (s.show) q.set("show", s.show.join(","));
  if (s.partial) q.set("partial", s.partial);
  const at = Object.entries(s.at).map(([k, v]) => `${k}:${v}`).join(",");
  if (at) q.set("at", at);
  if (s.layout !== "dot") q.set("layout", s.layout);
  if (s.step !== null) q.set("step", String(s.step));
  if (s.nodes !== null) q.set("nodes", String(s.nodes));
  if (s.collapse !== "none") q.set("collapse", s.collapse);
  if (s.expand.length) q.set("expand", s.expand.join(","));
  return "/?" + q.toString().replace(/%2C/g, ",").replace(/%3A/g, ":");
}

function go(changes, { push = true } = {}) {
  state = Object.assign({}, state, changes);
  if (push) history.pushState(null, "", urlFromState(state));
  fillForm();
  return draw();
}

function fillForm() {
  $("source").value = state.expr;
  $("grad").value = state.grad;
  $("order").value = state.order;
  $("layout").value = state.layout;
  $("nodes").value = String(state.nodes ?? DEFAULT_NODES);
  $("collapse").value = state.collapse;
  autosize();
}

function request(extra = {}) {
  const grad = state.grad.split(",").map((s) => s.trim()).filter((s) => s);
  const body = {
    source: state.expr, grad, order: grad.length ? state.order : 0, layout: state.layout,
    nodes: state.nodes ?? DEFAULT_NODES, collapse: state.collapse,
  };
  if (state.expand.length) body.expand = state.expand;
  if (state.show) body.orders = state.show;
  if (state.partial) body.partial = state.partial;
  if (Object.keys(state.at).length) body.at = state.at;
  return Object.assign(body, extra);
}

async function api(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.ok) return response;
  let message = `${response.status} ${response.statusText}`;
  try { message = (await response.json()).error || message; } catch (_) { /* keep the status */ }
  throw new Error(message);
}

// MARK: drawing

async function draw() {
  const mine = ++drawing;
  showError(null);
  if (!state.expr.trim()) return;
  $("view").classList.add("stale");
  $("status").textContent = "drawing…";
  const started = performance.now();
  try {
    const got = await (await api("/api/graph", request())).json();
    if (mine !== drawing) return;
    answer = got;
    showPicture($("view"), got.svg, true);
    $("nodes").max = String(got.nodeCap);
    showAdvice(got.tooLarge);
    const drawn = got.outputs.filter((o) => o.drawn).map((o) => o.name).join(", ");
    const nodes = [...$("view").querySelectorAll("g.node")].filter((g) => /^[ng]\d+$/.test(nodeName(g))).length;
    $("status").textContent = `${drawn} — ` + (got.tooLarge ? "summary, one node per derivative order"
      : `${nodes} nodes drawn`) + ` — ${Math.round(performance.now() - started)} ms`
      + (got.valuesNote ? ` — no values: ${got.valuesNote}` : "");
    $("status").dataset.nodes = String(nodes);
    buildToolbar(got);
    drawChart(got.sizes);
    if (state.step !== null) await loadTrace(state.step, false);
    else clearTrace();
  } catch (error) {
    if (mine !== drawing) return;
    showError(error.message);
    $("status").textContent = "";
  } finally {
    if (mine === drawing) $("view").classList.remove("stale");
  }
}

// Why the summary is drawn, with a button for each choice that draws the graph itself.
function showAdvice(tooLarge) {
  const box = $("advice");
  box.hidden = !tooLarge;
  if (!tooLarge) return box.replaceChildren();
  const buttons = [];
  if (tooLarge.raiseTo) {
    const raise = document.createElement("button");
    raise.type = "button";
    raise.dataset.nodes = String(tooLarge.raiseTo);
    raise.textContent = `draw up to ${tooLarge.raiseTo} nodes`;
    raise.addEventListener("click", () => go({ nodes: tooLarge.raiseTo, step: null }));
    buttons.push(raise);
  }
  for (const collapse of tooLarge.collapse) {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.collapse = collapse;
    button.textContent = collapse === "outputs" ? "collapse each output" : "collapse each module";
    button.addEventListener("click", () => go({ collapse, expand: [], step: null }));
    buttons.push(button);
  }
  const text = document.createElement("span");
  text.textContent = tooLarge.message;
  box.replaceChildren(text, ...buttons);
}

function showError(message) {
  $("error").hidden = !message;
  $("error").textContent = message || "";
  $("source").classList.toggle("invalid", !!message && /^\d+:\d+: error/.test(message));
}

// Inserts Graphviz's SVG as DOM nodes (never as HTML), sized to its box.
function showPicture(container, text, interactive) {
  const parsed = new DOMParser().parseFromString(text, "image/svg+xml");
  const svg = parsed.documentElement;
  container.replaceChildren();
  if (svg.nodeName !== "svg") return null;
  const picture = document.importNode(svg, true);
  picture.removeAttribute("width");
  picture.removeAttribute("height");
  picture.setAttribute("preserveAspectRatio", "xMidYMid meet");
  container.appendChild(picture);
  if (interactive) {
    picture.dataset.box = picture.getAttribute("viewBox");
    for (const node of picture.querySelectorAll("g.node")) {
      node.addEventListener("mouseenter", () => hover(node));
      // A collapsed group (g<k>) opens on a click.
      const group = /^g(\d+)$/.exec(nodeName(node));
      if (group) {
        node.classList.add("group");
        node.addEventListener("click", () => go({ expand: state.expand.concat([Number(group[1])]), step: null }));
      }
    }
  }
  return picture;
}

function nodeName(group) {
  const title = group.querySelector("title");
  return title ? title.textContent : "";
}

function hover(group) {
  for (const other of document.querySelectorAll("#view g.node.hovered")) other.classList.remove("hovered");
  group.classList.add("hovered");
  const info = answer && answer.nodes[nodeName(group)];
  const collapsed = /^g\d+$/.test(nodeName(group));
  $("hover-infix").textContent = info ? info.infix
    : collapsed ? `${group.textContent.trim().replace(/\s+/g, " ")} — click to draw its nodes` : nodeName(group);
  $("hover-value").textContent = info && info.value != null ? info.value : "— (set the point above)";
  $("hover-adjoint-label").textContent = answer && answer.adjointOf ? `∂${answer.adjointOf}/∂node` : "adjoint";
  $("hover-adjoint").textContent = info && info.adjoint != null ? info.adjoint : "—";
}

// MARK: toolbar: order toggles, partials, the point

function buildToolbar(got) {
  const orders = [...new Set(got.outputs.map((o) => o.order))];
  const shown = state.show || orders;
  const toggles = orders.map((order) => {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = shown.includes(order);
    box.dataset.order = String(order);
    box.addEventListener("change", () => {
      const show = [...document.querySelectorAll("#orders input:checked")].map((b) => Number(b.dataset.order));
      go({ show: show.length === orders.length ? null : show, step: null });
    });
    label.append(box, order === 0 ? " f" : ` order ${order}`);
    return label;
  });
  $("orders").replaceChildren(...(orders.length > 1 ? toggles : []));

  const partial = $("partial");
  const options = [new Option("all", "")].concat(got.outputs.map((o) => new Option(o.name, o.name)));
  partial.replaceChildren(...options);
  partial.value = state.partial;

  const fields = got.variables.filter((v) => v.shape === "").map((v) => {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "number";
    input.step = "any";
    input.dataset.variable = v.name;
    input.value = state.at[v.name] !== undefined ? String(state.at[v.name]) : "";
    input.addEventListener("change", setPoint);
    label.append(`${v.name} = `, input);
    return label;
  });
  $("point").replaceChildren(...fields);
}

function setPoint() {
  const at = {};
  for (const input of document.querySelectorAll("#point input")) {
    if (input.value !== "" && isFinite(Number(input.value))) at[input.dataset.variable] = Number(input.value);
  }
  go({ at });
}

// MARK: pan and zoom (the picture's viewBox)

function box(svg) { return svg.getAttribute("viewBox").split(/[\s,]+/).map(Number); }

function setupPanZoom() {
  const view = $("view");
  let drag = null;
  view.addEventListener("wheel", (event) => {
    const svg = view.querySelector("svg");
    if (!svg) return;
    event.preventDefault();
    const [x, y, w, h] = box(svg);
    const rect = svg.getBoundingClientRect();
    const scale = Math.max(w / rect.width, h / rect.height);
    const cx = x + (event.clientX - rect.left - (rect.width - w / scale) / 2) * scale;
    const cy = y + (event.clientY - rect.top - (rect.height - h / scale) / 2) * scale;
    const factor = Math.exp(event.deltaY * 0.0015);
    svg.setAttribute("viewBox", [cx - (cx - x) * factor, cy - (cy - y) * factor, w * factor, h * factor].join(" "));
  }, { passive: false });
  view.addEventListener("pointerdown", (event) => {
    const svg = view.querySelector("svg");
    if (!svg || event.button !== 0) return;
    drag = { x: event.clientX, y: event.clientY, box: box(svg), svg };
    view.classList.add("dragging");
    view.setPointerCapture(event.pointerId);
  });
  view.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const [x, y, w, h] = drag.box;
    const rect = drag.svg.getBoundingClientRect();
    const scale = Math.max(w / rect.width, h / rect.height);
    drag.svg.setAttribute("viewBox",
      [x - (event.clientX - drag.x) * scale, y - (event.clientY - drag.y) * scale, w, h].join(" "));
  });
  const stop = () => { drag = null; view.classList.remove("dragging"); };
  view.addEventListener("pointerup", stop);
  view.addEventListener("pointercancel", stop);
  $("fit").addEventListener("click", () => {
    const svg = view.querySelector("svg");
    if (svg) svg.setAttribute("viewBox", svg.dataset.box);
  });
}

// MARK: the simplifier's trace

async function loadTrace(step, push = true) {
  try {
    trace = await (await api("/api/trace", request({ step }))).json();
  } catch (error) {
    showError(error.message);
    return;
  }
  if (push && trace.step !== state.step) {
    state.step = trace.step < 0 ? null : trace.step;
    history.pushState(null, "", urlFromState(state));
  }
  const list = trace.firings.map((firing, index) => {
    const item = document.createElement("li");
    const rule = document.createElement("span");
    rule.className = "rule";
    rule.textContent = firing.rule;
    item.append(rule, `: ${firing.before} → ${firing.after}` + (firing.domain ? ` (${firing.domain})` : ""));
    item.title = firing.location;
    item.classList.toggle("current", index === trace.step);
    item.addEventListener("click", () => loadTrace(index));
    return item;
  });
  $("firings").replaceChildren(...list);
  const current = $("firings").children[trace.step];
  if (current) $("firings").scrollTop = current.offsetTop - $("firings").offsetTop - 40;
  if (trace.step < 0) {
    $("trace-label").textContent = "no rule fired";
    $("trace-view").replaceChildren();
  } else {
    const firing = trace.firings[trace.step];
    $("trace-label").textContent = `step ${trace.step + 1} of ${trace.total}` + (firing ? `: ${firing.rule}` : "");
    const picture = showPicture($("trace-view"), trace.svg, false);
    if (picture) {
      for (const group of picture.querySelectorAll("g.node")) {
        const name = nodeName(group);
        if (trace.removed.includes(name)) group.classList.add("removed");
        if (trace.added.includes(name)) group.classList.add("added");
      }
    }
  }
  $("trace-prev").disabled = trace.step <= 0;
  $("trace-next").disabled = trace.step < 0 || trace.step >= trace.total - 1;
}

function clearTrace() {
  trace = null;
  $("firings").replaceChildren();
  $("trace-view").replaceChildren();
  $("trace-label").textContent = "";
  $("trace-prev").disabled = true;
  $("trace-next").disabled = true;
}

// MARK: downloads

function save(blob, name) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

async function download(kind) {
  if (!answer) return;
  const text = { svg: ["image/svg+xml", answer.svg], dot: ["text/vnd.graphviz", answer.dot], listing: ["text/plain", answer.listing] }[kind];
  if (text) return save(new Blob([text[1]], { type: text[0] }), `compgraph.${kind === "listing" ? "txt" : kind}`);
  try {
    const response = await api("/api/export", request({ format: kind }));
    save(await response.blob(), `compgraph.${kind}`);
  } catch (error) {
    showError(error.message);
  }
}

// MARK: the size chart

function element(name, attributes, text) {
  const node = document.createElementNS(svgNS, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function drawChart(sizes) {
  const chart = $("chart");
  const W = 320, H = 200, left = 34, right = 8, top = 8, bottom = 58;
  const mine = sizes.filter((s) => s.ops > 0 || s.order === 0);
  const maxOrder = Math.max(10, ...sizes.map((s) => s.order));
  const values = mine.map((s) => Math.max(1, s.ops)).concat(mine.map((s) => Math.max(1, s.nodes)));
  const maxY = Math.max(30000, ...values);
  const x = (order) => left + (order / maxOrder) * (W - left - right);
  const y = (v) => top + (1 - Math.log10(Math.max(1, v)) / Math.log10(maxY)) * (H - top - bottom);
  const parts = [element("line", { class: "axis", x1: left, y1: y(1), x2: W - right, y2: y(1) }),
    element("line", { class: "axis", x1: left, y1: top, x2: left, y2: y(1) })];
  for (let p = 1; p <= maxY; p *= 10) parts.push(element("text", { x: 2, y: y(p) + 3 }, p >= 1000 ? `${p / 1000}k` : String(p)));
  for (let n = 0; n <= maxOrder; n += 2) parts.push(element("text", { x: x(n) - 3, y: y(1) + 11 }, String(n)));
  const series = W1_PEERS.map((peer) => ({ name: peer.name, color: peer.color, points: peer.points, dash: "3 2" }));
  series.push({ name: "this graph: nodes", color: "#7f8c8d", points: mine.map((s) => [s.order, s.nodes]) });
  series.push({ name: "this graph: ops", color: "#2471a3", points: mine.map((s) => [s.order, Math.max(1, s.ops)]) });
  series.forEach((s, k) => {
    const path = s.points.map(([n, v], i) => `${i ? "L" : "M"}${x(n).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    const attributes = { d: path, fill: "none", stroke: s.color, "stroke-width": s.dash ? 1.2 : 2 };
    if (s.dash) attributes["stroke-dasharray"] = s.dash;
    parts.push(element("path", attributes));
    for (const [n, v] of s.points) parts.push(element("circle", { cx: x(n), cy: y(v), r: 2, fill: s.color }));
    const ly = H - bottom + 32 + Math.floor(k / 2) * 11, lx = k % 2 ? 170 : 4;
    parts.push(element("line", { x1: lx, y1: ly - 3, x2: lx + 14, y2: ly - 3, stroke: s.color, "stroke-width": 2 }));
    parts.push(element("text", { x: lx + 18, y: ly }, s.name));
  });
  parts.push(element("text", { x: left + 110, y: y(1) + 21 }, "derivative order n"));
  chart.replaceChildren(...parts);
  chart.dataset.ops = mine.map((s) => `${s.order}:${s.ops}`).join(",");
}

// MARK: wiring

function autosize() {
  const source = $("source");
  source.rows = Math.min(12, Math.max(1, source.value.split("\n").length));
}

function submit(event) {
  if (event) event.preventDefault();
  go({
    expr: $("source").value,
    grad: $("grad").value.replace(/\s+/g, ""),
    order: Math.max(0, Math.min(6, Number($("order").value) || 0)),
    layout: $("layout").value,
    nodes: Number($("nodes").value) > 0 ? Math.round(Number($("nodes").value)) : null,
    collapse: $("collapse").value,
    expand: [],
    show: null,
    partial: "",
    step: null,
  });
}

function start() {
  $("form").addEventListener("submit", submit);
  $("source").addEventListener("input", autosize);
  $("source").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) submit(event);
  });
  $("partial").addEventListener("change", () => go({ partial: $("partial").value, step: null }));
  $("collapse").addEventListener("change", () => go({ collapse: $("collapse").value, expand: [], step: null }));
  $("nodes").addEventListener("change", () => {
    const nodes = Math.round(Number($("nodes").value));
    if (nodes > 0) go({ nodes, step: null });
  });
  $("trace-load").addEventListener("click", () => loadTrace(state.step ?? 0));
  $("trace-prev").addEventListener("click", () => trace && loadTrace(Math.max(0, trace.step - 1)));
  $("trace-next").addEventListener("click", () => trace && loadTrace(trace.step + 1));
  for (const button of document.querySelectorAll("[data-download]")) {
    button.addEventListener("click", () => download(button.dataset.download));
  }
  window.addEventListener("popstate", () => { state = stateFromURL(); fillForm(); draw(); });
  setupPanZoom();
  state = stateFromURL();
  fillForm();
  draw();
}

start();

/**
 * Browser script of the visualizer page (inlined into the HTML by `visualize.ts`).
 *
 * Plain ES2020, no libraries. It reads the JSON in `#porcupine-data`, lays the operations out on
 * a warped time axis (every box wide enough for its label and its linearization points) and draws
 * one SVG per partition. All user text is inserted with `textContent`; only annotation details
 * may use `innerHTML`, when the page data says `allowHtmlDetails`.
 */
export const PAGE_SCRIPT = String.raw`
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var dataEl = document.getElementById("porcupine-data");
  var data = JSON.parse((dataEl && dataEl.textContent) || "{}");
  var ROW_H = 32, BOX_H = 22, PAD_L = 14, PAD_R = 60, PAD_Y = 6;
  var GAP = 14, TOUCH_GAP = 16, LP_GAP = 18, TICK_MARGIN = 7, TEXT_PAD = 16, MIN_BOX = 26;
  var MAX_LABEL = 40, MAX_ANN_LABEL = 32, LABEL_W = 120;
  var MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace";
  var states = data.states || [];
  var annotations = data.annotations || [];
  var RANK = { illegal: 0, unknown: 1, ok: 2 };
  var partitions = (data.partitions || []).slice();
  partitions.forEach(function (p, i) { p.pos = i; });
  if (partitions.length === 0 && annotations.length > 0) {
    partitions.push({ index: -1, pseudo: true, result: "ok", total: 0, ops: [], lins: [], largest: [], totalLins: 0, pos: 0 });
  }
  // Illegal partitions first, then unknown, then ok; by index within each group.
  var order = partitions.slice().sort(function (a, b) {
    return (RANK[a.result] - RANK[b.result]) || (a.index - b.index);
  });

  var zoom = 1;
  var selected = null;   // {p: partition object, k: op index}
  var hovered = null;
  var charW = measureCharWidth();

  // ----------------------------------------------------------------------------- helpers
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function sv(tag, attrs) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, String(attrs[k]));
    return e;
  }
  function measureCharWidth() {
    try {
      var ctx = document.createElement("canvas").getContext("2d");
      ctx.font = "12px " + MONO;
      var w = ctx.measureText("0123456789abcdefghij").width / 20;
      return w > 3 ? w : 7.3;
    } catch (e) { return 7.3; }
  }
  function stateText(i) { return (i >= 0 && i < states.length) ? states[i] : "(unknown)"; }
  function clip(text, max) { text = String(text); return text.length > max ? text.slice(0, Math.max(1, max - 1)) + "\u2026" : text; }
  function verdictLabel(v) {
    return v === "illegal" ? "\u2717 Not linearizable" : v === "unknown" ? "? Unknown (search did not finish)" : "\u2713 Linearizable";
  }
  function shortVerdict(v) { return v === "illegal" ? "illegal" : v === "unknown" ? "unknown" : "ok"; }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  // ----------------------------------------------------------------------------- time axis
  // Each rank t yields two slots: "start at t" (2t) before "end at t" (2t+1), so touching
  // closed intervals overlap on screen.
  var keyList = [];
  var keySeen = new Set();
  function addKey(k) { if (!keySeen.has(k)) { keySeen.add(k); keyList.push(k); } }
  partitions.forEach(function (p) {
    p.ops.forEach(function (o) { addKey(o.s * 2); addKey(Math.max(o.s, o.e) * 2 + 1); });
  });
  annotations.forEach(function (a) { addKey(a.s * 2); if (!a.point) addKey(Math.max(a.s, a.e) * 2 + 1); });
  keyList.sort(function (a, b) { return a - b; });
  var slotOf = new Map();
  keyList.forEach(function (k, i) { slotOf.set(k, i); });
  function sSlot(t) { return slotOf.get(t * 2); }
  function eSlot(s, e) { return slotOf.get(Math.max(s, e) * 2 + 1); }
  var nSlots = keyList.length;
  var xs = new Float64Array(nSlots);

  function boxWidth(text, max) { return Math.max(MIN_BOX, Math.min(String(text).length, max) * charW + TEXT_PAD); }

  // Linearizations with lazily computed tick positions (base pixels, before zoom).
  partitions.forEach(function (p) {
    p.linObjs = p.lins.map(function (lin, li) {
      var pos = new Map();
      lin.steps.forEach(function (st, j) { pos.set(st[0], j); });
      var badSet = new Set(lin.bad);
      return { li: li, lin: lin, pos: pos, bad: badSet, ticks: [], errTicks: new Map() };
    });
  });

  (function layout() {
    var cons = [], reqs = [];
    for (var i = 0; i < nSlots; i++) { cons.push(null); reqs.push(null); }
    function push(arr, i, v) { if (i === undefined) return; (arr[i] || (arr[i] = [])).push(v); }
    partitions.forEach(function (p) {
      p.ops.forEach(function (o) { push(cons, eSlot(o.s, o.e), { from: sSlot(o.s), w: boxWidth(o.d, MAX_LABEL) }); });
      p.linObjs.forEach(function (L) {
        L.lin.steps.forEach(function (st, j) { var o = p.ops[st[0]]; if (o) push(reqs, eSlot(o.s, o.e), { p: p, L: L, j: j }); });
        L.lin.bad.forEach(function (k) { var o = p.ops[k]; if (o) push(reqs, eSlot(o.s, o.e), { p: p, L: L, bad: k }); });
      });
    });
    annotations.forEach(function (a) {
      if (!a.point) push(cons, eSlot(a.s, a.e), { from: sSlot(a.s), w: boxWidth(a.d, MAX_ANN_LABEL) });
    });
    for (var k = 0; k < nSlots; k++) {
      var v = 0;
      if (k > 0) {
        var prev = keyList[k - 1], cur = keyList[k];
        // start(t) -> end(t): the two halves of the same instant (touching intervals overlap).
        v = xs[k - 1] + ((cur - prev === 1 && prev % 2 === 0) ? TOUCH_GAP : GAP);
      }
      (cons[k] || []).forEach(function (c) { if (c.from !== undefined && c.from < k) v = Math.max(v, xs[c.from] + c.w); });
      (reqs[k] || []).forEach(function (r) {
        var t = r.bad === undefined ? tickOf(r.p, r.L, r.j, k, v) : errTickOf(r.p, r.L, r.bad, k, v);
        v = Math.max(v, t + TICK_MARGIN);
      });
      xs[k] = v;
    }
  })();
  function slotX(slot, cur, curV) { return (slot === undefined || slot >= cur) ? curV : xs[slot]; }
  function tickOf(p, L, j, cur, curV) {
    for (var i = L.ticks.length; i <= j; i++) {
      var o = p.ops[L.lin.steps[i][0]];
      var base = slotX(sSlot(o.s), cur, curV);
      L.ticks.push(i === 0 ? base : Math.max(base, L.ticks[i - 1] + LP_GAP));
    }
    return L.ticks[j];
  }
  function errTickOf(p, L, k, cur, curV) {
    if (L.errTicks.has(k)) return L.errTicks.get(k);
    var n = L.lin.steps.length;
    var last = n > 0 ? tickOf(p, L, n - 1, cur, curV) : -Infinity;
    var t = Math.max(slotX(sSlot(p.ops[k].s), cur, curV), last + LP_GAP);
    L.errTicks.set(k, t);
    return t;
  }
  var totalW = nSlots > 0 ? xs[nSlots - 1] : 0;
  function X(base) { return PAD_L + base * zoom; }

  // ----------------------------------------------------------------------------- rows
  var tags = [];
  annotations.forEach(function (a) { if (a.tag && tags.indexOf(a.tag) < 0) tags.push(a.tag); });
  tags.sort();
  partitions.forEach(function (p) {
    var clients = new Set();
    p.ops.forEach(function (o) { clients.add(o.c); });
    annotations.forEach(function (a) { if (!a.tag) clients.add(a.c); });
    var cl = Array.from(clients).sort(function (a, b) { return a - b; });
    p.rows = tags.map(function (t) { return { key: "t:" + t, label: t, tag: true }; })
      .concat(cl.map(function (c) { return { key: "c:" + c, label: "client " + c, tag: false }; }));
    p.rowIndex = new Map();
    p.rows.forEach(function (r, i) { p.rowIndex.set(r.key, i); });
  });
  function rowTop(i) { return PAD_Y + i * ROW_H; }
  function rowMid(i) { return PAD_Y + i * ROW_H + ROW_H / 2; }
  function opRow(p, o) { return p.rowIndex.get("c:" + o.c); }

  // ----------------------------------------------------------------------------- page skeleton
  var app = document.getElementById("app");
  var header = el("header"); header.id = "top";
  var titleRow = el("div", "title-row");
  titleRow.appendChild(el("h1", null, data.title || "Porcupine linearizability report"));
  var verdict = el("span", "verdict-" + shortVerdict(data.verdict), verdictLabel(data.verdict));
  verdict.id = "verdict";
  verdict.setAttribute("data-verdict", shortVerdict(data.verdict));
  titleRow.appendChild(verdict);
  var realParts = partitions.filter(function (p) { return !p.pseudo; });
  var counts = { illegal: 0, unknown: 0, ok: 0 };
  var totalOps = 0;
  realParts.forEach(function (p) { counts[shortVerdict(p.result)]++; totalOps += p.total; });
  var summaryText = realParts.length === 0 ? "Empty history: nothing to check." :
    plural(totalOps, "operation") + " in " + plural(realParts.length, "partition") +
    " \u00b7 " + counts.illegal + " illegal, " + counts.unknown + " unknown, " + counts.ok + " ok";
  titleRow.appendChild(el("span", "summary", summaryText));
  header.appendChild(titleRow);

  var toolbar = el("div", "toolbar");
  var legend = el("div", "legend");
  function legendItem(svgChildren, text) {
    var item = el("span", "legend-item");
    var s = sv("svg", { width: 26, height: 16, viewBox: "0 0 26 16" });
    svgChildren.forEach(function (c) { s.appendChild(c); });
    item.appendChild(s);
    item.appendChild(el("span", null, text));
    legend.appendChild(item);
  }
  legendItem([sv("rect", { x: 1, y: 2, width: 24, height: 12, rx: 3, fill: "#cfe8fc", stroke: "#5b8fb9" })], "operation");
  legendItem([sv("rect", { x: 11, y: 0, width: 3, height: 16, fill: "rgba(20,26,33,.62)" })], "linearization point");
  legendItem([sv("rect", { x: 1, y: 2, width: 24, height: 12, rx: 3, fill: "#fdd9df", stroke: "#d92d4a" }),
    sv("rect", { x: 11, y: 0, width: 4, height: 16, fill: "#d92d4a" })], "illegal next step (search stuck)");
  legendItem([sv("rect", { x: 1, y: 2, width: 24, height: 12, rx: 2, fill: "#e5e7eb", stroke: "rgba(0,0,0,.25)" })], "annotation");
  legendItem([sv("path", { d: "M13 3 L18 8 L13 13 L8 8 Z", fill: "#6b7280" })], "point annotation");
  toolbar.appendChild(legend);

  var controls = el("div", "controls");
  var jumpBtn = el("button", null, "Jump to first error"); jumpBtn.id = "jump-to-error"; jumpBtn.type = "button";
  var zoomOut = el("button", null, "\u2212"); zoomOut.id = "zoom-out"; zoomOut.title = "Zoom out (-)";
  var zoomLevel = el("span", null, "100%"); zoomLevel.id = "zoom-level";
  var zoomIn = el("button", null, "+"); zoomIn.id = "zoom-in"; zoomIn.title = "Zoom in (+)";
  var zoomFit = el("button", null, "Fit"); zoomFit.id = "zoom-fit"; zoomFit.title = "Fit the whole history in the window";
  var zoomReset = el("button", null, "1:1"); zoomReset.id = "zoom-reset"; zoomReset.title = "Reset zoom (0)";
  [jumpBtn, zoomOut, zoomLevel, zoomIn, zoomFit, zoomReset].forEach(function (b) { controls.appendChild(b); });
  toolbar.appendChild(controls);
  header.appendChild(toolbar);
  header.appendChild(el("div", "help",
    "Time flows left to right (order only, not to scale). Hover an operation to see the longest linearization containing it and the states; click to pin it. Ctrl+wheel or +/\u2212 to zoom."));
  app.appendChild(header);

  var notices = el("div"); notices.id = "notices";
  (data.notes || []).forEach(function (n) { notices.appendChild(el("div", "notice", n)); });
  app.appendChild(notices);

  var index = el("nav"); index.id = "partition-index";
  if (realParts.length > 1) {
    order.forEach(function (p) {
      if (p.pseudo) return;
      var chip = el("button", "chip verdict-" + shortVerdict(p.result), "partition " + p.index + " \u00b7 " + shortVerdict(p.result));
      chip.type = "button";
      chip.setAttribute("data-partition", String(p.index));
      chip.addEventListener("click", function () { p.section.scrollIntoView({ behavior: "smooth", block: "start" }); });
      index.appendChild(chip);
    });
  }
  app.appendChild(index);

  var timeline = el("div"); timeline.id = "timeline";
  var inner = el("div"); inner.id = "timeline-inner";
  timeline.appendChild(inner);
  app.appendChild(timeline);
  if (partitions.length === 0) inner.appendChild(el("div", "empty-note", "The history is empty: there is nothing to draw."));

  var inspector = el("div"); inspector.id = "inspector";
  app.appendChild(inspector);
  var tooltip = el("div"); tooltip.id = "tooltip";
  document.body.appendChild(tooltip);

  // ----------------------------------------------------------------------------- partitions
  order.forEach(function (p) {
    var section = el("section", "partition");
    section.setAttribute("data-partition", p.pseudo ? "annotations" : String(p.index));
    section.setAttribute("data-verdict", shortVerdict(p.result));
    p.section = section;
    var head = el("div", "partition-header");
    var h2 = el("h2", null, p.pseudo ? "Annotations" : "Partition " + p.index);
    h2.title = "Collapse / expand";
    h2.addEventListener("click", function () { section.classList.toggle("collapsed"); });
    head.appendChild(h2);
    if (!p.pseudo) {
      head.appendChild(el("span", "badge verdict-" + shortVerdict(p.result), shortVerdict(p.result)));
      var meta = el("span", "partition-meta");
      var clientCount = new Set(p.ops.map(function (o) { return o.c; })).size;
      var parts = [plural(p.total, "operation"), plural(clientCount, "client")];
      var L0 = p.lins[0];
      if (p.result !== "ok") {
        parts.push("longest linearizable prefix: " + (L0 ? L0.len : 0) + " of " + p.total);
        if (L0 && L0.bad.length > 0) parts.push(plural(L0.bad.length, "candidate next step") + " after it, none leads to a linearization");
      } else {
        parts.push("linearizable");
      }
      if (p.stats) parts.push(p.stats.stepCalls + " model steps in the search");
      meta.textContent = parts.join(" \u00b7 ");
      head.appendChild(meta);
      if (p.note) head.appendChild(el("span", "partition-note", p.note));
    }
    section.appendChild(head);
    var body = el("div", "partition-body");
    var labels = el("div", "row-labels");
    labels.style.paddingTop = PAD_Y + "px";
    labels.style.paddingBottom = PAD_Y + "px";
    p.rows.forEach(function (r, i) {
      var l = el("div", "row-label" + (r.tag ? " tag" : "") + (r.tag && (i + 1 < p.rows.length) && !p.rows[i + 1].tag ? " tag-last" : ""), r.label);
      l.title = r.label;
      labels.appendChild(l);
    });
    body.appendChild(labels);
    p.body = body;
    section.appendChild(body);
    inner.appendChild(section);
  });

  function renderAll() {
    partitions.forEach(function (p) {
      var svg = renderPartition(p);
      if (p.svg) p.body.replaceChild(svg, p.svg); else p.body.appendChild(svg);
      p.svg = svg;
    });
    zoomLevel.textContent = Math.round(zoom * 100) + "%";
    applyView();
  }

  function renderPartition(p) {
    var width = Math.ceil(PAD_L + totalW * zoom + PAD_R);
    var height = p.rows.length * ROW_H + 2 * PAD_Y;
    var svg = sv("svg", { "class": "partition-svg", width: width, height: height, "data-partition": p.pseudo ? "annotations" : p.index });
    p.rows.forEach(function (r, i) {
      svg.appendChild(sv("rect", { "class": "row-bg" + (r.tag ? " tagrow" : (i % 2 ? " alt" : "")), x: 0, y: rowTop(i), width: width, height: ROW_H }));
    });
    if (tags.length > 0 && p.rows.length > tags.length) {
      var yDiv = rowTop(tags.length);
      svg.appendChild(sv("line", { "class": "row-divider", x1: 0, x2: width, y1: yDiv, y2: yDiv }));
    }
    // Annotations
    annotations.forEach(function (a, ai) {
      var row = p.rowIndex.get(a.tag ? "t:" + a.tag : "c:" + a.c);
      if (row === undefined) return;
      var g = sv("g", { "class": "annotation" + (a.point ? " annotation-point" : ""), "data-annotation": ai, "data-partition": p.pseudo ? "annotations" : p.index });
      var x0 = X(xs[sSlot(a.s)]);
      if (a.point) {
        var color = a.bg || "#6b7280";
        g.appendChild(sv("line", { "class": "ann-line", x1: x0, x2: x0, y1: rowTop(row) + 2, y2: rowTop(row) + ROW_H - 2, stroke: color }));
        var cy = rowMid(row);
        g.appendChild(sv("path", { d: "M" + x0 + " " + (cy - 6) + " L" + (x0 + 6) + " " + cy + " L" + x0 + " " + (cy + 6) + " L" + (x0 - 6) + " " + cy + " Z", fill: color, stroke: "#fff", "stroke-width": 1 }));
        var pt = sv("text", { x: x0 + 9, y: cy, fill: a.tc || "#374151" });
        pt.textContent = clip(a.d, 24);
        g.appendChild(pt);
        g.appendChild(sv("rect", { x: x0 - 7, y: rowTop(row), width: 14, height: ROW_H, fill: "transparent" }));
      } else {
        var x1 = X(xs[eSlot(a.s, a.e)]);
        var w = Math.max(4, x1 - x0);
        if (!a.tag) {
          // In a client row: a band behind the operations (the label is in the tooltip).
          g.setAttribute("class", "annotation annotation-band");
          g.appendChild(sv("rect", { "class": "ann-box", x: x0, y: rowTop(row) + 1, width: w, height: ROW_H - 2, rx: 2, fill: a.bg || "#e5e7eb" }));
          svg.appendChild(g);
          return;
        }
        g.appendChild(sv("rect", { "class": "ann-box", x: x0, y: rowMid(row) - BOX_H / 2, width: w, height: BOX_H, rx: 3, fill: a.bg || "#e5e7eb" }));
        var chars = Math.floor((w - 8) / (charW * 0.9));
        if (chars >= 2) {
          var t = sv("text", { x: x0 + w / 2, y: rowMid(row), fill: a.tc || "#111827", "text-anchor": "middle" });
          t.textContent = clip(a.d, Math.min(chars, MAX_ANN_LABEL));
          g.appendChild(t);
        }
      }
      svg.appendChild(g);
    });
    // Linearization paths go under the boxes (visible between them), ticks over them.
    var under = sv("g", { "class": "lin-under-layer" });
    svg.appendChild(under);
    // Operations
    var illegalNow = p.linObjs[0] ? p.linObjs[0].bad : new Set();
    p.opEls = p.ops.map(function (o, k) {
      var row = opRow(p, o);
      var x0 = X(xs[sSlot(o.s)]);
      var x1 = X(xs[eSlot(o.s, o.e)]);
      var w = Math.max(3, x1 - x0);
      var g = sv("g", { "class": "op" + (illegalNow.has(k) ? " op-illegal" : ""), "data-op-id": o.id, "data-k": k, "data-client": o.c, "data-partition": p.index });
      g.appendChild(sv("rect", { x: x0, y: rowMid(row) - BOX_H / 2, width: w, height: BOX_H, rx: 4 }));
      var chars = Math.floor((w - 6) / charW);
      if (chars >= 2) {
        var t = sv("text", { x: x0 + w / 2, y: rowMid(row) });
        t.textContent = clip(o.d, Math.min(chars, MAX_LABEL));
        g.appendChild(t);
      }
      svg.appendChild(g);
      return g;
    });
    // Linearizations (the longest drawn last, on top)
    p.linEls = [];
    p.linUnderEls = [];
    for (var li = p.linObjs.length - 1; li >= 0; li--) {
      var L = p.linObjs[li];
      var g = sv("g", { "class": "lin" + (li === 0 ? " lin-longest" : ""), "data-lin": li });
      var gu = sv("g", { "class": "lin lin-under", "data-lin": li });
      var pts = [];
      L.lin.steps.forEach(function (st, j) {
        var o = p.ops[st[0]];
        var tx = X(L.ticks[j] !== undefined ? L.ticks[j] : xs[sSlot(o.s)]);
        pts.push([tx, rowMid(opRow(p, o))]);
      });
      if (pts.length > 1) {
        gu.appendChild(sv("path", { "class": "lin-path", d: "M" + pts.map(function (q) { return q[0].toFixed(1) + " " + q[1]; }).join(" L") }));
      }
      pts.forEach(function (q) {
        g.appendChild(sv("rect", { "class": "lp-tick", x: q[0] - 1.5, y: q[1] - BOX_H / 2 - 4, width: 3, height: BOX_H + 8 }));
      });
      var last = pts.length > 0 ? pts[pts.length - 1] : null;
      L.lin.bad.forEach(function (k) {
        var o = p.ops[k];
        if (!o) return;
        var base = L.errTicks.has(k) ? L.errTicks.get(k) : xs[sSlot(o.s)];
        var ex = X(base), ey = rowMid(opRow(p, o));
        if (last) gu.appendChild(sv("path", { "class": "error-line", d: "M" + last[0].toFixed(1) + " " + last[1] + " L" + ex.toFixed(1) + " " + ey }));
        g.appendChild(sv("rect", { "class": "error-marker", x: ex - 2, y: ey - BOX_H / 2 - 5, width: 4, height: BOX_H + 10, "data-op-id": o.id, "data-k": k, "data-partition": p.index }));
      });
      svg.appendChild(g);
      under.appendChild(gu);
      p.linEls[li] = g;
      p.linUnderEls[li] = gu;
    }
    return svg;
  }

  // ----------------------------------------------------------------------------- highlighting
  function chosenLin(p, k) {
    var li = p.largest[k];
    if (li !== undefined && li >= 0) return li;
    for (var i = 0; i < p.linObjs.length; i++) if (p.linObjs[i].bad.has(k)) return i;
    return -1;
  }
  function applyView() {
    var focus = selected || hovered;
    partitions.forEach(function (p) {
      var mine = focus && focus.p === p;
      var li = mine ? chosenLin(p, focus.k) : 0;
      p.linEls.forEach(function (g, i) { if (g) g.classList.toggle("inactive", i !== li); });
      p.linUnderEls.forEach(function (g, i) { if (g) g.classList.toggle("inactive", i !== li); });
      var L = li >= 0 ? p.linObjs[li] : null;
      p.opEls.forEach(function (g, k) {
        var inLin = !!(mine && L && (L.pos.has(k)));
        g.classList.toggle("in-lin", inLin);
        g.classList.toggle("dim", !!(mine && !inLin && !(L && L.bad.has(k))));
        g.classList.toggle("focus", !!(mine && focus.k === k));
      });
    });
  }

  // ----------------------------------------------------------------------------- tooltip
  function line(parent, key, value, cls) {
    var d = el("div", "tt-line");
    d.appendChild(el("span", "tt-key", key + " "));
    d.appendChild(el("span", cls || "tt-state", value));
    parent.appendChild(d);
  }
  function fillOpTooltip(p, k) {
    var o = p.ops[k];
    tooltip.textContent = "";
    if (o.m) tooltip.appendChild(el("div", "tt-meta", o.m));
    tooltip.appendChild(el("div", "tt-title", o.d));
    tooltip.appendChild(el("div", "tt-sub", "client " + o.c + " \u00b7 operation " + o.id + " \u00b7 partition " + p.index));
    var li = chosenLin(p, k);
    var L = li >= 0 ? p.linObjs[li] : null;
    if (L && L.pos.has(k)) {
      var j = L.pos.get(k);
      tooltip.appendChild(el("div", "tt-sub", "step " + (j + 1) + " of " + (li === 0 ? "the longest" : "partial") + " linearization (" + L.lin.steps.length + " steps)"));
      line(tooltip, "Previous state:", j > 0 ? stateText(L.lin.steps[j - 1][1]) : stateText(data.initialState));
      line(tooltip, "New state:", stateText(L.lin.steps[j][1]));
    } else if (L && L.bad.has(k)) {
      var n = L.lin.steps.length;
      tooltip.appendChild(el("div", "tt-bad", "Illegal next step: no linearization continues with this operation here"));
      line(tooltip, "Previous state:", n > 0 ? stateText(L.lin.steps[n - 1][1]) : stateText(data.initialState));
      line(tooltip, "New state:", "\u27e8invalid op\u27e9", "tt-bad");
    } else {
      tooltip.appendChild(el("div", "tt-line", "Not part of any partial linearization"));
    }
    tooltip.appendChild(el("div", "tt-times", "Call: " + o.os + " \u00b7 Return: " + o.oe));
  }
  function fillAnnotationTooltip(a) {
    tooltip.textContent = "";
    tooltip.appendChild(el("div", "tt-title", a.d));
    tooltip.appendChild(el("div", "tt-sub", (a.tag ? a.tag : "client " + a.c) + " \u00b7 annotation"));
    var det = el("div", "tt-meta");
    if (!a.details) det.textContent = "\u27e8no details\u27e9";
    else if (data.allowHtmlDetails) det.innerHTML = a.details;
    else det.textContent = a.details;
    tooltip.appendChild(det);
    tooltip.appendChild(el("div", "tt-times", a.point ? "At: " + a.os : "Start: " + a.os + " \u00b7 End: " + a.oe));
  }
  function placeTooltip(cx, cy) {
    tooltip.style.display = "block";
    var r = tooltip.getBoundingClientRect();
    var x = Math.min(cx + 14, window.innerWidth - r.width - 8);
    var y = cy + 16;
    if (y + r.height > window.innerHeight - 4) y = Math.max(4, cy - r.height - 12);
    tooltip.style.left = Math.max(4, x) + "px";
    tooltip.style.top = y + "px";
  }
  function hideTooltip() { tooltip.style.display = "none"; tooltip.classList.remove("pinned"); }

  function opFromTarget(target) {
    var g = target && target.closest ? target.closest(".op") : null;
    if (!g) return null;
    var pid = g.getAttribute("data-partition");
    var p = partitions.find(function (q) { return String(q.index) === pid; });
    return p ? { p: p, k: Number(g.getAttribute("data-k")), g: g } : null;
  }
  timeline.addEventListener("mousemove", function (ev) {
    if (selected) return;
    var hit = opFromTarget(ev.target);
    if (hit) {
      if (!hovered || hovered.p !== hit.p || hovered.k !== hit.k) {
        hovered = { p: hit.p, k: hit.k };
        fillOpTooltip(hit.p, hit.k);
        applyView();
      }
      placeTooltip(ev.clientX, ev.clientY);
      return;
    }
    var ag = ev.target && ev.target.closest ? ev.target.closest(".annotation") : null;
    if (hovered) { hovered = null; applyView(); }
    if (ag) {
      fillAnnotationTooltip(annotations[Number(ag.getAttribute("data-annotation"))]);
      placeTooltip(ev.clientX, ev.clientY);
    } else {
      hideTooltip();
    }
  });
  timeline.addEventListener("mouseleave", function () {
    if (selected) return;
    hovered = null; hideTooltip(); applyView();
  });
  timeline.addEventListener("click", function (ev) {
    var hit = opFromTarget(ev.target);
    if (hit && !(selected && selected.p === hit.p && selected.k === hit.k)) {
      select(hit.p, hit.k, false);
    } else if (!(ev.target.closest && ev.target.closest(".annotation"))) {
      deselect();
    }
  });

  function select(p, k, scroll) {
    selected = { p: p, k: k };
    hovered = null;
    applyView();
    fillOpTooltip(p, k);
    tooltip.classList.add("pinned");
    openInspector(p, k);
    var g = p.opEls[k];
    if (scroll && g) g.scrollIntoView({ behavior: "smooth", block: "center", inline: "center" });
    pinTooltipTo(g);
  }
  function pinTooltipTo(g) {
    if (!g || !selected) return;
    var r = g.getBoundingClientRect();
    placeTooltip(r.left, r.bottom - 10);
  }
  function deselect() {
    selected = null; hovered = null;
    hideTooltip(); applyView(); closeInspector();
    document.querySelectorAll(".error-marker.focused").forEach(function (m) { m.classList.remove("focused"); });
  }
  timeline.addEventListener("scroll", function () { if (selected && tooltip.style.display === "block") pinTooltipTo(selected.p.opEls[selected.k]); });

  // ----------------------------------------------------------------------------- inspector
  function closeInspector() { inspector.classList.remove("open"); inspector.textContent = ""; }
  function openInspector(p, k) {
    inspector.textContent = "";
    inspector.classList.add("open");
    var li = chosenLin(p, k);
    var L = li >= 0 ? p.linObjs[li] : null;
    var head = el("div", "insp-head");
    head.appendChild(el("span", "insp-title", "Partition " + p.index + (L ? " \u00b7 " + (li === 0 ? "longest partial linearization" : "partial linearization " + (li + 1)) : "")));
    head.appendChild(el("span", "insp-sub", L ? (L.lin.steps.length + " of " + p.ops.length + " drawn operations linearized" + (L.lin.bad.length ? "; " + plural(L.lin.bad.length, "illegal next step") : "")) : "this operation is in no partial linearization"));
    var close = el("button", null, "Close"); close.type = "button";
    close.addEventListener("click", function (e) { e.stopPropagation(); deselect(); });
    head.appendChild(close);
    inspector.appendChild(head);
    var bodyEl = el("div", "insp-body");
    inspector.appendChild(bodyEl);
    if (!L) return;
    var table = el("table", "steps");
    var thead = el("tr");
    ["#", "client", "operation", "state after"].forEach(function (h) { thead.appendChild(el("th", null, h)); });
    table.appendChild(thead);
    var steps = L.lin.steps, n = steps.length;
    var focusJ = L.pos.has(k) ? L.pos.get(k) : n;
    var from = Math.max(0, focusJ - 150), to = Math.min(n, focusJ + 150);
    var current = null;
    function gapRow(text) { var tr = el("tr", "gap"); var td = el("td", null, text); td.colSpan = 4; tr.appendChild(td); table.appendChild(tr); }
    if (from > 0) gapRow(plural(from, "earlier step") + " not listed (initial state: " + clip(stateText(data.initialState), 80) + ")");
    else {
      var tr0 = el("tr", "gap");
      var td0 = el("td", null, "initial state: " + stateText(data.initialState)); td0.colSpan = 4; tr0.appendChild(td0); table.appendChild(tr0);
    }
    function row(kk, num, stateCell, cls) {
      var o = p.ops[kk];
      var tr = el("tr", cls);
      tr.appendChild(el("td", "num", num));
      tr.appendChild(el("td", "num", o.c));
      tr.appendChild(el("td", "mono", o.d));
      tr.appendChild(el("td", "mono", stateCell));
      tr.addEventListener("click", function () { select(p, kk, true); });
      if (kk === k) { tr.classList.add("current"); current = tr; }
      table.appendChild(tr);
    }
    for (var j = from; j < to; j++) row(steps[j][0], j + 1, stateText(steps[j][1]), "");
    if (to < n) gapRow(plural(n - to, "later step") + " not listed");
    var lastState = n > 0 ? stateText(steps[n - 1][1]) : stateText(data.initialState);
    L.lin.bad.forEach(function (kk) { row(kk, "\u2717", "\u27e8invalid op\u27e9 in state " + clip(lastState, 200) + " (after step " + n + ")", "bad"); });
    bodyEl.appendChild(table);
    if (current) {
      var cur = current;
      requestAnimationFrame(function () { bodyEl.scrollTop = Math.max(0, cur.offsetTop - bodyEl.clientHeight / 2); });
    }
  }

  // ----------------------------------------------------------------------------- jump to error
  var firstBad = order.find(function (p) { return p.linObjs[0] && p.linObjs[0].lin.bad.length > 0; });
  jumpBtn.disabled = !firstBad;
  if (!firstBad) jumpBtn.title = "No error to jump to";
  function jumpToFirstError() {
    if (!firstBad) return;
    var p = firstBad, L = p.linObjs[0];
    p.section.classList.remove("collapsed");
    var markers = Array.prototype.slice.call(p.linEls[0].querySelectorAll(".error-marker"));
    if (markers.length === 0) return;
    markers.sort(function (a, b) { return Number(a.getAttribute("x")) - Number(b.getAttribute("x")); });
    var n = L.lin.steps.length;
    select(p, n > 0 ? L.lin.steps[n - 1][0] : L.lin.bad[0], false);
    markers.forEach(function (m) { m.classList.remove("focused"); void m.getBoundingClientRect(); m.classList.add("focused"); });
    markers[0].scrollIntoView({ behavior: "smooth", block: "center", inline: "center" });
    // The inspector lists the states; a pinned tooltip would hide the marker.
    hideTooltip();
    document.body.setAttribute("data-jumped", "true");
  }
  jumpBtn.addEventListener("click", jumpToFirstError);
  // A page written for a failing test opens where the history went wrong.
  if (data.openAtFirstError && firstBad) requestAnimationFrame(function () { jumpToFirstError(); });

  // ----------------------------------------------------------------------------- zoom
  function setZoom(z, anchorClientX) {
    z = Math.min(8, Math.max(0.02, z));
    if (Math.abs(z - zoom) < 1e-9) return;
    var rect = timeline.getBoundingClientRect();
    var ax = anchorClientX === undefined ? rect.left + rect.width / 2 : anchorClientX;
    var offset = ax - rect.left;
    var base = (timeline.scrollLeft + offset - LABEL_W - PAD_L) / zoom;
    zoom = z;
    renderAll();
    timeline.scrollLeft = Math.max(0, base * zoom + LABEL_W + PAD_L - offset);
    if (selected && tooltip.style.display === "block") pinTooltipTo(selected.p.opEls[selected.k]);
  }
  function fitZoom() {
    var avail = timeline.clientWidth - LABEL_W - PAD_L - PAD_R;
    if (totalW > 0) setZoom(avail / totalW);
  }
  zoomIn.addEventListener("click", function () { setZoom(zoom * 1.25); });
  zoomOut.addEventListener("click", function () { setZoom(zoom / 1.25); });
  zoomReset.addEventListener("click", function () { setZoom(1); });
  zoomFit.addEventListener("click", fitZoom);
  timeline.addEventListener("wheel", function (ev) {
    if (!(ev.ctrlKey || ev.metaKey)) return;
    ev.preventDefault();
    setZoom(zoom * Math.exp(-ev.deltaY * 0.0015), ev.clientX);
  }, { passive: false });
  document.addEventListener("keydown", function (ev) {
    if (ev.target && (ev.target.tagName === "INPUT" || ev.target.tagName === "TEXTAREA")) return;
    if (ev.key === "+" || ev.key === "=") setZoom(zoom * 1.25);
    else if (ev.key === "-" || ev.key === "_") setZoom(zoom / 1.25);
    else if (ev.key === "0") setZoom(1);
    else if (ev.key === "Escape") deselect();
  });

  renderAll();
  document.body.setAttribute("data-ready", "true");
})();
`;

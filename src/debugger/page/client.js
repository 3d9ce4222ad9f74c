// The step debugger's page script (plain browser JavaScript, inlined by src/debugger/page.ts).
// One cursor over a recorded run: the selected event. The state shown is the peers' state at the
// end of that event's step. Everything but branching (and exporting) runs on the recording alone,
// so an exported page works from disk with no server.
(function () {
  "use strict";

  var boot = JSON.parse(document.getElementById("boot").textContent);
  var SERVER = boot.mode === "server";
  var PROPS = ["Election Safety", "Leader Append-Only", "Log Matching", "Leader Completeness", "State Machine Safety"];
  var NEEDS_INSPECT = { "Leader Append-Only": 1, "Log Matching": 1, "Leader Completeness": 1 };
  var ROW = 18;

  // ------------------------------------------------------------------------------------------
  // Server access

  function api(path, options) {
    var opts = options || {};
    var headers = { "x-raftlab-token": boot.token };
    if (opts.body) headers["content-type"] = "application/json";
    return fetch(path, { method: opts.method || "GET", headers: headers, body: opts.body }).then(function (r) {
      if (!r.ok) return r.text().then(function (t) { throw new Error(t); });
      return r.json();
    });
  }

  // ------------------------------------------------------------------------------------------
  // Peer states at any step, rebuilt from the recorded changes (keyframes + replay of changes)

  function emptyPeer() {
    return { up: false, term: 0, role: "follower", votedFor: null, commitIndex: 0, lastApplied: 0, snapshotIndex: 0, snapshotTerm: 0, lastIndex: 0, nextIndex: null, matchIndex: null, terms: [0] };
  }
  function copyPeer(p) {
    var q = Object.assign({}, p);
    q.terms = p.terms.slice();
    return q;
  }
  function applyChange(peers, c) {
    var p = peers[c.peer];
    if (c.set) for (var k in c.set) p[k] = c.set[k];
    if (c.logFrom !== undefined) {
      p.terms.length = Math.min(p.terms.length, c.logFrom);
      while (p.terms.length < c.logFrom) p.terms.push(-1);
      for (var i = 0; i < c.logTerms.length; i++) p.terms.push(c.logTerms[i]);
    }
  }

  function PeerStates(rec) {
    this.rec = rec;
    this.changes = rec.changes;
    var peers = [];
    for (var i = 0; i < rec.peers; i++) peers.push(emptyPeer());
    // Keyframes every K changes; K grows with the log sizes, so keyframes stay within ~4M numbers.
    var logWrites = 0;
    for (var j = 0; j < this.changes.length; j++) logWrites += this.changes[j].logTerms ? this.changes[j].logTerms.length : 0;
    var avgLog = Math.max(1, logWrites / Math.max(1, rec.peers));
    this.K = Math.max(64, Math.ceil((this.changes.length * avgLog * rec.peers) / 4e6));
    this.keys = [];
    for (var c = 0; c <= this.changes.length; c++) {
      if (c % this.K === 0) this.keys.push(peers.map(copyPeer));
      if (c < this.changes.length) applyChange(peers, this.changes[c]);
    }
  }
  // Number of changes with step <= s.
  PeerStates.prototype.count = function (s) {
    var lo = 0, hi = this.changes.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (this.changes[mid].step <= s) lo = mid + 1; else hi = mid;
    }
    return lo;
  };
  PeerStates.prototype.at = function (s) {
    var n = this.count(s);
    var k = Math.floor(n / this.K);
    var peers = this.keys[k].map(copyPeer);
    for (var c = k * this.K; c < n; c++) applyChange(peers, this.changes[c]);
    return peers;
  };

  // ------------------------------------------------------------------------------------------
  // Page state

  var rec = null, states = null, branchId = 0, cur = 0;
  var visible = new Int32Array(0);
  var filters = { timer: false, msg: true, log: true, heartbeats: false, text: "", peers: null };
  var span = 2000;
  var session = null;
  var pollTimer = null;
  var messagesBySent = null;
  var lanes = null;

  function $(id) { return document.getElementById(id); }
  // Sizes read once and on resize, and the list's scroll position from its scroll events: a step
  // writes to the page and never reads its layout back (which would force a layout per step).
  var view = { listH: 600, listTop: 0, canvasW: 800, canvasH: 230 };
  function measure() {
    view.listH = $("list").clientHeight || 600;
    view.listTop = $("list").scrollTop;
    view.canvasW = $("st").clientWidth || 800;
    view.canvasH = $("st").clientHeight || 230;
  }
  function h(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (k === "text") e.textContent = attrs[k];
      else if (k.slice(0, 2) === "on") e.addEventListener(k.slice(2), attrs[k]);
      else e.setAttribute(k, attrs[k]);
    }
    (children || []).forEach(function (c) { if (c) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }
  function fmt(ms) { return (ms / 1000).toFixed(3) + "s"; }
  function termColor(t) {
    if (t < 0) return "#999";
    // Neighbouring terms get far-apart hues (golden angle), so a new term stands out in a log.
    return "hsl(" + Math.round((t * 137.5 + 200) % 360) + "," + (t % 2 ? 55 : 70) + "%," + (t % 3 === 0 ? 38 : 46) + "%)";
  }
  function say(text) { $("msg").textContent = text || ""; }

  // ------------------------------------------------------------------------------------------
  // Layout

  function layout() {
    var app = $("app");
    app.innerHTML = "";
    app.appendChild(h("header", {}, [
      h("h1", { id: "title" }),
      h("span", { id: "outcome", class: "badge" }),
      h("div", { id: "props" }),
      h("span", { id: "msg" }),
      h("button", { id: "helpbtn", text: "? help", onclick: function () { $("help").classList.toggle("show"); } }),
    ]));
    app.appendChild(h("div", { id: "bar" }, [
      h("button", { id: "first", title: "first event (Home)", text: "|◀", onclick: function () { go(visible[0]); } }),
      h("button", { id: "prev", title: "previous event (k, ←)", text: "◀", onclick: function () { stepBy(-1); } }),
      h("button", { id: "next", title: "next event (j, →)", text: "▶", onclick: function () { stepBy(1); } }),
      h("button", { id: "last", title: "last event (End)", text: "▶|", onclick: function () { go(visible[visible.length - 1]); } }),
      h("button", { id: "prevchange", title: "previous step that changed a peer ([)", text: "◀Δ", onclick: function () { changeStep(-1); } }),
      h("button", { id: "nextchange", title: "next step that changed a peer (])", text: "Δ▶", onclick: function () { changeStep(1); } }),
      h("span", { id: "cursor" }),
      h("span", { class: "sep" }),
      h("input", { id: "jump", type: "text", size: "11", placeholder: "1.5s / #123 / @40", title: "jump to a time (1.5s), an event (#123) or a step (@40); g" }),
      h("button", { id: "jumpbtn", text: "go", onclick: jump }),
      h("button", { id: "violation", title: "first monitor violation (v)", text: "⚠ violation", onclick: toViolation }),
      h("span", { class: "sep" }),
      h("select", { id: "peersel", title: "peer" }),
      h("select", { id: "methsel", title: "RPC type or topic" }),
      h("button", { id: "findprev", text: "◀ find", title: "previous event of that peer and type", onclick: function () { find(-1); } }),
      h("button", { id: "findnext", text: "find ▶", title: "next event of that peer and type", onclick: function () { find(1); } }),
      h("span", { class: "sep" }),
      h("input", { id: "until", type: "text", size: "26", placeholder: "S2.commitIndex >= 5, leader(4)", title: "run until this holds (u)" }),
      h("button", { id: "untilbtn", text: "run until", onclick: runUntil }),
    ]));
    var main = h("main", {}, [
      h("div", { id: "left" }, [
        h("div", { id: "filters" }, [
          check("f-msg", "messages", filters.msg, function (v) { filters.msg = v; refilter(); }),
          check("f-log", "log lines", filters.log, function (v) { filters.log = v; refilter(); }),
          check("f-timer", "timers", filters.timer, function (v) { filters.timer = v; refilter(); }),
          check("f-hb", "heartbeats", filters.heartbeats, function (v) { filters.heartbeats = v; refilter(); draw(); }),
          h("span", { id: "peerfilter" }),
          h("input", { id: "textfilter", type: "text", size: "12", placeholder: "text or topic", title: "show only events whose text or topic (VOTE, LEAD, Raft.RequestVote...) contains this", oninput: function (e) { filters.text = e.target.value.toLowerCase(); refilter(); } }),
        ]),
        h("div", { id: "list", tabindex: "0" }, [h("div", { id: "spacer" })]),
      ]),
      h("div", { id: "right" }, [
        h("canvas", { id: "st", title: "space-time view: click to jump; wheel or +/- to zoom" }),
        h("div", { id: "peers" }),
        h("section", { class: "panel", id: "whypanel" }, [h("div", { id: "why" })]),
        h("section", { class: "panel", id: "branchpanel" }, [h("h2", { text: "Branch from here" }), h("div", { id: "edit" }), h("div", { id: "inflight" })]),
        h("section", { class: "panel" }, [h("h2", { text: "Branches" }), h("div", { id: "tree" }), h("div", { id: "exports" })]),
      ]),
    ]);
    app.appendChild(main);
    app.appendChild(h("div", { id: "help" }, [
      h("h2", { text: "Keys" }),
      helpTable([
        ["j  →  ↓", "next event (of those the filters show)"], ["k  ←  ↑", "previous event"], ["]  [", "next / previous step that changed a peer"],
        ["Home  End", "first / last event"], ["v", "first monitor violation"], ["g", "jump to a time (1.5s), event (#123) or step (@40)"],
        ["u", "run until a condition holds: S2.commitIndex >= 5, S1.role == 'leader', leader(4) (a leader of term 4 exists), leaders() > 1"],
        ["f  F", "next / previous event of the chosen peer and RPC type"], ["h", "show or collapse heartbeats (AppendEntries without entries)"],
        ["t", "show or hide timer events"], ["+  -", "zoom the space-time view"], ["d", "drop the selected message (a branch)"], ["?", "this help"], ["Esc", "leave a text box; close the help"],
      ]),
      h("p", { text: "Click a field of a peer (term, votedFor, commitIndex...) or a log cell to jump to the step that last changed it, and see the message that caused it." }),
      h("p", { text: "The state shown is the peers' state at the end of the selected event's step (a step: the events at one instant that fire before the tasks they wake run)." }),
    ]));
    var canvas = $("st");
    canvas.addEventListener("click", onCanvasClick);
    canvas.addEventListener("wheel", function (e) { e.preventDefault(); zoom(e.deltaY > 0 ? 1.25 : 0.8); }, { passive: false });
    $("list").addEventListener("scroll", function () { view.listTop = $("list").scrollTop; renderRows(); });
    window.addEventListener("resize", function () { measure(); renderRows(); draw(); });
    document.addEventListener("keydown", onKey);
  }
  function check(id, label, value, on) {
    var box = h("input", { id: id, type: "checkbox" });
    box.checked = value;
    box.addEventListener("change", function () { on(box.checked); });
    return h("label", {}, [box, " " + label]);
  }
  function helpTable(rows) {
    return h("table", {}, rows.map(function (r) { return h("tr", {}, [h("td", { text: r[0] }), h("td", { text: r[1] })]); }));
  }

  // ------------------------------------------------------------------------------------------
  // Loading a recording

  function load(recording, id, keepStep) {
    rec = recording;
    branchId = id;
    states = new PeerStates(rec);
    messagesBySent = rec.messages.slice().sort(function (a, b) { return a.sentAt - b.sentAt || a.id - b.id; });
    lanes = buildLanes();
    filters.peers = null;
    $("title").textContent = rec.test + " · seed " + rec.seed + (rec.edits.length > 0 ? " · branch #" + id + " (" + rec.edits.length + " edit" + (rec.edits.length === 1 ? "" : "s") + ")" : "");
    var o = $("outcome");
    o.textContent = rec.outcome.ok ? "passed" : rec.outcome.violation ? rec.outcome.violation.property + " violated" : "failed";
    o.className = "badge " + (rec.outcome.ok ? "ok" : "bad");
    o.title = rec.outcome.error || "";
    fillSelectors();
    $("why").innerHTML = "";
    refilter(true);
    var target = keepStep !== undefined ? firstEventOfStep(keepStep) : rec.outcome.violation ? violationEvent() : rec.outcome.ok ? visible[visible.length - 1] : rec.events.length - 1;
    go(target === undefined ? 0 : target);
    renderBranchPanel();
  }

  /** A peer's name: `S2`, or with several Raft clusters (Lab 5) the recording's `100:S2`, `ctl:S0`. */
  function pname(i) { return rec.peerNames ? rec.peerNames[i] : "S" + i; }

  function fillSelectors() {
    var ps = $("peersel");
    ps.innerHTML = "";
    ps.appendChild(h("option", { value: "", text: "any peer" }));
    for (var i = 0; i < rec.peers; i++) ps.appendChild(h("option", { value: String(i), text: pname(i) }));
    var ms = $("methsel");
    ms.innerHTML = "";
    ms.appendChild(h("option", { value: "", text: "any type" }));
    var seen = {};
    rec.events.forEach(function (e) { if (e.topic && e.kind !== "links") seen[e.topic] = 1; });
    ["crash", "start", "links", "edit", "violation"].concat(rec.peerNames ? ["shard"] : []).forEach(function (k) { ms.appendChild(h("option", { value: "kind:" + k, text: k })); });
    Object.keys(seen).sort().forEach(function (t) { ms.appendChild(h("option", { value: t, text: t })); });
    var pf = $("peerfilter");
    pf.innerHTML = "";
    for (var j = 0; j < rec.peers; j++) {
      (function (p) {
        pf.appendChild(check("pf" + p, pname(p), true, function (v) {
          if (filters.peers === null) { filters.peers = {}; for (var q = 0; q < rec.peers; q++) filters.peers[q] = true; }
          filters.peers[p] = v;
          refilter();
        }));
      })(j);
    }
  }

  // ------------------------------------------------------------------------------------------
  // The event list (windowed: only the rows in view exist)

  function isHeartbeat(e) {
    if (!e.topic || e.topic !== "Raft.AppendEntries" || e.msg === undefined) return false;
    var m = rec.messages[e.msg];
    return m !== undefined && /entries: 0\b/.test(m.args);
  }
  function shows(e) {
    if (e.kind === "timer") { if (!filters.timer) return false; }
    else if (e.kind === "log") { if (!filters.log) return false; }
    else if (e.msg !== undefined && e.kind !== "edit") {
      if (!filters.msg) return false;
      if (!filters.heartbeats && isHeartbeat(e)) return false;
    }
    if (filters.peers !== null && e.peer >= 0 && !filters.peers[e.peer]) return false;
    if (filters.text !== "" && (e.text + " " + (e.topic || "")).toLowerCase().indexOf(filters.text) < 0) return false;
    return true;
  }
  function refilter(quiet) {
    var out = [];
    for (var i = 0; i < rec.events.length; i++) if (shows(rec.events[i])) out.push(i);
    visible = Int32Array.from(out);
    $("spacer").style.height = visible.length * ROW + "px";
    if (!quiet) { renderRows(); scrollToCur(); }
  }
  function visIndex(ev) {
    var lo = 0, hi = visible.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (visible[mid] < ev) lo = mid + 1; else hi = mid; }
    return lo;
  }
  function renderRows() {
    var list = $("list");
    var top = view.listTop, height = view.listH;
    var from = Math.max(0, Math.floor(top / ROW) - 5), to = Math.min(visible.length, Math.ceil((top + height) / ROW) + 5);
    var rows = list.querySelectorAll(".row");
    for (var r = 0; r < rows.length; r++) rows[r].remove();
    var step = rec.events[cur] ? rec.events[cur].step : -1;
    var frag = document.createDocumentFragment();
    for (var i = from; i < to; i++) {
      var idx = visible[i], e = rec.events[idx];
      var row = h("div", { class: "row k-" + e.kind + (idx === cur ? " cur" : e.step === step ? " samestep" : ""), "data-ev": String(idx) }, [
        h("span", { class: "t", text: fmt(e.time) }), h("span", { class: "p", text: e.peer >= 0 ? pname(e.peer) : "" }), e.text,
      ]);
      row.style.top = i * ROW + "px";
      row.title = "#" + idx + " · step " + e.step + " · " + e.kind + (e.topic ? " · " + e.topic : "");
      row.addEventListener("click", onRowClick);
      frag.appendChild(row);
    }
    list.appendChild(frag);
  }
  function onRowClick(e) { go(Number(e.currentTarget.getAttribute("data-ev"))); }
  function scrollToCur() {
    var y = visIndex(cur) * ROW;
    if (y < view.listTop || y > view.listTop + view.listH - ROW) {
      view.listTop = Math.max(0, y - view.listH / 2);
      $("list").scrollTop = view.listTop;
    }
    renderRows();
  }

  // ------------------------------------------------------------------------------------------
  // Moving the cursor

  function go(ev) {
    if (!rec || rec.events.length === 0) return;
    cur = Math.max(0, Math.min(rec.events.length - 1, ev | 0));
    var e = rec.events[cur];
    var peers = states.at(e.step);
    // Highlighted: what this step changed (against the state at the end of the step before).
    var before = e.step > 0 ? states.at(e.step - 1) : null;
    renderPeers(peers, before);
    $("cursor").textContent = "event #" + cur + " of " + rec.events.length + " · step " + e.step + " of " + (rec.steps.length - 1) + " · " + fmt(e.time);
    renderProps(e.step);
    scrollToCur();
    draw();
    renderEdit();
    updateHash();
  }
  function stepBy(d) {
    var i = visIndex(cur);
    if (visible[i] !== cur) i = d > 0 ? i - 1 : i;
    var j = Math.max(0, Math.min(visible.length - 1, i + d));
    if (visible.length > 0) go(visible[j]);
  }
  function firstEventOfStep(s) {
    var lo = 0, hi = rec.events.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (rec.events[mid].step < s) lo = mid + 1; else hi = mid; }
    return Math.min(lo, rec.events.length - 1);
  }
  function eventAtTime(t) {
    var lo = 0, hi = rec.events.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (rec.events[mid].time < t) lo = mid + 1; else hi = mid; }
    return Math.min(lo, rec.events.length - 1);
  }
  function changeStep(d) {
    var s = rec.events[cur].step;
    var n = states.count(s);
    var c = d > 0 ? rec.changes[n] : rec.changes[states.count(s - 1) - 1];
    if (!c) { say("no " + (d > 0 ? "later" : "earlier") + " change"); return; }
    go(firstEventOfStep(c.step));
  }
  function jump() {
    var v = $("jump").value.trim();
    var m;
    if ((m = /^#(\d+)$/.exec(v))) go(Number(m[1]));
    else if ((m = /^@(\d+)$/.exec(v))) go(firstEventOfStep(Number(m[1])));
    else if ((m = /^([\d.]+)\s*(ms|s)?$/.exec(v))) go(eventAtTime(m[2] === "ms" ? Number(m[1]) : Number(m[1]) * 1000));
    else say("jump: give a time (1.5s or 1500ms), an event (#123) or a step (@40)");
  }
  function violationEvent() {
    for (var i = 0; i < rec.events.length; i++) if (rec.events[i].kind === "violation") return i;
    return firstEventOfStep(rec.outcome.violation.step);
  }
  function toViolation() {
    var v = rec.outcome.violation;
    if (!v) { say(rec.outcome.ok ? "no monitor violation: the run passed" : "no monitor violation in this run; it failed otherwise (see the badge)"); return; }
    go(violationEvent());
    // What reached the peers involved just before the monitor saw the violation: the likely cause.
    var causes = [];
    for (var k = firstEventOfStep(Math.max(0, v.step - 1)); k < rec.events.length && rec.events[k].step <= v.step; k++) {
      var e = rec.events[k], m = e.msg !== undefined ? rec.messages[e.msg] : undefined;
      if (!m) continue;
      if ((e.kind === "deliver" && v.peers.indexOf(m.to) >= 0) || (e.kind === "answer" && v.peers.indexOf(m.fromPeer) >= 0)) causes.push(k);
    }
    var why = $("why");
    why.innerHTML = "";
    why.appendChild(h("div", { text: (rec.outcome.error || v.property + " violated").split("\n").slice(0, 3).join(" · ") }));
    why.appendChild(document.createTextNode(causes.length ? "What reached " + v.peers.map(pname).join(" ") + " just before (select one, then branch: drop it): " : "No message reached the peers involved in that step."));
    causes.reverse().forEach(function (c) {
      why.appendChild(h("a", { href: "#", class: "cause", "data-ev": String(c), text: rec.events[c].text, onclick: function (ev) { ev.preventDefault(); go(c); } }));
      why.appendChild(document.createTextNode("  "));
    });
  }
  function find(d) {
    var peer = $("peersel").value, meth = $("methsel").value;
    for (var i = cur + d; i >= 0 && i < rec.events.length; i += d) {
      var e = rec.events[i];
      if (peer !== "" && String(e.peer) !== peer) continue;
      if (meth !== "" && (meth.slice(0, 5) === "kind:" ? e.kind !== meth.slice(5) : e.topic !== meth)) continue;
      if (!filters.heartbeats && isHeartbeat(e) && meth === "") continue;
      go(i);
      return;
    }
    say("no " + (d > 0 ? "later" : "earlier") + " event of that peer and type");
  }

  // "Run until": scans forward step by step, applying the changes incrementally.
  function runUntil() {
    var text = $("until").value.trim();
    if (text === "") return;
    // Lab 5's peers by name (`100:S2.commitIndex`), longest first; `S2.` is the third lane.
    var expr = text;
    if (rec.peerNames) rec.peerNames.map(function (n, i) { return [n, i]; }).sort(function (a, b) { return b[0].length - a[0].length; }).forEach(function (ni) { expr = expr.split(ni[0] + ".").join("P[" + ni[1] + "]."); });
    expr = expr.replace(/\bS(\d+)\./g, "P[$1].");
    var pred;
    try {
      pred = new Function("P", "leader", "leaders", "\"use strict\"; return (" + expr + ");");
    } catch (err) { say("run until: " + err.message); return; }
    var from = rec.events[cur].step + 1;
    var peers = states.at(from - 1);
    var n = states.count(from - 1);
    var leader = function (t) { return peers.some(function (p) { return p.up && p.role === "leader" && (t === undefined || p.term === t); }); };
    var leaders = function () { return peers.filter(function (p) { return p.up && p.role === "leader"; }).length; };
    for (var s = from; s < rec.steps.length; s++) {
      while (n < rec.changes.length && rec.changes[n].step <= s) applyChange(peers, rec.changes[n++]);
      var ok;
      try { ok = pred(peers, leader, leaders); } catch (err) { say("run until: " + err.message); return; }
      if (ok) { go(firstEventOfStep(s)); say(""); return; }
    }
    say("run until: never holds after this step");
  }

  // ------------------------------------------------------------------------------------------
  // Properties, peers, and "why is this value what it is"

  function renderProps(step) {
    var el = $("props");
    el.innerHTML = "";
    var v = rec.outcome.violation;
    PROPS.forEach(function (p) {
      var cls = v && v.property === p && step >= v.step ? "broken" : !rec.inspectable && NEEDS_INSPECT[p] ? "unchecked" : "hold";
      el.appendChild(h("span", { class: cls, title: cls === "unchecked" ? "needs inspect()" : cls === "broken" ? "violated from step " + v.step : "holds at this step", text: p }));
    });
    if (/4A|4B|KV/.test(rec.test)) {
      var lastEv = rec.events[rec.events.length - 1];
      var last = step >= (lastEv ? lastEv.step : rec.outcome.endStep);
      var bad = /linearizab|history/i.test(rec.outcome.error || "");
      el.appendChild(h("span", { class: last ? (bad ? "broken" : rec.outcome.ok ? "hold" : "unchecked") : "unchecked", title: "the KV history check runs at the end of the run", text: "KV history (at end)" }));
    }
  }

  function renderPeers(peers, before) {
    var box = $("peers");
    box.innerHTML = "";
    peers.forEach(function (p, i) {
      var b = before ? before[i] : null;
      var card = h("div", { class: "peer" + (p.up ? "" : " down"), "data-peer": String(i) });
      var roleChanged = b !== null && (b.role !== p.role || b.up !== p.up);
      card.appendChild(h("h3", {}, [h("span", { text: pname(i) }), h("span", { class: "role role-" + p.role + (roleChanged ? " changed" : ""), text: p.up ? p.role : "down" })]));
      var fields = h("div");
      [["term", "term"], ["votedFor", "votedFor"], ["commitIndex", "commit"], ["lastApplied", "applied"], ["lastIndex", "last"], ["snapshotIndex", "snapshot"]].forEach(function (f) {
        var val = p[f[0]] === null ? "–" : String(p[f[0]]);
        var changed = b !== null && b[f[0]] !== p[f[0]];
        fields.appendChild(h("span", { class: "f" + (changed ? " changed" : ""), "data-field": f[0], title: "click: jump to the step that last changed it", text: f[1] + " " + val, onclick: function () { whyField(i, f[0]); } }));
      });
      card.appendChild(fields);
      var cells = h("div", { class: "cells" });
      var first = Math.max(1, p.lastIndex - 79);
      if (first > 1) card.appendChild(h("div", { class: "more", text: "… " + (first - 1) + " earlier entries" }));
      for (var x = first; x <= p.lastIndex; x++) {
        var t = p.terms[x] === undefined ? -1 : p.terms[x];
        var cls = "cell" + (x <= p.snapshotIndex ? " snap" : "") + (x > p.commitIndex ? " uncommitted" : "") + (x === p.commitIndex ? " commit" : "") + (x === p.lastApplied ? " applied" : "");
        if (b !== null && (b.terms[x] !== p.terms[x] || x > b.lastIndex)) cls += " changed";
        (function (index) {
          cells.appendChild(h("div", { class: cls, style: "background:" + termColor(t), title: "index " + index + ", term " + t + (index <= p.snapshotIndex ? " (in the snapshot)" : "") + (index <= p.commitIndex ? ", committed" : "") + "; click: the step that wrote it", text: String(t), onclick: function () { whyLog(i, index); } }));
        })(x);
      }
      card.appendChild(cells);
      if (p.role === "leader" && p.nextIndex) {
        card.appendChild(h("div", { class: "leaderidx", text: "next " + p.nextIndex.join(" ") + " · match " + p.matchIndex.join(" ") }));
      }
      box.appendChild(card);
    });
  }

  function explainStep(step, peer, what) {
    var causes = [];
    for (var i = firstEventOfStep(step); i < rec.events.length && rec.events[i].step === step; i++) {
      var e = rec.events[i];
      if ((e.kind === "deliver" || e.kind === "answer") && rec.messages[e.msg] && (e.kind === "deliver" ? rec.messages[e.msg].to === peer : rec.messages[e.msg].fromPeer === peer)) causes.push(i);
    }
    var why = $("why");
    why.innerHTML = "";
    why.appendChild(document.createTextNode(what + " last changed at step " + step + " (" + fmt(rec.steps[step].time) + ")" + (causes.length ? "; what reached S" + peer + " in that step: " : "; no message reached S" + peer + " in that step (a timer or a restart)")));
    causes.forEach(function (i) { why.appendChild(h("a", { href: "#", text: rec.events[i].text, onclick: function (ev) { ev.preventDefault(); go(i); } })); why.appendChild(document.createTextNode("  ")); });
    go(causes.length ? causes[causes.length - 1] : firstEventOfStep(step));
  }
  function whyField(peer, field) {
    var n = states.count(rec.events[cur].step);
    for (var c = n - 1; c >= 0; c--) {
      var ch = rec.changes[c];
      if (ch.peer === peer && ch.set && Object.prototype.hasOwnProperty.call(ch.set, field)) { explainStep(ch.step, peer, pname(peer) + "." + field); return; }
    }
    say(pname(peer) + "." + field + " never changed");
  }
  function whyLog(peer, index) {
    var n = states.count(rec.events[cur].step);
    for (var c = n - 1; c >= 0; c--) {
      var ch = rec.changes[c];
      if (ch.peer === peer && ch.logFrom !== undefined && ch.logFrom <= index && index < ch.logFrom + ch.logTerms.length) { explainStep(ch.step, peer, pname(peer) + "'s entry " + index); return; }
    }
    say("no recorded change wrote S" + peer + "'s entry " + index);
  }

  // ------------------------------------------------------------------------------------------
  // Space-time view

  function buildLanes() {
    var out = [];
    for (var i = 0; i < rec.peers; i++) out.push([]);
    var cur0 = [];
    for (var j = 0; j < rec.peers; j++) cur0.push({ up: false, role: "follower", term: 0 });
    rec.changes.forEach(function (c) {
      if (!c.set) return;
      var s = cur0[c.peer];
      var changed = false;
      ["up", "role", "term"].forEach(function (k) { if (k in c.set && c.set[k] !== s[k]) { s[k] = c.set[k]; changed = true; } });
      if (changed) out[c.peer].push({ time: rec.steps[c.step].time, up: s.up, role: s.role, term: s.term });
    });
    return out;
  }
  function zoom(f) { span = Math.max(20, Math.min(600000, span * f)); draw(); }
  function geometry() {
    var w = view.canvasW, hgt = view.canvasH;
    var t = rec.events[cur] ? rec.events[cur].time : 0;
    var t0 = t - span / 2, t1 = t + span / 2;
    var top = 22, laneH = (hgt - top - 6) / (rec.peers + 1);
    var L = rec.peerNames ? 58 : 44; // room for `ctl1:S0`
    return { w: w, h: hgt, t: t, t0: t0, t1: t1, left: L, laneH: laneH, top: top,
      x: function (time) { return L + ((time - t0) / (t1 - t0)) * (w - L - 6); },
      y: function (peer) { return top + (peer < 0 ? 0 : peer + 1) * laneH + laneH / 2; } };
  }
  function draw() {
    if (!rec) return;
    var canvas = $("st");
    var dpr = window.devicePixelRatio || 1;
    var g = geometry();
    if (canvas.width !== g.w * dpr || canvas.height !== g.h * dpr) { canvas.width = g.w * dpr; canvas.height = g.h * dpr; }
    var ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, g.w, g.h);
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = "#4a5263";
    ctx.fillText(fmt(g.t0) + " … " + fmt(g.t1) + "  (" + span + " ms; wheel or +/- zooms)", 44, 12);
    // lanes: role bands coloured by role, term written at each change
    for (var p = -1; p < rec.peers; p++) {
      var y = g.y(p);
      ctx.fillStyle = "#1d2330";
      ctx.fillText(p < 0 ? "others" : pname(p), 4, y + 4);
      ctx.strokeStyle = "#dde1e8";
      ctx.beginPath(); ctx.moveTo(g.left, y); ctx.lineTo(g.w, y); ctx.stroke();
      if (p < 0) continue;
      var segs = lanes[p];
      for (var k = 0; k < segs.length; k++) {
        var s = segs[k], end = k + 1 < segs.length ? segs[k + 1].time : Infinity;
        if (end < g.t0 || s.time > g.t1) continue;
        var xa = Math.max(g.left, g.x(s.time)), xb = Math.min(g.w, g.x(Math.min(end, g.t1 + 1)));
        ctx.fillStyle = !s.up ? "rgba(120,120,120,.35)" : s.role === "leader" ? "rgba(192,57,43,.28)" : s.role === "candidate" ? "rgba(230,126,34,.25)" : "rgba(31,95,191,.10)";
        ctx.fillRect(xa, y - g.laneH * 0.35, Math.max(1, xb - xa), g.laneH * 0.7);
        if (s.up && g.x(s.time) >= g.left) { ctx.fillStyle = termColor(s.term); ctx.fillText("T" + s.term, g.x(s.time) + 2, y - g.laneH * 0.38 + 9); }
      }
    }
    // Lab 5: a line between clusters (the controller's, then each group's)
    (rec.groups || []).forEach(function (gr) {
      if (gr.first === 0) return;
      var yb = g.y(gr.first) - g.laneH / 2;
      ctx.strokeStyle = "#8a93a6"; ctx.lineWidth = 2;
      ctx.beginPath(); ctx.moveTo(0, yb); ctx.lineTo(g.w, yb); ctx.stroke();
      ctx.lineWidth = 1;
    });
    // messages
    var sel = rec.events[cur] && rec.events[cur].msg;
    var lo = 0, hi = messagesBySent.length;
    var from = g.t0 - 8000;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (messagesBySent[mid].sentAt < from) lo = mid + 1; else hi = mid; }
    var drawn = 0;
    for (var i = lo; i < messagesBySent.length && messagesBySent[i].sentAt <= g.t1 && drawn < 4000; i++) {
      var m = messagesBySent[i];
      if (!filters.heartbeats && m.method === "Raft.AppendEntries" && /entries: 0\b/.test(m.args) && m.id !== sel) continue;
      var end0 = m.deliverAt === undefined ? m.sentAt : m.deliverAt;
      if (end0 >= g.t0) { arrow(ctx, g, m.sentAt, m.fromPeer, end0, m.to, m.lost, m.id === sel, "#1f5fbf"); drawn++; }
      if (m.replyAt !== undefined && m.answerAt !== undefined && m.answerAt >= g.t0 && m.replyAt <= g.t1) { arrow(ctx, g, m.replyAt, m.to, m.answerAt, m.fromPeer, false, m.id === sel, "#2e8b57"); drawn++; }
      else if (m.replyAt !== undefined && m.replyLost && m.replyAt >= g.t0) { arrow(ctx, g, m.replyAt, m.to, m.replyAt + 2, m.fromPeer, true, m.id === sel, "#2e8b57"); drawn++; }
    }
    // crashes, restarts, cut links, edits, violations
    var e0 = eventAtTime(g.t0);
    for (var j = e0; j < rec.events.length && rec.events[j].time <= g.t1; j++) {
      var e = rec.events[j];
      if (e.kind !== "crash" && e.kind !== "start" && e.kind !== "links" && e.kind !== "edit" && e.kind !== "violation" && e.kind !== "shard") continue;
      var x = g.x(e.time), yy = g.y(e.peer);
      ctx.fillStyle = e.kind === "start" ? "#2e8b57" : e.kind === "edit" ? "#7b2cbf" : e.kind === "shard" ? "#0b7a75" : "#c0392b";
      ctx.font = "bold 12px system-ui, sans-serif";
      // Lab 5: ◆ a configuration applied (its moves in the event list), ● a shard arrived and served, ○ one dropped
      var mark = e.kind === "shard" ? (/ in configuration /.test(e.text) ? "◆" : / serves shard /.test(e.text) ? "●" : "○") : null;
      ctx.fillText(mark || (e.kind === "crash" ? "✕" : e.kind === "start" ? "▲" : e.kind === "links" ? (e.topic === "down" ? "⟂" : "⟛") : e.kind === "edit" ? "✎" : "⚠"), x - 4, yy + 4);
      ctx.font = "11px system-ui, sans-serif";
    }
    ctx.strokeStyle = "#e0a800"; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(g.x(g.t), 16); ctx.lineTo(g.x(g.t), g.h); ctx.stroke();
    ctx.lineWidth = 1;
  }
  function arrow(ctx, g, t0, p0, t1, p1, lost, selected, color) {
    var x0 = g.x(t0), y0 = g.y(p0), x1 = g.x(t1), y1 = g.y(p1);
    ctx.strokeStyle = selected ? "#e0a800" : color;
    ctx.globalAlpha = selected ? 1 : 0.55;
    ctx.lineWidth = selected ? 3 : 1;
    ctx.setLineDash(lost ? [3, 3] : []);
    ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
    ctx.setLineDash([]);
    if (lost) { ctx.fillStyle = "#b35c00"; ctx.fillText("×", x1 - 3, y1 + 4); }
    else { var a = Math.atan2(y1 - y0, x1 - x0); ctx.beginPath(); ctx.moveTo(x1, y1); ctx.lineTo(x1 - 6 * Math.cos(a - 0.4), y1 - 6 * Math.sin(a - 0.4)); ctx.lineTo(x1 - 6 * Math.cos(a + 0.4), y1 - 6 * Math.sin(a + 0.4)); ctx.fillStyle = ctx.strokeStyle; ctx.fill(); }
    ctx.globalAlpha = 1; ctx.lineWidth = 1;
  }
  function onCanvasClick(ev) {
    var r = $("st").getBoundingClientRect();
    var g = geometry();
    var t = g.t0 + ((ev.clientX - r.left - g.left) / (g.w - g.left - 6)) * (g.t1 - g.t0);
    go(eventAtTime(t));
  }

  // ------------------------------------------------------------------------------------------
  // Branching

  function targetOf(e) {
    if (e.msg === undefined) return null;
    var m = rec.messages[e.msg];
    if (!m) return null;
    var reply = e.kind === "reply" || e.kind === "answer" || e.kind === "reply-lost";
    if (reply && m.replyAt === undefined) return null;
    return reply
      ? { point: "reply", method: m.method, from: m.from, to: m.to, at: m.replyAt, nth: m.replyNth || 0, m: m }
      : { point: "request", method: m.method, from: m.from, to: m.to, at: m.sentAt, nth: m.nth, m: m };
  }
  function editOf(kind, tgt, extra) {
    var e = { kind: kind, point: tgt.point, method: tgt.method, from: tgt.from, to: tgt.to, at: tgt.at, nth: tgt.nth };
    return Object.assign(e, extra || {});
  }
  function renderEdit() {
    var box = $("edit");
    box.innerHTML = "";
    if (!rec) return;
    var e = rec.events[cur];
    var tgt = targetOf(e);
    var now = e.time;
    if (tgt) {
      var m = tgt.m;
      var arrive = tgt.point === "request" ? m.deliverAt : m.answerAt;
      var inFlight = arrive !== undefined && now < arrive;
      box.appendChild(h("div", { text: "The " + tgt.point + " of " + m.method + " " + m.from + " → S" + m.to + " (sent " + fmt(tgt.at) + (arrive !== undefined ? ", arrives " + fmt(arrive) : "") + "):" }));
      var ms = h("input", { id: "editms", type: "number", value: "500", min: "1", style: "width:70px" });
      box.appendChild(h("div", {}, [
        h("button", { id: "act-drop", text: "drop it", onclick: function () { branch(editOf("drop", tgt)); } }), " ",
        h("button", { id: "act-now", text: "deliver now", title: inFlight ? "deliver it at " + fmt(now) : "only for a message in flight at the cursor", onclick: function () { branch(editOf("deliver-now", tgt, { until: Math.max(tgt.at + 1, now) })); } }), " ",
        tgt.point === "request" ? h("button", { id: "act-dup", text: "duplicate", onclick: function () { branch(editOf("duplicate", tgt, { ms: Number(ms.value) || 1 })); } }) : null, " ",
        h("button", { id: "act-delay", text: "delay by", onclick: function () { branch(editOf("delay", tgt, { ms: Number(ms.value) || 1 })); } }), " ", ms, " ms",
      ]));
      if (!inFlight) box.querySelector("#act-now").disabled = true;
    } else {
      box.appendChild(h("div", { class: "muted", text: "Select a message event (or one in flight below) to drop, delay, duplicate or deliver it now." }));
    }
    var peerSel = h("select", { id: "editpeer" });
    for (var i = 0; i < rec.peers; i++) peerSel.appendChild(h("option", { value: String(i), text: pname(i) }));
    var groups = h("input", { id: "editgroups", type: "text", size: "12", placeholder: "0 1 | 2 3 4" });
    var step = e.step;
    box.appendChild(h("div", { style: "margin-top:4px" }, [
      "after step " + step + ": ", peerSel, " ",
      h("button", { id: "act-crash", text: "crash", onclick: function () { branch({ kind: "crash", step: step, at: now, server: Number(peerSel.value) }); } }), " ",
      h("button", { id: "act-restart", text: "restart", onclick: function () { branch({ kind: "restart", step: step, at: now, server: Number(peerSel.value) }); } }), "  ",
      groups, " ",
      h("button", { id: "act-partition", text: "partition", onclick: function () {
        var gs = groups.value.split("|").map(function (g) { return g.trim().split(/[\s,]+/).filter(Boolean).map(function (x) { var k = rec.peerNames ? rec.peerNames.indexOf(x) : -1; return k >= 0 ? k : Number(x.replace(/^S/, "")); }); }).filter(function (g) { return g.length > 0; });
        if (gs.length < 2) { say("partition: give two groups or more, e.g. 0 1 | 2 3 4"); return; }
        branch({ kind: "partition", step: step, at: now, groups: gs });
      } }), " ",
      h("button", { id: "act-heal", text: "heal", onclick: function () { branch({ kind: "heal", step: step, at: now }); } }),
    ]));
    if (!SERVER) box.querySelectorAll("button").forEach(function (b) { b.disabled = true; b.title = "branching needs the debugger's server (npm run debug)"; });
    renderInFlight(now);
  }
  function renderInFlight(now) {
    var box = $("inflight");
    box.innerHTML = "";
    var lo = 0, hi = messagesBySent.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (messagesBySent[mid].sentAt <= now) lo = mid + 1; else hi = mid; }
    var list = [];
    for (var i = lo - 1; i >= 0 && messagesBySent[i].sentAt > now - 10000 && list.length < 24; i--) {
      var m = messagesBySent[i];
      if (m.deliverAt !== undefined && m.deliverAt > now && !m.lost) list.push({ m: m, reply: false });
      else if (m.replyAt !== undefined && m.replyAt <= now && m.answerAt !== undefined && m.answerAt > now) list.push({ m: m, reply: true });
    }
    if (list.length === 0) { box.appendChild(h("div", { class: "muted", text: "No message in flight at " + fmt(now) + "." })); return; }
    box.appendChild(h("div", { text: "In flight at " + fmt(now) + ":" }));
    list.reverse().forEach(function (x) {
      var m = x.m;
      box.appendChild(h("div", {}, [
        h("a", { href: "#", text: (x.reply ? "reply of " : "") + m.method + " " + m.from + " → S" + m.to + " (due " + fmt(x.reply ? m.answerAt : m.deliverAt) + ")", onclick: function (ev) {
          ev.preventDefault();
          for (var k = 0; k < rec.events.length; k++) { var e = rec.events[k]; if (e.msg === m.id && (x.reply ? e.kind === "reply" : e.kind === "send")) { go(k); return; } }
        } }),
      ]));
    });
  }
  function branch(edit) {
    if (!SERVER) return;
    var edits = rec.edits.concat([edit]);
    api("/api/branch", { method: "POST", body: JSON.stringify({ parent: branchId, edits: edits }) }).then(function (r) {
      say("");
      watch(r.id, rec.events[cur].step);
    }).catch(function (err) { say("branch: " + err.message); });
  }
  function watch(id, step) {
    if (pollTimer) clearInterval(pollTimer);
    var tick = function () {
      api("/api/session").then(function (s) {
        session = s;
        renderTree();
        var b = s.branches[id];
        if (b && (b.state === "done" || b.state === "error")) {
          clearInterval(pollTimer);
          pollTimer = null;
          if (b.state === "done") openBranch(id, step);
          else say("branch #" + id + ": " + b.error);
        }
      }).catch(function (err) { say(err.message); });
    };
    pollTimer = setInterval(tick, 250);
    tick();
  }
  function openBranch(id, step) {
    api("/api/branch/" + id + "/recording").then(function (r) { load(r, id, step); renderTree(); });
  }
  function renderTree() {
    var box = $("tree");
    box.innerHTML = "";
    if (!SERVER || !session) {
      box.appendChild(h("div", { class: "muted", text: rec.edits.length ? "A branch with " + rec.edits.length + " edit(s) (exported page: branching needs the server)." : "The recorded run (exported page: branching needs the server)." }));
      return;
    }
    var depth = {};
    session.branches.forEach(function (b) {
      depth[b.id] = b.parent === null ? 0 : depth[b.parent] + 1;
      var last = b.edits[b.edits.length - 1];
      var label = "#" + b.id + (b.parent === null ? " the recorded run" : " from #" + b.parent + ": " + describe(last));
      var status;
      if (b.state === "done") status = h("span", { class: "badge " + (b.outcome.ok ? "ok" : "bad"), text: b.outcome.summary });
      else if (b.state === "error") status = h("span", { class: "badge bad", text: "could not run" });
      else status = h("span", {}, [h("progress", { max: String(Math.max(1, b.expectMs)), value: String(Math.min(b.progressMs, b.expectMs)) }), " " + (b.state === "queued" ? "queued" : "re-running from the seed… " + fmt(b.progressMs))]);
      var div = h("div", { class: "node" + (b.id === branchId ? " cur" : ""), "data-branch": String(b.id), "data-state": b.state, style: "padding-left:" + depth[b.id] * 18 + "px" }, [
        label + "  ", status,
        b.outcome && b.outcome.divergedStep !== undefined ? h("span", { class: "muted", text: "  diverged at step " + b.outcome.divergedStep + " (" + fmt(b.outcome.divergedTime) + ")" }) : null,
      ]);
      div.addEventListener("click", function () { if (b.state === "done" && b.id !== branchId) openBranch(b.id, rec.events[cur].step); });
      box.appendChild(div);
    });
  }
  function describe(e) {
    if (!e) return "";
    if (e.point) return e.kind + " the " + e.point + " of " + e.method + " " + e.from + " → S" + e.to + " at " + fmt(e.at) + (e.ms ? " (" + e.ms + " ms)" : "");
    if (e.kind === "partition") return "partition " + e.groups.map(function (g) { return g.map(pname).join(" "); }).join(" | ") + " after step " + e.step;
    return e.kind + (e.server !== undefined ? " S" + e.server : "") + " after step " + e.step;
  }
  function renderBranchPanel() {
    renderTree();
    var box = $("exports");
    box.innerHTML = "";
    if (!SERVER) return;
    var base = "/api/branch/" + branchId + "/";
    var q = "?token=" + encodeURIComponent(boot.token);
    box.appendChild(h("div", { style: "margin-top:6px" }, [
      "Export #" + branchId + ": ",
      h("a", { class: "btn", id: "exp-schedule", href: base + "schedule" + q, download: "", text: "schedule (JSON)" }), " ",
      session && session.canKeep ? h("a", { class: "btn", id: "exp-test", href: base + "test" + q, download: "", text: "kept test (.test.ts)" }) : h("span", { class: "muted", text: "(a kept test file: explore scenarios only) " }), " ",
      h("a", { class: "btn", id: "exp-html", href: base + "html" + q, download: "", text: "page (HTML, opens from disk)" }),
    ]));
  }

  // ------------------------------------------------------------------------------------------
  // URL of the current state: #b=<branch>&e=<event>&edits=<JSON> (or #t=<seconds> to open at a time)

  // Written a moment after the cursor stops (browsers throttle history updates; a step need not wait).
  var hashTimer = null;
  function updateHash() {
    if (hashTimer !== null) clearTimeout(hashTimer);
    hashTimer = setTimeout(writeHash, 150);
  }
  function writeHash() {
    hashTimer = null;
    var hash = "b=" + branchId + "&e=" + cur + (rec.edits.length ? "&edits=" + encodeURIComponent(JSON.stringify(rec.edits)) : "");
    if (location.hash.slice(1) !== hash) history.replaceState(null, "", "#" + hash);
  }
  function readHash() {
    var out = {};
    location.hash.slice(1).split("&").forEach(function (kv) { var i = kv.indexOf("="); if (i > 0) out[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1)); });
    return out;
  }
  function applyHash(hsh) {
    if (hsh.e !== undefined) go(Number(hsh.e));
    else if (hsh.t !== undefined) go(eventAtTime(Number(hsh.t) * 1000));
  }

  // ------------------------------------------------------------------------------------------
  // Keys (on the document, so they work wherever the focus is, except in text boxes)

  function onKey(e) {
    var tag = e.target && e.target.tagName;
    if (e.key === "Escape") { $("help").classList.remove("show"); if (e.target.blur) e.target.blur(); return; }
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") {
      if (e.key === "Enter" && e.target.id === "jump") jump();
      if (e.key === "Enter" && e.target.id === "until") runUntil();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || !rec) return;
    var k = e.key, handled = true;
    if (k === "j" || k === "ArrowRight" || k === "ArrowDown") stepBy(1);
    else if (k === "k" || k === "ArrowLeft" || k === "ArrowUp") stepBy(-1);
    else if (k === "]") changeStep(1);
    else if (k === "[") changeStep(-1);
    else if (k === "Home") go(visible[0]);
    else if (k === "End") go(visible[visible.length - 1]);
    else if (k === "v") toViolation();
    else if (k === "g") { $("jump").focus(); $("jump").select(); }
    else if (k === "u") { $("until").focus(); $("until").select(); }
    else if (k === "f") find(1);
    else if (k === "F") find(-1);
    else if (k === "h") { filters.heartbeats = !filters.heartbeats; $("f-hb").checked = filters.heartbeats; refilter(); draw(); }
    else if (k === "t") { filters.timer = !filters.timer; $("f-timer").checked = filters.timer; refilter(); }
    else if (k === "+" || k === "=") zoom(0.8);
    else if (k === "-") zoom(1.25);
    else if (k === "d") { var b = $("act-drop"); if (b && !b.disabled) b.click(); }
    else if (k === "?") $("help").classList.toggle("show");
    else handled = false;
    if (handled) e.preventDefault();
  }

  // ------------------------------------------------------------------------------------------
  // Start

  // For tests and the bench (npm run bench -- --only debugger): the cursor, driven directly.
  window.__debuggerApi = {
    go: go,
    stepBy: stepBy,
    runUntil: function (cond) { $("until").value = cond; runUntil(); return cur; },
    events: function () { return rec ? rec.events.length : 0; },
    cursor: function () { return cur; },
  };

  layout();
  measure();
  var hash = readHash();
  if (!SERVER) {
    load(boot.recording, 0);
    applyHash(hash);
    window.__debuggerReady = true;
    return;
  }
  api("/api/session").then(function (s) {
    session = s;
    var want = hash.b !== undefined ? Number(hash.b) : 0;
    var known = s.branches[want];
    if (hash.edits && (!known || JSON.stringify(known.edits) !== hash.edits)) {
      // A shared URL from another session: make its branch here.
      var edits = JSON.parse(hash.edits);
      return api("/api/branch/0/recording").then(function (r) {
        load(r, 0);
        return api("/api/branch", { method: "POST", body: JSON.stringify({ parent: 0, edits: edits }) }).then(function (b) { watch(b.id, undefined); });
      });
    }
    return api("/api/branch/" + (known && known.state === "done" ? want : 0) + "/recording").then(function (r) {
      load(r, known && known.state === "done" ? want : 0);
      applyHash(hash);
      window.__debuggerReady = true;
    });
  }).catch(function (err) { say("could not load the run: " + err.message); });
})();

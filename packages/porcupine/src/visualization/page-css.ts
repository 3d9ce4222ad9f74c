/** Stylesheet of the visualizer page (inlined into the HTML by `visualize.ts`). */
export const PAGE_CSS = String.raw`
:root {
  --font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "DejaVu Sans", sans-serif;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace;
  --fg: #1f2933;
  --muted: #65717e;
  --line: #d9dee4;
  --bg: #ffffff;
  --panel: #f6f8fa;
  --op: #cfe8fc;
  --op-stroke: #5b8fb9;
  --op-in: #9fd0f7;
  --ok: #12805c;
  --ok-bg: #e3f6ee;
  --bad: #d92d4a;
  --bad-bg: #fde8eb;
  --unk: #9a6700;
  --unk-bg: #fff4d6;
  --label-w: 120px;
}
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body {
  font: 14px/1.45 var(--font);
  color: var(--fg);
  background: var(--bg);
  display: flex;
  flex-direction: column;
  overflow: hidden;
}
#app { display: flex; flex-direction: column; height: 100%; min-height: 0; }
header#top {
  flex: none;
  padding: 12px 18px 10px;
  border-bottom: 1px solid var(--line);
  background: var(--panel);
}
.title-row { display: flex; align-items: center; gap: 14px; flex-wrap: wrap; }
h1 { font-size: 18px; margin: 0; font-weight: 600; }
#verdict {
  font-weight: 700;
  font-size: 13px;
  letter-spacing: .02em;
  padding: 3px 10px;
  border-radius: 999px;
  border: 1px solid currentColor;
}
.verdict-ok { color: var(--ok); background: var(--ok-bg); }
.verdict-illegal { color: var(--bad); background: var(--bad-bg); }
.verdict-unknown { color: var(--unk); background: var(--unk-bg); }
.summary { color: var(--muted); font-size: 13px; }
.toolbar { display: flex; align-items: center; gap: 18px; margin-top: 8px; flex-wrap: wrap; }
.legend { display: flex; gap: 14px; flex-wrap: wrap; align-items: center; font-size: 12px; color: var(--muted); }
.legend-item { display: inline-flex; align-items: center; gap: 5px; }
.legend svg { display: block; }
.controls { display: flex; gap: 6px; align-items: center; margin-left: auto; }
button {
  font: inherit;
  font-size: 12px;
  padding: 3px 10px;
  border: 1px solid #b9c2cc;
  border-radius: 6px;
  background: #fff;
  color: var(--fg);
  cursor: pointer;
}
button:hover:not(:disabled) { background: #eef2f6; }
button:disabled { opacity: .45; cursor: default; }
button#jump-to-error { border-color: var(--bad); color: var(--bad); font-weight: 600; }
button#jump-to-error:hover:not(:disabled) { background: var(--bad-bg); }
#zoom-level { font-size: 12px; color: var(--muted); min-width: 44px; text-align: center; font-variant-numeric: tabular-nums; }
.help { font-size: 12px; color: var(--muted); }
#notices:empty, #partition-index:empty { display: none; }
#notices { flex: none; padding: 6px 18px; background: var(--unk-bg); border-bottom: 1px solid #f0d68a; }
.notice { font-size: 12.5px; color: #6b4b00; }
.notice::before { content: "⚠ "; }
#partition-index { flex: none; display: flex; flex-wrap: wrap; gap: 6px; padding: 8px 18px; border-bottom: 1px solid var(--line); }
.chip { font-size: 12px; padding: 1px 9px; border-radius: 999px; }
.chip.verdict-illegal { border-color: var(--bad); }
.chip.verdict-ok { border-color: #9bd3bd; }
.chip.verdict-unknown { border-color: #e8c35a; }
#timeline { flex: 1 1 auto; min-height: 0; overflow: auto; position: relative; }
#timeline-inner { display: inline-block; min-width: 100%; padding-bottom: 24px; }
.partition { border-bottom: 1px solid var(--line); }
.partition-header {
  position: sticky;
  left: 0;
  width: max-content;
  max-width: 100vw;
  padding: 10px 18px 4px;
  display: flex;
  align-items: baseline;
  gap: 10px;
  flex-wrap: wrap;
}
.partition-header h2 { font-size: 15px; margin: 0; font-weight: 600; cursor: pointer; user-select: none; }
.partition-header h2::before { content: "▾ "; color: var(--muted); }
.partition.collapsed .partition-header h2::before { content: "▸ "; }
.partition.collapsed .partition-body { display: none; }
.badge { font-size: 11.5px; font-weight: 700; padding: 1px 8px; border-radius: 999px; border: 1px solid currentColor; }
.partition-meta { font-size: 12.5px; color: var(--muted); }
.partition-meta b { color: var(--fg); font-weight: 600; }
.partition-note { font-size: 12px; color: #6b4b00; background: var(--unk-bg); padding: 1px 8px; border-radius: 4px; }
.partition[data-verdict="illegal"] { background: linear-gradient(90deg, rgba(217,45,74,.05), rgba(217,45,74,0) 400px); }
.partition[data-verdict="illegal"] .partition-header { border-left: 4px solid var(--bad); }
.partition-body { display: flex; align-items: flex-start; padding-bottom: 6px; }
.row-labels {
  position: sticky;
  left: 0;
  z-index: 3;
  flex: none;
  width: var(--label-w);
  background: #fff;
  border-right: 1px solid var(--line);
}
.row-label {
  height: 32px;
  display: flex;
  align-items: center;
  justify-content: flex-end;
  padding: 0 10px;
  font-size: 12px;
  color: var(--muted);
  white-space: nowrap;
  overflow: hidden;
  text-overflow: ellipsis;
}
.row-label.tag { font-weight: 600; color: #4b5563; font-style: italic; }
.row-label.tag-last { border-bottom: 1px dashed #aab4be; }
svg.partition-svg { display: block; flex: none; font-family: var(--mono); font-size: 12px; }
.row-bg { fill: #ffffff; }
.row-bg.alt { fill: #f7f9fb; }
.row-bg.tagrow { fill: #f3f1fa; }
.row-divider { stroke: #aab4be; stroke-dasharray: 4 3; }
.op { cursor: pointer; }
.op rect { fill: var(--op); stroke: var(--op-stroke); stroke-width: 1; }
.op text { fill: #0f2a40; pointer-events: none; dominant-baseline: central; text-anchor: middle; }
.op:hover rect { stroke-width: 2; }
.op.in-lin rect { fill: var(--op-in); }
.op.dim { opacity: .4; }
.op.op-illegal rect { fill: #fdd9df; stroke: var(--bad); stroke-width: 1.5; }
.op.focus rect { stroke: #0b3d66; stroke-width: 3; }
.op.op-illegal.focus rect { stroke: #8a1024; }
.lin { pointer-events: none; transition: opacity .12s; }
.lin.inactive { opacity: .13; }
.lin-path { fill: none; stroke: rgba(20,26,33,.55); stroke-width: 1.6; }
.lp-tick { fill: rgba(20,26,33,.62); }
.error-line { fill: none; stroke: rgba(217,45,74,.75); stroke-width: 1.6; stroke-dasharray: 5 3; }
.error-marker { fill: var(--bad); }
.error-marker.focused { animation: pulse 1s ease-in-out 3; stroke: #8a1024; stroke-width: 2; }
@keyframes pulse { 50% { fill: #ffb3c0; } }
.error-halo { fill: rgba(217,45,74,.16); stroke: var(--bad); stroke-width: 1.5; }
.annotation { cursor: default; }
.annotation rect.ann-box { stroke: rgba(0,0,0,.25); stroke-width: 1; }
.annotation-band rect.ann-box { opacity: .6; stroke: none; }
.annotation text { dominant-baseline: central; font-family: var(--font); font-size: 11.5px; pointer-events: none; }
.annotation .ann-line { stroke-width: 1.5; stroke-dasharray: 3 2; }
#tooltip {
  position: fixed;
  z-index: 20;
  max-width: 560px;
  display: none;
  padding: 8px 11px;
  font-size: 12.5px;
  background: #fff;
  border: 1px solid #b9c2cc;
  border-radius: 8px;
  box-shadow: 0 6px 22px rgba(15,23,42,.16);
  pointer-events: none;
}
#tooltip.pinned { border-color: #0b3d66; }
.tt-meta { color: #374151; margin-bottom: 4px; white-space: pre-wrap; word-break: break-word; }
.tt-title { font-family: var(--mono); font-weight: 700; word-break: break-all; }
.tt-sub { color: var(--muted); font-size: 11.5px; margin-bottom: 6px; }
.tt-line { margin-top: 3px; }
.tt-key { color: var(--muted); }
.tt-state { font-family: var(--mono); white-space: pre-wrap; word-break: break-all; max-height: 9em; overflow: hidden; display: block; }
.tt-bad { color: var(--bad); font-weight: 700; }
.tt-times { margin-top: 6px; color: var(--muted); font-size: 11.5px; font-variant-numeric: tabular-nums; }
#inspector {
  flex: none;
  height: 34vh;
  display: none;
  flex-direction: column;
  border-top: 2px solid #b9c2cc;
  background: var(--panel);
}
#inspector.open { display: flex; }
.insp-head { display: flex; align-items: center; gap: 12px; padding: 6px 18px; border-bottom: 1px solid var(--line); font-size: 13px; }
.insp-head .insp-title { font-weight: 600; }
.insp-head .insp-sub { color: var(--muted); font-size: 12px; }
.insp-head button { margin-left: auto; }
.insp-body { overflow: auto; flex: 1; }
table.steps { border-collapse: collapse; width: 100%; font-size: 12px; }
table.steps th:nth-child(1), table.steps th:nth-child(2) { width: 64px; text-align: right; }
table.steps th:nth-child(3) { width: 42%; }
table.steps th { position: sticky; top: 0; background: #eaeef2; text-align: left; font-weight: 600; padding: 3px 10px; color: #4b5563; }
table.steps td { padding: 2px 10px; border-bottom: 1px solid #e6eaee; vertical-align: top; }
table.steps td.mono { font-family: var(--mono); word-break: break-all; }
table.steps td.num { text-align: right; color: var(--muted); font-variant-numeric: tabular-nums; white-space: nowrap; }
table.steps tr { cursor: pointer; }
table.steps tr:hover td { background: #e8f1fb; }
table.steps tr.current td { background: #cfe8fc; }
table.steps tr.bad td { background: var(--bad-bg); color: #8a1024; }
table.steps tr.bad.current td { background: #f9c5cf; }
table.steps tr.gap td { color: var(--muted); font-style: italic; cursor: default; background: none; }
.empty-note { padding: 24px 18px; color: var(--muted); }
`;

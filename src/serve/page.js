// seatsim serve: the what-if page. Reads /api/scenario, keeps its state (trials, seed, changes)
// in the URL hash, reruns POST /api/whatif on each change and draws the answer.
"use strict";
const TAB = Math.random().toString(36).slice(2);
let S = null, base = null, baseKey = "", state = { trials: 0, seed: 0, changes: [] };
// The district and stage the map and the fan chart show ("" until the page picks one).
const view = { district: "ALL", stage: "" };
const $ = (id) => document.getElementById(id);
const esc = (t) => String(t).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const fmt = (v, d = 0) => v === null || v === undefined ? "–" : Number(v).toLocaleString("en", { maximumFractionDigits: d, minimumFractionDigits: d });
const pct = (v) => v === null || v === undefined ? "–" : (100 * v).toFixed(0) + "%";
const dname = (id) => { if (id === "ALL") return "全市 <span class=en>City</span>"; const d = S.districts.find((x) => x.id === id); return d ? esc(d.name) + (d.name_en && d.name_en !== d.name ? " <span class=en>" + esc(d.name_en) + "</span>" : "") : esc(id); };

function readHash() {
  const h = new URLSearchParams(location.hash.slice(1));
  state.trials = Math.min(S.max_trials, Math.max(1, parseInt(h.get("trials")) || S.trials));
  state.seed = parseInt(h.get("seed")) || S.seed;
  try { state.changes = JSON.parse(h.get("changes") || "[]"); } catch (e) { state.changes = []; }
  if (!Array.isArray(state.changes)) state.changes = [];
  const d = h.get("district"), st = h.get("stage");
  view.district = S.districts.some((x) => x.id === d) ? d : "ALL";
  view.stage = S.stages.some((x) => x.id === st) ? st : "";
}
function writeHash() {
  const h = new URLSearchParams({ trials: state.trials, seed: state.seed, changes: JSON.stringify(state.changes) });
  if (view.stage) { h.set("district", view.district); h.set("stage", view.stage); }
  history.replaceState(null, "", "#" + h.toString());
}
function body(changes) { return JSON.stringify({ trials: state.trials, seed: state.seed, changes }); }
async function post(url, changes) {
  const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json", "X-Seatsim-Client": TAB + url }, body: body(changes) });
  return { ok: r.ok, status: r.status, r };
}
async function whatif(changes, tag) {
  const t0 = performance.now();
  const a = await post("/api/whatif" + (tag ? "?" + tag : ""), changes);
  const data = await a.r.json();
  return { ok: a.ok, status: a.status, data, ms: performance.now() - t0 };
}

// The change of a project in the state, by kind.
const find = (kind, id) => state.changes.find((c) => c[kind] === id);
function setChange(kind, id, extra) {
  const p = S.projects.find((x) => x.id === id);
  if (p) { view.district = p.district; view.stage = p.stage; }
  state.changes = state.changes.filter((c) => c[kind] !== id);
  if (extra !== null) state.changes.push(Object.assign({ [kind]: id }, extra));
  rerun();
}

// Projects this what-if changes come first, so the table's scroll never hides them.
const touched = (p) => !!(find("drop", p.id) || find("delay", p.id) || find("resize", p.id));
function pipeline() {
  const rows = [...S.projects].sort((a, b) => touched(b) - touched(a)).map((p) => {
    const dropped = !!find("drop", p.id), delay = find("delay", p.id), size = find("resize", p.id);
    return `<tr${dropped ? " class=dropped" : ""}><td><code>${esc(p.id)}</code></td><td>${esc(p.name)}</td><td>${dname(p.district)}</td><td>${esc(p.stage)}</td><td>${esc(p.kind)}</td>` +
      `<td class=num>${p.planned_year}</td><td class=num>${p.classes}</td>` +
      `<td><label><input type=checkbox data-drop="${esc(p.id)}"${dropped ? " checked" : ""}> 取消 <span class=en>drop</span></label></td>` +
      `<td><input type=number class=small data-delay="${esc(p.id)}" value="${delay ? delay.years : 0}" min=-5 max=10></td>` +
      `<td><input type=number class=small data-resize="${esc(p.id)}" value="${size ? size.classes : p.classes}" min=1 max=200></td></tr>`;
  }).join("");
  $("pipeline-table").innerHTML = `<table class=years><tr><th>编号 <span class=en>id</span></th><th>名称 <span class=en>name</span></th><th>区 <span class=en>district</span></th><th>学段 <span class=en>stage</span></th><th>类型 <span class=en>kind</span></th><th>计划年 <span class=en>year</span></th><th>班数 <span class=en>classes</span></th><th></th><th>推迟年 <span class=en>delay</span></th><th>新班数 <span class=en>resize</span></th></tr>${rows}</table>`;
  document.querySelectorAll("[data-drop]").forEach((e) => e.onchange = () => setChange("drop", e.dataset.drop, e.checked ? {} : null));
  document.querySelectorAll("[data-delay]").forEach((e) => e.onchange = () => setChange("delay", e.dataset.delay, +e.value ? { years: +e.value } : null));
  document.querySelectorAll("[data-resize]").forEach((e) => e.onchange = () => {
    const p = S.projects.find((x) => x.id === e.dataset.resize);
    setChange("resize", p.id, +e.value !== p.classes ? { classes: +e.value } : null);
  });
  const others = state.changes.filter((c) => c.add || c.set !== undefined);
  $("other-changes").innerHTML = others.length ? "<ul>" + others.map((c) => `<li><code>${esc(JSON.stringify(c))}</code> <button data-remove='${esc(JSON.stringify(c))}'>移除 <span class=en>remove</span></button></li>`).join("") + "</ul>" : "";
  document.querySelectorAll("[data-remove]").forEach((b) => b.onclick = () => {
    state.changes = state.changes.filter((c) => JSON.stringify(c) !== b.dataset.remove); rerun();
  });
}

function forms() {
  $("add-district").innerHTML = S.districts.map((d) => `<option value="${esc(d.id)}">${esc(d.name)}</option>`).join("");
  $("add-stage").innerHTML = S.stages.map((s) => `<option>${esc(s.id)}</option>`).join("");
  $("add-year").value = S.base_year + 3;
  $("set-key").innerHTML = ["births.sigma_city", "migration.sigma", "migration.sigma_city", ...S.stages.map((s) => "private_share." + s.id)]
    .map((k) => `<option>${k}</option>`).join("");
  $("add-form").onsubmit = (ev) => {
    ev.preventDefault();
    const n = state.changes.filter((c) => c.add).length + 1;
    state.changes.push({ add: { id: "whatif-" + n, name: $("add-name").value || "新学校 New school " + n, district: $("add-district").value, stage: $("add-stage").value, kind: "new", classes: +$("add-classes").value, planned_year: +$("add-year").value, status: "planned" } });
    rerun();
  };
  $("set-form").onsubmit = (ev) => {
    ev.preventDefault();
    state.changes.push({ set: $("set-key").value, value: +$("set-value").value });
    rerun();
  };
  $("trials").value = state.trials; $("seed").value = state.seed;
  $("run-form").onsubmit = (ev) => { ev.preventDefault(); state.trials = +$("trials").value; state.seed = +$("seed").value; rerun(); };
  $("reset").onclick = () => { state.changes = []; rerun(); };
  $("save").onclick = save;
}

async function save() {
  const a = await post("/api/save", state.changes);
  if (!a.ok) { $("status").textContent = (await a.r.json()).error; return; }
  const blob = await a.r.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = (a.r.headers.get("Content-Disposition") || "").split('filename="')[1]?.replace('"', "") || "whatif.toml";
  link.click();
}

// risk rows of a stage, district and year → row
function index(rows) { const m = new Map(); rows.forEach((r) => m.set(r.district + "|" + r.stage + "|" + r.year, r)); return m; }

function headline(risk) {
  const m = index(risk), b = index(base.risk);
  $("headline-body").innerHTML = S.stages.map((st) => {
    // The worst year as the report has it: the projected year of the largest expected
    // shortfall (the earliest of equals), else the year of the highest P(shortfall).
    let worst = null;
    S.years.filter((y) => y > S.base_year).forEach((y) => {
      const r = m.get("ALL|" + st.id + "|" + y);
      if (!r) return;
      const better = !worst || r.expected_shortfall > worst.expected_shortfall ||
        (worst.expected_shortfall === 0 && r.expected_shortfall === 0 && r.p_shortfall > worst.p_shortfall);
      if (better) worst = r;
    });
    if (!worst) return "";
    const was = b.get("ALL|" + st.id + "|" + worst.year);
    return `<div class="stage${worst.p_shortfall >= 0.5 ? " short" : ""}"><b>${esc(st.name_zh || st.id)}</b> <span class=en>${esc(st.id)}</span>: 最不利年份 <span class=en>worst year</span> ${worst.year}, 缺口概率 <span class=en>P(shortfall)</span> ${pct(worst.p_shortfall)} (原 <span class=en>was</span> ${pct(was && was.p_shortfall)}), 预期缺口 <span class=en>expected shortfall</span> ${fmt(worst.expected_shortfall)} (原 <span class=en>was</span> ${fmt(was && was.expected_shortfall)})</div>`;
  }).join("");
}

function colour(p) { if (p === null || p === undefined) return "#eee"; const r = Math.round(255 * Math.min(1, 2 * p)), g = Math.round(200 * Math.min(1, 2 - 2 * p)); return `rgb(${r},${g},70)`; }

function heat(risk) {
  const m = index(risk), ids = ["ALL", ...S.districts.map((d) => d.id)];
  $("heat-body").innerHTML = S.stages.map((st) => `<h3>${esc(st.id)}</h3><div class=scroll><table class="years heat"><tr><th>区 <span class=en>district</span></th>${S.years.map((y) => `<th>${y}</th>`).join("")}</tr>` +
    ids.map((d) => `<tr><th>${dname(d)}</th>${S.years.map((y) => { const r = m.get(d + "|" + st.id + "|" + y); const p = r ? r.p_shortfall : null; return `<td class=num style="background:${colour(p)}">${pct(p)}</td>`; }).join("")}</tr>`).join("") + "</table></div>").join("");
}

// The city's P(shortfall) by year and stage, before (dashed) and after the change, as SVG.
function city(risk) {
  // The stages' names stand right of the plot, clear of its lines.
  const W = 800, H = 220, L = 40, B = 24, R = 150, m = index(risk), b = index(base.risk);
  const x = (i) => L + (W - L - R) * i / Math.max(1, S.years.length - 1), y = (p) => H - B - (H - B - 10) * p;
  const hues = ["#1f6fb4", "#c81414", "#288c46", "#8c3cb4", "#d08a00", "#555"];
  let svg = `<svg viewBox="0 0 ${W} ${H}" role=img><line x1=${L} y1=${y(0)} x2=${W - R} y2=${y(0)} stroke=#999 />`;
  [0, 0.5, 1].forEach((p) => svg += `<text x=${L - 4} y=${y(p) + 4} font-size=11 text-anchor=end>${pct(p)}</text><line x1=${L} x2=${W - R} y1=${y(p)} y2=${y(p)} stroke=#ddd />`);
  S.years.forEach((yr, i) => { if (i % 2 === 0) svg += `<text x=${x(i)} y=${H - 6} font-size=11 text-anchor=middle>${yr}</text>`; });
  S.stages.forEach((st, k) => {
    const line = (idx, dash) => `<polyline fill=none stroke="${hues[k % hues.length]}" stroke-width=2 ${dash ? "stroke-dasharray=4,3 opacity=.5" : ""} points="${S.years.map((yr, i) => { const r = idx.get("ALL|" + st.id + "|" + yr); return r ? x(i) + "," + y(r.p_shortfall || 0) : ""; }).join(" ")}" />`;
    svg += line(b, true) + line(m, false) + `<text x=${W - R + 12} y=${14 + 15 * k} font-size=12 fill="${hues[k % hues.length]}">${esc(st.name_zh || "")} ${esc(st.id)}</text>`;
  });
  $("city-body").innerHTML = `<figure>${svg}</svg><figcaption>全市各学段缺口概率（实线：假设情景；虚线：原情景） <span class=en>City P(shortfall) by stage: what-if solid, unchanged dashed</span></figcaption></figure>`;
}

// Paired differences (what-if − unchanged) of one metric by stage and district, with P5–P95.
function diff(compare) {
  const metric = $("metric").value, rows = compare.filter((r) => r.metric === metric);
  const m = index(rows), ids = ["ALL", ...S.districts.map((d) => d.id)];
  const out = S.stages.map((st) => {
    const moved = ids.filter((d) => S.years.some((y) => { const r = m.get(d + "|" + st.id + "|" + y); return r && (r.p05 || r.p95 || r.mean); }));
    if (!moved.length) return "";
    return `<h3>${esc(st.id)}</h3><div class=scroll><table class="years diff"><tr><th>区 <span class=en>district</span></th>${S.years.map((y) => `<th>${y}</th>`).join("")}</tr>` +
      moved.map((d) => `<tr><th>${dname(d)}</th>${S.years.map((y) => { const r = m.get(d + "|" + st.id + "|" + y); if (!r) return "<td></td>"; const c = r.mean > 0 ? "up" : r.mean < 0 ? "down" : ""; return `<td class="num ${c}">${fmt(r.mean, metric.endsWith("share") ? 3 : 0)}<br><small>${fmt(r.p05, metric.endsWith("share") ? 3 : 0)}…${fmt(r.p95, metric.endsWith("share") ? 3 : 0)}</small></td>`; }).join("")}</tr>`).join("") + "</table></div>";
  }).join("");
  $("diff-body").innerHTML = out || "<p>没有变化 <span class=en>No difference: change a project or an assumption above.</span></p>";
}

// The stage the city is most likely short in, for a page that names none.
function riskiestStage(risk) {
  let best = S.stages[0], p = -1;
  risk.filter((r) => r.district === "ALL" && r.year > S.base_year).forEach((r) => { if (r.p_shortfall > p) { p = r.p_shortfall; best = S.stages.find((s) => s.id === r.stage) || best; } });
  return best.id;
}

// The chosen district and stage, as selects.
function viewControls() {
  $("view-stage").innerHTML = S.stages.map((s) => `<option value="${esc(s.id)}"${s.id === view.stage ? " selected" : ""}>${esc(s.name_zh || s.id)} ${esc(s.id)}</option>`).join("");
  $("view-district").innerHTML = ["ALL", ...S.districts.map((d) => d.id)].map((id) => `<option value="${esc(id)}"${id === view.district ? " selected" : ""}>${id === "ALL" ? "全市 City" : esc(S.districts.find((d) => d.id === id).name)}</option>`).join("");
}

// The report's own district map (worst year) and fan chart of the what-if, drawn by the server
// from the answer it keeps; a newer what-if or choice makes an older drawing void.
let drawing = 0;
async function charts() {
  const n = ++drawing;
  writeHash(); viewControls();
  const draw = async (kind, query) => {
    const r = await fetch("/api/chart?kind=" + kind + "&" + query, { method: "POST", headers: { "Content-Type": "application/json", "X-Seatsim-Client": TAB + "/api/chart/" + kind }, body: body(state.changes) });
    const text = await r.text();
    if (n !== drawing) return;
    $(kind + "-chart").innerHTML = r.ok ? text : r.status === 404 ? "<p>无此图 <span class=en>No chart for this choice.</span></p>" : `<p class=bad>${esc(text)}</p>`;
  };
  const stage = encodeURIComponent(view.stage), district = encodeURIComponent(view.district);
  await Promise.all([draw("map", "stage=" + stage), draw("fan", "district=" + district + "&stage=" + stage)]);
}

let last = null;
async function rerun() {
  writeHash(); pipeline();
  $("status").textContent = "计算中… running…";
  try {
    const key = state.trials + "/" + state.seed;
    if (key !== baseKey) {
      const b = await whatif([], "base");
      if (!b.ok) throw new Error(b.data.error);
      base = b.data; baseKey = key;
    }
    const a = await whatif(state.changes);
    if (a.status === 409) return; // superseded by a newer change
    if (!a.ok) { $("status").innerHTML = `<span class=bad>${esc(a.data.error)}</span>`; return; }
    last = a.data;
    headline(last.risk); heat(last.risk); city(last.risk); diff(last.compare);
    if (!view.stage) view.stage = riskiestStage(last.risk);
    charts();
    $("status").textContent = `${state.trials} 次模拟 trials, seed ${state.seed}: ${(a.ms / 1000).toFixed(2)} s, ${state.changes.length} 项变化 changes`;
  } catch (e) { $("status").innerHTML = `<span class=bad>${esc(e.message)}</span>`; }
}

async function main() {
  S = await (await fetch("/api/scenario")).json();
  readHash(); forms();
  $("metric").onchange = () => last && diff(last.compare);
  $("view-stage").onchange = () => { view.stage = $("view-stage").value; if (last) charts(); };
  $("view-district").onchange = () => { view.district = $("view-district").value; if (last) charts(); };
  // A click on a district's name on the map chooses it for the fan chart (the map's labels are
  // the districts' names, the city-wide zone's included).
  $("map-chart").onclick = (e) => {
    const label = e.target.closest("text");
    const d = label && S.districts.find((x) => label.textContent.trim() === x.name);
    if (d && last) { view.district = d.id; charts(); }
  };
  window.onhashchange = () => { readHash(); rerun(); };
  rerun();
}
main();

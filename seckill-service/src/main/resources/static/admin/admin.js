// The admin dashboard: asks for the admin token once, then polls /admin/api/overview every second
// and redraws in place (no page reloads). Sales are created and restocked through the public
// HTTP API (/api/v1/sales) with the same token.
"use strict";

const TOKEN_KEY = "seckill.adminToken";
const POLL_MS = 1000;
const TIMEOUT_MS = 3000;

// chart order (later on top) and colors: green = sold to a buyer, amber/red = refusals by cause
const OUTCOMES = {
  created: {color: "#3fb950", width: 2.5, label: "created", fill: true},
  replayed: {color: "#39c5cf", width: 1.5, label: "replayed"},
  sold_out: {color: "#8b98a5", width: 1.5, label: "sold out"},
  insufficient_stock: {color: "#b083f0", width: 1.5, label: "insufficient stock"},
  purchase_limit: {color: "#db61a2", width: 1.5, label: "purchase limit"},
  sale_not_active: {color: "#6e7681", width: 1.5, label: "sale not active"},
  throttled: {color: "#d29922", width: 1.5, label: "throttled"},
  unavailable: {color: "#f85149", width: 2, label: "unavailable"},
  invalid: {color: "#ff9bce", width: 1.5, label: "invalid"},
};
const NOT_REFUSALS = new Set(["created", "replayed"]);

const $ = (id) => document.getElementById(id);
let lastOk = null;       // Date of the last successful poll
let lastData = null;
let pollTimer = null;

// ---------- token ----------

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

function askToken(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  $("token-error").textContent = message || "";
  $("token-input").value = "";
  if (!$("token-dialog").open) $("token-dialog").showModal();
  $("token-input").focus();
}

$("token-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const t = $("token-input").value.trim();
  if (!t) return;
  sessionStorage.setItem(TOKEN_KEY, t);
  $("token-dialog").close();
  poll();
});
$("token-dialog").addEventListener("cancel", (e) => e.preventDefault()); // no data without a token
$("forget-token").addEventListener("click", () => askToken(""));

async function call(method, path, body, timeoutMs = TIMEOUT_MS) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  const headers = {"Authorization": "Bearer " + token(), "Accept": "application/json"};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  try {
    return await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: ctl.signal});
  } finally {
    clearTimeout(timer);
  }
}

// A problem+json body says what went wrong in `detail`; fall back to the status line.
async function problemText(res) {
  try {
    const p = await res.json();
    const what = p.detail || p.title || res.statusText;
    return (p.code ? p.code + ": " : "") + what;
  } catch (_) {
    return res.status + " " + res.statusText;
  }
}

// ---------- polling ----------

async function poll() {
  clearTimeout(pollTimer);
  if (!token()) {
    askToken("");
    return;
  }
  try {
    const res = await call("GET", "/admin/api/overview");
    if (res.status === 401 || res.status === 403) {
      askToken("That token was refused (" + res.status + "). The admin token is needed, not the service token.");
      return;
    }
    if (!res.ok) throw new Error(await problemText(res));
    const data = await res.json();
    lastOk = new Date();
    lastData = data;
    render(data);
    serviceUp();
  } catch (err) {
    serviceDown(err.name === "AbortError" ? "no answer within " + TIMEOUT_MS / 1000 + " s" : err.message);
  }
  pollTimer = setTimeout(poll, POLL_MS);
}

function serviceUp() {
  setPill("pill-service", "ok", "service: up");
  $("dashboard").classList.remove("stale");
  $("updated").textContent = "updated " + lastOk.toLocaleTimeString();
}

function serviceDown(reason) {
  setPill("pill-service", "bad", "service: unreachable");
  $("dashboard").classList.add("stale");
  const since = lastOk ? "Figures below are from " + lastOk.toLocaleTimeString() + "." : "No figures yet.";
  document.title = "⚠ service down · seckill admin";
  showBanner("The service does not answer (" + reason + "). " + since + " Retrying every second.");
  $("updated").textContent = lastOk ? "last update " + lastOk.toLocaleTimeString() : "not updated yet";
}

function showBanner(text) {
  $("banner").textContent = text;
  $("banner").hidden = !text;
}

function setPill(id, level, text) {
  const el = $(id);
  el.className = "pill pill-" + level;
  el.textContent = text;
}

// ---------- rendering ----------

function render(d) {
  const problems = [];
  renderStore(d.store, problems);
  renderSync(d.sync);
  renderRates(d.orders);
  renderLatency(d.latency, d.orders);
  renderSales(d.sales, d.salesError, d.serverTime, problems,
    (id) => ((d.createdBySale || {})[id] || 0) / (d.createdBySaleSeconds || 5));
  renderRejects(d.rejects);
  renderReconciliation(d.reconciliation);
  showBanner(problems.join(" "));
  document.title = (problems.length ? "⚠ " : "") + "seckill · admin";
}

const fmt = new Intl.NumberFormat("en-US");
const n = (v) => (v === null || v === undefined ? "–" : fmt.format(v));

function rate(series, seconds) {
  if (!series || series.length === 0) return 0;
  const last = series.slice(-seconds);
  return last.reduce((a, b) => a + b, 0) / last.length;
}

function fmtRate(v) {
  return v >= 100 ? fmt.format(Math.round(v)) : v.toFixed(1);
}

function renderRates(orders) {
  const s = orders.series;
  // replays are answers to orders already counted: neither new orders nor refusals
  const created = rate(s.created, 5);
  let refused = 0;
  for (const [name, values] of Object.entries(s)) {
    if (!NOT_REFUSALS.has(name)) refused += rate(values, 5);
  }
  $("m-created").textContent = fmtRate(created);
  $("m-refused").textContent = fmtRate(refused);
  $("m-refused").className = refused > 0 ? "value-warn" : "";
  $("m-created-5m").textContent = n((s.created || []).reduce((a, b) => a + b, 0));

  const order = Object.keys(OUTCOMES).filter((k) => k in s).concat(Object.keys(s).filter((k) => !(k in OUTCOMES)));
  // draw refusals first so the created line stays on top
  const drawOrder = order.slice().reverse();
  RateChart.draw($("chart"), orders, OUTCOMES, drawOrder);

  const legend = $("legend");
  legend.replaceChildren();
  for (const name of order) {
    const st = OUTCOMES[name] || {color: "#8b98a5", label: name};
    const key = document.createElement("span");
    key.className = "key";
    key.dataset.outcome = name;
    const total = (s[name] || []).reduce((a, b) => a + b, 0);
    key.dataset.total = total;
    key.title = fmt.format(total) + " in the last 5 minutes";
    const sw = document.createElement("i");
    sw.className = "sw";
    sw.style.background = st.color;
    const value = document.createElement("b");
    value.textContent = fmtRate(rate(s[name], 5));
    key.append(sw, st.label + " ", value);
    legend.append(key);
  }
}

// p50/p99 of created orders (what a buyer who gets a yes waits); the slowest p99 of the other
// outcomes beside it, so slow refusals show too
function renderLatency(l, orders) {
  const fmtMs = (v) => (v === null || v === undefined ? "–" : v < 10 ? v.toFixed(2) : v.toFixed(1));
  const inWindow = (outcome) => (orders.series[outcome] || []).slice(-l.windowSeconds).reduce((a, b) => a + b, 0);
  const created = l.byOutcome.created;
  if (created && inWindow("created") > 0) {
    $("m-p50").textContent = fmtMs(created.p50Ms);
    $("m-p99").textContent = fmtMs(created.p99Ms);
    $("m-p99").className = created.p99Ms > 50 ? "value-bad" : "";
  } else {
    $("m-p50").textContent = "–";
    $("m-p99").textContent = "–";
    $("m-p99").className = "";
  }
  let worst = null;
  for (const [outcome, f] of Object.entries(l.byOutcome)) {
    if (outcome === "created" || inWindow(outcome) === 0 || f.p99Ms === null || f.p99Ms === undefined) continue;
    if (!worst || f.p99Ms > worst[1]) worst = [outcome, f.p99Ms];
  }
  const sub = created && inWindow("created") > 0 ? "created orders" : "no orders created";
  $("m-latency-sub").textContent = sub + " in the last " + l.windowSeconds + " s"
    + (worst ? " · refusals p99 " + fmtMs(worst[1]) + " ms (" + worst[0].replaceAll("_", " ") + ")" : "");
}

function renderStore(st, problems) {
  const ageMs = Date.now() - Date.parse(st.readAt);
  if (st.up && ageMs > 5000) {
    // the sampler waits on a store that does not answer
    st = {up: false, error: "no answer for " + Math.round(ageMs / 1000) + " s"};
  }
  if (!st.up) {
    setPill("pill-store", "bad", "store: down");
    $("m-store-role").textContent = "down";
    $("m-store-role").className = "value-bad";
    $("m-store-sub").textContent = (st.error || "no answer") + (st.node ? " · " + st.node : "");
    problems.push("The counter-store does not answer: " + (st.error || "no answer") + ". Purchases fail with 503 until it is back.");
    return;
  }
  const leaderKnown = st.leader && st.leader !== "none" && st.leader !== "";
  setPill("pill-store", leaderKnown ? "ok" : "warn", "store: " + st.role + (leaderKnown ? "" : " · no leader"));
  $("m-store-role").textContent = st.role;
  $("m-store-role").className = leaderKnown ? "" : "value-warn";
  const parts = [(st.node ? "via " + st.node + " · " : "") + "leader " + (st.leader || "none")];
  if (st.groupSize) parts.push(st.groupSize + (st.groupSize === 1 ? " node" : " nodes"));
  if (st.term !== undefined && st.term !== null) parts.push("term " + st.term);
  parts.push("log " + n(st.appliedIndex) + " applied / " + n(st.commitIndex) + " committed");
  $("m-store-sub").textContent = parts.join(" · ");
  if (!leaderKnown) problems.push("The store has no leader right now: writes wait or fail until one is elected.");
}

function renderSync(sy) {
  if (!sy || !sy.running) {
    setPill("pill-sync", "warn", "sync: not running");
    $("m-sync-lag").textContent = "not running";
    $("m-sync-lag").className = "value-warn";
    $("m-sync-lag-unit").textContent = "";
    $("m-sync-sub").textContent = (sy && sy.detail) || "the database is not being updated";
    return;
  }
  const lagMs = sy.lagMs;
  const level = sy.error ? "bad" : lagMs > 1000 ? "warn" : "ok";
  setPill("pill-sync", level, "sync: " + (sy.error ? "failing" : "running"));
  if (lagMs === null || lagMs === undefined) {
    $("m-sync-lag").textContent = "–";
    $("m-sync-lag-unit").textContent = "";
  } else if (lagMs >= 10000) {
    $("m-sync-lag").textContent = (lagMs / 1000).toFixed(0);
    $("m-sync-lag-unit").textContent = "s";
  } else {
    $("m-sync-lag").textContent = fmt.format(Math.round(lagMs));
    $("m-sync-lag-unit").textContent = "ms";
  }
  $("m-sync-lag").className = "value-" + level;
  const sub = [];
  if (sy.pendingChanges !== undefined && sy.pendingChanges !== null) sub.push(n(sy.pendingChanges) + " changes behind");
  if (sy.appliedSeq !== undefined && sy.appliedSeq !== null) sub.push("applied seq " + n(sy.appliedSeq));
  if (sy.error) sub.push(sy.error);
  $("m-sync-sub").textContent = sub.join(" · ") || "caught up";
}

function saleState(sale) {
  const phase = (sale.status || "").toLowerCase();
  if (phase === "active" && sale.stock && sale.stock.available === 0) return "soldout";
  return phase === "scheduled" ? "upcoming" : phase === "active" || phase === "ended" ? phase : "unknown";
}

const STATE_LABEL = {active: "active", upcoming: "upcoming", ended: "ended", soldout: "sold out", unknown: "?"};

function renderSales(sales, error, now, problems, createdRate) {
  const body = $("sales-body");
  if (error) problems.push("Sales could not be read: " + error + ".");
  if (!sales || sales.length === 0) {
    if (!body.querySelector("tr.empty")) {
      const tr = document.createElement("tr");
      tr.className = "empty";
      tr.innerHTML = '<td colspan="4" class="muted">no sales yet: create one on the right</td>';
      body.replaceChildren(tr);
    }
    return;
  }
  body.querySelector("tr.empty")?.remove();
  const seen = new Set();
  sales.forEach((sale, index) => {
    const rowId = "sale-" + sale.id;
    seen.add(rowId);
    let tr = document.getElementById(rowId);
    if (!tr) {
      tr = saleRow(sale);
      tr.id = rowId;
    }
    // keep rows in the server's order; moving a row keeps its restock input as typed
    if (body.children[index] !== tr) body.insertBefore(tr, body.children[index] || null);
    updateSaleRow(tr, sale, now, problems, createdRate(sale.id));
  });
  for (const tr of [...body.children]) {
    if (!seen.has(tr.id)) tr.remove();
  }
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function saleRow(sale) {
  const tr = el("tr", "sale");
  tr.dataset.sale = sale.id;
  const who = el("td");
  who.append(el("div", "sale-id", sale.id), el("div", "sale-meta"));
  const win = el("td");
  win.append(el("span", "state"), el("div", "sale-meta window"), el("div", "sale-rate"));
  const stock = el("td");
  const bar = el("div", "bar");
  bar.append(el("div", "seg-sold"), el("div", "seg-reserved"), el("div", "seg-available"));
  const nums = el("div", "stock-nums");
  nums.append(el("span", "n-total"), " = ", el("span", "n-available"), " available + ",
    el("span", "n-reserved"), " reserved + ", el("span", "n-sold"), " sold", el("span", "bad check"));
  stock.append(bar, nums);
  const act = el("td");
  const form = el("form", "restock");
  const input = el("input");
  input.type = "number";
  input.name = "delta";
  input.step = "1";
  input.placeholder = "+ units";
  input.required = true;
  const btn = el("button", "", "Restock");
  btn.type = "submit";
  const result = el("div", "result");
  form.append(input, btn);
  act.append(form, result);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    restock(sale.id, input, btn, result);
  });
  tr.append(who, win, stock, act);
  return tr;
}

// 1 d 3 h, 2 h 5 min, 4 min 10 s, 9 s
function span(ms) {
  const sec = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(sec / 86400), h = Math.floor(sec / 3600) % 24, m = Math.floor(sec / 60) % 60, x = sec % 60;
  if (d > 0) return d + " d " + h + " h";
  if (h > 0) return h + " h " + m + " min";
  if (m > 0) return m + " min " + x + " s";
  return x + " s";
}

function updateSaleRow(tr, sale, now, problems, rate) {
  const meta = ["SKU " + sale.sku];
  if (sale.perUserLimit) meta.push("limit " + sale.perUserLimit + " per buyer");
  tr.querySelector(".sale-meta").textContent = meta.join(" · ");
  const state = saleState(sale);
  const badge = tr.querySelector(".state");
  badge.className = "state state-" + state;
  badge.textContent = STATE_LABEL[state];
  const rateEl = tr.querySelector(".sale-rate");
  rateEl.textContent = fmtRate(rate) + " orders/s";
  rateEl.classList.toggle("busy", rate > 0);
  const t = now ? Date.parse(now) : Date.now();
  const win = tr.querySelector(".window");
  win.title = "from " + new Date(sale.startsAt).toLocaleString()
    + (sale.endsAt ? " until " + new Date(sale.endsAt).toLocaleString() : ", open-ended");
  if (state === "upcoming") {
    win.textContent = "starts in " + span(Date.parse(sale.startsAt) - t);
  } else if (state === "ended") {
    win.textContent = "ended " + new Date(sale.endsAt).toLocaleString();
  } else {
    win.textContent = sale.endsAt ? "ends in " + span(Date.parse(sale.endsAt) - t) : "open-ended";
  }

  const s = sale.stock;
  const check = tr.querySelector(".check");
  if (!s) {
    for (const c of ["n-total", "n-available", "n-reserved", "n-sold"]) tr.querySelector("." + c).textContent = "?";
    for (const c of ["seg-sold", "seg-reserved", "seg-available"]) tr.querySelector("." + c).style.width = "0";
    check.textContent = "  stock unknown: the store does not answer";
    return;
  }
  const total = Math.max(s.total, 1);
  tr.querySelector(".seg-sold").style.width = (100 * s.sold) / total + "%";
  tr.querySelector(".seg-reserved").style.width = (100 * s.reserved) / total + "%";
  tr.querySelector(".seg-available").style.width = (100 * s.available) / total + "%";
  tr.querySelector(".n-total").textContent = n(s.total);
  tr.querySelector(".n-available").textContent = n(s.available);
  tr.querySelector(".n-reserved").textContent = n(s.reserved);
  tr.querySelector(".n-sold").textContent = n(s.sold);
  // invariant 1 of the design: shown loudly if it ever breaks
  const broken = s.total !== s.available + s.reserved + s.sold || s.available < 0 || s.reserved < 0 || s.sold < 0;
  check.textContent = broken ? "  ✗ does not add up" : "";
  if (broken) problems.push("Sale " + sale.id + ": stock does not add up (total ≠ available + reserved + sold).");
}

function renderRejects(rejects) {
  const table = $("rejects");
  table.replaceChildren();
  const rows = Object.entries(rejects.series)
    .map(([reason, values]) => [reason, values.slice(-60).reduce((a, b) => a + b, 0)])
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1]);
  if (rows.length === 0) {
    const tr = el("tr");
    tr.append(el("td", "muted", "none"));
    table.append(tr);
    return;
  }
  for (const [reason, count] of rows) {
    const tr = el("tr");
    tr.append(el("td", "", reason.replaceAll("_", " ")), el("td", "v", n(count)));
    table.append(tr);
  }
}

function renderReconciliation(r) {
  const box = $("recon-last");
  $("recon-run").disabled = !r || !r.available || r.running;
  if (!r || !r.available) {
    box.className = "recon muted";
    box.textContent = (r && r.message) || "reconciliation is not available";
    return;
  }
  const last = r.last;
  if (!last) {
    box.className = "recon muted";
    box.textContent = "no run yet";
    return;
  }
  box.className = "recon";
  box.replaceChildren();
  const verdict = el("span", "verdict", last.result);
  verdict.classList.add(last.result === "consistent" || last.result === "repaired" ? "value-ok"
    : last.result === "running" ? "value-warn" : "value-bad");
  const when = last.finishedAt || last.startedAt;
  box.append(verdict, " · " + (when ? new Date(when).toLocaleString() : ""), el("br"),
    n(last.skusChecked) + " SKUs and " + n(last.reservationsChecked) + " reservations checked, "
    + n(last.driftFound) + " differences, " + n(last.repairs) + " repaired");
  if (last.detail) box.append(el("br"), el("span", "muted", last.detail));
}

// ---------- actions ----------

function showResult(elm, ok, text) {
  elm.className = "result " + (ok ? "ok" : "error");
  elm.textContent = text;
}

function localToIso(value) {
  return value ? new Date(value).toISOString() : undefined;
}

$("create-sale").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = e.target;
  const out = $("create-sale-result");
  const body = {id: f.id.value.trim(), sku: f.sku.value.trim(), stock: Number(f.stock.value)};
  if (f.perUserLimit.value) body.perUserLimit = Number(f.perUserLimit.value);
  if (f.ttlMinutes.value) body.reservationTtl = "PT" + Number(f.ttlMinutes.value) + "M";
  if (f.startsAt.value) body.startsAt = localToIso(f.startsAt.value);
  if (f.endsAt.value) body.endsAt = localToIso(f.endsAt.value);
  const button = f.querySelector("button");
  button.disabled = true;
  try {
    const res = await call("POST", "/api/v1/sales", body);
    if (res.status === 401 || res.status === 403) {
      showResult(out, false, "refused: the admin token is needed");
    } else if (!res.ok) {
      showResult(out, false, await problemText(res));
    } else {
      showResult(out, true, "created " + body.id);
      f.reset();
      poll();
    }
  } catch (err) {
    showResult(out, false, "service unreachable: " + err.message);
  } finally {
    button.disabled = false;
  }
});

async function restock(saleId, input, button, out) {
  const delta = Number(input.value);
  if (!Number.isInteger(delta) || delta === 0) {
    showResult(out, false, "a whole number of units, not 0");
    return;
  }
  button.disabled = true;
  try {
    const res = await call("POST", "/api/v1/sales/" + encodeURIComponent(saleId) + "/restock", {delta});
    if (!res.ok) {
      showResult(out, false, await problemText(res));
    } else {
      showResult(out, true, (delta > 0 ? "+" : "") + delta + " units");
      input.value = "";
      poll();
    }
  } catch (err) {
    showResult(out, false, "service unreachable: " + err.message);
  } finally {
    button.disabled = false;
  }
}

$("recon-run").addEventListener("click", async () => {
  const out = $("recon-result");
  const button = $("recon-run");
  button.disabled = true;
  showResult(out, true, "running…");
  try {
    const res = await call("POST", "/admin/api/reconciliations", undefined, 120000);
    if (!res.ok) {
      showResult(out, false, await problemText(res));
    } else {
      const run = await res.json();
      showResult(out, run.result === "consistent" || run.result === "repaired", "done: " + run.result);
      poll();
    }
  } catch (err) {
    showResult(out, false, err.name === "AbortError" ? "still running, see the result above when it ends" : err.message);
  } finally {
    button.disabled = false;
  }
});

// redraw the chart at the new size when the window changes size
addEventListener("resize", () => {
  if (lastData) RateChart.draw($("chart"), lastData.orders, OUTCOMES, Object.keys(lastData.orders.series).reverse());
});

poll();

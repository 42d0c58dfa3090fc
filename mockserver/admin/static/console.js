// spotcheck console: four pages over the /__admin JSON endpoints. No framework, no build step,
// nothing fetched from anywhere but this server. Text goes into the page as text (never as
// HTML), so a request's own bytes cannot script the console.
"use strict";

const CSRF = document.querySelector('meta[name="csrf-token"]').content;
const TOKEN_REQUIRED = document.querySelector('meta[name="token-required"]').content === "yes";
const POLL_MS = 1500;
const STAGES = ["edge", "fault", "rate_limit", "auth", "validation", "lifecycle", "behaviour"];
const STAGE_NAMES = {
  edge: "routing", fault: "fault", rate_limit: "rate limit", auth: "auth",
  validation: "validation", lifecycle: "lifecycle", behaviour: "handler", server: "server",
};

// -- small helpers -------------------------------------------------------------------------

function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function pretty(value) {
  if (value === undefined || value === null || value === "") return "";
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

function statusClass(status) { return "s" + String(status || 0)[0]; }

function errorText(data) {
  if (!data || typeof data !== "object") return String(data || "");
  if (data.detail) return data.detail;
  if (data.message) return data.message;
  if (Array.isArray(data.errorMessages) && data.errorMessages.length) {
    return data.errorMessages.map((m) => m.message || m.errorCode).join("; ");
  }
  return JSON.stringify(data);
}

function fieldErrors(data) {
  if (!data || typeof data !== "object") return [];
  if (Array.isArray(data.errors)) return data.errors.map((e) => `${e.field}: ${e.message}`);
  if (Array.isArray(data.errorMessages)) {
    return data.errorMessages
      .filter((m) => Array.isArray(m.errorParameters))
      .map((m) => `${(m.errorParameters.find((p) => p.name === "field") || {}).value}: ${m.message}`);
  }
  return [];
}

let noticeTimer = 0;
function notice(text, bad) {
  const box = document.getElementById("notice");
  box.textContent = text;
  box.className = bad ? "bad" : "";
  box.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { box.hidden = true; }, 5000);
}

class SignInNeeded extends Error {}

async function api(method, path, body) {
  const options = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (method !== "GET") {
    options.headers["X-Spotcheck-Csrf"] = CSRF;
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
  }
  const response = await fetch(path, options);
  const text = await response.text();
  let data = text;
  try { data = text ? JSON.parse(text) : null; } catch (_) { /* not JSON: keep the text */ }
  if (response.status === 401 && TOKEN_REQUIRED && !path.endsWith("/session")) {
    showSignIn();
    throw new SignInNeeded();
  }
  return { status: response.status, ok: response.ok, data };
}

function table(columns, rows, options) {
  const head = h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c.title)));
  const body = h("tbody");
  for (const row of rows) {
    const tr = h("tr", {}, columns.map((c) => {
      const value = c.value(row);
      return h("td", { class: c.class || "" }, value instanceof Node ? value : pretty(value));
    }));
    if (options && options.onpick) {
      tr.className = "pick";
      tr.tabIndex = 0;
      tr.dataset.key = options.key(row);
      tr.setAttribute("aria-selected", String(options.selected === options.key(row)));
      tr.addEventListener("click", () => options.onpick(row));
      tr.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); options.onpick(row); }
        if (event.key === "ArrowDown" || event.key === "j") { event.preventDefault(); (tr.nextElementSibling || tr).focus(); }
        if (event.key === "ArrowUp" || event.key === "k") { event.preventDefault(); (tr.previousElementSibling || tr).focus(); }
      });
    }
    body.append(tr);
  }
  return h("table", { class: options && options.class }, h("thead", {}, head), body);
}

function keepFocus(container, render) {
  // Re-rendering a polled table must not steal the keyboard user's place.
  const focused = document.activeElement;
  const key = focused && container.contains(focused) && focused.dataset ? focused.dataset.key : null;
  render();
  if (key) {
    const again = container.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again) again.focus();
  }
}

function headersTable(headers) {
  const rows = Array.isArray(headers) ? headers : Object.entries(headers || {});
  return table(
    [{ title: "header", value: (r) => r[0], class: "mono" }, { title: "value", value: (r) => r[1], class: "mono" }],
    rows,
  );
}

function bodyBlock(body) {
  if (!body || (!body.text && !body.json)) return h("p", { class: "muted" }, "(empty)");
  const shown = body.json !== null && body.json !== undefined ? pretty(body.json) : body.text;
  return h("div", {},
    h("pre", {}, shown),
    body.truncated ? h("p", { class: "muted" }, `first ${shown.length} of ${body.size} bytes`) : null);
}

// -- pages ---------------------------------------------------------------------------------

const pages = {};
let current = null;
let pollTimer = 0;

function route() {
  const name = (location.hash || "#requests").slice(1).split("/")[0];
  const page = pages[name] ? name : "requests";
  for (const link of document.querySelectorAll("nav a")) {
    if (link.dataset.page === page) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  clearTimeout(pollTimer);
  current = pages[page];
  const main = document.getElementById("main");
  main.replaceChildren();
  current.mount(main);
  tick();
}

async function tick() {
  clearTimeout(pollTimer);
  const page = current;
  try {
    if (page.refresh) await page.refresh();
    document.getElementById("live").textContent = page.poll ? `live, updated ${new Date().toLocaleTimeString()}` : "";
  } catch (error) {
    if (!(error instanceof SignInNeeded)) document.getElementById("live").textContent = `not reachable: ${error.message}`;
    if (error instanceof SignInNeeded) return;
  }
  if (page === current && page.poll && !page.paused) pollTimer = setTimeout(tick, POLL_MS);
}

// Requests: the journal, filtered, and one request's decisions, headers, bodies and curl.
pages.requests = {
  poll: true,
  paused: false,
  entries: [],
  selected: null,
  mount(main) {
    this.filters = {
      operation: h("select", { id: "f-operation" }, h("option", { value: "" }, "any")),
      status: h("input", { id: "f-status", size: 6, placeholder: "4xx, 429", autocomplete: "off" }),
      credential: h("select", { id: "f-credential" }, h("option", { value: "" }, "any")),
      stage: h("select", { id: "f-stage" },
        h("option", { value: "" }, "any"),
        h("option", { value: "-" }, "none (answered)"),
        [...STAGES, "server"].map((s) => h("option", { value: s }, STAGE_NAMES[s]))),
    };
    const pause = h("input", { type: "checkbox", id: "f-pause" });
    pause.addEventListener("change", () => { this.paused = pause.checked; if (!this.paused) tick(); });
    for (const input of Object.values(this.filters)) input.addEventListener("input", () => this.render());
    this.list = h("div", { class: "scroll", id: "request-list" });
    this.detail = h("section", { class: "panel", id: "request-detail", "aria-live": "polite" },
      h("p", { class: "muted" }, "Pick a request (click, or Enter on a row) to see what the mock decided."));
    main.append(
      h("h1", {}, "Requests ", h("span", { class: "muted" }, "newest first, as the mock answered them")),
      h("div", { class: "filters", role: "search" },
        h("label", {}, "operation", this.filters.operation),
        h("label", {}, "status", this.filters.status),
        h("label", {}, "credential", this.filters.credential),
        h("label", {}, "refused by", this.filters.stage),
        h("label", { class: "inline" }, pause, "pause (p)")),
      h("div", { class: "split" }, this.list, this.detail));
  },
  async refresh() {
    const answer = await api("GET", "/__admin/requests?limit=500");
    if (!answer.ok) throw new Error(errorText(answer.data));
    this.entries = answer.data;
    this.fillChoices(this.filters.operation, this.entries.map((e) => e.operation || "(unmatched)"));
    this.fillChoices(this.filters.credential, this.entries.map((e) => e.credential_id || "(none)"));
    this.render();
  },
  fillChoices(select, values) {
    const known = new Set([...select.options].map((o) => o.value));
    for (const value of [...new Set(values)].sort()) {
      if (!known.has(value)) select.append(h("option", { value }, value));
    }
  },
  matches(entry) {
    const f = this.filters;
    if (f.operation.value && (entry.operation || "(unmatched)") !== f.operation.value) return false;
    if (f.credential.value && (entry.credential_id || "(none)") !== f.credential.value) return false;
    const wanted = f.status.value.trim().toLowerCase();
    if (wanted) {
      const status = String(entry.status);
      const ok = wanted.endsWith("xx") ? status[0] === wanted[0] : status === wanted;
      if (!ok) return false;
    }
    if (f.stage.value === "-" && entry.refused_by) return false;
    if (f.stage.value && f.stage.value !== "-" && entry.refused_by !== f.stage.value) return false;
    return true;
  },
  render() {
    const rows = this.entries.filter((e) => this.matches(e));
    keepFocus(this.list, () => {
      this.list.replaceChildren(table([
        { title: "time", value: (e) => (e.time || "").slice(11, 23), class: "mono nowrap" },
        { title: "id", value: (e) => e.id, class: "mono nowrap" },
        { title: "request", value: (e) => `${e.method} ${e.path}`, class: "mono" },
        { title: "status", value: (e) => h("span", { class: statusClass(e.status) }, e.status) },
        { title: "refused by", value: (e) => e.refused_by ? h("span", { class: "tag refused" }, STAGE_NAMES[e.refused_by] || e.refused_by) : "" },
        { title: "fault", value: (e) => e.fault || "" },
        { title: "credential", value: (e) => e.credential_id || "", class: "mono nowrap" },
        { title: "ms", value: (e) => e.latency_ms, class: "num" },
      ], rows, { onpick: (e) => this.open(e), key: (e) => e.id, selected: this.selected }));
      if (!rows.length) this.list.append(h("p", { class: "muted", style: null }, "No request matches (yet)."));
    });
  },
  async open(entry) {
    this.selected = entry.id;
    for (const tr of this.list.querySelectorAll("tbody tr")) tr.setAttribute("aria-selected", String(tr.dataset.key === entry.id));
    const answer = await api("GET", `/__admin/console/api/requests/${encodeURIComponent(entry.id)}`);
    const detail = answer.ok ? answer.data : null;
    const response = detail ? detail.response.body.json : null;
    const parts = [
      h("h2", {}, `${entry.method} ${entry.path} `, h("span", { class: statusClass(entry.status) }, `→ ${entry.status}`)),
      h("p", { class: "muted" }, `${entry.id} · ${entry.operation || "no operation matched"} · ${entry.latency_ms} ms · ${entry.time}`),
      h("h3", {}, "Decisions"),
      decisions(entry, response),
    ];
    if (!detail) {
      parts.push(h("p", { class: "unavailable" }, errorText(answer.data)));
    } else {
      const copy = h("button", { type: "button", id: "copy-curl" }, "Copy curl");
      const curl = h("pre", { id: "curl", tabindex: 0 }, detail.curl);
      copy.addEventListener("click", async () => {
        try { await navigator.clipboard.writeText(detail.curl); notice("curl copied"); } catch (_) {
          window.getSelection().selectAllChildren(curl); notice("curl selected: press Ctrl+C");
        }
      });
      parts.push(
        h("h3", {}, "Repeat it"),
        h("div", { class: "row" }, copy, h("span", { class: "muted" }, "secrets are shell variables: set them first")),
        curl,
        h("h3", {}, "Request headers"), headersTable(detail.request.headers),
        h("h3", {}, "Request body"), bodyBlock(detail.request.body),
        h("h3", {}, "Response headers"), headersTable(detail.response.headers),
        h("h3", {}, "Response body"), bodyBlock(detail.response.body));
    }
    this.detail.replaceChildren(...parts);
  },
};

function decisions(entry, body) {
  // The stages in the order the request met them: passed, the one that refused, not reached.
  const refused = entry.refused_by;
  const reached = refused ? STAGES.indexOf(refused) : STAGES.length;
  const items = STAGES.map((stage, index) => {
    let state = "passed";
    let note = "";
    if (stage === refused) {
      state = "refused";
      note = errorText(body);
    } else if (refused && (index > reached || reached < 0)) {
      state = "not reached";
    } else if (stage === "auth") {
      note = entry.credential_id ? `as ${entry.credential_id}` : "no credential needed or none given";
    } else if (stage === "fault") {
      state = entry.fault ? "applied" : "none";
      note = entry.fault ? `rule ${entry.fault}` : "";
    } else if (stage === "edge") {
      note = entry.operation || "";
    }
    const klass = state === "refused" ? "refused" : state === "passed" || state === "applied" ? "passed" : "skipped";
    const errors = stage === refused ? fieldErrors(body) : [];
    return h("li", { "data-stage": stage },
      h("span", {}, STAGE_NAMES[stage]),
      h("span", { class: `tag ${klass}` }, state),
      h("span", {}, note, errors.length ? h("ul", { class: "errors" }, errors.map((e) => h("li", {}, e))) : null));
  });
  if (refused === "server") items.push(h("li", {}, h("span", {}, "server"), h("span", { class: "tag refused" }, "failed"), h("span", {}, errorText(body))));
  return h("ol", { class: "stages", id: "decisions" }, items);
}

// Webhook deliveries: the outbox, each delivery's headers, payload and attempts; resend.
pages.deliveries = {
  poll: true,
  selected: null,
  mount(main) {
    this.list = h("div", { class: "scroll", id: "delivery-list" });
    this.detail = h("section", { class: "panel", id: "delivery-detail", "aria-live": "polite" },
      h("p", { class: "muted" }, "Pick a delivery to see its payload, signature and attempts."));
    main.append(h("h1", {}, "Webhook deliveries ", h("span", { class: "muted" }, "one per event and subscription")),
      h("div", { class: "split" }, this.list, this.detail));
  },
  async refresh() {
    const answer = await api("GET", "/__admin/deliveries");
    if (!answer.ok) throw new Error(errorText(answer.data));
    keepFocus(this.list, () => this.list.replaceChildren(table([
      { title: "#", value: (d) => d.id, class: "num" },
      { title: "event", value: (d) => d.activity, class: "mono" },
      { title: "contract", value: (d) => d.contract_id, class: "mono nowrap" },
      { title: "subscription", value: (d) => d.subscription_id, class: "mono" },
      { title: "status", value: (d) => h("span", { class: d.status === "delivered" ? "s2" : d.status === "given_up" ? "s5" : "s4" }, d.status) },
      { title: "attempts", value: (d) => d.attempts, class: "num" },
      { title: "last error", value: (d) => d.last_error || "" },
    ], answer.data, { onpick: (d) => this.open(d.id), key: (d) => String(d.id), selected: this.selected })));
    if (!answer.data.length) this.list.append(h("p", { class: "muted" }, "No delivery yet: subscribe a receiver and change a contract."));
    if (this.selected) await this.open(this.selected, true);
  },
  async open(id, quiet) {
    this.selected = String(id);
    const answer = await api("GET", `/__admin/console/api/deliveries/${encodeURIComponent(id)}`);
    if (!answer.ok) { this.detail.replaceChildren(h("p", { class: "unavailable" }, errorText(answer.data))); return; }
    const d = answer.data;
    const key = JSON.stringify(d);
    if (quiet && key === this.shown) return;
    this.shown = key;
    const resend = h("button", { type: "button", class: "primary", id: "resend", disabled: !["delivered", "given_up"].includes(d.status) }, "Resend");
    resend.addEventListener("click", async () => {
      const done = await api("POST", `/__admin/deliveries/${encodeURIComponent(d.id)}/redeliver`);
      notice(done.ok ? `delivery ${d.id} queued again` : errorText(done.data), !done.ok);
      tick();
    });
    this.detail.replaceChildren(
      h("h2", {}, `${d.event} `, h("span", { class: "muted" }, `#${d.id} · ${d.status}`)),
      h("p", { class: "muted" }, `to ${d.url} · delivery id ${d.delivery_id} · created ${d.created_at}`),
      h("div", { class: "row" }, resend, h("span", { class: "muted" }, "sends the same delivery id again, behind its queue")),
      h("h3", {}, `Attempts (${d.attempt_log.length})`),
      table([
        { title: "at", value: (a) => a.at, class: "mono" },
        { title: "receiver's status", value: (a) => a.status_code === null ? "no answer" : h("span", { class: statusClass(a.status_code) }, a.status_code) },
        { title: "latency ms", value: (a) => a.latency_ms, class: "num" },
        { title: "error", value: (a) => a.error || "" },
        { title: "receiver's body", value: (a) => a.body === undefined || a.body === null ? "" : h("pre", {}, a.body) },
      ], d.attempt_log, { class: "attempts" }),
      h("h3", {}, "Headers sent"), headersTable(d.headers),
      h("h3", {}, "Payload"), h("pre", { id: "payload" }, pretty(d.payload)));
  },
};

// Workspace: the family's sections (contracts with their actions, templates, ...).
pages.workspace = {
  poll: true,
  mount(main) {
    this.box = h("div", { id: "workspace" });
    main.append(h("h1", {}, "Workspace"), this.box);
    this.shown = "";
  },
  async refresh() {
    const answer = await api("GET", "/__admin/console/api/workspace");
    if (!answer.ok) throw new Error(errorText(answer.data));
    const key = JSON.stringify(answer.data);
    if (key === this.shown) return;
    this.shown = key;
    const data = answer.data;
    keepFocus(this.box, () => this.box.replaceChildren(
      h("p", { class: "muted" }, `${data.workspace} (${data.env})`),
      ...data.sections.map((section) => this.section(section))));
  },
  section(section) {
    const columns = section.columns.map((name) => ({ title: name, value: (r) => r[name], class: name === "id" ? "mono" : "" }));
    if (section.actions.length) {
      columns.push({ title: "actions", value: (row) => h("div", { class: "actions" }, section.actions
        .filter((a) => !a.when.length || a.when.includes(row.status))
        .map((a) => h("button", {
          type: "button", "data-key": `${row.id}:${a.label}`, "data-action": a.label,
          onclick: () => this.act(a, row),
        }, a.label))) });
    }
    const more = section.total > section.rows.length ? ` (first ${section.rows.length} of ${section.total})` : ` (${section.total})`;
    return h("section", { "data-section": section.title },
      h("h2", {}, section.title, h("span", { class: "muted" }, more)),
      section.rows.length ? table(columns, section.rows) : h("p", { class: "muted" }, "none"));
  },
  async act(action, row) {
    const path = action.path.replace("{id}", encodeURIComponent(row.id));
    const answer = await api("POST", path);
    notice(answer.ok ? `${row.id}: ${action.label} → ${answer.data.status || "done"}` : errorText(answer.data), !answer.ok);
    this.shown = "";
    await this.refresh();
  },
};

// Faults, clock and reset: the test kit's controls (shown as unavailable where absent).
pages.controls = {
  poll: false,
  mount(main) {
    this.clock = h("section", { class: "panel", id: "clock" });
    this.faults = h("section", { class: "panel", id: "faults" });
    const reset = h("button", { type: "button", class: "danger", id: "reset" }, "Reset the workspace");
    reset.addEventListener("click", async () => {
      if (!window.confirm("Put every record, journal entry and delivery back to the fixtures?")) return;
      const answer = await api("POST", "/__admin/reset");
      notice(answer.ok ? "reset to the fixtures" : errorText(answer.data), !answer.ok);
      this.refresh();
    });
    main.append(h("h1", {}, "Faults, clock, reset"),
      h("div", { class: "split" }, this.faults, h("div", {}, this.clock,
        h("section", { class: "panel" }, h("h2", {}, "Reset"),
          h("p", { class: "muted" }, "Back to the fixture workspace: records, journal, deliveries, faults, clock."), reset),
        h("section", { class: "panel" }, h("h2", {}, "Metrics"),
          h("p", {}, h("a", { href: "/metrics" }, "/metrics"), " in the Prometheus format.")))));
  },
  async refresh() { await Promise.all([this.showClock(), this.showFaults()]); },
  async showClock() {
    const answer = await api("GET", "/__admin/clock");
    if (answer.status === 404) {
      this.clock.replaceChildren(h("h2", {}, "Clock"), h("p", { class: "unavailable" }, "This server has no clock control."));
      return;
    }
    const c = answer.data;
    const advance = h("input", { id: "clock-advance", value: "1h", size: 8, "aria-label": "advance by" });
    const moment = h("input", { id: "clock-set", placeholder: "2027-01-01T00:00:00Z", size: 22, "aria-label": "set to" });
    const move = async (body) => {
      const done = await api("POST", "/__admin/clock", body);
      notice(done.ok ? `clock: ${done.data.now}` : errorText(done.data), !done.ok);
      this.showClock();
    };
    this.clock.replaceChildren(h("h2", {}, "Clock"),
      h("p", {}, "now ", h("strong", { id: "clock-now", class: "mono" }, c.now), h("span", { class: "muted" }, c.real ? " (real time)" : ` (offset ${c.offset_seconds} s)`)),
      h("form", { class: "row", onsubmit: (e) => { e.preventDefault(); move({ advance: advance.value }); } },
        h("label", { class: "inline" }, "advance", advance), h("button", { type: "submit" }, "Advance")),
      h("form", { class: "row", onsubmit: (e) => { e.preventDefault(); move({ set: moment.value }); } },
        h("label", { class: "inline" }, "set", moment), h("button", { type: "submit" }, "Set")),
      h("div", { class: "row" }, h("button", { type: "button", onclick: () => move({ real: true }) }, "Back to real time")));
  },
  async showFaults() {
    const answer = await api("GET", "/__admin/faults");
    if (answer.status === 404) {
      this.faults.replaceChildren(h("h2", {}, "Faults"), h("p", { class: "unavailable" }, "This server has no fault injection."));
      return;
    }
    const rules = answer.data.faults || [];
    const text = h("textarea", { id: "fault-rule", rows: 7, "aria-label": "fault rule (JSON)" });
    text.value = JSON.stringify({ on: "request", match: { method: "GET" }, first: 1, action: "status", status: 503 }, null, 2);
    const add = async (event) => {
      event.preventDefault();
      let rule;
      try { rule = JSON.parse(text.value); } catch (error) { notice(`not JSON: ${error.message}`, true); return; }
      const done = await api("POST", "/__admin/faults", rule);
      notice(done.ok ? `fault rule ${done.data.id} added` : errorText(done.data), !done.ok);
      this.showFaults();
    };
    const clear = h("button", { type: "button", class: "danger", disabled: !rules.length }, "Clear all");
    clear.addEventListener("click", async () => {
      const done = await api("DELETE", "/__admin/faults");
      notice(done.ok ? `${done.data.deleted} rule(s) cleared` : errorText(done.data), !done.ok);
      this.showFaults();
    });
    this.faults.replaceChildren(h("h2", {}, "Faults ", h("span", { class: "muted" }, `(${rules.length})`)),
      rules.length ? table([
        { title: "id", value: (r) => r.id, class: "mono" },
        { title: "on", value: (r) => r.on },
        { title: "match", value: (r) => JSON.stringify(r.match), class: "mono" },
        { title: "action", value: (r) => r.action + (r.status ? ` ${r.status}` : "") },
        { title: "how often", value: (r) => r.first !== undefined ? `first ${r.first}` : r.probability !== undefined ? `p=${r.probability}` : "always" },
        { title: "matched", value: (r) => r.matched, class: "num" },
        { title: "applied", value: (r) => r.applied, class: "num" },
      ], rules) : h("p", { class: "muted" }, "No fault rule: every request is answered normally."),
      h("form", { onsubmit: add }, h("h3", {}, "Add a rule"), text,
        h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Add rule"), clear)));
  },
};

// -- sign-in and keyboard ------------------------------------------------------------------

function showSignIn() {
  clearTimeout(pollTimer);
  const token = h("input", { type: "password", id: "admin-token", autocomplete: "current-password", required: true });
  const form = h("form", { class: "panel signin" },
    h("h1", {}, "Sign in"),
    h("p", { class: "muted" }, "This server has an admin token. It is traded once for a session cookie; the console never shows it."),
    h("label", {}, "admin token", token),
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Sign in")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = await api("POST", "/__admin/console/session", { token: token.value });
    if (answer.ok) route(); else notice(errorText(answer.data), true);
  });
  document.getElementById("main").replaceChildren(form);
  token.focus();
}

document.addEventListener("keydown", (event) => {
  const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName);
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
  const pagesByKey = { 1: "requests", 2: "deliveries", 3: "workspace", 4: "controls" };
  if (pagesByKey[event.key]) { location.hash = pagesByKey[event.key]; return; }
  if (event.key === "/" && current === pages.requests) { event.preventDefault(); document.getElementById("f-operation").focus(); }
  if (event.key === "p" && current === pages.requests) {
    const pause = document.getElementById("f-pause");
    pause.checked = !pause.checked;
    pause.dispatchEvent(new Event("change"));
  }
  if (event.key === "r") tick();
});

window.addEventListener("hashchange", route);
document.addEventListener("visibilitychange", () => { if (!document.hidden) tick(); });
route();

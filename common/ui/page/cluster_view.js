// Gregor's live cluster view. Polls /api/cluster (same origin) every second
// and redraws; changes of leaders, ISRs, controller leadership and broker
// state are highlighted for a few seconds and listed in a banner, so a
// failover is visible while it happens. Plain JS, no dependencies. The JSON
// contract is in docs/deploy.md.
"use strict";

(function () {
  const API = "/api/cluster";
  const POLL_MS = 1000;
  const TIMEOUT_MS = 2500;
  const HIGHLIGHT_MS = 8000;   // how long a changed cell stays highlighted
  const BANNER_MS = 20000;     // how long a change stays in the banner
  const MAX_BANNER = 8;

  const state = {
    prev: null,            // the previous view
    changedAt: new Map(),  // "kind:key" -> time (ms) of the last change
    banner: [],            // {time, text}
    seenEvents: new Map(),  // event key -> when this page first saw it
    firstEvents: true,
    lastOk: 0,
  };

  // --- DOM helpers (text only; names come from clients) -------------------
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") e.className = v;
      else if (k.startsWith("data-")) e.setAttribute(k, String(v));
      else if (k === "title" || k === "href" || k === "datetime") e.setAttribute(k, v);
      else e[k] = v;
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }
  const $ = (sel) => document.querySelector(sel);
  const dash = (v) => (v === null || v === undefined ? "–" : v);

  function clock(ms) {
    const d = new Date(ms);
    const p = (n, w = 2) => String(n).padStart(w, "0");
    return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
  }

  function fillBody(table, rows) {
    const body = $(table + " tbody");
    body.replaceChildren(...rows);
  }

  // --- change tracking ------------------------------------------------------
  function markChanged(key, text, now) {
    state.changedAt.set(key, now);
    if (text) {
      state.banner.unshift({ time: now, text });
      state.banner.length = Math.min(state.banner.length, MAX_BANNER);
    }
  }
  const isFresh = (key, now) => now - (state.changedAt.get(key) || -Infinity) < HIGHLIGHT_MS;
  const partKey = (t, p) => `${t}-${p}`;
  const idList = (a) => (a && a.length ? a.join(",") : "none");

  function diff(prev, cur, now) {
    if (!prev) return;
    if (prev.controller_leader !== cur.controller_leader && cur.controller_leader >= 0) {
      markChanged("controller:" + cur.controller_leader,
        `controller leader ${prev.controller_leader} → ${cur.controller_leader}`, now);
    }
    const oldBrokers = new Map(prev.brokers.map((b) => [b.id, b]));
    for (const b of cur.brokers) {
      const o = oldBrokers.get(b.id);
      if (o && (o.alive !== b.alive || o.fenced !== b.fenced)) {
        markChanged("broker:" + b.id, `broker ${b.id} ${brokerState(b).text}`, now);
      }
    }
    const oldParts = new Map();
    for (const t of prev.topics) for (const p of t.partitions) oldParts.set(partKey(t.name, p.partition), p);
    for (const t of cur.topics) {
      for (const p of t.partitions) {
        const key = partKey(t.name, p.partition);
        const o = oldParts.get(key);
        if (!o) continue;
        if (o.leader !== p.leader) {
          markChanged("leader:" + key, `${key}: leader ${o.leader} → ${p.leader}`, now);
        }
        if (idList(o.isr) !== idList(p.isr)) {
          const verb = p.isr.length < o.isr.length ? "shrank" : "changed";
          markChanged("isr:" + key,
            `${key}: ISR ${p.isr.length > o.isr.length ? "expanded" : verb} ${idList(o.isr)} → ${idList(p.isr)}`, now);
        }
      }
    }
  }

  // --- rendering ------------------------------------------------------------
  function brokerState(b) {
    if (!b.alive) return { text: "down", cls: "state-bad" };
    if (b.fenced) return { text: "fenced", cls: "state-bad" };
    if (b.in_controlled_shutdown) return { text: "shutting down", cls: "state-warn" };
    return { text: "alive", cls: "state-ok" };
  }

  function renderHeader(v, now) {
    $("#cluster-id").textContent = v.cluster_id ? `cluster ${v.cluster_id}` : "";
    $("#served-by").textContent = `served by ${v.served_by_role} ${v.served_by}`;
    $("#updated").textContent = `updated ${clock(v.generated_ms || now)}`;
  }

  function renderSummary(v) {
    const s = v.summary;
    const card = (label, value, bad, id) =>
      el("div", { class: "card" + (bad ? " bad" : ""), "data-card": id },
        el("div", { class: "value" }, value), el("div", { class: "label" }, label));
    $("#summary").replaceChildren(
      card("controller leader", v.controller_leader >= 0 ? v.controller_leader : "none",
        v.controller_leader < 0, "controller-leader"),
      card("brokers alive", `${s.brokers_alive} / ${s.brokers}`, s.brokers_alive < s.brokers, "brokers"),
      card("partitions", s.partitions, false, "partitions"),
      card("under-replicated", s.under_replicated_partitions, s.under_replicated_partitions > 0, "urp"),
      card("offline", s.offline_partitions, s.offline_partitions > 0, "offline"),
      card("consumer groups", s.groups, false, "groups"));
  }

  function renderControllers(v, now) {
    fillBody("#controllers", v.controllers.map((c) =>
      el("tr", { class: (c.is_leader ? "raft-leader" : "") + (isFresh("controller:" + c.id, now) ? " changed" : ""),
        "data-controller": c.id, "data-role": c.role },
        el("td", {}, c.id), el("td", {}, c.address),
        el("td", { class: c.is_leader ? "state-ok" : (c.role === "unknown" ? "state-bad" : "") }, c.role),
        el("td", { class: "num" }, dash(c.term)), el("td", { class: "num" }, dash(c.commit_index)),
        el("td", { class: "num" }, dash(c.last_index)),
        el("td", { class: "num" + (c.lag > 0 ? " state-warn" : "") }, dash(c.lag)),
        el("td", { class: "num" }, c.last_contact_ms === null ? "–" : `${c.last_contact_ms} ms ago`))));
  }

  function renderBrokers(v, now) {
    fillBody("#brokers", v.brokers.map((b) => {
      const st = brokerState(b);
      return el("tr", { class: (st.text === "alive" ? "" : "down") + (isFresh("broker:" + b.id, now) ? " changed" : ""),
        "data-broker": b.id, "data-state": st.text },
        el("td", {}, b.id), el("td", {}, b.address), el("td", {}, b.http_address || "–"),
        el("td", {}, b.rack || "–"), el("td", { class: "num" }, b.epoch),
        el("td", { class: st.cls }, st.text));
    }));
  }

  function replicaBadges(p) {
    return p.replicas.map((r) => el("span", {
      class: "badge " + (p.isr.includes(r) ? "in-isr" : "out-of-isr") + (r === p.leader ? " leader" : ""),
      title: (r === p.leader ? "leader, " : "") + (p.isr.includes(r) ? "in sync" : "out of sync"),
    }, r));
  }

  function renderPartitions(v, now) {
    const onlyUrp = $("#only-urp").checked;
    const rows = [];
    for (const t of v.topics) {
      for (const p of t.partitions) {
        if (onlyUrp && !p.under_replicated && !p.offline) continue;
        const key = partKey(t.name, p.partition);
        const cls = p.offline ? "offline" : p.under_replicated ? "under-replicated" : "";
        const stateText = p.offline ? "offline" : p.under_replicated ? "under-replicated" : "ok";
        rows.push(el("tr", { class: cls, "data-partition": key, "data-topic": t.name,
          "data-leader": p.leader, "data-isr": p.isr.join(","), "data-replicas": p.replicas.join(",") },
          el("td", {}, t.name), el("td", { class: "num" }, p.partition),
          el("td", { class: "leader num" + (isFresh("leader:" + key, now) ? " changed" : "") },
            p.leader >= 0 ? p.leader : "none"),
          el("td", { class: "replicas" }, replicaBadges(p)),
          el("td", { class: "isr" + (isFresh("isr:" + key, now) ? " changed" : "") }, idList(p.isr)),
          el("td", { class: "num" }, dash(p.high_watermark)), el("td", { class: "num" }, dash(p.log_end_offset)),
          el("td", { class: "num" }, p.leader_epoch),
          el("td", { class: p.offline ? "state-bad" : p.under_replicated ? "state-warn" : "state-ok" }, stateText)));
      }
    }
    fillBody("#partitions", rows);
    $("#truncated").hidden = !v.truncated;
  }

  function renderGroups(v) {
    fillBody("#groups", v.groups.map((g) =>
      el("tr", { "data-group": g.group_id, "data-state": g.state },
        el("td", {}, g.group_id), el("td", { class: g.state === "Stable" ? "state-ok" : "state-warn" }, g.state),
        el("td", { class: "num", title: g.members.map((m) => `${m.client_id}@${m.client_host}`).join("\n") },
          g.members.length),
        el("td", {}, g.protocol || g.protocol_type || "–"), el("td", { class: "num" }, g.generation),
        el("td", { class: "num" }, g.coordinator >= 0 ? g.coordinator : "–"),
        el("td", { class: "num" + (g.total_lag > 0 ? " state-warn" : "") }, dash(g.total_lag)))));
  }

  function renderEvents(v, now) {
    const items = [];
    const seen = new Map();  // the server keeps a bounded list, so this stays bounded
    for (let i = v.events.length - 1; i >= 0; i--) {
      const e = v.events[i];
      const key = `${e.time_ms}|${e.kind}|${e.detail}`;
      const first = state.seenEvents.get(key) ?? (state.firstEvents ? -Infinity : now);
      const isNew = now - first < HIGHLIGHT_MS;
      seen.set(key, first);
      items.push(el("li", { class: isNew ? "new" : "", "data-kind": e.kind },
        el("time", { datetime: new Date(e.time_ms).toISOString() }, clock(e.time_ms)),
        el("span", { class: "kind" }, e.kind.replace(/_/g, " ")), e.detail));
    }
    state.firstEvents = false;
    state.seenEvents = seen;
    $("#events").replaceChildren(...items);
  }

  function renderBanner(now) {
    state.banner = state.banner.filter((b) => now - b.time < BANNER_MS);
    const box = $("#changes");
    box.hidden = state.banner.length === 0;
    if (box.hidden) return;
    box.replaceChildren(el("strong", {}, "Changes"),
      el("ul", {}, state.banner.map((b) => el("li", {}, `${clock(b.time)} ${b.text}`))));
  }

  function render(v) {
    const now = Date.now();
    diff(state.prev, v, now);
    state.prev = v;
    renderHeader(v, now);
    renderSummary(v);
    renderControllers(v, now);
    renderBrokers(v, now);
    renderPartitions(v, now);
    renderGroups(v);
    renderEvents(v, now);
    renderBanner(now);
  }

  function setConnection(s, text) {
    const c = $("#connection");
    c.dataset.state = s;
    c.textContent = text;
  }

  async function poll() {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), TIMEOUT_MS);
    try {
      const res = await fetch(API, { cache: "no-store", signal: ctl.signal });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      render(await res.json());
      state.lastOk = Date.now();
      setConnection("ok", "live");
    } catch (err) {
      const ago = state.lastOk ? ` (last update ${Math.round((Date.now() - state.lastOk) / 1000)} s ago)` : "";
      setConnection(state.lastOk ? "stale" : "down", `cannot reach this node: ${err.message || err}${ago}`);
    } finally {
      clearTimeout(timer);
      setTimeout(poll, POLL_MS);
    }
  }

  $("#only-urp").addEventListener("change", () => state.prev && renderPartitions(state.prev, Date.now()));
  poll();
})();

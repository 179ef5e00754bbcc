#!/usr/bin/env node
// Browser test of the live cluster view (/ui): during a failover the page must
// show the partition's new leader and its shrunk ISR, highlight the change,
// list it in the timeline, and show the ISR expand again after the restart.
// Headless Debian chromium driven by playwright-core.
//
//   node ui_test.mjs --base-url http://127.0.0.1:8080 --out DIR
//        [--topic orders] [--partition 0]
//        [--kill-cmd 'CMD {leader}'] [--restart-cmd 'CMD {leader}']
//        [--timeout-s 60] [--chromium /usr/bin/chromium]
//
// With --kill-cmd/--restart-cmd the test causes the failover itself ({leader}
// becomes the current leader's broker id): e.g. the fake server's
// /fake/kill?broker={leader}, or `docker kill` on a real cluster. Without
// them it watches for a failover someone else causes (the failover demo).
// Screenshots before.png, failover.png and after.png go to --out.
// Prints one line per check and "N passed, N failed"; exit 1 on a failure.
import { chromium } from "playwright-core";
import { execSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function parseArgs(argv) {
  const a = { topic: "orders", partition: "0", "timeout-s": "60", chromium: "/usr/bin/chromium" };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unexpected argument ${argv[i]}`);
    a[m[1]] = m[2] !== undefined ? m[2] : argv[++i];
  }
  for (const k of ["base-url", "out"]) if (!a[k]) throw new Error(`--${k} is required`);
  return a;
}

const args = parseArgs(process.argv.slice(2));
const base = args["base-url"].replace(/\/$/, "");
const key = `${args.topic}-${args.partition}`;
const timeoutMs = Number(args["timeout-s"]) * 1000;
const row = `tr[data-partition="${key}"]`;
let passed = 0, failed = 0;

function stamp() { return new Date().toISOString().slice(11, 23); }
function check(name, ok, detail = "") {
  if (ok) passed++; else failed++;
  console.log(`[${stamp()}] ${ok ? "ok  " : "FAIL"} ${name}${detail ? ` (${detail})` : ""}`);
  return ok;
}
function run(cmd, leader) {
  const c = cmd.replaceAll("{leader}", String(leader));
  console.log(`[${stamp()}] $ ${c}`);
  execSync(c, { stdio: "inherit", shell: "/bin/bash" });
}
async function apiPartition() {
  const res = await fetch(`${base}/api/cluster`, { cache: "no-store" });
  const v = await res.json();
  for (const t of v.topics) for (const p of t.partitions) {
    if (`${t.name}-${p.partition}` === key) return { view: v, p };
  }
  return { view: v, p: null };
}
async function domPartition(page) {
  return page.$eval(row, (r) => ({
    leader: Number(r.dataset.leader),
    isr: r.dataset.isr ? r.dataset.isr.split(",").map(Number) : [],
    replicas: r.dataset.replicas ? r.dataset.replicas.split(",").map(Number) : [],
    leaderHighlighted: r.querySelector("td.leader").classList.contains("changed"),
    isrHighlighted: r.querySelector("td.isr").classList.contains("changed"),
    underReplicated: r.classList.contains("under-replicated"),
  }));
}

const userDataDir = mkdtempSync(join(tmpdir(), "gregor-ui-test-"));
mkdirSync(args.out, { recursive: true });
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: args.chromium,
  headless: true,
  viewport: { width: 1400, height: 1000 },
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = context.pages()[0] || await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });

  await page.goto(`${base}/ui`);
  await page.waitForSelector(row, { timeout: timeoutMs });
  check("page shows the partition", true, key);
  // Start from a healthy partition: a leader and a full ISR.
  await page.waitForFunction((sel) => {
    const r = document.querySelector(sel);
    return r && Number(r.dataset.leader) >= 0 && r.dataset.isr.split(",").length === r.dataset.replicas.split(",").length;
  }, row, { timeout: timeoutMs });
  const before = await domPartition(page);
  const api0 = await apiPartition();
  check("DOM leader matches /api/cluster before", api0.p && api0.p.leader === before.leader,
    `DOM ${before.leader}, API ${api0.p && api0.p.leader}`);
  check("connection indicator is live", (await page.getAttribute("#connection", "data-state")) === "ok");
  check("controllers table lists the quorum", (await page.$$("#controllers tbody tr")).length >= 1);
  check("brokers table lists every replica",
    (await page.$$eval("#brokers tbody tr", (rs) => rs.map((r) => Number(r.dataset.broker))))
      .filter((b) => before.replicas.includes(b)).length === before.replicas.length);
  await page.screenshot({ path: join(args.out, "before.png"), fullPage: true });
  const old = before.leader;
  console.log(`[${stamp()}] ${key}: leader ${old}, ISR ${before.isr.join(",")}`);

  if (args["kill-cmd"]) run(args["kill-cmd"], old);
  else console.log(`[${stamp()}] waiting for someone to fail over ${key} (leader ${old})`);

  await page.waitForFunction(([sel, old]) => {
    const r = document.querySelector(sel);
    return r && Number(r.dataset.leader) >= 0 && Number(r.dataset.leader) !== old
      && !r.dataset.isr.split(",").map(Number).includes(old);
  }, [row, old], { timeout: timeoutMs });
  const during = await domPartition(page);
  await page.screenshot({ path: join(args.out, "failover.png"), fullPage: true });
  check("new leader differs from the old one", during.leader !== old, `${old} -> ${during.leader}`);
  check("ISR shrank without the old leader", !during.isr.includes(old) && during.isr.length < before.isr.length,
    `${before.isr.join(",")} -> ${during.isr.join(",")}`);
  const api1 = await apiPartition();
  check("DOM leader matches /api/cluster during", api1.p && api1.p.leader === during.leader,
    `DOM ${during.leader}, API ${api1.p && api1.p.leader}`);
  check("leader cell is highlighted", during.leaderHighlighted);
  check("ISR cell is highlighted", during.isrHighlighted);
  check("partition row is marked under-replicated", during.underReplicated);
  const urp = await page.$eval('[data-card="urp"] .value', (e) => Number(e.textContent));
  check("under-replicated count is above 0", urp > 0, String(urp));
  const banner = await page.$eval("#changes", (e) => (e.hidden ? "" : e.textContent));
  check("changes banner names the leader change", banner.includes(`${key}: leader ${old} → ${during.leader}`), banner);
  const election = await page.waitForFunction((k) => [...document.querySelectorAll('#events li[data-kind="leader_election"]')]
    .some((li) => li.textContent.includes(k)), key, { timeout: timeoutMs }).then(() => true, () => false);
  check("timeline lists the leader election", election);

  if (args["restart-cmd"]) run(args["restart-cmd"], old);
  else console.log(`[${stamp()}] waiting for broker ${old} to rejoin the ISR of ${key}`);
  await page.waitForFunction(([sel, old]) => {
    const r = document.querySelector(sel);
    return r && r.dataset.isr.split(",").map(Number).includes(old);
  }, [row, old], { timeout: timeoutMs });
  const after = await domPartition(page);
  await page.screenshot({ path: join(args.out, "after.png"), fullPage: true });
  check("ISR expanded with the restarted broker", after.isr.includes(old) && after.isr.length === after.replicas.length,
    after.isr.join(","));
  check("partition no longer under-replicated", !after.underReplicated);
  const expand = await page.waitForFunction((k) => [...document.querySelectorAll('#events li[data-kind="isr_expand"]')]
    .some((li) => li.textContent.includes(k)), key, { timeout: timeoutMs }).then(() => true, () => false);
  check("timeline lists the ISR expand", expand);
  check("no errors in the page's console", errors.length === 0, errors.join("; "));
} catch (e) {
  check("test ran to the end", false, String(e && e.message ? e.message.split("\n")[0] : e));
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

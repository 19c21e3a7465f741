// Summarize one bench/compare.sh invocation: the harness's two runs (PostGraphile v5 and
// Codex, each with the floor measured in its own run) side by side, the load driver's
// figures on PostgreSQL and SQLite, the issue-7 targets as met / not met, and last one
// line per query: `qN <codex req/s> <PostGraphile req/s> <ratio>`.
//   node summary.mjs OUT_DIR        (markdown on stdout)
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
if (!dir) throw new Error("usage: node summary.mjs OUT_DIR");

const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const num = (v) => (v === undefined || v === "-" || v === "" ? NaN : Number(v));
const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "–");

// The last harness run of a target in dir: its rows.
const harnessRun = (target) => {
  const files = readdirSync(dir).filter((n) => n.startsWith(target + "_") && n.endsWith(".tsv")).sort();
  if (!files.length) return null;
  const [head, ...lines] = readFileSync(join(dir, files.at(-1)), "utf8").trim().split("\n");
  const cols = head.split("\t");
  return { file: files.at(-1), rows: lines.map((l) => Object.fromEntries(l.split("\t").map((v, i) => [cols[i], v]))) };
};
const readJSON = (name) => (existsSync(join(dir, name)) ? JSON.parse(readFileSync(join(dir, name), "utf8")) : null);
const notes = existsSync(join(dir, "notes.txt")) ? readFileSync(join(dir, "notes.txt"), "utf8").trim().split("\n") : [];
const note = (k) => notes.find((l) => l.startsWith(k + ": "))?.slice(k.length + 2);

const pg = harnessRun("postgraphile-v5");
const cx = harnessRun("codex");
const loadPG = readJSON("load-postgres.json");
const loadLite = readJSON("load-sqlite.json");

// Statistics of one system in one harness run: medians over the load rounds, the c=1 probe.
const stats = (run, q, system) => {
  const load = run.rows.filter((r) => r.query === q && r.system === system && r.round !== "c1");
  const probe = run.rows.find((r) => r.query === q && r.system === system && r.round === "c1");
  const rps = load.map((r) => num(r.rps));
  return {
    rps: median(rps), lo: Math.min(...rps), hi: Math.max(...rps), rounds: load.length,
    p50: median(load.map((r) => num(r.p50_ms))), p99: median(load.map((r) => num(r.p99_ms))),
    cpu: median(load.map((r) => num(r.gw_cpu_ms_per_req))),
    errors: load.reduce((a, r) => a + (num(r.errors) || 0), 0) + (probe ? num(probe.errors) || 0 : 0),
    c1: probe ? num(probe.p50_ms) : NaN, stmts: probe ? num(probe.stmts_per_req) : NaN, dbms: probe ? num(probe.db_ms_per_req) : NaN,
  };
};

const out = [];
const p = (s = "") => out.push(s);
const queries = [...new Set([...(pg?.rows ?? []), ...(cx?.rows ?? [])].map((r) => r.query))];

p("## Codex vs. PostGraphile v5 on Codex's tables");
p();
for (const l of notes) p(`- ${l}`);
p();

const S = {};
if (pg || cx) {
  p("### Shared harness: each target against the SQL floor measured in its own run");
  p();
  p(`Runs: ${[pg?.file, cx?.file].filter(Boolean).join(", ")}. Medians over the load rounds (min–max in brackets); c=1 columns from the harness's sequential probe.`);
  p();
  p("| query | system | req/s (min–max) | p50 ms | p99 ms | gw CPU ms/req | c=1 p50 ms | SQL stmts/req (c=1) | DB ms/req (c=1) | req/s ÷ own floor | errors |");
  p("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const q of queries) {
    S[q] = {};
    for (const [run, label, key] of [[pg, "PostGraphile v5", "pg"], [cx, "Codex", "cx"]]) {
      if (!run) continue;
      const fl = stats(run, q, "floor");
      const t = stats(run, q, key === "pg" ? "postgraphile-v5" : "codex");
      S[q][key] = t;
      S[q][key + "Floor"] = fl;
      const row = (name, s, ratio) =>
        p(`| ${q} | ${name} | ${f(s.rps)} (${f(s.lo, 0)}–${f(s.hi, 0)}) | ${f(s.p50, 2)} | ${f(s.p99, 2)} | ${f(s.cpu, 2)} | ${f(s.c1, 2)} | ${f(s.stmts, 2)} | ${f(s.dbms, 3)} | ${ratio} | ${s.errors} |`);
      row(`floor (${label} run)`, fl, "1");
      row(`**${label}**`, t, f(t.rps / fl.rps, 3));
    }
  }
  p();
}

const both = queries.filter((q) => S[q]?.pg && S[q]?.cx);
if (both.length) {
  p("### Codex ÷ PostGraphile v5");
  p();
  p("*Floor-normalized* = (Codex ÷ its run's floor) ÷ (PostGraphile ÷ its run's floor): the same ratio with the drift between the two runs taken out.");
  p();
  p("| query | req/s ratio | floor-normalized | p99 ratio (Codex ÷ PG) | gw CPU/req ratio | SQL stmts/req Codex / PG |");
  p("|---|---:|---:|---:|---:|---|");
  for (const q of both) {
    const { pg: a, cx: b, pgFloor: af, cxFloor: bf } = S[q];
    p(`| ${q} | ${f(b.rps / a.rps, 2)} | ${f(b.rps / bf.rps / (a.rps / af.rps), 2)} | ${f(b.p99 / a.p99, 2)} | ${f(b.cpu / a.cpu, 2)} | ${f(b.stmts, 2)} / ${f(a.stmts, 2)} |`);
  }
  p();
}

const loadTable = (rep, title) => {
  if (!rep) return;
  p(`### Load driver (bench/load): ${title}`);
  p();
  p(`${rep.label}: ${rep.conc} clients, ${rep.warmup} warm-up + ${rep.duration} per scenario; database ${rep.database}; SQL statements: ${rep.sql_counts}.`);
  p();
  if (rep.load?.length) {
    p("| scenario | req/s | p50 ms | p99 ms | c=1 p50 ms | SQL stmts/req (c=1) | CPU ms/req | peak RSS MB | VmHWM MB | errors |");
    p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const r of rep.load)
      p(`| ${r.name} | ${f(r.rps)} | ${f(r.p50_ms, 2)} | ${f(r.p99_ms, 2)} | ${f(r.probe_p50_ms, 2)} | ${r.sql_per_req == null ? "n/a" : f(r.sql_per_req, 2)} | ${f(r.cpu_ms_per_req, 3)} | ${f(r.peak_rss_mb)} | ${f(r.hwm_mb)} | ${r.errors} |`);
    p();
  }
  if (rep.csv?.length) {
    p("| CSV export | rows | MB | seconds | rows/s | first byte ms | RSS before MB | RSS peak MB | RSS growth MB |");
    p("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    rep.csv.forEach((c, i) =>
      p(`| ${i + 1} | ${c.rows} | ${f(c.bytes / 1048576)} | ${f(c.seconds, 3)} | ${f(c.rows_per_second, 0)} | ${f(c.first_byte_ms)} | ${f(c.rss_before_mb)} | ${f(c.rss_peak_mb)} | ${f(c.rss_growth_mb)} |`));
    p();
  }
};
loadTable(loadPG, "Codex on PostgreSQL");
loadTable(loadLite, "Codex on SQLite (the embedded default)");

const byName = (rep, n) => rep?.load?.find((r) => r.name === n);
if (loadPG && loadLite) {
  p("### SQLite ÷ PostgreSQL (load driver, same invocation)");
  p();
  p("| scenario | PostgreSQL req/s | SQLite req/s | PostgreSQL ÷ SQLite | p99 ms PostgreSQL / SQLite |");
  p("|---|---:|---:|---:|---|");
  for (const r of loadLite.load ?? []) {
    const a = byName(loadPG, r.name);
    if (a) p(`| ${r.name} | ${f(a.rps)} | ${f(r.rps)} | ${f(a.rps / r.rps, 2)} | ${f(a.p99_ms, 2)} / ${f(r.p99_ms, 2)} |`);
  }
  p();
}

// ---- issue 7 targets ------------------------------------------------------------------
// Relation levels of each query: the root plus each relation field of the query tree,
// which a dataloader gateway loads with one statement each, however many parent rows.
const relations = { q1: 8, q2: 4, q3: 6 };
const met = (ok) => (ok === undefined ? "not measured" : ok ? "**met**" : "**not met**");
const targets = [];
for (const q of both) {
  const { pg: a, cx: b } = S[q];
  targets.push(`${q} req/s ≥ 2× PostGraphile v5: ${met(b.rps >= 2 * a.rps)} (${f(b.rps)} vs ${f(a.rps)} = ${f(b.rps / a.rps, 2)}×)`);
  targets.push(`${q} p99 ≤ PostGraphile's: ${met(b.p99 <= a.p99)} (${f(b.p99, 2)} ms vs ${f(a.p99, 2)} ms)`);
  targets.push(`${q} CPU/request ≤ ½ PostGraphile's: ${met(b.cpu <= a.cpu / 2)} (${f(b.cpu, 2)} ms vs ${f(a.cpu, 2)} ms = ${f(b.cpu / a.cpu, 2)}×)`);
}
for (const q of queries.filter((q) => S[q]?.cx && relations[q])) {
  const s = S[q].cx.stmts;
  targets.push(`${q} SQL statements/request ≤ one per relation level (${relations[q]}): ${met(Number.isFinite(s) ? s <= relations[q] : undefined)} (${f(s, 2)})`);
}
const rssHarness = num(note("codex_peak_rss_mb"));
const rssLoad = Math.max(...(loadPG?.load ?? []).filter((r) => /^q\d$/.test(r.name)).map((r) => r.peak_rss_mb ?? NaN));
const rssFigures = [Number.isFinite(rssHarness) && `${f(rssHarness)} MB VmHWM over the harness run`, Number.isFinite(rssLoad) && `${f(rssLoad)} MB peak sampled under the driver's Q1–Q3`].filter(Boolean);
if (rssFigures.length) {
  const worst = Math.max(...[rssHarness, rssLoad].filter(Number.isFinite));
  targets.push(`RSS under load < 150 MB: ${met(worst < 150)} (${rssFigures.join("; ")})`);
}
if (loadPG?.csv?.length) {
  const rate = median(loadPG.csv.map((c) => c.rows_per_second));
  const growth = Math.max(...loadPG.csv.map((c) => c.rss_growth_mb ?? NaN));
  targets.push(`CSV export of ${loadPG.csv[0].rows} assets ≥ 100,000 rows/s: ${met(rate >= 100000)} (median ${f(rate, 0)} rows/s over ${loadPG.csv.length} exports)`);
  targets.push(`CSV export peak RSS growth < 50 MB: ${met(Number.isFinite(growth) ? growth < 50 : undefined)} (largest ${f(growth)} MB)`);
}
if (loadPG && loadLite) {
  for (const q of ["q1", "q2", "q3"]) {
    const a = byName(loadPG, q), b = byName(loadLite, q);
    if (a && b) targets.push(`${q} on SQLite within 2× of PostgreSQL: ${met(a.rps / b.rps <= 2)} (${f(b.rps)} vs ${f(a.rps)} req/s: PostgreSQL ÷ SQLite = ${f(a.rps / b.rps, 2)})`);
  }
}
if (targets.length) {
  p("### Issue 7 targets (this invocation)");
  p();
  for (const t of targets) p(`- ${t}`);
  p();
}

// ---- the contract: one line per query ----------------------------------------------------
// Last, unfenced, so that `tail -n 3` reads them.
if (both.length) {
  p("Per query: `qN <codex req/s> <PostGraphile v5 req/s> <ratio>`:");
  p();
  for (const q of both) p(`${q} ${f(S[q].cx.rps)} ${f(S[q].pg.rps)} ${f(S[q].cx.rps / S[q].pg.rps, 2)}`);
}
console.log(out.join("\n"));

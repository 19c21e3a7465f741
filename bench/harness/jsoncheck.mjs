// The shared harness's data check (lib/jsoncheck.mjs: "exact", "same-leaves" or
// "MISMATCH"), with one more step for a peer that shows the same rows in another
// representation. When the shared check fails, the values are compared again after
//   - enum case: the floor shows Codex's GraphQL enums (FIREWALL, ACCESS_POINT), which
//     are the upper-cased stored values PostGraphile returns as text (firewall, access_point);
//     only strings shaped like an enum value ([A-Z][A-Z0-9_]*) are lower-cased, on both sides;
//   - designation: a response object's `designation` text (contact_companies.designation)
//     becomes Codex's `isPrimary` (designation = 'primary').
// and then "same-leaves-normalized (N values)" is printed. Anything else still fails.
//   node jsoncheck.mjs FLOOR.json RESPONSE.json      ($SHARED_BENCH_LIB: the shared lib dir)
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const [floorFile, respFile] = process.argv.slice(2);
const lib = process.env.SHARED_BENCH_LIB;
if (!lib) throw new Error("SHARED_BENCH_LIB not set");
const shared = spawnSync(process.execPath, [`${lib}/jsoncheck.mjs`, floorFile, respFile], { encoding: "utf8" });
if (shared.status === 0) {
  process.stdout.write(shared.stdout);
  process.exit(0);
}

const floor = JSON.parse(readFileSync(floorFile, "utf8"));
const resp = JSON.parse(readFileSync(respFile, "utf8"));
if (resp.errors || resp.data == null) {
  process.stdout.write(shared.stdout);
  process.exit(1);
}
const enumShaped = /^[A-Z][A-Z0-9_]*$/;
const norm = (v, peer) => {
  if (Array.isArray(v)) return v.map((x) => norm(x, peer));
  if (v && typeof v === "object") {
    const o = {};
    for (const [k, x] of Object.entries(v)) {
      if (peer && k === "designation" && typeof x === "string") o.isPrimary = x === "primary";
      else o[k] = norm(x, peer);
    }
    return o;
  }
  return typeof v === "string" && enumShaped.test(v) ? v.toLowerCase() : v;
};
const leaves = (v, out = []) => {
  if (Array.isArray(v)) v.forEach((x) => leaves(x, out));
  else if (v && typeof v === "object") Object.values(v).forEach((x) => leaves(x, out));
  else if (v !== null && v !== undefined) out.push(String(v));
  return out;
};
const a = leaves(norm(floor, false)).sort();
const b = leaves(norm(resp.data, true)).sort();
if (a.length === b.length && a.every((x, i) => x === b[i])) {
  console.log(`same-leaves-normalized (${a.length} values; enum case, designation -> isPrimary)`);
  process.exit(0);
}
process.stdout.write(shared.stdout);
process.exit(1);

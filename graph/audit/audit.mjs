// Runs graphql-http's server audits (the GraphQL-over-HTTP specification's MUSTs,
// SHOULDs and MAYs) against a Codex /graphql endpoint with a bearer token, prints each
// result and a summary, and exits 1 when a MUST fails (error) or a SHOULD fails (warn).
// Started by run.sh, which installs graphql-http; arguments: URL TOKEN.
import { auditServer } from 'graphql-http';

const [url, token] = process.argv.slice(2);
if (!url || !token) {
  console.error('usage: node audit.mjs URL TOKEN');
  process.exit(2);
}

const fetchWithToken = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set('Authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};

const results = await auditServer({ url, fetchFn: fetchWithToken });
const counts = { ok: 0, warn: 0, error: 0, notice: 0 };
for (const r of results) {
  counts[r.status]++;
  const mark = { ok: 'ok    ', warn: 'WARN  ', error: 'ERROR ', notice: 'notice' }[r.status];
  console.log(`${mark} ${r.id} ${r.name}${r.reason ? `\n         ${r.reason}` : ''}`);
  if (r.status === 'error' || r.status === 'warn') {
    const res = r.response;
    const body = await res.text().catch(() => '');
    console.log(`         ${res.status} ${res.headers.get('content-type')} ${body.slice(0, 300)}`);
  }
}
console.log(`\n${results.length} audits: ${counts.ok} passed, ${counts.warn} warnings (SHOULD), ` +
  `${counts.error} errors (MUST), ${counts.notice} notices (MAY)`);
process.exit(counts.error + counts.warn > 0 ? 1 : 0);

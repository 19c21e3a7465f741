// The shared harness's lib/seq.mjs (sequential keep-alive probe), with an Authorization
// header taken from $AUTH_HEADER when it is set: http.request is wrapped before the
// original script runs, so its measurements are otherwise unchanged.
//   node seq.mjs URL BODY_FILE N [WARMUP]      ($SHARED_BENCH_LIB: the shared lib dir)
import http from "node:http";
import { pathToFileURL } from "node:url";

const auth = process.env.AUTH_HEADER;
if (auth) {
  const request = http.request;
  http.request = (opts, cb) => request({ ...opts, headers: { ...opts.headers, Authorization: auth } }, cb);
}
const lib = process.env.SHARED_BENCH_LIB;
if (!lib) throw new Error("SHARED_BENCH_LIB not set");
await import(pathToFileURL(`${lib}/seq.mjs`).href);

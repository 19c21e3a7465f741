-- wrk script for a target that wants a bearer token: the shared harness's lib/post.lua
-- (POST $BODY_FILE, one RESULT summary line) plus an Authorization header taken from
-- $AUTH_HEADER when it is set. $SHARED_BENCH_LIB is the shared harness's lib directory
-- (bench/compare.sh sets both). No response() hook, as in the original.
dofile(assert(os.getenv("SHARED_BENCH_LIB"), "SHARED_BENCH_LIB not set") .. "/post.lua")
local auth = os.getenv("AUTH_HEADER")
if auth and auth ~= "" then
  wrk.headers["Authorization"] = auth
end

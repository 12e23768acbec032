-- wrk script for scripts/loadtest-wrk.sh: posts the hook request with a
-- different pre-signed client JWT on every request (the service refuses a
-- replayed jti, so no token may be used twice), and prints latency
-- percentiles and the count of non-200 answers at the end.
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(os.getenv("WRK_THREADS") or "1")
  local f = assert(io.open(os.getenv("WRK_BODY"), "rb"))
  body = f:read("*a")
  f:close()
  tokens, n, next_token, exhausted, not_ok = {}, 0, 1, 0, 0
  local i = 0
  for line in io.lines(os.getenv("WRK_TOKENS")) do
    -- thread k takes every nthreads-th token, so threads never share one
    if i % nthreads == id - 1 then
      n = n + 1
      tokens[n] = line
    end
    i = i + 1
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  local tok = tokens[next_token]
  if tok == nil then
    exhausted = exhausted + 1
    tok = tokens[1]
  else
    next_token = next_token + 1
  end
  wrk.headers["Authorization"] = "Bearer " .. tok
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 200 then
    not_ok = not_ok + 1
  end
end

function done(summary, latency, requests)
  local bad, short = 0, 0
  for _, t in ipairs(threads) do
    bad = bad + t:get("not_ok")
    short = short + t:get("exhausted")
  end
  io.write(string.format("latency percentiles: p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("non-200 answers: %d; socket errors: connect %d read %d write %d timeout %d\n",
    bad, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
  if short > 0 then
    io.write(string.format("WARNING: %d requests reused a token (raise TOKENS): their 401s are expected\n", short))
  end
end

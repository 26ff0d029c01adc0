-- wrk script for bench/http.py: count the responses whose status is the expected one.
--   wrk ... -s bench/wrk/check.lua URL -- EXPECTED_STATUS
-- done() prints one line for bench/http.py to parse:
--   WRK requests=N duration_us=N p50_us=N p99_us=N ok=N bad=N errors=N first_bad=...

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  expected = tonumber(args[1] or "200")
  ok = 0
  bad = 0
  first_bad = ""
end

function response(status, headers, body)
  if status == expected then
    ok = ok + 1
  else
    bad = bad + 1
    if first_bad == "" then
      first_bad = status .. " " .. string.sub(body or "", 1, 300)
    end
  end
end

function done(summary, latency, requests)
  local total_ok, total_bad, sample = 0, 0, ""
  for _, thread in ipairs(threads) do
    total_ok = total_ok + thread:get("ok")
    total_bad = total_bad + thread:get("bad")
    if sample == "" then
      sample = thread:get("first_bad") or ""
    end
  end
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d duration_us=%d p50_us=%d p99_us=%d ok=%d bad=%d errors=%d first_bad=%s\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    total_ok, total_bad, e.connect + e.read + e.write + e.timeout,
    (string.gsub(sample, "[\r\n]", " "))))
end

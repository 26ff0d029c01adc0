-- wrk script for bench/http.py: save a new revision of one of several notebooks per request.
--   wrk ... -s bench/wrk/save.lua URL -- BODY_TEMPLATE_FILE RUN_NONCE NOTEBOOK_ID...
-- The template is the JSON body with the marker @@UNIQUE@@ where a per-request value
-- goes, so every save's content differs (the service stores nothing new for content
-- equal to the current revision). Requests go round-robin over the notebooks, each
-- thread starting at a different one. Authorization and Content-Type come from -H.
-- Expects 201 from each; done() prints the same line as check.lua.

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("thread_number", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "rb"))
  local template = file:read("*a")
  file:close()
  local at = assert(string.find(template, "@@UNIQUE@@", 1, true), "template has no marker")
  prefix = string.sub(template, 1, at - 1)
  suffix = string.sub(template, at + string.len("@@UNIQUE@@"))
  nonce = args[2]
  notebooks = {}
  for i = 3, #args do
    table.insert(notebooks, args[i])
  end
  counter = 0
  ok = 0
  bad = 0
  first_bad = ""
end

function request()
  counter = counter + 1
  local notebook = notebooks[(counter + thread_number) % #notebooks + 1]
  local unique = nonce .. "-" .. thread_number .. "-" .. counter
  return wrk.format("POST", "/api/notebooks/" .. notebook .. "/revisions", nil,
                    prefix .. unique .. suffix)
end

function response(status, headers, body)
  if status == 201 then
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

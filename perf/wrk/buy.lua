-- wrk script for perf/scripts/http-wrk.sh: every request is a new buyer of one unit, with a user
-- id and an Idempotency-Key of its own (run prefix, wrk thread number, counter). Counts answers
-- by status per thread; done() prints one summary line and writes the figures to a file for the
-- shell script's oversell check. With a fourth argument N, each thread cycles through its first N
-- buyers (replays of the same Idempotency-Keys, as perf/scripts/http-cpu.sh uses it).
--
--   WRK_RESULT_FILE=f wrk -s perf/wrk/buy.lua URL -- <saleId> <service token> <run prefix> [N]

local threads = {}
local next_thread = 0

function setup(thread)
  next_thread = next_thread + 1
  thread:set("tid", next_thread)
  table.insert(threads, thread)
end

function init(args)
  sale = args[1]
  token = args[2]
  prefix = args[3]
  wrap = tonumber(args[4] or "0")
  counter = 0
  counts = {}
  path = "/api/v1/sales/" .. sale .. "/orders"
  headers = {}
  headers["Content-Type"] = "application/json"
  headers["Authorization"] = "Bearer " .. token
end

function request()
  counter = counter + 1
  if wrap > 0 and counter > wrap then
    counter = 1
  end
  local buyer = prefix .. "-" .. tid .. "-" .. counter
  headers["Idempotency-Key"] = "k-" .. buyer
  return wrk.format("POST", path, headers, '{"userId":"u-' .. buyer .. '","quantity":1}')
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do
      total[status] = (total[status] or 0) + n
    end
  end
  local statuses = {}
  for status, _ in pairs(total) do
    table.insert(statuses, status)
  end
  table.sort(statuses)
  local answers = {}
  for _, status in ipairs(statuses) do
    table.insert(answers, status .. ":" .. total[status])
  end
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local line = string.format("requests=%d seconds=%.1f rps=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f"
      .. " answers={%s} socket_errors=%d",
      summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000,
      latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
      table.concat(answers, ", "), e.connect + e.read + e.write + e.timeout)
  local out = io.open(os.getenv("WRK_RESULT_FILE"), "w")
  out:write(line, "\n")
  out:write("created=", total[201] or 0, "\n")
  out:write("socket_errors=", e.connect + e.read + e.write + e.timeout, "\n")
  out:close()
end

-- wrk script of bench/wrk_load.py: each request GETs the next path of a file (one a line, the
-- file's name given after "--"), each wrk thread starting at its own place in the list; answers
-- outside 2xx are counted (wrk's own status counter only sees >= 400); done() prints the
-- figures as one JSON line after "WRKJSON ".
local threads = {}
local started = 0

function setup(thread)
  started = started + 1
  thread:set("offset", started)
  table.insert(threads, thread)
end

paths, count, at, non2xx = {}, 0, 0, 0

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then
      count = count + 1
      paths[count] = line
    end
  end
  at = ((offset or 1) - 1) * math.floor(count / 7) % count
end

function request()
  at = at % count + 1
  return wrk.format("GET", paths[at])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (tonumber(thread:get("non2xx")) or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status_4xx_5xx": %d, "timeout": %d, "non2xx": %d, "p50_us": %d, ' ..
    '"p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, bad, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end

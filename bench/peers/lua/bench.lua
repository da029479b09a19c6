-- Lua 5.4's side of rcgc's benchmark workloads (see docs/BENCHMARKS.md).
--
-- usage: lua5.4 bench.lua intlist N | cycles N LIVE | bintrees DEPTH | bytes N | rctraffic N
--
-- Prints "key value" lines for bench/bench.py. Containers are tables with two array slots.
-- Lua has no reference counts: everything is left to its incremental collector (default
-- parameters); collectgarbage("stop") while building, then one collectgarbage("collect").
-- Times are os.clock() (processor time, the only sub-second clock of stock Lua), which
-- equals wall time for these single-threaded loops. No pause workload: the incremental
-- collector interleaves small steps with the program instead of whole collections, and
-- stock Lua has no collection hooks or monotonic clock to time them with.

local function uss_bytes()
  local total = 0
  for line in io.lines("/proc/self/smaps_rollup") do
    local kb = line:match("^Private_Clean:%s+(%d+)") or line:match("^Private_Dirty:%s+(%d+)")
    if kb then total = total + tonumber(kb) * 1024 end
  end
  return total
end

local function mib(b) return b / (1024.0 * 1024.0) end
local function report(k, v) io.write(string.format("%s %.9g\n", k, v)) end
local now = os.clock

local function count(s)
  local num, suffix = s:match("^(%d+)([kKmM]?)$")
  local mult = ({k = 1000, K = 1000, m = 1000000, M = 1000000})[suffix] or 1
  return math.tointeger(tonumber(num) * mult)
end

local function intlist(n)
  collectgarbage("stop")
  local uss0 = uss_bytes()
  local t0 = now()
  local a = {}
  for i = 1, n do a[i] = i - 1 end
  local t1 = now()
  local uss1 = uss_bytes()
  local t2 = now()
  a = nil
  collectgarbage("restart")
  collectgarbage("collect")
  local t3 = now()
  local uss2 = uss_bytes()
  report("build_s", t1 - t0)
  report("drop_s", t3 - t2)
  report("uss_start_mb", mib(uss0))
  report("uss_built_mb", mib(uss1) - mib(uss0))
  report("uss_dropped_mb", mib(uss2) - mib(uss0))
end

local function build(n)
  local objs = {}
  for i = 1, n do objs[i] = {false, false} end
  for i = 0, n - 1 do
    local o = objs[i + 1]
    o[1] = objs[(i + 1) % n + 1]
    o[2] = objs[(i * 2654435761 + 12345) % n + 1]
  end
  return objs
end

local function cycles(n, live)
  collectgarbage("stop")
  local kept = live and build(n) or nil
  local garbage = build(n)
  garbage = nil
  collectgarbage("restart")
  local t0 = now()
  collectgarbage("collect")
  local t1 = now()
  report("collect_s", t1 - t0)
  report("freed", n)
  report("ns_per_obj", (t1 - t0) * 1e9 / n)
  if kept and kept[1] == nil then os.exit(1) end
end

local function make_tree(d)
  if d > 0 then return {make_tree(d - 1), make_tree(d - 1)} end
  return {false, false}
end

local function check_tree(t)
  if not t[1] then return 1 end
  return 1 + check_tree(t[1]) + check_tree(t[2])
end

local function bintrees(max_depth)
  local min_depth = 4
  if max_depth < min_depth + 2 then max_depth = min_depth + 2 end
  local t0 = now()
  local total = check_tree(make_tree(max_depth + 1))
  local long_lived = make_tree(max_depth)
  for d = min_depth, max_depth, 2 do
    local iterations = 1 << (max_depth - d + min_depth)
    for _ = 1, iterations do total = total + check_tree(make_tree(d)) end
  end
  total = total + check_tree(long_lived)
  report("check", total)
  report("time_s", now() - t0)
end

local function bytes_per(n)
  collectgarbage("stop")
  local objs = {}
  for i = 1, n do objs[i] = false end
  local xs, ys, made = {}, {}, 0
  for s = 0, 4 do
    local target = (s == 4) and n or (n // 4) * s
    for i = made + 1, target do objs[i] = {false, false} end
    made = target
    xs[#xs + 1] = made
    ys[#ys + 1] = uss_bytes()
  end
  local mx, my = 0, 0
  for s = 1, 5 do mx = mx + xs[s] / 5; my = my + ys[s] / 5 end
  local sxy, sxx = 0, 0
  for s = 1, 5 do
    sxy = sxy + (xs[s] - mx) * (ys[s] - my)
    sxx = sxx + (xs[s] - mx) ^ 2
  end
  report("bytes_per_obj", sxy / sxx)
  report("uss_total_mb", mib(ys[5] - ys[1]))
end

local function rctraffic(n)
  local pool, slots = {}, {}
  for i = 1, 64 do pool[i] = {false, false} end
  for i = 0, 1023 do slots[i + 1] = pool[(i & 63) + 1] end
  local t0 = now()
  for i = 0, n - 1 do slots[(i & 1023) + 1] = pool[((i * 7) & 63) + 1] end
  local t1 = now()
  local n_alloc = math.max(n // 10, 1)
  local anchor = pool[1]
  local t2 = now()
  for _ = 1, n_alloc do
    local x = {false, false}
    x[1] = anchor
  end
  local t3 = now()
  report("store_ns", (t1 - t0) * 1e9 / n)
  report("alloc_ns", (t3 - t2) * 1e9 / n_alloc)
end

local w = arg[1]
if w == "intlist" then intlist(count(arg[2]))
elseif w == "cycles" then cycles(count(arg[2]), arg[3] == "1")
elseif w == "bintrees" then bintrees(tonumber(arg[2]))
elseif w == "bytes" then bytes_per(count(arg[2]))
elseif w == "rctraffic" then rctraffic(count(arg[2]))
else
  io.stderr:write("usage: lua5.4 bench.lua intlist|cycles|bintrees|bytes|rctraffic ...\n")
  os.exit(2)
end

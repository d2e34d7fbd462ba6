-- wrk script: every page of one filtered list in turn, so a page is asked again only after all
-- the others (the rendered-page cache cannot serve them all: this measures reading and
-- rendering, and OFFSET's walk to deep pages). Env: BASE (path prefix), ROUND, TOKEN, PAGES.
local base, round, token = os.getenv("BASE"), os.getenv("ROUND"), os.getenv("TOKEN")
local pages = tonumber(os.getenv("PAGES"))
local n = 0
request = function()
  n = n % pages + 1
  local path = base .. "/plans?round=" .. round .. "&status=submitted&page_size=50&page=" .. n
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end

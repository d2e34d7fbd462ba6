-- wrk script: the team's work list searched with a new text on every request, so no two
-- requests share a cache key (the caches' bound in bytes is what is measured: peak memory).
-- Env: PATHS ("page" or "api"), ROUND, SESSION (cookie), TOKEN (bearer).
local kind, round = os.getenv("PATHS"), os.getenv("ROUND")
local session, token = os.getenv("SESSION"), os.getenv("TOKEN")
local n = 0
local thread_id = 0
setup = function(thread)
  thread_id = thread_id + 1
  thread:set("id", thread_id)
end
request = function()
  n = n + 1
  local text = "zoekterm-" .. tostring(id) .. "-" .. n
  if kind == "api" then
    return wrk.format("GET", "/api/v1/plans?round=" .. round .. "&q=" .. text .. "&page_size=50",
      { ["Authorization"] = "Bearer " .. token })
  end
  return wrk.format("GET", "/beoordelen?ronde=" .. round .. "&tekst=" .. text,
    { ["Cookie"] = "planloket_sessie=" .. session })
end

-- wrk script: survey figures over random periods and slices, or the irritants of a period.
-- Env: PACTE_TOKEN, PACTE_SURVEY, PACTE_MODE (figures | irritants).
local mode = os.getenv("PACTE_MODE") or "figures"
local dims = {"", "site", "channel", "team", "category"}
local months = {"2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"}
function request()
  local headers = {["Authorization"] = "Bearer " .. os.getenv("PACTE_TOKEN")}
  local a = math.random(1, #months)
  local b = math.random(a, #months)
  local period = "from=" .. months[a] .. "&to=" .. months[b]
  if mode == "irritants" then
    return wrk.format("GET", "/api/v1/verbatims/irritants?" .. period, headers)
  end
  local path = "/api/v1/surveys/" .. os.getenv("PACTE_SURVEY") .. "/figures?" .. period
  local d = dims[math.random(1, #dims)]
  if d ~= "" then path = path .. "&by=" .. d end
  return wrk.format("GET", path, headers)
end

-- wrk script: the customer 360 and the case list with random filters and deep pages.
-- Env: PACTE_TOKEN, PACTE_CUSTOMERS (highest customer id), PACTE_MODE (360 | cases | inbox-counts).
local customers = tonumber(os.getenv("PACTE_CUSTOMERS") or "1000")
local mode = os.getenv("PACTE_MODE") or "360"
local statuses = {"", "open", "pending", "solved", "closed"}
local t_lo, t_hi = 1735689600000, 1767225600000
function request()
  local headers = {["Authorization"] = "Bearer " .. os.getenv("PACTE_TOKEN")}
  if mode == "360" then
    return wrk.format("GET", "/api/v1/customers/" .. math.random(1, customers), headers)
  end
  local path = "/api/v1/cases?limit=50"
  local s = statuses[math.random(1, #statuses)]
  if s ~= "" then path = path .. "&status=" .. s end
  if math.random() < 0.3 then path = path .. "&customer=" .. math.random(1, customers) end
  if math.random() < 0.7 then
    path = path .. "&cursor=" .. math.random(t_lo, t_hi) .. ".999999999"
  end
  return wrk.format("GET", path, headers)
end

-- wrk script: GET /api/v1/search with the queries of QUERIES (one per line), in turn, kind
-- cases or customers or both. Env: PACTE_TOKEN, QUERIES.
local queries = {}
for line in io.lines(os.getenv("QUERIES")) do
  queries[#queries + 1] = line:gsub("([^%w])", function(c) return string.format("%%%02X", string.byte(c)) end)
end
local kinds = {"", "&kind=case", "&kind=customer"}
local i = 0
function request()
  i = i + 1
  local q = queries[(i % #queries) + 1]
  local path = "/api/v1/search?q=" .. q .. kinds[(i % 3) + 1]
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. os.getenv("PACTE_TOKEN")})
end

-- wrk script: POST /api/v1/bot/answer with the questions of QUESTIONS (one JSON body per
-- line), in turn. Env: PACTE_TOKEN, QUESTIONS.
local bodies = {}
for line in io.lines(os.getenv("QUESTIONS")) do
  bodies[#bodies + 1] = line
end
local i = 0
function request()
  i = i + 1
  return wrk.format("POST", "/api/v1/bot/answer", {
    ["Authorization"] = "Bearer " .. os.getenv("PACTE_TOKEN"),
    ["Content-Type"] = "application/json",
  }, bodies[(i % #bodies) + 1])
end

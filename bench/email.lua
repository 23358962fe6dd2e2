-- wrk script: POST /api/v1/inbound/email with a ~20 KB message, a new Message-ID each time and
-- 5,000 different senders (most write again: their earlier case is found).
local template = io.open(os.getenv("BENCH_MESSAGE")):read("a")
local counter = 0
local thread_id = 0
function setup(thread)
  thread:set("tid", thread_id)
  thread_id = thread_id + 1
end
function request()
  counter = counter + 1
  local id = string.format("w%d-%d@bench.example", tid, counter)
  local from = string.format("client%d@exemple.fr", (counter * 7919 + tid * 104729) % 5000)
  local body = template:gsub("@ID@", id):gsub("@FROM@", from)
  return wrk.format("POST", "/api/v1/inbound/email", {["Content-Type"] = "message/rfc822", ["Authorization"] = "Bearer " .. os.getenv("PACTE_TOKEN")}, body)
end

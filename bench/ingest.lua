-- wrk script: POST /api/v1/interactions with varied customers (one in 20 returns on the same need).
local counter = 0
local thread_id = 0
function setup(thread)
  thread:set("tid", thread_id)
  thread_id = thread_id + 1
end
function request()
  counter = counter + 1
  local c = (counter * 7919 + tid * 104729) % 200000
  local body = string.format(
    '{"channel":"email","direction":"inbound","customer":{"email":"client%d@exemple.fr","name":"Client %d"},"subject":"Demande %d","body":"Bonjour, ma demande numero %d concerne ma facture du mois dernier."}',
    c, c, c % 50, counter)
  return wrk.format("POST", "/api/v1/interactions", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("PACTE_TOKEN")}, body)
end

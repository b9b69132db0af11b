-- Attribution (docs/methodology.md section 3), driven by the template's "attribution" parameters.
--
--   1. trigger:   the trigger line's rendering NPI + TIN, if it is a candidate
--                 (a Preferred Provider with an arrangement for this template, active on
--                 the trigger date, with an ACO the beneficiary is aligned to then, in
--                 that ACO's network that day);
--   2. plurality: else the candidate with the most lines in the plurality code list
--                 during the first plurality_days days of the window (day 0 through day
--                 plurality_days - 1); ties go to the larger allowed amount, then the
--                 earlier first service, then the lower NPI (then the lower TIN);
--   3. else unattributed. (Leakage, the episode's spending outside the ACO's network
--      on each service date, is cara's, not the rule's: docs/methodology.md section 3.)

local compiled = {} -- code list name -> compiled set (pure cache: same result every call)

local function codes(params, name)
  local set = compiled[name]
  if not set then
    local list = params.code_lists[name]
    if list == nil then error("template has no code list '" .. tostring(name) .. "'") end
    set = cara.codes(list)
    compiled[name] = set
  end
  return set
end

local function key(npi, tin) return npi .. "/" .. tin end

-- true when provider a beats provider b under the plurality rule
local function better(a, b)
  if a.lines ~= b.lines then return a.lines > b.lines end
  if a.allowed ~= b.allowed then return a.allowed > b.allowed end
  if a.first ~= b.first then return a.first < b.first end
  if a.npi ~= b.npi then return a.npi < b.npi end
  return a.tin < b.tin
end

function attribute(episode, claims, beneficiary, candidates, params)
  local eligible = {}
  for _, c in ipairs(candidates) do
    local k = key(c.npi, c.tin)
    if eligible[k] == nil then eligible[k] = c end
  end

  -- 1. trigger
  local t = claims[episode.trigger_line]
  if t.rendering_npi ~= "" then
    local c = eligible[key(t.rendering_npi, t.rendering_tin)]
    if c then return { arrangement_id = c.arrangement_id, method = "trigger" } end
  end

  -- 2. plurality
  local a = params.attribution
  local set = codes(params, a.plurality_codes)
  local first_day, last_day = episode.trigger_date, episode.trigger_date + a.plurality_days - 1
  if last_day > episode.end_date then last_day = episode.end_date end
  local tally, order = {}, {}
  for i = cara.first_index(claims, first_day), #claims do
    local l = claims[i]
    local d = l.service_date
    if d > last_day then break end -- claims are in date order
    if d >= first_day and l.rendering_npi ~= "" and set:match(l.hcpcs_code) then
      local k = key(l.rendering_npi, l.rendering_tin)
      local p = tally[k]
      if p == nil then
        p = { npi = l.rendering_npi, tin = l.rendering_tin, lines = 0, allowed = 0,
              paid = 0, first = d }
        tally[k] = p
        order[#order + 1] = p
      end
      p.lines = p.lines + 1
      p.allowed = p.allowed + l.allowed_cents
      p.paid = p.paid + l.paid_cents
    end
  end
  local best
  for _, p in ipairs(order) do
    if eligible[key(p.npi, p.tin)] and (best == nil or better(p, best)) then best = p end
  end
  if best then
    return { arrangement_id = eligible[key(best.npi, best.tin)].arrangement_id,
             method = "plurality" }
  end

  -- 3. unattributed (cara reports the episode's spending outside the ACO's network as
  --    leakage, attributed or not)
  return { method = "unattributed" }
end

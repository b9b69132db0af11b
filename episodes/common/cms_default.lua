-- cms_default: the CMS Default method (docs/methodology.md sections 3-4), the vetted Lua
-- library every shipped template calls. cara loads this file into each rule sandbox
-- before the templates' own rule files and gives it to them as the read-only global table
-- `cms_default` (docs/rules.md, "The method library"). A template's attribution.lua and
-- savings.lua name the functions they use and write only what differs.
--
-- Every amount is integer cents or basis points; every multiplication rounds half away
-- from zero to a whole cent (cara.apply_factor, cara.apply_bps, cara.mul_div), in the
-- order the reference methodology gives. The functions are pure; the caches below only
-- remember cara.codes results and the map of a read-only candidates list (the same
-- answer on every call).

local M = {}

-- ---- helpers ------------------------------------------------------------------------

-- The compiled code set of a list (a table of codes and ranges), cached per list.
local compiled = {}
local function codes(list)
  local set = compiled[list]
  if not set then set = cara.codes(list); compiled[list] = set end
  return set
end

-- The compiled code set of the template's code list `name` (params.code_lists[name]).
local function code_list(params, name)
  local list = params.code_lists[name]
  if list == nil then error("template has no code list '" .. tostring(name) .. "'") end
  return codes(list)
end

-- A negotiated term of the arrangement, else the template's default.
function M.term(arrangement, params, name)
  if arrangement and arrangement[name] ~= nil then return arrangement[name] end
  return params.arrangement[name]
end
local term = M.term

-- The age factor of the template's age bands (pricing.age_factors) at `age`.
function M.age_factor(pricing, age)
  local f = 10000
  for _, band in ipairs(pricing.age_factors) do
    if age >= band.min_age then f = band.factor end
  end
  return f
end

-- Whether the beneficiary is dual-eligible on `day` (the enrollment span covering it).
function M.is_dual(beneficiary, day)
  for _, span in ipairs(beneficiary.enrollment) do
    if span.start_date <= day and (span.end_date == nil or day <= span.end_date) then
      local c = span.dual_status_code
      return c ~= "" and c ~= "00"
    end
  end
  return false
end

-- ---- attribution (docs/methodology.md section 3) -------------------------------------

local function key(npi, tin) return npi .. "/" .. tin end

-- The candidates by TIN-NPI (the first of each). cara hands the same read-only list to
-- every episode with the same candidates, so the map of such a list is made once and
-- kept (weakly: it goes with the list); a list a rule built itself (a plain table, which
-- may change) is mapped afresh on every call.
local eligible_of = setmetatable({}, { __mode = "k" })
local function eligible_map(candidates)
  local shared = getmetatable(candidates) == "read-only"
  local eligible = shared and eligible_of[candidates]
  if eligible then return eligible end
  eligible = {}
  for _, c in ipairs(candidates) do
    local k = key(c.npi, c.tin)
    if eligible[k] == nil then eligible[k] = c end
  end
  if shared then eligible_of[candidates] = eligible end
  return eligible
end

-- true when provider a beats provider b under the plurality rule
local function better(a, b)
  if a.lines ~= b.lines then return a.lines > b.lines end
  if a.allowed ~= b.allowed then return a.allowed > b.allowed end
  if a.first ~= b.first then return a.first < b.first end
  if a.npi ~= b.npi then return a.npi < b.npi end
  return a.tin < b.tin
end

-- Trigger only (a procedural episode, the MIPS precedent): the clinician who rendered
-- the trigger service, when that TIN-NPI is a candidate; else unattributed.
function M.attribute_trigger(episode, claims, beneficiary, candidates, params)
  local t = claims[episode.trigger_line]
  local npi, tin = t.rendering_npi, t.rendering_tin
  local c = eligible_map(candidates)[key(npi, tin)]
  if c == nil then return { method = "unattributed" } end -- no candidate has that key
  if c.npi ~= npi or c.tin ~= tin then -- another TIN-NPI with the same key: look further
    c = nil
    for _, x in ipairs(candidates) do
      if x.npi == npi and x.tin == tin then c = x; break end
    end
    if c == nil then return { method = "unattributed" } end
  end
  return { arrangement_id = c.arrangement_id, method = "trigger" }
end

-- Trigger, then plurality, driven by the template's "attribution" parameters:
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
function M.attribute(episode, claims, beneficiary, candidates, params)
  local eligible = eligible_map(candidates)

  -- 1. trigger
  local t = claims[episode.trigger_line]
  if t.rendering_npi ~= "" then
    local c = eligible[key(t.rendering_npi, t.rendering_tin)]
    if c then return { arrangement_id = c.arrangement_id, method = "trigger" } end
  end

  -- 2. plurality
  local a = params.attribution
  local set = code_list(params, a.plurality_codes)
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

-- ---- pricing and reconciliation (docs/methodology.md section 4) ----------------------

-- Target price of one episode: base, trend, risk, discount. The risk step is the age,
-- HCC-count and dual factors (pricing.risk_method "hcc_count", the default), or the
-- CMS-HCC V28 risk score the host computed (episode.risk_score, x 10,000; "cms_hcc_v28"),
-- which then stands for all three (each reported as 1.0000).
function M.target(episode, beneficiary, arrangement, params)
  local p = params.pricing
  local base = params.triggers[episode.trigger_type].base_cents
  local years = cara.year(episode.trigger_date) - p.base_year
  if years < 0 then years = 0 end
  local trend = 10000 + p.trend_bps
  local amount = base
  for _ = 1, years do amount = cara.apply_factor(amount, trend) end
  local age_f, hcc_f, dual_f = 10000, 10000, 10000
  if p.risk_method == "cms_hcc_v28" then
    if episode.risk_score == nil then error("pricing.risk_method cms_hcc_v28: the episode has no risk_score") end
    amount = cara.apply_factor(amount, episode.risk_score)
  else
    age_f = M.age_factor(p, cara.age(beneficiary.birth_date, episode.trigger_date))
    amount = cara.apply_factor(amount, age_f)
    local n = #p.hcc_factors
    hcc_f = p.hcc_factors[math.min(episode.hcc_count, n - 1) + 1]
    amount = cara.apply_factor(amount, hcc_f)
    dual_f = M.is_dual(beneficiary, episode.trigger_date) and p.dual_factor or p.non_dual_factor
    amount = cara.apply_factor(amount, dual_f)
  end
  local discount = arrangement and term(arrangement, params, "discount_bps") or 0
  amount = cara.apply_factor(amount, 10000 - discount)
  return { base_cents = base, trend_factor = trend, trend_years = years, age_factor = age_f,
           hcc_factor = hcc_f, dual_factor = dual_f, discount_bps = discount,
           target_cents = amount }
end

-- The template's quality measure for one episode (params.quality.measure).
function M.quality(episode, claims, beneficiary, params)
  local q = params.quality
  if q.measure == "codes_within_days" then
    local set, last = codes(q.codes), episode.trigger_date + q.days
    for i = cara.first_index(claims, episode.trigger_date), #claims do
      local l = claims[i]
      if l.service_date > last then break end
      if l.service_date >= episode.trigger_date and set:match(l.hcpcs_code) then return true end
    end
    return false
  elseif q.measure == "no_admission_in_window" then
    local set, first = codes(q.bill_types), episode.trigger_date + (q.from_day or 0)
    for i = cara.first_index(claims, first), #claims do
      local l = claims[i]
      if l.service_date > episode.end_date then break end
      if l.service_date >= first and l.claim_type == "institutional"
         and set:match(l.bill_type_code) then
        return false
      end
    end
    return true
  end
  error("unknown quality measure '" .. tostring(q.measure) .. "'")
end

-- Winsorization cap of one template and trigger type: the p-th percentile by nearest
-- rank, cap = sorted[ceil(p/100 * n) - 1] (0-based), i.e. actuals[rank] here.
function M.winsorize(actuals, params)
  local rank = cara.nearest_rank(#actuals, params.pricing.winsorize_percentile_bps)
  return actuals[rank]
end

-- Reconciliation of one arrangement for one performance year.
function M.reconcile(arrangement, episodes, params)
  local n, T, A, actual, met = #episodes, 0, 0, 0, 0
  for _, e in ipairs(episodes) do
    T = T + e.target_cents
    A = A + e.actual_winsorized_cents
    actual = actual + e.actual_cents
    if e.quality_met then met = met + 1 end
  end
  local status = "final"
  for _, e in ipairs(episodes) do
    if e.status == "interim" then status = "interim" end
  end
  local r = { episodes = n, target_cents = T, actual_cents = actual,
              actual_winsorized_cents = A, payment_cents = 0, status = status }
  if n < term(arrangement, params, "min_episodes") then
    r.status = "insufficient_volume"
    return r
  end
  local gross = T - A
  local q = cara.round_div(10000 * met, n)
  local qa = params.quality
  local qadj = gross
  if gross > 0 then
    qadj = gross - cara.mul_div(gross, qa.qa_savings_bps * (10000 - q), 100000000)
  elseif gross < 0 then
    qadj = gross - cara.mul_div(gross, qa.qa_loss_bps * q, 100000000)
  end
  local cap = params.arrangement.track_share_caps[arrangement.track] or 10000
  local share
  if qadj >= 0 then share = term(arrangement, params, "savings_share_bps")
  else share = term(arrangement, params, "loss_share_bps") end
  if share > cap then share = cap end
  local pay = cara.apply_bps(qadj, share)
  local gain_cap = cara.apply_bps(T, term(arrangement, params, "stop_gain_bps"))
  local loss_cap = cara.apply_bps(T, term(arrangement, params, "stop_loss_bps"))
  local capped = nil
  if pay > gain_cap then pay, capped = gain_cap, "stop_gain"
  elseif pay < -loss_cap then pay, capped = -loss_cap, "stop_loss" end
  r.gross_cents, r.quality_bps, r.quality_adjusted_cents = gross, q, qadj
  r.share_bps, r.payment_cents, r.cap_applied = share, pay, capped
  return r
end

return M

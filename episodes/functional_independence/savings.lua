-- Pricing and reconciliation (docs/methodology.md section 4), in integer cents and basis points.
-- Every multiplication rounds half away from zero to a whole cent (cara.apply_factor,
-- cara.apply_bps, cara.mul_div), in the order the reference methodology gives.

local function age_factor(pricing, age)
  local f = 10000
  for _, band in ipairs(pricing.age_factors) do
    if age >= band.min_age then f = band.factor end
  end
  return f
end

local function is_dual(beneficiary, day)
  for _, span in ipairs(beneficiary.enrollment) do
    if span.start_date <= day and (span.end_date == nil or day <= span.end_date) then
      local c = span.dual_status_code
      return c ~= "" and c ~= "00"
    end
  end
  return false
end

-- A negotiated term of the arrangement, else the template's default.
local function term(arrangement, params, name)
  if arrangement and arrangement[name] ~= nil then return arrangement[name] end
  return params.arrangement[name]
end

-- Target price of one episode: base, trend, risk, discount. The risk step is the age,
-- HCC-count and dual factors (pricing.risk_method "hcc_count", the default), or the
-- CMS-HCC V28 risk score the host computed (episode.risk_score, x 10,000; "cms_hcc_v28"),
-- which then stands for all three (each reported as 1.0000).
function target(episode, beneficiary, arrangement, params)
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
    age_f = age_factor(p, cara.age(beneficiary.birth_date, episode.trigger_date))
    amount = cara.apply_factor(amount, age_f)
    local n = #p.hcc_factors
    hcc_f = p.hcc_factors[math.min(episode.hcc_count, n - 1) + 1]
    amount = cara.apply_factor(amount, hcc_f)
    dual_f = is_dual(beneficiary, episode.trigger_date) and p.dual_factor or p.non_dual_factor
    amount = cara.apply_factor(amount, dual_f)
  end
  local discount = arrangement and term(arrangement, params, "discount_bps") or 0
  amount = cara.apply_factor(amount, 10000 - discount)
  return { base_cents = base, trend_factor = trend, trend_years = years, age_factor = age_f,
           hcc_factor = hcc_f, dual_factor = dual_f, discount_bps = discount,
           target_cents = amount }
end

local compiled = {}
local function codes(list)
  local set = compiled[list]
  if not set then set = cara.codes(list); compiled[list] = set end
  return set
end

-- The template's quality measure for one episode.
function quality(episode, claims, beneficiary, params)
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
function winsorize(actuals, params)
  local rank = cara.nearest_rank(#actuals, params.pricing.winsorize_percentile_bps)
  return actuals[rank]
end

-- Reconciliation of one arrangement for one performance year.
function reconcile(arrangement, episodes, params)
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

-- Prospective falls risk (docs/monthly.md "The risk score", docs/rules.md "The risk rule").
-- cara calls score(beneficiary, claims, context) once per aligned beneficiary who is not
-- in an open falls prevention episode, with the claim lines of the look-back window
-- (template.json risk.lookback_days, ending on the as-of date). It returns an integer
-- score and the reasons for it ("code:detail"). Every weight is an integer.
--
--   prior_fall      a fall external-cause code (FALL_EXTERNAL_CAUSE) or a fall-risk
--                   diagnosis (FALL_RISK_DX), the latest one            25
--   injury          a fall injury diagnosis (FALL_INJURY_DX)             15
--   fracture        a fracture diagnosis (RISK_FRACTURE_DX)              15
--   age             75-84: 10; 85 and over: 20
--   hcc             5 per CMS-HCC of the look-back, at most 20
--   dme_walker      a walker (RISK_WALKER_HCPCS)                         15
--   dme_wheelchair  a wheelchair (RISK_WHEELCHAIR_HCPCS)                 15
--   dme_other       a cane, commode or hospital bed (RISK_DME_OTHER_HCPCS) 5
--   inpatient_stay  an inpatient stay (bill type 11x), the latest        10

local W = {prior_fall = 25, injury = 15, fracture = 15, age_75 = 10, age_85 = 20,
           hcc_each = 5, hcc_max = 20, dme_walker = 15, dme_wheelchair = 15, dme_other = 5,
           inpatient_stay = 10}

local compiled = {}
local function set_of(params, name)
  local list = params.code_lists[name]
  if list == nil then error("template has no code list '" .. name .. "'") end
  local s = compiled[list] -- per list: an ACO's overlay may change a list
  if not s then s = cara.codes(list); compiled[list] = s end
  return s
end

function score(beneficiary, claims, context)
  local p = context.params
  local fall_ext, fall_risk = set_of(p, "FALL_EXTERNAL_CAUSE"), set_of(p, "FALL_RISK_DX")
  local injury, fracture = set_of(p, "FALL_INJURY_DX"), set_of(p, "RISK_FRACTURE_DX")
  local walker, chair = set_of(p, "RISK_WALKER_HCPCS"), set_of(p, "RISK_WHEELCHAIR_HCPCS")
  local dme_other = set_of(p, "RISK_DME_OTHER_HCPCS")
  -- the latest evidence of each factor: claims come in service date order
  local found = {}
  for i = 1, #claims do
    local c = claims[i]
    local day = cara.date_str(c.service_date)
    local dx = c.diagnosis_codes
    for k = 1, #dx do
      local code = dx[k]
      if fall_ext:match(code) or fall_risk:match(code) then found.prior_fall = code .. " on " .. day end
      if injury:match(code) then found.injury = code .. " on " .. day end
      if fracture:match(code) then found.fracture = code .. " on " .. day end
    end
    local h = c.hcpcs_code
    if h ~= "" then
      if walker:match(h) then found.dme_walker = h .. " on " .. day end
      if chair:match(h) then found.dme_wheelchair = h .. " on " .. day end
      if dme_other:match(h) then found.dme_other = h .. " on " .. day end
    end
    if c.claim_type == "institutional" and c.bill_type_code:sub(1, 2) == "11" then
      found.inpatient_stay = cara.date_str(c.claim_start_date)
    end
  end
  local total, reasons = 0, {}
  local function add(code, weight, detail)
    total = total + weight
    reasons[#reasons + 1] = code .. ":" .. detail
  end
  for _, code in ipairs({"prior_fall", "injury", "fracture"}) do
    if found[code] then add(code, W[code], found[code]) end
  end
  local age = context.age
  if age >= 85 then add("age", W.age_85, "85+")
  elseif age >= 75 then add("age", W.age_75, "75-84") end
  local hccs = context.hccs
  if #hccs > 0 then
    local list = {}
    for k = 1, #hccs do list[k] = "HCC " .. hccs[k] end
    add("hcc", math.min(W.hcc_each * #hccs, W.hcc_max), table.concat(list, ", "))
  end
  for _, code in ipairs({"dme_walker", "dme_wheelchair", "dme_other", "inpatient_stay"}) do
    if found[code] then add(code, W[code], found[code]) end
  end
  return {score = total, reasons = reasons}
end

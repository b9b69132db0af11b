-- Attribution of a procedural episode (the MIPS precedent, docs/methodology.md section 3): the clinician
-- who rendered the trigger service, when that TIN-NPI has an arrangement for this
-- template active on the trigger date with an ACO the beneficiary is aligned to. Else
-- the episode is unattributed and the clinician who rendered the trigger is leakage.

function attribute(episode, claims, beneficiary, candidates, params)
  local t = claims[episode.trigger_line]
  for _, c in ipairs(candidates) do
    if c.npi == t.rendering_npi and c.tin == t.rendering_tin then
      return { arrangement_id = c.arrangement_id, method = "trigger" }
    end
  end
  local leakage = {}
  if t.rendering_npi ~= "" then
    leakage[1] = { npi = t.rendering_npi, tin = t.rendering_tin, lines = 1,
                   paid_cents = t.paid_cents }
  end
  return { method = "unattributed", leakage = leakage }
end

-- Attribution of a procedural episode (the MIPS precedent, docs/methodology.md section 3): the clinician
-- who rendered the trigger service, when that TIN-NPI has an arrangement for this
-- template active on the trigger date with an ACO the beneficiary is aligned to (and in
-- its network then). Else the episode is unattributed.

function attribute(episode, claims, beneficiary, candidates, params)
  local t = claims[episode.trigger_line]
  for _, c in ipairs(candidates) do
    if c.npi == t.rendering_npi and c.tin == t.rendering_tin then
      return { arrangement_id = c.arrangement_id, method = "trigger" }
    end
  end
  return { method = "unattributed" }
end

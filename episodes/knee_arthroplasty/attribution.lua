-- Attribution of a procedural episode (the MIPS precedent, docs/methodology.md section 3),
-- from the method library (episodes/common/cms_default.lua): the clinician who rendered
-- the trigger service, when that TIN-NPI has an arrangement for this template active on
-- the trigger date with an ACO the beneficiary is aligned to (and in its network then).
-- Else the episode is unattributed.

attribute = cms_default.attribute_trigger

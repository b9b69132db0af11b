-- Attribution (docs/methodology.md section 3): the CMS Default method of the method
-- library (episodes/common/cms_default.lua), driven by the template's "attribution"
-- parameters: the trigger line's rendering NPI + TIN if it is a candidate, else the
-- candidate with the most lines in the plurality code list during the first
-- plurality_days days (ties: larger allowed amount, earlier first service, lower NPI,
-- lower TIN), else unattributed.

attribute = cms_default.attribute

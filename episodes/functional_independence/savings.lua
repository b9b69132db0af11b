-- Pricing and reconciliation (docs/methodology.md section 4): the CMS Default method of
-- the method library (episodes/common/cms_default.lua, docs/rules.md "The method
-- library"), unchanged. To change a step, replace its line by your own function, e.g.
--
--   function winsorize(actuals, params)
--     return cms_default.winsorize(actuals, params) -- then adjust the cap
--   end

target = cms_default.target       -- base, trend, risk (HCC count or CMS-HCC V28), discount
quality = cms_default.quality     -- the template's quality measure (params.quality)
winsorize = cms_default.winsorize -- nearest-rank percentile cap per trigger type
reconcile = cms_default.reconcile -- gross savings, quality adjustment, share, stop-gain/loss

"""Physics metrics of the muon trigger task: resolution, turn-on fits, rates, fake rate, ROC.

A trigger fires when the predicted transverse momentum passes a threshold (or, for the
classical coincidence-window trigger of :mod:`core.trigger`, when its roads fire). Its figures
of merit, as in ATLAS Level-0 muon trigger papers:

* **pT resolution** (:mod:`.resolution`) — the width of (pT_pred − pT_true) / pT_true, overall
  and per bin of true pT (standard deviation, and the robust half-width of the 16–84 %
  interval, which a few wild predictions cannot inflate); next to it the strip fit's, the
  resolution the strip granularity allows (``resolution_limit``).
* **Turn-on curve** (:mod:`.turnon`, :mod:`.turnon_fit`) — the fraction of muons that fire,
  against true pT, with Clopper–Pearson (exact binomial) intervals; fitted with an error
  function with a plateau (pT50, width, plateau, pT90 = pT50 + 1.2816 σ, with errors).
* **Rates** (:mod:`.rates`) — events reweighted from the flat generation spectrum to a falling
  dN/dpT; the figure of merit is the rate relative to the classical trigger at equal
  efficiency above threshold.
* **Fake rate** (:mod:`.coincidence`) — the fraction of noise-only events (no muon) that fire.
* **Coincidence.** As in the ATLAS barrel Level-0 trigger, the network only looks at events that
  pass a majority coincidence of the RPC layers (by default at least 3 of the 4 layers of the two
  inner doublets, RPC1 and RPC2). The trigger fires when the coincidence passes *and* the
  predicted pT passes the threshold; turn-on curves, rates and fake rates all include it. Noise
  alone rarely passes it (strip noise 0.1 % gives ~0.1 % of noise-only events), whereas a network
  asked for the q/pT of an empty event predicts q/pT ≈ 0, i.e. pT ≈ 1000 GeV, and would fire on
  all of them. The network-only fake rate is reported next to it.
* **ROC / AUC** for classification data sets (:mod:`.roc`).

:mod:`.orchestrate` computes them all (:func:`trigger_metrics`), :mod:`.variants` for a
workspace variant. NumPy and SciPy only; the model is run through :func:`core.metrics.predict`.
"""

from core.metrics.physics.coincidence import (
    DEFAULT_COINCIDENCE,
    Coincidence,
    dataset_layer_stations,
    fake_rate,
)
from core.metrics.physics.common import (
    DEFAULT_PT_BINS,
    DEFAULT_THRESHOLDS,
    ONE_SIGMA,
    pt_from_q_over_pt,
)
from core.metrics.physics.orchestrate import (
    resolution_limit,
    scalar_metrics,
    trigger_metrics,
    trigger_metrics_from_outputs,
)
from core.metrics.physics.rates import (
    ATLAS_2011_MUON_XSEC,
    MUON_SPECTRUM,
    PowerLawSpectrum,
    efficiency_above,
    fit_spectrum,
    rate_at_equal_efficiency,
    rate_ratio,
    spectrum_weights,
    trigger_rate,
)
from core.metrics.physics.resolution import RESIDUAL_BINS, RESIDUAL_RANGE, pt_resolution
from core.metrics.physics.roc import classification_roc, roc_auc
from core.metrics.physics.turnon import TurnOnCurve, clopper_pearson, turn_on_curve
from core.metrics.physics.turnon_fit import fit_turn_on
from core.metrics.physics.variants import (
    reference_for_dataset,
    variant_trigger_metrics,
    workspace_dataset_params,
)

__all__ = [
    "ATLAS_2011_MUON_XSEC",
    "DEFAULT_COINCIDENCE",
    "DEFAULT_PT_BINS",
    "DEFAULT_THRESHOLDS",
    "MUON_SPECTRUM",
    "ONE_SIGMA",
    "RESIDUAL_BINS",
    "RESIDUAL_RANGE",
    "Coincidence",
    "PowerLawSpectrum",
    "TurnOnCurve",
    "classification_roc",
    "clopper_pearson",
    "dataset_layer_stations",
    "efficiency_above",
    "fake_rate",
    "fit_spectrum",
    "fit_turn_on",
    "pt_from_q_over_pt",
    "pt_resolution",
    "rate_at_equal_efficiency",
    "rate_ratio",
    "reference_for_dataset",
    "resolution_limit",
    "roc_auc",
    "scalar_metrics",
    "spectrum_weights",
    "trigger_metrics",
    "trigger_metrics_from_outputs",
    "trigger_rate",
    "turn_on_curve",
    "variant_trigger_metrics",
    "workspace_dataset_params",
]

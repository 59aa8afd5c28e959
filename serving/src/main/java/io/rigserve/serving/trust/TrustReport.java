package io.rigserve.serving.trust;

import io.rigserve.cluster.quarantine.Quarantine;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The {@code trust} part of {@code /admin/routing}: what this gateway's checks found of each rig,
 * the cluster's quarantined rigs (why, since when, decided by whom), the extra compute spent on
 * checks, and the latest disagreements nobody could settle.
 *
 * @param extraComputePercent stage runs spent on checks, per 100 stage runs answered
 */
public record TrustReport(List<Rig> rigs, List<Quarantine> quarantined, long stageRuns, long checkRuns,
    double extraComputePercent, long checksDropped, long unverifiable, List<TrustLedger.Unsettled> unsettled) {

  /** One rig: its owner, this gateway's ledger of it, and its quarantine (null while it serves). */
  public record Rig(String rig, String owner, long runs, long checks, long agreements, long arbitrationsLost,
      long unsettled, double strikes, long wrongAnswersFound, double wrongAnswersEstimated, Quarantine quarantine) {}

  public static TrustReport of(TrustLedger ledger, Map<String, Quarantine> quarantined, Function<String, String> ownerOf) {
    List<Rig> rigs = ledger.snapshot().stream().map(t -> new Rig(t.rig(), ownerOf.apply(t.rig()), t.runs(), t.checks(),
        t.agreements(), t.disagreementsLost(), t.unsettled(), t.strikes(), t.wrongAnswersFound(),
        t.wrongAnswersEstimated(), quarantined.get(t.rig()))).toList();
    TrustLedger.Totals totals = ledger.totals();
    double extra = totals.runs() == 0 ? 0 : 100.0 * totals.checkRuns() / totals.runs();
    return new TrustReport(rigs, List.copyOf(quarantined.values()), totals.runs(), totals.checkRuns(), extra,
        totals.checksDropped(), totals.unverifiable(), ledger.recentUnsettled());
  }
}

package io.rigserve.serving.trust;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What this gateway has learnt of each rig's answers: runs, checks, agreements, strikes (each
 * verified agreement forgives {@code 1 / agreementsPerStrike} of one), and the answers served to
 * clients that a check later showed wrong. Also the gateway's totals (extra stage runs spent on
 * checks, checks dropped because too many were in flight) and the latest disagreements nobody
 * could settle. Thread-safe; bounded by the number of rigs.
 */
public final class TrustLedger {

  /** How many unsettled disagreements are kept for operators. */
  static final int RECENT_UNSETTLED = 32;

  /** One rig as this gateway sees it. */
  public record RigTrust(String rig, long runs, long checks, long agreements, long disagreementsLost,
      long unsettled, double strikes, long wrongAnswersFound, double wrongAnswersEstimated, boolean quarantined) {}

  /** A disagreement between two owners' replicas that no third owner settled. */
  public record Unsettled(long epochMillis, String replica, String served, String checker, String difference) {}

  /**
   * The gateway's totals; {@code agreed}, {@code disagreed} and {@code unsettled} count checks by
   * how they ended (disagreed: an arbitration struck one side). Never reset, not even by a release.
   */
  public record Totals(long runs, long checkRuns, long checksDropped, long unverifiable, long agreed, long disagreed,
      long unsettled) {}

  private static final class Rig {
    long runs;
    long checks;
    long agreements;
    long lost;
    long unsettled;
    double strikes;
    long wrongFound;
    double wrongEstimated;
    boolean quarantined;
  }

  private final double forgivenPerAgreement;
  private final Map<String, Rig> rigs = new HashMap<>();
  private final Deque<Unsettled> recentUnsettled = new ArrayDeque<>();
  private long runs;
  private long checkRuns;
  private long dropped;
  private long unverifiable;
  private long agreedChecks;
  private long disagreedChecks;
  private long unsettledChecks;

  public TrustLedger(int agreementsPerStrike) {
    this.forgivenPerAgreement = 1.0 / agreementsPerStrike;
  }

  /** Counts one answer of {@code rig}; returns its state before this run. */
  public synchronized RigTrust ran(String rig) {
    Rig r = rig(rig);
    RigTrust before = view(rig, r);
    r.runs++;
    runs++;
    return before;
  }

  public synchronized void checkRan() {
    checkRuns++;
  }

  public synchronized void dropped() {
    dropped++;
  }

  public synchronized void unverifiable() {
    unverifiable++;
  }

  /** A check ended in agreement: the served answer and the checker's are each a verified agreement. */
  public synchronized void checkAgreed(String served, String checker) {
    agreedChecks++;
    agreed(served);
    agreed(checker);
  }

  /** {@code rig}'s answer agreed with another owner's: a verified agreement. */
  public synchronized void agreed(String rig) {
    Rig r = rig(rig);
    r.checks++;
    r.agreements++;
    r.strikes = Math.max(0, r.strikes - forgivenPerAgreement);
  }

  /**
   * {@code rig} lost an arbitration; {@code servedAtRate} is the sampling rate of the wrong answer
   * when a client got it, else 0. Returns its strikes now.
   */
  public synchronized double struck(String rig, double servedAtRate) {
    Rig r = rig(rig);
    r.checks++;
    r.lost++;
    r.strikes += 1;
    disagreedChecks++;
    if (servedAtRate > 0) {
      r.wrongFound++;
      r.wrongEstimated += 1 / servedAtRate;
    }
    return r.strikes;
  }

  public synchronized void unsettled(Unsettled u) {
    unsettledChecks++;
    rig(u.served()).unsettled++;
    rig(u.checker()).unsettled++;
    recentUnsettled.addFirst(u);
    while (recentUnsettled.size() > RECENT_UNSETTLED) recentUnsettled.removeLast();
  }

  /** Marks {@code rig} quarantined; false when it already was (decided once). */
  public synchronized boolean quarantined(String rig) {
    Rig r = rig(rig);
    if (r.quarantined) return false;
    r.quarantined = true;
    return true;
  }

  /** An operator released {@code rig}: it starts over, on probation. */
  public synchronized void released(String rig) {
    rigs.remove(rig);
  }

  public synchronized RigTrust of(String rig) {
    return view(rig, rigs.getOrDefault(rig, new Rig()));
  }

  public synchronized List<RigTrust> snapshot() {
    List<RigTrust> all = new ArrayList<>();
    new TreeMap<>(rigs).forEach((address, r) -> all.add(view(address, r)));
    return all;
  }

  public synchronized List<Unsettled> recentUnsettled() {
    return List.copyOf(recentUnsettled);
  }

  public synchronized Totals totals() {
    return new Totals(runs, checkRuns, dropped, unverifiable, agreedChecks, disagreedChecks, unsettledChecks);
  }

  private Rig rig(String rig) {
    return rigs.computeIfAbsent(rig, k -> new Rig());
  }

  private static RigTrust view(String address, Rig r) {
    return new RigTrust(address, r.runs, r.checks, r.agreements, r.lost, r.unsettled, r.strikes, r.wrongFound,
        r.wrongEstimated, r.quarantined);
  }
}

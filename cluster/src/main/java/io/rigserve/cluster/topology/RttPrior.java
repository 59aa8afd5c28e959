package io.rigserve.cluster.topology;

/**
 * The RTT expected from distance alone, used until measurements exist:
 *
 * <pre>
 *   rtt_ms = 2 * distance_km / 200 km/ms * 1.5 + 1 ms
 * </pre>
 *
 * Light in fiber covers about 200 km per millisecond; real routes run about 1.5 times the
 * great-circle distance; 1 ms covers switching and the actors on both ends. us-east to eu-west
 * (about 5,450 km) gives about 83 ms, where the measured WAN round trip is about 76 ms.
 */
public final class RttPrior {

  static final double EARTH_RADIUS_KM = 6371.0;
  static final double FIBER_KM_PER_MS = 200.0;
  static final double ROUTE_FACTOR = 1.5;
  static final double FIXED_MS = 1.0;

  private RttPrior() {}

  public static double millis(double lat1, double lon1, double lat2, double lon2) {
    return 2 * distanceKm(lat1, lon1, lat2, lon2) / FIBER_KM_PER_MS * ROUTE_FACTOR + FIXED_MS;
  }

  public static double millis(RigIdentity from, RigIdentity to) {
    return millis(from.latitude(), from.longitude(), to.latitude(), to.longitude());
  }

  /** Great-circle distance (haversine formula). */
  public static double distanceKm(double lat1, double lon1, double lat2, double lon2) {
    double phi1 = Math.toRadians(lat1);
    double phi2 = Math.toRadians(lat2);
    double dPhi = Math.toRadians(lat2 - lat1);
    double dLambda = Math.toRadians(lon2 - lon1);
    double a =
        Math.sin(dPhi / 2) * Math.sin(dPhi / 2)
            + Math.cos(phi1) * Math.cos(phi2) * Math.sin(dLambda / 2) * Math.sin(dLambda / 2);
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1.0, Math.sqrt(a)));
  }
}

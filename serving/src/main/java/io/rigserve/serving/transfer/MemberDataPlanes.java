package io.rigserve.serving.transfer;

import io.rigserve.cluster.topology.RigIdentity;
import io.rigserve.cluster.topology.RigView;
import io.rigserve.cluster.topology.TopologyView;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.Address;

/**
 * The data planes this rig may fetch from: the URL each current member announced in its {@link
 * RigIdentity}, kept only if it is a bare {@code scheme://host:port} on the member's own Artery
 * host. A URL that a deployment or any other message names is never one of them by itself, so
 * a member cannot make rigs fetch from an arbitrary address.
 */
public final class MemberDataPlanes {

  private MemberDataPlanes() {}

  public static Set<String> of(TopologyView view) {
    Set<String> urls = new HashSet<>();
    for (RigView member : view.members()) {
      if (member.status().isLeavingForGood()) continue;
      member.identity()
          .map(RigIdentity::dataPlaneUrl)
          .filter(url -> isOwnDataPlane(url, member.address()))
          .ifPresent(urls::add);
    }
    return Set.copyOf(urls);
  }

  /** {@code url} is {@code http(s)://<the member's host>:<port>} and nothing more. */
  static boolean isOwnDataPlane(String url, Address member) {
    Optional<String> memberHost = unbracketed(member.getHost());
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return false;
    }
    boolean bare = uri.getRawUserInfo() == null && uri.getRawQuery() == null && uri.getRawFragment() == null
        && (uri.getRawPath() == null || uri.getRawPath().isEmpty());
    boolean web = "https".equals(uri.getScheme()) || "http".equals(uri.getScheme());
    return bare && web && uri.getPort() > 0 && memberHost.isPresent()
        && memberHost.equals(unbracketed(Optional.ofNullable(uri.getHost())));
  }

  private static Optional<String> unbracketed(Optional<String> host) {
    return host.map(h -> h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h)
        .map(String::toLowerCase);
  }
}

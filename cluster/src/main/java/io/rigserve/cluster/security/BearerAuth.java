package io.rigserve.cluster.security;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may call what on a rig, from the {@code Authorization: Bearer <secret>} a caller sends.
 *
 * <ul>
 *   <li>{@link Level#CLIENT} (inference, the repository index): any API key, or the admin token
 *       (an operator may do whatever a client may). Open when no API keys are configured.
 *   <li>{@link Level#ADMIN} (repository writes, the management port): the admin token only; a
 *       valid API key is told it is not enough (403). Without an admin token configured, as open
 *       as {@link Level#CLIENT}: the secure-by-default rule lets that happen only on loopback or
 *       with the insecure switch.
 * </ul>
 *
 * Secrets are compared as SHA-256 digests in constant time; logs name keys, never show them.
 */
public final class BearerAuth {

  /** What a route needs. */
  public enum Level { CLIENT, ADMIN }

  /** The answer to one request's credentials. */
  public sealed interface Verdict {
    /** {@code caller}: the API key's name, "admin", or "anonymous" on an open route. */
    record Allowed(String caller) implements Verdict {}

    /** No credentials, or credentials this rig does not know: 401 / UNAUTHENTICATED. */
    record Unauthenticated(String reason) implements Verdict {}

    /** Valid credentials that do not reach this level: 403 / PERMISSION_DENIED. */
    record Forbidden(String reason) implements Verdict {}
  }

  /** Neither API keys nor an admin token: everything open (a loopback demo rig, tests). */
  public static final BearerAuth OPEN = new BearerAuth(ApiKeys.NONE, Optional.empty());

  private static final Logger log = LoggerFactory.getLogger(BearerAuth.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SCHEME = "Bearer ";
  private static final RawHeader CHALLENGE = RawHeader.create("WWW-Authenticate", "Bearer realm=\"rigserve\"");

  private final ApiKeys apiKeys;
  private final Optional<AdminToken> adminToken;

  private BearerAuth(ApiKeys apiKeys, Optional<AdminToken> adminToken) {
    this.apiKeys = apiKeys;
    this.adminToken = adminToken;
  }

  /** Reads the key file and the token file named by {@code settings}. */
  public static BearerAuth from(SecuritySettings settings) {
    BearerAuth auth = new BearerAuth(
        settings.apiKeysFile().map(ApiKeys::read).orElse(ApiKeys.NONE),
        settings.adminTokenFile().map(AdminToken::read));
    if (!auth.apiKeys.isEmpty()) log.info("Inference requires an API key; keys: {}", auth.apiKeys.names());
    if (auth.hasAdminToken()) log.info("Repository writes and the management port require the admin token");
    return auth;
  }

  public boolean hasAdminToken() {
    return adminToken.isPresent();
  }

  /** The verdict on {@code authorization}, the value of the Authorization header (or gRPC metadata). */
  public Verdict check(Level level, Optional<String> authorization) {
    // Without an admin token, ADMIN asks what CLIENT asks.
    boolean needsAdmin = level == Level.ADMIN && adminToken.isPresent();
    if (!needsAdmin && apiKeys.isEmpty()) return new Verdict.Allowed("anonymous");
    String needed = needsAdmin ? "the admin token" : "an API key";
    if (authorization.isEmpty()) {
      return new Verdict.Unauthenticated("this needs " + needed + ": send Authorization: Bearer <secret>");
    }
    String value = authorization.get().strip();
    if (!value.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return new Verdict.Unauthenticated("the Authorization header must be \"Bearer <secret>\" (" + needed + ")");
    }
    SecretDigest presented = SecretDigest.of(value.substring(SCHEME.length()).strip());
    boolean admin = adminToken.map(t -> t.matches(presented)).orElse(false);
    Optional<String> key = apiKeys.nameOf(presented);
    if (admin) return allowed(level, "admin");
    if (key.isPresent()) {
      if (needsAdmin) {
        log.debug("API key {} refused: {} needs the admin token", key.get(), level);
        return new Verdict.Forbidden("the API key '" + key.get() + "' may infer but not do this: it needs the admin token");
      }
      return allowed(level, key.get());
    }
    log.debug("unknown bearer secret refused for {}", level);
    return new Verdict.Unauthenticated("the bearer secret is not valid here (" + needed + " is needed)");
  }

  private static Verdict allowed(Level level, String caller) {
    log.debug("{} call by {}", level, caller);
    return new Verdict.Allowed(caller);
  }

  /** A directive: {@code inner} when the request's credentials reach {@code level}, else 401 / 403 as JSON. */
  public Route require(Level level, Supplier<Route> inner) {
    return optionalHeaderValueByName("Authorization", header -> {
      Verdict verdict = check(level, header);
      if (verdict instanceof Verdict.Unauthenticated u) return complete(error(401, u.reason()).addHeader(CHALLENGE));
      if (verdict instanceof Verdict.Forbidden f) return complete(error(403, f.reason()));
      return inner.get();
    });
  }

  public Route client(Supplier<Route> inner) {
    return require(Level.CLIENT, inner);
  }

  public Route admin(Supplier<Route> inner) {
    return require(Level.ADMIN, inner);
  }

  private static HttpResponse error(int status, String message) {
    try {
      return HttpResponse.create().withStatus(status).withEntity(
          HttpEntities.create(ContentTypes.APPLICATION_JSON, JSON.writeValueAsBytes(Map.of("error", message))));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a one-string map is always JSON", e);
    }
  }
}

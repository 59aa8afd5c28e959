package io.rigserve.serving.transfer;

import static org.apache.pekko.http.javadsl.server.PathMatchers.integerSegment;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.rigserve.cluster.http.JsonErrors;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.FileIO;

/**
 * The data plane's artifact route: {@code GET /artifacts/{model}/{version}/{partition}} streams
 * a partition file from disk in chunks, with its recorded digest in {@value #SHA_HEADER}.
 */
public final class ArtifactRoutes extends AllDirectives {

  public static final String SHA_HEADER = "X-Rigserve-Sha256";
  private static final int CHUNK = 256 * 1024;

  private final ArtifactStore store;

  public ArtifactRoutes(ArtifactStore store) {
    this.store = store;
  }

  /** The artifact route; anything else a caller sends is a 404 with a JSON error. */
  public Route route() {
    return concat(artifacts(),
        complete(JsonErrors.response(404, "the data plane serves only GET /artifacts/{model}/{version}/{partition}")));
  }

  private Route artifacts() {
    return pathPrefix("artifacts", () -> pathPrefix(segment(), model ->
        path(segment().slash(integerSegment()), (version, partition) ->
            get(() -> {
              ArtifactId id;
              try {
                id = new ArtifactId(model, version, partition);
              } catch (IllegalArgumentException e) {
                // The names are not echoed: they are whatever a caller put in the path.
                return complete(JsonErrors.response(400, "invalid artifact: model and version are letters, digits, '_', '.', '-'"));
              }
              Optional<Path> file = store.file(id);
              if (file.isEmpty()) {
                return complete(JsonErrors.response(404, "no artifact " + id + " here"));
              }
              HttpResponse response = HttpResponse.create()
                  .withEntity(HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM,
                      file.get().toFile().length(), FileIO.fromPath(file.get(), CHUNK)));
              return complete(store.recordedSha(id)
                  .map(sha -> response.addHeader(RawHeader.create(SHA_HEADER, sha)))
                  .orElse(response));
            }))));
  }

}

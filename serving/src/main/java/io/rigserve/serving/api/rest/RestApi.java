package io.rigserve.serving.api.rest;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.api.common.AttributeKey;
import io.rigserve.cluster.security.BearerAuth;
import io.rigserve.serving.deploy.DeployParameters;
import io.rigserve.serving.deploy.ModelDeployments;
import io.rigserve.serving.error.InvalidInput;
import io.rigserve.serving.inference.InferRequest;
import io.rigserve.serving.inference.InferenceService;
import io.rigserve.serving.inference.ModelMetadata;
import io.rigserve.serving.inference.ServerMetadata;
import io.rigserve.serving.repository.ModelUpload;
import io.rigserve.serving.repository.ModelVersion;
import io.rigserve.serving.trace.RequestTrace;
import io.rigserve.serving.trace.RequestTracer;
import io.rigserve.sharding.tensor.TensorSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import scala.Option;

/**
 * The Open Inference Protocol over REST/JSON, plus the model repository extension. It only
 * translates: every decision is made by {@link InferenceService} and {@link ModelDeployments}.
 * Health and metadata are open; inference and the repository index need an API key when keys are
 * configured; repository writes need the admin token ({@link BearerAuth}).
 */
public final class RestApi extends AllDirectives {

  private final InferenceService service;
  private final ModelDeployments deployments;
  private final ModelUpload upload;
  private final long maxRequestBytes;
  private final long maxUploadBytes;
  private final long bodyTimeoutMillis;
  private final BearerAuth auth;
  private final RequestTracer tracer;

  private static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");

  public RestApi(InferenceService service, ModelDeployments deployments, ModelUpload upload,
      long maxRequestBytes, long maxUploadBytes, Duration bodyTimeout, BearerAuth auth) {
    this(service, deployments, upload, maxRequestBytes, maxUploadBytes, bodyTimeout, auth, RequestTracer.untraced());
  }

  /** The REST API whose inference requests are traced by {@code tracer}. */
  public RestApi(InferenceService service, ModelDeployments deployments, ModelUpload upload,
      long maxRequestBytes, long maxUploadBytes, Duration bodyTimeout, BearerAuth auth, RequestTracer tracer) {
    this.tracer = tracer;
    this.bodyTimeoutMillis = bodyTimeout.toMillis();
    this.auth = auth;
    this.service = service;
    this.deployments = deployments;
    this.upload = upload;
    this.maxRequestBytes = maxRequestBytes;
    this.maxUploadBytes = maxUploadBytes;
  }

  public Route route() {
    return pathPrefix("v2", () -> concat(
        pathEndOrSingleSlash(() -> get(() -> answer(() -> Json.response(200, serverMetadata(service.serverMetadata()))))),
        path(segment("health").slash("live"), () -> get(() -> answer(() ->
            Json.response(200, object().put("live", service.live()))))),
        path(segment("health").slash("ready"), () -> get(() -> answer(() -> {
          boolean ready = service.ready();
          return Json.response(ready ? 200 : 503, object().put("ready", ready));
        }))),
        pathPrefix("models", () -> pathPrefix(segment(), name -> concat(
            modelRoutes(name, ""),
            pathPrefix("versions", () -> pathPrefix(segment(), version -> modelRoutes(name, version)))))),
        pathPrefix("repository", this::repositoryRoutes)));
  }

  private Route modelRoutes(String name, String version) {
    return concat(
        pathEndOrSingleSlash(() -> get(() -> answer(() -> Json.response(200, modelMetadata(service.modelMetadata(name, version)))))),
        path("ready", () -> get(() -> answer(() -> {
          boolean ready = service.modelReady(name, version);
          return Json.response(ready ? 200 : 503, object().put("name", name).put("ready", ready));
        }))),
        path("infer", () -> auth.client(() -> post(() -> extractRequest(http -> extractMaterializer(mat -> {
          RequestTrace trace = tracer.start("POST /v2/models/{model}/infer", name,
              header -> http.getHeader(header).map(HttpHeader::value).orElse(null));
          Optional<String> jsonLength = http.getHeader(BinaryInferBody.HEADER_LENGTH).map(HttpHeader::value);
          return answerTraced(trace, () -> strictBody(http.entity(), mat)
                .thenCompose(strict -> {
                  BinaryInferBody body = BinaryInferBody.read(strict.getData(), jsonLength);
                  InferRequest request = InferRequestJson.decode(name, version, body, maxRequestBytes);
                  trace.identify(request.id());
                  BinaryOutputs binary = BinaryOutputs.of(body.json());
                  return trace.call(() -> service.infer(request))
                      .thenApply(response -> BinaryInferBody.response(response, binary));
                }));
        }))))));
  }

  private Route repositoryRoutes() {
    return concat(
        path("index", () -> auth.client(() -> post(() -> extractRequestEntity(entity -> extractMaterializer(mat -> answerLater(() ->
            strictBody(entity, mat)
                .thenApply(strict -> Json.response(200, index(deployments.index(readyOnly(strict.getData().toArray()))))))))))),
        pathPrefix("models", () -> auth.admin(() -> pathPrefix(segment(), name -> concat(
            path("load", () -> post(() -> extractRequestEntity(entity -> extractMaterializer(mat -> answerLater(() ->
                strictBody(entity, mat)
                    .thenCompose(strict -> deployments.load(name, deployParameters(strict.getData().toArray())))
                    .thenApply(done -> Json.response(200, object()))))))),
            path("unload", () -> post(() -> answerLater(() -> deployments.unload(name)
                .thenApply(done -> Json.response(200, object()))))),
            path(segment("versions").slash(segment()), version -> put(() -> extractRequestEntity(entity ->
                answerLater(() -> upload.receive(name, version, uploadBody(entity))
                    .thenApply(r -> Json.response(201, object()
                        .put("name", r.name()).put("version", r.version())
                        .put("sha256", r.sha256()).put("bytes", r.bytes()))))))))))));
  }

  /**
   * The whole body, read as it arrives up to the request limit (413 past it; toStrict has a limit
   * of its own, set to the same) and within the body timeout (408 past it).
   */
  private CompletionStage<HttpEntity.Strict> strictBody(RequestEntity entity, Materializer mat) {
    return entity.withSizeLimit(maxRequestBytes).toStrict(bodyTimeoutMillis, maxRequestBytes, mat);
  }

  /**
   * An upload's bytes, limited to the upload size. A declared length over it is refused before
   * anything is read: failing the body's stream mid-way would reset the connection before the
   * client sees the 413.
   */
  private Source<ByteString, ?> uploadBody(RequestEntity entity) {
    OptionalLong declared = entity.getContentLengthOption();
    if (declared.isPresent() && declared.getAsLong() > maxUploadBytes) {
      throw new EntityStreamSizeException(maxUploadBytes, Option.apply(declared.getAsLong()));
    }
    return entity.withSizeLimit(maxUploadBytes).getDataBytes();
  }

  private Route answer(Supplier<HttpResponse> response) {
    HttpResponse r;
    try {
      r = response.get();
    } catch (RuntimeException e) {
      r = HttpErrors.response(e);
    }
    return complete(r);
  }

  /**
   * Answers as {@link #answerLater} does, the request id in {@code X-Request-ID} whatever the
   * outcome, and ends the request's span with the status the client got.
   */
  private Route answerTraced(RequestTrace trace, Supplier<CompletionStage<HttpResponse>> response) {
    CompletionStage<HttpResponse> stage;
    try {
      stage = response.get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    return completeWithFuture(stage.exceptionally(HttpErrors::response).thenApply(r -> {
      trace.end(HTTP_STATUS, r.status().intValue(), r.status().intValue() >= 500);
      return r.addHeader(RawHeader.create("X-Request-ID", trace.requestId()));
    }));
  }

  private Route answerLater(Supplier<CompletionStage<HttpResponse>> response) {
    CompletionStage<HttpResponse> stage;
    try {
      stage = response.get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    return completeWithFuture(stage.exceptionally(HttpErrors::response));
  }

  /** The deploy parameters of a load request's optional body {@code {"parameters": {...}}}. */
  private static DeployParameters deployParameters(byte[] body) {
    JsonNode node = readObject(body);
    return DeployParameters.from(InferRequestJson.parameters(node.get("parameters")));
  }

  /** The {@code ready} flag of an index request's optional body {@code {"ready": true}}: only ready versions. */
  private static boolean readyOnly(byte[] body) {
    JsonNode ready = readObject(body).get("ready");
    if (ready == null || ready.isNull()) return false;
    if (!ready.isBoolean()) throw new InvalidInput("'ready' must be true or false");
    return ready.booleanValue();
  }

  private static JsonNode readObject(byte[] body) {
    try {
      return Json.readObject(body);
    } catch (IOException e) {
      throw new CompletionException(e);
    }
  }

  private static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  private static ObjectNode serverMetadata(ServerMetadata m) {
    ObjectNode node = object().put("name", m.name()).put("version", m.version());
    ArrayNode ext = node.putArray("extensions");
    m.extensions().forEach(ext::add);
    return node;
  }

  private static ObjectNode modelMetadata(ModelMetadata m) {
    ObjectNode node = object().put("name", m.name());
    ArrayNode versions = node.putArray("versions");
    m.versions().forEach(versions::add);
    node.put("platform", m.platform());
    node.set("inputs", specs(m.inputs()));
    node.set("outputs", specs(m.outputs()));
    return node;
  }

  private static ArrayNode specs(List<TensorSpec> specs) {
    ArrayNode array = JsonNodeFactory.instance.arrayNode();
    for (TensorSpec s : specs) {
      ObjectNode spec = array.addObject().put("name", s.name()).put("datatype", s.datatype().protocolName());
      ArrayNode shape = spec.putArray("shape");
      for (long d : s.shape()) shape.add(d);
    }
    return array;
  }

  private static ArrayNode index(List<ModelVersion> versions) {
    ArrayNode array = JsonNodeFactory.instance.arrayNode();
    for (ModelVersion v : versions) {
      array.addObject()
          .put("name", v.name())
          .put("version", v.version())
          .put("state", v.state().name())
          .put("reason", v.reason())
          .put("sha256", v.sha256());
    }
    return array;
  }

}

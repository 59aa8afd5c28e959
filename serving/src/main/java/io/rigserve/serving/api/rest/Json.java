package io.rigserve.serving.api.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.rigserve.serving.error.InvalidInput;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/** JSON reading and writing for the REST front end. */
final class Json {

  /**
   * Strict JSON: nothing after the value, no key twice. Deeply nested "data" arrays are legal;
   * absurd nesting is not.
   */
  static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  static {
    MAPPER.getFactory().setStreamReadConstraints(
        StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(Integer.MAX_VALUE).build());
  }

  private Json() {}

  /** The body as a JSON object; an empty body counts as {@code {}}. */
  static JsonNode readObject(byte[] body) throws java.io.IOException {
    JsonNode node = body.length == 0 ? MAPPER.createObjectNode() : MAPPER.readTree(body);
    if (node == null || !node.isObject()) {
      throw new InvalidInput("the request body must be a JSON object");
    }
    return node;
  }

  static HttpResponse response(int status, JsonNode body) {
    try {
      return HttpResponse.create()
          .withStatus(status)
          .withEntity(ContentTypes.APPLICATION_JSON, MAPPER.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON response", e);
    }
  }
}

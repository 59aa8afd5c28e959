package io.rigserve.serving.api.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.rigserve.serving.error.InvalidInput;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
  static JsonNode readObject(byte[] body) throws IOException {
    requireUtf8(body);
    JsonNode node;
    if (body.length == 0) {
      node = MAPPER.createObjectNode();
    } else {
      // Read as UTF-8 text: from bytes, Jackson guesses UTF-16 or UTF-32 from NUL bytes and fails
      // with a decoding error that is not a JSON one.
      try (Reader text = new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8)) {
        node = MAPPER.readTree(text);
      }
    }
    if (node == null || !node.isObject()) {
      throw new InvalidInput("the request body must be a JSON object");
    }
    return node;
  }

  /**
   * Refuses bytes that are not UTF-8. Jackson decodes an overlong form such as {@code C0 AF} as
   * {@code /} without complaint; the JDK's decoder refuses it. Decoded in small pieces, so
   * checking holds no copy of the body.
   */
  private static void requireUtf8(byte[] body) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(body);
    CharBuffer out = CharBuffer.allocate(4096);
    CoderResult result;
    do {
      out.clear();
      result = decoder.decode(in, out, true);
      if (result.isError()) {
        throw new InvalidInput("the request body is not UTF-8: bad byte at offset " + in.position());
      }
    } while (result.isOverflow());
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

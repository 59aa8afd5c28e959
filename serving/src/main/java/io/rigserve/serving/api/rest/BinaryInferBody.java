package io.rigserve.serving.api.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rigserve.cluster.http.ClientText;
import io.rigserve.serving.error.InvalidInput;
import io.rigserve.serving.inference.InferResponse;
import io.rigserve.sharding.tensor.Tensor;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.util.ByteString;

/**
 * An inference body under Triton's binary tensor data extension: the JSON request in the first
 * {@value #HEADER_LENGTH} bytes, then the raw data of each input whose parameters carry
 * {@code binary_data_size}, in input order. Without the header the whole body is JSON. Each
 * input's bytes are cut from what arrived only after its size is checked against what remains.
 * Answers the same way: when any output is wanted binary, its JSON carries the size and its
 * bytes follow the JSON response.
 */
final class BinaryInferBody {

  /** The header giving the length of the JSON part of a body, request or response. */
  static final String HEADER_LENGTH = "Inference-Header-Content-Length";

  private final JsonNode json;
  private final ByteString body;
  private final boolean framed;
  private int position;

  private BinaryInferBody(JsonNode json, ByteString body, boolean framed, int position) {
    this.json = json;
    this.body = body;
    this.framed = framed;
    this.position = position;
  }

  /**
   * Splits {@code body} by the {@value #HEADER_LENGTH} header if given, and reads its JSON part.
   *
   * @throws InvalidInput when the header is not a byte count within the body, or the JSON part is not a JSON object
   */
  static BinaryInferBody read(ByteString body, Optional<String> headerLength) {
    if (headerLength.isEmpty()) {
      return new BinaryInferBody(readObject(body.toArray()), body, false, body.size());
    }
    String value = headerLength.get().trim();
    if (!value.matches("[0-9]{1,10}")) {
      throw new InvalidInput(HEADER_LENGTH + " must be the byte length of the JSON request, got '"
          + ClientText.echo(headerLength.get()) + "'");
    }
    long length = Long.parseLong(value);
    if (length > body.size()) {
      throw new InvalidInput(HEADER_LENGTH + " is " + length + " but the body has only " + body.size() + " bytes");
    }
    return new BinaryInferBody(readObject(body.slice(0, (int) length).toArray()), body, true, (int) length);
  }

  /** The JSON request. */
  JsonNode json() {
    return json;
  }

  /**
   * The next {@code size} bytes of binary data, those of input {@code input}.
   *
   * @throws InvalidInput when fewer remain
   */
  byte[] take(String input, long size) {
    int remaining = body.size() - position;
    if (size > remaining) {
      throw new InvalidInput("input '" + ClientText.echo(input) + "' has binary_data_size " + size + " but "
          + (framed ? "only " + remaining + " bytes of binary data remain after the JSON and the inputs before it"
              : "the request has no " + HEADER_LENGTH + " header, so no binary data"));
    }
    byte[] data = body.slice(position, position + (int) size).toArray();
    position += (int) size;
    return data;
  }

  /**
   * Refuses binary data that no input's {@code binary_data_size} accounts for.
   *
   * @throws InvalidInput when bytes are left over
   */
  void requireAllTaken() {
    int left = body.size() - position;
    if (left > 0) {
      throw new InvalidInput("the body has " + left + " bytes of binary data that no input's binary_data_size accounts for:"
          + " the sizes must add up to the bytes after the JSON (" + HEADER_LENGTH + ")");
    }
  }

  /**
   * The HTTP answer: plain JSON when no output is wanted binary; else the JSON response (each
   * binary output with its {@code binary_data_size} instead of data) followed by those outputs'
   * raw bytes, in output order.
   */
  static HttpResponse response(InferResponse response, BinaryOutputs binary) {
    List<Tensor> binaryOutputs = response.outputs().stream().filter(t -> binary.wanted(t.name())).toList();
    ObjectNode json = InferResponseJson.encode(response, binary);
    if (binaryOutputs.isEmpty()) {
      return Json.response(200, json);
    }
    ByteString header = ByteString.fromArrayUnsafe(bytes(json));
    ByteString all = header;
    for (Tensor t : binaryOutputs) {
      all = all.concat(ByteString.fromArrayUnsafe(t.data()));
    }
    return HttpResponse.create()
        .withStatus(200)
        .addHeader(RawHeader.create(HEADER_LENGTH, Integer.toString(header.size())))
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, all));
  }

  private static byte[] bytes(JsonNode json) {
    try {
      return Json.MAPPER.writeValueAsBytes(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON response", e);
    }
  }

  private static JsonNode readObject(byte[] json) {
    try {
      return Json.readObject(json);
    } catch (IOException e) {
      throw new CompletionException(e);
    }
  }
}

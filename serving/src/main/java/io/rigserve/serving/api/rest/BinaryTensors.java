package io.rigserve.serving.api.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.rigserve.cluster.http.ClientText;
import io.rigserve.serving.error.InvalidInput;
import io.rigserve.serving.inference.InferRequestValidator;
import io.rigserve.sharding.tensor.BytesElements;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import java.util.Arrays;
import java.util.OptionalLong;

/**
 * Input tensors sent as binary data: described in JSON ({@code name, datatype, shape} and
 * {@code parameters.binary_data_size}), their bytes in the body after the JSON. The bytes are
 * already the tensor's own form (row-major little-endian, BOOL as 0/1, BYTES as 4-byte
 * little-endian lengths and contents), so they are checked, not converted.
 */
final class BinaryTensors {

  static final String SIZE = "binary_data_size";

  private BinaryTensors() {}

  /**
   * The {@code binary_data_size} of a JSON input, or empty when its data is JSON.
   *
   * @throws InvalidInput when the parameters are not an object or the size not a non-negative integer
   */
  static OptionalLong size(JsonNode input) {
    JsonNode parameters = input.get("parameters");
    if (parameters == null || parameters.isNull()) return OptionalLong.empty();
    if (!parameters.isObject()) {
      throw new InvalidInput("\"parameters\" of input '" + ClientText.echo(input.path("name").asText()) + "' must be a JSON object");
    }
    JsonNode size = parameters.get(SIZE);
    if (size == null || size.isNull()) return OptionalLong.empty();
    if (!size.isIntegralNumber() || !size.canConvertToLong() || size.asLong() < 0) {
      throw new InvalidInput("parameter '" + SIZE + "' of input '" + ClientText.echo(input.path("name").asText())
          + "' must be a non-negative integer byte count, got " + ClientText.echo(size.toString()));
    }
    return OptionalLong.of(size.asLong());
  }

  /**
   * The input {@code node} describes, with its {@code size} bytes taken from {@code body}. The
   * size must be exactly what the shape and datatype need (for BYTES: frame exactly the shape's
   * element count), checked before anything is copied.
   */
  static Tensor decode(JsonNode node, long size, BinaryInferBody body, long maxElements) {
    String name = JsonTensors.text(node, "name", "input");
    DataType type = InferRequestValidator.datatype(name, JsonTensors.text(node, "datatype", "input '" + ClientText.echo(name) + "'"));
    long[] shape = JsonTensors.shape(name, node.get("shape"));
    JsonNode data = node.get("data");
    if (data != null && !data.isNull()) {
      throw new InvalidInput("input '" + ClientText.echo(name) + "' has both \"data\" and " + SIZE + ": give one of them");
    }
    if (type.isFixedSize()) {
      long count = InferRequestValidator.elementCount(name, shape, maxElements);
      long needed = count * type.elementSize();
      if (needed != size) {
        throw new InvalidInput("input '" + ClientText.echo(name) + "' has " + SIZE + " " + size + ", its shape "
            + Arrays.toString(shape) + " of " + type + " needs " + needed + " bytes");
      }
      byte[] bytes = body.take(name, size);
      if (type == DataType.BOOL) requireBooleans(name, bytes);
      return new Tensor(name, type, shape, bytes);
    }
    long count = InferRequestValidator.elementCount(name, shape, maxElements);
    byte[] bytes = body.take(name, size);
    // The walk stops at the end of the bytes, whatever count the shape claims.
    BytesElements.problem(bytes, count).ifPresent(problem -> {
      throw new InvalidInput("input '" + ClientText.echo(name) + "' of shape " + Arrays.toString(shape) + ": " + problem);
    });
    return new Tensor(name, type, shape, bytes);
  }

  private static void requireBooleans(String name, byte[] bytes) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] != 0 && bytes[i] != 1) {
        throw new InvalidInput("input '" + ClientText.echo(name) + "' has byte " + (bytes[i] & 0xff) + " at element " + i
            + ": a binary BOOL element is 0 (false) or 1 (true)");
      }
    }
  }
}

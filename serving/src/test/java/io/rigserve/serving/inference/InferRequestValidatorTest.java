package io.rigserve.serving.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.serving.error.InvalidInput;
import io.rigserve.sharding.tensor.TensorSpec;
import io.rigserve.sharding.tensor.BytesElements;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InferRequestValidatorTest {

  private static final List<TensorSpec> INPUTS = List.of(
      new TensorSpec("x", DataType.FP32, new long[] {-1, 2}),
      new TensorSpec("s", DataType.BYTES, new long[] {-1}));
  private static final List<TensorSpec> OUTPUTS = List.of(new TensorSpec("y", DataType.FP32, new long[] {-1}));

  private static Tensor x(long rows, int bytes) {
    return new Tensor("x", DataType.FP32, new long[] {rows, 2}, new byte[bytes]);
  }

  private static Tensor s(long count, byte[] data) {
    return new Tensor("s", DataType.BYTES, new long[] {count}, data);
  }

  private static InferRequest request(List<Tensor> inputs, List<String> outputs) {
    return new InferRequest("m", "", "", inputs, outputs, Optional.empty());
  }

  private static String refusal(List<Tensor> inputs, List<String> outputs) {
    return assertThrows(InvalidInput.class,
        () -> InferRequestValidator.validate(request(inputs, outputs), INPUTS, OUTPUTS)).getMessage();
  }

  private static final byte[] TWO_STRINGS = BytesElements.encode(new byte[][] {{'a'}, {'b', 'c'}});

  @Test
  void aRequestThatFitsTheModelPasses() {
    InferRequestValidator.validate(request(List.of(x(3, 24), s(2, TWO_STRINGS)), List.of("y")), INPUTS, OUTPUTS);
  }

  @Test
  void inputsMustBeTheModelsEachOnce() {
    assertTrue(refusal(List.of(x(1, 8)), List.of()).contains("missing input 's'"));
    assertTrue(refusal(List.of(x(1, 8), s(2, TWO_STRINGS), new Tensor("z", DataType.FP32, new long[] {1}, new byte[4])), List.of())
        .contains("unexpected input 'z'"));
    assertTrue(refusal(List.of(x(1, 8), x(1, 8), s(2, TWO_STRINGS)), List.of()).contains("more than once"));
  }

  @Test
  void datatypeRankAndFixedDimensionsMustMatch() {
    Tensor int32 = new Tensor("x", DataType.INT32, new long[] {1, 2}, new byte[8]);
    assertTrue(refusal(List.of(int32, s(2, TWO_STRINGS)), List.of()).contains("the model expects FP32"));
    Tensor rank1 = new Tensor("x", DataType.FP32, new long[] {2}, new byte[8]);
    assertTrue(refusal(List.of(rank1, s(2, TWO_STRINGS)), List.of()).contains("expects rank 2"));
    Tensor wide = new Tensor("x", DataType.FP32, new long[] {1, 3}, new byte[12]);
    assertTrue(refusal(List.of(wide, s(2, TWO_STRINGS)), List.of()).contains("(-1: any size)"));
  }

  @Test
  void theDataMustBeExactlyWhatTheShapeNeeds() {
    assertTrue(refusal(List.of(x(2, 15), s(2, TWO_STRINGS)), List.of()).contains("has 15 bytes of data"));
    assertTrue(refusal(List.of(x(1, 8), s(3, TWO_STRINGS)), List.of()).contains("has 2 elements, its shape [3] needs 3"));
    byte[] lying = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f, 'a'};
    assertTrue(refusal(List.of(x(1, 8), s(1, lying)), List.of()).contains("declares 2147483647 bytes, 1 remain"));
  }

  @Test
  void requestedOutputsMustExistOnce() {
    assertTrue(refusal(List.of(x(1, 8), s(2, TWO_STRINGS)), List.of("q")).contains("unknown output 'q'"));
    assertTrue(refusal(List.of(x(1, 8), s(2, TWO_STRINGS)), List.of("y", "y")).contains("more than once"));
  }

  @Test
  void theElementCountRefusesAnOverflowOrMoreThanTheRequestCarries() {
    assertEquals(6, InferRequestValidator.elementCount("t", new long[] {2, 3}, 6));
    assertEquals(1, InferRequestValidator.elementCount("t", new long[] {}, 1));
    assertEquals(0, InferRequestValidator.elementCount("t", new long[] {0, Long.MAX_VALUE}, 0));
    String big = assertThrows(InvalidInput.class,
        () -> InferRequestValidator.elementCount("t", new long[] {2147483647, 2147483647}, 1 << 20)).getMessage();
    assertEquals("input 't' has shape [2147483647, 2147483647], more elements than the request can hold", big);
    assertThrows(InvalidInput.class,
        () -> InferRequestValidator.elementCount("t", new long[] {Long.MAX_VALUE, 2, 0}, Long.MAX_VALUE));
    assertThrows(InvalidInput.class, () -> InferRequestValidator.elementCount("t", new long[] {7}, 6));
  }
}

package io.rigserve.serving.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.TensorSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TensorSpecJsonTest {

  @Test
  void aDescriptorReadBackFromItsBytesEqualsTheOneWritten() {
    ModelDescriptor written = new ModelDescriptor(
        List.of(new TensorSpec("x", DataType.FP16, new long[] {-1, 3}), new TensorSpec("ids", DataType.BYTES, new long[] {2})),
        List.of(new TensorSpec("y", DataType.UINT64, new long[] {})),
        List.of(new ModelDescriptor.Stage(List.of("x", "ids"), List.of("y"))), 25);
    assertEquals(written, ModelDescriptor.fromBytes(written.toBytes()));
  }

  @Test
  void aSpecWithADatatypeTheProtocolDoesNotNameIsRefusedWithItsName() throws Exception {
    String json = "[{\"name\":\"x\",\"datatype\":\"fp32\",\"shape\":[1]}]";
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TensorSpecJson.fromJson(new ObjectMapper().readTree(json)));
    assertTrue(e.getMessage().contains("'fp32'"), e.getMessage());
  }

  @Test
  void aDescriptorWithoutSpecArraysIsNotADescriptor() {
    byte[] bytes = "{\"inputs\":{},\"outputs\":[],\"stages\":[]}".getBytes(StandardCharsets.UTF_8);
    assertThrows(IllegalArgumentException.class, () -> ModelDescriptor.fromBytes(bytes));
  }
}

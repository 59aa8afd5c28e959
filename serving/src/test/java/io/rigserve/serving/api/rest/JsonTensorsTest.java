package io.rigserve.serving.api.rest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.rigserve.serving.error.InvalidInput;
import io.rigserve.sharding.tensor.BytesElements;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonTensorsTest {

  private static JsonNode json(String text) throws Exception {
    return Json.MAPPER.readTree(text);
  }

  private static Tensor decode(String text) throws Exception {
    return JsonTensors.decode(json(text), 1_000);
  }

  private static String refusal(String text) throws Exception {
    JsonNode node = json(text);
    return assertThrows(InvalidInput.class, () -> JsonTensors.decode(node, 1_000)).getMessage();
  }

  @Test
  void flatAndNestedDataDecodeToTheSameLittleEndianBytes() throws Exception {
    Tensor flat = decode("{\"name\":\"x\",\"datatype\":\"INT32\",\"shape\":[2,2],\"data\":[1,2,3,-1]}");
    Tensor nested = decode("{\"name\":\"x\",\"datatype\":\"INT32\",\"shape\":[2,2],\"data\":[[1,2],[3,-1]]}");
    byte[] expected = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(2).putInt(3).putInt(-1).array();
    assertArrayEquals(expected, flat.data());
    assertEquals(flat, nested);
  }

  @Test
  void bytesAreStringsFramedByTheOneCodec() throws Exception {
    Tensor t = decode("{\"name\":\"s\",\"datatype\":\"BYTES\",\"shape\":[2],\"data\":[\"hé\",\"\"]}");
    assertArrayEquals(BytesElements.encode(new byte[][] {"hé".getBytes(StandardCharsets.UTF_8), {}}), t.data());
    assertEquals("[\"hé\",\"\"]", JsonTensors.encode(t).get("data").toString());
  }

  @Test
  void everyDatatypeRoundTripsThroughEncode() throws Exception {
    String[][] cases = {
        {"BOOL", "[true,false]"}, {"UINT8", "[0,255]"}, {"UINT16", "[0,65535]"}, {"UINT32", "[0,4294967295]"},
        {"UINT64", "[0,18446744073709551615]"}, {"INT8", "[-128,127]"}, {"INT16", "[-32768,32767]"},
        {"INT32", "[-2147483648,2147483647]"}, {"INT64", "[-9223372036854775808,9223372036854775807]"},
        {"FP16", "[1.5,-2.0]"}, {"BF16", "[1.5,-2.0]"}, {"FP32", "[1.5,-2.0]"}, {"FP64", "[1.5,-2.0]"}};
    for (String[] c : cases) {
      Tensor t = decode("{\"name\":\"v\",\"datatype\":\"" + c[0] + "\",\"shape\":[2],\"data\":" + c[1] + "}");
      assertEquals(DataType.valueOf(c[0]), t.datatype());
      assertEquals(c[1], JsonTensors.encode(t).get("data").toString(), c[0]);
    }
  }

  @Test
  void valuesOutOfTheDatatypesRangeAreRefused() throws Exception {
    assertTrue(refusal("{\"name\":\"v\",\"datatype\":\"UINT8\",\"shape\":[1],\"data\":[256]}").contains("not a valid UINT8"));
    assertTrue(refusal("{\"name\":\"v\",\"datatype\":\"INT8\",\"shape\":[1],\"data\":[1.5]}").contains("not a valid INT8"));
    assertTrue(refusal("{\"name\":\"v\",\"datatype\":\"BOOL\",\"shape\":[1],\"data\":[1]}").contains("not a valid BOOL"));
    assertTrue(refusal("{\"name\":\"v\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[7]}").contains("not a valid BYTES"));
  }

  @Test
  void theDataMustHoldExactlyTheShapesElements() throws Exception {
    assertTrue(refusal("{\"name\":\"v\",\"datatype\":\"FP32\",\"shape\":[3],\"data\":[1,2]}").contains("its shape needs 3"));
    assertTrue(refusal("{\"name\":\"v\",\"datatype\":\"FP32\",\"shape\":[2,2],\"data\":[[1,2],[3]]}").contains("does not match its shape"));
    assertTrue(refusal("{\"name\":\"v\",\"datatype\":\"FP32\",\"shape\":[2],\"data\":[1,[2]]}").contains("mixes flat and nested"));
  }

  @Test
  void aShapeLargerThanTheRequestCanCarryIsRefusedBeforeAnyAllocation() throws Exception {
    assertEquals("input 'v' has shape [2147483647, 2147483647], more elements than the request can hold",
        refusal("{\"name\":\"v\",\"datatype\":\"FP64\",\"shape\":[2147483647,2147483647],\"data\":[1]}"));
    assertTrue(refusal("{\"name\":\"v\",\"datatype\":\"FP64\",\"shape\":[-1],\"data\":[1]}").contains("non-negative"));
  }

  @Test
  void anUnknownDatatypeNamesTheKnownOnes() throws Exception {
    assertTrue(refusal("{\"name\":\"v\",\"datatype\":\"FLOAT\",\"shape\":[1],\"data\":[1]}").contains("expected one of"));
  }
}

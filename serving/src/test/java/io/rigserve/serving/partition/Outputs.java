package io.rigserve.serving.partition;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.serving.testmodels.TestTensors;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import java.util.Map;

/** Compares model outputs: FP32 within 1e-5 relative, everything else bit for bit. */
final class Outputs {

  private Outputs() {}

  static void assertSame(Map<String, Tensor> expected, Map<String, Tensor> actual, String what) {
    assertEquals(expected.keySet(), actual.keySet(), what + ": output names");
    for (Tensor e : expected.values()) {
      Tensor a = actual.get(e.name());
      assertEquals(e.datatype(), a.datatype(), what + ": datatype of " + e.name());
      assertArrayEquals(e.shape(), a.shape(), what + ": shape of " + e.name());
      if (e.datatype() == DataType.FP32) {
        float[] ev = TestTensors.fp32Values(e);
        float[] av = TestTensors.fp32Values(a);
        for (int i = 0; i < ev.length; i++) {
          // Relative, with a floor near zero where relative error means nothing.
          float tolerance = 1e-5f * Math.max(Math.abs(ev[i]), 1e-2f);
          assertTrue(
              Math.abs(ev[i] - av[i]) <= tolerance,
              what + ": " + e.name() + "[" + i + "] is " + av[i] + ", whole model gives " + ev[i]);
        }
      } else {
        assertArrayEquals(e.data(), a.data(), what + ": " + e.name());
      }
    }
  }
}

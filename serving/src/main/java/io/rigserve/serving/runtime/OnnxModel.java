package io.rigserve.serving.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.rigserve.sharding.replica.PartitionRuntime;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import io.rigserve.sharding.tensor.TensorSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One loaded ONNX model: a single ORT session shared by all runs (ORT allows concurrent runs on
 * a session). Closing waits for in-flight runs before releasing the session, because ORT's own
 * close does not wait, and freeing native memory under a running inference can crash the JVM.
 */
public final class OnnxModel implements PartitionRuntime, AutoCloseable {

  private final OrtEnvironment env;
  private final OrtSession session;
  private final List<TensorSpec> inputs;
  private final List<TensorSpec> outputs;
  private final Map<String, TensorSpec> inputsByName = new HashMap<>();
  private final Map<String, TensorSpec> outputsByName = new HashMap<>();
  private final List<NamedDimension> namedDimensions;

  private final Object lock = new Object();
  private int runsInFlight;
  private boolean closing;
  private final CountDownLatch sessionClosed = new CountDownLatch(1);

  OnnxModel(
      OrtEnvironment env,
      OrtSession session,
      List<TensorSpec> inputs,
      List<TensorSpec> outputs,
      Map<String, String[]> dimensionNames) {
    this.env = env;
    this.session = session;
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
    this.namedDimensions = NamedDimension.of(inputs, dimensionNames);
    inputs.forEach(s -> inputsByName.put(s.name(), s));
    outputs.forEach(s -> outputsByName.put(s.name(), s));
  }

  /** The inputs a run needs, in model order; -1 marks a dynamic dimension. */
  public List<TensorSpec> inputs() {
    return inputs;
  }

  /** The outputs a run can return, in model order; -1 marks a dynamic dimension. */
  public List<TensorSpec> outputs() {
    return outputs;
  }

  @Override
  public Tensor[] run(Tensor[] inputs, String[] outputNames) {
    enter();
    try {
      return runOpen(inputs, outputNames);
    } finally {
      exit();
    }
  }

  /**
   * Stops accepting runs and releases the session once the runs in flight have finished, which
   * may be after this returns (see {@link #awaitClosed}).
   */
  @Override
  public void close() {
    boolean closeNow;
    synchronized (lock) {
      if (closing) {
        return;
      }
      closing = true;
      closeNow = runsInFlight == 0;
    }
    if (closeNow) {
      closeSession();
    }
  }

  /** Waits until the session has been released after {@link #close()}; true if it has. */
  public boolean awaitClosed(Duration timeout) throws InterruptedException {
    return sessionClosed.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void enter() {
    synchronized (lock) {
      if (closing) {
        throw new RuntimeFailure("model is unloading", false, null);
      }
      runsInFlight++;
    }
  }

  private void exit() {
    boolean closeNow;
    synchronized (lock) {
      runsInFlight--;
      closeNow = closing && runsInFlight == 0;
    }
    if (closeNow) {
      closeSession();
    }
  }

  private void closeSession() {
    try {
      session.close();
    } catch (OrtException e) {
      // Nothing runs on it any more; a failed release only leaks memory, it cannot hurt requests.
    } finally {
      sessionClosed.countDown();
    }
  }

  private Tensor[] runOpen(Tensor[] given, String[] outputNames) {
    List<TensorSpec> requested = requestedOutputs(outputNames);
    checkInputs(given);
    Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
    try {
      for (Tensor tensor : given) {
        feeds.put(tensor.name(), OrtTensors.toOrt(env, tensor));
      }
      Set<String> fetches = new LinkedHashSet<>();
      requested.forEach(s -> fetches.add(s.name()));
      try (OrtSession.Result result = session.run(feeds, fetches)) {
        Tensor[] out = new Tensor[requested.size()];
        for (int i = 0; i < out.length; i++) {
          TensorSpec spec = requested.get(i);
          OnnxValue value =
              result
                  .get(spec.name())
                  .orElseThrow(() -> new IllegalStateException("ONNX Runtime returned no " + spec.name()));
          if (!(value instanceof OnnxTensor tensor)) {
            throw new IllegalStateException("output " + spec.name() + " is not a tensor");
          }
          out[i] = OrtTensors.fromOrt(spec.name(), spec.datatype(), tensor);
        }
        return out;
      }
    } catch (OrtException e) {
      // INVALID_ARGUMENT is ORT refusing the inputs (e.g. dims that must agree do not), after
      // the checks here; anything else is the engine or the model failing.
      boolean clientError = e.getCode() == OrtException.OrtErrorCode.ORT_INVALID_ARGUMENT;
      throw new RuntimeFailure("ONNX Runtime failed: " + e.getMessage(), clientError, e);
    } catch (RuntimeFailure e) {
      throw e;
    } catch (RuntimeException e) {
      throw new RuntimeFailure("running the model failed: " + e.getMessage(), false, e);
    } finally {
      feeds.values().forEach(OnnxTensor::close);
    }
  }

  private List<TensorSpec> requestedOutputs(String[] names) {
    if (names == null || names.length == 0) {
      return outputs;
    }
    List<TensorSpec> requested = new ArrayList<>(names.length);
    Set<String> seen = new LinkedHashSet<>();
    for (String name : names) {
      TensorSpec spec = outputsByName.get(name);
      if (spec == null) {
        throw clientError("unknown output '" + name + "'; the model's outputs are " + names(outputs));
      }
      if (!seen.add(name)) {
        throw clientError("output '" + name + "' is requested twice");
      }
      requested.add(spec);
    }
    return requested;
  }

  private void checkInputs(Tensor[] given) {
    if (given == null) {
      throw clientError("no inputs given; the model needs " + names(inputs));
    }
    Set<String> seen = new LinkedHashSet<>();
    for (Tensor tensor : given) {
      if (tensor == null) {
        throw clientError("an input is missing (null)");
      }
      TensorSpec spec = inputsByName.get(tensor.name());
      if (spec == null) {
        throw clientError("unknown input '" + tensor.name() + "'; the model's inputs are " + names(inputs));
      }
      if (!seen.add(tensor.name())) {
        throw clientError("input '" + tensor.name() + "' is given twice");
      }
      checkInput(tensor, spec);
    }
    if (seen.size() != inputs.size()) {
      List<String> missing = new ArrayList<>();
      for (TensorSpec spec : inputs) {
        if (!seen.contains(spec.name())) {
          missing.add(spec.name());
        }
      }
      throw clientError("missing input(s) " + missing);
    }
    checkNamedDimensions(given);
  }

  // ORT does not hold inputs to their shared dimension names; a disagreement would surface as an
  // obscure kernel error, or not at all when broadcasting hides it.
  private void checkNamedDimensions(Tensor[] given) {
    Map<String, Tensor> byName = new HashMap<>();
    for (Tensor tensor : given) {
      byName.put(tensor.name(), tensor);
    }
    Map<String, NamedDimension> firstSeen = new HashMap<>();
    Map<String, Long> sizes = new HashMap<>();
    for (NamedDimension dim : namedDimensions) {
      long size = byName.get(dim.input()).shape()[dim.axis()];
      Long agreed = sizes.putIfAbsent(dim.name(), size);
      firstSeen.putIfAbsent(dim.name(), dim);
      if (agreed != null && agreed != size) {
        NamedDimension first = firstSeen.get(dim.name());
        throw clientError(
            "dimension '" + dim.name() + "' is " + agreed + " in input '" + first.input() + "' (axis "
                + first.axis() + ") but " + size + " in input '" + dim.input() + "' (axis " + dim.axis() + ")");
      }
    }
  }

  private static void checkInput(Tensor tensor, TensorSpec spec) {
    String name = "input '" + tensor.name() + "'";
    if (tensor.datatype() != spec.datatype()) {
      throw clientError(name + " has datatype " + tensor.datatype() + "; the model expects " + spec.datatype());
    }
    long[] shape = tensor.shape();
    for (long d : shape) {
      if (d < 0) {
        throw clientError(name + " has a negative dimension in shape " + Arrays.toString(shape));
      }
    }
    if (!spec.accepts(shape)) {
      throw clientError(
          name + " has shape " + Arrays.toString(shape) + "; the model expects "
              + Arrays.toString(spec.shape()) + " (-1: any size)");
    }
    DataType datatype = tensor.datatype();
    long count;
    long expectedBytes;
    try {
      count = tensor.elementCount();
      expectedBytes = datatype.isFixedSize() ? Math.multiplyExact(count, datatype.elementSize()) : -1;
    } catch (ArithmeticException e) {
      throw clientError(name + " has shape " + Arrays.toString(shape) + ", too many elements");
    }
    if (datatype.isFixedSize() && tensor.data().length != expectedBytes) {
      throw clientError(
          name + " has " + tensor.data().length + " bytes of data; shape " + Arrays.toString(shape)
              + " of " + datatype + " needs " + expectedBytes);
    }
  }

  private static List<String> names(List<TensorSpec> specs) {
    return specs.stream().map(TensorSpec::name).toList();
  }

  private static RuntimeFailure clientError(String message) {
    return new RuntimeFailure(message, true, null);
  }
}

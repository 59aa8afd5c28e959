package io.rigserve.serving.fuzz;

import com.google.protobuf.ByteString;
import io.rigserve.proto.inference.InferParameter;
import io.rigserve.proto.inference.InferTensorContents;
import io.rigserve.proto.inference.ModelInferRequest;
import io.rigserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.rigserve.proto.inference.ModelInferRequest.InferRequestedOutputTensor;
import io.rigserve.serving.testmodels.TestModels;
import io.rigserve.sharding.tensor.DataType;
import java.util.List;

/**
 * Valid {@code ModelInferRequest}s for the served models, and field mutations of them: names,
 * datatypes, shapes, typed contents and raw contents that disagree with each other, parameters
 * of every kind, requested outputs.
 */
final class InferRequestMutations {

  static final List<ModelInferRequest> VALID = List.of(
      RigWatch.GRPC_INFER,
      ModelInferRequest.newBuilder().setModelName("mlp")
          .addInputs(typed("features", "FP32", InferTensorContents.newBuilder()
              .addFp32Contents(1).addFp32Contents(2).addFp32Contents(3).addFp32Contents(4), 1, 4))
          .addInputs(typed("offset", "FP32", InferTensorContents.newBuilder()
              .addFp32Contents(0).addFp32Contents(0).addFp32Contents(0), 1, 3))
          .addOutputs(InferRequestedOutputTensor.newBuilder().setName("label"))
          .build(),
      ModelInferRequest.newBuilder().setModelName("cast").setModelVersion("1")
          .addInputs(typed("ints", "INT32", InferTensorContents.newBuilder().addIntContents(5).addIntContents(6), 1, 2))
          .build(),
      typesRequest());

  private static final List<String> DATATYPES = List.of("BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16",
      "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES", "BF16", "fp32", "", "FLOAT");

  private InferRequestMutations() {}

  static ModelInferRequest mutate(ModelInferRequest valid, HostileInputs in) {
    ModelInferRequest.Builder b = valid.toBuilder();
    int rounds = 1 + (in.chance(0.3) ? in.below(4) : 0);
    for (int r = 0; r < rounds; r++) mutateOnce(b, in);
    return b.build();
  }

  private static void mutateOnce(ModelInferRequest.Builder b, HostileInputs in) {
    int inputs = b.getInputsCount();
    int which = inputs == 0 ? 0 : in.below(inputs);
    switch (in.below(14)) {
      case 0 -> b.setModelName(in.string());
      case 1 -> b.setModelVersion(in.string());
      case 2 -> b.setId(in.string());
      case 3 -> b.putParameters(in.chance(0.5) ? in.pick("timeout", "priority", "sequence_id", "binary_data_output") : in.string(),
          parameter(in));
      case 4 -> {
        if (inputs == 0) break;
        InferInputTensor.Builder t = b.getInputsBuilder(which).clearShape();
        int rank = in.pick(0, 1, 2, 3, 4, 8, 64, 1000);
        for (int d = 0; d < rank; d++) t.addShape(in.dimension());
      }
      case 5 -> {
        if (inputs > 0) b.getInputsBuilder(which).setDatatype(in.pick(DATATYPES));
      }
      case 6 -> {
        if (inputs > 0) b.getInputsBuilder(which).setName(in.string());
      }
      case 7 -> {
        if (inputs > 0) b.getInputsBuilder(which).setContents(contents(in));
      }
      case 8 -> {
        // Raw contents: resized, truncated, added, removed, or alongside typed contents.
        int raws = b.getRawInputContentsCount();
        if (raws > 0 && in.chance(0.5)) {
          int at = in.below(raws);
          byte[] bytes = b.getRawInputContents(at).toByteArray();
          b.setRawInputContents(at, ByteString.copyFrom(in.mutate(bytes)));
        } else if (in.chance(0.5)) {
          b.addRawInputContents(ByteString.copyFrom(in.bytes()));
        } else if (raws > 0) {
          List<ByteString> kept = b.getRawInputContentsList().subList(0, raws - 1);
          List<ByteString> copy = List.copyOf(kept);
          b.clearRawInputContents().addAllRawInputContents(copy);
        } else {
          b.addRawInputContents(ByteString.copyFrom(new byte[in.pick(0, 1, 3, 15, 16, 17, 4096)]));
        }
      }
      case 9 -> {
        if (inputs > 0) b.addInputs(b.getInputs(which));
      }
      case 10 -> {
        int n = in.pick(100, 1000, 5000);
        for (int k = 0; k < n; k++) b.addInputs(InferInputTensor.newBuilder().setName("x" + k).setDatatype("FP32").addShape(1));
      }
      case 11 -> b.addOutputs(InferRequestedOutputTensor.newBuilder().setName(in.string())
          .putParameters(in.string(), parameter(in)));
      case 12 -> {
        if (inputs > 0) b.getInputsBuilder(which).putParameters(in.string(), parameter(in));
      }
      default -> {
        if (inputs > 0) b.removeInputs(which);
      }
    }
  }

  static InferParameter parameter(HostileInputs in) {
    return switch (in.below(3)) {
      case 0 -> InferParameter.newBuilder().setBoolParam(in.chance(0.5)).build();
      case 1 -> InferParameter.newBuilder().setInt64Param(in.dimension()).build();
      default -> InferParameter.newBuilder().setStringParam(in.string()).build();
    };
  }

  /** Typed contents of a random family and length, often not the datatype's. */
  private static InferTensorContents contents(HostileInputs in) {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    int n = in.chance(0.02) ? 200_000 : in.pick(0, 1, 2, 3, 4, 7, 8, 64);
    int family = in.below(8);
    for (int i = 0; i < n; i++) {
      switch (family) {
        case 0 -> c.addBoolContents(in.chance(0.5));
        case 1 -> c.addIntContents(in.random.nextInt());
        case 2 -> c.addInt64Contents(in.random.nextLong());
        case 3 -> c.addUintContents(in.random.nextInt());
        case 4 -> c.addUint64Contents(in.random.nextLong());
        case 5 -> c.addFp32Contents(in.pick(Float.NaN, Float.POSITIVE_INFINITY, -0f, Float.MAX_VALUE, 1f));
        case 6 -> c.addFp64Contents(in.pick(Double.NaN, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, 1d));
        default -> c.addBytesContents(ByteString.copyFromUtf8(in.string()));
      }
    }
    return c.build();
  }

  private static InferInputTensor.Builder typed(String name, String datatype, InferTensorContents.Builder contents, long... shape) {
    InferInputTensor.Builder t = InferInputTensor.newBuilder().setName(name).setDatatype(datatype).setContents(contents);
    for (long d : shape) t.addShape(d);
    return t;
  }

  /** Every datatype of the identity model at once, as raw contents of two elements each. */
  private static ModelInferRequest typesRequest() {
    ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName("types");
    for (DataType type : DataType.values()) {
      byte[] data = type == DataType.BYTES ? new byte[] {1, 0, 0, 0, 'a', 0, 0, 0, 0} : new byte[2 * type.elementSize()];
      b.addInputs(InferInputTensor.newBuilder().setName(TestModels.identityInput(type)).setDatatype(type.name()).addShape(2));
      b.addRawInputContents(ByteString.copyFrom(data));
    }
    return b.build();
  }
}

package io.rigserve.serving.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.rigserve.serving.ServedModels;
import io.rigserve.serving.TestRig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What a generic gRPC client (grpcurl, a load balancer) finds on a rig's gRPC port, asked with
 * grpc-java and hand-encoded messages: server reflection lists the services and serves their
 * files, and methods that are not served answer UNIMPLEMENTED.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcDiscoveryTest {

  private static final String REFLECTION = "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
  private static final String REFLECTION_V1 = "grpc.reflection.v1.ServerReflection/ServerReflectionInfo";

  /** The rig's request limit, small so a long reflection session passes it many times over. */
  private static final int MAX_REQUEST_BYTES = 64 * 1024;

  private TestRig rig;
  private ManagedChannel channel;

  @BeforeAll
  void start() throws Exception {
    Path repository = Files.createTempDirectory("rigserve-discovery");
    ServedModels.writeRepository(repository);
    rig = TestRig.start(repository, "rigserve.serving.max-request-size = " + MAX_REQUEST_BYTES);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", rig.rig.grpcPort()).usePlaintext().build();
  }

  @AfterAll
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    rig.close();
  }

  @Test
  void reflectionV1AndV1AlphaEachListTheInferenceAndHealthServicesAndServeTheirFiles() throws Exception {
    for (String reflection : List.of(REFLECTION_V1, REFLECTION)) {
      reflectionListsTheServicesAndServesTheirFiles(reflection);
    }
  }

  private void reflectionListsTheServicesAndServesTheirFiles(String reflection) throws Exception {
    Answer listed = call(reflection, MethodDescriptor.MethodType.BIDI_STREAMING, List.of(request(7, "")));
    assertEquals(Status.Code.OK, listed.status().getCode(), String.valueOf(listed.status()));
    List<String> services = new ArrayList<>();
    UnknownFieldSet list = UnknownFieldSet.parseFrom(field(listed.messages().get(0), 6));
    for (ByteString service : list.getField(1).getLengthDelimitedList()) {
      services.add(UnknownFieldSet.parseFrom(service).getField(1).getLengthDelimitedList().get(0).toStringUtf8());
    }
    assertTrue(services.containsAll(List.of("inference.GRPCInferenceService", "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection")), services.toString());

    Answer files = call(reflection, MethodDescriptor.MethodType.BIDI_STREAMING, List.of(
        request(4, "inference.GRPCInferenceService"), request(3, "model_config.proto")));
    assertEquals(Status.Code.OK, files.status().getCode(), String.valueOf(files.status()));
    assertEquals(2, files.messages().size(), "one answer per request of the stream");
    FileDescriptorProto service = fileOf(files.messages().get(0), "grpc_service.proto");
    List<String> methods = service.getService(0).getMethodList().stream().map(MethodDescriptorProto::getName).toList();
    assertTrue(methods.containsAll(List.of("ModelInfer", "ModelStreamInfer", "ModelConfig", "ModelStatistics",
        "RepositoryIndex", "RepositoryModelLoad", "RepositoryModelUnload")), methods.toString());
    FileDescriptorProto config = fileOf(files.messages().get(1), "model_config.proto");
    assertTrue(config.getMessageTypeList().stream().anyMatch(m -> m.getName().equals("ModelConfig")));

    Answer nested = call(reflection, MethodDescriptor.MethodType.BIDI_STREAMING, List.of(
        request(4, "inference.ModelInferRequest.InferInputTensor"), request(4, "inference.Nothing")));
    fileOf(nested.messages().get(0), "grpc_service.proto");
    UnknownFieldSet error = UnknownFieldSet.parseFrom(field(nested.messages().get(1), 7));
    assertEquals(Status.Code.NOT_FOUND.value(), error.getField(1).getVarintList().get(0).intValue());
  }

  @Test
  void aReflectionSessionIsLimitedPerMessageNotByAllItSentOverTheStream() throws Exception {
    for (String reflection : List.of(REFLECTION_V1, REFLECTION)) {
      List<byte[]> requests = new ArrayList<>();
      byte[] one = request(3, "x".repeat(1000));
      while (requests.size() * one.length < 3 * MAX_REQUEST_BYTES) requests.add(one);
      Answer a = call(reflection, MethodDescriptor.MethodType.BIDI_STREAMING, requests);
      assertEquals(Status.Code.OK, a.status().getCode(), reflection + ": " + a.status());
      assertEquals(requests.size(), a.messages().size(), "an answer (NOT_FOUND) to each request");
    }
  }

  @Test
  void methodsAndServicesThatAreNotServedAnswerUnimplemented() throws Exception {
    for (String method : List.of("inference.GRPCInferenceService/SystemSharedMemoryStatus",
        "inference.GRPCInferenceService/CudaSharedMemoryRegister", "inference.GRPCInferenceService/Trace",
        "grpc.health.v1.Health/Nope", "grpc.reflection.v1.ServerReflection/Nope",
        "grpc.reflection.v2.ServerReflection/ServerReflectionInfo", "other.Service/Call")) {
      Answer a = call(method, MethodDescriptor.MethodType.UNARY, List.of(new byte[0]));
      assertEquals(Status.Code.UNIMPLEMENTED, a.status().getCode(), method + ": " + a.status());
    }
  }

  @Test
  void garbageToAStreamingMethodIsInvalidArgumentAndTheRigKeepsAnswering() throws Exception {
    for (String method : List.of(REFLECTION, REFLECTION_V1, "inference.GRPCInferenceService/ModelStreamInfer")) {
      Answer a = call(method, MethodDescriptor.MethodType.BIDI_STREAMING, List.of(new byte[] {(byte) 0xff, 0x01, 0x02}));
      assertEquals(Status.Code.INVALID_ARGUMENT, a.status().getCode(), method + ": " + a.status());
    }
    Answer listed = call(REFLECTION_V1, MethodDescriptor.MethodType.BIDI_STREAMING, List.of(request(7, "")));
    assertEquals(Status.Code.OK, listed.status().getCode(), String.valueOf(listed.status()));
  }

  private record Answer(Status status, List<byte[]> messages) {}

  private Answer call(String method, MethodDescriptor.MethodType type, List<byte[]> requests) throws Exception {
    MethodDescriptor<byte[], byte[]> descriptor = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(type).setFullMethodName(method).setRequestMarshaller(RAW).setResponseMarshaller(RAW).build();
    ClientCall<byte[], byte[]> call = channel.newCall(descriptor, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS));
    List<byte[]> received = new ArrayList<>();
    CompletableFuture<Status> closed = new CompletableFuture<>();
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onMessage(byte[] message) {
        synchronized (received) {
          received.add(message);
        }
        call.request(1);
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        closed.complete(status);
      }
    }, new Metadata());
    call.request(1);
    requests.forEach(call::sendMessage);
    call.halfClose();
    Status status = closed.get(30, TimeUnit.SECONDS);
    synchronized (received) {
      return new Answer(status, List.copyOf(received));
    }
  }

  /** A ServerReflectionRequest with one string field set (3 file_by_filename, 4 file_containing_symbol, 7 list_services). */
  private static byte[] request(int field, String value) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeString(field, value);
    out.flush();
    return bytes.toByteArray();
  }

  private static ByteString field(byte[] message, int number) throws IOException {
    List<ByteString> values = UnknownFieldSet.parseFrom(message).getField(number).getLengthDelimitedList();
    if (values.isEmpty()) throw new AssertionError("no field " + number + " in " + UnknownFieldSet.parseFrom(message));
    return values.get(0);
  }

  /** The file named {@code name} among the file_descriptor_response (field 4) of a reflection answer. */
  private static FileDescriptorProto fileOf(byte[] answer, String name) throws IOException {
    UnknownFieldSet files = UnknownFieldSet.parseFrom(field(answer, 4));
    for (ByteString file : files.getField(1).getLengthDelimitedList()) {
      FileDescriptorProto proto = FileDescriptorProto.parseFrom(file);
      if (proto.getName().equals(name)) return proto;
    }
    throw new AssertionError("no file " + name + " in the answer");
  }

  private static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  };
}

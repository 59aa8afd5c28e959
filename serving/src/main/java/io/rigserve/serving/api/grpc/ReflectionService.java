package io.rigserve.serving.api.grpc;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpc.Status;
import io.rigserve.cluster.http.ClientText;
import io.rigserve.proto.reflection.ErrorResponse;
import io.rigserve.proto.reflection.ExtensionNumberResponse;
import io.rigserve.proto.reflection.FileDescriptorResponse;
import io.rigserve.proto.reflection.ListServiceResponse;
import io.rigserve.proto.reflection.ServerReflection;
import io.rigserve.proto.reflection.ServerReflectionRequest;
import io.rigserve.proto.reflection.ServerReflectionResponse;
import io.rigserve.proto.reflection.ServiceResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.NotUsed;
import org.apache.pekko.grpc.ServiceDescription;
import org.apache.pekko.stream.javadsl.Source;

/**
 * gRPC server reflection over the services a rig serves, so grpcurl can list, describe and call
 * them: v1alpha, and v1 ({@link #v1()}) whose messages are the same bytes in another package. Written here rather than Pekko gRPC's {@code ServerReflection} because that one
 * answers a malformed request with INTERNAL; this one runs behind the rig's error mapping
 * (INVALID_ARGUMENT), and answers each request of the stream in order.
 */
public final class ReflectionService implements ServerReflection {

  private final List<String> services;
  /** Every file by name, dependencies included. */
  private final Map<String, FileDescriptor> files = new LinkedHashMap<>();
  /** The file that defines each fully-qualified symbol (service, method, message, enum). */
  private final Map<String, FileDescriptor> symbols = new LinkedHashMap<>();

  public ReflectionService(List<ServiceDescription> described) {
    this.services = described.stream().map(ServiceDescription::name).toList();
    described.forEach(d -> add(d.descriptor()));
  }

  @Override
  public Source<ServerReflectionResponse, NotUsed> serverReflectionInfo(Source<ServerReflectionRequest, NotUsed> in) {
    return in.map(this::answer);
  }

  /**
   * The same service as {@code grpc.reflection.v1.ServerReflection}: each request re-read as its
   * v1alpha twin (same field numbers, so the bytes carry over unchanged), answered here, and the
   * answer re-read as v1.
   */
  public io.rigserve.proto.reflection.v1.ServerReflection v1() {
    return in -> in.map(request -> io.rigserve.proto.reflection.v1.ServerReflectionResponse.parseFrom(
        answer(ServerReflectionRequest.parseFrom(request.toByteString())).toByteString()));
  }

  private ServerReflectionResponse answer(ServerReflectionRequest request) {
    ServerReflectionResponse.Builder out = ServerReflectionResponse.newBuilder()
        .setValidHost(request.getHost()).setOriginalRequest(request);
    switch (request.getMessageRequestCase()) {
      case LIST_SERVICES -> {
        ListServiceResponse.Builder list = ListServiceResponse.newBuilder();
        services.forEach(s -> list.addService(ServiceResponse.newBuilder().setName(s)));
        out.setListServicesResponse(list);
      }
      case FILE_BY_FILENAME -> withFile(out, files.get(request.getFileByFilename()), "no file " + request.getFileByFilename());
      case FILE_CONTAINING_SYMBOL -> withFile(out, symbols.get(request.getFileContainingSymbol()),
          "no symbol " + request.getFileContainingSymbol());
      case ALL_EXTENSION_NUMBERS_OF_TYPE -> {
        String type = request.getAllExtensionNumbersOfType();
        if (symbols.containsKey(type)) {
          out.setAllExtensionNumbersResponse(ExtensionNumberResponse.newBuilder().setBaseTypeName(type));
        } else {
          error(out, Status.Code.NOT_FOUND, "no type " + type);
        }
      }
      case FILE_CONTAINING_EXTENSION -> error(out, Status.Code.NOT_FOUND, "the services define no extensions");
      case MESSAGEREQUEST_NOT_SET -> error(out, Status.Code.INVALID_ARGUMENT, "the request asks for nothing");
    }
    return out.build();
  }

  /** The file and every file it depends on, the file first, as grpcurl expects. */
  private static void withFile(ServerReflectionResponse.Builder out, FileDescriptor file, String missing) {
    if (file == null) {
      error(out, Status.Code.NOT_FOUND, missing);
      return;
    }
    Set<FileDescriptor> all = new LinkedHashSet<>();
    collect(file, all);
    FileDescriptorResponse.Builder response = FileDescriptorResponse.newBuilder();
    all.forEach(f -> response.addFileDescriptorProto(f.toProto().toByteString()));
    out.setFileDescriptorResponse(response);
  }

  private static void collect(FileDescriptor file, Set<FileDescriptor> into) {
    if (!into.add(file)) return;
    file.getDependencies().forEach(d -> collect(d, into));
  }

  private static void error(ServerReflectionResponse.Builder out, Status.Code code, String message) {
    out.setErrorResponse(ErrorResponse.newBuilder().setErrorCode(code.value()).setErrorMessage(ClientText.message(message)));
  }

  private void add(FileDescriptor file) {
    if (files.putIfAbsent(file.getName(), file) != null) return;
    for (ServiceDescriptor s : file.getServices()) {
      symbols.put(s.getFullName(), file);
      s.getMethods().forEach(m -> symbols.put(m.getFullName(), file));
    }
    List<Descriptor> messages = new ArrayList<>(file.getMessageTypes());
    while (!messages.isEmpty()) {
      Descriptor m = messages.remove(messages.size() - 1);
      symbols.put(m.getFullName(), file);
      m.getEnumTypes().forEach(e -> symbols.put(e.getFullName(), file));
      messages.addAll(m.getNestedTypes());
    }
    for (EnumDescriptor e : file.getEnumTypes()) symbols.put(e.getFullName(), file);
    file.getDependencies().forEach(this::add);
  }
}

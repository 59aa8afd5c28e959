package io.rigserve.serving.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code rigserve}: the operators' command line over a rig's management endpoint (and its REST
 * endpoint for the model repository). Exit code 0 on success, 1 when the rig refused or could
 * not be reached (the reason on stderr), 2 for a usage error.
 */
@Command(name = "rigserve", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, version = "rigserve 0.1.0",
    description = "Operate a rigserve cluster through one of its rigs.",
    subcommands = {StatusCommand.class, RegionsCommand.class, ModelsCommand.class, RoutingCommand.class,
        UploadCommand.class, LoadCommand.class, UnloadCommand.class, DrainCommand.class, DownCommand.class},
    footer = {"", "Every command takes --url, --rest-url, --token-file, --ca-file, --timeout and --json; "
        + "the admin token may also come from $RIGSERVE_ADMIN_TOKEN or $RIGSERVE_ADMIN_TOKEN_FILE."})
public final class RigserveCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command");
  }

  /** The command line, ready to execute; a refused call prints the rig's reason and exits with 1. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new RigserveCommand());
    cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
      if (!(e instanceof CommandFailure)) throw e;
      commandLine.getErr().println("rigserve: " + e.getMessage());
      commandLine.getErr().flush();
      return 1;
    });
    return cli;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}

package dev.ferry.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * The {@code ferry} command: the top of the command tree, and the runnable jar's entry point.
 * <p>
 * Exit codes: 0 success, 1 the command ran and failed (the message says why), 2 bad usage (picocli
 * prints the usage). Errors are one line on stderr, never a stack trace: Ferry's messages say what
 * happened, to what, and what to do, which is what a user needs.
 */
@Command(
    name = "ferry",
    mixinStandardHelpOptions = true,
    versionProvider = FerryCommand.VersionProvider.class,
    description = "Moves events (metadata plus off-heap data) from the programs that make them to the programs " +
        "that use them: metadata over Aeron, data pulled by RDMA READ or shared memory.",
    subcommands = {
        PipelineCommand.class,
        ServerCommand.class,
        TopicCommand.class,
        ProduceCommand.class,
        ConsumeCommand.class,
        CommandLine.HelpCommand.class })
public final class FerryCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    /**
     * Run the command and exit with its code.
     *
     * @param args the command line.
     */
    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    /**
     * @return the command tree, with Ferry's handling of errors installed; run it with
     * {@link CommandLine#execute(String...)}.
     */
    public static CommandLine commandLine()
    {
        return new CommandLine(new FerryCommand()).setExecutionExceptionHandler(FerryCommand::oneLineError);
    }

    /**
     * {@code ferry} alone names no work to do.
     *
     * @return never returns normally.
     * @throws ParameterException always, so that picocli prints the usage and exits 2.
     */
    public Integer call()
    {
        throw new ParameterException(
            spec.commandLine(), "Missing a command: ferry pipeline, server, topic, produce, consume; or ferry help");
    }

    private static int oneLineError(
        final Exception ex, final CommandLine commandLine, final CommandLine.ParseResult parseResult)
    {
        final String message = null != ex.getMessage() ? ex.getMessage() : ex.toString();
        commandLine.getErr().println(
            commandLine.getColorScheme().errorText(commandLine.getCommandSpec().qualifiedName() + ": " + message));
        commandLine.getErr().flush();

        return CommandLine.ExitCode.SOFTWARE;
    }

    /**
     * {@code ferry --version}: Ferry's version and the JVM it runs on.
     */
    static final class VersionProvider implements CommandLine.IVersionProvider
    {
        public String[] getVersion() throws IOException
        {
            final Properties properties = new Properties();
            try (InputStream in = FerryCommand.class.getResourceAsStream("version.properties"))
            {
                if (null != in)
                {
                    properties.load(in);
                }
            }

            return new String[]
            {
                "ferry " + properties.getProperty("version", "(version unknown: built outside Maven)"),
                "JVM: " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.vendor") + " " +
                    System.getProperty("java.vm.name") + ")",
                "OS: " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " " +
                    System.getProperty("os.arch"),
            };
        }
    }
}

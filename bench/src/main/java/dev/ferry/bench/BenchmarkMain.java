package dev.ferry.bench;

import org.openjdk.jmh.runner.Defaults;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.ProfilersFailedException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The entry point of {@code benchmarks.jar}: JMH's own command line, with Ferry's JVM flags appended
 * to every forked benchmark JVM.
 * <p>
 * JMH starts each fork as a plain {@code java} command, so flags given to the launching JVM (or in
 * the jar's manifest) never reach the code being measured. The flags are read from the
 * {@value #FLAGS_RESOURCE} resource, which the build fills from the root pom's
 * {@code ferry.jvm.flags}, and go first among the forks' appended arguments, so that a
 * {@code -jvmArgsAppend} on the command line comes after them and can override them.
 * <p>
 * Benchmarks run in-process ({@code -f 0}) get only the flags of the launching JVM: pass them to
 * {@code java} yourself then.
 */
public final class BenchmarkMain
{
    /**
     * Class-path resource holding the JVM flags, separated by whitespace.
     */
    public static final String FLAGS_RESOURCE = "/ferry-jvm.flags";

    private BenchmarkMain()
    {
    }

    /**
     * Run JMH as its own {@code org.openjdk.jmh.Main} would, forks getting Ferry's JVM flags.
     *
     * @param args JMH's command line; {@code -h} lists the options.
     * @throws IOException if the help text cannot be written.
     */
    public static void main(final String[] args) throws IOException
    {
        final CommandLineOptions commandLine;
        try
        {
            commandLine = new CommandLineOptions(args);
        }
        catch (final CommandLineOptionException ex)
        {
            System.err.println("Error parsing command line:");
            System.err.println(" " + ex.getMessage());
            System.exit(1);
            return;
        }

        final Runner runner = new Runner(withFerryFlags(commandLine, readFlags()));
        if (commandLine.shouldHelp())
        {
            commandLine.showHelp();
        }
        else if (commandLine.shouldList())
        {
            runner.list();
        }
        else if (commandLine.shouldListWithParams())
        {
            runner.listWithParams(commandLine);
        }
        else if (commandLine.shouldListProfilers())
        {
            commandLine.listProfilers();
        }
        else if (commandLine.shouldListResultFormats())
        {
            commandLine.listResultFormats();
        }
        else
        {
            run(runner, commandLine);
        }
    }

    /**
     * @param commandLine the user's JMH options.
     * @param flags       Ferry's JVM flags.
     * @return the user's options with the flags appended to every fork's JVM arguments, ahead of
     * any {@code -jvmArgsAppend} the user gave.
     */
    static Options withFerryFlags(final CommandLineOptions commandLine, final List<String> flags)
    {
        final List<String> append = new ArrayList<>(flags);
        append.addAll(commandLine.getJvmArgsAppend().orElse(Collections.emptyList()));

        return new OptionsBuilder()
            .parent(commandLine)
            .jvmArgsAppend(append.toArray(new String[0]))
            .build();
    }

    /**
     * @return the flags in {@value #FLAGS_RESOURCE}, in order.
     * @throws IllegalStateException if the resource is missing or was not filled in by the build.
     */
    public static List<String> readFlags()
    {
        final String text;
        try (InputStream in = BenchmarkMain.class.getResourceAsStream(FLAGS_RESOURCE))
        {
            if (null == in)
            {
                throw new IllegalStateException(
                    "resource " + FLAGS_RESOURCE + " is missing from the class path; run the benchmarks from " +
                    "bench/target/benchmarks.jar as built by: mvn -pl bench -am -DskipTests package");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read resource " + FLAGS_RESOURCE + ": " + ex, ex);
        }

        if (text.contains("${"))
        {
            throw new IllegalStateException(
                "resource " + FLAGS_RESOURCE + " holds '" + text + "', not JVM flags: it was not filtered by Maven; " +
                "build the jar with: mvn -pl bench -am -DskipTests package");
        }

        return text.isEmpty() ? Collections.emptyList() : Arrays.asList(text.split("\\s+"));
    }

    private static void run(final Runner runner, final CommandLineOptions commandLine)
    {
        try
        {
            runner.run();
        }
        catch (final NoBenchmarksException ex)
        {
            System.err.println("No matching benchmarks. Miss-spelled regexp?");
            if (VerboseMode.EXTRA != commandLine.verbosity().orElse(Defaults.VERBOSITY))
            {
                System.err.println("Use " + VerboseMode.EXTRA + " verbose mode to debug the pattern matching.");
            }
            else
            {
                runner.list();
            }
            System.exit(1);
        }
        catch (final ProfilersFailedException ex)
        {
            for (Throwable cause = ex; null != cause; cause = cause.getCause())
            {
                System.err.println(cause.getMessage());
                for (final Throwable suppressed : cause.getSuppressed())
                {
                    System.err.println(suppressed.getMessage());
                }
            }
            System.exit(1);
        }
        catch (final RunnerException ex)
        {
            System.err.print("ERROR: ");
            ex.printStackTrace(System.err);
            System.exit(1);
        }
    }
}

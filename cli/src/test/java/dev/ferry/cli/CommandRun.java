package dev.ferry.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One in-process run of the {@code ferry} command, with what it printed.
 */
final class CommandRun
{
    final int exitCode;
    final String out;
    final String err;

    private CommandRun(final int exitCode, final String out, final String err)
    {
        this.exitCode = exitCode;
        this.out = out;
        this.err = err;
    }

    /**
     * @param args the command line after {@code ferry}.
     * @return how it ended.
     */
    static CommandRun ferry(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exitCode = FerryCommand.commandLine()
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);

        return new CommandRun(exitCode, out.toString(), err.toString());
    }

    public String toString()
    {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}

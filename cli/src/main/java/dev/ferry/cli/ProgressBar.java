package dev.ferry.cli;

import java.io.Console;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * A one-line progress bar drawn on the terminal, redrawn at most ten times a second and erased on
 * close, so that what the command prints to stdout stays clean when it is piped or captured.
 */
final class ProgressBar implements LongConsumer, AutoCloseable
{
    private static final int WIDTH = 30;
    private static final long REDRAW_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final PrintWriter terminal;
    private final long total;
    private long lastDrawNs;
    private int lastLength;

    private ProgressBar(final PrintWriter terminal, final long total)
    {
        this.terminal = terminal;
        this.total = total;
        this.lastDrawNs = System.nanoTime() - REDRAW_INTERVAL_NS;
    }

    /**
     * @param total the count at which the work is done.
     * @return a bar on the process's terminal, or null if it has none (output piped or captured).
     */
    static ProgressBar onTerminal(final long total)
    {
        final Console console = System.console();
        return null != console && isTerminal(console) ? new ProgressBar(console.writer(), total) : null;
    }

    /**
     * Redraw if the last drawing is old enough.
     *
     * @param done count so far.
     */
    public void accept(final long done)
    {
        final long nowNs = System.nanoTime();
        if (nowNs - lastDrawNs < REDRAW_INTERVAL_NS)
        {
            return;
        }
        lastDrawNs = nowNs;

        final int filled = (int)(WIDTH * Math.min(done, total) / total);
        final String line = "[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " +
            (100 * done / total) + "% " + done + "/" + total + " events";
        terminal.print("\r" + line);
        terminal.flush();
        lastLength = line.length();
    }

    /**
     * Erase the bar.
     */
    public void close()
    {
        if (lastLength > 0)
        {
            terminal.print("\r" + " ".repeat(lastLength) + "\r");
            terminal.flush();
        }
    }

    /**
     * From JDK 22 {@link System#console()} may return a console whose streams are redirected; only
     * {@code Console.isTerminal()}, which Java 17 lacks, tells. Before JDK 22 a console is a terminal.
     */
    private static boolean isTerminal(final Console console)
    {
        try
        {
            final Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean)isTerminal.invoke(console);
        }
        catch (final NoSuchMethodException ex)
        {
            return true;
        }
        catch (final ReflectiveOperationException ex)
        {
            return false;
        }
    }
}

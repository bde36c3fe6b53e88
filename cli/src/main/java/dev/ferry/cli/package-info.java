/**
 * The {@code ferry} command: picocli commands over Ferry's library, and the runnable jar's entry
 * point {@link dev.ferry.cli.FerryCommand}.
 * <p>
 * Commands parse and check what the user typed, naming the flag at fault (exit 2 with the usage),
 * then call the library; they hold no transport logic of their own. Errors reach the user as one
 * line (exit 1), never as a stack trace.
 */
package dev.ferry.cli;

/**
 * The {@code ferry} command: picocli commands over Ferry's library, and the runnable jar's entry
 * point {@link dev.ferry.cli.FerryCommand}.
 * <p>
 * Commands parse and check what the user typed, naming the flag at fault (exit 2 with the usage),
 * then call the library; they hold no transport logic of their own. Errors reach the user as one
 * line (exit 1), never as a stack trace.
 * <p>
 * The events the command makes and checks ({@code pipeline}, {@code produce}, {@code consume}) have
 * one metadata format and one check, both in {@link dev.ferry.cli.EventCheck}, so that whatever one
 * command writes another can verify.
 */
package dev.ferry.cli;

/**
 * The Ferry server: topics, partition logs, producer and consumer sessions, driven by one I/O agent
 * ({@code ServerConductor}).
 * <p>
 * Must never: make an event visible before its data is fully in the log, acknowledge a batch it
 * did not store, let one session's bad frame or slow reading harm another, or block its agent.
 */
package dev.ferry.server;

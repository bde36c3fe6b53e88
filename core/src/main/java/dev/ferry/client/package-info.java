/**
 * The client API, after Mofka's: {@link dev.ferry.client.Ferry} (the driver) opens
 * {@link dev.ferry.client.Topic}s, which make {@link dev.ferry.client.Producer}s and
 * {@link dev.ferry.client.Consumer}s. One I/O agent per client does all transport work;
 * application threads talk to it through a command queue and get futures back.
 * <p>
 * Must never: block the agent, wait without a deadline, or complete a push before the server has
 * stored the event.
 */
package dev.ferry.client;

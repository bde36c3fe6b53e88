/**
 * Rules for the I/O agent thread: which thread owns transport state, and the check that keeps
 * blocking calls off it.
 * <p>
 * Must never: hold state itself or start threads; the agents that own state live with their engines.
 */
package dev.ferry.agent;

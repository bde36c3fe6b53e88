/**
 * Pieces shared by the server's and the client's I/O agents.
 * <p>
 * Must never: block, or be used from a thread other than the owning agent's.
 */
package dev.ferry.engine;

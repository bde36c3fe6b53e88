/**
 * The control protocol: SBE codecs generated from {@code src/main/sbe/ferry-protocol.xml} (package
 * {@code dev.ferry.protocol.codecs}) and the validation every inbound frame passes before use
 * ({@link dev.ferry.protocol.InboundFrame}).
 * <p>
 * Must never: read a field of a frame that has not been validated, or let a bad frame from one
 * session harm another.
 */
package dev.ferry.protocol;

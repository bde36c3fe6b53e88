/**
 * The control-plane SPI: reliable, ordered message streams between Ferry processes. Metadata,
 * acknowledgements and session traffic travel here; event data never does.
 * <p>
 * Must never: carry event data, block, or be touched from a thread other than its I/O agent's.
 */
package dev.ferry.channel;

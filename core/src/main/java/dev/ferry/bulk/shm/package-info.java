/**
 * The shared-memory bulk transport: peers on one host map each other's region files read-only and
 * copy from them, or read them in place.
 * <p>
 * Must never: map a file outside Ferry's shared-memory root, map for writing, or unmap memory an
 * in-place view may still point at.
 */
package dev.ferry.bulk.shm;

/**
 * Ferry's shared-memory directory: where every process keeps the files it maps, owner-only, each
 * process in a locked directory of its own that is removed on close and reclaimed after a crash;
 * and {@link dev.ferry.shm.MappedFiles}, the one way those files are created and mapped.
 * <p>
 * Must never: keep or unmap a mapping (it hands each one to its owner, the pool or the log), or
 * remove a directory whose owner lives.
 */
package dev.ferry.shm;

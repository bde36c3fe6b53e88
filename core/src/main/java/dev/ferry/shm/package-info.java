/**
 * Ferry's shared-memory directory: where every process keeps the files it maps, owner-only, each
 * process in a locked directory of its own that is removed on close and reclaimed after a crash.
 * <p>
 * Must never: map memory itself (the pool and the log do), or remove a directory whose owner lives.
 */
package dev.ferry.shm;

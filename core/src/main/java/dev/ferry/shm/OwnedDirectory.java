package dev.ferry.shm;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;

/**
 * A directory under Ferry's shared-memory root that this process owns: it holds the directory's
 * lock for as long as it is open, and {@link #close()} removes the directory with everything in it.
 * <p>
 * If the process dies instead, the kernel drops the lock and the next {@link ShmDirectory#reclaimDead()}
 * (run whenever any Ferry process creates an owned directory) removes it.
 */
public final class OwnedDirectory implements AutoCloseable
{
    private final Path path;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private boolean closed;

    OwnedDirectory(final Path path, final FileChannel lockChannel, final FileLock lock)
    {
        this.path = path;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * @return the directory's absolute path.
     */
    public Path path()
    {
        return path;
    }

    /**
     * Remove the directory and everything in it, then drop its lock. Idempotent.
     */
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;

        ShmDirectory.deleteRecursively(path);
        try
        {
            lock.release();
            lockChannel.close();
        }
        catch (final IOException ignore)
        {
            // the directory is gone; a lock on a deleted file is dropped when the channel goes
        }
        ShmDirectory.forgetOwned(path);
    }

    public String toString()
    {
        return path.toString();
    }
}

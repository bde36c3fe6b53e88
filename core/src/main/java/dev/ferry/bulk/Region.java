package dev.ferry.bulk;

import java.nio.file.Path;

/**
 * Local off-heap memory that a bulk transport can expose to peers: a pool slab or a log segment.
 * <p>
 * A region lives at a fixed address for its whole life and never shrinks, so a peer that was told
 * about it may read any byte of it until it is deregistered.
 */
public interface Region
{
    /**
     * @return the region's id, unique within this process; peers name it in descriptors.
     */
    long regionId();

    /**
     * @return the address of the region's first byte.
     */
    long address();

    /**
     * @return the region's length in bytes.
     */
    long length();

    /**
     * @return the file the region is mapped from, or null if it is not file-backed. The shared-memory
     * transport can expose only file-backed regions.
     */
    Path file();
}

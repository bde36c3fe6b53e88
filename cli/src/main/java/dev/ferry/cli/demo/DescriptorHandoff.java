package dev.ferry.cli.demo;

import dev.ferry.buffer.Segment;
import dev.ferry.bulk.DataDescriptor;
import dev.ferry.bulk.RegionDescriptor;

/**
 * What the producer hands the consumer's I/O agent for one event: where its data lies, the
 * descriptor of its region if the consumer has not been told of that region yet, and the CRC-32C
 * the pulled bytes must have.
 * <p>
 * Ownership: the producer's segment passes to the consumer with the hand-off; the consumer releases
 * it once the data is pulled (or the pull failed), as a server releases a producer's memory once it
 * acknowledges the batch.
 */
final class DescriptorHandoff
{
    final int sequence;
    final Segment source;
    final RegionDescriptor newRegion;
    final DataDescriptor data;
    final int crc32c;
    long handedOverNs;
    Segment destination;

    /**
     * @param sequence  of the event, from 0.
     * @param source    the producer's segment holding the data.
     * @param newRegion the region to attach before pulling, or null if it was sent before.
     * @param data      where the data lies within the producer's region.
     * @param crc32c    of the data as the producer wrote it.
     */
    DescriptorHandoff(
        final int sequence,
        final Segment source,
        final RegionDescriptor newRegion,
        final DataDescriptor data,
        final int crc32c)
    {
        this.sequence = sequence;
        this.source = source;
        this.newRegion = newRegion;
        this.data = data;
        this.crc32c = crc32c;
    }

    /**
     * @return the bytes of data to pull.
     */
    int length()
    {
        return (int)data.length();
    }
}

package dev.ferry.cli.demo;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What one run of the demo moves, and where. The command checks the values before it builds this.
 *
 * @param events     how many events, at least 1.
 * @param eventBytes of data in each event, from 1 to {@link ShmPipelineDemo#MAX_EVENT_BYTES}.
 * @param poolBytes  event data each of the two pools may hold, at least
 *                   {@link ShmPipelineDemo#segmentBytes(int)} of the event size.
 * @param timeout    longest wait for progress: for memory, for room in the queue, for the consumer.
 * @param directory  Ferry's shared-memory root, where both pools map their slabs.
 */
public record PipelineSettings(int events, int eventBytes, long poolBytes, Duration timeout, Path directory)
{
}

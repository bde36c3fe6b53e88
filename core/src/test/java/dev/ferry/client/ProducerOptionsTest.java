package dev.ferry.client;

import dev.ferry.log.PartitionLog;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProducerOptionsTest
{
    @Test
    void pendingBatchesAreBoundedByWhatTheServerRemembersOfAProducer()
    {
        final int most = PartitionLog.REMEMBERED_BATCHES_PER_PRODUCER;
        assertEquals(most, new ProducerOptions().maxPendingBatches(most).maxPendingBatches());

        for (final int wrong : new int[]{ 0, most + 1 })
        {
            final IllegalArgumentException refused =
                assertThrows(IllegalArgumentException.class, () -> new ProducerOptions().maxPendingBatches(wrong));
            assertTrue(refused.getMessage().contains("max pending batches must be from 1 to " + most), refused.getMessage());
        }
    }
}

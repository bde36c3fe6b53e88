package dev.ferry.test;

import dev.ferry.bulk.BulkTransportProvider;
import dev.ferry.bulk.BulkTransports;
import org.junit.jupiter.api.Assumptions;

/**
 * Whether Ferry's {@code rdma} bulk transport can run in this JVM, as its own provider judges (a device, an
 * address on its netdev, the native library): for tests that need it (tagged {@code rdma}, skipped without,
 * run in the soft-RoCE rig) and tests that need it absent.
 */
public final class RdmaSupport
{
    private RdmaSupport()
    {
    }

    /**
     * @return null if the rdma transport can run here, else why not.
     */
    public static String unsupportedReason()
    {
        for (final BulkTransportProvider provider : BulkTransports.providers())
        {
            if ("rdma".equals(provider.name()))
            {
                return provider.unsupportedReason();
            }
        }

        return "the rdma bulk transport (ferry-transport-rdma) is not on the class path";
    }

    /**
     * Skip the calling test, saying why on stdout as well, unless the rdma transport can run here.
     *
     * @param test named in the message.
     */
    public static void assumeSupported(final String test)
    {
        final String reason = unsupportedReason();
        if (null != reason)
        {
            final String message = test + " skipped: " + reason +
                "; the rdma-tagged tests run in the soft-RoCE rig (native/softroce/run-tests)";
            System.out.println(message);
            Assumptions.abort(message);
        }
    }
}

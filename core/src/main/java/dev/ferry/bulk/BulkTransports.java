package dev.ferry.bulk;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The bulk transports present on the class path.
 */
public final class BulkTransports
{
    private BulkTransports()
    {
    }

    /**
     * @return every provider found, supported here or not.
     */
    public static List<BulkTransportProvider> providers()
    {
        final List<BulkTransportProvider> providers = new ArrayList<>();
        for (final BulkTransportProvider provider : ServiceLoader.load(BulkTransportProvider.class))
        {
            providers.add(provider);
        }
        return providers;
    }

    /**
     * @param name of a transport.
     * @return its provider.
     * @throws BulkTransportException naming the transports present if none has that name, or why it
     *                                cannot run here if it is present but unsupported.
     */
    public static BulkTransportProvider provider(final String name)
    {
        final List<String> names = new ArrayList<>();
        for (final BulkTransportProvider provider : providers())
        {
            if (provider.name().equals(name))
            {
                final String reason = provider.unsupportedReason();
                if (null != reason)
                {
                    throw new BulkTransportException("bulk transport '" + name + "' cannot run here: " + reason);
                }
                return provider;
            }
            names.add(provider.name());
        }

        throw new BulkTransportException(
            "no bulk transport named '" + name + "' is on the class path (present: " + String.join(", ", names) + ")");
    }
}

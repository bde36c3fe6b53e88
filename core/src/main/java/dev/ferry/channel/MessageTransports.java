package dev.ferry.channel;

import dev.ferry.FerryException;

import java.util.Iterator;
import java.util.ServiceLoader;

/**
 * The control-plane transport on the class path.
 */
public final class MessageTransports
{
    private MessageTransports()
    {
    }

    /**
     * @return the first provider found.
     * @throws FerryException if none is on the class path.
     */
    public static MessageTransportProvider provider()
    {
        final Iterator<MessageTransportProvider> providers = ServiceLoader.load(MessageTransportProvider.class).iterator();
        if (!providers.hasNext())
        {
            throw new FerryException(
                "no control-plane transport is on the class path; add dev.ferry:ferry-transport-aeron to it");
        }
        return providers.next();
    }
}

package dev.ferry.protocol;

import dev.ferry.FerryException;

/**
 * An inbound frame failed validation: it is not Ferry's protocol, is of an unknown message, or a
 * length in it points outside the frame. The session that sent it is closed; no other is harmed.
 */
public class MalformedFrameException extends FerryException
{
    private static final long serialVersionUID = 1L;

    public MalformedFrameException(final String message)
    {
        super(message);
    }
}

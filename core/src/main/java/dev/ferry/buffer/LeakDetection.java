package dev.ferry.buffer;

import java.util.Locale;

/**
 * How closely a pool watches for segments that are garbage-collected without being released.
 * <p>
 * A tracked segment costs an allocation (its tracker and the stack trace of where it was allocated),
 * so production samples and tests track everything. The level is taken from the system property
 * {@code ferry.leakDetection} unless a pool's context sets it.
 */
public enum LeakDetection
{
    /**
     * No tracking; allocation creates no garbage at all.
     */
    DISABLED,

    /**
     * One allocation in {@link BufferPool.Context#leakSamplingInterval()} is tracked. The default.
     */
    SAMPLED,

    /**
     * Every allocation is tracked, handles are never recycled, and a second release of a segment is
     * caught. For tests.
     */
    PARANOID;

    /**
     * System property naming the level: disabled, sampled or paranoid.
     */
    public static final String PROP_NAME = "ferry.leakDetection";

    /**
     * @return the level named by {@link #PROP_NAME}, or {@link #SAMPLED}.
     * @throws IllegalArgumentException if the property names no level.
     */
    public static LeakDetection fromSystemProperty()
    {
        final String value = System.getProperty(PROP_NAME);
        if (null == value || value.isBlank())
        {
            return SAMPLED;
        }

        try
        {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(
                "-D" + PROP_NAME + "=" + value + " names no leak detection level; use disabled, sampled or paranoid");
        }
    }
}

package dev.ferry.buffer;

import java.util.Locale;

/**
 * Byte sizes as people write them: {@code 4KiB}, {@code 64 MiB}, {@code 1GiB}, {@code 512}.
 */
public final class Sizes
{
    private static final String[] UNITS = { "B", "KiB", "MiB", "GiB", "TiB" };

    private Sizes()
    {
    }

    /**
     * Parse a size with an optional binary unit (B, KiB, MiB, GiB, TiB; also K, M, G, T and KB, MB, GB, TB,
     * taken as binary).
     *
     * @param text such as {@code 4MiB} or {@code 4 MiB}.
     * @return the size in bytes.
     * @throws IllegalArgumentException naming the text and the accepted forms.
     */
    public static long parse(final String text)
    {
        final String trimmed = text.trim();
        int end = 0;
        while (end < trimmed.length() && Character.isDigit(trimmed.charAt(end)))
        {
            end++;
        }

        if (0 == end)
        {
            throw invalid(text);
        }

        final String unit = trimmed.substring(end).trim().toUpperCase(Locale.ROOT);
        final int shift;
        switch (unit)
        {
            case "":
            case "B":
                shift = 0;
                break;
            case "K": case "KB": case "KIB":
                shift = 10;
                break;
            case "M": case "MB": case "MIB":
                shift = 20;
                break;
            case "G": case "GB": case "GIB":
                shift = 30;
                break;
            case "T": case "TB": case "TIB":
                shift = 40;
                break;
            default:
                throw invalid(text);
        }

        final long value;
        try
        {
            value = Long.parseLong(trimmed.substring(0, end));
        }
        catch (final NumberFormatException ex)
        {
            throw invalid(text);
        }

        if (value > (Long.MAX_VALUE >> shift))
        {
            throw new IllegalArgumentException("size '" + text + "' is too large");
        }

        return value << shift;
    }

    /**
     * @param bytes a size.
     * @return the size in the largest binary unit that keeps it readable, e.g. {@code 64 MiB}, {@code 1.5 GiB}.
     */
    public static String format(final long bytes)
    {
        int unit = 0;
        double value = bytes;
        while (Math.abs(value) >= 1024 && unit < UNITS.length - 1)
        {
            value /= 1024;
            unit++;
        }

        if (0 == unit || value == Math.rint(value))
        {
            return (long)value + " " + UNITS[unit];
        }

        return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }

    private static IllegalArgumentException invalid(final String text)
    {
        return new IllegalArgumentException(
            "'" + text + "' is not a size; write a whole number with an optional unit: 512, 4KiB, 64MiB, 1GiB");
    }
}

package dev.ferry.cli;

import picocli.CommandLine;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a duration option such as {@code --timeout 60s}: a whole number with a unit of {@code ms},
 * {@code s}, {@code m} or {@code h}, or an ISO-8601 duration such as {@code PT1M30S}.
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration>
{
    private static final Pattern SIMPLE = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h)");

    /**
     * @param value as typed.
     * @return the duration.
     * @throws CommandLine.TypeConversionException naming the value and the accepted forms.
     */
    public Duration convert(final String value)
    {
        final String text = value.trim().toLowerCase(Locale.ROOT);
        final Matcher matcher = SIMPLE.matcher(text);
        if (matcher.matches())
        {
            final long amount = Long.parseLong(matcher.group(1));
            switch (matcher.group(2))
            {
                case "ms":
                    return Duration.ofMillis(amount);
                case "s":
                    return Duration.ofSeconds(amount);
                case "m":
                    return Duration.ofMinutes(amount);
                default:
                    return Duration.ofHours(amount);
            }
        }

        try
        {
            return Duration.parse(value.trim());
        }
        catch (final DateTimeParseException ex)
        {
            throw new CommandLine.TypeConversionException(
                "'" + value + "' is not a duration; write a whole number with a unit: 500ms, 60s, 5m, 1h");
        }
    }
}

package dev.ferry.cli;

import dev.ferry.buffer.Sizes;
import picocli.CommandLine;

/**
 * Reads a byte size option such as {@code --size 4MiB} with core's {@link Sizes}, so that the
 * command and the library accept the same forms.
 */
public final class SizeConverter implements CommandLine.ITypeConverter<Long>
{
    /**
     * @param value as typed.
     * @return bytes.
     * @throws CommandLine.TypeConversionException naming the value and the accepted forms.
     */
    public Long convert(final String value)
    {
        try
        {
            return Sizes.parse(value);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.TypeConversionException(ex.getMessage());
        }
    }
}

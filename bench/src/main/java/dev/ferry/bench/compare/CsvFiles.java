package dev.ferry.bench.compare;

import java.util.ArrayList;
import java.util.List;

/**
 * The comparison's CSV: comma-separated, a header line first, a field quoted with {@code "} when it
 * holds a comma, a quote or a line break (RFC 4180), a quote inside doubled.
 */
final class CsvFiles
{
    private CsvFiles()
    {
    }

    /**
     * @param field to write.
     * @return the field, quoted if it must be.
     */
    static String quote(final String field)
    {
        final String text = null == field ? "" : field;
        if (text.indexOf(',') < 0 && text.indexOf('"') < 0 && text.indexOf('\n') < 0 && text.indexOf('\r') < 0)
        {
            return text;
        }
        return '"' + text.replace("\"", "\"\"") + '"';
    }

    /**
     * @param line one record, without its line break (a quoted field holding a line break is not read).
     * @return its fields, unquoted.
     * @throws IllegalArgumentException if a quoted field is not closed.
     */
    static List<String> fields(final String line)
    {
        final List<String> fields = new ArrayList<>();
        final StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++)
        {
            final char c = line.charAt(i);
            if (quoted)
            {
                if ('"' == c && i + 1 < line.length() && '"' == line.charAt(i + 1))
                {
                    field.append('"');
                    i++;
                }
                else if ('"' == c)
                {
                    quoted = false;
                }
                else
                {
                    field.append(c);
                }
            }
            else if ('"' == c && 0 == field.length())
            {
                quoted = true;
            }
            else if (',' == c)
            {
                fields.add(field.toString());
                field.setLength(0);
            }
            else
            {
                field.append(c);
            }
        }
        if (quoted)
        {
            throw new IllegalArgumentException("a quoted field is not closed in: " + line);
        }
        fields.add(field.toString());
        return fields;
    }
}

package dev.ferry.bench.compare;

import java.util.Iterator;
import java.util.List;

/**
 * Every contender of the comparison, by name, in the order of the report: the ceiling first, then
 * Ferry, then its peers.
 */
public final class Contenders
{
    /**
     * Every name {@link #create} knows.
     */
    public static final List<String> NAMES = List.of(
        MemcpyContender.NAME,
        FerryContender.COPY,
        FerryContender.IN_PLACE,
        AeronContender.IPC,
        AeronContender.UDP,
        NioContender.NAME,
        ChronicleContender.NAME,
        KafkaContender.NAME);

    private Contenders()
    {
    }

    /**
     * @param name of a contender, one of {@link #NAMES}.
     * @return a new contender, not started.
     * @throws IllegalArgumentException naming the contenders there are.
     */
    public static Contender create(final String name)
    {
        switch (name)
        {
            case MemcpyContender.NAME:
                return new MemcpyContender();
            case FerryContender.COPY:
                return new FerryContender(false);
            case FerryContender.IN_PLACE:
                return new FerryContender(true);
            case AeronContender.IPC:
                return new AeronContender(true);
            case AeronContender.UDP:
                return new AeronContender(false);
            case NioContender.NAME:
                return new NioContender();
            case ChronicleContender.NAME:
                return new ChronicleContender();
            case KafkaContender.NAME:
                return new KafkaContender();
            default:
                throw new IllegalArgumentException("no contender is named '" + name + "'; there are " + NAMES);
        }
    }

    /**
     * @param name of a contender, one of {@link #NAMES}.
     * @return the JVM flags its worker needs on top of Ferry's own (the {@code --add-opens} a peer asks for).
     */
    public static List<String> jvmFlags(final String name)
    {
        return ChronicleContender.NAME.equals(name) ? ChronicleContender.JVM_FLAGS : List.of();
    }

    /**
     * The names, for picocli's completion candidates and help.
     */
    static final class Names implements Iterable<String>
    {
        @Override
        public Iterator<String> iterator()
        {
            return NAMES.iterator();
        }
    }
}

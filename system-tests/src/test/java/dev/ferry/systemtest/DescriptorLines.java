package dev.ferry.systemtest;

import dev.ferry.bulk.DataDescriptor;
import dev.ferry.bulk.PeerInfo;
import dev.ferry.bulk.RegionDescriptor;

import java.util.Base64;

/**
 * The text lines a child process prints to tell a test what it registered: test plumbing, not a
 * wire format. One record per line, fields separated by single spaces:
 * <pre>
 *   PEER   &lt;boot id&gt; &lt;pid&gt;
 *   DIR    &lt;directory of the child's pool&gt;
 *   REGION &lt;region id&gt; &lt;length&gt; &lt;transport&gt; &lt;locator, base64&gt;
 *   DATA   &lt;region id&gt; &lt;offset&gt; &lt;length&gt;
 *   READY
 * </pre>
 */
final class DescriptorLines
{
    static final String PEER = "PEER";
    static final String DIR = "DIR";
    static final String REGION = "REGION";
    static final String DATA = "DATA";
    static final String READY = "READY";

    private DescriptorLines()
    {
    }

    static String peer(final PeerInfo peer)
    {
        return PEER + " " + peer.bootId() + " " + peer.pid();
    }

    /**
     * @param fields of a PEER line.
     * @param peerId to give the peer.
     * @return the peer.
     */
    static PeerInfo parsePeer(final String[] fields, final long peerId)
    {
        return new PeerInfo(peerId, fields[1], Long.parseLong(fields[2]));
    }

    static String region(final RegionDescriptor descriptor)
    {
        return REGION + " " + descriptor.regionId() + " " + descriptor.length() + " " + descriptor.transport() + " " +
            Base64.getEncoder().encodeToString(descriptor.locator());
    }

    /**
     * @param fields of a REGION line.
     * @return the descriptor.
     */
    static RegionDescriptor parseRegion(final String[] fields)
    {
        return new RegionDescriptor(
            fields[3], Long.parseLong(fields[1]), Long.parseLong(fields[2]), Base64.getDecoder().decode(fields[4]));
    }

    static String data(final DataDescriptor descriptor)
    {
        return DATA + " " + descriptor.regionId() + " " + descriptor.offset() + " " + descriptor.length();
    }

    /**
     * @param fields of a DATA line.
     * @return the descriptor.
     */
    static DataDescriptor parseData(final String[] fields)
    {
        return new DataDescriptor(Long.parseLong(fields[1]), Long.parseLong(fields[2]), Long.parseLong(fields[3]));
    }
}

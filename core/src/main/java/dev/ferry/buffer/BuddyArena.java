package dev.ferry.buffer;

import java.util.Arrays;

/**
 * Power-of-two segments carved from slabs by the buddy system. Not thread-safe: the pool calls it
 * with its lock held.
 * <p>
 * A slab of {@code slabBytes} is cut into leaves of {@code minBlockBytes}; a block of order {@code k}
 * is {@code minBlockBytes << k} bytes long and starts at a leaf index that is a multiple of
 * {@code 1 << k}. Splitting a free block makes two buddies of the next order down; freeing a block
 * merges it with its buddy while the buddy is free too, so memory freed by one size class serves any
 * other. Blocks never merge across slabs.
 * <pre>
 *   block id (int):  | slab index (high bits) | leaf index in slab (leafShift bits) |
 *
 *   per slab, per leaf:  state[leaf]  0              not the start of a block
 *                                     FREE  | order  start of a free block
 *                                     USED  | order  start of a block in use
 *                        next[leaf], prev[leaf]      links of the free list of its order (block ids)
 * </pre>
 * Allocation and release are O(orders) and allocate no objects. A new slab is mapped only when no
 * free block of a large enough order is left and the bound allows one more.
 */
final class BuddyArena
{
    static final int NIL = -1;
    private static final byte FREE = 0x40;
    private static final byte USED = (byte)0x80;
    private static final int ORDER_MASK = 0x3F;

    private final SlabFactory slabFactory;
    private final int slabBytes;
    private final int minBlockShift;
    private final int topOrder;
    private final int leafShift;
    private final int leafMask;
    private final int maxSlabs;
    private final int[] freeHeads;
    private final Slab[] slabs;
    private final byte[][] state;
    private final int[][] next;
    private final int[][] prev;
    private int slabCount;

    /**
     * Maps the slab of a given index.
     */
    @FunctionalInterface
    interface SlabFactory
    {
        Slab map(int index, int length);
    }

    BuddyArena(final int slabBytes, final int minBlockBytes, final int maxSlabs, final SlabFactory slabFactory)
    {
        this.slabFactory = slabFactory;
        this.slabBytes = slabBytes;
        this.minBlockShift = Integer.numberOfTrailingZeros(minBlockBytes);
        this.topOrder = Integer.numberOfTrailingZeros(slabBytes) - minBlockShift;
        this.leafShift = topOrder;
        this.leafMask = (1 << leafShift) - 1;
        this.maxSlabs = maxSlabs;
        this.freeHeads = new int[topOrder + 1];
        this.slabs = new Slab[maxSlabs];
        this.state = new byte[maxSlabs][];
        this.next = new int[maxSlabs][];
        this.prev = new int[maxSlabs][];
        Arrays.fill(freeHeads, NIL);
    }

    /**
     * @param size bytes wanted, at most {@link #maxBlockBytes()}.
     * @return the order of the smallest block that holds them.
     */
    int orderFor(final int size)
    {
        final int leaves = (size + (1 << minBlockShift) - 1) >>> minBlockShift;
        return leaves <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(leaves - 1);
    }

    int maxBlockBytes()
    {
        return slabBytes;
    }

    int blockBytes(final int order)
    {
        return 1 << (order + minBlockShift);
    }

    /**
     * Take a free block of the given order.
     *
     * @param order     of the block.
     * @param allowGrow whether a new slab may be mapped if no free block is large enough.
     * @return the block id, or {@link #NIL} if none is free and the arena may not or cannot grow.
     */
    int allocate(final int order, final boolean allowGrow)
    {
        int found = order;
        while (found <= topOrder && NIL == freeHeads[found])
        {
            found++;
        }

        if (found > topOrder)
        {
            if (!allowGrow || slabCount == maxSlabs)
            {
                return NIL;
            }
            addSlab();
            found = topOrder;
        }

        final int block = freeHeads[found];
        unlink(block, found);
        while (found > order)
        {
            found--;
            final int buddy = block + (1 << found);
            pushFree(buddy, found);
        }

        state[slabOf(block)][block & leafMask] = (byte)(USED | order);
        slabs[slabOf(block)].usedBlocks++;

        return block;
    }

    /**
     * Return a block, merging it with free buddies.
     *
     * @param blockId as returned by {@link #allocate(int, boolean)}.
     * @return the slab the block belonged to.
     */
    Slab free(final int blockId)
    {
        final int slab = slabOf(blockId);
        final byte[] slabState = state[slab];
        int leaf = blockId & leafMask;
        int order = slabState[leaf] & ORDER_MASK;
        slabState[leaf] = 0;

        while (order < topOrder)
        {
            final int buddyLeaf = leaf ^ (1 << order);
            if (slabState[buddyLeaf] != (byte)(FREE | order))
            {
                break;
            }
            unlink((slab << leafShift) | buddyLeaf, order);
            slabState[buddyLeaf] = 0;
            leaf = Math.min(leaf, buddyLeaf);
            order++;
        }

        pushFree((slab << leafShift) | leaf, order);
        final Slab owner = slabs[slab];
        owner.usedBlocks--;

        return owner;
    }

    boolean isUsed(final int blockId)
    {
        return (state[slabOf(blockId)][blockId & leafMask] & USED) != 0;
    }

    int orderOf(final int blockId)
    {
        return state[slabOf(blockId)][blockId & leafMask] & ORDER_MASK;
    }

    long address(final int blockId)
    {
        return slabs[slabOf(blockId)].address() + ((long)(blockId & leafMask) << minBlockShift);
    }

    Slab slab(final int blockId)
    {
        return slabs[slabOf(blockId)];
    }

    int slabCount()
    {
        return slabCount;
    }

    Slab slabAt(final int index)
    {
        return slabs[index];
    }

    long mappedBytes()
    {
        return (long)slabCount * slabBytes;
    }

    /**
     * @return the sum of the sizes of all free blocks, for invariant checks.
     */
    long freeBytes()
    {
        long total = 0;
        for (int order = 0; order <= topOrder; order++)
        {
            for (int block = freeHeads[order]; block != NIL; block = next[slabOf(block)][block & leafMask])
            {
                total += blockBytes(order);
            }
        }
        return total;
    }

    /**
     * Map every slab the bound allows now, rather than on first need.
     */
    void mapAll()
    {
        while (slabCount < maxSlabs)
        {
            addSlab();
        }
    }

    private void addSlab()
    {
        final int index = slabCount;
        final Slab slab = slabFactory.map(index, slabBytes);
        final int leaves = 1 << leafShift;
        slabs[index] = slab;
        state[index] = new byte[leaves];
        next[index] = new int[leaves];
        prev[index] = new int[leaves];
        slabCount++;
        pushFree(index << leafShift, topOrder);
    }

    private int slabOf(final int blockId)
    {
        return blockId >>> leafShift;
    }

    private void pushFree(final int block, final int order)
    {
        final int slab = slabOf(block);
        final int leaf = block & leafMask;
        final int head = freeHeads[order];
        state[slab][leaf] = (byte)(FREE | order);
        next[slab][leaf] = head;
        prev[slab][leaf] = NIL;
        if (NIL != head)
        {
            prev[slabOf(head)][head & leafMask] = block;
        }
        freeHeads[order] = block;
    }

    private void unlink(final int block, final int order)
    {
        final int slab = slabOf(block);
        final int leaf = block & leafMask;
        final int before = prev[slab][leaf];
        final int after = next[slab][leaf];
        if (NIL == before)
        {
            freeHeads[order] = after;
        }
        else
        {
            next[slabOf(before)][before & leafMask] = after;
        }

        if (NIL != after)
        {
            prev[slabOf(after)][after & leafMask] = before;
        }
    }
}

package dev.seckill.store.collection;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A first-in first-out queue, each element with an optional number, whose contents can be handed
 * to another thread in O(number of chunks): {@link #view()} copies only the chunk directory.
 *
 * <p>Why that is safe without copying the elements: a slot of a chunk is written once, when its
 * element is added, and never again (taking from the head only moves an index; a chunk is dropped
 * from the directory, not cleared, once the head has left it). A view reads only the slots added
 * before it was taken, so a thread that received the view through a happens-before edge (an
 * executor hand-off, a volatile) sees exactly them, while the owner goes on adding past the
 * view's end and taking from its head.
 *
 * <p>Not thread-safe otherwise: one owner thread adds and takes.
 */
public final class AppendLog<T> implements Iterable<T> {
    static final int SHIFT = 10;
    static final int CHUNK = 1 << SHIFT;
    static final int MASK = CHUNK - 1;

    private final boolean numbered;
    /** chunks[k] holds the absolute positions [(first + k) * CHUNK, (first + k + 1) * CHUNK). */
    private Object[][] chunks = new Object[4][];
    private long[][] numbers;
    private int chunkCount;
    /** The absolute chunk number of chunks[0]. */
    private long first;
    private long head;
    private long tail;

    /** A log whose elements carry no number. */
    public AppendLog() {
        this(false);
    }

    private AppendLog(boolean numbered) {
        this.numbered = numbered;
        this.numbers = numbered ? new long[4][] : null;
    }

    /** A log whose elements each carry a number ({@link #add(Object, long)}, {@link #firstNumber()}). */
    public static <T> AppendLog<T> numbered() {
        return new AppendLog<>(true);
    }

    public void add(T element) {
        add(element, 0);
    }

    public void add(T element, long number) {
        int c = (int) ((tail >>> SHIFT) - first);
        if (c == chunkCount) {
            if (chunkCount == chunks.length) {
                chunks = Arrays.copyOf(chunks, chunkCount << 1);
                if (numbered) {
                    numbers = Arrays.copyOf(numbers, chunkCount << 1);
                }
            }
            chunks[c] = new Object[CHUNK];
            if (numbered) {
                numbers[c] = new long[CHUNK];
            }
            chunkCount++;
        }
        int i = (int) (tail & MASK);
        chunks[c][i] = element;
        if (numbered) {
            numbers[c][i] = number;
        }
        tail++;
    }

    /** The oldest element, or null if empty. */
    @SuppressWarnings("unchecked")
    public T peekFirst() {
        if (head == tail) {
            return null;
        }
        return (T) chunks[(int) ((head >>> SHIFT) - first)][(int) (head & MASK)];
    }

    /** The oldest element's number; the log must not be empty. */
    public long firstNumber() {
        if (head == tail) {
            throw new NoSuchElementException();
        }
        return numbers[(int) ((head >>> SHIFT) - first)][(int) (head & MASK)];
    }

    /** Takes the oldest element away (the log must not be empty). */
    public void removeFirst() {
        if (head == tail) {
            throw new NoSuchElementException();
        }
        head++;
        long headChunk = head >>> SHIFT;
        if (headChunk > first) { // left chunks[0]: drop it (a view may still hold it)
            int drop = (int) Math.min(headChunk - first, chunkCount);
            System.arraycopy(chunks, drop, chunks, 0, chunkCount - drop);
            Arrays.fill(chunks, chunkCount - drop, chunkCount, null);
            if (numbered) {
                System.arraycopy(numbers, drop, numbers, 0, chunkCount - drop);
                Arrays.fill(numbers, chunkCount - drop, chunkCount, null);
            }
            chunkCount -= drop;
            first = headChunk;
        }
    }

    public int size() {
        return (int) (tail - head);
    }

    public boolean isEmpty() {
        return head == tail;
    }

    /** The elements as they are now, oldest first, for reading on another thread: see the class comment. */
    public View<T> view() {
        return new View<>(Arrays.copyOf(chunks, chunkCount), numbered ? Arrays.copyOf(numbers, chunkCount) : null,
                (int) (head - (first << SHIFT)), size());
    }

    /** The elements oldest first (on the owner thread). */
    @Override
    public Iterator<T> iterator() {
        return view().iterator();
    }

    /** What a log held when {@link AppendLog#view()} was called; never changes. */
    public static final class View<T> implements Iterable<T> {
        private final Object[][] chunks;
        private final long[][] numbers;
        private final int offset;
        private final int size;

        private View(Object[][] chunks, long[][] numbers, int offset, int size) {
            this.chunks = chunks;
            this.numbers = numbers;
            this.offset = offset;
            this.size = size;
        }

        public int size() {
            return size;
        }

        @SuppressWarnings("unchecked")
        public T get(int i) {
            int p = checked(i) + offset;
            return (T) chunks[p >>> SHIFT][p & MASK];
        }

        public long number(int i) {
            int p = checked(i) + offset;
            return numbers[p >>> SHIFT][p & MASK];
        }

        private int checked(int i) {
            if (i < 0 || i >= size) {
                throw new IndexOutOfBoundsException(i);
            }
            return i;
        }

        @Override
        public Iterator<T> iterator() {
            return new Iterator<>() {
                private int i;

                @Override
                public boolean hasNext() {
                    return i < size;
                }

                @Override
                public T next() {
                    if (i >= size) {
                        throw new NoSuchElementException();
                    }
                    return get(i++);
                }
            };
        }
    }
}

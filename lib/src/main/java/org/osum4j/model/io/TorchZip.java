package org.osum4j.model.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The ZIP container of a {@code torch.save} checkpoint: the central directory (ZIP64 included) and each
 * entry's bytes, memory-mapped when stored uncompressed (torch's writer always does that) or inflated
 * into the heap when deflated. Not a general ZIP library: no encryption, no multi-disk archives, no
 * data descriptors beyond what the central directory already states. The pickle lives in {@link Pickle}.
 */
final class TorchZip {

    private static final int SIG_LOCAL = 0x04034b50;
    private static final int SIG_CENTRAL = 0x02014b50;
    private static final int SIG_EOCD = 0x06054b50;
    private static final int SIG_ZIP64_LOCATOR = 0x07064b50;
    private static final int SIG_ZIP64_EOCD = 0x06064b50;
    private static final int EOCD_MIN_BYTES = 22;
    private static final int MAX_COMMENT_BYTES = 0xffff;
    private static final int LOCAL_HEADER_BYTES = 30;
    private static final int METHOD_STORED = 0;
    private static final int METHOD_DEFLATED = 8;
    private static final long U32_MAX = 0xffffffffL;

    /** One central-directory entry; {@code headerOffset} points at its local file header. */
    record Entry(String name, int method, long compressedSize, long size, long headerOffset) {
    }

    private final Path file;
    private final FileChannel channel;
    private final long fileSize;
    private final Map<String, Entry> entries;

    private TorchZip(Path file, FileChannel channel, long fileSize, Map<String, Entry> entries) {
        this.file = file;
        this.channel = channel;
        this.fileSize = fileSize;
        this.entries = entries;
    }

    /** Reads the central directory; the caller owns (and closes) the channel. */
    static TorchZip open(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < EOCD_MIN_BYTES) {
            throw new IOException(file + ": not a zip file (" + size + " bytes)");
        }
        // The end-of-central-directory record sits in the last 22 + comment bytes.
        int tailLen = (int) Math.min(size, EOCD_MIN_BYTES + MAX_COMMENT_BYTES);
        ByteBuffer tail = read(ch, size - tailLen, tailLen);
        int eocd = -1;
        for (int i = tailLen - EOCD_MIN_BYTES; i >= 0; i--) {
            if (tail.getInt(i) == SIG_EOCD) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw new IOException(file + ": no zip end-of-central-directory record found"
                    + " (truncated download, or not a zip-format torch.save checkpoint)");
        }
        long count = tail.getShort(eocd + 10) & 0xffff;
        long cdSize = tail.getInt(eocd + 12) & U32_MAX;
        long cdOffset = tail.getInt(eocd + 16) & U32_MAX;
        long eocdPos = size - tailLen + eocd;
        if (count == 0xffff || cdSize == U32_MAX || cdOffset == U32_MAX) {
            // ZIP64: a locator (20 bytes) just before the EOCD points at the ZIP64 EOCD record.
            if (eocdPos < 20) throw new IOException(file + ": ZIP64 locator missing");
            ByteBuffer loc = read(ch, eocdPos - 20, 20);
            if (loc.getInt(0) != SIG_ZIP64_LOCATOR) {
                throw new IOException(file + ": zip needs ZIP64 fields but has no ZIP64 locator (corrupt file)");
            }
            long z64 = loc.getLong(8);
            if (z64 < 0 || z64 + 56 > size) throw new IOException(file + ": ZIP64 record offset " + z64 + " out of range");
            ByteBuffer rec = read(ch, z64, 56);
            if (rec.getInt(0) != SIG_ZIP64_EOCD) throw new IOException(file + ": bad ZIP64 end-of-central-directory record");
            count = rec.getLong(32);
            cdSize = rec.getLong(40);
            cdOffset = rec.getLong(48);
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset + cdSize > size || cdSize > Integer.MAX_VALUE) {
            throw new IOException(file + ": central directory [" + cdOffset + ", +" + cdSize + ") outside the "
                    + size + "-byte file (truncated?)");
        }
        ByteBuffer cd = read(ch, cdOffset, (int) cdSize);
        Map<String, Entry> entries = new LinkedHashMap<>();
        int p = 0;
        for (long e = 0; e < count; e++) {
            if (p + 46 > cdSize || cd.getInt(p) != SIG_CENTRAL) {
                throw new IOException(file + ": central directory entry " + e + " of " + count + " is damaged");
            }
            int method = cd.getShort(p + 10) & 0xffff;
            long comp = cd.getInt(p + 20) & U32_MAX;
            long uncomp = cd.getInt(p + 24) & U32_MAX;
            int nameLen = cd.getShort(p + 28) & 0xffff;
            int extraLen = cd.getShort(p + 30) & 0xffff;
            int commentLen = cd.getShort(p + 32) & 0xffff;
            long local = cd.getInt(p + 42) & U32_MAX;
            byte[] nb = new byte[nameLen];
            cd.get(p + 46, nb);
            String name = new String(nb, java.nio.charset.StandardCharsets.UTF_8);
            // ZIP64 extended information (id 1): only the fields that overflowed, in this order.
            int x = p + 46 + nameLen;
            int xEnd = x + extraLen;
            while (x + 4 <= xEnd) {
                int id = cd.getShort(x) & 0xffff;
                int len = cd.getShort(x + 2) & 0xffff;
                if (id == 1) {
                    int q = x + 4;
                    if (uncomp == U32_MAX) { uncomp = cd.getLong(q); q += 8; }
                    if (comp == U32_MAX) { comp = cd.getLong(q); q += 8; }
                    if (local == U32_MAX) { local = cd.getLong(q); }
                }
                x += 4 + len;
            }
            entries.put(name, new Entry(name, method, comp, uncomp, local));
            p += 46 + nameLen + extraLen + commentLen;
        }
        return new TorchZip(file, ch, size, Collections.unmodifiableMap(entries));
    }

    Map<String, Entry> entries() {
        return entries;
    }

    Path file() {
        return file;
    }

    /** True when the entry is stored uncompressed, so that any part of it can be memory-mapped. */
    static boolean isStored(Entry e) {
        return e.method() == METHOD_STORED;
    }

    /** File offset of an entry's first data byte (after its local header), checked against the file size. */
    long dataOffset(Entry e) throws IOException {
        ByteBuffer lh = read(channel, e.headerOffset(), LOCAL_HEADER_BYTES);
        if (lh.getInt(0) != SIG_LOCAL) {
            throw new IOException(file + ": entry '" + e.name() + "' has no local file header at offset "
                    + e.headerOffset() + " (corrupt file)");
        }
        long data = e.headerOffset() + LOCAL_HEADER_BYTES + (lh.getShort(26) & 0xffff) + (lh.getShort(28) & 0xffff);
        if (data + e.compressedSize() > fileSize) {
            throw new IOException(file + ": entry '" + e.name() + "' ends at byte " + (data + e.compressedSize())
                    + " but the file has " + fileSize + " bytes (truncated)");
        }
        if (e.method() == METHOD_STORED && e.compressedSize() != e.size()) {
            throw new IOException(file + ": stored entry '" + e.name() + "' has compressed size "
                    + e.compressedSize() + " != size " + e.size());
        }
        return data;
    }

    /** A read-only little-endian map of {@code len} bytes from {@code pos} of a stored entry's data. */
    ByteBuffer map(Entry e, long dataOffset, long pos, long len) throws IOException {
        if (pos < 0 || len < 0 || pos + len > e.size()) {
            throw new IOException(file + ": bytes [" + pos + ", " + (pos + len) + ") outside entry '" + e.name()
                    + "' of " + e.size() + " bytes");
        }
        if (len > Integer.MAX_VALUE) {
            throw new IOException(file + ": entry '" + e.name() + "': a single tensor of " + len
                    + " bytes (2 GiB or more) cannot be one buffer");
        }
        if (len == 0) return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        return channel.map(FileChannel.MapMode.READ_ONLY, dataOffset + pos, len).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * All bytes of one entry: a read-only memory map when stored, a heap copy when deflated. Entries of
     * 2 GiB or more cannot be one {@link ByteBuffer} (use {@link #map} on parts of a stored one).
     */
    ByteBuffer bytes(Entry e) throws IOException {
        long data = dataOffset(e);
        if (e.size() > Integer.MAX_VALUE) {
            throw new IOException(file + ": entry '" + e.name() + "' is " + e.size()
                    + " bytes; only stored (uncompressed) entries of 2 GiB or more can be read, in parts");
        }
        if (e.method() == METHOD_STORED) return map(e, data, 0, e.size());
        if (e.method() == METHOD_DEFLATED) {
            if (e.compressedSize() > Integer.MAX_VALUE) {
                throw new IOException(file + ": compressed entry '" + e.name() + "' too large to inflate");
            }
            ByteBuffer in = read(channel, data, (int) e.compressedSize());
            byte[] out = new byte[(int) e.size()];
            Inflater inf = new Inflater(true);
            try {
                inf.setInput(in);
                int n = 0;
                while (n < out.length && !inf.finished()) {
                    int r = inf.inflate(out, n, out.length - n);
                    if (r == 0 && (inf.needsInput() || inf.needsDictionary())) break;
                    n += r;
                }
                if (n != out.length) {
                    throw new IOException(file + ": deflated entry '" + e.name() + "' inflated to " + n
                            + " bytes, expected " + out.length + " (corrupt or truncated)");
                }
            } catch (DataFormatException ex) {
                throw new IOException(file + ": deflated entry '" + e.name() + "' cannot be inflated: " + ex.getMessage(), ex);
            } finally {
                inf.end();
            }
            return ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        }
        throw new IOException(file + ": entry '" + e.name() + "' uses zip compression method " + e.method()
                + " (only 0 = stored and 8 = deflated are supported)");
    }

    private static ByteBuffer read(FileChannel ch, long pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            int r = ch.read(b, pos + b.position());
            if (r < 0) throw new IOException("unexpected end of file at byte " + (pos + b.position()));
        }
        return b.flip().order(ByteOrder.LITTLE_ENDIAN);
    }
}

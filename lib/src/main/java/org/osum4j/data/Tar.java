package org.osum4j.data;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A minimal POSIX tar (ustar + pax long names) writer and reader: regular files only, enough for
 * WeNet/OSUM shards and readable by GNU tar and Python's tarfile. The reader also understands GNU
 * long names ({@code L}) and skips directories, links and global pax headers. Not a general archiver:
 * no permissions, owners, links or sparse files.
 */
public final class Tar {

    /** Tar block size in bytes; headers and padded data come in these. */
    public static final int BLOCK = 512;
    private static final int NAME_LEN = 100;
    private static final int PREFIX_LEN = 155;

    private Tar() {
    }

    /** One regular-file member. */
    public record Entry(String name, byte[] data) {
    }

    /** Writes members to a stream; {@link #close()} writes the end-of-archive blocks (not closing the stream). */
    public static final class Writer implements AutoCloseable {
        private final OutputStream out;
        private final long mtime;
        private boolean closed;

        /** @param mtimeSeconds modification time stored in every header (fixed, so equal input gives equal bytes) */
        public Writer(OutputStream out, long mtimeSeconds) {
            this.out = out;
            this.mtime = mtimeSeconds;
        }

        public void add(String name, byte[] data) throws IOException {
            if (closed) throw new IllegalStateException("tar writer closed");
            byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
            String shortName = name;
            String prefix = "";
            if (nameBytes.length > NAME_LEN) {
                int slash = splitPoint(name);
                if (slash > 0) {
                    prefix = name.substring(0, slash);
                    shortName = name.substring(slash + 1);
                } else {
                    // pax extended header carries the full name; the ustar name is a truncated placeholder
                    byte[] pax = paxRecord("path", name);
                    writeHeader("PaxHeader/" + truncate(name, NAME_LEN - 10), "", pax.length, (byte) 'x');
                    writeData(pax);
                    shortName = truncate(name, NAME_LEN);
                }
            }
            writeHeader(shortName, prefix, data.length, (byte) '0');
            writeData(data);
        }

        private void writeHeader(String name, String prefix, long size, byte type) throws IOException {
            byte[] h = new byte[BLOCK];
            put(h, 0, NAME_LEN, name.getBytes(StandardCharsets.UTF_8));
            octal(h, 100, 8, 0644);
            octal(h, 108, 8, 0);
            octal(h, 116, 8, 0);
            octal(h, 124, 12, size);
            octal(h, 136, 12, mtime);
            h[156] = type;
            put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
            put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
            put(h, 345, PREFIX_LEN, prefix.getBytes(StandardCharsets.UTF_8));
            for (int i = 148; i < 156; i++) h[i] = ' ';
            long sum = 0;
            for (byte b : h) sum += b & 0xff;
            String chk = String.format("%06o", sum);
            put(h, 148, 6, chk.getBytes(StandardCharsets.US_ASCII));
            h[154] = 0;
            h[155] = ' ';
            out.write(h);
        }

        private void writeData(byte[] data) throws IOException {
            out.write(data);
            int pad = (BLOCK - data.length % BLOCK) % BLOCK;
            out.write(new byte[pad]);
        }

        @Override
        public void close() throws IOException {
            if (closed) return;
            closed = true;
            out.write(new byte[2 * BLOCK]);
            out.flush();
        }
    }

    /** Reads regular-file members one by one from a stream. */
    public static final class Reader {
        private final InputStream in;
        private final String origin;
        private long offset;
        private boolean done;

        /** @param origin names the archive in error messages */
        public Reader(InputStream in, String origin) {
            this.in = in;
            this.origin = origin;
        }

        /** The next regular file, or null at the end of the archive. */
        public Entry next() throws IOException {
            String longName = null;
            while (!done) {
                long headerAt = offset;
                byte[] h = new byte[BLOCK];
                if (!readFully(h)) {
                    done = true;
                    return null;
                }
                if (isZero(h)) {
                    done = true;
                    return null;
                }
                checkChecksum(h, headerAt);
                long size = parseSize(h, headerAt);
                byte type = h[156];
                byte[] data = readData(size, headerAt);
                switch (type) {
                    case 'x' -> {
                        String p = paxPath(data);
                        if (p != null) longName = p;
                    }
                    case 'L' -> longName = cString(data, 0, data.length);
                    case '0', 0, '7' -> {
                        String name = longName != null ? longName : headerName(h);
                        return new Entry(name, data);
                    }
                    default -> longName = null; // directories, links, global headers: skipped
                }
            }
            return null;
        }

        private byte[] readData(long size, long headerAt) throws IOException {
            if (size > Integer.MAX_VALUE - 8)
                throw new IOException(origin + ": member at byte " + headerAt + " is " + size + " bytes, too large");
            byte[] data = new byte[(int) size];
            if (!readFully(data)) throw new EOFException(origin + ": truncated member data at byte " + headerAt);
            int pad = (int) ((BLOCK - size % BLOCK) % BLOCK);
            if (pad > 0 && !readFully(new byte[pad])) throw new EOFException(origin + ": truncated padding at byte " + headerAt);
            return data;
        }

        private boolean readFully(byte[] b) throws IOException {
            int n = 0;
            while (n < b.length) {
                int r = in.read(b, n, b.length - n);
                if (r < 0) {
                    if (n == 0) return false;
                    throw new EOFException(origin + ": truncated at byte " + (offset + n));
                }
                n += r;
            }
            offset += n;
            return true;
        }

        private void checkChecksum(byte[] h, long at) throws IOException {
            long sum = 0;
            for (int i = 0; i < BLOCK; i++) sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
            long stored = parseOctal(h, 148, 8);
            if (stored != sum)
                throw new IOException(origin + ": corrupt tar header at byte " + at + " (checksum " + stored + ", computed " + sum + ")");
        }

        private long parseSize(byte[] h, long at) throws IOException {
            if ((h[124] & 0x80) != 0) { // base-256 (GNU) for sizes >= 8 GiB
                long v = 0;
                for (int i = 125; i < 136; i++) v = (v << 8) | (h[i] & 0xff);
                return v;
            }
            long v = parseOctal(h, 124, 12);
            if (v < 0) throw new IOException(origin + ": bad size field in tar header at byte " + at);
            return v;
        }
    }

    private static String headerName(byte[] h) {
        String name = cString(h, 0, NAME_LEN);
        boolean ustar = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r';
        String prefix = ustar ? cString(h, 345, PREFIX_LEN) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String paxPath(byte[] data) {
        String path = null;
        int i = 0;
        while (i < data.length) {
            int sp = i;
            while (sp < data.length && data[sp] != ' ') sp++;
            if (sp >= data.length) break;
            int len;
            try {
                len = Integer.parseInt(new String(data, i, sp - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                break;
            }
            if (len <= sp - i + 1 || i + len > data.length) break;
            // record = "<len> key=value\n"; len counts bytes of the whole record
            String rec = new String(data, sp + 1, i + len - sp - 2, StandardCharsets.UTF_8);
            int eq = rec.indexOf('=');
            if (eq > 0 && rec.substring(0, eq).equals("path")) path = rec.substring(eq + 1);
            i += len;
        }
        return path;
    }

    private static byte[] paxRecord(String key, String value) {
        int body = 1 + key.getBytes(StandardCharsets.UTF_8).length + 1 + value.getBytes(StandardCharsets.UTF_8).length + 1;
        int len = body + Integer.toString(body).length();
        if (Integer.toString(len).length() != Integer.toString(body).length()) len++;
        return (len + " " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static int splitPoint(String name) {
        for (int i = name.length() - 1; i > 0; i--) {
            if (name.charAt(i) != '/') continue;
            if (name.substring(0, i).getBytes(StandardCharsets.UTF_8).length <= PREFIX_LEN
                    && name.substring(i + 1).getBytes(StandardCharsets.UTF_8).length <= NAME_LEN
                    && i + 1 < name.length()) return i;
        }
        return -1;
    }

    private static String truncate(String s, int maxBytes) {
        String t = s;
        while (t.getBytes(StandardCharsets.UTF_8).length > maxBytes) t = t.substring(0, t.length() - 1);
        return t;
    }

    private static void put(byte[] h, int at, int len, byte[] v) {
        System.arraycopy(v, 0, h, at, Math.min(len, v.length));
    }

    private static void octal(byte[] h, int at, int len, long v) {
        String s = Long.toOctalString(v);
        if (s.length() > len - 1) throw new IllegalArgumentException("value " + v + " does not fit a " + len + "-byte tar field");
        s = "0".repeat(len - 1 - s.length()) + s;
        put(h, at, len - 1, s.getBytes(StandardCharsets.US_ASCII));
        h[at + len - 1] = 0;
    }

    private static long parseOctal(byte[] h, int at, int len) {
        long v = 0;
        boolean any = false;
        for (int i = at; i < at + len; i++) {
            byte b = h[i];
            if (b == 0 || (b == ' ' && any)) break;
            if (b == ' ') continue;
            if (b < '0' || b > '7') return -1;
            v = v * 8 + (b - '0');
            any = true;
        }
        return v;
    }

    private static String cString(byte[] b, int at, int len) {
        int end = at;
        while (end < at + len && b[end] != 0) end++;
        return new String(b, at, end - at, StandardCharsets.UTF_8);
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }

    /** All regular-file members of an in-memory archive (for tests and small shards). */
    public static java.util.List<Entry> readAll(InputStream in, String origin) throws IOException {
        Reader r = new Reader(in, origin);
        java.util.List<Entry> out = new java.util.ArrayList<>();
        for (Entry e = r.next(); e != null; e = r.next()) out.add(e);
        return out;
    }

    /** An archive of the given members, in memory. */
    public static byte[] toBytes(java.util.List<Entry> entries) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (Writer w = new Writer(bos, 0)) {
            for (Entry e : entries) w.add(e.name(), e.data());
        }
        return bos.toByteArray();
    }
}

package org.osum4j.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osum4j.golden.GoldenSuite;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * TorchCheckpoint against a real torch.save file (the golden osum_tiny infer.pt vs its safetensors twin) and
 * against small torch 1.13 fixtures made by make_torch_fixtures.py (values are arange-based, so the expected
 * numbers are computed here), plus the errors for files outside the supported subset.
 */
class TorchCheckpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Path osumTiny() {
        return GoldenSuite.defaultDir().resolve("osum_tiny");
    }

    static Path resource(String name) throws URISyntaxException {
        return Path.of(TorchCheckpointTest.class.getResource(name).toURI());
    }

    @Test
    void inferPt_everyTensorBitIdenticalToModelSafetensors() throws IOException {
        Map<String, TensorData> pt = TorchCheckpoint.open(osumTiny().resolve("infer.pt")).stateDict();
        SafeTensors st = SafeTensors.read(osumTiny().resolve("model.safetensors"));
        JsonNode meta = JSON.readTree(osumTiny().resolve("meta.json").toFile());
        List<String> keys = new ArrayList<>();
        meta.get("state_dict_keys").forEach(k -> keys.add(k.asText()));

        // infer.pt keys equal meta.json's state_dict_keys in order, and the safetensors file has the same set.
        assertEquals(keys, new ArrayList<>(pt.keySet()));
        assertEquals(new java.util.TreeSet<>(keys), new java.util.TreeSet<>(st.names()));
        for (String k : keys) {
            TensorData a = pt.get(k);
            TensorData b = st.get(k);
            assertEquals(k, a.name());
            assertArrayEquals(b.shape(), a.shape(), k);
            assertEquals(b.dtype(), a.dtype(), k);
            assertEquals(b.data(), a.data(), "bytes of " + k); // ByteBuffer.equals compares remaining bytes
        }
    }

    @Test
    void inferPt_aliasesShareTheirOriginalsStorage() throws IOException {
        Map<String, TensorData> pt = TorchCheckpoint.open(osumTiny().resolve("infer.pt")).stateDict();
        JsonNode aliases = JSON.readTree(osumTiny().resolve("meta.json").toFile()).get("state_dict_aliases");
        assertTrue(aliases.size() > 0);
        aliases.fields().forEachRemaining(e -> {
            TensorData alias = pt.get(e.getKey());
            TensorData orig = pt.get(e.getValue().asText());
            assertEquals(orig.data(), alias.data(), e.getKey());
            assertTrue(alias.data().isDirect(), "zero-copy slice of the mapped entry expected");
        });
    }

    @Test
    void views_offsetsStridesAndDtypesMatchTorch() throws Exception {
        Map<String, TensorData> sd = TorchCheckpoint.open(resource("views.pt")).stateDict();
        float[] a = new float[24];
        for (int i = 0; i < 24; i++) a[i] = i;
        assertArrayEquals(a, sd.get("contig").toFloats());
        assertArrayEquals(new long[]{2, 3, 4}, sd.get("contig").shape());
        assertArrayEquals(a, sd.get("shared").toFloats());

        // permute(2, 0, 1): out[i][j][k] = a[j][k][i] = 12j + 4k + i
        float[] perm = new float[24];
        for (int i = 0; i < 4; i++) for (int j = 0; j < 2; j++) for (int k = 0; k < 3; k++) perm[i * 6 + j * 3 + k] = 12 * j + 4 * k + i;
        assertArrayEquals(new long[]{4, 2, 3}, sd.get("permuted").shape());
        assertArrayEquals(perm, sd.get("permuted").toFloats());

        assertArrayEquals(Arrays.copyOfRange(a, 12, 24), sd.get("row1").toFloats());
        assertArrayEquals(new float[]{1, 5, 9, 13, 17, 21}, sd.get("col").toFloats());
        assertArrayEquals(a, sd.get("half").toFloats());
        assertEquals(DType.F16, sd.get("half").dtype());
        assertEquals(DType.BF16, sd.get("bf16").dtype());
        assertArrayEquals(a, sd.get("bf16").toFloats());
        // a[0].t(): [4, 3], out[i][j] = a[0][j][i] = 4j + i
        float[] t = new float[12];
        for (int i = 0; i < 4; i++) for (int j = 0; j < 3; j++) t[i * 3 + j] = 4 * j + i;
        assertArrayEquals(t, sd.get("bf16_t").toFloats());
        assertEquals(DType.F64, sd.get("f64").dtype());
        assertArrayEquals(new long[]{0, 1, 2, 3, 4}, sd.get("i64").toLongs());
        assertEquals(DType.I32, sd.get("i32").dtype());
        assertArrayEquals(new long[]{0, 1, 2, 3, 4}, sd.get("i32").toLongs());
        assertArrayEquals(new long[]{-2, -1, 0, 1, 2}, sd.get("i8").toLongs());
        assertArrayEquals(new long[]{0, 1, 2, 3, 4}, sd.get("u8").toLongs());
        assertEquals(DType.BOOL, sd.get("bool").dtype());
        assertArrayEquals(new long[]{1, 0, 1, 0, 1, 0}, sd.get("bool").toLongs());
        assertArrayEquals(new long[0], sd.get("scalar").shape());
        assertArrayEquals(new float[]{3.5f}, sd.get("scalar").toFloats());
        assertArrayEquals(new long[]{0, 3}, sd.get("empty").shape());
        assertArrayEquals(new float[]{0, 1, 2, 3, 4, 5}, sd.get("param").toFloats());
    }

    @Test
    void nested_rootIsNotFlat_errorSuggestsSubDictAndPathPicksIt() throws Exception {
        TorchCheckpoint c = TorchCheckpoint.open(resource("nested.pt"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::stateDict);
        assertTrue(e.getMessage().contains("'model'") && e.getMessage().contains("nested dict"), e.getMessage());
        assertEquals(17, c.stateDict("model").size());
        Map<?, ?> root = (Map<?, ?>) c.root();
        assertEquals(3L, root.get("epoch"));
        assertEquals(0.5, root.get("lr"));
        assertEquals(List.of(0.9, 0.99), root.get("betas"));
        assertNull(root.get("flag"));
        assertArrayEquals(new byte[]{0, (byte) 0xff}, (byte[]) root.get("blob"));
        assertEquals(17, TorchCheckpoint.load(resource("nested.pt")).size()); // unwraps "model"
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> c.stateDict("module"));
        assertTrue(missing.getMessage().contains("no key 'module'"), missing.getMessage());
    }

    @Test
    void deepspeedLike_loadUnwrapsModule_viewsIntoFlatBufferAreRight() throws Exception {
        Map<String, TensorData> sd = TorchCheckpoint.load(resource("deepspeed_like.pt"));
        assertEquals(List.of("enc.weight", "enc.bias", "proj.weight", "frozen.weight"), new ArrayList<>(sd.keySet()));
        assertArrayEquals(new float[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, sd.get("enc.weight").toFloats());
        assertArrayEquals(new float[]{12, 13, 14}, sd.get("enc.bias").toFloats());
        assertArrayEquals(new long[]{5, 1}, sd.get("proj.weight").shape());
        assertArrayEquals(new float[]{15, 16, 17, 18, 19}, sd.get("proj.weight").toFloats());
        assertArrayEquals(new float[]{1, 1, 1, 1}, sd.get("frozen.weight").toFloats());
        Map<?, ?> root = (Map<?, ?>) TorchCheckpoint.open(resource("deepspeed_like.pt")).root();
        Map<?, ?> shapes = (Map<?, ?>) ((List<?>) root.get("param_shapes")).get(0);
        assertEquals(List.of(3L, 4L), shapes.get("enc.weight")); // torch.Size -> tuple
        assertEquals(java.util.Set.of(), root.get("sparse_tensor_module_names"));
    }

    @Test
    void unknownGlobal_strictNamesIt_lenientKeepsItOpaque() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TorchCheckpoint.open(resource("nested_args.pt")));
        assertTrue(e.getMessage().contains("nested_args.pt") && e.getMessage().contains("argparse.Namespace"), e.getMessage());
        TorchCheckpoint c = TorchCheckpoint.openLenient(resource("nested_args.pt"));
        assertEquals(17, c.stateDict("module").size());
        Object args = ((Map<?, ?>) c.root()).get("args");
        assertInstanceOf(TorchCheckpoint.PyObject.class, args);
        assertEquals("argparse.Namespace", ((TorchCheckpoint.PyObject) args).type());
        assertEquals(Map.of("lr", 0.1), ((TorchCheckpoint.PyObject) args).state());
    }

    @Test
    void handMadePickle_unknownGlobal_errorNamesFileAndGlobal(@TempDir Path tmp) throws IOException {
        // protocol 2: GLOBAL os.system, ('ls',), REDUCE, STOP
        byte[] pkl = {(byte) 0x80, 2, 'c', 'o', 's', '\n', 's', 'y', 's', 't', 'e', 'm', '\n',
                'X', 2, 0, 0, 0, 'l', 's', (byte) 0x85, 'R', '.'};
        Path f = tmp.resolve("evil.pt");
        writeZip(f, Map.of("archive/data.pkl", pkl, "archive/version", "3\n".getBytes()), false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TorchCheckpoint.open(f));
        assertTrue(e.getMessage().contains("evil.pt") && e.getMessage().contains("os.system"), e.getMessage());
    }

    @Test
    void handMadePickle_rebuildTensorV3_readsUntypedStorageAsTheGivenDtype(@TempDir Path tmp) throws IOException {
        // {'w': _rebuild_tensor_v3(<storage ('storage', UntypedStorage, '0', 'cpu', 8)>, 0, (2,), (1,), False,
        //                          OrderedDict(), torch.float32)} -- the form newer torch uses for some dtypes
        java.io.ByteArrayOutputStream p = new java.io.ByteArrayOutputStream();
        p.write(new byte[]{(byte) 0x80, 2, '}'});
        str(p, "w");
        ascii(p, "ctorch._utils\n_rebuild_tensor_v3\n(");
        p.write('(');
        str(p, "storage");
        ascii(p, "ctorch\nUntypedStorage\n");
        str(p, "0");
        str(p, "cpu");
        p.write(new byte[]{'K', 8, 't', 'Q', 'K', 0, 'K', 2, (byte) 0x85, 'K', 1, (byte) 0x85, (byte) 0x89});
        ascii(p, "ccollections\nOrderedDict\n)R");
        ascii(p, "ctorch\nfloat32\ntRs.");
        byte[] data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f).array();
        Path f = tmp.resolve("v3.pt");
        writeZip(f, Map.of("archive/data.pkl", p.toByteArray(), "archive/data/0", data), false);
        TensorData w = TorchCheckpoint.open(f).stateDict().get("w");
        assertEquals(DType.F32, w.dtype());
        assertArrayEquals(new float[]{1.5f, -2f}, w.toFloats());
    }

    private static void str(java.io.ByteArrayOutputStream p, String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        p.write('X');
        p.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        p.writeBytes(b);
    }

    private static void ascii(java.io.ByteArrayOutputStream p, String s) {
        p.writeBytes(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void handMadePickle_unknownOpcode_errorNamesOpcode(@TempDir Path tmp) throws IOException {
        byte[] pkl = {(byte) 0x80, 2, 'i', 'x', '\n', '.'}; // INST is outside the subset
        Path f = tmp.resolve("inst.pt");
        writeZip(f, Map.of("archive/data.pkl", pkl), false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TorchCheckpoint.open(f));
        assertTrue(e.getMessage().contains("inst.pt") && e.getMessage().contains("opcode 0x69"), e.getMessage());
    }

    @Test
    void truncatedZip_errorSaysTruncated(@TempDir Path tmp) throws IOException {
        Path src = osumTiny().resolve("infer.pt");
        Path f = tmp.resolve("cut.pt");
        byte[] all = Files.readAllBytes(src);
        Files.write(f, Arrays.copyOf(all, all.length / 2));
        IOException e = assertThrows(IOException.class, () -> TorchCheckpoint.open(f));
        assertTrue(e.getMessage().contains("cut.pt") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void legacyFormat_errorExplainsLegacy() throws Exception {
        IOException e = assertThrows(IOException.class, () -> TorchCheckpoint.open(resource("legacy.pt")));
        assertTrue(e.getMessage().contains("legacy.pt") && e.getMessage().contains("legacy"), e.getMessage());
    }

    @Test
    void deflatedEntries_areInflatedToTheSameTensors(@TempDir Path tmp) throws Exception {
        Path src = resource("views.pt");
        Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        try (ZipFile z = new ZipFile(src.toFile())) {
            for (ZipEntry e : java.util.Collections.list(z.entries())) entries.put(e.getName(), z.getInputStream(e).readAllBytes());
        }
        Path f = tmp.resolve("deflated.pt");
        writeZip(f, entries, true);
        Map<String, TensorData> a = TorchCheckpoint.open(src).stateDict();
        Map<String, TensorData> b = TorchCheckpoint.open(f).stateDict();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertEquals(a.get(k).data(), b.get(k).data(), k);
    }

    @Test
    void unsupportedCompressionMethod_errorNamesEntryAndMethod(@TempDir Path tmp) throws Exception {
        byte[] zip = Files.readAllBytes(resource("views.pt"));
        ByteBuffer in = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        int p = zip.length - 22;
        while (in.getInt(p) != 0x06054b50) p--;
        int cd = in.getInt(p + 16);
        int count = in.getShort(p + 10) & 0xffff;
        for (int e = 0; e < count; e++) { // mark the storage entry "views/data/0" as bzip2-compressed (method 12)
            int nameLen = in.getShort(cd + 28) & 0xffff;
            String name = new String(zip, cd + 46, nameLen, java.nio.charset.StandardCharsets.UTF_8);
            if (name.equals("views/data/0")) in.putShort(cd + 10, (short) 12);
            cd += 46 + nameLen + (in.getShort(cd + 30) & 0xffff) + (in.getShort(cd + 32) & 0xffff);
        }
        Path f = tmp.resolve("bzip2.pt");
        Files.write(f, zip);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TorchCheckpoint.open(f));
        assertTrue(e.getMessage().contains("bzip2.pt") && e.getMessage().contains("views/data/0")
                && e.getMessage().contains("compression method 12"), e.getMessage());
    }

    @Test
    void storageEntryShorterThanDeclared_errorNamesStorage(@TempDir Path tmp) throws Exception {
        Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        try (ZipFile z = new ZipFile(resource("views.pt").toFile())) {
            for (ZipEntry e : java.util.Collections.list(z.entries())) entries.put(e.getName(), z.getInputStream(e).readAllBytes());
        }
        entries.put("views/data/0", new byte[8]); // "contig" storage: 24 floats expected
        Path f = tmp.resolve("short.pt");
        writeZip(f, entries, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TorchCheckpoint.open(f));
        assertTrue(e.getMessage().contains("short.pt") && e.getMessage().contains("storage '0'"), e.getMessage());
    }

    @Test
    void views_largeStorageMappedPerView_sameValues() throws Exception {
        // Limit 0: every storage takes the path of a storage over 1 GiB (a window mapped per tensor view).
        Map<String, TensorData> whole = TorchCheckpoint.open(resource("views.pt")).stateDict();
        Map<String, TensorData> windowed = TorchCheckpoint.open(resource("views.pt"), false, 0).stateDict();
        assertEquals(whole.keySet(), windowed.keySet());
        for (String k : whole.keySet()) {
            assertArrayEquals(whole.get(k).shape(), windowed.get(k).shape(), k);
            assertEquals(whole.get(k).data(), windowed.get(k).data(), k);
        }
    }

    @Test
    void zip64Directory_readsTheSameTensors(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("zip64.pt");
        Files.write(f, toZip64(Files.readAllBytes(resource("views.pt"))));
        try (ZipFile z = new ZipFile(f.toFile())) { // the JDK agrees the rewritten file is a valid zip
            assertTrue(z.size() > 10);
        }
        Map<String, TensorData> a = TorchCheckpoint.open(resource("views.pt")).stateDict();
        Map<String, TensorData> b = TorchCheckpoint.open(f).stateDict();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertEquals(a.get(k).data(), b.get(k).data(), k);
    }

    /**
     * Rewrites a small zip as a checkpoint over 4 GiB would be written: every central-directory size and
     * offset moved to a ZIP64 extra field, and a ZIP64 end record + locator before the end record.
     */
    static byte[] toZip64(byte[] zip) {
        ByteBuffer in = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        int eocd = zip.length - 22;
        while (in.getInt(eocd) != 0x06054b50) eocd--;
        int count = in.getShort(eocd + 10) & 0xffff;
        int cdSize = in.getInt(eocd + 12);
        int cdOffset = in.getInt(eocd + 16);
        ByteBuffer out = ByteBuffer.allocate(zip.length + count * 28 + 56 + 20 + 64).order(ByteOrder.LITTLE_ENDIAN);
        out.put(zip, 0, cdOffset);
        int p = cdOffset;
        for (int e = 0; e < count; e++) {
            int nameLen = in.getShort(p + 28) & 0xffff;
            int extraLen = in.getShort(p + 30) & 0xffff;
            int commentLen = in.getShort(p + 32) & 0xffff;
            long comp = in.getInt(p + 20) & 0xffffffffL;
            long size = in.getInt(p + 24) & 0xffffffffL;
            long local = in.getInt(p + 42) & 0xffffffffL;
            int start = out.position();
            out.put(zip, p, 46);
            out.putInt(start + 20, -1).putInt(start + 24, -1).putInt(start + 42, -1);
            out.putShort(start + 30, (short) 28).putShort(start + 32, (short) 0);
            out.put(zip, p + 46, nameLen);
            out.putShort((short) 1).putShort((short) 24).putLong(size).putLong(comp).putLong(local);
            p += 46 + nameLen + extraLen + commentLen;
        }
        long newCdSize = out.position() - cdOffset;
        long z64 = out.position();
        out.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                .putLong(count).putLong(count).putLong(newCdSize).putLong(cdOffset);
        out.putInt(0x07064b50).putInt(0).putLong(z64).putInt(1);
        out.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) -1).putShort((short) -1)
                .putInt(-1).putInt(-1).putShort((short) 0);
        assertTrue(cdSize > 0);
        return Arrays.copyOf(out.array(), out.position());
    }

    static void writeZip(Path f, Map<String, byte[]> entries, boolean deflate) throws IOException {
        try (OutputStream os = Files.newOutputStream(f); ZipOutputStream z = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry ze = new ZipEntry(e.getKey());
                if (!deflate) {
                    ze.setMethod(ZipEntry.STORED);
                    ze.setSize(e.getValue().length);
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    ze.setCrc(crc.getValue());
                } else {
                    ze.setMethod(ZipEntry.DEFLATED);
                }
                z.putNextEntry(ze);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
    }
}

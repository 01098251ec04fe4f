package org.osum4j.model;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backend decision with injected availability (class path, devices, capabilities, override), the ND4J
 * environment that applies it, and the refusal of a process whose environment would load another backend.
 * Nothing here touches a GPU or ND4J.
 */
class BackendsTest {

    private static final Backends.Facts CPU_BUILD = new Backends.Facts(false, List.of(), "not probed: CPU build");
    private static final Backends.Facts AMPERE = new Backends.Facts(true, List.of(86), "nvidia-smi: 1 GPU");
    private static final Backends.Facts HOPPER = new Backends.Facts(true, List.of(90), "nvidia-smi: 1 GPU");
    private static final Backends.Facts CUDA_BUILD_NO_GPU = new Backends.Facts(true, List.of(), "nvidia-smi not found");

    @Test
    void auto_withoutCudaBackendOnClassPath_choosesCpu() {
        Backends.Choice c = Backends.decide(CPU_BUILD, null);
        assertEquals(Backends.Backend.CPU, c.backend());
        assertTrue(c.reason().contains("not on the class path"), c.reason());
        assertTrue(c.logLine().startsWith("osum4j backend: cpu ("), c.logLine());
    }

    @Test
    void auto_withCudaBackendAndAmpereGpu_choosesCuda() {
        Backends.Choice c = Backends.decide(AMPERE, "auto");
        assertEquals(Backends.Backend.CUDA, c.backend());
        assertTrue(c.reason().contains("sm_86"), c.reason());
    }

    @Test
    void auto_withCudaBackendAndHopperGpu_fallsBackToCpuNamingTheCapability() {
        Backends.Choice c = Backends.decide(HOPPER, "");
        assertEquals(Backends.Backend.CPU, c.backend());
        assertTrue(c.reason().contains("sm_90 (9.0)") && c.reason().contains("sm_86"), c.reason());
    }

    @Test
    void auto_withOneUnsupportedGpuAmongSeveral_choosesCpu() {
        Backends.Choice c = Backends.decide(new Backends.Facts(true, List.of(80, 89), "nvidia-smi: 2 GPUs"), null);
        assertEquals(Backends.Backend.CPU, c.backend());
        assertTrue(c.reason().contains("GPU 1 is sm_89"), c.reason());
    }

    @Test
    void auto_withCudaBuildButNoDevice_choosesCpu() {
        Backends.Choice c = Backends.decide(CUDA_BUILD_NO_GPU, null);
        assertEquals(Backends.Backend.CPU, c.backend());
        assertTrue(c.reason().contains("no CUDA device") && c.reason().contains("nvidia-smi not found"), c.reason());
    }

    @Test
    void overrideCpu_winsOverASupportedGpu() {
        Backends.Choice c = Backends.decide(AMPERE, "CPU");
        assertEquals(Backends.Backend.CPU, c.backend());
        assertTrue(c.reason().contains("osum.backend=cpu"), c.reason());
    }

    @Test
    void overrideCuda_withoutGpu_isAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.decide(CUDA_BUILD_NO_GPU, "cuda"));
        assertTrue(e.getMessage().contains("osum.backend=cuda") && e.getMessage().contains("no CUDA device"), e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> Backends.decide(CPU_BUILD, "cuda"));
        assertTrue(e2.getMessage().contains("-Pcuda"), e2.getMessage());
        IllegalArgumentException e3 = assertThrows(IllegalArgumentException.class, () -> Backends.decide(HOPPER, "cuda"));
        assertTrue(e3.getMessage().contains("sm_90"), e3.getMessage());
    }

    @Test
    void unknownCapability_isCpuOnAutoButCudaWhenAskedFor() {
        Backends.Facts old = new Backends.Facts(true, List.of(-1), "nvidia-smi without compute_cap: 1 GPU(s)");
        assertEquals(Backends.Backend.CPU, Backends.decide(old, "auto").backend());
        assertEquals(Backends.Backend.CUDA, Backends.decide(old, "cuda").backend());
    }

    @Test
    void badOverride_isRejectedNamingTheProperty() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.decide(CPU_BUILD, "gpu"));
        assertTrue(e.getMessage().contains("osum.backend=gpu") && e.getMessage().contains("cpu, cuda or auto"), e.getMessage());
    }

    @Test
    void nd4jEnvironment_makesNd4jTryTheChosenBackendFirst() {
        // ND4J's defaults (no variables) put CUDA first whenever its backend is on the class path
        assertEquals(Backends.Backend.CUDA, Backends.nd4jWouldTry(HOPPER, Map.of()));
        assertEquals(Backends.Backend.CPU, Backends.nd4jWouldTry(HOPPER, Backends.nd4jEnvironment(Backends.Backend.CPU)));
        assertEquals(Backends.Backend.CUDA, Backends.nd4jWouldTry(AMPERE, Backends.nd4jEnvironment(Backends.Backend.CUDA)));
        assertEquals(Backends.Backend.CPU, Backends.nd4jWouldTry(CPU_BUILD, Map.of()));
    }

    @Test
    void check_refusesAnEnvironmentThatWouldLoadCudaOnHopper() {
        Backends.Choice cpu = Backends.decide(HOPPER, null);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.check(cpu, HOPPER, Map.of()));
        assertTrue(e.getMessage().contains("BACKEND_PRIORITY_CPU=200"), e.getMessage());
        Backends.check(cpu, HOPPER, Backends.nd4jEnvironment(Backends.Backend.CPU));           // no exception
        Backends.check(Backends.decide(CPU_BUILD, null), CPU_BUILD, Map.of());
    }

    @Test
    void parseCapabilities_readsNvidiaSmiLinesAndMarksOthersUnknown() {
        assertEquals(List.of(86, 90, -1), Backends.parseCapabilities("8.6\n9.0\n[N/A]\n\n"));
    }
}

// osum4j quickstart, as a script: the same steps as notebooks/00_quickstart.ipynb without a notebook.
// Run with the library on the class path after scripts/imports.jsh (./osum jshell scripts/quickstart.jsh).
// Prints each result, checks them at the end and exits 0 when every check holds, 1 otherwise.

// 1. Quick or full run: quick (the default) keeps everything small enough for tests and CI.
boolean QUICK = !"full".equals(System.getenv().getOrDefault("OSUM_MODE", "quick"));
System.out.println("mode: " + (QUICK ? "quick" : "full"));

// 2. ND4J: a 2x2 matrix product we can check by hand, and a bigger one to time.
INDArray a = Nd4j.createFromArray(new double[][] {{1, 2}, {3, 4}});
INDArray b = Nd4j.createFromArray(new double[][] {{5, 6}, {7, 8}});
INDArray ab = a.mmul(b);                                 // [2, 2] = [[19, 22], [43, 50]]
System.out.println("a·b =\n" + ab);

Nd4j.getRandom().setSeed(42);
int n = QUICK ? 256 : 1024;
INDArray x = Nd4j.rand(n, n);                            // [n, n] uniform in [0, 1)
INDArray y = Nd4j.rand(n, n);                            // [n, n]
x.mmul(y);                                               // warm-up: the first call loads BLAS kernels
long t0 = System.nanoTime();
INDArray xy = x.mmul(y);                                 // [n, n]
double seconds = (System.nanoTime() - t0) / 1e9;
System.out.printf("%d x %d mmul: %.1f ms, %.1f GFLOP/s%n", n, n, seconds * 1e3, 2.0 * n * n * n / seconds / 1e9);
// (x·y)ᵀ = yᵀ·xᵀ: the same numbers computed along another path.
double transposeDiff = xy.transpose().sub(y.transpose().mmul(x.transpose())).amaxNumber().doubleValue();

// 3. A Tablesaw table built in code, rendered as HTML for a notebook (printed as text here).
Table runs = Table.create("runs",
        StringColumn.create("task", new String[] {"ASR", "SER", "SGC", "AED"}),
        DoubleColumn.create("error_rate", new double[] {0.081, 0.254, 0.172, 0.133}),
        IntColumn.create("utterances", new int[] {2620, 1241, 800, 450}));
RichTable shown = Tables.rich(runs);
System.out.println(shown.mimeBundle().get("text/plain"));
double meanError = runs.doubleColumn("error_rate").mean();

// 4. A chart of sin and cos, drawn offline (PNG and SVG).
int points = 200;
double[] t = IntStream.range(0, points).mapToDouble(i -> i * 4 * Math.PI / (points - 1)).toArray();
double[] sin = Arrays.stream(t).map(Math::sin).toArray();
double[] cos = Arrays.stream(t).map(Math::cos).toArray();
LineChart waves = Charts.line("sin and cos", "t", "value").series("sin", t, sin).series("cos", t, cos);
byte[] wavesPng = waves.png();
String wavesSvg = waves.svg();
System.out.println(waves + ": " + wavesPng.length + " PNG bytes, " + wavesSvg.length() + " SVG chars");
double identityDiff = IntStream.range(0, points).mapToDouble(i -> Math.abs(sin[i] * sin[i] + cos[i] * cos[i] - 1)).max().orElse(1);

// 5. A synthesized tone and its audio player (a WAV embedded as a data URI in a notebook).
int sampleRate = 16000;
float[] tone = Audio.tone(440, 1.0, sampleRate);
Audio.Player player = Audio.player(tone, sampleRate);
System.out.println(player);
double peak = 0;
for (float s : tone) peak = Math.max(peak, Math.abs(s));

// 6. Timing a computation (the notebook uses the kernel's %%time magic).
long t1 = System.nanoTime();
double normSum = 0;
for (int i = 0; i < (QUICK ? 10 : 100); i++) normSum += x.mmul(y).norm2Number().doubleValue();
System.out.printf("%d mmul + norm: %.1f ms%n", QUICK ? 10 : 100, (System.nanoTime() - t1) / 1e6);

// 7. A progress bar over a small fit: noisy y = 3x + 1 by gradient descent on ND4J arrays.
int samples = 256;
INDArray xs = Nd4j.rand(samples, 1).muli(2).subi(1);    // [samples, 1] uniform in [-1, 1)
INDArray ys = xs.mul(3.0).addi(1.0).addi(Nd4j.randn(samples, 1).muli(0.1)); // [samples, 1] targets
double w = 0, bias = 0, learningRate = 0.1;
int steps = QUICK ? 300 : 3000;
double[] losses = new double[steps];
try (Progress p = Progress.start("fit y = w*x + b", steps)) {
    for (int i = 0; i < steps; i++) {
        INDArray err = xs.mul(w).addi(bias).subi(ys);    // [samples, 1] prediction - target
        losses[i] = err.mul(err).meanNumber().doubleValue();
        double gradW = 2 * err.mul(xs).meanNumber().doubleValue();
        double gradB = 2 * err.meanNumber().doubleValue();
        w -= learningRate * gradW;
        bias -= learningRate * gradB;
        p.metric("loss", losses[i]).step(1);
    }
}
System.out.printf("w = %.6f, b = %.6f, final loss = %.3e%n", w, bias, losses[steps - 1]);
// The least-squares line in closed form, to check that gradient descent found it.
double mx = xs.meanNumber().doubleValue(), my = ys.meanNumber().doubleValue();
double wBest = xs.sub(mx).mul(ys.sub(my)).meanNumber().doubleValue() / xs.sub(mx).mul(xs.sub(mx)).meanNumber().doubleValue();
double bBest = my - wBest * mx;
System.out.printf("least squares: w = %.6f, b = %.6f%n", wBest, bBest);
LineChart lossCurve = Charts.line("training loss", "step", "MSE").series("loss", losses).logY(true);
lossCurve.png();

// 8. Checks: the script fails (exit 1) when a result is wrong.
List<String> failures = new ArrayList<>();
void check(String what, boolean ok) { System.out.println((ok ? "OK      " : "NOT OK  ") + what); if (!ok) failures.add(what); }
check("a·b = [[19, 22], [43, 50]]", ab.equalsWithEps(Nd4j.createFromArray(new double[][] {{19, 22}, {43, 50}}), 1e-9));
check("(x·y)ᵀ = yᵀ·xᵀ within 1e-3 (" + transposeDiff + ")", transposeDiff < 1e-3);
check("mean error rate 0.16", Math.abs(meanError - 0.16) < 1e-9);
check("table HTML has 4 rows", shown.mimeBundle().get("text/html").split("<tr><td").length - 1 == 4);
check("sin² + cos² = 1", identityDiff < 1e-12);
check("chart PNG is 640 px wide", javax.imageio.ImageIO.read(new ByteArrayInputStream(wavesPng)).getWidth() == 640);
check("chart SVG is an SVG", wavesSvg.contains("<svg"));
check("tone: 1 s at 16 kHz, peak 0.5", tone.length == sampleRate && Math.abs(peak - 0.5) < 1e-3);
check("player embeds a WAV", player.mimeBundle().get("text/html").contains("data:audio/wav;base64,UklGR"));
check("fit: w, b = least squares within 1e-4", Math.abs(w - wBest) < 1e-4 && Math.abs(bias - bBest) < 1e-4);
check("fit: w = 3 and b = 1 within 0.05 (noise 0.1)", Math.abs(w - 3) < 0.05 && Math.abs(bias - 1) < 0.05);
check("loss fell to the noise floor 0.01 +- 50%", Math.abs(losses[steps - 1] - 0.01) < 0.005);
System.out.println(failures.isEmpty() ? "quickstart: all checks passed" : "quickstart: FAILED " + failures);
System.exit(failures.isEmpty() ? 0 : 1);

// Draws the shipped tiny model's training curves from its logs (run with: ./osum jshell models/tiny/plot_curves.jsh).
// Reads models/tiny/logs/train.csv (step,loss,lr,...) and validation.csv (step,task,metric,value); writes
// models/tiny/curves/loss.png (training loss, smoothed, and dev loss per task) and curves/dev_metrics.png (per-task
// dev WER and label accuracy from the decoding validation).
Path dir = Path.of(System.getProperty("osum.root", ".")).resolve("models/tiny");
Path logs = dir.resolve("logs");
Files.createDirectories(dir.resolve("curves"));
Table train = Table.read().csv(logs.resolve("train.csv").toString());
double[] steps = train.numberColumn("step").asDoubleArray();
double[] loss = train.numberColumn("loss").asDoubleArray();
double[] smooth = new double[loss.length];
double ema = loss[0];
for (int i = 0; i < loss.length; i++) { ema = 0.98 * ema + 0.02 * loss[i]; smooth[i] = ema; }
Table val = Table.read().csv(logs.resolve("validation.csv").toString());
LineChart lossChart = Charts.line("tiny OSUM: training loss and per-task dev loss", "optimizer step", "cross-entropy (nats/token)")
        .series("train (EMA 0.98)", steps, smooth);
LineChart metricChart = Charts.line("tiny OSUM: dev metrics of greedy answers", "optimizer step", "rate");
for (String task : val.stringColumn("task").unique().asList()) {
    if (task.equals("all")) continue;
    Table t = val.where(val.stringColumn("task").isEqualTo(task));
    Table l = t.where(t.stringColumn("metric").isEqualTo("loss"));
    if (l.rowCount() > 0) lossChart.series("dev " + task, l.numberColumn("step").asDoubleArray(), l.numberColumn("value").asDoubleArray());
    for (String m : t.stringColumn("metric").unique().asList()) {
        if (!(m.equals("wer") && task.equals("<TRANSCRIBE>")) && !m.endsWith("_acc")) continue;
        Table s = t.where(t.stringColumn("metric").isEqualTo(m));
        metricChart.series(task + " " + m, s.numberColumn("step").asDoubleArray(), s.numberColumn("value").asDoubleArray());
    }
}
lossChart.size(900, 520).savePng(dir.resolve("curves/loss.png"));
System.out.println("wrote " + dir.resolve("curves/loss.png"));
if (metricChart.seriesCount() > 0) {
    metricChart.size(900, 520).savePng(dir.resolve("curves/dev_metrics.png"));
    System.out.println("wrote " + dir.resolve("curves/dev_metrics.png"));
}

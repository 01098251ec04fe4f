// Draws the shipped tiny model's training curves from its logs (run with: ./osum jshell models/tiny/plot_curves.jsh).
// Reads models/tiny/logs/stage1/ and, when present, logs/stage2/ (train.csv: step,loss,lr,...;
// validation.csv: step,task,metric,value); each stage's steps continue the previous one's on the x axis. Writes
// models/tiny/curves/loss.png (training loss, smoothed, and dev loss per task), curves/dev_metrics.png (per-task dev
// WER of <TRANSCRIBE> and label accuracies from the decoding validation) and, from logs/experiments/stage-a-encoder-ctc/,
// curves/encoder_ctc_loss.png and encoder_ctc_rates.png (the encoder CTC stage: training loss and greedy dev letter/word error rates).
Path dir = Path.of(System.getProperty("osum.root", ".")).resolve("models/tiny");
Files.createDirectories(dir.resolve("curves"));
List<Table> trains = new ArrayList<>(), vals = new ArrayList<>();
List<Double> starts = new ArrayList<>();
double offset = 0;
for (String stage : List.of("stage1", "stage2")) {
    Path logs = dir.resolve("logs").resolve(stage);
    if (!Files.isRegularFile(logs.resolve("train.csv"))) continue;
    Table t = Table.read().csv(logs.resolve("train.csv").toString());
    Table v = Table.read().csv(logs.resolve("validation.csv").toString());
    DoubleColumn ts = t.numberColumn("step").asDoubleColumn().add(offset).setName("x");
    DoubleColumn vs = v.numberColumn("step").asDoubleColumn().add(offset).setName("x");
    t.addColumns(ts);
    v.addColumns(vs);
    trains.add(t);
    vals.add(v);
    starts.add(offset);
    offset = ts.max();
}
Table train = trains.get(0);
for (int i = 1; i < trains.size(); i++) train = train.append(trains.get(i));
Table val = vals.get(0);
for (int i = 1; i < vals.size(); i++) val = val.append(vals.get(i));
double[] steps = train.numberColumn("x").asDoubleArray();
double[] loss = train.numberColumn("loss").asDoubleArray();
double[] smooth = new double[loss.length];
double ema = loss[0];
for (int i = 0; i < loss.length; i++) { ema = 0.98 * ema + 0.02 * loss[i]; smooth[i] = ema; }
String stages = "";
for (int i = 1; i < starts.size(); i++) stages += (i == 1 ? " (" : ", ") + "stage " + (i + 1) + " from " + starts.get(i).longValue() + (i == starts.size() - 1 ? ")" : "");
LineChart lossChart = Charts.line("tiny OSUM: training loss and per-task dev loss" + stages, "optimizer step", "cross-entropy (nats/token)")
        .series("train (EMA 0.98)", steps, smooth);
LineChart metricChart = Charts.line("tiny OSUM: dev metrics of greedy answers" + stages, "optimizer step", "rate");
for (String task : val.stringColumn("task").unique().asList()) {
    if (task.equals("all")) continue;
    Table t = val.where(val.stringColumn("task").isEqualTo(task));
    Table l = t.where(t.stringColumn("metric").isEqualTo("loss"));
    if (l.rowCount() > 0) lossChart.series("dev " + task, l.numberColumn("x").asDoubleArray(), l.numberColumn("value").asDoubleArray());
    for (String m : t.stringColumn("metric").unique().asList()) {
        if (!(m.equals("wer") && task.equals("<TRANSCRIBE>")) && !m.endsWith("_acc")) continue;
        Table s = t.where(t.stringColumn("metric").isEqualTo(m));
        metricChart.series(task + " " + m, s.numberColumn("x").asDoubleArray(), s.numberColumn("value").asDoubleArray());
    }
}
lossChart.size(900, 520).savePng(dir.resolve("curves/loss.png"));
System.out.println("wrote " + dir.resolve("curves/loss.png"));
if (metricChart.seriesCount() > 0) {
    metricChart.size(900, 520).savePng(dir.resolve("curves/dev_metrics.png"));
    System.out.println("wrote " + dir.resolve("curves/dev_metrics.png"));
}

Path ctcLogs = dir.resolve("logs/experiments/stage-a-encoder-ctc");
if (Files.isRegularFile(ctcLogs.resolve("train.csv"))) {
    Table t = Table.read().csv(ctcLogs.resolve("train.csv").toString());
    Table v = Table.read().csv(ctcLogs.resolve("validation.csv").toString());
    double[] x = t.numberColumn("step").asDoubleArray(), y = t.numberColumn("loss").asDoubleArray(), sm = new double[y.length];
    double e = y[0];
    for (int i = 0; i < y.length; i++) { e = 0.98 * e + 0.02 * y[i]; sm[i] = e; }
    Charts.line("tiny OSUM stage A: encoder CTC on letters, training loss", "optimizer step", "CTC loss (nats/letter)")
            .series("train (EMA 0.98)", x, sm).size(900, 420).savePng(dir.resolve("curves/encoder_ctc_loss.png"));
    LineChart rates = Charts.line("tiny OSUM stage A: greedy CTC error rates on dev (unseen speakers)", "optimizer step", "%");
    Table all = v.where(v.stringColumn("task").isEqualTo("all"));
    for (String m : List.of("cer", "wer")) {
        Table r = all.where(all.stringColumn("metric").isEqualTo(m));
        rates.series("dev " + m.toUpperCase(), r.numberColumn("step").asDoubleArray(), r.numberColumn("value").asDoubleArray());
    }
    rates.size(900, 420).savePng(dir.resolve("curves/encoder_ctc_rates.png"));
    System.out.println("wrote " + dir.resolve("curves/encoder_ctc_loss.png") + ", " + dir.resolve("curves/encoder_ctc_rates.png"));
}

package io.beaconflow.detectors.backtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * A labelled anomaly window, both ends inclusive. Read from CSV {@code start,end} (header
 * optional), timestamps as in {@link SeriesCsv}.
 */
public record LabelledWindow(long startMillis, long endMillis) {

    public boolean contains(long t) {
        return t >= startMillis && t <= endMillis;
    }

    public static List<LabelledWindow> read(Path csv, ZoneId zone) throws IOException {
        List<LabelledWindow> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(csv);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#") || (i == 0 && line.startsWith("start"))) {
                continue;
            }
            String[] c = line.split(",");
            if (c.length != 2) {
                throw new IOException(csv + ":" + (i + 1) + ": expected start,end");
            }
            long s = SeriesCsv.parseTimestamp(c[0].strip(), zone, csv, i + 1);
            long e = SeriesCsv.parseTimestamp(c[1].strip(), zone, csv, i + 1);
            if (e < s) {
                throw new IOException(csv + ":" + (i + 1) + ": end is before start; swap them");
            }
            out.add(new LabelledWindow(s, e));
        }
        return out;
    }
}

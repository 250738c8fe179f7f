package dev.cellar.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The samples of one Prometheus text exposition (what {@code GET /metrics} answers), enough of the
 * format for reading gauges and counters back: comments and blank lines are skipped, label values
 * are unescaped, {@code NaN} and infinities parse.
 */
record PrometheusText(List<Sample> samples) {
    private static final Pattern LINE = Pattern.compile("^([A-Za-z_:][A-Za-z0-9_:]*)(\\{(.*)})?\\s+(\\S+)(\\s+\\S+)?$");
    private static final Pattern LABEL = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    record Sample(String name, Map<String, String> labels, double value) {
        String label(String key) {
            return labels.get(key);
        }
    }

    static PrometheusText parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException("not a Prometheus sample line: " + line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2).replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\"));
                }
            }
            samples.add(new Sample(m.group(1), Map.copyOf(labels), number(m.group(4))));
        }
        return new PrometheusText(List.copyOf(samples));
    }

    private static double number(String text) {
        return switch (text) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }

    /** The sum of every sample of {@code name} whose labels pass {@code filter}; NaN when there is none. */
    double sum(String name, Predicate<Sample> filter) {
        double sum = 0;
        boolean found = false;
        for (Sample s : samples) {
            if (s.name().equals(name) && filter.test(s)) {
                sum += s.value();
                found = true;
            }
        }
        return found ? sum : Double.NaN;
    }

    double value(String name) {
        return sum(name, s -> true);
    }

    /** Every sample of {@code name}, keyed by the value of its label {@code key}. */
    Map<String, Double> byLabel(String name, String key) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (Sample s : samples) {
            if (s.name().equals(name) && s.label(key) != null) {
                values.put(s.label(key), s.value());
            }
        }
        return values;
    }
}

package dev.cellar.server.view;

import java.util.List;

/** {@code backupctl check}: a Barman-style checklist for one cluster; {@code ok} when every line is. */
public record CheckReport(String cluster, boolean ok, List<Line> checks) {

    /**
     * @param detail what was found
     * @param hint   what to do when it failed; {@code null} when it passed
     */
    public record Line(String name, boolean ok, String detail, String hint) {
    }
}

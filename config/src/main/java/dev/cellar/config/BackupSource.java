package dev.cellar.config;

/** Which server of a cluster base backups are taken from ({@code backup_from}). */
public enum BackupSource {
    /** The primary: always current, but the backup adds load to it. */
    PRIMARY,
    /** A standby, to spare the primary; fails when no standby is reachable. */
    STANDBY,
    /** A standby when one is reachable, else the primary. */
    ANY;

    /** The word as written in configuration, e.g. {@code primary}. */
    public String keyword() {
        return Choices.keyword(this);
    }

    /**
     * The constant for a configuration word.
     *
     * @throws dev.cellar.core.CellarException ({@code INVALID_VALUE}) naming the choices
     */
    public static BackupSource fromKeyword(String keyword) {
        return Choices.parse(keyword, values());
    }
}

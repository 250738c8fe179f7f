package dev.cellar.server.view;

/**
 * One cluster in {@code backupctl list-clusters}.
 *
 * @param configured  the server's configuration lists it (else only the repository remembers it)
 * @param pgMajor     {@code null} until the server first connected to it
 * @param backups     catalogued backups of any status
 * @param storedBytes what its WAL and backups occupy in the repository
 */
public record ClusterSummary(String name, boolean configured, Integer pgMajor, String systemIdentifier, String slot,
                             String streamState, long backups, long walSegments, long storedBytes) {
}

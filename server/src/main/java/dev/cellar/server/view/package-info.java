/**
 * What the admin API answers and {@code backupctl} prints: plain records with JSON-friendly
 * components (LSNs as PostgreSQL writes them, times as ISO-8601 UTC, sizes in bytes, absent values
 * as {@code null}). The server builds them from the catalog and the running streams; the CLI reads
 * them back from the API's JSON, so both sides share one definition.
 */
package dev.cellar.server.view;

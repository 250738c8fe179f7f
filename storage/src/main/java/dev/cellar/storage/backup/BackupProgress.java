package dev.cellar.storage.backup;

/**
 * A snapshot of a {@link BackupWriter}'s progress.
 *
 * @param bytesReceived archive bytes passed to {@link ArchiveSink#write} (tar headers included)
 * @param contentBytes  file content parsed from the archives so far
 * @param chunksStored  chunk objects stored so far
 * @param bytesStored   bytes stored so far (compressed chunks, manifest, index)
 */
public record BackupProgress(long bytesReceived, long contentBytes, int chunksStored, long bytesStored) {
}

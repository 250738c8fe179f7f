package dev.cellar.restore.export;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.backup.IncrementalFileNames;
import dev.cellar.storage.backup.BackupEntry;
import dev.cellar.storage.backup.EntryType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where each entry of a data directory combined from a chain of backups comes from, decided from
 * the chain's file indexes alone, as pg_combinebackup decides it. Pure: no I/O; immutable.
 *
 * <p>The output holds exactly the entries of the newest backup, with every {@code INCREMENTAL.<name>}
 * (a relation segment the server sent incrementally, see {@link IncrementalFileNames}) replaced by
 * {@code <name>}, rebuilt from a base and layers:
 * <ul>
 *   <li>the base is the newest backup before the newest that holds {@code <name>} as a whole file;</li>
 *   <li>the layers are the {@code INCREMENTAL.<name>} files of every backup after the base, oldest
 *       first; a backup between the base and the newest holding neither version breaks the chain
 *       (pg_combinebackup fails there too), and so does a chain with no whole copy at all.</li>
 * </ul>
 * Every other file of the newest backup is taken from it as is. The entries of the full backup (the
 * first of the chain) that the newest backup does not have with the same type are {@link #obsolete()}:
 * a restore that unpacks the full backup first removes them. {@link #wanted(int)} says which files of
 * each backup the output needs at all, so that the others need not be read.
 */
final class ChainLayout {

    /**
     * One backup of the chain.
     *
     * @param backupId the backup's id, for messages
     * @param entries  every entry of every archive (see {@link BackupEntry})
     */
    record Member(String backupId, List<BackupEntry> entries) {
        Member {
            Objects.requireNonNull(backupId, "backupId");
            entries = List.copyOf(entries);
        }
    }

    /** An entry's place: its archive and its path in it. */
    record Key(String archive, String path) {
        static Key of(BackupEntry entry) {
            return new Key(entry.archive(), entry.path());
        }
    }

    /**
     * An incremental file of a backup of the chain that a rebuild reads.
     *
     * @param backup the backup's position in the chain (0 is the full backup)
     * @param entry  its {@code INCREMENTAL.<name>} entry
     */
    record Layer(int backup, BackupEntry entry) {
    }

    /**
     * A relation segment rebuilt from a base and layers.
     *
     * @param archive     the archive it belongs to
     * @param path        its path in the archive (the {@code <name>} of the output)
     * @param incremental the newest backup's {@code INCREMENTAL.<name>} entry: its mode and mtime are the output's
     * @param base        the position in the chain of the backup with the base copy
     * @param baseEntry   the base copy's entry in that backup
     * @param layers      the incremental files of every backup after the base, oldest first; the last
     *                    is {@code incremental}
     */
    record Rebuild(String archive, String path, BackupEntry incremental, int base, BackupEntry baseEntry,
                   List<Layer> layers) {
        Rebuild {
            layers = List.copyOf(layers);
        }

        /** The output's path as the manifest names it ({@code pg_tblspc/<oid>/…} in tablespaces). */
        String manifestPath() {
            return outputName(incremental.manifestPath());
        }
    }

    private final List<BackupEntry> directories;
    private final List<BackupEntry> links;
    private final List<BackupEntry> copies;
    private final List<Rebuild> rebuilds;
    private final List<BackupEntry> obsolete;
    private final List<Set<Key>> wanted;

    private ChainLayout(int backups, List<BackupEntry> directories, List<BackupEntry> links, List<BackupEntry> copies,
                        List<Rebuild> rebuilds, List<BackupEntry> obsolete) {
        this.directories = List.copyOf(directories);
        this.links = List.copyOf(links);
        this.copies = List.copyOf(copies);
        this.rebuilds = List.copyOf(rebuilds);
        this.obsolete = List.copyOf(obsolete);
        List<Set<Key>> wanted = new ArrayList<>(backups);
        for (int k = 0; k < backups; k++) {
            wanted.add(new HashSet<>());
        }
        copies.forEach(copy -> wanted.get(backups - 1).add(Key.of(copy)));
        for (Rebuild rebuild : rebuilds) {
            wanted.get(rebuild.base()).add(Key.of(rebuild.baseEntry()));
            rebuild.layers().forEach(layer -> wanted.get(layer.backup()).add(Key.of(layer.entry())));
        }
        this.wanted = wanted.stream().map(Set::copyOf).toList();
    }

    /**
     * Plans the combination of {@code chain}.
     *
     * @param chain the full backup first, the newest last; at least two
     * @param kept  the archives the output has (the newest backup's); entries of others are ignored
     * @throws CellarException {@link ErrorCode#OBJECT_CORRUPT} naming the backup and the file when
     *     the chain cannot rebuild a file (see the class comment)
     * @throws IllegalArgumentException for a chain of fewer than two backups
     */
    static ChainLayout plan(List<Member> chain, Set<String> kept) {
        if (chain.size() < 2) {
            throw new IllegalArgumentException("a chain to combine has at least two backups, not " + chain.size());
        }
        List<Map<Key, BackupEntry>> indexes = new ArrayList<>(chain.size());
        for (Member member : chain) {
            Map<Key, BackupEntry> index = new HashMap<>(member.entries().size() * 2);
            for (BackupEntry entry : member.entries()) {
                index.put(Key.of(entry), entry);
            }
            indexes.add(index);
        }
        int newest = chain.size() - 1;
        Member last = chain.get(newest);
        List<BackupEntry> directories = new ArrayList<>();
        List<BackupEntry> links = new ArrayList<>();
        List<BackupEntry> copies = new ArrayList<>();
        List<Rebuild> rebuilds = new ArrayList<>();
        Map<Key, EntryType> output = new HashMap<>(last.entries().size() * 2);
        for (BackupEntry entry : last.entries()) {
            if (!kept.contains(entry.archive())) {
                continue;
            }
            switch (entry.type()) {
                case DIRECTORY -> directories.add(entry);
                case SYMLINK -> links.add(entry);
                case FILE -> {
                    if (IncrementalFileNames.isIncremental(entry.manifestPath())) {
                        Rebuild rebuild = rebuild(chain, indexes, entry);
                        rebuilds.add(rebuild);
                        output.put(new Key(entry.archive(), rebuild.path()), EntryType.FILE);
                        continue;
                    }
                    copies.add(entry);
                }
            }
            output.put(Key.of(entry), entry.type());
        }
        List<BackupEntry> obsolete = new ArrayList<>();
        for (BackupEntry entry : chain.getFirst().entries()) {
            if (kept.contains(entry.archive()) && output.get(Key.of(entry)) != entry.type()) {
                obsolete.add(entry);
            }
        }
        return new ChainLayout(chain.size(), directories, links, copies, rebuilds, obsolete);
    }

    private static Rebuild rebuild(List<Member> chain, List<Map<Key, BackupEntry>> indexes, BackupEntry incremental) {
        String archive = incremental.archive();
        String path = outputName(incremental.path());
        Key whole = new Key(archive, path);
        Key partial = Key.of(incremental);
        int newest = chain.size() - 1;
        if (indexes.get(newest).containsKey(whole)) {
            throw new CellarException(ErrorCode.OBJECT_CORRUPT, "backup %s holds %s both whole and as %s"
                    .formatted(chain.get(newest).backupId(), outputName(incremental.manifestPath()),
                            incremental.manifestPath()),
                    "the backup is damaged; restore from another backup chain");
        }
        List<Layer> layers = new ArrayList<>();
        layers.add(new Layer(newest, incremental));
        for (int k = newest - 1; k >= 0; k--) {
            BackupEntry base = indexes.get(k).get(whole);
            if (base != null && base.isFile()) {
                return new Rebuild(archive, path, incremental, k, base, layers);
            }
            BackupEntry layer = indexes.get(k).get(partial);
            if (layer == null || !layer.isFile()) {
                throw new CellarException(ErrorCode.OBJECT_CORRUPT, ("cannot rebuild %s: backup %s holds neither %s nor"
                        + " %s, which backup %s builds on").formatted(outputName(incremental.manifestPath()),
                                chain.get(k).backupId(), outputName(incremental.manifestPath()),
                                incremental.manifestPath(), chain.get(k + 1).backupId()),
                        "the chain is broken (a backup of it was taken from another history or damaged); restore"
                                + " from another backup chain");
            }
            layers.addFirst(new Layer(k, layer));
        }
        throw new CellarException(ErrorCode.OBJECT_CORRUPT, ("cannot rebuild %s: no backup of the chain holds a whole"
                + " copy of it; even the full backup %s has only %s").formatted(outputName(incremental.manifestPath()),
                        chain.getFirst().backupId(), incremental.manifestPath()),
                "a full backup holds every relation file whole, so this chain is damaged; restore from another"
                        + " backup chain");
    }

    /** {@code a/b/INCREMENTAL.c} → {@code a/b/c}. */
    static String outputName(String incrementalPath) {
        int slash = incrementalPath.lastIndexOf('/');
        String name = incrementalPath.substring(slash + 1);
        if (!name.startsWith(IncrementalFileNames.PREFIX)) {
            throw new IllegalArgumentException(incrementalPath + " is not an incremental file");
        }
        return incrementalPath.substring(0, slash + 1) + name.substring(IncrementalFileNames.PREFIX.length());
    }

    /** The newest backup's directories, in index order. */
    List<BackupEntry> directories() {
        return directories;
    }

    /** The newest backup's symbolic links. */
    List<BackupEntry> links() {
        return links;
    }

    /** The newest backup's whole files, taken as they are. */
    List<BackupEntry> copies() {
        return copies;
    }

    /** The relation segments rebuilt from incremental files, in the newest backup's index order. */
    List<Rebuild> rebuilds() {
        return rebuilds;
    }

    /** Entries of the full backup (in the kept archives) that the output does not have, with their type. */
    List<BackupEntry> obsolete() {
        return obsolete;
    }

    /**
     * The files of backup {@code k} (its position in the chain) that the output needs: the newest
     * backup's whole files, every base and every layer. Files of the full backup taken as a base
     * stay where they are unpacked; whatever else a backup holds is superseded or dropped.
     */
    Set<Key> wanted(int k) {
        return wanted.get(k);
    }
}

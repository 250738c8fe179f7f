package dev.cellar.walreceiver.stream;

import dev.cellar.walreceiver.connection.ServerErrorException;

/** START_REPLICATION was refused because the server no longer has the requested WAL. */
final class WalRemovedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ServerErrorException serverError;

    WalRemovedException(ServerErrorException serverError) {
        super(serverError.getMessage(), serverError);
        this.serverError = serverError;
    }

    ServerErrorException serverError() {
        return serverError;
    }

    /**
     * Whether an error means the WAL asked for was removed (recycled, or never kept by a new slot).
     * The walsender raises it with {@code errcode_for_file_access()}, whose SQLSTATE follows the
     * errno of the moment: 58P01 (undefined file) when reading hit ENOENT, but XX000 when the check
     * against the removed-segment counter fired first (seen on 15). So: PostgreSQL's English text
     * (lc_messages=C), or, whatever the language, 58P01/XX000 naming a WAL segment file.
     */
    static boolean matches(ServerErrorException e) {
        String message = e.diagnostic().message();
        boolean namesASegment = SEGMENT_NAME.matcher(message).find();
        return message.contains("has already been removed")
                || ((e.sqlState().equals("58P01") || e.sqlState().equals("XX000")) && namesASegment);
    }

    private static final java.util.regex.Pattern SEGMENT_NAME = java.util.regex.Pattern.compile("\\b[0-9A-F]{24}\\b");
}

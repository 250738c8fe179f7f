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
     * Whether an error means the WAL asked for is gone (recycled, never kept by a new slot, or the
     * slot was invalidated). The walsender raises "requested WAL segment … has already been
     * removed" with {@code errcode_for_file_access()}, whose SQLSTATE follows the errno of the
     * moment: 58P01 when reading hit ENOENT, XX000 when the removed-segment check fired first (both
     * seen). PostgreSQL 18 refuses an invalidated slot at START_REPLICATION with 55000 ("can no
     * longer access replication slot"). English text (lc_messages=C) or 58P01 naming a segment.
     */
    static boolean matches(ServerErrorException e) {
        String message = e.diagnostic().message();
        return message.contains("has already been removed")
                || (e.sqlState().equals("58P01") && SEGMENT_NAME.matcher(message).find())
                || (e.sqlState().equals("55000") && message.contains("can no longer access replication slot"));
    }

    private static final java.util.regex.Pattern SEGMENT_NAME = java.util.regex.Pattern.compile("\\b[0-9A-F]{24}\\b");
}

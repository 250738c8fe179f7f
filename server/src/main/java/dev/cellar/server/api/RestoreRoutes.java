package dev.cellar.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.cellar.restore.wal.ArchivedWalFile;
import dev.cellar.server.daemon.ServerOperations;
import dev.cellar.server.restore.RestoreJobs;
import dev.cellar.server.view.RestoreRequest;
import dev.cellar.server.view.ViewJson;
import java.io.IOException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/** The endpoints of restores elsewhere than the server's CLI: starting one, and WAL for a restore_command. */
final class RestoreRoutes {
    private RestoreRoutes() {
    }

    /** {@code POST /clusters/{cluster}/restores}: 200 with the plan for a dry run, else 202 with the job. */
    static Object restore(ServerOperations ops, AdminApi.Request r) {
        RestoreRequest request = body(r, RestoreRequest.class);
        return switch (ops.restore(r.parameter("cluster"), request)) {
            case RestoreJobs.Submitted.Planned planned -> planned.report();
            case RestoreJobs.Submitted.Started started -> new AdminApi.Answer(202, started.job());
        };
    }

    /**
     * {@code GET /clusters/{cluster}/wal/{name}}: the file's bytes, with their SHA-256 in
     * {@code Content-Digest} (RFC 9530), which the receiver checks: a damaged object is only
     * noticed once it has been read, after the status was sent.
     */
    static Object walFile(ServerOperations ops, AdminApi.Request r) {
        ArchivedWalFile file = ops.walFile(r.parameter("cluster"), r.parameter("name"));
        String digest = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(file.sha256()));
        return new AdminApi.Download("application/octet-stream", Map.of("Content-Digest", "sha-256=:" + digest + ":",
                "Content-Disposition", "attachment; filename=\"" + file.fileName() + "\""), file.content());
    }

    /** The body as a {@code type}; an unknown field is refused, so that a misspelt option is never ignored. */
    private static <T> T body(AdminApi.Request r, Class<T> type) {
        try {
            T value = ViewJson.MAPPER.readerFor(type).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(r.body().length == 0 ? new byte[] {'{', '}'} : r.body());
            if (value == null) {
                throw new AdminApi.BadRequest("the request body must be a JSON object", null);
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw new AdminApi.BadRequest("unknown field \"" + e.getPropertyName() + "\" in the request body",
                    "the fields are listed in docs/api.md");
        } catch (JsonProcessingException e) {
            throw new AdminApi.BadRequest("the request body is not the JSON object expected: "
                    + e.getOriginalMessage(), "the fields are listed in docs/api.md");
        } catch (IOException e) {
            throw new AdminApi.BadRequest("cannot read the request body: " + e.getMessage(), null);
        }
    }
}

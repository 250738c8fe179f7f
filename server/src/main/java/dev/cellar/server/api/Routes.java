package dev.cellar.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.server.daemon.ServerOperations;
import dev.cellar.server.metrics.CellarMetrics;
import dev.cellar.server.view.ViewJson;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The endpoints, each a thin translation to {@link ServerOperations}. Listed in docs/api.md.
 */
final class Routes {
    static final String PREFIX = "/api/v1";

    private Routes() {
    }

    static Router of(ServerOperations ops, CellarMetrics metrics) {
        return new Router()
                .add("GET", "/metrics", r -> new AdminApi.Text("text/plain; version=0.0.4; charset=utf-8",
                        metrics.scrape()))
                .add("GET", PREFIX + "/status", r -> ops.status())
                .add("POST", PREFIX + "/reload", r -> ops.reload())
                .add("GET", PREFIX + "/clusters", r -> ops.clusters())
                .add("GET", PREFIX + "/clusters/{cluster}/backups", r -> ops.backups(r.parameter("cluster")))
                .add("POST", PREFIX + "/clusters/{cluster}/backups", 202, r -> ops.startBackup(r.parameter("cluster"),
                        field(r, "incremental").map(JsonNode::asBoolean).orElse(false)))
                .add("GET", PREFIX + "/clusters/{cluster}/check", r -> ops.check(r.parameter("cluster")))
                .add("GET", PREFIX + "/clusters/{cluster}/wal", r -> ops.wal(r.parameter("cluster")))
                .add("GET", PREFIX + "/clusters/{cluster}/wal/{name}", r -> RestoreRoutes.walFile(ops, r))
                .add("POST", PREFIX + "/clusters/{cluster}/restores", r -> RestoreRoutes.restore(ops, r))
                .add("GET", PREFIX + "/clusters/{cluster}/jobs", r -> ops.jobs(r.parameter("cluster"), limit(r)))
                .add("GET", PREFIX + "/jobs", r -> ops.jobs(null, limit(r)))
                .add("GET", PREFIX + "/jobs/{id}", r -> ops.job(number(r.parameter("id"), "job id")))
                .add("GET", PREFIX + "/backups/{id}", r -> ops.backup(r.parameter("id")))
                .add("DELETE", PREFIX + "/backups/{id}", r -> ops.delete(r.parameter("id"),
                        r.queryValue("force").map(Boolean::parseBoolean).orElse(false)))
                .add("PUT", PREFIX + "/backups/{id}/keep", r -> keep(ops, r))
                .add("DELETE", PREFIX + "/backups/{id}/keep", r -> ops.release(r.parameter("id")));
    }

    /** Body {@code {"until": "2027-01-01T00:00:00Z"}} or {@code {"forever": true}}. */
    private static Object keep(ServerOperations ops, AdminApi.Request r) {
        Optional<JsonNode> until = field(r, "until").filter(n -> !n.isNull());
        boolean forever = field(r, "forever").map(JsonNode::asBoolean).orElse(false);
        if (until.isPresent() == forever) {
            throw new AdminApi.BadRequest("give either \"until\" (an ISO-8601 time) or \"forever\": true",
                    "e.g. {\"until\": \"2027-01-01T00:00:00Z\"}");
        }
        try {
            return ops.keep(r.parameter("id"), until.map(n -> Instant.parse(n.asText())));
        } catch (DateTimeParseException e) {
            throw new AdminApi.BadRequest("\"until\" is not an ISO-8601 time: " + until.get().asText(),
                    "e.g. 2027-01-01T00:00:00Z");
        }
    }

    private static Optional<JsonNode> field(AdminApi.Request r, String name) {
        if (r.body().length == 0) {
            return Optional.empty();
        }
        try {
            JsonNode node = ViewJson.MAPPER.readTree(r.body());
            if (node == null || !node.isObject()) {
                throw new AdminApi.BadRequest("the request body must be a JSON object", null);
            }
            return Optional.ofNullable(node.get(name));
        } catch (IOException e) {
            throw new AdminApi.BadRequest("the request body is not JSON: " + e.getMessage(), null);
        }
    }

    private static int limit(AdminApi.Request r) {
        long limit = r.queryValue("limit").map(v -> number(v, "limit")).orElse(50L);
        if (limit < 1 || limit > 1000) {
            throw new AdminApi.BadRequest("limit must be between 1 and 1000", null);
        }
        return (int) limit;
    }

    private static long number(String text, String what) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new AdminApi.BadRequest(what + " must be a number: " + text, null);
        }
    }
}

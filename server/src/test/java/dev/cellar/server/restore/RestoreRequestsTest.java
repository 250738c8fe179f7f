package dev.cellar.server.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.restore.export.ExportOptions;
import dev.cellar.restore.plan.RecoveryTarget;
import dev.cellar.restore.plan.RestoreTarget;
import dev.cellar.restore.plan.TargetAction;
import dev.cellar.restore.plan.TargetTimeline;
import dev.cellar.server.restore.RestoreRequests.Caller;
import dev.cellar.server.view.RestoreRequest;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A restore request is read alike on the command line and through the API, except where the server cannot know the caller's context. */
class RestoreRequestsTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static RestoreRequest request(String target, String time, String dest) {
        return new RestoreRequest(target, time, null, null, null, null, null, null, null, dest, null, null, null, null,
                null, null);
    }

    @Test
    void withoutOptionsItIsTheLatestStatePromotedOnTheLatestTimeline() {
        RestoreTarget target = RestoreRequests.target(request(null, null, null), Caller.API, BERLIN, new ArrayList<>());
        assertThat(target).isEqualTo(RestoreTarget.latest());
    }

    @Test
    void aTimeWithoutOffsetIsReadInTheLocalZoneOnTheCommandLineAndSaidSo() {
        List<String> readings = new ArrayList<>();
        RestoreTarget target = RestoreRequests.target(request(null, "2026-11-20 10:00:00", null), Caller.COMMAND_LINE,
                BERLIN, readings);
        assertThat(target.target()).isEqualTo(new RecoveryTarget.AtTime(Instant.parse("2026-11-20T09:00:00Z")));
        assertThat(readings).singleElement().asString().contains("has no offset: read in Europe/Berlin");
    }

    @Test
    void theApiRefusesATimeWithoutOffsetAndTakesOneWith() {
        assertThatThrownBy(() -> RestoreRequests.target(request(null, "2026-11-20 10:00:00", null), Caller.API, BERLIN,
                new ArrayList<>())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("targetTime \"2026-11-20 10:00:00\" has no offset, and the server's time zone"
                        + " is not the caller's");
        List<String> readings = new ArrayList<>();
        RestoreTarget target = RestoreRequests.target(request(null, "2026-11-20T10:00:00.123456Z", null), Caller.API,
                BERLIN, readings);
        assertThat(target.target()).isEqualTo(new RecoveryTarget.AtTime(Instant.parse("2026-11-20T10:00:00.123456Z")));
        assertThat(readings).isEmpty();
    }

    @Test
    void everyOptionIsCarried() {
        RestoreRequest request = new RestoreRequest(null, null, null, 1234L, null, "3", true, "pause", "B1", "/r/data",
                2, Map.of("extra", "/r/extra"), List.of("app"), "cmd %f %p", false, false);
        RestoreTarget target = RestoreRequests.target(request, Caller.API, BERLIN, new ArrayList<>());
        assertThat(target).isEqualTo(new RestoreTarget(new RecoveryTarget.AtXid(1234),
                new TargetTimeline.Exact(dev.cellar.core.TimelineId.of(3)), false, TargetAction.PAUSE,
                Optional.of("B1")));
        ExportOptions options = RestoreRequests.options(request, Caller.API);
        assertThat(options).isEqualTo(new ExportOptions(Path.of("/r/data"), Map.of("extra", Path.of("/r/extra")), 2,
                Optional.of("cmd %f %p"), false, Set.of("app")));
    }

    @Test
    void refusalsNameTheOptionAsTheCallerWroteIt() {
        RestoreRequest two = request("immediate", "2026-11-20 10:00:00+00", "/r");
        assertThatThrownBy(() -> RestoreRequests.target(two, Caller.API, BERLIN, new ArrayList<>()))
                .hasMessage("give at most one of target, targetTime, targetLsn, targetXid, targetName");
        assertThatThrownBy(() -> RestoreRequests.target(request("soon", null, null), Caller.COMMAND_LINE, BERLIN,
                new ArrayList<>())).hasMessage("--target takes immediate or latest, not soon");
        assertThatThrownBy(() -> RestoreRequests.options(request(null, null, null), Caller.COMMAND_LINE))
                .hasMessage("--dest DIR is required (or --dry-run to only see the plan)");
        assertThatThrownBy(() -> RestoreRequests.options(request(null, null, null), Caller.API))
                .hasMessage("dest is required (or dryRun to only see the plan)");
    }

    @Test
    void theApiWantsAbsolutePathsAndOneLineRestoreCommands() {
        assertThatThrownBy(() -> RestoreRequests.options(request(null, null, "restore/data"), Caller.API))
                .hasMessage("dest must be an absolute path on the server's machine, not restore/data");
        assertThat(RestoreRequests.options(request(null, null, "restore/data"), Caller.COMMAND_LINE).destination())
                .isEqualTo(Path.of("restore/data"));
        RestoreRequest twoLines = new RestoreRequest(null, null, null, null, null, null, null, null, null, "/r", null,
                null, null, "cp %f %p\nrm -rf /", null, null);
        assertThatThrownBy(() -> RestoreRequests.options(twoLines, Caller.API))
                .hasMessage("remoteWal: a restore_command is one line without control characters");
    }
}

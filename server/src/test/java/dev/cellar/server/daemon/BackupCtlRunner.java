package dev.cellar.server.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.server.cli.BackupCtl;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** Runs {@code backupctl} command lines in the test's JVM, as a DBA would type them, keeping what they print. */
public final class BackupCtlRunner {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How one command line ended. */
    public record Outcome(int exitCode, String out, String err) {
        /** Standard output read as JSON (after {@code --json}). */
        public JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    private BackupCtlRunner() {
    }

    public static Outcome run(List<String> line) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = BackupCtl.run(line.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Outcome(code, out.toString(), err.toString());
    }
}

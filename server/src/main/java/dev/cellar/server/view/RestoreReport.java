package dev.cellar.server.view;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A restore's plan and, once it ran, its result: what {@code backupctl restore --json} prints, what
 * a dry run through the API answers (without a result), and what a restore job reports.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RestoreReport(RestorePlanView plan, RestoreResultView result) {
}

package dev.cellar.server.view;

import java.util.List;

/**
 * One cluster in {@code backupctl status}.
 *
 * @param stream        its WAL stream; {@code null} when the cluster is catalogued but no longer configured
 * @param lastBackup    the newest backup of any status
 * @param lastRestorable the newest backup a restore can start from
 * @param runningBackup  the backup being taken now, if one is
 * @param recoverable   the stretches a point-in-time restore can reach on the newest timeline, oldest first
 * @param gaps          WAL gaps recorded for the cluster
 * @param problems      what needs a person's attention, in plain words; empty when all is well
 */
public record ClusterStatus(String name, Integer pgMajor, String systemIdentifier, StreamView stream,
                            BackupView lastBackup, BackupView lastRestorable, BackupRunView runningBackup,
                            List<WindowView> recoverable, int gaps,
                            List<String> problems) {
}

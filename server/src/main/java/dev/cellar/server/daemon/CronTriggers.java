package dev.cellar.server.daemon;

import dev.cellar.config.ClusterConfig;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.util.Optional;
import java.util.Properties;
import org.quartz.CronScheduleBuilder;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Quartz side of the backup schedules: a cron trigger per cluster for full and one for
 * incremental backups (the server's time zone), each firing {@link Fired}. Firing must return at
 * once (it starts a thread), so two Quartz threads serve any number of clusters, also those a
 * reload adds. A firing Quartz missed (the server was down, or busy) is dropped: the server
 * decides about missed runs itself, once, at start. Thread-safe.
 */
final class CronTriggers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CronTriggers.class);
    private static final String CONTEXT_KEY = "cellar.fired";
    private static final String GROUP = "backup";

    /** Called on a Quartz thread when a cluster's schedule fires; must not block. */
    interface Fired {
        void fire(String cluster, boolean incremental);
    }

    private final Scheduler scheduler;

    CronTriggers(Fired fired) {
        try {
            Properties properties = new Properties();
            properties.setProperty("org.quartz.scheduler.instanceName", "cellar");
            properties.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
            properties.setProperty("org.quartz.threadPool.threadCount", "2");
            properties.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
            scheduler = new StdSchedulerFactory(properties).getScheduler();
            scheduler.getContext().put(CONTEXT_KEY, fired);
        } catch (SchedulerException e) {
            throw failure("cannot set up the backup schedules", e);
        }
    }

    /** Adds the full and incremental triggers of {@code cluster}; a schedule that is off gets none. */
    void schedule(ClusterConfig cluster) {
        try {
            schedule(cluster.name(), false, cluster.schedule().full());
            schedule(cluster.name(), true, cluster.schedule().incremental());
        } catch (SchedulerException e) {
            throw failure("cannot schedule the backups of cluster " + cluster.name(), e);
        }
    }

    private void schedule(String cluster, boolean incremental, Optional<String> cron) throws SchedulerException {
        if (cron.isEmpty()) {
            return;
        }
        String kind = incremental ? "incremental" : "full";
        if (ScheduledBackups.nextFire(cron, java.time.Instant.now()).isEmpty()) {
            // Quartz refuses a trigger that never fires; a one-shot schedule in the past is no error.
            log.info("cluster {}: the {} backup schedule \"{}\" fires no more", cluster, kind, cron.get());
            return;
        }
        String name = jobName(cluster, incremental);
        Trigger trigger = TriggerBuilder.newTrigger().withIdentity(name, GROUP)
                .withSchedule(CronScheduleBuilder.cronSchedule(cron.get()).withMisfireHandlingInstructionDoNothing())
                .build();
        try {
            scheduler.scheduleJob(JobBuilder.newJob(Firing.class).withIdentity(name, GROUP)
                    .usingJobData("cluster", cluster).usingJobData("incremental", incremental).build(), trigger);
        } catch (SchedulerException e) {
            if (trigger.getNextFireTime() != null) {
                throw e;
            }
            // Its last time passed between the check above and Quartz's own (which looks back a second).
            log.info("cluster {}: the {} backup schedule \"{}\" fires no more", cluster, kind, cron.get());
        }
    }

    /** Removes the triggers of {@code cluster}, if it has any. */
    void unschedule(String cluster) {
        try {
            scheduler.deleteJob(JobKey.jobKey(jobName(cluster, false), GROUP));
            scheduler.deleteJob(JobKey.jobKey(jobName(cluster, true), GROUP));
        } catch (SchedulerException e) {
            throw failure("cannot remove the backup schedules of cluster " + cluster, e);
        }
    }

    private static String jobName(String cluster, boolean incremental) {
        return cluster + (incremental ? "-incremental" : "-full");
    }

    void start() {
        try {
            scheduler.start();
        } catch (SchedulerException e) {
            throw failure("cannot start the backup schedules", e);
        }
    }

    /** Stops firing; {@link #close()} then waits for firings under way. */
    void standby() {
        try {
            scheduler.standby();
        } catch (SchedulerException e) {
            log.warn("pausing the backup schedules: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            scheduler.shutdown(true);
        } catch (SchedulerException e) {
            log.warn("stopping the backup schedules: {}", e.getMessage());
        }
    }

    private static CellarException failure(String what, SchedulerException e) {
        return new CellarException(ErrorCode.INTERNAL, what + ": " + e.getMessage(), null, e);
    }

    /** A Quartz firing: hands over to the {@link Fired} in the scheduler's context. */
    public static final class Firing implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            try {
                Fired fired = (Fired) context.getScheduler().getContext().get(CONTEXT_KEY);
                fired.fire(context.getMergedJobDataMap().getString("cluster"),
                        context.getMergedJobDataMap().getBoolean("incremental"));
            } catch (SchedulerException e) {
                log.error("scheduled backup could not start: {}", e.getMessage());
            }
        }
    }
}

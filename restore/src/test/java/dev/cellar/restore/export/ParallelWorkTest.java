package dev.cellar.restore.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelWorkTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void resultsComeBackInTaskOrder() {
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int n = i;
            tasks.add(() -> n * n);
        }

        assertThat(ParallelWork.run(pool, tasks, "squaring")).hasSize(50).startsWith(0, 1, 4, 9).endsWith(49 * 49);
    }

    @Test
    void theFirstFailureIsThrownOnlyOnceRunningTasksEndedAndLaterTasksAreSkipped() {
        CountDownLatch slowStarted = new CountDownLatch(1);
        CountDownLatch failed = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        AtomicBoolean slowFinished = new AtomicBoolean();
        AtomicInteger started = new AtomicInteger();
        List<Callable<Void>> tasks = new ArrayList<>();
        tasks.add(() -> {
            slowStarted.countDown();
            failed.await(5, TimeUnit.SECONDS);
            // Still working well after the failure: run() must wait for this task before it throws.
            never.await(200, TimeUnit.MILLISECONDS);
            slowFinished.set(true);
            return null;
        });
        tasks.add(() -> {
            try {
                slowStarted.await(5, TimeUnit.SECONDS); // fail only while the slow task runs
                throw new CellarException(ErrorCode.OBJECT_CORRUPT, "damaged");
            } finally {
                failed.countDown();
            }
        });
        for (int i = 0; i < 20; i++) {
            tasks.add(() -> {
                started.incrementAndGet();
                return null;
            });
        }

        assertThatThrownBy(() -> ParallelWork.run(pool, tasks, "working")).isInstanceOfSatisfying(
                CellarException.class, e -> assertThat(e.getMessage()).isEqualTo("damaged"));
        assertThat(slowFinished).isTrue();
        assertThat(started.get()).isZero();
    }

    @Test
    void checkedFailuresAreWrapped() {
        List<Callable<Void>> tasks = List.of(() -> {
            throw new java.io.IOException("disk full");
        });

        assertThatThrownBy(() -> ParallelWork.run(pool, tasks, "writing")).isInstanceOfSatisfying(
                CellarException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.RESTORE_FAILED);
                    assertThat(e.getMessage()).isEqualTo("writing failed: java.io.IOException: disk full");
                });
    }
}

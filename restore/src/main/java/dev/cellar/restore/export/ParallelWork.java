package dev.cellar.restore.export;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs independent tasks on an executor and waits for all of them. After the first failure the
 * tasks not yet started are skipped, and the call still waits until none is running (so the caller
 * can remove what they wrote), then throws that failure.
 */
final class ParallelWork {
    private ParallelWork() {
    }

    /**
     * @param what for the message of a failure that is not a {@link RuntimeException}
     * @return the tasks' results, in task order
     * @throws RuntimeException the first task's failure, as thrown ({@link CellarException}s as they are)
     */
    static <T> List<T> run(ExecutorService executor, List<? extends Callable<T>> tasks, String what) {
        int count = tasks.size();
        Object[] results = new Object[count];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch finished = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            int index = i;
            Callable<T> task = tasks.get(i);
            try {
                executor.execute(() -> {
                    try {
                        if (failure.get() == null) {
                            results[index] = task.call();
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    } finally {
                        finished.countDown();
                    }
                });
            } catch (RejectedExecutionException e) {
                failure.compareAndSet(null, e);
                for (int left = i; left < count; left++) {
                    finished.countDown();
                }
                break;
            }
        }
        boolean interrupted = false;
        while (true) {
            try {
                finished.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
                failure.compareAndSet(null, new CellarException(ErrorCode.RESTORE_FAILED, "interrupted while " + what));
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable first = failure.get();
        if (first instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (first instanceof Error error) {
            throw error;
        }
        if (first != null) {
            throw new CellarException(ErrorCode.RESTORE_FAILED, what + " failed: " + first, null, first);
        }
        @SuppressWarnings("unchecked")
        List<T> list = (List<T>) Arrays.asList(results);
        return list;
    }
}

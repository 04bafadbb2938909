package org.draglora.sessions.gpu;

import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.draglora.engine.runtime.ExitInProgressException;

/**
 * One per device: runs every session's device work, one job at a time, on the thread of the
 * dispatcher it is spawned on. Spawn it on a pinned dispatcher (
 * {@code DispatcherSelector.fromConfig(GpuScheduler.DISPATCHER)}): a job blocks that thread while
 * the engine runs its tensor work on the engine's own device thread (the engine's
 * {@code EditEngine} hands every call there), so the scheduler decides the order and the device
 * thread does the work.
 *
 * <p>It runs one job per self-sent {@link RunNext}, so submissions and cancellations are handled
 * between jobs and a long queue never starves the mailbox. Jobs wait in a {@link FairQueue}:
 * bounded (a full queue rejects at once), fair between sessions by measured device time,
 * interactive before background. A job that throws (also an {@link Error} such as a Java
 * out-of-memory) fails alone: its submitter gets {@link JobOutcome.Failed} and the next job runs.
 * A job the engine refuses because the process is exiting ({@link ExitInProgressException}) did not
 * fail: its submitter gets {@link JobOutcome.Rejected}, so no session journals a failure on the way out.
 * Should the scheduler itself fail, it is restarted, and never silently: the job it was running is
 * answered {@link JobOutcome.Failed}, and every queued job {@link JobOutcome.Rejected} so that its
 * session submits it again.
 */
public final class GpuScheduler extends AbstractBehavior<GpuScheduler.Command> {

    /** The dispatcher to spawn schedulers on (a pinned dispatcher in {@code reference.conf}). */
    public static final String DISPATCHER = "draglora.gpu-dispatcher";

    /** Everything the scheduler accepts. */
    public sealed interface Command {}

    /** Queue {@code job} for {@code session}; the outcome goes to {@code replyTo}. */
    public record Submit<T>(String session, JobPriority priority, GpuJob<T> job, ActorRef<JobOutcome<T>> replyTo)
            implements Command {}

    /** Cancel every queued job of {@code session} (each submitter gets {@link JobOutcome.Cancelled}). */
    public record CancelQueued(String session) implements Command {}

    /** The session ended: cancel its queued jobs and drop its accounting. */
    public record Forget(String session) implements Command {}

    /** A snapshot of the queue and the device time. */
    public record GetMetrics(ActorRef<SchedulerMetrics> replyTo) implements Command {}

    /** Internal: run the next queued job. */
    enum RunNext implements Command { INSTANCE }

    /** A scheduler with the system clock. */
    public static Behavior<Command> create(SchedulerSettings settings) {
        return create(settings, System::nanoTime);
    }

    static Behavior<Command> create(SchedulerSettings settings, LongSupplier clock) {
        return Behaviors.supervise(Behaviors.<Command>setup(context -> new GpuScheduler(context, settings, clock)))
                .onFailure(SupervisorStrategy.restart());
    }

    private final FairQueue<Submit<?>> queue;
    private final LongSupplier clock;
    private final long startNanos;
    private boolean runScheduled;
    private Submit<?> running;
    private long busyNanos;
    private long completed;
    private long failed;
    private long rejected;
    private long cancelled;

    private GpuScheduler(ActorContext<Command> context, SchedulerSettings settings, LongSupplier clock) {
        super(context);
        this.queue = new FairQueue<>(settings.capacity(), settings.backgroundPromotion().toNanos(), clock);
        this.clock = clock;
        this.startNanos = clock.getAsLong();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Submit.class, this::onSubmit)
                .onMessage(CancelQueued.class, m -> onCancel(m.session(), false))
                .onMessage(Forget.class, m -> onCancel(m.session(), true))
                .onMessage(GetMetrics.class, this::onGetMetrics)
                .onMessageEquals(RunNext.INSTANCE, this::onRunNext)
                .onSignal(PreRestart.class, s -> onFailure("restarted after a failure"))
                .onSignal(PostStop.class, s -> onFailure("stopped"))
                .build();
    }

    /** The scheduler fails or stops: answers the running job and every queued one, so no session waits forever. */
    private Behavior<Command> onFailure(String what) {
        if (running != null) {
            fail(running, "the device scheduler " + what + " while running this job");
            running = null;
        }
        for (Submit<?> s : queue.removeAll()) {
            rejected++;
            rejectAfter(s, what);
        }
        return this;
    }

    private static <T> void fail(Submit<T> submit, String reason) {
        submit.replyTo().tell(new JobOutcome.Failed<>(reason, 0));
    }

    private static <T> void rejectAfter(Submit<T> submit, String what) {
        submit.replyTo().tell(new JobOutcome.Rejected<>("the device scheduler " + what + "; submit the job again"));
    }

    private Behavior<Command> onSubmit(Submit<?> submit) {
        if (!queue.offer(submit.session(), submit.priority(), submit)) {
            rejected++;
            reject(submit);
            return this;
        }
        if (!runScheduled) {
            runScheduled = true;
            getContext().getSelf().tell(RunNext.INSTANCE);
        }
        return this;
    }

    private <T> void reject(Submit<T> submit) {
        submit.replyTo().tell(new JobOutcome.Rejected<>("the device queue is full (" + queue.size()
                + " jobs waiting); try again shortly"));
    }

    private Behavior<Command> onCancel(String session, boolean forget) {
        for (Submit<?> s : queue.removeSession(session)) {
            cancelled++;
            cancel(s);
        }
        if (forget) {
            queue.forget(session);
        }
        return this;
    }

    private static <T> void cancel(Submit<T> submit) {
        submit.replyTo().tell(new JobOutcome.Cancelled<>());
    }

    private Behavior<Command> onGetMetrics(GetMetrics m) {
        long elapsed = Math.max(1, clock.getAsLong() - startNanos);
        m.replyTo().tell(new SchedulerMetrics(queue.size(), Math.min(1.0, (double) busyNanos / elapsed),
                queue.chargedNanos(), completed, failed, rejected, cancelled));
        return this;
    }

    private Behavior<Command> onRunNext() {
        Submit<?> next = queue.poll();
        if (next != null) {
            run(next);
        }
        runScheduled = queue.size() > 0;
        if (runScheduled) {
            getContext().getSelf().tell(RunNext.INSTANCE);
        }
        return this;
    }

    private <T> void run(Submit<T> submit) {
        long start = clock.getAsLong();
        JobOutcome<T> outcome;
        running = submit;
        try {
            T value = submit.job().run();
            long nanos = clock.getAsLong() - start;
            outcome = new JobOutcome.Completed<>(value, nanos);
            completed++;
        } catch (ExitInProgressException e) {
            // the process is exiting: the job did not run and did not fail; its session records nothing
            getContext().getLog().info("job of session {} not run: {}", submit.session(), e.getMessage());
            outcome = new JobOutcome.Rejected<>(e.getMessage());
            rejected++;
        } catch (Exception | Error e) { // an Error too: a Java out-of-memory in one edit must not take the device down
            long nanos = clock.getAsLong() - start;
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            getContext().getLog().warn("job of session {} failed: {}", submit.session(), reason, e);
            outcome = new JobOutcome.Failed<>(reason, nanos);
            failed++;
        }
        long nanos = clock.getAsLong() - start;
        busyNanos += nanos;
        queue.charge(submit.session(), nanos);
        running = null;
        submit.replyTo().tell(outcome);
    }
}

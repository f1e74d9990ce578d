package org.hybridft.core;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.hybridft.core.ControlLoop.Listener;
import org.hybridft.core.ControlLoop.State;
import org.hybridft.core.ControlLoop.StateChange;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link ControlLoop}'s events reach its {@link Listener}s: queued under the loop's lock in
 * a ring of reused slots (so a tick queues its event without allocating), delivered outside it,
 * one at a time and in order, on the listener executor or on the thread that produced them.
 *
 * <p>Up to {@value ControlLoop#MAX_QUEUED_EVENTS} undelivered events are queued; beyond that new
 * ones are dropped, counted and reported as one {@link ControlLoopError.Kind#LISTENER_BEHIND}
 * error once the listeners catch up. The final state change ({@link State#ENDED} or {@link
 * State#CLOSED}) is kept apart: never dropped, delivered after everything queued before it.
 *
 * <p>The queueing methods are called with the loop's lock held; {@link #deliver()} after it was
 * released. Listeners are added and removed from any thread.
 */
final class EventDelivery {
  static final Listener[] NO_LISTENERS = new Listener[0];

  private static final int TICK = 0;
  private static final int SWITCH = 1;
  private static final int ERROR = 2;
  private static final int ACTUATION = 3;
  private static final int STATE = 4;

  private final Object lock;
  private final LongSupplier clock;
  private final @Nullable Executor executor;
  private final Object listenersLock = new Object();
  // Replaced, never mutated: delivery reads one snapshot per event without allocating.
  private volatile Listener[] listeners;
  private final Runnable drain = this::drain;

  // Guarded by lock. The ring of undelivered events, grown on demand (never per tick).
  private Event[] events = new Event[0];
  private int head;
  private int count;
  private long dropped;
  // The change to ENDED or CLOSED, delivered after the queue and never dropped.
  private @Nullable StateChange finalChange;
  private boolean delivering;

  /** One queued event; slots are reused. */
  private static final class Event {
    int kind;
    long nanos;
    double cps;
    double ratio;
    long duration;
    boolean succeeded;
    @Nullable Mode from;
    @Nullable Mode to;
    @Nullable ControlLoopError error;
    @Nullable StateChange change;
  }

  /**
   * @param lock the loop's lock, which guards the queue
   * @param clock the loop's clock, for the time of a {@code LISTENER_BEHIND} error
   * @param executor where listeners run; null for the thread that produced the events
   * @param listeners the listeners added to the builder
   */
  EventDelivery(Object lock, LongSupplier clock, @Nullable Executor executor,
      Listener[] listeners) {
    this.lock = lock;
    this.clock = clock;
    this.executor = executor;
    this.listeners = listeners;
  }

  /** Whether anyone listens: without listeners no event is queued, nor allocated. */
  boolean hasListeners() {
    return listeners.length > 0;
  }

  /** See {@link ControlLoop#addListener(Listener)}. */
  void add(Listener listener) {
    synchronized (listenersLock) {
      Listener[] current = listeners;
      Listener[] grown = Arrays.copyOf(current, current.length + 1);
      grown[current.length] = listener;
      listeners = grown;
    }
  }

  /** See {@link ControlLoop#removeListener(Listener)}. */
  boolean remove(Listener listener) {
    synchronized (listenersLock) {
      Listener[] current = listeners;
      for (int i = 0; i < current.length; i++) {
        if (current[i] == listener) {
          Listener[] shrunk = new Listener[current.length - 1];
          System.arraycopy(current, 0, shrunk, 0, i);
          System.arraycopy(current, i + 1, shrunk, i, current.length - i - 1);
          listeners = shrunk.length == 0 ? NO_LISTENERS : shrunk;
          return true;
        }
      }
      return false;
    }
  }

  void tick(long now, Mode mode, double cps, double ratio) {
    Event event = queue(TICK, now);
    if (event != null) {
      event.to = mode;
      event.cps = cps;
      event.ratio = ratio;
    }
  }

  void modeSwitch(long now, Mode from, Mode to, double cps) {
    Event event = queue(SWITCH, now);
    if (event != null) {
      event.from = from;
      event.to = to;
      event.cps = cps;
    }
  }

  void actuation(long now, Mode mode, long durationNanos, boolean succeeded) {
    Event event = queue(ACTUATION, now);
    if (event != null) {
      event.to = mode;
      event.duration = durationNanos;
      event.succeeded = succeeded;
    }
  }

  void stateChange(long now, State from, State to, String reason,
      ControlLoopError.@Nullable Kind cause) {
    Event event = queue(STATE, now);
    if (event != null) {
      event.change = new StateChange(now, from, to, reason, cause);
    }
  }

  /** The change to a final state: kept apart from the queue, so never dropped. */
  void finalChange(long now, State from, State to, String reason) {
    if (hasListeners()) {
      finalChange = new StateChange(now, from, to, reason, null);
    }
  }

  void error(ControlLoopError.Kind kind, String message, @Nullable Throwable cause, long now) {
    Event event = queue(ERROR, now);
    if (event != null) {
      event.error = new ControlLoopError(kind, message, cause, now);
    }
  }

  /**
   * A slot for a new event at the tail of the queue; null if nobody listens, or if the queue is
   * full (then counted as dropped).
   */
  private @Nullable Event queue(int kind, long now) {
    if (!hasListeners()) {
      return null;
    }
    Event[] ring = events;
    if (count == ring.length) {
      if (ring.length == ControlLoop.MAX_QUEUED_EVENTS) {
        dropped++;
        return null;
      }
      ring = grow(ring);
    }
    int index = head + count;
    if (index >= ring.length) {
      index -= ring.length;
    }
    count++;
    Event event = ring[index];
    event.kind = kind;
    event.nanos = now;
    return event;
  }

  private Event[] grow(Event[] ring) {
    Event[] grown =
        new Event[Math.min(ControlLoop.MAX_QUEUED_EVENTS, Math.max(4, ring.length * 2))];
    for (int i = 0; i < count; i++) {
      int from = head + i;
      grown[i] = ring[from >= ring.length ? from - ring.length : from];
    }
    for (int i = count; i < grown.length; i++) {
      grown[i] = new Event();
    }
    events = grown;
    head = 0;
    return grown;
  }

  /**
   * Delivers the queued events, or hands their delivery to the listener executor, unless another
   * thread is delivering already (it delivers them in order) or the lock is held (the outermost
   * entry point delivers once it has left the lock).
   */
  void deliver() {
    if (Thread.holdsLock(lock)) {
      return;
    }
    synchronized (lock) {
      if (delivering || (count == 0 && dropped == 0 && finalChange == null)) {
        return;
      }
      delivering = true;
    }
    Executor runner = executor;
    if (runner != null) {
      try {
        runner.execute(drain);
        return;
      } catch (RuntimeException | Error refused) {
        // The listener executor is gone: deliver here rather than lose the events.
      }
    }
    drain();
  }

  /** Delivers queued events one at a time, outside the lock, until none is left. */
  private void drain() {
    while (true) {
      int kind;
      long nanos;
      double cps = 0;
      double ratio = 0;
      long duration = 0;
      boolean succeeded = false;
      Mode from = null;
      Mode to = null;
      ControlLoopError error = null;
      StateChange change = null;
      synchronized (lock) {
        if (count > 0) {
          Event event = events[head];
          head = head + 1 == events.length ? 0 : head + 1;
          count--;
          kind = event.kind;
          nanos = event.nanos;
          cps = event.cps;
          ratio = event.ratio;
          from = event.from;
          to = event.to;
          error = event.error;
          change = event.change;
          duration = event.duration;
          succeeded = event.succeeded;
          event.error = null;
          event.change = null;
        } else if (dropped > 0) {
          kind = ERROR;
          nanos = clock.getAsLong();
          error = new ControlLoopError(ControlLoopError.Kind.LISTENER_BEHIND,
              dropped + " listener events were dropped: the listeners fell more than "
                  + ControlLoop.MAX_QUEUED_EVENTS + " events behind", null, nanos);
          dropped = 0;
        } else if (finalChange != null) {
          kind = STATE;
          change = finalChange;
          nanos = change.atNanos();
          finalChange = null;
        } else {
          delivering = false;
          return;
        }
      }
      for (Listener listener : listeners) {
        try {
          if (kind == TICK) {
            listener.onTick(nanos, Objects.requireNonNull(to), cps, ratio);
          } else if (kind == SWITCH) {
            listener.onModeSwitch(nanos, Objects.requireNonNull(from), Objects.requireNonNull(to),
                cps);
          } else if (kind == ACTUATION) {
            listener.onActuation(nanos, Objects.requireNonNull(to), duration, succeeded);
          } else if (kind == STATE) {
            listener.onStateChanged(Objects.requireNonNull(change));
          } else {
            listener.onError(Objects.requireNonNull(error));
          }
        } catch (RuntimeException | Error ignored) {
          // A listener must break neither the loop nor the other listeners.
        }
      }
    }
  }
}

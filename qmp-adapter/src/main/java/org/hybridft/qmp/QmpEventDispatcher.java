package org.hybridft.qmp;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The event layer of a {@link QmpClient}: who is subscribed to which event, and delivery. Events
 * are immutable ({@link QmpEvent} holds a {@link QmpValue}), so every subscriber gets the same
 * instance and none can change what another sees. Subscribing is thread-safe; {@link #dispatch}
 * runs on the connection's I/O thread.
 */
final class QmpEventDispatcher {
  private static final System.Logger LOG = System.getLogger(QmpEventDispatcher.class.getName());

  private final Map<String, List<Consumer<QmpEvent>>> byName = new ConcurrentHashMap<>();
  private final List<Consumer<QmpEvent>> everyEvent = new CopyOnWriteArrayList<>();

  QmpSubscription subscribe(String event, Consumer<QmpEvent> listener) {
    if (event == null || event.isBlank()) {
      throw new IllegalArgumentException("event must be a QMP event name, was '" + event + "'");
    }
    Objects.requireNonNull(listener, "listener");
    List<Consumer<QmpEvent>> list = byName.computeIfAbsent(event, name -> new CopyOnWriteArrayList<>());
    list.add(listener);
    return () -> list.remove(listener);
  }

  QmpSubscription subscribeAll(Consumer<QmpEvent> listener) {
    Objects.requireNonNull(listener, "listener");
    everyEvent.add(listener);
    return () -> everyEvent.remove(listener);
  }

  /** Delivers {@code event} to its subscribers by name, then to those of every event. */
  void dispatch(QmpEvent event) {
    List<Consumer<QmpEvent>> named = byName.get(event.name());
    if (named != null) {
      for (Consumer<QmpEvent> listener : named) {
        deliver(listener, event);
      }
    }
    for (Consumer<QmpEvent> listener : everyEvent) {
      deliver(listener, event);
    }
  }

  private static void deliver(Consumer<QmpEvent> listener, QmpEvent event) {
    try {
      listener.accept(event);
    } catch (RuntimeException | Error failed) {
      // As in core: a listener's bug is reported and ignored, it must not end the replication.
      LOG.log(Level.WARNING, "a listener of QMP event " + event.name() + " failed", failed);
    }
  }
}

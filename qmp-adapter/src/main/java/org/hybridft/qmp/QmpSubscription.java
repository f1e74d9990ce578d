package org.hybridft.qmp;

/** A subscription to QMP events; closing it stops the deliveries. Idempotent. */
@FunctionalInterface
public interface QmpSubscription extends AutoCloseable {
  @Override
  void close();
}

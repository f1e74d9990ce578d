package org.hybridft.evaluation.faults;

/**
 * A write the guest acknowledged: its reply said it stored exactly this record.
 *
 * @param id the record's slot
 * @param value what it holds
 * @param sentNanos when the request was sent ({@link System#nanoTime()})
 * @param ackedNanos when the acknowledgement arrived
 * @param port the HTTP forward it went through (the primary's or the secondary's)
 */
public record AcknowledgedWrite(int id, String value, long sentNanos, long ackedNanos, int port) {}

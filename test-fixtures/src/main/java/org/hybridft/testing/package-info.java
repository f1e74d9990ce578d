/**
 * Fixtures for tests of code that embeds hybrid-ft.
 *
 * <p>{@link org.hybridft.testing.VirtualScheduler} is the scheduler and the clock of a {@code
 * ControlLoop} under test: ticks, actuation retries and any other task run on the test's thread
 * when the test advances virtual time, so a test of an hour of control runs in milliseconds and
 * gives the same result every time. To test a controller alone, without a loop, use {@code
 * org.hybridft.core.StabilityCheck}.
 */
@NullMarked
package org.hybridft.testing;

import org.jspecify.annotations.NullMarked;

/**
 * Core of hybrid-ft: decision API, measurement and the per-VM control loop.
 *
 * <p>Everything here is pure Java without I/O except {@link org.hybridft.core.ControlLoop}, which
 * only schedules work on an executor it is given and talks to the world through its two ports.
 */
@NullMarked
package org.hybridft.core;

import org.jspecify.annotations.NullMarked;

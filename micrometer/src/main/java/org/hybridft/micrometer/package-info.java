/** Micrometer metrics of hybrid-ft control loops: see {@link org.hybridft.micrometer.ControlLoopMetrics}. */
@NullMarked
package org.hybridft.micrometer;

import org.jspecify.annotations.NullMarked;

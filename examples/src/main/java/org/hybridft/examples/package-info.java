/** Examples of embedding hybrid-ft in an orchestrator. */
@NullMarked
package org.hybridft.examples;

import org.jspecify.annotations.NullMarked;

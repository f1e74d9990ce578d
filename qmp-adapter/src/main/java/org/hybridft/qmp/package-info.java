/**
 * QMP adapter: {@link org.hybridft.qmp.QmpClient} speaks QEMU's machine protocol over a unix
 * socket or TCP; {@link org.hybridft.qmp.QmpCheckpointCounter} counts COLO checkpoints from QEMU's
 * events and {@link org.hybridft.qmp.QmpModeActuator} applies modes through a {@link
 * org.hybridft.qmp.ModeRecipe}. The adapter decides nothing: the controllers of hybrid-ft do.
 */
@NullMarked
package org.hybridft.qmp;

import org.jspecify.annotations.NullMarked;

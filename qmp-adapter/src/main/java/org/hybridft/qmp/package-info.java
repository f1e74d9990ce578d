/**
 * QMP adapter: {@link org.hybridft.qmp.QmpClient} speaks QEMU's machine protocol over a unix
 * socket or TCP, with replies and event data as immutable {@link org.hybridft.qmp.QmpValue}s and
 * one {@link org.hybridft.qmp.QmpException} subtype per way to fail; {@link
 * org.hybridft.qmp.QmpCheckpointCounter} counts COLO checkpoints from QEMU's events and {@link
 * org.hybridft.qmp.QmpModeActuator} applies modes through a {@link org.hybridft.qmp.ModeRecipe};
 * {@link org.hybridft.qmp.ColoPrimaryCheck} tells whether a QEMU is a COLO primary, and why not.
 * The adapter decides nothing: the controllers of hybrid-ft do.
 */
@NullMarked
package org.hybridft.qmp;

import org.jspecify.annotations.NullMarked;

/** {@link org.hybridft.core.ModeController} implementations: research controllers and baselines. */
@NullMarked
package org.hybridft.controllers;

import org.jspecify.annotations.NullMarked;

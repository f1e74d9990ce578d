/**
 * {@link org.hybridft.core.ModeController} implementations (the research's controllers with their
 * documented extensions, ORBIT's prototype rule, a learning controller and the two static
 * baselines) and the {@link org.hybridft.controllers.ControllerRegistry}, which describes each by
 * a {@link org.hybridft.controllers.ControllerDescriptor} and builds them by name from parameter
 * values or config files; more are registered through {@link
 * org.hybridft.controllers.ControllerProvider}.
 */
@NullMarked
package org.hybridft.controllers;

import org.jspecify.annotations.NullMarked;

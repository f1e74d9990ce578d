/**
 * The host agent: {@link org.hybridft.agent.Agent} supervises every COLO primary that its {@link
 * org.hybridft.agent.AgentConfig configuration} lets it discover, one {@link
 * org.hybridft.core.ControlLoop} each, on shared threads.
 */
@NullMarked
package org.hybridft.agent;

import org.jspecify.annotations.NullMarked;
